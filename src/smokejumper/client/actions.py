"""The action-item calls of :class:`~smokejumper.client.admin.AdminClient` (a mixin): list,
export (Jira's CSV or JSON), add, update, file in a tracker."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import quote


def _action_params(incident: str | None, status: str | None, overdue: bool) -> dict[str, str]:
    asked = (("incident", incident), ("status", status), ("overdue", "true" if overdue else None))
    return {key: value for key, value in asked if value is not None}


class ActionItemCalls:
    """Action-item calls; the class using it provides ``_call`` (JSON) and ``_fetch``
    (bytes)."""

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        raise NotImplementedError

    def _fetch(self, method: str, path: str, **kwargs: Any) -> bytes:
        raise NotImplementedError

    def action_items(
        self,
        *,
        incident: str | None = None,
        status: str | None = None,
        overdue: bool = False,
    ) -> list[dict[str, Any]]:
        """Action items across incidents (or of ``incident``), by due date; ``status`` one or
        several comma-separated; ``overdue``: only those open past their due date."""
        params = _action_params(incident, status, overdue)
        return cast(list[dict[str, Any]], self._call("GET", "/api/v1/actions", params=params))

    def export_action_items(
        self,
        fmt: str = "csv",
        *,
        incident: str | None = None,
        status: str | None = None,
        overdue: bool = False,
    ) -> str:
        """The action items as the server exports them: ``csv`` (Jira's importer) or
        ``json``, as text."""
        params = {**_action_params(incident, status, overdue), "format": fmt}
        return self._fetch("GET", "/api/v1/actions", params=params).decode("utf-8")

    def add_action_item(
        self,
        incident_id: str,
        description: str,
        *,
        type: str,
        owner: str,
        due: str,
        by: str,
        link: str | None = None,
    ) -> dict[str, Any]:
        """Add an action item to an incident (``due`` as YYYY-MM-DD)."""
        body: dict[str, Any] = {"type": type, "description": description, "owner": owner}
        body |= {"due": due, "by": by, **({"link": link} if link is not None else {})}
        path = f"/api/v1/incidents/{quote(incident_id, safe='')}/actions"
        return cast(dict[str, Any], self._call("POST", path, json=body))

    def update_action_item(self, item_id: str, *, by: str, **fields: Any) -> dict[str, Any]:
        """Change an action item's status, owner, due date, type, description, link or
        reason (those given, not ``None``)."""
        body = {"by": by, **{k: v for k, v in fields.items() if v is not None}}
        path = f"/api/v1/actions/{quote(item_id, safe='')}"
        return cast(dict[str, Any], self._call("PATCH", path, json=body))

    def file_action_item(self, item_id: str, tracker: str, *, by: str) -> dict[str, Any]:
        """File an action item as an issue in ``tracker`` (github or jira)."""
        path = f"/api/v1/actions/{quote(item_id, safe='')}/tracker"
        return cast(dict[str, Any], self._call("POST", path, json={"tracker": tracker, "by": by}))
