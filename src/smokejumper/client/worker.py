"""The background threads of a client: one batches, sends, retries, spools and resends; the
other writes to the spool what the full memory buffer handed off (so that a logging thread
never waits on the disk, and a server that hangs does not stop the overflow from reaching it).

Delivery of a batch: try it; on a connection error, 5xx or 429 try again after a jittered
exponential backoff, up to ``max_retries`` times; then write it to the spool and consider the
server *offline*. While offline, new batches go straight to the spool (no time is spent
waiting on a dead server while memory fills up) and the oldest spooled batch is retried now
and then, with a growing backoff; the first 2xx (or any answer but a failure) puts the server
back *online* and the spool is resent, oldest first, between fresh batches. Refusals (4xx but
429) are never retried: they are logged with the server's reasons and counted as rejected,
and when the server named the bad records, the others are resent on their own.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from smokejumper.client.backoff import Backoff
from smokejumper.client.batcher import Batcher, Chunk
from smokejumper.client.logs import Throttle, logger
from smokejumper.client.payload import Batch, json_batch, without
from smokejumper.client.spool import Spool
from smokejumper.client.stats import Counters
from smokejumper.client.transport import Reply, Transport
from smokejumper.errors import SpoolFileError

#: Longest sleep of an idle worker between checks.
IDLE_SECONDS = 5.0


def _rows(item: Batch | Chunk) -> int:
    return item.rows if isinstance(item, Batch) else len(item[1])


@dataclass(frozen=True)
class Policy:
    """How hard the worker tries before spooling."""

    max_retries: int = 3
    backoff: Backoff = field(default_factory=Backoff)


class Worker:
    """Drains a :class:`Batcher` to a :class:`Transport`, falling back to a :class:`Spool`."""

    def __init__(
        self,
        batcher: Batcher,
        spool: Spool,
        transport: Transport,
        counters: Counters,
        throttle: Throttle,
        policy: Policy,
    ) -> None:
        self._batcher = batcher
        self._spool = spool
        self._transport = transport
        self._counters = counters
        self._throttle = throttle
        self._policy = policy
        self._stop = threading.Event()
        self._flushed = threading.Condition()
        self._flush_wanted = 0
        self._flush_done = 0
        self._online = True
        self._failures = 0  # failed probes in a row while offline
        self._next_probe = 0.0
        self._thread = threading.Thread(target=self._run, name="smokejumper-client", daemon=True)
        self._spill_thread = threading.Thread(
            target=self._spill_run, name="smokejumper-spool", daemon=True
        )

    # ------------------------------------------------------------------ control (any thread)

    def start(self) -> None:
        """Start the threads."""
        self._thread.start()
        self._spill_thread.start()

    @property
    def alive(self) -> bool:
        """Whether the sending thread runs."""
        return self._thread.is_alive()

    def flush(self, timeout: float | None) -> bool:
        """Send or spool everything buffered now, and write everything handed off to the
        spool; False if ``timeout`` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self.alive:
            sent = len(self._batcher) == 0
        else:
            with self._flushed:
                self._flush_wanted += 1
                wanted = self._flush_wanted
            self._batcher.wake()
            with self._flushed:
                sent = self._flushed.wait_for(lambda: self._flush_done >= wanted, timeout)
        if not self._spill_thread.is_alive():
            return sent and self._batcher.spilling == 0
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        return self._batcher.wait_spilled(left) and sent

    def stop(self, timeout: float | None) -> bool:
        """Send or spool everything buffered and write everything handed off, then end the
        threads; False if one still runs."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self._stop.set()
        self._batcher.wake()
        for thread in (self._thread, self._spill_thread):
            if thread.is_alive() and thread is not threading.current_thread():
                thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not (self._thread.is_alive() or self._spill_thread.is_alive())

    def spool(self, batch: Batch) -> None:
        """Write ``batch`` to the spool, or count it dropped when the spool cannot take it."""
        if self._spool.write(batch):
            self._counters.add("spooled", batch.rows)
            return
        self._counters.add("dropped", batch.rows)
        self._throttle.warning(
            "spool-full",
            "smokejumper: the spool %s is full (cap %d bytes) or cannot be written; "
            "dropped %d records",
            self._spool.folder,
            self._spool.max_bytes,
            batch.rows,
        )

    def spill(self, item: Batch | Chunk) -> None:
        """Spool records the full memory buffer handed off (on the spilling thread)."""
        batch = item if isinstance(item, Batch) else self._encode(item)
        if batch is not None:
            self.spool(batch)

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        try:
            while True:
                try:
                    if self._cycle():
                        return
                except Exception:  # the thread must survive anything to keep sending
                    logger.exception("smokejumper: unexpected error in the sending thread")
                    if self._stop.is_set() or self._stop.wait(1.0):
                        return
        finally:
            with self._flushed:
                self._flush_done = self._flush_wanted
                self._flushed.notify_all()

    def _spill_run(self) -> None:
        """The spilling thread: write what the buffer hands off until stopped with none left."""
        while True:
            item = self._batcher.take_spill(0.0 if self._stop.is_set() else IDLE_SECONDS)
            if item is None:
                if self._stop.is_set():
                    return
                continue
            try:
                self.spill(item)
            except Exception:  # the thread must survive anything, and never lose count
                logger.exception("smokejumper: unexpected error while spooling; records dropped")
                self._counters.add("dropped", _rows(item))
            finally:
                self._batcher.spill_done(_rows(item))

    def _cycle(self) -> bool:
        """One round; True when stopping and nothing is left."""
        stopping = self._stop.is_set()
        with self._flushed:
            wanted = self._flush_wanted
        drain = stopping or wanted > self._flush_done
        for item in self._batcher.take(self._idle_wait(), drain=drain):
            self._handle(item)
        if drain:
            with self._flushed:
                self._flush_done = max(self._flush_done, wanted)
                self._flushed.notify_all()
        if stopping:
            return len(self._batcher) == 0
        self._resend_one()
        return False

    def _handle(self, item: Batch | Chunk) -> None:
        batch = None
        try:
            batch = item if isinstance(item, Batch) else self._encode(item)
            if batch is not None:
                self._deliver(batch)
        except Exception:  # keep the batch: on disk it is resent later (idempotently)
            logger.exception("smokejumper: unexpected error while sending a batch; spooling it")
            if batch is not None:
                self.spool(batch)

    def _idle_wait(self) -> float:
        if len(self._spool) == 0:
            return IDLE_SECONDS
        if self._online:
            return 0.0
        return min(IDLE_SECONDS, max(0.0, self._next_probe - time.monotonic()))

    def _encode(self, chunk: Chunk) -> Batch | None:
        (model, kind), records = chunk
        batch, dropped = json_batch(model, kind, records)
        if dropped:
            self._counters.add("dropped", dropped)
            self._throttle.warning(
                "not-json",
                "smokejumper: dropped %d %s for model %r: values that cannot be sent as JSON",
                dropped,
                kind,
                model,
            )
        return batch

    # ------------------------------------------------------------------ delivery

    def _deliver(self, batch: Batch) -> None:
        if not self._online and (len(self._spool) or time.monotonic() < self._next_probe):
            self.spool(batch)  # the server is down: do not wait on it with memory filling up
            return
        tries = 1 + self._policy.max_retries if self._online else 1
        attempt = 0
        while True:
            reply = self._transport.send(batch)
            if reply.outcome == "ok":
                self._counters.add("sent", batch.rows)
                self._set_online()
                return
            if reply.outcome == "rejected":
                self._set_online()
                self._rejected(batch, reply)
                return
            attempt += 1
            if attempt >= tries:
                break
            if self._stop.wait(self._policy.backoff.delay(attempt - 1, reply.retry_after)):
                break  # closing: spool now rather than keep the process waiting
            self._counters.add("retries")
        self._set_offline(reply)
        self.spool(batch)

    def _resend_one(self) -> None:
        """Resend the oldest spooled batch if the server is (or may again be) reachable."""
        path = self._spool.oldest()
        if path is None or (not self._online and time.monotonic() < self._next_probe):
            return
        try:
            batch = self._spool.read(path)
        except FileNotFoundError:  # another process sharing the folder sent it
            self._spool.forget(path)
            return
        except (SpoolFileError, OSError) as err:
            logger.error("smokejumper: %s", err)
            self._spool.quarantine(path)
            return
        reply = self._transport.send(batch)
        if reply.outcome == "ok":
            self._counters.add("sent", batch.rows)
            self._spool.remove(path)
            self._set_online()
        elif reply.outcome == "rejected":
            self._set_online()
            self._rejected(batch, reply, spooled=True)
            self._spool.quarantine(path)
        else:
            self._counters.add("retries")
            self._set_offline(reply)

    def _rejected(self, batch: Batch, reply: Reply, *, spooled: bool = False) -> None:
        bad = reply.bad_rows
        reasons = "; ".join(reply.reasons[:5]) + (
            f" (and {len(reply.reasons) - 5} more)" if len(reply.reasons) > 5 else ""
        )
        where = f" (kept in {self._spool.rejected_folder})" if spooled else ""
        if batch.salvage and bad and max(bad) < batch.rows and len(bad) < batch.rows:
            self._counters.add("rejected", len(bad))
            logger.warning(
                "smokejumper: the server rejected %d of %d %s for model %r (HTTP %s): %s; "
                "sending the other %d",
                len(bad),
                batch.rows,
                batch.kind,
                batch.model,
                reply.status,
                reasons,
                batch.rows - len(bad),
            )
            rest = without(batch, bad)
            if rest is not None:
                self._deliver(rest)
            return
        self._counters.add("rejected", batch.rows)
        logger.warning(
            "smokejumper: the server rejected a batch of %d %s for model %r (HTTP %s)%s: %s",
            batch.rows,
            batch.kind,
            batch.model,
            reply.status,
            where,
            reasons,
        )

    # ------------------------------------------------------------------ online / offline

    def _set_online(self) -> None:
        if not self._online:
            logger.warning(
                "smokejumper: the server answers again; resending %d spooled batches",
                len(self._spool),
            )
        self._online = True
        self._failures = 0

    def _set_offline(self, reply: Reply) -> None:
        if self._online:
            logger.warning(
                "smokejumper: cannot reach the server (%s); spooling batches to %s until it "
                "answers",
                "; ".join(reply.reasons) or f"HTTP {reply.status}",
                self._spool.folder,
            )
        self._online = False
        self._next_probe = time.monotonic() + self._policy.backoff.delay(
            self._failures, reply.retry_after
        )
        self._failures += 1
