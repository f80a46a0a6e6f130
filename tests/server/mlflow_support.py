"""A real MLflow tracking server (``mlflow server``, SQLite backend) on a free loopback port,
for the MLflow poller's tests: started as a process group of its own (MLflow starts a uvicorn
child), stopped and started again on the same port and store."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from smokejumper.harness.process import free_port

#: MLflow without its usage telemetry (no calls home from tests): for the server, and for the
#: client in this process (MLflow reads it at each call).
ENV = {"MLFLOW_DISABLE_TELEMETRY": "true"}
for _name, _value in ENV.items():
    os.environ.setdefault(_name, _value)


class MlflowServer:
    """``mlflow server`` with its backend store and artifacts in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.log = folder / "mlflow.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 120.0) -> None:
        """Start it and return once ``/health`` answers."""
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--backend-store-uri",
            f"sqlite:///{self.folder / 'mlflow.db'}",
            "--default-artifact-root",
            str(self.folder / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            "1",
        ]
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **ENV},
                start_new_session=True,  # its own process group: stop() ends its children too
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        tail = self.log.read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"mlflow server did not answer on {self.url}/health:\n{tail}")

    def stop(self) -> None:
        """Stop it and its children (SIGTERM, then SIGKILL after 15 s)."""
        process, self._process = self._process, None
        if process is None:
            return
        for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 15.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(ProcessLookupError):  # children left (the uvicorn worker)
            os.killpg(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/health", timeout=0.5)
            except httpx.HTTPError:
                return
            time.sleep(0.2)
