"""The ``smokejumper serve`` subprocess: start, model setup, stop, and what ``/proc`` says of
its processes (CPU time, memory, threads) and its home folder (disk)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from _common import folder_bytes
from ingest.data import model_body, reference_parquet
from ingest.settings import MODEL, Json


def _smokejumper_command() -> list[str]:
    script = Path(sys.executable).with_name("smokejumper")
    return [str(script)] if script.exists() else [sys.executable, "-m", "smokejumper"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _proc_status(pid: int, key: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    except OSError:
        return None
    return None


def _descendants(pid: int) -> list[int]:
    """``pid`` and every live process below it (worker processes of ``serve --workers``)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        at = todo.pop()
        out.append(at)
        todo.extend(children.get(at, []))
    return out


class Server:
    """A ``smokejumper serve`` subprocess on a fresh home folder.

    With ``workers`` > 1 it is uvicorn's supervisor and that many worker processes; CPU time,
    memory and threads are then summed over all of them.
    """

    def __init__(self, home: Path, workers: int = 1) -> None:
        self.home = home
        self.workers = workers
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "SMOKEJUMPER_HOME": str(home),
            "SMOKEJUMPER_EVALUATE_EVERY": "0",
            "PYTHONWARNINGS": "ignore",
        }
        self.token = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = home / "serve.log"

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60.0) -> None:
        """Create the admin token with the CLI, start serving and wait for ``/healthz``."""
        import httpx

        created = subprocess.run(
            [*_smokejumper_command(), "token", "create", "--scope", "admin", "--name", "bench"],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        self.token = created.stdout.strip().splitlines()[-1]
        command = [
            *_smokejumper_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            *(["--workers", str(self.workers)] if self.workers > 1 else []),
        ]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(command, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    if self.workers > 1:
                        time.sleep(5)  # one worker answered; the others start alongside it
                    return
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer /healthz within {timeout:.0f} s")

    def log_tail(self) -> str:
        """The last lines the server wrote."""
        with contextlib.suppress(OSError):
            return " | ".join(self.log_path.read_text().strip().splitlines()[-5:])
        return "(no log)"

    def alive(self) -> bool:
        """Whether the server process still runs."""
        return self.proc is not None and self.proc.poll() is None

    def cpu_by_process(self) -> dict[int, float]:
        """User + system CPU seconds of each of the server's processes, all threads."""
        out = {}
        for pid in _descendants(self.pid):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return out

    def cpu_seconds(self) -> float:
        """User + system CPU seconds of the server's processes, all threads."""
        return sum(self.cpu_by_process().values())

    def _status_sum(self, key: str) -> float | None:
        values = [_proc_status(pid, key) for pid in _descendants(self.pid)]
        found = [v for v in values if v is not None]
        return sum(found) if found else None

    def rss_mib(self) -> float | None:
        """Resident memory now (``VmRSS``, summed over the server's processes), MiB."""
        kib = self._status_sum("VmRSS")
        return None if kib is None else kib / 1024

    def hwm_mib(self) -> float | None:
        """Peak resident memory (``VmHWM``, summed over the server's processes), MiB."""
        kib = self._status_sum("VmHWM")
        return None if kib is None else kib / 1024

    def threads(self) -> int | None:
        """Threads of the server's processes."""
        count = self._status_sum("Threads")
        return None if count is None else int(count)

    def stop(self) -> None:
        """Interrupt the server (as Ctrl-C would) and wait for it."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def setup_model(self) -> None:
        """Register the benchmark model and set its reference."""
        import httpx

        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=120) as client:
            made = client.post("/api/v1/models", json=model_body())
            if made.status_code != 201:
                raise RuntimeError(f"model registration failed: {made.status_code} {made.text}")
            ref = client.put(f"/api/v1/models/{MODEL}/reference", content=reference_parquet())
            if ref.status_code != 200:
                raise RuntimeError(f"setting the reference failed: {ref.status_code} {ref.text}")

    def disk_usage(self) -> Json:
        """Rows and batches stored, and the bytes of the raw log and of the SQLite store."""
        import sqlite3

        db = self.home / "smokejumper.db"
        with contextlib.closing(sqlite3.connect(db)) as conn:
            batches, rows = conn.execute(
                "SELECT count(*), coalesce(sum(rows), 0) FROM ingest_batches"
            ).fetchone()
        db_bytes = sum(p.stat().st_size for p in self.home.glob("smokejumper.db*"))
        return {
            "batches": int(batches),
            "rows": int(rows),
            "raw_bytes": folder_bytes(self.home / "raw"),
            "db_bytes": db_bytes,
        }
