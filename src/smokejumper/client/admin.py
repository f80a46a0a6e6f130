"""The admin client: register models, declare monitors and SLOs, evaluate and read results
over the server's HTTP API, synchronously (logging predictions is :class:`Client`'s job).

Every method is one request; a refusal raises :class:`~smokejumper.errors.ServerError` with
the server's own message and the HTTP ``status``:

>>> import httpx
>>> def server(request):  # stands in for a Smokejumper server
...     if request.url.path == "/api/v1/models/fraud":
...         return httpx.Response(404, json={"detail": "no model named 'fraud'"})
...     return httpx.Response(200, json={"windows": 1, "observations": 5, "unhealthy": []})
>>> with AdminClient("http://sj.test", "token", transport=httpx.MockTransport(server)) as admin:
...     admin.evaluate()["observations"]
...     try:
...         admin.model("fraud")
...     except ServerError as err:
...         print(err.status, err)
5
404 GET /api/v1/models/fraud failed (404): no model named 'fraud'
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, cast
from urllib.parse import quote

import httpx

from smokejumper.client import api_types as api
from smokejumper.client.actions import ActionItemCalls
from smokejumper.client.diagnosis import DiagnosisCalls
from smokejumper.client.postmortems import PostmortemCalls
from smokejumper.errors import ClientError, DataSourceNotFoundError, ServerError

#: Seconds a request may take by default (setting a large reference profiles it on the server).
DEFAULT_TIMEOUT = 60.0


class Endpoint(Protocol):
    """Where a server is and the token to use, such as :class:`smokejumper.settings.Settings`."""

    @property
    def url(self) -> str:
        """The server's base URL."""
        ...

    @property
    def token(self) -> str | None:
        """An API token."""
        ...


def server_message(response: httpx.Response) -> str:
    """The server's message in an error answer (FastAPI's validation errors joined).

    >>> server_message(httpx.Response(409, json={"detail": "taken"}))
    'taken'
    >>> server_message(httpx.Response(422, json={"detail": [
    ...     {"loc": ["body", "name"], "msg": "Field required"}]}))
    'body.name: Field required'
    >>> server_message(httpx.Response(502, text="Bad gateway"))
    'Bad gateway'
    """
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return response.text.strip()[:500] or response.reason_phrase
    if isinstance(detail, list):
        return "; ".join(f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg')}" for d in detail)
    return str(detail) if detail is not None else response.text.strip()[:500]


def _iso(value: datetime | str) -> str:
    """A time as the server takes it; a datetime without a zone is UTC."""
    if isinstance(value, str):
        return value
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _range(start: datetime | str | None, end: datetime | str | None) -> dict[str, str]:
    return {k: _iso(v) for k, v in (("start", start), ("end", end)) if v is not None}


def _model(name: str) -> str:
    return f"/api/v1/models/{quote(name, safe='')}"


def reference_body(
    reference: bytes | str | os.PathLike[str], content_type: str | None = None
) -> tuple[bytes, str]:
    """The bytes of a reference file (or the bytes given) and the content type to send them
    with: ``content_type`` if given, else told by the file's suffix.

    >>> reference_body(b"age\\n41\\n", "text/csv")
    (b'age\\n41\\n', 'text/csv')
    """
    if isinstance(reference, bytes):
        return reference, content_type or api.OCTET_STREAM
    path = Path(reference)
    if not path.is_file():
        raise DataSourceNotFoundError(str(path))
    return path.read_bytes(), content_type or reference_type(path)


def reference_type(path: Path) -> str:
    """The content type to upload a reference file with, from its suffix.

    >>> reference_type(Path("train.csv")), reference_type(Path("train.profile"))
    ('text/csv', 'application/octet-stream')
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return api.CSV
    return api.PARQUET if suffix in (".parquet", ".pq") else api.OCTET_STREAM


class AdminClient(PostmortemCalls, ActionItemCalls, DiagnosisCalls):
    """A synchronous client of the server's HTTP API at ``url`` with ``token`` (``write`` for
    declaring, ``read`` for reading, ``admin`` for both). Use it in a ``with`` block or
    :meth:`close` it. ``transport`` replaces httpx's (for proxies, mTLS, tests).
    """

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ClientError(f"the server URL must start with http:// or https://, got {url!r}")
        if not token:
            raise ClientError(
                "no API token: pass one (SMOKEJUMPER_TOKEN), made with "
                "'smokejumper token create --scope admin'"
            )
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: Endpoint, **options: Any) -> AdminClient:
        """The client of the server and token ``settings`` name (read by the caller).

        >>> from smokejumper.settings import Settings
        >>> AdminClient.from_settings(Settings(url="http://sj.test:8800/", token="t")).url
        'http://sj.test:8800'
        """
        return cls(settings.url, settings.token, **options)

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One request; its JSON answer, or :class:`ServerError` with the server's message."""
        return self._request(method, path, **kwargs).json()

    def _fetch(self, method: str, path: str, **kwargs: Any) -> bytes:
        """One request whose answer is not JSON: its bytes (errors as :meth:`_call`)."""
        return self._request(method, path, **kwargs).content

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as err:
            raise ServerError(
                f"cannot reach the Smokejumper server at {self.url} ({method} {path}): "
                f"{type(err).__name__}: {err}. Is 'smokejumper serve' running there, and is the "
                "URL (SMOKEJUMPER_URL) right?"
            ) from err
        if response.status_code >= 400:
            raise ServerError(
                f"{method} {path} failed ({response.status_code}): {server_message(response)}",
                status=response.status_code,
            )
        return response

    # --- health and models -------------------------------------------------------------------

    def health(self) -> api.Health:
        """The server's health (``/healthz`` needs no token)."""
        return cast(api.Health, self._call("GET", "/healthz"))

    def register_model(
        self,
        name: str,
        schema: Mapping[str, Any],
        *,
        window_seconds: int | None = None,
        exist_ok: bool = False,
        reference: bytes | str | os.PathLike[str] | None = None,
        content_type: str | None = None,
    ) -> api.RegisteredModel:
        """Register a model with its ``schema`` (features, prediction_kind, segments, columns)
        and window size (the server's default, an hour, if None). With ``exist_ok`` an
        identical model already registered is no error.

        With ``reference`` (a file or its bytes, as for :meth:`set_reference`) the model and
        its reference are stored in one request: both, or neither when the reference cannot
        be used. Only the schema's features are kept from it (``reference.ignored_columns``
        names the others). An existing model (``exist_ok``) keeps a reference it has.
        """
        body: dict[str, Any] = {"name": name, "schema": dict(schema)}
        if window_seconds is not None:
            body["window_seconds"] = window_seconds
        if exist_ok:
            body["options"] = {"exist_ok": True}
        if reference is not None:
            data, kind = reference_body(reference, content_type)
            body["reference"] = {"content_type": kind, "data": base64.b64encode(data).decode()}
        return cast(api.RegisteredModel, self._call("POST", "/api/v1/models", json=body))

    def models(self) -> list[api.ModelInfo]:
        """Every registered model."""
        return cast(list[api.ModelInfo], self._call("GET", "/api/v1/models"))

    def model(self, name: str) -> api.ModelInfo:
        """One registered model."""
        return cast(api.ModelInfo, self._call("GET", _model(name)))

    def set_reference(
        self,
        name: str,
        reference: bytes | str | os.PathLike[str],
        *,
        content_type: str | None = None,
    ) -> api.ReferenceInfo:
        """Set or replace the model's reference from a file (Parquet, CSV or a Smokejumper
        profile, told apart by its suffix) or the bytes of one (send CSV bytes with
        ``content_type`` CSV). Only the model's features are kept from it."""
        body, kind = reference_body(reference, content_type)
        answer = self._call(
            "PUT", f"{_model(name)}/reference", content=body, headers={"Content-Type": kind}
        )
        return cast(api.ReferenceInfo, answer)

    def reference_from_first_hours(self, name: str, hours: float) -> api.ReferenceInfo:
        """Set the model's reference from its own first ``hours`` of logged predictions."""
        answer = self._call("PUT", f"{_model(name)}/reference", params={"first_hours": hours})
        return cast(api.ReferenceInfo, answer)

    # --- monitors and SLOs -------------------------------------------------------------------

    def put_monitor(self, monitor: Mapping[str, Any]) -> dict[str, Any]:
        """Declare (or replace) a monitor, given as in the monitors file; the server's reading
        of it, with every default filled in."""
        return cast(dict[str, Any], self._call("POST", "/api/v1/monitors", json=dict(monitor)))

    def monitors(self) -> list[dict[str, Any]]:
        """Every declared monitor."""
        return cast(list[dict[str, Any]], self._call("GET", "/api/v1/monitors"))

    def put_slo(self, slo: Mapping[str, Any]) -> dict[str, Any]:
        """Declare (or replace) an SLO on a monitor (name, monitor, objective, period_days)."""
        return cast(dict[str, Any], self._call("POST", "/api/v1/slos", json=dict(slo)))

    def slos(self) -> list[api.SloStatus]:
        """Every SLO's state, error budget left and burn rates."""
        return cast(list[api.SloStatus], self._call("GET", "/api/v1/slos"))

    def apply_config(self, config: Mapping[str, Any]) -> api.ConfigApplied:
        """Declare the ``monitors`` and then the ``slos`` of a monitors file's content (as
        loaded from its YAML), one request each; their models must be registered."""
        unknown = set(config) - {"monitors", "slos"}
        if unknown:
            raise ClientError(
                f"unknown key(s) {', '.join(sorted(unknown))} in the monitors config; "
                "it takes 'monitors' and 'slos'"
            )
        monitors, slos = config.get("monitors") or [], config.get("slos") or []
        for monitor in monitors:
            self.put_monitor(monitor)
        for slo in slos:
            self.put_slo(slo)
        return {"monitors": len(monitors), "slos": len(slos)}

    # --- evaluation and results --------------------------------------------------------------

    def evaluate(self) -> api.EvaluationSummary:
        """Evaluate every monitor on every window that is due, now."""
        return cast(api.EvaluationSummary, self._call("POST", "/api/v1/evaluate"))

    def windows(
        self, name: str, *, start: datetime | str | None = None, end: datetime | str | None = None
    ) -> list[api.WindowSummary]:
        """The model's windows starting in ``[start, end)`` (all by default), oldest first."""
        answer = self._call("GET", f"{_model(name)}/windows", params=_range(start, end))
        return cast(list[api.WindowSummary], answer)

    def observations(
        self,
        name: str,
        *,
        monitor: str | None = None,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
    ) -> list[api.Observation]:
        """Observations of the model's monitors (or of ``monitor``) on windows starting in
        ``[start, end)``, oldest window first. Times without a zone are UTC."""
        params = _range(start, end) | ({"monitor": monitor} if monitor is not None else {})
        answer = self._call("GET", f"{_model(name)}/observations", params=params)
        return cast(list[api.Observation], answer)

    # --- alerting ----------------------------------------------------------------------------

    def alerts(
        self, *, state: str | None = None, model: str | None = None, severity: str | None = None
    ) -> list[dict[str, Any]]:
        """Alerts (firing, and resolved in the last 7 days), newest first, filtered."""
        asked = (("state", state), ("model", model), ("severity", severity))
        params = {key: value for key, value in asked if value is not None}
        answer = self._call("GET", "/api/v1/alerts", params=params)
        return cast(list[dict[str, Any]], answer)

    def acknowledge(self, fingerprint: str, by: str) -> dict[str, Any]:
        """Acknowledge an alert (its repeats and escalation stop)."""
        path = f"/api/v1/alerts/{quote(fingerprint, safe='')}/ack"
        return cast(dict[str, Any], self._call("POST", path, json={"by": by}))

    def silences(self, *, expired: bool = False) -> list[dict[str, Any]]:
        """Active and pending silences (and expired ones with ``expired``)."""
        answer = self._call("GET", "/api/v1/silences", params={"expired": str(expired).lower()})
        return cast(list[dict[str, Any]], answer)

    def add_silence(
        self,
        matchers: list[str],
        *,
        created_by: str,
        comment: str,
        duration_minutes: float | None = None,
        starts_at: datetime | str | None = None,
        ends_at: datetime | str | None = None,
    ) -> dict[str, Any]:
        """Create a silence; its ``warnings`` say if its matchers match no alert seen so far."""
        body: dict[str, Any] = {"matchers": matchers, "created_by": created_by, "comment": comment}
        if duration_minutes is not None:
            body["duration_minutes"] = duration_minutes
        if starts_at is not None:
            body["starts_at"] = _iso(starts_at)
        if ends_at is not None:
            body["ends_at"] = _iso(ends_at)
        return cast(dict[str, Any], self._call("POST", "/api/v1/silences", json=body))

    def expire_silence(self, silence_id: str) -> dict[str, Any]:
        """Expire a silence now."""
        path = f"/api/v1/silences/{quote(silence_id, safe='')}"
        return cast(dict[str, Any], self._call("DELETE", path))

    def notifications(self, *, state: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Notification messages, newest first (``state``: pending, sent or dead)."""
        params: dict[str, Any] = {"limit": limit} | ({"state": state} if state else {})
        answer = self._call("GET", "/api/v1/notifications", params=params)
        return cast(list[dict[str, Any]], answer)

    # --- changes and lineage -----------------------------------------------------------------

    def record_change(
        self,
        kind: str,
        summary: str,
        *,
        model: str | None = None,
        service: str | None = None,
        link: str | None = None,
        at: datetime | str | None = None,
        details: Mapping[str, Any] | None = None,
        change_id: str | None = None,
    ) -> dict[str, Any]:
        """Record a change (deploy, config, data, pipeline, feature_store, flag, model_version,
        alias_move, other) of ``model`` or ``service`` at ``at`` (now by default). With
        ``change_id`` a repeated call records it once."""
        body: dict[str, Any] = {"kind": kind, "summary": summary, "details": dict(details or {})}
        optional = (("model", model), ("service", service), ("link", link), ("id", change_id))
        body |= {key: value for key, value in optional if value is not None}
        if at is not None:
            body["time"] = _iso(at)
        return cast(dict[str, Any], self._call("POST", "/api/v1/changes", json=body))

    def changes(
        self,
        *,
        model: str | None = None,
        kind: str | None = None,
        service: str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """Changes at ``[since, until)``, newest first, filtered."""
        asked = (("model", model), ("kind", kind), ("service", service))
        params: dict[str, Any] = {key: value for key, value in asked if value is not None}
        params |= {k: _iso(v) for k, v in (("since", since), ("until", until)) if v is not None}
        params["limit"] = limit
        return cast(list[dict[str, Any]], self._call("GET", "/api/v1/changes", params=params))

    def send_lineage(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """Send one OpenLineage event (a RunEvent, JobEvent or DatasetEvent as the OpenLineage
        clients post it) to ``/api/v1/lineage``; the server's answer."""
        return cast(dict[str, Any], self._call("POST", "/api/v1/lineage", json=dict(event)))

    def dataset(self, namespace: str, name: str) -> dict[str, Any]:
        """An OpenLineage dataset with its versions, producer runs (flagged) and consumers."""
        path = f"/api/v1/lineage/datasets/{quote(namespace, safe='')}/{quote(name, safe='')}"
        return cast(dict[str, Any], self._call("GET", path))

    # --- incidents ---------------------------------------------------------------------------

    def incidents(
        self, *, status: str | None = None, model: str | None = None, search: str | None = None
    ) -> list[dict[str, Any]]:
        """Incidents, newest first; ``search``: those whose title, notes and updates hold
        every word of it."""
        asked = (("status", status), ("model", model), ("q", search))
        params = {key: value for key, value in asked if value is not None}
        return cast(list[dict[str, Any]], self._call("GET", "/api/v1/incidents", params=params))

    def incident(self, incident_id: str) -> dict[str, Any]:
        """One incident with its timeline, the changes before its onset, its last known good
        state and its blast radius."""
        return cast(dict[str, Any], self._call("GET", _incident(incident_id)))

    def incident_reconstruction(
        self, incident_id: str, *, lookback_hours: float | None = None
    ) -> dict[str, Any]:
        """What happened from ``lookback_hours`` (the server's default: 24) before the
        incident's onset up to now, in time order."""
        params = {} if lookback_hours is None else {"lookback_hours": lookback_hours}
        path = f"{_incident(incident_id)}/reconstruction"
        return cast(dict[str, Any], self._call("GET", path, params=params))

    def declare_incident(
        self,
        title: str,
        *,
        by: str,
        severity: str = "SEV3",
        models: list[str] | None = None,
        labels: list[str] | None = None,
    ) -> dict[str, Any]:
        """Declare an incident by hand."""
        body: dict[str, Any] = {"title": title, "severity": severity, "by": by}
        body |= {"models": models or [], "labels": labels or []}
        return cast(dict[str, Any], self._call("POST", "/api/v1/incidents", json=body))

    def update_incident(self, incident_id: str, *, by: str, **fields: Any) -> dict[str, Any]:
        """Change an incident's status, severity, roles, labels or scope."""
        body = {"by": by, **{k: v for k, v in fields.items() if v is not None}}
        return cast(dict[str, Any], self._call("PATCH", _incident(incident_id), json=body))

    def acknowledge_incident(self, incident_id: str, *, by: str) -> dict[str, Any]:
        """Acknowledge an incident (and its firing alerts)."""
        path = f"{_incident(incident_id)}/ack"
        return cast(dict[str, Any], self._call("POST", path, json={"by": by}))

    def note_incident(self, incident_id: str, text: str, *, by: str) -> dict[str, Any]:
        """Write a note on an incident's timeline."""
        path = f"{_incident(incident_id)}/notes"
        return cast(dict[str, Any], self._call("POST", path, json={"text": text, "by": by}))

    def post_update(self, incident_id: str, *, by: str, **sbar: str) -> dict[str, Any]:
        """Post an SBAR status update (situation, background, assessment, recommendation)."""
        path = f"{_incident(incident_id)}/updates"
        return cast(dict[str, Any], self._call("POST", path, json={**sbar, "by": by}))


def _incident(incident_id: str) -> str:
    return f"/api/v1/incidents/{quote(incident_id, safe='')}"
