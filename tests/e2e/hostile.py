"""Helpers shared by the hostile-program, hostile-client and overload tests.

Plain HTTP with http.client (one connection per request, explicit time-outs),
a /health prober that runs in a thread while something nasty happens, and
process accounting by host uid: a box's processes run as host uid
uid_base + slot (200000.. by default), so `ps -eo uid` shows whether anything
of a box is still alive.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlsplit

# the default --uid-base (or CODEEXEC_UID_BASE, which conftest passes to servers naming none)
# and the slots above it
BOX_UID_LO = int(os.environ.get("CODEEXEC_UID_BASE") or 200000)
BOX_UID_HI = BOX_UID_LO + 100


UID_BASE_STEP = 1000  # uids apart: a server's boxes use base-1 .. base+slots
_uid_bases_given = set()


def unique_uid_base() -> int:
    """A --uid-base for a test server that no other server on this machine uses,
    so that `ps` by uid sees only that server's boxes (CI runs one test session,
    but a developer's machine may run other servers with the default 200000).

    With CODEEXEC_UID_BASE set (as conftest.py honours it: a block of uids that
    is this session's alone, 100000 wide, e.g. 700000 for 700000..799999), the
    base is taken inside that block, above the session servers' own base, so
    that two test sessions never share box uids; without it, anywhere from
    400000 up. Never the same base twice in one session."""
    import random
    env = os.environ.get("CODEEXEC_UID_BASE")
    lo, n = (int(env) + UID_BASE_STEP, 99) if env else (400000, 3700)
    for _ in range(1000):
        base = lo + random.randrange(n) * UID_BASE_STEP
        if base not in _uid_bases_given:
            break
    _uid_bases_given.add(base)
    return base


def hostport(url: str) -> Tuple[str, int]:
    u = urlsplit(url)
    return u.hostname, u.port


def request(url: str, method: str, path: str, body=None, headers: Optional[Dict[str, str]] = None,
            timeout: float = 60.0) -> Tuple[int, http.client.HTTPMessage, bytes]:
    """One request on a fresh connection; returns (status, headers, body)."""
    host, port = hostport(url)
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def metric(url: str, name: str) -> float:
    """The value of a metric in GET /metrics, named with its labels if it has
    any (0 when absent)."""
    st, _, body = request(url, "GET", "/metrics", timeout=5)
    assert st == 200
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def v1_run(url: str, code: str, language: str = "python", timeout: float = 10, stdin: str = "",
           headers=None) -> dict:
    st, _, body = request(url, "POST", "/v1/run",
                          {"language": language, "code": code, "timeout": timeout, "stdin": stdin},
                          headers=headers, timeout=timeout + 60)
    assert st == 200, f"/v1/run answered {st}: {body[:500]!r}"
    return json.loads(body)


def py_exec(url: str, code: str, timeout: float = 10, stdin: str = "", headers=None) -> str:
    st, _, body = request(url, "POST", "/py_exec", {"code": code, "timeout": timeout, "stdin": stdin},
                          headers=headers, timeout=timeout + 60)
    assert st == 200, f"/py_exec answered {st}: {body[:500]!r}"
    return body.decode()


def any_exec(url: str, code: str, lang: str, timeout: float = 30) -> dict:
    st, _, body = request(url, "POST", "/any_exec", {"code": code, "lang": lang, "timeout": timeout},
                          timeout=timeout + 60)
    text = body.decode()
    assert st == 200 and text.startswith("0\n"), f"/any_exec answered {st}: {text[:800]!r}"
    return json.loads(text[2:])


def health_latency(url: str, timeout: float = 5.0) -> float:
    """Seconds GET /health took; raises if it is not 200 OK."""
    t0 = time.monotonic()
    st, _, body = request(url, "GET", "/health", timeout=timeout)
    dt = time.monotonic() - t0
    assert st == 200 and body == b"OK", f"/health answered {st} {body[:100]!r}"
    return dt


def assert_healthy(url: str, within: float = 1.0) -> None:
    dt = health_latency(url, timeout=max(within * 3, 3))
    assert dt < within, f"/health took {dt:.2f}s (limit {within}s)"


class HealthProbe:
    """Polls GET /health every `period` s in a thread; records latencies and errors.

    with HealthProbe(url) as hp: ...nasty run...
    hp.check(1.0)  # every answer came within 1 s and none failed
    """

    def __init__(self, url: str, period: float = 0.2):
        self.url, self.period = url, period
        self.latencies: List[float] = []
        self.errors: List[str] = []
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            try:
                self.latencies.append(health_latency(self.url, timeout=5))
            except Exception as e:  # noqa: BLE001 - recorded and asserted on
                self.errors.append(repr(e))
            self._stop.wait(self.period)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join(10)

    def check(self, within: float = 1.0) -> None:
        assert not self.errors, f"/health failed during the run: {self.errors[:3]}"
        assert self.latencies, "the prober never got an answer"
        worst = max(self.latencies)
        assert worst < within, (f"/health took up to {worst:.2f}s during the run "
                                f"({len(self.latencies)} probes, limit {within}s)")


# Box processes that outlive runs by design: warm zygotes (Python's,
# Racket's, R's and OCaml's: their binaries' names cut to 15 bytes) and
# standby boxes.
# (PHP's, Coq's and Octave's zygotes are php, coqc and octave-cli
# themselves and keep their names: a direct child of the server by that name
# is one, as no run's process is the server's child.)
SERVER_KEPT_COMMS = ("codeexec-pyzygo", "codeexec-rktzyg", "codeexec-rzygot", "codeexec-mlzygo",
                     "php", "coqc", "octave-cli", "codeexec-wait")


def descends_from(pid: int, ancestor: int, parent: Dict[int, int]) -> bool:
    """Whether `ancestor` is pid itself or one of its ancestors, by a
    pid -> parent pid map of the machine's processes (at most 64 levels)."""
    for _ in range(64):
        if pid == ancestor:
            return True
        pid = parent.get(pid, 0)
        if pid <= 1:
            return False
    return False


def box_processes(lo: int = BOX_UID_LO, hi: int = BOX_UID_HI) -> List[str]:
    """`ps` lines of processes whose uid (real or effective) is in [lo, hi].

    Warm zygotes are long-lived by design and are not counted: a process
    named as one (SERVER_KEPT_COMMS) whose parent is outside the box
    uids (the server); nor is a slot's standby box, built ahead for the slot's next
    run (its PID 1 is named codeexec-wait until a run comes, and is the
    server's child). A run's processes always have a box process as parent,
    so a program that renames itself is still found."""
    out = subprocess.run(["ps", "-ww", "-eo", "uid=,ruid=,pid=,ppid=,comm=,stat=,args="],
                         capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split(None, 6)
        if len(parts) < 6:
            continue
        rows.append((parts, line.strip()))
    in_box = {int(p[2]) for p, _ in rows if any(lo <= int(u) <= hi for u in p[:2])}
    found = []
    for parts, line in rows:
        if int(parts[2]) not in in_box:
            continue
        if parts[4] in SERVER_KEPT_COMMS and int(parts[3]) not in in_box:
            continue
        found.append(line)
    return found


def describe_processes(lines: List[str]) -> str:
    """For an assertion message: each process's name, state, PID namespace
    ids and its parent's name, read from /proc (while they are still there)."""
    out = []
    for line in lines:
        pid = line.split()[2]
        try:
            st = dict(l.split(":\t", 1) for l in open(f"/proc/{pid}/status").read().splitlines()
                      if ":\t" in l)
            ppid = st.get("PPid", "?")
            parent = open(f"/proc/{ppid}/comm").read().strip() if ppid != "?" else "?"
            out.append(f"{pid}: {st.get('Name')} {st.get('State')} NSpid {st.get('NSpid')} "
                       f"parent {ppid} {parent}")
        except OSError as e:
            out.append(f"{pid}: gone ({e.strerror})")
    return "; ".join(out)


def background_running(url: str) -> Tuple[int, int]:
    """Boxes the server runs for its own start-up probes (toolchain versions)
    now, and how many it started so far, from /metrics; zeros when it does
    not say."""
    running = started = 0
    try:
        st, _, body = request(url, "GET", "/metrics", timeout=5)
    except OSError:
        return 0, 0
    for line in body.decode(errors="replace").splitlines():
        if line.startswith("codeexec_background_running "):
            running = int(float(line.split()[1]))
        elif line.startswith("codeexec_background_started_total "):
            started = int(float(line.split()[1]))
    return running, started


def assert_no_box_processes(lo: int = BOX_UID_LO, hi: int = BOX_UID_HI, settle: float = 0.0,
                            url: Optional[str] = None, probe_wait: float = 60.0) -> None:
    """Nothing of any box with a host uid in [lo, hi] is alive. `settle`: how long
    a straggler may take to go (0: it must be gone already).

    With `url`, boxes the server itself runs for its start-up version probes
    (they run whenever no request waits, so often right after a test's last
    reply) are told apart through /metrics: the check counts only when no
    probe ran or started between the two looks around `ps`, waiting up to
    `probe_wait` s."""
    deadline = time.monotonic() + settle
    hard = time.monotonic() + settle + probe_wait
    while True:
        before = background_running(url) if url else (0, 0)
        left = box_processes(lo, hi)
        after = background_running(url) if url else (0, 0)
        # a probe ran while ps looked, or started and ended in between
        probing = before[0] or after[0] or before[1] != after[1]
        if not left and not probing:
            return
        now = time.monotonic()
        if (not probing and now >= deadline) or now >= hard:
            break
        time.sleep(0.05)
    assert not left, f"{len(left)} box processes outlived their run: {left[:10]} " \
        f"({describe_processes(left[:10])})"


def vm_kb(pid: int, field: str) -> int:
    """VmRSS / VmHWM / ... of a process, in kB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def raw_exchange(url: str, data: bytes, timeout: float = 5.0, shutdown: bool = True) -> bytes:
    """Sends raw bytes, then reads until the server closes or `timeout` passes."""
    host, port = hostport(url)
    with socket.create_connection((host, port), timeout=timeout) as s:
        try:
            s.sendall(data)
            if shutdown:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                c = s.recv(65536)
            except socket.timeout:
                break
            except OSError:
                break
            if not c:
                break
            chunks.append(c)
        return b"".join(chunks)


def status_of(raw: bytes) -> Optional[int]:
    """HTTP status code of a raw response, or None when there was none."""
    if not raw.startswith(b"HTTP/1."):
        return None
    try:
        return int(raw.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# ---------------------------------------------------------------------------
# warm Python (docs/warm-python.md)

WARM_HEADER = "X-Codeexec-Warm-Python"
WARM_READY = re.compile(r"ready=(\d+)/(\d+) preload=(\S*) rss_mb=(\d+)")


def build_has_warm_python(binary) -> bool:
    """Whether this build of the server has warm Python (its --help says so)."""
    p = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=10)
    return "--no-warm-python" in p.stdout + p.stderr


def warm_header(url: str) -> Optional[str]:
    """The X-Codeexec-Warm-Python header of GET /health (whose body stays OK)."""
    st, headers, body = request(url, "GET", "/health", timeout=5)
    assert st == 200 and body == b"OK", f"/health answered {st} {body[:100]!r}"
    return headers.get(WARM_HEADER)


def wait_warm_ready(url: str, timeout: float = 60.0) -> "re.Match":
    """Polls /health until the header says ready=N/N; returns the match
    (groups: ready, slots, preload, rss_mb)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = warm_header(url)
        m = WARM_READY.fullmatch(last or "")
        if m and int(m[2]) > 0 and m[1] == m[2]:
            return m
        time.sleep(0.1)
    raise AssertionError(f"the warm pool was not ready within {timeout:.0f} s: "
                         f"last {WARM_HEADER}: {last!r}")


def wait_quiet(url: str, timeout: float = 180.0) -> None:
    """Until the server's start-up version probes (boxes of its own) are done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, _, body = request(url, "GET", "/v1/languages", timeout=10)
        langs = json.loads(body)["languages"]
        if all(l.get("version") or not l["installed"] for l in langs) and background_running(url)[0] == 0:
            return
        time.sleep(0.5)
    pytest.fail(f"the start-up probes of {url} did not end within {timeout:.0f} s")


def server_cgroups(pid: int) -> list:
    """The box-* cgroups of a server (cgroup v1 memory hierarchy, or v2): paths."""
    found = []
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, ctl, path = line.split(":", 2)
        if ctl == "memory":
            root = Path("/sys/fs/cgroup/memory")
        elif ctl == "" and not any(":memory:" in l for l in Path(f"/proc/{pid}/cgroup").read_text().splitlines()):
            root = Path("/sys/fs/cgroup")
            path = str(Path(path).parent)   # v2: the server sits in <base>/server
        else:
            continue
        base = root / path.lstrip("/")
        base = base if base.name == f"codeexec-{pid}" else base / f"codeexec-{pid}"
        found += sorted(base.glob("box-*"))
    return found


def empty_cgroups(pid: int) -> list:
    """Box cgroups of the server with no process in them, still there after a
    second (a released box's goes within milliseconds)."""
    def empty():
        return {p for p in server_cgroups(pid)
                if p.exists() and not (p / "cgroup.procs").read_text().strip()}
    first = empty()
    time.sleep(1.0)
    return sorted(p.name for p in first & empty())
