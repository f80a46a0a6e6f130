"""Fixtures of the delivery tests: loopback endpoints and an HTTP client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tests.delivery.support import Endpoint

from smokejumper.delivery.http import new_client


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    server = Endpoint()
    yield server
    server.close()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with new_client(timeout=5.0) as c:
        yield c
