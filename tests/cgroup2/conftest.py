"""The cgroup v2 suite: runs inside a pure cgroup v2 kernel (`make
test-cgroup2` boots one with scripts/cg2vm), never on the host.

Inside User-mode Linux every system call is a ptrace round trip (fork+exec is
10-20x slower than on a host) and there is one CPU, so: few servers, one
language (a recipe directory holding only Python's recipe, so that start-up
probes one toolchain), generous time-outs for liveness, and assertions about
behaviour only, never durations.

Servers are started the way a service manager would: the child writes itself
into the target cgroup (like systemd's Delegate=yes unit cgroup) before it
execs build/codeexec.
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
from pathlib import Path
from typing import Dict, List, Optional

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "e2e"))
import hostile  # noqa: E402  (request, v1_run, wait_warm_ready, ...)

BINARY = Path(os.environ.get("CODEEXEC_BINARY") or REPO_ROOT / "build" / "codeexec")
CGROOT = Path("/sys/fs/cgroup")
STARTUP_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0


def pure_v2() -> Optional[str]:
    """None when this is a pure cgroup v2 system with memory and pids, else why not."""
    try:
        own = Path("/proc/self/cgroup").read_text()
        ctl = (CGROOT / "cgroup.controllers").read_text().split()
    except OSError as e:
        return f"no cgroup v2 at {CGROOT}: {e}"
    if own.strip().splitlines() != ["0::/"]:
        return f"/proc/self/cgroup is not the single line 0::/ (v1 hierarchies, or not at the root): {own!r}"
    if not {"memory", "pids"} <= set(ctl):
        return f"the root offers {ctl}, not memory and pids"
    return None


def pytest_collection_modifyitems(config, items):
    why = pure_v2()
    if why is None:
        return
    if os.environ.get("CG2VM_DIR"):
        raise pytest.UsageError(f"inside scripts/cg2vm but not a pure cgroup v2 guest: {why}")
    skip = pytest.mark.skip(reason=f"needs a pure cgroup v2 kernel (run `make test-cgroup2`): {why}")
    for item in items:
        item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def languages_dir(tmp_path_factory) -> Path:
    """Python's recipe (and the internal coverage one), and C's for judge
    zygotes (test_delegated.py): two version probes."""
    d = tmp_path_factory.mktemp("languages")
    shutil.copy(REPO_ROOT / "languages" / "python.json", d)
    shutil.copy(REPO_ROOT / "languages" / "c.json", d)
    shutil.copytree(REPO_ROOT / "languages" / "internal", d / "internal")
    return d


def cg_write(path: Path, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def cg_read(path: Path) -> str:
    return path.read_text()


def cg_children(path: Path) -> List[str]:
    return sorted(p.name for p in path.iterdir() if p.is_dir())


def cg_procs(path: Path) -> List[int]:
    return [int(x) for x in cg_read(path / "cgroup.procs").split()]


def make_cgroup(path: Path, enable_on_ancestors: bool = True) -> Path:
    """mkdir -p a cgroup; with enable_on_ancestors, memory and pids are
    delegated to it as systemd does for a Delegate=yes unit (enabled in the
    subtree_control of every ancestor, not in its own)."""
    rel = path.relative_to(CGROOT)
    cur = CGROOT
    for part in rel.parts:
        if enable_on_ancestors:
            cg_write(cur / "cgroup.subtree_control", "+memory +pids +cpu")
        cur = cur / part
        cur.mkdir(exist_ok=True)
    return path


def remove_cgroup(path: Path) -> None:
    """rmdir a test cgroup and its ancestors up to the root, if empty."""
    cur = path
    while cur != CGROOT:
        try:
            cur.rmdir()
        except OSError:
            return
        cur = cur.parent


class Server:
    """build/codeexec started inside `cgroup` (None: where the test runs)."""

    def __init__(self, languages: Path, *extra, cgroup: Optional[Path] = None,
                 wrap: Optional[List[str]] = None, warm: bool = False):
        assert BINARY.is_file(), f"{BINARY} is missing: `make all` first"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.state = tempfile.mkdtemp(prefix="cg2-state-")
        args = [str(BINARY), "--ip", "127.0.0.1", "--port", str(self.port),
                "--languages", str(languages), "--state-dir", self.state,
                "--no-access-log", "--grace", "20",
                # scripts/cg2vm: the guest's glibc must stay off AVX-512
                "--pass-env", "GLIBC_TUNABLES,OPENBLAS_*"]
        if warm:
            args += ["--python-preload", ""]
        else:
            args += ["--no-warm-python"]
        self.args = (wrap or []) + args + [str(a) for a in extra]
        self.log_path = Path(tempfile.mkstemp(prefix="cg2-server-", suffix=".log")[1])
        self._log = open(self.log_path, "wb")
        procs = str(cgroup / "cgroup.procs") if cgroup else None

        def enter_cgroup():
            if procs:
                with open(procs, "w") as f:
                    f.write("0")

        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=enter_cgroup)
        try:
            self._wait_ready()
        except BaseException:
            self.kill()
            raise

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"codeexec exited with {self.proc.returncode} during start-up:\n"
                                     + self.log())
            try:
                st, _, body = hostile.request(self.url, "GET", "/health", timeout=10)
                if st == 200 and body == b"OK":
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"codeexec did not answer /health within {STARTUP_TIMEOUT_S:.0f} s:\n"
                             + self.log())

    def limits_header(self) -> str:
        st, headers, _ = hostile.request(self.url, "GET", "/health", timeout=30)
        assert st == 200
        return headers.get("X-Codeexec-Limits", "")

    def run(self, code: str, timeout: float = 60, cold: bool = False,
            limits: Optional[Dict[str, int]] = None) -> dict:
        body = {"language": "python", "code": code, "timeout": timeout}
        if limits:
            body["limits"] = limits
        if cold:
            body["args"] = ["cold"]  # arguments never go to the warm interpreter
        st, _, out = hostile.request(self.url, "POST", "/v1/run", body, timeout=timeout + 120)
        assert st == 200, f"/v1/run answered {st}: {out[:500]!r}\n{self.log()[-3000:]}"
        import json
        return json.loads(out)

    def stop(self) -> int:
        """SIGTERM; returns the exit status (negative: killed by that signal)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError("codeexec did not stop within "
                                     f"{STOP_TIMEOUT_S:.0f} s of SIGTERM:\n{self.log()}")
        self._log.close()
        shutil.rmtree(self.state, ignore_errors=True)
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for name in ("server", "svc_server"):
            s = item.funcargs.get(name) if hasattr(item, "funcargs") else None
            if isinstance(s, Server):
                rep.sections.append((f"codeexec :{s.port} log", s.log()[-6000:]))
