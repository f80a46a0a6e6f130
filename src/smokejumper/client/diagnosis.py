"""The root-cause calls of :class:`~smokejumper.client.admin.AdminClient` (a mixin): an
incident's hypotheses, and a new diagnosis."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import quote


class DiagnosisCalls:
    """Diagnosis calls; the class using it provides ``_call`` (JSON)."""

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        raise NotImplementedError

    def hypotheses(self, incident_id: str) -> dict[str, Any]:
        """The incident's latest diagnosis (its ranked hypotheses)."""
        path = f"/api/v1/incidents/{quote(incident_id, safe='')}/hypotheses"
        return cast(dict[str, Any], self._call("GET", path))

    def diagnose(
        self, incident_id: str, *, by: str | None = None, lookback_hours: float | None = None
    ) -> dict[str, Any]:
        """Diagnose the incident now; the new diagnosis."""
        body: dict[str, Any] = {"by": by}
        if lookback_hours is not None:
            body["lookback_hours"] = lookback_hours
        path = f"/api/v1/incidents/{quote(incident_id, safe='')}/diagnose"
        return cast(dict[str, Any], self._call("POST", path, json=body))
