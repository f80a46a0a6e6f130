"""What every payload needs: wire times, links with the server's address, the labels the
alerts share, a title, and the alerts an integration item wants.

>>> from datetime import UTC, datetime
>>> rfc3339(datetime(2026, 11, 1, 9, 30, tzinfo=UTC))
'2026-11-01T09:30:00Z'
>>> common_labels([{"model": "churn", "column": "age"}, {"model": "churn", "column": "plan"}])
{'model': 'churn'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from smokejumper.alerting.alert import Alert, Link
from smokejumper.alerting.notifications import Notification

#: Alertmanager's "no end yet": Go's zero time, which a firing alert has as ``endsAt``.
ZERO_TIME = "0001-01-01T00:00:00Z"


def rfc3339(moment: datetime) -> str:
    """``moment`` in UTC as RFC 3339 with ``Z`` (microseconds only when there are some)."""
    text = moment.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def links(alert: Alert, external_url: str) -> list[Link]:
    """The alert's links with ``{external_url}`` filled in; a link left relative (no server
    address configured) is dropped rather than sent broken.

    >>> from datetime import UTC, datetime
    >>> a = Alert({"model": "m"}, {}, datetime(2026, 11, 1, tzinfo=UTC),
    ...           links=(Link("{external_url}/models/m", "Model m"),))
    >>> [link.href for link in links(a, "https://sj.example/")]
    ['https://sj.example/models/m']
    >>> links(a, "")
    []
    """
    found = [link.resolved(external_url) for link in alert.links]
    return [link for link in found if "://" in link.href or link.href.startswith("mailto:")]


def all_links(alerts: Iterable[Alert], external_url: str) -> list[Link]:
    """The links of ``alerts``, each href once, in order."""
    seen: dict[str, Link] = {}
    for alert in alerts:
        for link in links(alert, external_url):
            seen.setdefault(link.href, link)
    return list(seen.values())


def generator_url(alert: Alert, external_url: str) -> str:
    """Where the alert comes from: its first link, else the server's address (may be empty)."""
    found = links(alert, external_url)
    return found[0].href if found else external_url.rstrip("/")


def common_labels(labels: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """The name-value pairs that every mapping of ``labels`` has (empty for none)."""
    if not labels:
        return {}
    first, *rest = labels
    return {k: v for k, v in first.items() if all(other.get(k) == v for other in rest)}


def wanted(notification: Notification, settings: Mapping[str, Any]) -> tuple[Alert, ...]:
    """The alerts an integration item is told of: all, or only the firing ones when its
    ``send_resolved`` is false.

    >>> from datetime import UTC, datetime
    >>> t = datetime(2026, 11, 1, tzinfo=UTC)
    >>> gone = Alert({"model": "m"}, {}, t, ends_at=t)
    >>> n = Notification("team", "g", {}, (), (gone,), "resolved", t)
    >>> len(wanted(n, {})), len(wanted(n, {"send_resolved": False}))
    (1, 0)
    """
    if settings.get("send_resolved", True) is False:
        return notification.firing
    return notification.alerts


def title(notification: Notification, alerts: Sequence[Alert] | None = None) -> str:
    """A one-line title in Alertmanager's manner: ``[FIRING:2] churn feature_drift``.

    >>> from datetime import UTC, datetime
    >>> t = datetime(2026, 11, 1, tzinfo=UTC)
    >>> a = Alert({"model": "churn", "type": "feature_drift"}, {}, t)
    >>> title(Notification("team", "g", {"model": "churn"}, (a,), (), "new", t))
    '[FIRING:1] churn feature_drift'
    """
    shown = notification.alerts if alerts is None else alerts
    firing = sum(1 for a in shown if a.firing)
    head = f"[FIRING:{firing}]" if firing else "[RESOLVED]"
    labels = {**common_labels([a.labels for a in shown]), **notification.group_labels}
    words = [labels[k] for k in ("model", "type", "monitor", "slo") if labels.get(k)]
    if not words:
        words = [v for k, v in sorted(labels.items()) if k != "severity"][:3]
    if not words and shown:
        words = [shown[0].labels.get("alertname", "alert")]
    return " ".join([head, *dict.fromkeys(words)])


def summary(alert: Alert) -> str:
    """The alert's summary annotation, else its alertname and labels in words."""
    if alert.annotations.get("summary"):
        return alert.annotations["summary"]
    labels = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()) if k != "alertname")
    return f"{alert.labels.get('alertname', 'alert')} ({labels})"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending with an ellipsis when cut.

    >>> shorten("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fact_lines(alert: Alert, shown: int = 10) -> list[str]:
    """The alert's ML facts in words: drifted columns with effect sizes (at most ``shown``),
    the null share, the window.

    >>> from datetime import UTC, datetime
    >>> ctx = {"drifted_columns": [{"column": "age", "effect_size": 0.42, "method": "psi"}],
    ...        "null_share": {"column": "age", "share": 0.25}}
    >>> fact_lines(Alert({"model": "m"}, {}, datetime(2026, 11, 1, tzinfo=UTC), context=ctx))
    ['age: psi 0.42', 'Null share of age: 25.0%']
    """
    lines = [column_line(c) for c in drifted(alert)[:shown]]
    more = len(drifted(alert)) - shown
    if more > 0:
        lines.append(f"and {more} more drifted column{'s' if more != 1 else ''}")
    nulls = alert.context.get("null_share")
    if isinstance(nulls, Mapping) and isinstance(nulls.get("share"), int | float):
        lines.append(f"Null share of {nulls.get('column')}: {float(nulls['share']):.1%}")
    return lines


def drifted(alert: Alert) -> list[Mapping[str, Any]]:
    """The alert's drifted columns (from its context), largest effect first as stored."""
    columns = alert.context.get("drifted_columns")
    if not isinstance(columns, list):
        return []
    return [c for c in columns if isinstance(c, Mapping) and "column" in c]


def column_line(column: Mapping[str, Any]) -> str:
    """One drifted column in words: ``age: wasserstein 0.42``."""
    size = column.get("effect_size")
    method = column.get("method") or "effect size"
    shown = f"{method} {size:.3g}" if isinstance(size, int | float) else "drifted"
    return f"{column['column']}: {shown}"


def window_line(alert: Alert) -> str | None:
    """The alert's window and since when it has been unhealthy, if its context says."""
    ctx = alert.context
    if not ctx.get("window_start"):
        return None
    line = f"window {ctx['window_start']} to {ctx.get('window_end', '?')}"
    if ctx.get("since"):
        line += f", unhealthy since {ctx['since']}"
    return line
