"""One HTTP POST to a receiver, and what its answer means for delivery.

==================== =============================================================
2xx                  delivered
429, 408, 5xx        retry, not before ``Retry-After`` (seconds or an HTTP date)
no answer            retry (connection refused or reset, timeout, DNS failure)
3xx                  dead: receivers do not redirect; configure the final URL
other 4xx            dead, with the receiver's body (cut to :data:`BODY_LIMIT`)
==================== =============================================================

Errors name the target as scheme, host and port only: a Slack or webhook URL is a secret
whose path (or user info) must not reach a log.

>>> from datetime import UTC, datetime
>>> judge(503, {"Retry-After": "120"}, "busy", "https://hooks.example")
Outcome(status='retry', error='POST https://hooks.example answered 503: busy', \
retry_after=120.0, detail='')
>>> judge(400, {}, "invalid_blocks", "https://hooks.slack.com").error
'POST https://hooks.slack.com answered 400: invalid_blocks'
>>> parse_retry_after("Sun, 01 Nov 2026 09:01:00 GMT", datetime(2026, 11, 1, 9, tzinfo=UTC))
60.0
>>> target("https://user:pw@hooks.example.com/services/T0/B0/SECRET")
'https://hooks.example.com'
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from smokejumper._version import __version__
from smokejumper.delivery.outcome import Outcome

#: The most of a receiver's answer kept in an error.
BODY_LIMIT = 2000
#: Seconds to wait for a receiver: to connect, and for each read or write.
DEFAULT_TIMEOUT = 10.0
USER_AGENT = f"Smokejumper/{__version__}"

_shared: httpx.Client | None = None
_lock = threading.Lock()


def shared_client() -> httpx.Client:
    """The process's client for receivers (made at first use; thread-safe, keeps connections
    open between sends). :func:`close_shared_client` closes it at shutdown."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = new_client()
        return _shared


def close_shared_client() -> None:
    """Close the shared client, if one was made."""
    global _shared
    with _lock:
        if _shared is not None:
            _shared.close()
            _shared = None


def new_client(timeout: float = DEFAULT_TIMEOUT) -> httpx.Client:
    """A client for receivers: no redirects followed, our User-Agent, ``timeout`` seconds."""
    return httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT})


def post(
    client: httpx.Client,
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float = DEFAULT_TIMEOUT,
) -> Outcome:
    """POST ``body`` to ``url`` once and judge the answer (see the module docstring)."""
    where = target(url)
    try:
        answer = client.post(url, content=body, headers=dict(headers), timeout=timeout)
    except httpx.UnsupportedProtocol:
        return Outcome.dead(f"POST {where}: not an http or https URL; check the setting")
    except httpx.TimeoutException:
        return Outcome.retry(f"POST {where}: no answer within {timeout:g} s")
    except httpx.TransportError as e:
        return Outcome.retry(f"POST {where}: {type(e).__name__}: {_first_line(e)}")
    except httpx.InvalidURL:
        return Outcome.dead(f"POST {where}: the URL is not valid; check the setting")
    return judge(answer.status_code, answer.headers, answer.text, where)


def judge(
    status: int,
    headers: Mapping[str, str],
    body: str,
    where: str,
    now: datetime | None = None,
) -> Outcome:
    """The outcome of an answer with ``status``, ``headers`` and ``body`` from ``where``."""
    if 200 <= status < 300:
        return Outcome.delivered()
    said = f"POST {where} answered {status}: {cut(body) or '(empty body)'}"
    if status in (408, 429) or status >= 500:
        wait = parse_retry_after(_header(headers, "retry-after"), now or datetime.now(UTC))
        return Outcome.retry(said, wait)
    if 300 <= status < 400:
        return Outcome.dead(
            f"{said}; receivers are not followed through redirects, configure the final URL"
        )
    return Outcome.dead(said)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number of seconds, or an HTTP date
    (then the time from ``now`` to it, at least 0); None when absent or unreadable.

    >>> from datetime import UTC, datetime
    >>> parse_retry_after("7", datetime.now(UTC)), parse_retry_after("soon", datetime.now(UTC))
    (7.0, None)
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if seconds == seconds and seconds != float("inf") else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def target(url: str) -> str:
    """``url`` without path, query or user info: safe to log."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return "(an invalid URL)"
    if not parsed.host:
        return "(a URL without a host)"
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    port = f":{parsed.port}" if parsed.port is not None else ""
    return f"{parsed.scheme}://{host}{port}"


def cut(body: str, limit: int = BODY_LIMIT) -> str:
    """``body`` stripped and cut to ``limit`` characters, saying how much was left out.

    >>> cut("x" * 10, 4)
    'xxxx… (6 more characters)'
    """
    text = body.strip()
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else "no details"
