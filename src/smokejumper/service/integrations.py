"""The ``integrations`` part of the ``serve --config`` file: the systems Smokejumper talks to
on its own, each optional.

.. code-block:: yaml

    integrations:
      mlflow:                    # the model registry poller (docs/mlflow.md)
        tracking_uri: http://mlflow.internal:5000
      confluence:                # where post-mortems are published (docs/postmortems.md)
        url: https://acme.atlassian.net/wiki
        space: ML
        parent: "123456"         # optional: the page they go under
        user: bot@acme.com       # with user: Basic auth (Cloud); without: a Bearer token
        token: ${CONFLUENCE_TOKEN}   # or token_file: /run/secrets/confluence
        publish_on_save: true    # republish after every save (default)

>>> config = parse_integrations({"confluence": {"url": "https://acme.atlassian.net/wiki",
...     "space": "ML", "token": "${TOKEN}"}}, env={"TOKEN": "t"})
>>> config.mlflow is None, config.confluence.space, config.confluence.authorization()
(True, 'ML', 'Bearer t')
>>> parse_integrations({"jira": {}})
Traceback (most recent call last):
...
smokejumper.errors.IntegrationConfigError: integrations.jira: unknown integration; known: \
mlflow, confluence
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from smokejumper.delivery.secrets import resolve
from smokejumper.errors import IntegrationConfigError, PostmortemError, SecretError
from smokejumper.postmortems.confluence import ConfluenceSettings
from smokejumper.service.pollers.mlflow_config import MlflowConfig, parse_mlflow

#: The integrations the file may configure.
INTEGRATIONS = ("mlflow", "confluence")


@dataclass(frozen=True)
class IntegrationsConfig:
    """The ``integrations`` part; each is ``None`` when not configured."""

    mlflow: MlflowConfig | None = None
    confluence: ConfluenceSettings | None = None


def parse_integrations(
    data: object, path: str = "integrations", env: Mapping[str, str] | None = None
) -> IntegrationsConfig:
    """The ``integrations`` part of the file, checked (secrets read, from ``env`` or the
    process environment); each mistake an :class:`~smokejumper.errors.IntegrationConfigError`
    naming its path."""
    if data is None:
        return IntegrationsConfig()
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        raise IntegrationConfigError(path, f"expected a mapping, got {type(data).__name__}")
    for key in data:
        if key not in INTEGRATIONS:
            raise IntegrationConfigError(
                f"{path}.{key}", f"unknown integration; known: {', '.join(INTEGRATIONS)}"
            )
    mlflow = data.get("mlflow")
    confluence = data.get("confluence")
    return IntegrationsConfig(
        None if mlflow is None else parse_mlflow(mlflow, f"{path}.mlflow"),
        None if confluence is None else _confluence(confluence, f"{path}.confluence", env),
    )


def _confluence(data: object, path: str, env: Mapping[str, str] | None) -> ConfluenceSettings:
    if not isinstance(data, Mapping):
        raise IntegrationConfigError(path, "expected a mapping of url, space, token, ...")
    try:
        return ConfluenceSettings.parse(resolve("confluence", data, path, env))
    except SecretError as err:
        raise IntegrationConfigError(err.setting, err.reason) from err
    except PostmortemError as err:
        raise IntegrationConfigError(path, str(err)) from err
