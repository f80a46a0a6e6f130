"""``integrations: mlflow:`` of the ``serve --config`` file: the MLflow poller's settings
(the whole ``integrations`` part is read by :mod:`smokejumper.service.integrations`).

.. code-block:: yaml

    integrations:
      mlflow:
        tracking_uri: http://mlflow.internal:5000   # required: an MLflow tracking server
        poll_every: 30s          # how often to read the registry (default 30s)
        timeout: 10s             # per request (default 10s)
        retry_max: 5m            # longest wait between retries while MLflow fails (default 5m)
        ui_url: https://mlflow.example.com   # links to version pages (default: tracking_uri)
        models: [churn-prod, fraud]          # only these registered models (default: all)
        model_map: {churn-prod: churn}       # registered model -> Smokejumper model (default:
                                             # the same name)

>>> mlflow = parse_mlflow({"tracking_uri": "http://user:pw@mlflow:5000/",
...                        "model_map": {"churn-prod": "churn"}})
>>> mlflow.source, mlflow.poll_every.total_seconds(), mlflow.ui_url
('http://mlflow:5000', 30.0, 'http://mlflow:5000')
>>> mlflow.mapping.model_of("churn-prod")
'churn'
>>> parse_mlflow({"tracking_uri": "databricks"})
Traceback (most recent call last):
...
smokejumper.errors.IntegrationConfigError: integrations.mlflow.tracking_uri: 'databricks' is \
not an http:// or https:// address of an MLflow tracking server (the poller reads its REST API)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from smokejumper.alerting.durations import parse_duration
from smokejumper.changes.registry_moves import ModelMapping
from smokejumper.errors import AlertingConfigError, IntegrationConfigError

#: The keys of ``integrations.mlflow``.
MLFLOW_KEYS = (
    "tracking_uri",
    "poll_every",
    "timeout",
    "retry_max",
    "ui_url",
    "models",
    "model_map",
)


@dataclass(frozen=True)
class MlflowConfig:
    """Where the MLflow tracking server is and how the poller reads it (see the module)."""

    tracking_uri: str
    poll_every: timedelta = timedelta(seconds=30)
    timeout: timedelta = timedelta(seconds=10)
    retry_max: timedelta = timedelta(minutes=5)
    ui_url: str = ""
    mapping: ModelMapping = field(default_factory=ModelMapping)

    @property
    def source(self) -> str:
        """The tracking URI without user info or trailing ``/``: what logs, ``/healthz`` and
        the stored state name it by (a password in the URI never shows)."""
        return redacted(self.tracking_uri)


def redacted(uri: str) -> str:
    """``uri`` without its user info (``user:password@``) and trailing ``/``.

    >>> redacted("https://bot:s3cret@mlflow.example.com:443/ml/")
    'https://mlflow.example.com:443/ml'
    """
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def parse_mlflow(data: object, path: str = "integrations.mlflow") -> MlflowConfig:
    """``integrations.mlflow``, checked."""
    doc = _mapping(data, path)
    for key in doc:
        if key not in MLFLOW_KEYS:
            raise IntegrationConfigError(
                f"{path}.{key}", f"unknown key; known keys: {', '.join(sorted(MLFLOW_KEYS))}"
            )
    if "tracking_uri" not in doc:
        raise IntegrationConfigError(
            path, "tracking_uri is missing; give the MLflow tracking server's http(s) address"
        )
    uri = _address(doc["tracking_uri"], f"{path}.tracking_uri")
    ui = _address(doc["ui_url"], f"{path}.ui_url") if "ui_url" in doc else redacted(uri)
    durations = {
        key: _duration(doc[key], f"{path}.{key}", least)
        for key, least in (("poll_every", 1), ("timeout", 1), ("retry_max", 1))
        if key in doc
    }
    return MlflowConfig(
        uri,
        ui_url=redacted(ui),
        mapping=ModelMapping(_models(doc.get("models"), path), _model_map(doc, path)),
        **durations,
    )


def _mapping(data: object, path: str) -> Mapping[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        raise IntegrationConfigError(path, f"expected a mapping, got {_shown(data)}")
    return data


def _address(value: object, path: str) -> str:
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise IntegrationConfigError(
            path,
            f"{value!r} is not an http:// or https:// address of an MLflow tracking server "
            "(the poller reads its REST API)",
        )
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as err:
        raise IntegrationConfigError(path, f"{value!r}: {err}") from err
    assert isinstance(value, str)
    return value


def _duration(value: object, path: str, least_seconds: float) -> timedelta:
    try:
        found = parse_duration(value, path)
    except AlertingConfigError as err:
        raise IntegrationConfigError(path, err.reason) from err
    if found.total_seconds() < least_seconds:
        raise IntegrationConfigError(
            path, f"{value!r} is too short; give {least_seconds:g}s or more"
        )
    return found


def _models(value: object, path: str) -> frozenset[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise IntegrationConfigError(
            f"{path}.models",
            f"expected a non-empty list of registered model names, got {_shown(value)}",
        )
    for i, name in enumerate(value):
        if not isinstance(name, str) or not name.strip():
            raise IntegrationConfigError(
                f"{path}.models[{i}]", f"expected a name, got {_shown(name)}"
            )
    return frozenset(value)


def _model_map(doc: Mapping[str, Any], path: str) -> dict[str, str]:
    given = _mapping(doc.get("model_map"), f"{path}.model_map")
    for registered, model in given.items():
        if not isinstance(model, str) or not model.strip() or len(model) > 200:
            raise IntegrationConfigError(
                f"{path}.model_map.{registered}",
                f"expected the Smokejumper model's name (1 to 200 characters), got {_shown(model)}",
            )
    return {k: v.strip() for k, v in given.items()}


def _shown(value: object) -> str:
    return f"{type(value).__name__} {value!r}"
