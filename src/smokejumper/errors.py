"""The one exception hierarchy of Smokejumper.

Every error says what was wrong and what to do about it. Catch :class:`SmokejumperError` to
handle all of them; the CLI turns them into a one-line message and exit code 2.

>>> try:
...     raise DataSourceNotFoundError("train.parquet")
... except SmokejumperError as err:
...     print(err)
cannot read 'train.parquet': the file does not exist. Check the path.
"""

from __future__ import annotations

from collections.abc import Sequence


class SmokejumperError(Exception):
    """Base class of every error Smokejumper raises on purpose."""


class InputError(SmokejumperError):
    """The data or arguments given by the caller cannot be used as they are."""


class DataSourceNotFoundError(InputError):
    """A file or path given as data does not exist."""

    def __init__(self, path: str) -> None:
        super().__init__(f"cannot read {path!r}: the file does not exist. Check the path.")
        self.path = path


class UnreadableDataError(InputError):
    """The data exists but is not in a format Smokejumper can read."""


class EmptyDataError(InputError):
    """A table has no rows, so there is nothing to profile or compare."""


class NoCommonColumnsError(InputError):
    """Reference and current share no column to compare."""


class UnknownColumnError(InputError):
    """A column named by the caller is not in the data."""


class UnknownMethodError(InputError):
    """A drift method name is not registered."""


class MethodNotApplicableError(InputError):
    """A drift method cannot judge a column of this kind, or needs raw data it was not given."""


class InvalidKindError(InputError):
    """A column kind given by the caller is not one Smokejumper knows."""


class ProfileFormatError(InputError):
    """A profile file or blob is damaged, or written by an unsupported format version."""


class IncompatibleProfilesError(InputError):
    """Two profiles cannot be merged (different columns, kinds or reference bins)."""


class BatchRejectedError(InputError):
    """A batch of predictions or labels failed validation; nothing of it was stored.

    ``errors`` lists each problem as ``{"index": row or None, "field": ..., "message": ...}``.
    """

    def __init__(self, errors: list[dict[str, object]]) -> None:
        shown = "; ".join(
            f"record {e['index']}: {e['field']}: {e['message']}"
            if e["index"] is not None
            else f"{e['field']}: {e['message']}"
            for e in errors[:5]
        )
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"batch rejected, nothing stored: {shown}{more}")
        self.errors = errors


class BatchKeyConflictError(InputError):
    """A batch was sent under a batch key (``Idempotency-Key`` or ``batch_id``) already used for
    a batch of other content; the server answers 409 and stores nothing of it."""


class InvalidObjectiveError(InputError):
    """An SLO objective has a target outside (0, 1) or a period that is not a positive duration."""


class InvalidSampleError(InputError):
    """An SLI sample has counts that cannot be events, or an empty or reversed time range."""


class InvalidRangeError(InputError):
    """A time range is empty or reversed, or mixes naive and aware datetimes."""


class InvalidConditionError(InputError):
    """A burn condition has an unknown severity, windows out of order, or a non-positive rate."""


class MonitorConfigError(InputError):
    """A monitor or SLO declaration is invalid."""


class NotFoundError(SmokejumperError):
    """What the caller named does not exist (the API answers 404)."""


class UnknownModelError(NotFoundError):
    """No model is registered under that name."""


class ModelExistsError(InputError):
    """A model of that name is already registered."""


class ServerError(SmokejumperError):
    """The Smokejumper server refused a request or could not be reached.

    ``status`` is the HTTP status of the refusal, None when no answer came.

    >>> err = ServerError("GET /api/v1/models/x failed (404): no model named 'x'", status=404)
    >>> err.status
    404
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class HarnessError(SmokejumperError):
    """A server started by :mod:`smokejumper.harness` did not come up, or a command run beside
    it failed. ``log_tail`` holds the last lines it wrote to stderr (empty if none).

    >>> print(HarnessError("smokejumper serve exited with code 2", "bad monitors file"))
    smokejumper serve exited with code 2; its stderr ended with: bad monitors file
    """

    def __init__(self, message: str, log_tail: str = "") -> None:
        super().__init__(f"{message}; its stderr ended with: {log_tail}" if log_tail else message)
        self.log_tail = log_tail


class ServiceDemoError(SmokejumperError):
    """A step of the service part of ``smokejumper demo`` failed; the message says which, why."""


class DrillError(SmokejumperError):
    """A drill could not be run to its end: the step that failed and why (the product's
    answer, or the harness's)."""


class UnknownScenarioError(NotFoundError):
    """No drill scenario of that name is registered."""


class ScenarioError(InputError):
    """A drill scenario is declared wrongly (its fault, its truth or its sizes)."""


class TabletopAnswerError(InputError):
    """A tabletop answer cannot be read (not a choice, missing, or an answers file of the wrong
    shape); the message says which and what to give."""


class ClientError(SmokejumperError):
    """A client cannot work as configured (no token, a malformed URL, a negative size...)."""


class SpoolFileError(ClientError):
    """A file in the spool folder is damaged or not a spooled batch; it is set aside."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(
            f"spool file {path!r} cannot be read: {reason}. It was moved to the spool's "
            "'rejected' folder; delete it, or fix it and move it back to resend it."
        )
        self.path = path


class RegistrationError(SmokejumperError):
    """An extension (such as a drift method) is malformed or registered twice."""


class AlertingConfigError(InputError):
    """An alerting configuration (route, receivers, inhibition rules, a matcher or a duration)
    is invalid. ``path`` names the place in the document, ``reason`` what is wrong there.

    >>> print(AlertingConfigError("route.routes[1].matchers[0]", "unknown operator '=='"))
    route.routes[1].matchers[0]: unknown operator '=='
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ConfigFileError(InputError):
    """The configuration file of ``serve --config`` (monitors, SLOs, alerting) cannot be used.

    ``problems`` lists each problem as ``(line, reason)`` (line 1-based, ``None`` when no line
    applies); the message gives one per line as ``FILE:LINE: reason``, the form editors and CI
    logs link to. ``line`` and ``reason`` are the first problem's.

    >>> err = ConfigFileError("monitors.yaml", [(14, "route.receiver: receiver 'x' is unknown")])
    >>> print(err)
    monitors.yaml:14: route.receiver: receiver 'x' is unknown
    >>> err.line, err.file
    (14, 'monitors.yaml')
    """

    def __init__(self, file: str, problems: Sequence[tuple[int | None, str]]) -> None:
        self.file = file
        self.problems = tuple(problems) or ((None, "cannot be used"),)
        self.line, self.reason = self.problems[0]
        super().__init__(
            "\n".join(
                f"{file}:{line}: {reason}" if line else f"{file}: {reason}"
                for line, reason in self.problems
            )
        )


class InvalidAlertError(InputError):
    """An alert, or what a source says about one, has labels or times that cannot be used."""


class UnknownAlertError(NotFoundError):
    """No alert has the fingerprint given (to acknowledge it, say)."""


class UnknownIncidentError(NotFoundError):
    """No incident has the id given."""


class UnknownSilenceError(NotFoundError):
    """No silence has the id given (to expire it, say)."""


class InvalidSilenceError(InputError):
    """A silence ends before it starts, matches nothing, or lacks its creator or comment."""


class ReceiverSettingsError(InputError):
    """An integration item of a receiver lacks a setting or has one that cannot be used.
    ``setting`` names it (``team.slack_configs[0].api_url``); the message never holds a
    secret's value.

    >>> print(ReceiverSettingsError("team.email_configs[0].smarthost", "missing; give host:port"))
    team.email_configs[0].smarthost: missing; give host:port
    """

    def __init__(self, setting: str, reason: str) -> None:
        super().__init__(f"{setting}: {reason}")
        self.setting = setting
        self.reason = reason


class SecretError(ReceiverSettingsError):
    """A secret setting could not be resolved: its ``*_file`` is missing or unreadable, or a
    ``${ENV}`` reference names an unset variable."""


class IncidentError(InputError):
    """An incident, a timeline event or a status update cannot be made as asked: a missing
    title, a naive datetime, an unknown severity or taxonomy label, a merge of an incident
    into itself. The message says what was wrong and what to give instead."""


class IllegalTransitionError(IncidentError):
    """An incident was asked to move to a status it cannot reach from its current one.
    ``current`` and ``target`` are the statuses, ``allowed`` the ones it may move to.

    >>> print(IllegalTransitionError("triage", "closed", ("investigating", "mitigated")))
    cannot move an incident from triage to closed; from triage it may move to: investigating, \
mitigated
    """

    def __init__(self, current: str, target: str, allowed: Sequence[str], reason: str = "") -> None:
        listed = ", ".join(allowed) if allowed else "nothing"
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"cannot move an incident from {current} to {target}{why}; "
            f"from {current} it may move to: {listed}"
        )
        self.current = current
        self.target = target
        self.allowed = tuple(allowed)


class PostmortemPendingError(IllegalTransitionError):
    """A resolved incident cannot be closed before its post-mortem is done."""


class PostmortemError(InputError):
    """A post-mortem section, revision or status cannot be taken as given: an unknown section,
    a 5-whys step without its answer, a fishbone cause outside the five categories. The
    message says what was wrong and what to give instead."""


class UpstreamError(SmokejumperError):
    """A service Smokejumper calls on a user's behalf (Confluence, an issue tracker) refused
    or could not be reached; the message holds its own words (never a secret). The API
    answers 502; nothing already stored is lost, so the request can be sent again."""


class PublishError(UpstreamError):
    """Confluence did not take the post-mortem's page."""


class SearchUnavailableError(SmokejumperError):
    """The store cannot search incidents' text: the SQLite library Python uses was built
    without FTS5."""


class IncidentConfigError(IncidentError):
    """The ``incidents`` part of the configuration (opening policy, severities) is invalid.
    ``path`` names the place in the document, ``reason`` what is wrong there.

    >>> print(IncidentConfigError("incidents.join_window", "'2 hours' is not a duration"))
    incidents.join_window: '2 hours' is not a duration
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class InvalidChangeError(InputError):
    """A change sent to the change log cannot be used; ``field`` names what is wrong.

    >>> print(InvalidChangeError("kind", "'release' is not a kind of change"))
    kind: 'release' is not a kind of change
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class ChangeConflictError(InputError):
    """A change was sent under an id already used for a change saying something else (the API
    answers 409 and keeps the first)."""


class InvalidLineageEventError(InputError):
    """An OpenLineage event breaks the spec; ``field`` names the place (``run.runId``), and the
    API answers 400, as the spec's consumers do, so the producer does not retry it.

    >>> print(InvalidLineageEventError("run.runId", "'42' is not a UUID"))
    run.runId: '42' is not a UUID
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class UnknownDatasetError(NotFoundError):
    """No OpenLineage event has named a dataset of that namespace and name."""


class SlackSignatureError(SmokejumperError):
    """A request said to come from Slack (a slash command, an event) does not carry a valid
    signature of the configured signing secret, or is too old (answered 401)."""


class SlackNotConfiguredError(NotFoundError):
    """Slack's endpoints were called but the configuration has no ``incidents: slack:`` (or
    no signing secret in it)."""


class ActionItemError(InputError):
    """An action item cannot be made or changed as asked; ``field`` names what is wrong and
    the message says what to give instead.

    >>> print(ActionItemError("due", "'2026-13-01' is not a date; write it as YYYY-MM-DD"))
    due: '2026-13-01' is not a date; write it as YYYY-MM-DD
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class UnknownActionItemError(NotFoundError):
    """No action item has the id given."""


class ActionItemConflictError(InputError):
    """An action item is already what it was asked to become (already in a tracker, say);
    the API answers 409."""


class ActionConfigError(InputError):
    """The ``actions`` part of the configuration file is invalid. ``path`` names the place
    (``actions.jira.project``), ``reason`` what is wrong there.

    >>> print(ActionConfigError("actions.reminders.every", "'1 day' is not a duration"))
    actions.reminders.every: '1 day' is not a duration
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IntegrationConfigError(InputError):
    """The ``integrations`` part of the configuration file (the MLflow poller) is invalid.
    ``path`` names the place in the document, ``reason`` what is wrong there.

    >>> print(IntegrationConfigError("integrations.mlflow.poll_every", "'often' is not a duration"))
    integrations.mlflow.poll_every: 'often' is not a duration
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class TrackerError(UpstreamError):
    """GitHub or Jira refused to create an issue, or could not be reached; the message holds
    the tracker's own words (never a token). The API answers 502 and the action item is
    left as it was, so the request can be sent again."""


class RegistryUnavailableError(SmokejumperError):
    """The MLflow tracking server could not be read (no answer, an error status, or an answer
    not shaped as its REST API documents); the poller retries with backoff.

    >>> print(RegistryUnavailableError("GET http://mlflow:5000/api/2.0/... : connection refused"))
    GET http://mlflow:5000/api/2.0/... : connection refused
    """
