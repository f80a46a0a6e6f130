"""The disk spool: batches the server could not take yet, one file per batch, oldest first.

A spool belongs to one server: each file names the server URL its batch was meant for (and
the batch names its model), and a spool resends only its own server's files. Files spooled for
another server, or by an SDK older than this rule, are kept for their own server and counted
(:attr:`Spool.others`), never sent elsewhere.

Each file is written atomically (a temporary file, fsync, rename, fsync of the folder), so a
crash leaves either the whole batch or nothing. A file is deleted only once the server
acknowledged its batch; a batch the server refuses is moved to ``rejected/`` to be looked at,
never deleted. The folder's total size (``rejected/`` included) is capped: a batch that would
pass the cap is not written and the caller counts it as dropped.

>>> import tempfile
>>> from pathlib import Path
>>> from smokejumper.client.payload import json_batch, PREDICTIONS
>>> spool = Spool(Path(tempfile.mkdtemp()) / "spool", 10_000, server="http://a:8000")
>>> batch, _ = json_batch("churn", PREDICTIONS, [{"id": "p1"}], "b1")
>>> spool.write(batch), len(spool)
(True, 1)
>>> elsewhere = Spool(spool.folder, 10_000, server="http://b:8000")  # leaves it alone
>>> len(elsewhere), elsewhere.others
(0, 1)
>>> again = Spool(spool.folder, 10_000, server="http://a:8000")  # a new process finds it
>>> again.read(again.oldest()) == batch
True
>>> again.remove(again.oldest()); len(again), again.bytes
(0, 0)
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os
import shutil
import threading
import time
from pathlib import Path

from smokejumper.client.logs import logger
from smokejumper.client.payload import LABELS, PREDICTIONS, Batch
from smokejumper.errors import SpoolFileError

MAGIC = b"SJSPOOL1\n"
SUFFIX = ".batch"
REJECTED = "rejected"
#: Temporary files older than this are left over from a crash and are removed.
STALE_SECONDS = 3600.0


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # some platforms cannot open a folder
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def encode(batch: Batch, server: str) -> bytes:
    """The spool file's bytes: a magic line, a JSON header line (naming the ``server`` the batch
    is meant for), then the body as sent."""
    header = {
        "server": server,
        "batch_id": batch.batch_id,
        "model": batch.model,
        "kind": batch.kind,
        "content_type": batch.content_type,
        "rows": batch.rows,
        "salvage": batch.salvage,
        "size": len(batch.body),
    }
    return MAGIC + json.dumps(header, separators=(",", ":")).encode() + b"\n" + batch.body


def decode(data: bytes, path: str = "(bytes)") -> Batch:
    """The batch in a spool file's bytes, or :class:`SpoolFileError`.

    >>> from smokejumper.client.payload import json_batch, LABELS
    >>> batch, _ = json_batch("m", LABELS, [{"id": "p1", "label": 1}])
    >>> decode(encode(batch, "http://a")) == batch
    True
    >>> decode(encode(batch, "http://a")[:-3])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    smokejumper.errors.SpoolFileError: spool file '(bytes)' cannot be read: ...
    """
    if not data.startswith(MAGIC):
        raise SpoolFileError(path, "it does not start like a spooled batch")
    head, sep, body = data[len(MAGIC) :].partition(b"\n")
    try:
        header = json.loads(head) if sep else None
        kind = header["kind"] if isinstance(header, dict) else None
        if not isinstance(header, dict) or kind not in (PREDICTIONS, LABELS):
            raise ValueError("bad header")
        batch = Batch(
            batch_id=str(header["batch_id"]),
            model=str(header["model"]),
            kind=kind,
            body=body,
            content_type=str(header["content_type"]),
            rows=int(header["rows"]),
            salvage=bool(header.get("salvage", True)),
        )
        size = int(header["size"])
    except (ValueError, KeyError, TypeError) as err:
        raise SpoolFileError(path, f"its header is damaged ({err})") from err
    if size != len(body):
        raise SpoolFileError(path, f"it holds {len(body)} of {size} body bytes (truncated)")
    return batch


def server_of(path: Path) -> str | None:
    """The server a spool file's batch is meant for, as its header names it; ``None`` when the
    header names none (an older SDK wrote it) or cannot be read (the file is damaged: reading
    it whole says how)."""
    try:
        with path.open("rb") as f:
            if f.read(len(MAGIC)) != MAGIC:
                return None
            header = json.loads(f.readline(65536))
    except (OSError, ValueError):
        return None
    server = header.get("server") if isinstance(header, dict) else None
    return server if isinstance(server, str) else None


def _readable_header(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(len(MAGIC)) == MAGIC and isinstance(json.loads(f.readline(65536)), dict)
    except (OSError, ValueError):
        return False


class Spool:
    """A folder of spooled batches for the server at ``server`` (its URL); thread-safe. Files
    appear only when complete. The folder's batches for other servers are left alone."""

    def __init__(self, folder: Path, max_bytes: int, *, server: str) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self.server = server
        self._lock = threading.Lock()
        self._pending: list[Path] = []  # sorted by name: oldest first
        self._others: set[Path] = set()  # batches spooled for another server, left alone
        self._sizes: dict[Path, int] = {}
        self._bytes = 0  # pending files, files being written, and rejected/
        self._last_stamp = 0
        self._scan()

    @property
    def rejected_folder(self) -> Path:
        """Where batches the server refused are kept."""
        return self.folder / REJECTED

    def _scan(self) -> None:
        """Find the batches earlier processes left, and clear their crashed half-writes."""
        if not self.folder.is_dir():
            return
        now = time.time()
        for tmp in self.folder.glob(".*.tmp"):
            try:
                if now - tmp.stat().st_mtime > STALE_SECONDS:
                    tmp.unlink()
            except OSError:
                continue
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            try:
                size = path.stat().st_size
            except OSError:
                continue
            self._bytes += size
            if server_of(path) == self.server or not _readable_header(path):
                self._pending.append(path)  # a damaged file is read, named and set aside
                self._sizes[path] = size
            else:
                self._others.add(path)
        if self.rejected_folder.is_dir():
            for path in self.rejected_folder.iterdir():
                try:
                    self._bytes += path.stat().st_size
                except OSError:
                    continue

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    @property
    def others(self) -> int:
        """Batches in the folder spooled for another server (or by an older SDK, which named
        none): kept for their own server, never sent to this one."""
        with self._lock:
            return len(self._others)

    @property
    def bytes(self) -> int:
        """Bytes the spool folder holds (other servers' batches too), counted against
        ``max_bytes``."""
        with self._lock:
            return self._bytes

    def write(self, batch: Batch) -> bool:
        """Store the batch durably; False (and nothing written) if over the cap or on an error."""
        data = encode(batch, self.server)
        with self._lock:
            if self._bytes + len(data) > self.max_bytes:
                return False
            self._bytes += len(data)  # reserved, so concurrent writers cannot pass the cap
            stamp = max(time.time_ns(), self._last_stamp + 1)
            self._last_stamp = stamp
        path = self.folder / f"{stamp:020d}-{batch.batch_id}{SUFFIX}"
        tmp = self.folder / f".{path.name}.{os.getpid()}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
            _fsync_folder(self.folder)
        except OSError as err:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            with self._lock:
                self._bytes -= len(data)
            logger.error("smokejumper: cannot write to the spool folder %s: %s", self.folder, err)
            return False
        with self._lock:
            bisect.insort(self._pending, path)
            self._sizes[path] = len(data)
        return True

    def oldest(self) -> Path | None:
        """The file of the oldest spooled batch, if any."""
        with self._lock:
            return self._pending[0] if self._pending else None

    def read(self, path: Path) -> Batch:
        """The batch in ``path``; ``FileNotFoundError`` if another process already sent it."""
        return decode(path.read_bytes(), str(path))

    def forget(self, path: Path, *, keep_bytes: bool = False) -> None:
        """Stop tracking ``path`` (and, unless ``keep_bytes``, stop counting its size)."""
        with self._lock:
            index = bisect.bisect_left(self._pending, path)
            if index < len(self._pending) and self._pending[index] == path:
                del self._pending[index]
            size = self._sizes.pop(path, 0)
            if not keep_bytes:
                self._bytes -= size

    def remove(self, path: Path) -> None:
        """Delete a batch the server acknowledged."""
        try:
            path.unlink(missing_ok=True)
        except OSError as err:
            logger.error("smokejumper: cannot delete sent spool file %s: %s", path, err)
        self.forget(path)

    def quarantine(self, path: Path) -> None:
        """Move a batch the server refused (or a damaged file) to ``rejected/``; its bytes keep
        counting against the cap."""
        try:
            self.rejected_folder.mkdir(parents=True, exist_ok=True)
            shutil.move(path, self.rejected_folder / path.name)
        except FileNotFoundError:
            self.forget(path)
            return
        except OSError as err:
            logger.error("smokejumper: cannot move spool file %s aside: %s", path, err)
        self.forget(path, keep_bytes=True)
