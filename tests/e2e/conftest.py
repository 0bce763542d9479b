"""Fixtures for the end-to-end tests: a real `build/codeexec` on a free port.

* `server` (session): base URL of a server started with
  `--ip 127.0.0.1 --port <free>`; stopped (SIGTERM, then SIGKILL after 5 s)
  when the session ends.
* `start_server(*extra_args)` / `server_factory` fixture: start more servers
  with other flags (`--auth-token T`, `--max-running 1`, ...). Use as a
  context manager or call `.stop()`.
* `server_proc` (session): the handle behind `server` (port, pid, log path).

Each server's stdout and stderr go to a file under pytest's temp dir; when a
test fails, the tail of every running server's log is attached to the report.
A missing binary is a failure with a clear message, never a skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import List, Optional

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# CODEEXEC_BINARY: test another build (e.g. a sanitizer build) instead
BINARY = Path(os.environ.get("CODEEXEC_BINARY") or REPO_ROOT / "build" / "codeexec")
CLIENT_DIR = REPO_ROOT / "clients" / "python"
STARTUP_TIMEOUT_S = 10.0
STOP_GRACE_S = 5.0
LOG_TAIL_LINES = 200

if str(CLIENT_DIR) not in sys.path:
    sys.path.insert(0, str(CLIENT_DIR))

_running: List["ServerHandle"] = []
_log_dir: Optional[Path] = None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _logs_dir() -> Path:
    global _log_dir
    if _log_dir is None:
        _log_dir = Path(tempfile.mkdtemp(prefix="codeexec-e2e-logs-"))
    return _log_dir


def require_binary() -> Path:
    if not BINARY.is_file() or not os.access(BINARY, os.X_OK):
        pytest.fail(
            f"server binary {BINARY} does not exist or is not executable: "
            f"build it first (`make` in {REPO_ROOT}) or point CODEEXEC_BINARY at one",
            pytrace=False,
        )
    return BINARY


class ServerHandle:
    """A running codeexec process."""

    def __init__(self, extra_args=(), ip: str = "127.0.0.1", port: Optional[int] = None, wrapper=()):
        require_binary()
        self.ip = ip
        self.port = port or _free_port()
        self.url = f"http://{ip}:{self.port}"
        self.args = [str(BINARY), "--ip", ip, "--port", str(self.port), *map(str, extra_args)]
        # CODEEXEC_UID_BASE: a --uid-base for servers that name none, so that two
        # test sessions on one machine (two work trees) never share box uids.
        if "--uid-base" not in self.args and os.environ.get("CODEEXEC_UID_BASE"):
            self.args += ["--uid-base", os.environ["CODEEXEC_UID_BASE"]]
        # a state directory of its own for servers that name none: uploads of
        # one test run never reach the machine's /var/lib/codeexec or the next run
        self.state_dir = None
        if "--state-dir" not in self.args:
            self.state_dir = tempfile.mkdtemp(prefix="codeexec-state-")
            self.args += ["--state-dir", self.state_dir]
        self.log_path = _logs_dir() / f"server-{self.port}.log"
        self._log = open(self.log_path, "wb")
        # wrapper: argv run before the server's, ending by exec'ing it (same pid)
        self.proc = subprocess.Popen(
            [*wrapper, *self.args], cwd=str(REPO_ROOT), stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        _running.append(self)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_text(self) -> str:
        try:
            self._log.flush()
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, n: int = LOG_TAIL_LINES) -> str:
        return "\n".join(self.log_text().splitlines()[-n:])

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"codeexec exited with status {self.proc.returncode} during start-up "
                    f"({' '.join(self.args)}). Its output:\n{self.log_tail()}",
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as r:
                    body = r.read()
                    if r.status == 200 and body == b"OK":
                        return
                    last = f"HTTP {r.status} {body[:100]!r}"
            except urllib.error.HTTPError as e:
                last = f"HTTP {e.code}"
            except OSError as e:
                last = repr(e)
            time.sleep(0.05)
        pytest.fail(
            f"codeexec did not answer GET /health with OK within {STARTUP_TIMEOUT_S:.0f} s "
            f"(last: {last}; {' '.join(self.args)}). Its output:\n{self.log_tail()}",
            pytrace=False,
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self in _running:
            _running.remove(self)
        if self.state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        try:
            self._log.close()
        except OSError:
            pass

    def __enter__(self) -> "ServerHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_server(*extra_args, **kw) -> ServerHandle:
    """Start another server: `with start_server("--auth-token", "T") as s: ...`."""
    return ServerHandle(extra_args, **kw)


@pytest.fixture(scope="session")
def server_proc():
    handle = start_server()
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def server(server_proc) -> str:
    return server_proc.url


@pytest.fixture
def server_factory():
    started: List[ServerHandle] = []

    def factory(*extra_args, **kw) -> ServerHandle:
        h = start_server(*extra_args, **kw)
        started.append(h)
        return h

    yield factory
    for h in started:
        h.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and _running:
        for h in list(_running):
            rep.sections.append((f"codeexec :{h.port} output (tail)", h.log_tail()))


def pytest_sessionfinish(session, exitstatus):
    for h in list(_running):
        h.stop()
