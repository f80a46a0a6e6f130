"""A post-mortem as a Confluence page: its settings, the page in Confluence's storage format
(XHTML) and the bodies of the REST calls that create and update it (``POST`` and
``PUT /rest/api/content``). The calls themselves are made by the service.

The page holds the Markdown document rendered as XHTML; the fishbone and the charts stay in
the HTML and PDF versions (storage format takes no inline SVG).

>>> settings = ConfluenceSettings.parse({"url": "https://acme.atlassian.net/wiki/",
...     "space": "ML", "user": "bot@acme.com", "token": "t0k"})
>>> settings.api, settings.authorization()[:6]
('https://acme.atlassian.net/wiki/rest/api/content', 'Basic ')
>>> page_body("INC-1: x", "<p>hi</p>", settings, version=3)["version"]
{'number': 3}
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smokejumper.errors import PostmortemError


@dataclass(frozen=True)
class ConfluenceSettings:
    """Where post-mortems are published: the site's ``url`` (Cloud: ``https://SITE.atlassian.net/wiki``;
    Data Center: the base URL), the ``space`` key, an optional ``parent`` page id, and the
    credentials: ``user`` and API ``token`` (Basic, Cloud) or a personal access ``token`` alone
    (Bearer, Data Center). ``publish_on_save`` republishes after every save."""

    url: str
    space: str
    token: str
    user: str | None = None
    parent: str | None = None
    publish_on_save: bool = True

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ConfluenceSettings:
        """The settings of a config mapping (secrets already resolved); a mistake is a
        :class:`~smokejumper.errors.PostmortemError` naming the key."""
        if not isinstance(data, Mapping):
            raise PostmortemError("expected a mapping of url, space, token, ...")
        known = {"url", "space", "token", "user", "parent", "publish_on_save"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise PostmortemError(
                f"unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        for key in ("url", "space", "token"):
            if not isinstance(data.get(key), str) or not str(data[key]).strip():
                raise PostmortemError(f"{key} is required (a non-empty string)")
        url = str(data["url"]).strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise PostmortemError(f"url must start with https:// (got {url!r})")
        parent = data.get("parent")
        return cls(
            url=url,
            space=str(data["space"]).strip(),
            token=str(data["token"]).strip(),
            user=str(data["user"]).strip() if data.get("user") else None,
            parent=str(parent) if parent is not None else None,
            publish_on_save=bool(data.get("publish_on_save", True)),
        )

    @property
    def api(self) -> str:
        """The content endpoint."""
        return f"{self.url}/rest/api/content"

    def authorization(self) -> str:
        """The ``Authorization`` header's value."""
        if self.user:
            pair = f"{self.user}:{self.token}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return f"Bearer {self.token}"


def page_body(
    title: str,
    xhtml: str,
    settings: ConfluenceSettings,
    *,
    version: int | None = None,
    page_id: str | None = None,
) -> dict[str, Any]:
    """The JSON body creating (no ``version``) or updating (``version``: the new number, one
    more than the page's) the page."""
    body: dict[str, Any] = {
        "type": "page",
        "title": title[:255],
        "space": {"key": settings.space},
        "body": {"storage": {"value": xhtml, "representation": "storage"}},
    }
    if version is None and settings.parent:
        body["ancestors"] = [{"id": settings.parent}]
    if version is not None:
        body["version"] = {"number": version}
        if page_id is not None:
            body["id"] = page_id
    return body


def page_address(answer: Mapping[str, Any]) -> str | None:
    """The page's web address from Confluence's answer (``_links.base`` + ``_links.webui``)."""
    links = answer.get("_links") or {}
    if links.get("webui"):
        return f"{links.get('base', '')}{links['webui']}"
    return None
