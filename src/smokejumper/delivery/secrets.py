"""Secret settings: read from ``*_file`` paths or ``${ENV}`` references, and redacted.

Each kind has its secret settings (:data:`SECRETS`). Any of them may be given as ``X_file: path``
(the file's contents, stripped of surrounding whitespace, as Kubernetes and Docker secrets
mount them) or hold ``${NAME}`` references to environment variables (``X_file`` paths may too).
A missing file or unset variable is a :class:`~smokejumper.errors.SecretError` naming the
setting, never the value. Secrets are resolved at each send, so a rotated file is picked up.

:func:`redact` replaces secret values (and every ``*_file`` path) with ``<secret>`` for API
answers and logs.

>>> env = {"PD_KEY": "R0UT1NGKEY"}
>>> resolve("pagerduty_configs", {"routing_key": "${PD_KEY}"}, "on-call.pagerduty_configs[0]",
...         env)
{'routing_key': 'R0UT1NGKEY'}
>>> resolve("pagerduty_configs", {"routing_key": "${PD_NOPE}"}, "on-call.pagerduty_configs[0]",
...         env)
Traceback (most recent call last):
...
smokejumper.errors.SecretError: on-call.pagerduty_configs[0].routing_key: environment variable \
PD_NOPE is not set; export it, or give routing_key_file instead
>>> redact({"api_url": "https://hooks.slack.com/services/T/B/X", "channel": "#ml"})
{'api_url': '<secret>', 'channel': '#ml'}
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from smokejumper.delivery.outcome import REDACTED
from smokejumper.errors import SecretError

#: The secret settings of each kind of integration.
SECRETS: dict[str, tuple[str, ...]] = {
    "slack_configs": ("api_url",),
    "email_configs": ("auth_password",),
    "pagerduty_configs": ("routing_key",),
    "webhook_configs": ("url", "secret", "bearer_token"),
    "alertmanager_configs": ("url", "bearer_token"),
    # The Slack app of ``incidents: slack:`` (a channel per incident).
    "slack_app": ("bot_token", "signing_secret"),
    # the issue trackers action items are created in (smokejumper.service.postmortems.trackers)
    "github": ("token",),
    "jira": ("token",),
    # where post-mortems are published (integrations: confluence:)
    "confluence": ("token",),
}
#: Every name that is secret in some kind (what :func:`redact` hides when no kind is given).
ALL_SECRETS = frozenset(name for names in SECRETS.values() for name in names)

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def resolve(
    kind: str, settings: Mapping[str, Any], where: str, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """``settings`` with the kind's secrets read: ``X_file`` replaced by ``X`` with the file's
    contents, ``${NAME}`` in ``X`` replaced by the variable's value (``env`` defaults to the
    process environment). ``where`` names the item in errors."""
    environ = os.environ if env is None else env
    out = dict(settings)
    for name in SECRETS.get(kind, ()):
        file_key = f"{name}_file"
        if file_key in settings:
            if name in settings:
                raise SecretError(f"{where}.{name}", f"give either {name} or {file_key}, not both")
            path = _expand(str(settings[file_key]), f"{where}.{file_key}", file_key, environ)
            out[name] = _read(Path(path), f"{where}.{file_key}")
            del out[file_key]
        elif isinstance(settings.get(name), str):
            out[name] = _expand(settings[name], f"{where}.{name}", file_key, environ)
    return out


def secret_values(kind: str, resolved: Mapping[str, Any]) -> list[str]:
    """The values of the kind's secrets in resolved settings (to scrub from error texts)."""
    return [str(resolved[n]) for n in SECRETS.get(kind, ()) if resolved.get(n)]


def redact(settings: Mapping[str, Any], kind: str | None = None) -> dict[str, Any]:
    """A copy of ``settings`` with every secret value and ``*_file`` path replaced by
    ``<secret>``, nested mappings included. Without ``kind``, every name secret in any kind
    is hidden.

    >>> redact({"to": "a@example.com", "auth_password_file": "/run/secrets/smtp",
    ...         "tls_config": {"ca_file": "/etc/ca.pem"}}, "email_configs")
    {'to': 'a@example.com', 'auth_password_file': '<secret>', 'tls_config': {'ca_file': '<secret>'}}
    """
    names = frozenset(SECRETS.get(kind, ())) if kind is not None else ALL_SECRETS
    return _redact(settings, names)


def _redact(settings: Mapping[str, Any], names: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if key in names or str(key).endswith("_file"):
            out[key] = REDACTED
        elif isinstance(value, Mapping):
            out[key] = _redact(value, names)
        elif isinstance(value, list):
            out[key] = [_redact(v, names) if isinstance(v, Mapping) else v for v in value]
        else:
            out[key] = value
    return out


def _expand(text: str, setting: str, file_key: str, env: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            hint = f", or give {file_key} instead" if not setting.endswith("_file") else ""
            raise SecretError(setting, f"environment variable {name} is not set; export it{hint}")
        return env[name]

    return _REFERENCE.sub(value, text)


def _read(path: Path, setting: str) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise SecretError(setting, f"cannot read {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else type(e).__name__
        raise SecretError(setting, f"cannot read {path}: {reason}") from None
    if not text:
        raise SecretError(setting, f"{path} is empty; it should hold the secret")
    return text
