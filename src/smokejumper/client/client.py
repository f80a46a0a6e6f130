"""The client: one per process and server, shared by every thread that logs.

>>> import httpx, tempfile
>>> seen = []
>>> def server(request):  # stands in for a Smokejumper server
...     seen.append((request.url.path, request.headers["idempotency-key"]))
...     return httpx.Response(201, json={"rows": 2, "duplicate": False})
>>> with Client("http://sj.test", "token", transport=httpx.MockTransport(server),
...             spool_dir=tempfile.mkdtemp()) as client:
...     churn = client.monitor("churn")
...     _ = churn.log(features={"age": 41, "plan": "pro"}, prediction=0.71, latency_ms=12.5)
...     _ = churn.log(features={"age": 23, "plan": "basic"}, prediction=0.12)
>>> [path for path, _ in seen], len(seen[0][1])  # one batch, with a uuid4 hex batch id
(['/api/v1/models/churn/predictions'], 32)
>>> client.stats.sent, client.stats.dropped
(2, 0)
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, cast
from urllib.parse import quote

from smokejumper.client.api_types import Observation, SloStatus, WindowSummary
from smokejumper.client.backoff import Backoff
from smokejumper.client.batcher import Batcher, Key
from smokejumper.client.logs import Throttle, logger
from smokejumper.client.monitor import ModelMonitor
from smokejumper.client.payload import Batch
from smokejumper.client.spool import Spool
from smokejumper.client.stats import ClientStats, Counters
from smokejumper.client.transport import Transport
from smokejumper.client.worker import Policy, Worker
from smokejumper.errors import ClientError, ServerError
from smokejumper.protocol import ARROW_STREAM

if TYPE_CHECKING:
    import httpx
    import pyarrow as pa


@dataclass(frozen=True)
class Options:
    """A client's settings after checking."""

    url: str
    token: str
    batch_size: int
    flush_interval: float
    max_queue: int
    spool_dir: Path
    max_spool_bytes: int
    max_retries: int
    backoff: Backoff
    timeout: float
    exit_timeout: float
    max_body_bytes: int


_OVERFLOW = (
    "the memory buffer ({} records) and the hand-off to the spool are full: the spool cannot "
    "keep up"
)


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ClientError(message)


def _iso(value: datetime | str) -> str:
    """A time as the server takes it; a datetime without a zone is UTC.

    >>> _iso(datetime(2026, 1, 1)), _iso("2026-01-01T00:00:00Z")
    ('2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00Z')
    """
    if isinstance(value, str):
        return value
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _where_value(value: object) -> str:
    """A ``where`` value as the server reads it (booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _iso(value)
    return str(value)


def _slice_params(
    start: datetime | str,
    end: datetime | str,
    columns: Sequence[str] | None,
    version: str | Sequence[str] | None,
    where: Mapping[str, object] | None,
    limit: int | None,
) -> tuple[tuple[str, str], ...]:
    """The query parameters of a predictions read.

    >>> params = _slice_params("a", "b", ["id", "plan"], "v1", {"plan": ["pro", True]}, 10)
    >>> "&".join(f"{k}={v}" for k, v in params)
    'start=a&end=b&columns=id,plan&version=v1&where=plan:pro&where=plan:true&limit=10'
    """
    params = [("start", _iso(start)), ("end", _iso(end))]
    if columns is not None:
        params.append(("columns", ",".join(columns)))
    versions = [version] if isinstance(version, str) else list(version or ())
    params.extend(("version", v) for v in versions)
    for column, wanted in (where or {}).items():
        values = wanted if isinstance(wanted, list | tuple | set | frozenset) else [wanted]
        params.extend(("where", f"{column}:{_where_value(v)}") for v in values)
    if limit is not None:
        params.append(("limit", str(limit)))
    return tuple(params)


def _detail(response: httpx.Response) -> str:
    """The server's message in an error answer."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return response.text.strip()[:300] or response.reason_phrase
    if isinstance(detail, list):  # FastAPI's own request validation
        return "; ".join(f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg')}" for d in detail)
    return str(detail)


def _after_fork_in_child(ref: weakref.ref[Client]) -> None:
    client = ref()
    if client is not None:
        client._restart_after_fork()


class Client:
    """Sends logged predictions and labels to a Smokejumper server in the background.

    ``url`` and ``token`` default to ``SMOKEJUMPER_URL`` and ``SMOKEJUMPER_TOKEN`` (an
    ``ingest`` token is enough). Logging never blocks on the network or the disk and never
    raises: records wait in a buffer of at most ``max_queue`` records and are sent by a
    background thread in batches of up to ``batch_size`` records or every ``flush_interval``
    seconds. Failed sends are retried ``max_retries`` times with exponential backoff (``backoff``
    seconds doubling up to ``max_backoff``, jittered); then the batch is written to
    ``spool_dir`` (default ``SMOKEJUMPER_HOME/spool``) and resent, oldest first, when the server
    answers again, also by a later process using the same folder and the same ``url``: a
    spooled batch is only ever resent to the server (and model) it was meant for; the folder's
    batches for other servers are kept and counted in ``stats.spool_other_files``. When the
    buffer is full the oldest records are handed off (a batch at a time, to a queue of at most
    a tenth of ``max_queue`` records, at least a batch) to a second background thread that
    writes them to the spool. Records are dropped (and counted) when the spool holds
    ``max_spool_bytes``, or when the buffer and the hand-off are both full because the disk
    cannot keep up: the logging call never waits for the disk (but
    :meth:`ModelMonitor.log_batch` writes a table that fits neither itself, rather than drop
    it). Each request waits at most ``timeout`` seconds. Tables from
    :meth:`ModelMonitor.log_batch` are sent in Arrow bodies of about ``max_body_bytes``.

    At exit the client flushes (for at most ``exit_timeout`` seconds); :meth:`close` or a
    ``with`` block does it sooner. ``transport`` replaces httpx's (for proxies, mTLS, tests).
    A process forked from one with a client gets fresh threads and a buffer of its own.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        batch_size: int = 500,
        flush_interval: float = 1.0,
        max_queue: int = 100_000,
        spool_dir: str | os.PathLike[str] | None = None,
        max_spool_bytes: int = 512 * 1024 * 1024,
        max_retries: int = 3,
        backoff: float = 0.2,
        max_backoff: float = 30.0,
        timeout: float = 10.0,
        exit_timeout: float = 10.0,
        max_body_bytes: int = 4 * 1024 * 1024,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if url is None or token is None or spool_dir is None:
            from smokejumper.settings import Settings

            settings = Settings()
            url = settings.url if url is None else url
            token = settings.token if token is None else token
            spool_dir = settings.home / "spool" if spool_dir is None else spool_dir
        _check(
            url.startswith(("http://", "https://")),
            f"the server URL must start with http:// or https://, got {url!r}",
        )
        _check(
            bool(token),
            "no API token: pass token=... or set SMOKEJUMPER_TOKEN "
            "(create one with 'smokejumper token create --scope ingest')",
        )
        _check(batch_size >= 1, "batch_size must be at least 1")
        _check(max_queue >= batch_size, "max_queue must be at least batch_size")
        _check(flush_interval > 0, "flush_interval must be more than 0 seconds")
        _check(max_retries >= 0, "max_retries must be 0 or more")
        _check(0 < backoff <= max_backoff, "backoff must be more than 0 and at most max_backoff")
        _check(timeout > 0 and exit_timeout >= 0, "timeouts must be positive")
        _check(max_spool_bytes >= 0, "max_spool_bytes must be 0 (no spool) or more")
        _check(max_body_bytes >= 1024, "max_body_bytes must be at least 1024")
        assert token is not None
        self.options = Options(
            url=url.rstrip("/"),
            token=token,
            batch_size=batch_size,
            flush_interval=flush_interval,
            max_queue=max_queue,
            spool_dir=Path(spool_dir).absolute(),
            max_spool_bytes=max_spool_bytes,
            max_retries=max_retries,
            backoff=Backoff(base=backoff, cap=max_backoff),
            timeout=timeout,
            exit_timeout=exit_timeout,
            max_body_bytes=max_body_bytes,
        )
        self._http_transport = transport
        self._counters = Counters()
        self._close_lock = threading.Lock()
        self._closed = False
        self._start()
        atexit.register(self._at_exit)
        os.register_at_fork(
            after_in_child=functools.partial(_after_fork_in_child, weakref.ref(self))
        )

    def _start(self) -> None:
        o = self.options
        self._throttle = Throttle()
        self._batcher = Batcher(o.max_queue, o.batch_size, o.flush_interval)
        self._spool = Spool(o.spool_dir, o.max_spool_bytes, server=o.url)
        if self._spool.others:
            logger.warning(
                "smokejumper: the spool folder %s holds %d batches spooled for another server "
                "(or by an older SDK); they are kept for a client of their own server and not "
                "sent to %s. Give each server its own spool_dir, or delete them if unwanted",
                o.spool_dir,
                self._spool.others,
                o.url,
            )
        self._transport = Transport(
            o.url, o.token, timeout=o.timeout, transport=self._http_transport
        )
        self._worker = Worker(
            self._batcher,
            self._spool,
            self._transport,
            self._counters,
            self._throttle,
            Policy(max_retries=o.max_retries, backoff=o.backoff),
        )
        self._worker.start()

    def _restart_after_fork(self) -> None:
        # Only the forking thread survives in the child, and locks may have been copied held:
        # start over with fresh ones. Records buffered in the parent are the parent's to send.
        self._counters.renew_lock()
        self._close_lock = threading.Lock()
        if not self._closed:
            self._start()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"Client({self.options.url!r}, {state})"

    # ------------------------------------------------------------------ public API

    def monitor(self, name: str) -> ModelMonitor:
        """The logger of the model registered as ``name``."""
        return ModelMonitor(self, str(name))

    @property
    def stats(self) -> ClientStats:
        """Counts of sent, spooled, dropped, retried and rejected records, and the backlog."""
        return self._counters.snapshot(
            queued=len(self._batcher),
            spilling=self._batcher.spilling,
            spool_files=len(self._spool),
            spool_bytes=self._spool.bytes,
            spool_other_files=self._spool.others,
        )

    @property
    def spool_dir(self) -> Path:
        """The folder batches are spooled to while the server is unreachable."""
        return self.options.spool_dir

    def predictions(
        self,
        model: str,
        start: datetime | str,
        end: datetime | str,
        *,
        columns: Sequence[str] | None = None,
        version: str | Sequence[str] | None = None,
        where: Mapping[str, object] | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> pa.Table:
        """The model's logged predictions with timestamps in ``[start, end)``, from the raw log.

        A synchronous read (it needs a ``read`` token) that raises :class:`ClientError` with
        the server's message when the server refuses it, and :class:`ServerError` when the
        server cannot be reached or fails. Times without a zone are UTC. ``columns`` picks
        columns (default all), ``version`` one or more model versions, ``where`` equality
        filters on feature columns (a list of values keeps rows with any of them), ``limit``
        the most rows to return (the server's default otherwise). Rows are sorted by timestamp,
        then id; the table's schema metadata ``smokejumper.truncated`` is ``b"true"`` when the
        limit cut the result. ``timeout`` (seconds) defaults to the client's; a long range may
        need more.
        """
        import pyarrow as pa

        response = self._read(
            f"/api/v1/models/{quote(model, safe='')}/predictions",
            _slice_params(start, end, columns, version, where, limit),
            "predictions",
            model,
            timeout=timeout,
            accept=ARROW_STREAM,
        )
        return pa.ipc.open_stream(response.content).read_all()

    def windows(
        self,
        model: str,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
    ) -> list[WindowSummary]:
        """The model's windows starting in ``[start, end)`` (all by default), oldest first:
        rows, rows per version, nulls per column and drift against the reference. A
        synchronous read (``read`` token), failing as :meth:`predictions` does."""
        params = tuple((k, _iso(v)) for k, v in (("start", start), ("end", end)) if v is not None)
        response = self._read(
            f"/api/v1/models/{quote(model, safe='')}/windows", params, "windows", model
        )
        return cast(list[WindowSummary], response.json())

    def observations(
        self,
        model: str,
        *,
        monitor: str | None = None,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
    ) -> list[Observation]:
        """The verdicts of the model's monitors (or of ``monitor``) on windows starting in
        ``[start, end)``, oldest window first. A synchronous read, as :meth:`windows`."""
        params = tuple((k, _iso(v)) for k, v in (("start", start), ("end", end)) if v is not None)
        if monitor is not None:
            params += (("monitor", monitor),)
        response = self._read(
            f"/api/v1/models/{quote(model, safe='')}/observations",
            params,
            "observations",
            model,
        )
        return cast(list[Observation], response.json())

    def slos(self) -> list[SloStatus]:
        """Every SLO's state, error budget left and burn rates. A synchronous read, as
        :meth:`windows`."""
        return cast(list[SloStatus], self._read("/api/v1/slos", (), "SLOs").json())

    def _read(
        self,
        path: str,
        params: tuple[tuple[str, str], ...],
        what: str,
        model: str | None = None,
        *,
        timeout: float | None = None,
        accept: str = "application/json",
    ) -> httpx.Response:
        """One GET with the client's token: the answer, or :class:`ClientError` (refused) or
        :class:`ServerError` (unreachable or failed) naming ``what`` was read (of ``model``)."""
        import httpx

        try:
            with httpx.Client(
                base_url=self.options.url,
                headers={"Authorization": f"Bearer {self.options.token}"},
                timeout=self.options.timeout if timeout is None else timeout,
                transport=self._http_transport,
            ) as http:
                response = http.get(
                    path, params=httpx.QueryParams(params), headers={"Accept": accept}
                )
        except httpx.HTTPError as err:
            raise ServerError(
                f"cannot read {what} from {self.options.url}: {type(err).__name__}: {err}"
            ) from err
        if response.status_code >= 400:
            error = ClientError if response.status_code < 500 else ServerError
            of = f" of {model!r}" if model is not None else ""
            raise error(f"reading {what}{of} failed ({response.status_code}): {_detail(response)}")
        return response

    def flush(self, timeout: float | None = None) -> bool:
        """Block until everything logged so far is acknowledged by the server, spooled
        (including what the full buffer handed off to be spooled), or given up (rejected or
        dropped); False if ``timeout`` seconds passed first.

        Spooled batches are not waited for: they are resent once the server answers.
        """
        if self._closed:
            return True
        return self._worker.flush(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Flush, stop the background thread and close the connections. Idempotent; logging
        after it drops records (with a warning)."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        atexit.unregister(self._at_exit)
        if not self._worker.stop(timeout):
            logger.warning(
                "smokejumper: closing timed out after %s s with %d records neither sent nor "
                "spooled",
                timeout,
                len(self._batcher) + self._batcher.spilling,
            )
            return
        self._transport.close()
        left = len(self._batcher) + self._batcher.spilling  # logged in a race with close()
        if left:
            self._drop(left, "closed", "logged while the client was closing")

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _at_exit(self) -> None:
        self.close(self.options.exit_timeout)

    # ------------------------------------------------------------------ for ModelMonitor

    def _put(self, key: Key, record: object) -> bool:
        """Buffer a record; never raises, never touches the disk. When the buffer is full its
        oldest records are handed off to the spilling thread; when that hand-off is full too
        (the disk cannot keep up), the record is dropped and counted."""
        if self._closed:
            self._drop(1, "closed", "logged after the client was closed")
            return False
        try:
            accepted = self._batcher.put(key, record)
        except Exception as err:
            self._drop(1, "put", f"cannot buffer a record: {err}")
            return False
        if not accepted:
            self._drop(1, "overflow", _OVERFLOW.format(self.options.max_queue))
        return accepted

    def _put_batch(self, batch: Batch) -> None:
        """Buffer a built batch, or hand it off to be spooled when it does not fit. A table
        logging call (batch scoring) writes the batch to the spool itself, rather than lose
        it, only when the hand-off is full."""
        if self._closed:
            self._drop(batch.rows, "closed", "logged after the client was closed")
        elif not self._batcher.put_batch(batch) and not self._batcher.hand_off(batch):
            self._worker.spool(batch)

    def _drop(self, count: int, key: str, message: str) -> None:
        self._counters.add("dropped", count)
        with contextlib.suppress(Exception):  # a logging handler's failure is not the caller's
            self._throttle.warning(key, "smokejumper: %s; dropped %d record(s)", message, count)

    def _arrow_limits(self) -> tuple[int, int]:
        return self.options.max_body_bytes, self.options.max_queue
