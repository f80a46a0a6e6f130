"""The post-mortem calls of :class:`~smokejumper.client.admin.AdminClient` (a mixin): the
document in any format, sections and their revisions, the status, the library."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import quote


def _postmortem(incident_id: str) -> str:
    return f"/api/v1/incidents/{quote(incident_id, safe='')}/postmortem"


class PostmortemCalls:
    """Post-mortem calls; the class using it provides ``_call`` (JSON) and ``_fetch``
    (bytes)."""

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        raise NotImplementedError

    def _fetch(self, method: str, path: str, **kwargs: Any) -> bytes:
        raise NotImplementedError

    def postmortem(self, incident_id: str, fmt: str = "markdown") -> bytes:
        """The incident's post-mortem as ``markdown``, ``html``, ``pdf`` or ``json`` bytes."""
        return self._fetch("GET", _postmortem(incident_id), params={"format": fmt})

    def postmortem_sections(self, incident_id: str) -> dict[str, Any]:
        """The post-mortem's status, current sections and blameless findings."""
        return cast(dict[str, Any], self._call("GET", f"{_postmortem(incident_id)}/sections"))

    def write_section(
        self, incident_id: str, section: str, content: str | list[dict[str, Any]], *, by: str
    ) -> dict[str, Any]:
        """Save a new revision of ``section``; the answer has the blameless findings."""
        path = f"{_postmortem(incident_id)}/sections/{quote(section, safe='')}"
        return cast(dict[str, Any], self._call("PUT", path, json={"content": content, "by": by}))

    def section_revisions(self, incident_id: str, section: str) -> list[dict[str, Any]]:
        """Every revision of ``section``, oldest first."""
        path = f"{_postmortem(incident_id)}/sections/{quote(section, safe='')}/revisions"
        return cast(list[dict[str, Any]], self._call("GET", path))

    def set_postmortem_status(self, incident_id: str, status: str, *, by: str) -> dict[str, Any]:
        """Move the post-mortem to draft, review or final."""
        path = f"{_postmortem(incident_id)}/status"
        return cast(dict[str, Any], self._call("PUT", path, json={"status": status, "by": by}))

    def publish_postmortem(self, incident_id: str, *, by: str) -> dict[str, Any]:
        """Publish the post-mortem to the configured Confluence space."""
        path = f"{_postmortem(incident_id)}/publish"
        return cast(dict[str, Any], self._call("POST", path, json={"by": by}))

    def postmortems(self, search: str | None = None, status: str | None = None) -> list[Any]:
        """The library of post-mortems (``search``: words all must hold)."""
        params = {k: v for k, v in (("q", search), ("status", status)) if v}
        return cast(list[Any], self._call("GET", "/api/v1/postmortems", params=params))

    def postmortem_causes(self, period: str = "month") -> dict[str, Any]:
        """Counts of taxonomy labels and fishbone categories per period."""
        params = {"period": period}
        return cast(dict[str, Any], self._call("GET", "/api/v1/postmortems/causes", params=params))
