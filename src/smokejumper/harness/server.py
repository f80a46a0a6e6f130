"""A real ``smokejumper serve`` process on a free loopback port, driven from outside."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from smokejumper.errors import HarnessError
from smokejumper.harness import process
from smokejumper.harness.process import LOOPBACK

if TYPE_CHECKING:
    from smokejumper.client.admin import AdminClient
    from smokejumper.settings import Settings

#: ``smokejumper`` as a command of this interpreter.
SMOKEJUMPER = (sys.executable, "-m", "smokejumper")


class ServerHarness:
    """Runs ``smokejumper serve`` in a process of its own, through the CLI, for the demo,
    drills and tests: on a free loopback port (or ``port``), with its data in ``home`` (a
    temporary folder, removed on :meth:`close`, when not given) and its store at
    ``database_url`` (default SQLite in ``home``).

    :meth:`start` makes an admin token with ``smokejumper token create`` (which also migrates
    the store), starts the server and returns once ``/healthz`` answers within
    ``start_timeout`` seconds; otherwise it raises :class:`~smokejumper.errors.HarnessError`
    with the tail of the server's stderr (which goes to ``log``, default ``home/server.log``).
    ``args`` are more options of ``serve`` (such as ``["--config", "monitors.yaml"]``),
    ``workers`` its worker processes, ``env`` environment variables set for it (and for the
    commands run beside it) over ``base_env`` (default this process's environment).
    :meth:`stop` sends SIGTERM, then SIGKILL after ``stop_grace`` seconds; :meth:`kill` kills
    it at once, and :meth:`restart` starts it again on the same port, home and token.

    >>> with ServerHarness(env={"SMOKEJUMPER_EVALUATE_EVERY": "0"}) as server:
    ...     with server.admin() as admin:
    ...         admin.health()["status"], admin.models()
    ...     server.url.startswith("http://127.0.0.1:"), server.running
    ('ok', [])
    (True, True)
    >>> server.running, server.home.exists()  # stopped, and its temporary home removed
    (False, False)
    """

    def __init__(
        self,
        home: str | os.PathLike[str] | None = None,
        *,
        database_url: str | None = None,
        port: int | None = None,
        workers: int = 1,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        base_env: Mapping[str, str] | None = None,
        log: str | os.PathLike[str] | None = None,
        start_timeout: float = 60.0,
        stop_grace: float = 10.0,
    ) -> None:
        if workers < 1:
            raise HarnessError(f"workers must be 1 or more, got {workers}")
        self._own_home = home is None
        self.home = Path(tempfile.mkdtemp(prefix="smokejumper-")) if home is None else Path(home)
        self.home = self.home.absolute()
        self.database_url = database_url
        self.log = Path(log).absolute() if log is not None else self.home / "server.log"
        self.env = process.server_env(
            os.environ if base_env is None else base_env, self.home, database_url, env or {}
        )
        self.args = [*args, *(["--workers", str(workers)] if workers > 1 else [])]
        self.start_timeout = start_timeout
        self.stop_grace = stop_grace
        self._port = port
        self._token: str | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._started_once = False
        self.returncode: int | None = None
        """The exit code of the last server process stopped or killed (None before)."""

    # --- what callers read -------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The loopback port the server listens on (chosen on the first start)."""
        if self._port is None:
            raise HarnessError("the server has no port yet: call start() first")
        return self._port

    @property
    def url(self) -> str:
        """The server's base URL, such as ``http://127.0.0.1:41234``."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def token(self) -> str:
        """An admin token of the server (made on the first start, kept across restarts)."""
        if self._token is None:
            raise HarnessError("the server has no token yet: call start() first")
        return self._token

    @property
    def settings(self) -> Settings:
        """The server's settings, as it reads them from its environment (its home, its store's
        URL, its limits): for tests that open the store or the raw log beside it."""
        from smokejumper.settings import Settings

        prefix = "SMOKEJUMPER_"
        given = {k[len(prefix) :].lower(): v for k, v in self.env.items() if k.startswith(prefix)}
        return Settings.model_validate(given)

    @property
    def pid(self) -> int | None:
        """The process id of the running server (its supervisor with several workers)."""
        return self._process.pid if self.running and self._process is not None else None

    @property
    def running(self) -> bool:
        """Whether the server process is alive."""
        return self._process is not None and self._process.poll() is None

    # --- the process -------------------------------------------------------------------------

    def start(self) -> ServerHarness:
        """Start the server and wait until it is healthy; returns the harness itself."""
        if self.running:
            raise HarnessError(f"the server at {self.url} is running already; stop() it first")
        self.stop()  # a server that exited by itself: keep its exit code
        self.home.mkdir(parents=True, exist_ok=True)
        if self._port is None:
            self._port = process.free_port()
        self._claim_port()
        if self._token is None:
            self._token = self.create_token("admin")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        offset = self.log.stat().st_size if self.log.exists() else 0
        command = [*SMOKEJUMPER, "serve", "--host", LOOPBACK, "--port", str(self.port)]
        with self.log.open("ab") as errors:
            self._process = subprocess.Popen(
                [*command, *self.args],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,  # its workers form a group that stop() can end
            )
        self._started_once = True
        try:
            process.wait_healthy(self._process, self.url, self.start_timeout, self.log, offset)
        except BaseException:
            self.returncode = process.stop(self._process, grace=0.5)
            self._process = None
            raise
        return self

    def _claim_port(self) -> None:
        """Raise unless the port is free; a restart waits for the previous server to let go."""
        wait = self.start_timeout if self._started_once else 0.0
        if not process.wait_for_port(self.port, wait):
            raise HarnessError(
                f"port {self.port} on {LOOPBACK} is in use by another process; stop it, pick "
                "another port, or leave port unset to get a free one"
            )

    def stop(self) -> int | None:
        """Stop the server (SIGTERM, then SIGKILL after ``stop_grace`` seconds); its exit code,
        or None if it was not started."""
        if self._process is None:
            return None
        self.returncode = process.stop(self._process, self.stop_grace)
        self._process = None
        return self.returncode

    def kill(self, sig: int = signal.SIGKILL) -> int | None:
        """Send ``sig`` (default SIGKILL, as ``kill -9``) to the server process, as a crash
        would; wait for it to exit and return its exit code. Worker processes of a server with
        several workers do not notice that their supervisor died (they would hold the port for
        ever), so they are killed too, as a service manager ends a crashed service's group."""
        if self._process is None:
            return None
        if self._process.poll() is None:
            self._process.send_signal(sig)
        try:
            self.returncode = self._process.wait(timeout=self.stop_grace)
        except subprocess.TimeoutExpired:
            self.returncode = process.stop(self._process, grace=0.0)
        process.kill_group(self._process)  # the orphaned workers, if any
        self._process = None
        return self.returncode

    def restart(self) -> ServerHarness:
        """Stop the server if it runs, and start it again on the same port, home and token."""
        self.stop()
        return self.start()

    def close(self) -> None:
        """Stop the server and remove its home if the harness made it."""
        self.stop()
        if self._own_home:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> ServerHarness:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- beside the server -------------------------------------------------------------------

    def run_cli(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """Run ``smokejumper ARGS`` with the server's home and store; its completed process.

        Raises :class:`HarnessError` with its stderr if it fails.
        """
        done = subprocess.run(
            [*SMOKEJUMPER, *args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise HarnessError(
                f"'smokejumper {' '.join(args)}' failed with code {done.returncode}",
                " | ".join(done.stderr.strip().splitlines()[-8:]),
            )
        return done

    def create_token(self, scope: str = "admin", name: str = "") -> str:
        """A new API token of ``scope`` (ingest, read, write or admin) in the server's store."""
        args = ["token", "create", "--scope", scope, *(["--name", name] if name else [])]
        lines = self.run_cli(*args).stdout.strip().splitlines()
        if not lines:
            raise HarnessError("'smokejumper token create' printed no token")
        return lines[-1]

    def admin(self, **options: Any) -> AdminClient:
        """An :class:`~smokejumper.client.admin.AdminClient` of the server with the admin token
        (``options`` go to it, such as ``timeout``)."""
        from smokejumper.client.admin import AdminClient

        return AdminClient(self.url, self.token, **options)

    def __repr__(self) -> str:
        where = self.url if self._port is not None else "no port yet"
        state = "running" if self.running else "stopped"
        return f"ServerHarness({where}, home={str(self.home)!r}, {state})"
