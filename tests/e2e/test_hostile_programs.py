"""Hostile programs: each attack is contained, the verdict is a clear failure of
the attack, and the server keeps answering (issue 5; docs/security.md).

Every test runs a real program in a real box and asserts on what the program
could observe or do, so it fails if the protection it names is removed:
namespaces (user, PID, mount, IPC, UTS, net), the seccomp deny-list, the
cgroup limits, rlimits, and PID 1's kill-everything-when-the-step-ends design.
The key attacks are repeated in C++ through /any_exec (a compiled program
makes raw syscalls without an interpreter in between).

Every test runs twice, against a server with warm Python (the default: Python
runs forked from pre-started interpreters) and one with --no-warm-python; the
C++ tests once.

Budget: about 60 s per kind of server on a 2-core machine (the fork bombs and
the concurrent-run tests wait on 3 s sleeps / time-outs).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import BINARY, REPO_ROOT, start_server  # noqa: E402
from hostile import (HealthProbe, unique_uid_base, any_exec, assert_healthy, assert_no_box_processes,
                     box_processes, build_has_warm_python, hostport, metric, py_exec, request, v1_run, vm_kb,
                     wait_warm_ready)

PY = "/usr/bin/python3"


def dedent(s: str) -> str:
    return textwrap.dedent(s).lstrip("\n")


def run_json(url: str, code: str, timeout: float = 20, language: str = "python") -> dict:
    """Runs a program that prints one JSON object; returns it (the run must succeed)."""
    r = v1_run(url, code, language=language, timeout=timeout)
    assert r["status"] == "ok", {k: r[k] for k in ("status", "exit_code", "stdout", "stderr")}
    return json.loads(r["stdout"])


def warm_and_checked(url: str, headers=None) -> None:
    """Waits until every slot's warm Python zygote is ready, then checks that
    a run really comes from one."""
    wait_warm_ready(url, timeout=90.0)
    assert v1_run(url, "print(1)", headers=headers)["warm"] is True


# Every test runs against a server with warm Python (Python runs forked from
# pre-started interpreters, the default) and one with --no-warm-python (each a
# fresh python3); the C++ tests, which never run warm, once. A build without
# warm Python runs everything once against its only kind of server.
MODE_ARGS = {"warm": [], "cold": ["--no-warm-python"], "default": []}


def _build_has_warm_python() -> bool:
    if not BINARY.is_file():
        return True   # the servers' start-up fails with conftest's clear message
    return build_has_warm_python(BINARY)


def pytest_generate_tests(metafunc):
    if "mode" in metafunc.fixturenames:
        modes = ["warm", "cold"] if _build_has_warm_python() else ["default"]
        name = metafunc.function.__name__
        if name.startswith("test_cpp_") or name == "test_int80_32bit_syscall_kills_the_process":
            modes = modes[:1]
        metafunc.parametrize("mode", modes, indirect=True, scope="module")


@pytest.fixture(scope="module")
def mode(request) -> str:
    return request.param


def started_in_mode(s, mode: str, headers=None):
    """A server started with MODE_ARGS[mode]: a warm one is waited for."""
    if mode == "warm":
        warm_and_checked(s.url, headers=headers)
    return s


@pytest.fixture(scope="module")
def srv(mode):
    """This module's server: default limits, 4 boxes at once (so two runs of a
    test overlap for sure), and host uids of its own (uid_lo..uid_hi) so that
    `ps` by uid sees its boxes only; warm or cold (MODE_ARGS)."""
    base = unique_uid_base()
    with start_server("--max-running", "4", "--uid-base", str(base), *MODE_ARGS[mode]) as s:
        s.uid_lo, s.uid_hi = base, base + 100
        yield started_in_mode(s, mode)


@pytest.fixture(scope="module")
def server(srv):
    return srv.url


@pytest.fixture(scope="module")
def small_mem(mode):
    base = unique_uid_base()
    with start_server("--memory-mb", "256", "--uid-base", str(base), *MODE_ARGS[mode]) as s:
        s.uid_lo, s.uid_hi = base, base + 100
        yield started_in_mode(s, mode)


def no_box_processes(s, settle: float = 0.0) -> None:
    assert_no_box_processes(s.uid_lo, s.uid_hi, settle=settle, url=s.url)


@pytest.fixture(autouse=True)
def _server_still_healthy(srv, mode):
    """After every test: the server answers quickly and no box process is left;
    a warm server has all its zygotes again (so the next test runs warm too)."""
    yield
    assert_healthy(srv.url, within=1.0)
    no_box_processes(srv, settle=1.0)
    if mode == "warm":
        warm_and_checked(srv.url)


# ---------------------------------------------------------------------------
# reading what is not the program's

def test_etc_shadow_is_hidden(server):
    host_shadow = Path("/etc/shadow").read_text()
    assert "root:" in host_shadow, "precondition: the host's /etc/shadow has entries"
    code = dedent("""
        import json, os
        res = {}
        for p in ["/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/sudoers"]:
            try:
                res[p] = open(p, errors="replace").read()
            except OSError as e:
                res[p] = "ERR " + e.strerror
        for d in ["/etc/ssh", "/etc/ssl/private", "/etc/sudoers.d"]:
            try:
                res[d] = os.listdir(d)
            except OSError as e:
                res[d] = "ERR " + e.strerror
        print(json.dumps(res))
    """)
    res = run_json(server, code)
    for p in ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/sudoers"):
        assert "root:" not in res[p] and "ALL" not in res[p], (p, res[p][:200])
    for d in ("/etc/ssh", "/etc/ssl/private", "/etc/sudoers.d"):
        assert res[d] in ([],) or str(res[d]).startswith("ERR"), (d, res[d])


def test_server_files_and_host_dirs_invisible(server, srv):
    paths = [str(REPO_ROOT), str(REPO_ROOT / "Makefile"), str(BINARY), str(srv.log_path),
             f"/proc/{srv.pid}/environ", f"/proc/{srv.pid}/cmdline",
             "/proc/1/environ", "/proc/1/mem", "/proc/1/root/", "/proc/1/cwd/", "/root", "/home",
             "/work", "/sys", "/run", "/var/log", "/boot"]
    code = dedent(f"""
        import json, os
        res = {{}}
        for p in {paths!r}:
            try:
                if os.path.isdir(p):
                    res[p] = "listed " + ",".join(sorted(os.listdir(p)))[:200]
                else:
                    with open(p, "rb") as f:
                        res[p] = "read " + repr(f.read(200))
            except OSError as e:
                res[p] = "denied " + (e.strerror or "")
        print(json.dumps(res))
    """)
    res = run_json(server, code)
    leaks = {p: v for p, v in res.items() if not v.startswith("denied") and v != "listed "}
    assert not leaks, leaks


def test_another_runs_files_are_invisible(srv):
    """Run A writes a secret to /tmp, /dev/shm, its env and argv, and sleeps; run B,
    at the same time, searches the whole file system and /proc for it."""
    secret = "s3cr3t-" + secrets.token_hex(12)
    writer = dedent(f"""
        import json, os, subprocess, time
        t0 = time.time()
        for p in ["/tmp/secret.txt", "/dev/shm/secret.txt", "/tmp/main.py.secret"]:
            with open(p, "w") as f:
                f.write({secret!r})
        os.mkfifo("/tmp/secret.fifo")
        child = subprocess.Popen(["/bin/sh", "-c", "sleep 3; : {secret}"],
                                 env={{"SECRET": {secret!r}}})
        child.wait()
        print(json.dumps({{"start": t0, "end": time.time()}}))
    """)
    searcher = dedent(f"""
        import json, os, stat, time
        secret = {secret[::-1]!r}[::-1]   # never spelled out in this file
        t0 = time.time()
        found, scanned = [], 0
        skip = ("/proc", "/usr", "/sys")
        for root, dirs, files in os.walk("/", onerror=lambda e: None):
            dirs[:] = [d for d in dirs if os.path.join(root, d) not in skip]
            for n in files:
                p = os.path.join(root, n)
                try:
                    if not stat.S_ISREG(os.lstat(p).st_mode):
                        continue
                    with open(p, "rb") as f:
                        data = f.read(1 << 20)
                    scanned += 1
                    if secret.encode() in data:
                        found.append(p)
                except OSError:
                    pass
        pids = sorted(int(d) for d in os.listdir("/proc") if d.isdigit())
        for pid in pids:
            for what in ("cmdline", "environ"):
                try:
                    with open(f"/proc/{{pid}}/{{what}}", "rb") as f:
                        if secret.encode() in f.read():
                            found.append(f"/proc/{{pid}}/{{what}}")
                except OSError:
                    pass
        print(json.dumps({{"start": t0, "end": time.time(), "found": found,
                          "scanned": scanned, "pids": pids}}))
    """)
    with ThreadPoolExecutor(2) as ex:
        fa = ex.submit(run_json, srv.url, writer, 20)
        time.sleep(0.8)
        fb = ex.submit(run_json, srv.url, searcher, 20)
        a, b = fa.result(), fb.result()
    assert a["start"] < b["start"] and b["end"] < a["end"], (
        "the two runs did not overlap; the test proves nothing", a, b)
    assert b["scanned"] > 50, b  # it did look (/etc at least)
    assert b["found"] == [], f"run B found run A's secret in {b['found']}"
    assert len(b["pids"]) < 10, f"run B sees other processes: {b['pids']}"


def test_server_environment_invisible(monkeypatch, mode):
    """The server's own environment (SECRET=...) must not reach a program: not
    in its environ, not through /proc/1/environ of the box's PID 1 (a copy of
    the server, kept non-dumpable)."""
    env_secret = "envsecret-" + secrets.token_hex(8)
    monkeypatch.setenv("SECRET", env_secret)
    monkeypatch.setenv("CODEEXEC_AUTH_TOKEN", "")
    code = dedent("""
        import json, os
        seen = {"environ": dict(os.environ)}
        for pid in [d for d in os.listdir("/proc") if d.isdigit()] + ["self"]:
            for what in ("environ", "mem", "maps", "auxv"):
                try:
                    with open(f"/proc/{pid}/{what}", "rb") as f:
                        seen[f"{pid}/{what}"] = f.read(1 << 16).decode(errors="replace")
                except OSError as e:
                    seen[f"{pid}/{what}"] = "ERR " + e.strerror
        print(json.dumps(seen))
    """)
    with start_server("--uid-base", str(unique_uid_base()), *MODE_ARGS[mode]) as s:
        r = v1_run(started_in_mode(s, mode).url, code)
    assert r["status"] == "ok", r
    seen = json.loads(r["stdout"])
    assert "SECRET" not in seen["environ"], seen["environ"]
    assert seen["1/environ"].startswith("ERR"), "PID 1 (a copy of the server) is readable"
    leaks = sorted(k for k, v in seen.items() if env_secret in json.dumps(v))
    assert not leaks, f"the server's SECRET env var is visible in {leaks}"


def test_server_argv_invisible(monkeypatch, mode):
    """The server's own environment (SECRET=...) and command line (which may
    carry --auth-token) must not reach a program."""
    env_secret = "envsecret-" + secrets.token_hex(8)
    token = "tok-" + secrets.token_hex(8)
    monkeypatch.setenv("SECRET", env_secret)
    code = dedent("""
        import json, os
        seen = {"environ": dict(os.environ)}
        for pid in [d for d in os.listdir("/proc") if d.isdigit()] + ["self"]:
            for what in ("environ", "cmdline"):
                try:
                    with open(f"/proc/{pid}/{what}", "rb") as f:
                        seen[f"{pid}/{what}"] = f.read().decode(errors="replace")
                except OSError as e:
                    seen[f"{pid}/{what}"] = "ERR " + e.strerror
        print(json.dumps(seen))
    """)
    auth = {"Authorization": f"Bearer {token}"}
    with start_server("--auth-token", token, "--uid-base", str(unique_uid_base()), *MODE_ARGS[mode]) as s:
        r = v1_run(started_in_mode(s, mode, headers=auth).url, code, headers=auth)
    assert r["status"] == "ok", r
    seen = json.loads(r["stdout"])
    assert "SECRET" not in seen["environ"], seen["environ"]
    leaks = sorted(k for k, v in seen.items() if env_secret in json.dumps(v))
    assert not leaks, f"the server's SECRET env var is visible in {leaks}"
    leaks = sorted(k for k, v in seen.items() if token in json.dumps(v))
    assert not leaks, (f"the server's --auth-token is visible to programs in {leaks}: "
                       f"{ {k: seen[k] for k in leaks} }")


# ---------------------------------------------------------------------------
# privileges

def test_cannot_become_root(server):
    code = dedent("""
        import json, os, subprocess
        res = {}
        for name, fn in [("setuid0", lambda: os.setuid(0)), ("seteuid0", lambda: os.seteuid(0)),
                         ("setgid0", lambda: os.setgid(0)), ("setgroups", lambda: os.setgroups([0]))]:
            try:
                fn(); res[name] = "succeeded"
            except OSError as e:
                res[name] = e.strerror
        for argv in (["/usr/bin/su", "-c", "id -u", "root"], ["/usr/bin/sudo", "-n", "id", "-u"],
                     ["/usr/bin/newgrp", "root"]):
            try:
                p = subprocess.run(argv, capture_output=True, text=True, timeout=5,
                                   stdin=subprocess.DEVNULL)
                res[argv[0]] = [p.returncode, p.stdout.strip()]
            except (OSError, subprocess.TimeoutExpired) as e:
                res[argv[0]] = ["failed", str(e)]
        st = {l.split(":")[0]: l.split(":", 1)[1].strip() for l in open("/proc/self/status")}
        res["ids"] = [os.getuid(), os.geteuid(), os.getgid(), os.getegid()]
        res["caps"] = [st["CapInh"], st["CapPrm"], st["CapEff"], st["CapBnd"], st["CapAmb"]]
        res["nnp"] = st["NoNewPrivs"]
        res["seccomp"] = st["Seccomp"]
        try:
            with open("/proc/self/uid_map", "w") as f:
                f.write("0 0 1")
            res["uid_map"] = "written"
        except OSError as e:
            res["uid_map"] = e.strerror
        print(json.dumps(res))
    """)
    res = run_json(server, code)
    for k in ("setuid0", "seteuid0", "setgid0", "setgroups", "uid_map"):
        assert res[k] != "succeeded" and res[k] != "written", (k, res)
    for k in ("/usr/bin/su", "/usr/bin/sudo", "/usr/bin/newgrp"):
        assert res[k][0] != 0 and res[k][1] != "0", (k, res[k])
    assert res["ids"] == [1000, 1000, 1000, 1000], res["ids"]
    assert all(int(c, 16) == 0 for c in res["caps"]), res["caps"]
    assert res["nnp"] == "1" and res["seccomp"] == "2", res


def test_file_system_read_only_outside_tmp(server):
    """Only /tmp and /dev/shm are writable: not /, /etc (passwd and group, which
    belong to the box user, included), /usr, /dev or /proc/sys."""
    code = dedent("""
        import json, os
        res = {}
        for p in ["/etc/passwd", "/etc/group", "/etc/hosts", "/usr/bin/python3",
                  "/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches"]:
            try:
                with open(p, "ab") as f:
                    f.write(b"x")
                res[p] = "written"
            except OSError as e:
                res[p] = e.strerror
        for p in ["/newfile", "/etc/newfile", "/usr/newfile", "/dev/newfile", "/var/newfile",
                  "/.codeexec/x", "/proc/newfile"]:
            try:
                os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))
                res[p] = "created"
            except OSError as e:
                res[p] = e.strerror
        for p in ["/etc/passwd", "/dev", "/tmp"]:
            try:
                os.chmod(p, 0o777)
                res["chmod " + p] = "changed"
            except OSError as e:
                res["chmod " + p] = e.strerror
        for p in ["/tmp/ok", "/dev/shm/ok", "/var/tmp/ok"]:
            with open(p, "w") as f:
                f.write("fine")
        with open("/dev/null", "w") as f:
            f.write("still works")
        with open("/etc/shadow", "w") as f:   # the null device hides it: writes vanish
            f.write("root::0:0:99999:7:::")
        res["shadow"] = open("/etc/shadow").read()
        res["passwd"] = open("/etc/passwd").read()
        print(json.dumps(res))
    """)
    res = run_json(server, code)
    assert res.pop("shadow") == ""
    passwd = res.pop("passwd")
    assert passwd.startswith("root:x:0:0:") and "runner:x:1000" in passwd and "x\n" not in passwd[-2:]
    res.pop("chmod /tmp")   # /tmp is the program's own
    changed = {k: v for k, v in res.items() if v in ("written", "created", "changed")}
    assert not changed, f"writable outside /tmp: {changed}"


# ---------------------------------------------------------------------------
# network

def test_no_network_at_all(server):
    host, port = hostport(server)
    code = dedent(f"""
        import json, socket
        res = {{}}
        def attempt(name, fn):
            try:
                fn(); res[name] = "succeeded"
            except OSError as e:
                res[name] = e.strerror or repr(e)
        def tcp(h, p, fam=socket.AF_INET):
            s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(2); s.connect((h, p))
        attempt("tcp-server-port", lambda: tcp("127.0.0.1", {port}))
        attempt("tcp6-loopback", lambda: tcp("::1", {port}, socket.AF_INET6))
        attempt("tcp-outside", lambda: tcp("1.1.1.1", 443))
        attempt("dns-resolve", lambda: socket.getaddrinfo("example.com", 80))
        def udp_dns():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
            s.sendto(b"\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x07example\\x03com\\x00\\x00\\x01\\x00\\x01", ("8.8.8.8", 53))
            s.recvfrom(512)
        attempt("udp-dns", udp_dns)
        attempt("raw-socket", lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
        res["interfaces"] = [n for _, n in socket.if_nameindex()]
        print(json.dumps(res))
    """)
    res = run_json(server, code)
    for k, v in res.items():
        if k != "interfaces":
            assert v != "succeeded", (k, res)
    assert res["interfaces"] == ["lo"], res["interfaces"]


def test_unix_sockets_between_concurrent_runs(srv):
    """Run A listens on the abstract socket \\0codeexec-test and on a path socket;
    run B, at the same time, cannot reach either (network namespace per box)."""
    listener = dedent("""
        import json, socket, time
        t0 = time.time()
        a = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); a.bind("\\0codeexec-test"); a.listen(8)
        p = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); p.bind("/tmp/codeexec-test.sock"); p.listen(8)
        # control: the sockets work from inside this box
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.connect("\\0codeexec-test")
        a.accept()[0].close(); c.close()
        accepted = 0
        for s in (a, p):
            s.settimeout(0.1)
        deadline = time.time() + 3
        while time.time() < deadline:
            for s in (a, p):
                try:
                    s.accept()[0].close(); accepted += 1
                except socket.timeout:
                    pass
        print(json.dumps({"start": t0, "end": time.time(), "accepted": accepted}))
    """)
    connector = dedent("""
        import json, socket, time
        t0 = time.time()
        res = {}
        for name in ("\\0codeexec-test", "/tmp/codeexec-test.sock"):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.settimeout(1)
            try:
                s.connect(name); res[repr(name)] = "connected"
            except OSError as e:
                res[repr(name)] = e.strerror
        print(json.dumps({"start": t0, "end": time.time(), "res": res}))
    """)
    with ThreadPoolExecutor(2) as ex:
        fa = ex.submit(run_json, srv.url, listener, 20)
        time.sleep(0.8)
        fb = ex.submit(run_json, srv.url, connector, 20)
        a, b = fa.result(), fb.result()
    assert a["start"] < b["start"] and b["end"] < a["end"], ("runs did not overlap", a, b)
    assert all(v != "connected" for v in b["res"].values()), b["res"]
    assert a["accepted"] == 0, a


# ---------------------------------------------------------------------------
# other processes

def test_ptrace_and_process_vm_denied(server):
    code = dedent("""
        import ctypes, json, os, signal, time
        libc = ctypes.CDLL(None, use_errno=True)
        res = {}
        child = os.fork()
        if child == 0:
            time.sleep(30); os._exit(0)
        def call(name, *args):
            r = libc.syscall(*args)
            res[name] = "ok" if r >= 0 else os.strerror(ctypes.get_errno())
        call("attach-child", 101, 16, child, 0, 0)        # ptrace(PTRACE_ATTACH)
        call("seize-child", 101, 0x4206, child, 0, 0)     # ptrace(PTRACE_SEIZE)
        call("attach-pid1", 101, 16, 1, 0, 0)
        buf = ctypes.create_string_buffer(16)
        iov = (ctypes.c_void_p * 2)(ctypes.addressof(buf), 16)
        call("process_vm_readv", 310, child, iov, 1, iov, 1, 0)
        call("pidfd_getfd", 438, -1, 0, 0)
        os.kill(child, signal.SIGKILL); os.waitpid(child, 0)
        pid = os.fork()
        if pid == 0:
            r = libc.syscall(101, 0, 0, 0, 0)             # ptrace(PTRACE_TRACEME)
            os._exit(0 if r == 0 else 3)
        res["traceme"] = "ok" if os.waitpid(pid, 0)[1] == 0 else "denied"
        print(json.dumps(res))
    """)
    res = run_json(server, code)
    assert all(v != "ok" for v in res.values()), res


def test_kill_everything_reaches_only_the_box(server, srv):
    """kill(-1), kill(1) and killing the parent: the program survives to report, the
    box's PID 1 survives to collect it, and host processes of the same host uids
    (canaries) are untouched (PID namespace)."""
    canaries = [subprocess.Popen(["sleep", "30"], user=uid, group=uid)
                for uid in range(srv.uid_lo, srv.uid_lo + 4)]
    try:
        code = dedent("""
            import json, os, signal
            res = {"ppid": os.getppid()}
            for name, target in [("all", -1), ("pid1", 1), ("parent", os.getppid())]:
                for sig in (signal.SIGTERM, signal.SIGKILL):
                    try:
                        os.kill(target, sig); res[f"{name}-{sig}"] = "sent"
                    except OSError as e:
                        res[f"{name}-{sig}"] = e.strerror
            print(json.dumps(res))
        """)
        res = run_json(server, code)
        assert res["ppid"] == 1, res
        alive = [c.poll() is None for c in canaries]
        assert all(alive), f"kill(-1) in a box reached host processes of box uids: {alive}"
    finally:
        for c in canaries:
            c.kill()
            c.wait()


def test_fork_bomb_contained(srv, server):
    code = dedent("""
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass
    """)
    with HealthProbe(server) as hp:
        t0 = time.monotonic()
        r = v1_run(server, code, timeout=3)
        took = time.monotonic() - t0
    hp.check(within=1.0)
    assert r["status"] in ("timeout", "runtime_error"), r["status"]
    assert took < 30, f"the reply took {took:.1f}s"   # liveness
    no_box_processes(srv)


def test_thread_bomb_and_fd_and_inode_exhaustion(server):
    code = dedent("""
        import json, os, threading, time
        res = {}
        stop = threading.Event()
        threads = []
        try:
            while len(threads) < 5000:
                t = threading.Thread(target=stop.wait); t.start(); threads.append(t)
        except RuntimeError:
            pass
        res["threads"] = len(threads)
        stop.set()
        for t in threads:
            t.join()
        fds = []
        try:
            while len(fds) < 100000:
                fds.append(os.open("/dev/null", os.O_RDONLY))
        except OSError as e:
            res["fd_error"] = e.strerror
        res["fds"] = len(fds)
        for fd in fds:
            os.close(fd)
        n = 0
        try:
            os.mkdir("/tmp/inodes")
            while n < 200000:
                os.close(os.open(f"/tmp/inodes/{n}", os.O_CREAT | os.O_WRONLY, 0o644)); n += 1
        except OSError as e:
            res["inode_error"] = e.strerror
        res["inodes"] = n
        print(json.dumps(res))
    """)
    with HealthProbe(server) as hp:
        res = run_json(server, code, timeout=30)
    hp.check(within=1.0)
    assert res["threads"] < 512, res   # cgroup pids.max (and RLIMIT_NPROC)
    assert res["fds"] <= 1024 and res["fd_error"] == "Too many open files", res  # RLIMIT_NOFILE
    assert res["inodes"] < 70000 and res["inode_error"] == "No space left on device", res


def test_memory_far_beyond_limit(small_mem):
    code = "a = []\nwhile True:\n    a.append(bytearray(10**7))\n"
    with HealthProbe(small_mem.url) as hp:
        r = v1_run(small_mem.url, code, timeout=20)
    hp.check(within=1.0)
    assert r["status"] == "memory_limit", {k: r[k] for k in ("status", "exit_code", "memory_kb")}
    assert r["memory_kb"] <= 256 * 1024 + 1024, r["memory_kb"]
    assert r["passed"] is False


def test_output_flood_bounded(server_factory, mode):
    """512 MiB on each stream: the server keeps the first --output-limit bytes,
    marks them truncated, and its memory does not grow with the flood."""
    s = started_in_mode(server_factory("--output-limit", str(1 << 20), "--uid-base", str(unique_uid_base()),
                                       *MODE_ARGS[mode]), mode)
    code = dedent("""
        import os
        line = b"".join(b"%07d\\n" % i for i in range(131072))   # 1 MiB, numbered lines
        for _ in range(512):
            os.write(1, line); os.write(2, line)
        print("done", flush=True)
    """)
    v1_run(s.url, "print(1)")           # warm the server up before measuring
    hwm0 = vm_kb(s.pid, "VmHWM")
    with HealthProbe(s.url) as hp:
        r = v1_run(s.url, code, timeout=60)
    hp.check(within=1.0)
    grown_mb = (vm_kb(s.pid, "VmHWM") - hwm0) / 1024
    expect = "".join("%07d\n" % i for i in range(131072))
    assert r["stdout_truncated"] and r["stderr_truncated"], r["status"]
    assert r["stdout"] == expect and r["stderr"] == expect, "not the exact 1 MiB prefix"
    assert r["status"] == "output_limit" and r["exit_code"] == 0, r["status"]
    assert grown_mb < 64, f"server peak RSS grew by {grown_mb:.0f} MiB for a 1 GiB flood"
    text = py_exec(s.url, code, timeout=60)
    assert text.startswith("0\n0000000\n") and len(text) <= (1 << 20) + 2


def test_disk_fill_stopped_by_tmpfs(server):
    host_free0 = shutil.disk_usage("/").free
    code = dedent("""
        import json, os
        chunk = b"x" * (1 << 20)
        written, err, i = 0, None, 0
        while err is None and written < (4 << 30):
            try:
                with open(f"/tmp/fill{i}", "wb") as f:
                    for _ in range(128):
                        f.write(chunk); written += len(chunk)
            except OSError as e:
                err = e.strerror
            i += 1
        shm = 0
        try:
            with open("/dev/shm/fill", "wb") as f:
                while shm < (4 << 30):
                    f.write(chunk); shm += len(chunk)
        except OSError as e:
            pass
        big = 0
        try:
            with open("/tmp/big", "wb") as f:   # one file beyond --file-mb (256)
                while big < (1 << 30):
                    f.write(chunk); big += len(chunk)
        except OSError as e:
            big_err = e.strerror
        print(json.dumps({"written": written, "err": err, "shm": shm}))
    """)
    with HealthProbe(server) as hp:
        res = run_json(server, code, timeout=60)
    hp.check(within=1.0)
    assert res["err"] == "No space left on device", res
    assert res["written"] <= (1024 << 20), res          # --tmpfs-mb 1024
    assert res["shm"] <= (300 << 20), res               # /dev/shm is a quarter of it
    assert shutil.disk_usage("/").free > host_free0 - (200 << 20), "the host disk filled up"
    # the next run gets a fresh, empty /tmp
    assert run_json(server, "import os, json\nprint(json.dumps(sorted(os.listdir('/tmp'))))") == ["main.py"]


# ---------------------------------------------------------------------------
# processes that try to outlive the run

@pytest.mark.parametrize("variant", ["double-fork-setsid", "busy-child", "holds-stdout"])
def test_nothing_outlives_the_run(srv, server, variant):
    body = {
        "double-fork-setsid": """
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.closerange(0, 3)
                    time.sleep(60)
                os._exit(0)
        """,
        "busy-child": """
            if os.fork() == 0:
                os.setsid()
                while True:
                    pass
        """,
        "holds-stdout": """
            if os.fork() == 0:
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                while True:
                    print("still here", flush=True); time.sleep(0.01)
        """,
    }[variant]
    code = "import os, signal, time\n" + dedent(body) + "time.sleep(0.3)\nprint('parent done')\n"
    t0 = time.monotonic()
    r = v1_run(server, code, timeout=20)
    took = time.monotonic() - t0
    assert r["status"] in ("ok",), r
    assert "parent done" in r["stdout"], r["stdout"][-200:]
    # status ok, not timeout, is the proof; this bound (half the limit) is liveness
    assert took < 10, f"the run took {took:.1f}s: it must end when its main process exits"
    no_box_processes(srv)   # immediately after the reply


def test_symlinks_and_fifos_planted_by_the_program(server):
    """The program swaps its own source for a symlink to /etc/shadow and leaves
    FIFOs and symlinks everywhere it can write; nothing hangs, nothing leaks,
    and the next run is unaffected."""
    code = dedent("""
        import os
        os.unlink("/tmp/main.py")
        os.symlink("/etc/shadow", "/tmp/main.py")
        for p in ["/tmp/fifo", "/tmp/main", "/dev/shm/fifo", "/tmp/stdin", "/tmp/stdout"]:
            os.mkfifo(p)
        for name, target in [("/tmp/root", "/"), ("/tmp/pid1root", "/proc/1/root"),
                             ("/dev/shm/up", "../../..")]:
            os.symlink(target, name)
        fd = os.open("/tmp/fifo", os.O_RDWR)      # a FIFO held open by the program
        print("planted", flush=True)
    """)
    t0 = time.monotonic()
    r = v1_run(server, code, timeout=10)
    assert r["status"] == "ok" and r["stdout"] == "planted\n", r
    assert time.monotonic() - t0 < 5
    assert run_json(server, "import os, json\nprint(json.dumps(sorted(os.listdir('/tmp'))))") == ["main.py"]


def test_closes_or_redirects_its_own_stdout(server):
    closed = "import os, time\nos.close(1)\nos.close(2)\ntime.sleep(0.5)\n"
    r = v1_run(server, closed, timeout=10)
    assert r["status"] == "ok" and r["stdout"] == "" and r["stderr"] == "", r
    redirected = dedent("""
        import os, sys
        print("before", flush=True)
        fd = os.open("/dev/null", os.O_WRONLY)
        os.dup2(fd, 1); os.dup2(fd, 2)
        print("hidden"); print("hidden", file=sys.stderr)
        sys.exit(3)
    """)
    r = v1_run(server, redirected, timeout=10)
    assert r["status"] == "runtime_error" and r["exit_code"] == 3 and r["stdout"] == "before\n", r


# ---------------------------------------------------------------------------
# kernel attack surface: seccomp

SYSCALL_PROBE = dedent("""
    import ctypes, json, os, sys
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    res = {}
    def sc(name, *args):
        ctypes.set_errno(0)
        r = libc.syscall(*[ctypes.c_long(a) for a in args])
        res[name] = "ok" if r >= 0 else os.strerror(ctypes.get_errno())
        return r
    def in_child(name, fn):
        # calls that would change this process run in a throw-away child
        pid = os.fork()
        if pid == 0:
            r = fn()
            os._exit(0 if r >= 0 else min(ctypes.get_errno(), 250))
        st = os.waitpid(pid, 0)[1]
        res[name] = "ok" if st == 0 else os.strerror(os.waitstatus_to_exitcode(st))
    nul = 0
    sc("mount", 165, nul, nul, nul, 0, nul)                       # EFAULT without a filter
    sc("umount2", 166, ctypes.addressof(ctypes.create_string_buffer(b"/nonexistent-x")), 0)
    sc("chroot", 161, ctypes.addressof(ctypes.create_string_buffer(b"/nonexistent-x")))
    in_child("unshare-user", lambda: libc.syscall(272, 0x10000000))          # CLONE_NEWUSER
    in_child("unshare-net", lambda: libc.syscall(272, 0x40000000))
    in_child("clone-newuser", lambda: (lambda r: (os._exit(0) if r == 0 else r))(
        libc.syscall(56, 0x10000000 | 17, 0, 0, 0, 0)))
    sc("clone3", 435, nul, 0)
    sc("setns", 308, -1, 0)                                          # EBADF without a filter
    sc("bpf", 321, 0, nul, 0)
    sc("keyctl", 250, 0, -3, 0)                                      # KEYCTL_GET_KEYRING_ID
    sc("add_key", 248, ctypes.addressof(ctypes.create_string_buffer(b"user")),
       ctypes.addressof(ctypes.create_string_buffer(b"k")),
       ctypes.addressof(ctypes.create_string_buffer(b"v")), 1, -2)
    sc("perf_event_open", 298, nul, 0, -1, -1, 0)                    # EFAULT without a filter
    ring = ctypes.create_string_buffer(120)
    r = sc("io_uring_setup", 425, 1, ctypes.addressof(ring))
    if r >= 0: os.close(r)
    r = sc("userfaultfd", 323, 1)                                    # UFFD_USER_MODE_ONLY
    if r >= 0: os.close(r)
    in_child("ptrace-traceme", lambda: libc.syscall(101, 0, 0, 0, 0))
    sc("open_by_handle_at", 304, -1, nul, 0)
    sc("name_to_handle_at", 303, -100, nul, nul, nul, 0)
    sc("kcmp", 312, os.getpid(), os.getpid(), 0, 0, 0)
    sc("syslog", 103, 10, nul, 0)                                    # SYSLOG_ACTION_SIZE_BUFFER
    sc("fsopen", 430, ctypes.addressof(ctypes.create_string_buffer(b"tmpfs")), 0)
    sc("pivot_root", 155, nul, nul)
    ldt = ctypes.create_string_buffer(64)
    sc("modify_ldt", 154, 0, ctypes.addressof(ldt), 64)              # read the LDT
    print(json.dumps(res))
""")


def _control_probe() -> dict:
    """The same probe as an unprivileged host user without seccomp: shows which
    calls the filter is the only thing stopping."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(SYSCALL_PROBE)
    try:
        os.chmod(f.name, 0o644)
        p = subprocess.run([PY, f.name], capture_output=True, text=True, timeout=20,
                           user=65534, group=65534, cwd="/")
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout)
    finally:
        os.unlink(f.name)


def test_dangerous_syscalls_denied_by_seccomp(server):
    res = run_json(server, SYSCALL_PROBE)
    control = _control_probe()
    print("\nsyscall            box                        unprivileged host (no filter)")
    for k in res:
        print(f"{k:18} {res[k]:26} {control.get(k)}")
    bad = {k: v for k, v in res.items() if v not in ("Operation not permitted", "Function not implemented")}
    assert not bad, f"not refused with EPERM/ENOSYS in the box: {bad}"
    # These are stopped by the filter alone: an unprivileged process outside
    # gets another answer (success, EFAULT, EBADF, ...).
    filter_only = [k for k in res if control[k] not in ("Operation not permitted", "Function not implemented")]
    assert len(filter_only) >= 8, f"control run: {control}"


def test_tiocsti_and_terminal_ioctls_denied(server):
    code = dedent("""
        import ctypes, json, os
        libc = ctypes.CDLL(None, use_errno=True)
        res = {}
        c = ctypes.c_char(b"x")
        for name, req in [("TIOCSTI", 0x5412), ("TIOCSTI-high-bits", 0x5412 | (1 << 32)),
                          ("TIOCLINUX", 0x541C)]:
            for fd in (0, 1, 2):
                ctypes.set_errno(0)
                r = libc.ioctl(fd, ctypes.c_ulong(req), ctypes.byref(c))
                res[f"{name}-{fd}"] = "ok" if r == 0 else os.strerror(ctypes.get_errno())
        try:
            os.open("/dev/tty", os.O_RDWR); res["devtty"] = "opened"
        except OSError as e:
            res["devtty"] = e.strerror
        print(json.dumps(res))
    """)
    res = run_json(server, code)
    assert res.pop("devtty") != "opened"
    assert set(res.values()) == {"Operation not permitted"}, res


def test_exotic_socket_families_denied(server):
    code = dedent("""
        import json, socket
        res = {}
        for name, fam, typ in [("AF_VSOCK", 40, socket.SOCK_STREAM), ("AF_PACKET", 17, socket.SOCK_RAW),
                               ("AF_PACKET-dgram", 17, socket.SOCK_DGRAM), ("AF_ALG", 38, socket.SOCK_SEQPACKET),
                               ("AF_KEY", 15, socket.SOCK_RAW), ("AF_APPLETALK", 5, socket.SOCK_DGRAM),
                               ("AF_BLUETOOTH", 31, socket.SOCK_STREAM), ("AF_XDP", 44, socket.SOCK_RAW)]:
            try:
                socket.socket(fam, typ).close(); res[name] = "created"
            except OSError as e:
                res[name] = e.strerror
        print(json.dumps(res))
    """)
    res = run_json(server, code)
    assert set(res.values()) == {"Address family not supported by protocol"}, res


INT80_C = r"""
#include <stdio.h>
#include <unistd.h>
int main(void) {
    long r;
    fflush(stdout);
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory"); /* i386 getpid */
    printf("int80 returned %ld\n", r);
    return 0;
}
"""


X32_C = r"""
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
    long r = syscall(0x40000000L | SYS_getpid); /* the x32 ABI's getpid */
    printf("x32 returned %ld\n", r);
    return 0;
}
"""


def test_int80_32bit_syscall_kills_the_process(server, tmp_path):
    # control: is the 32-bit entry open on this host? (then only the filter stops it)
    src, exe = tmp_path / "int80.c", tmp_path / "int80"
    src.write_text(INT80_C)
    subprocess.run(["gcc", "-O0", "-o", str(exe), str(src)], check=True, timeout=60)
    host = subprocess.run([str(exe)], capture_output=True, text=True, timeout=10)
    ia32 = host.returncode == 0 and host.stdout.startswith("int80 returned ") and \
        int(host.stdout.split()[-1]) > 0
    print(f"host: rc={host.returncode} {host.stdout.strip()!r} (IA32 entry {'open' if ia32 else 'closed'})")
    res = any_exec(server, INT80_C, "cpp", timeout=30)
    assert "int80 returned" not in res["stdout"], res
    assert res["status"] == "Exception", res
    if ia32:
        assert res["exit_code"] == -signal.SIGSYS, res   # killed by seccomp's architecture check
    else:
        assert res["exit_code"] < 0, res                 # killed anyway (no IA32 emulation)
    # the x32 ABI (syscall numbers with bit 30 set) is killed too
    res = any_exec(server, X32_C, "cpp", timeout=30)
    assert res["exit_code"] == -signal.SIGSYS and "x32 returned" not in res["stdout"], res


# ---------------------------------------------------------------------------
# the same attacks from a compiled program (C++ via /any_exec)

CPP_PROBE = r"""
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *name, long r) {
    printf("%s=%s\n", name, r >= 0 ? "ok" : strerror(errno));
}

int main() {
    char buf[256] = {0};
    int fd = open("/etc/shadow", O_RDONLY);
    long n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
    printf("shadow=%s\n", n > 0 ? "DATA" : "empty-or-denied");
    report("setuid0", setuid(0));
    report("open-repo", open("@REPO@/Makefile", O_RDONLY));
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a; memset(&a, 0, sizeof a);
    a.sin_family = AF_INET; a.sin_port = htons(@PORT@); a.sin_addr.s_addr = htonl(0x7f000001);
    report("tcp-server", connect(s, (struct sockaddr *)&a, sizeof a));
    report("unshare-user", unshare(CLONE_NEWUSER));
    report("ptrace-attach-1", syscall(SYS_ptrace, 16, 1, 0, 0));
    report("keyctl", syscall(SYS_keyctl, 0, -3, 0));
    report("io_uring_setup", syscall(SYS_io_uring_setup, 1, buf));
    report("af_vsock", socket(40, SOCK_STREAM, 0));
    report("af_packet", socket(17, SOCK_RAW, 0));
    char c = 'x';
    report("tiocsti", ioctl(0, 0x5412, &c));
    report("kill-1", kill(1, SIGKILL));
    report("mount", syscall(SYS_mount, 0, 0, 0, 0, 0));
    printf("uid=%d\n", (int)getuid());
    return 0;
}
"""


def test_cpp_probe(server):
    _, port = hostport(server)
    src = CPP_PROBE.replace("@REPO@", str(REPO_ROOT)).replace("@PORT@", str(port))
    res = any_exec(server, src, "cpp", timeout=30)
    assert res["status"] == "OK", res
    got = dict(line.split("=", 1) for line in res["stdout"].splitlines())
    assert got.pop("shadow") == "empty-or-denied"
    assert got.pop("uid") == "1000"
    assert got.pop("kill-1") == "ok"   # delivered, and ignored by the box's PID 1
    allowed = {"Operation not permitted", "Function not implemented", "No such file or directory",
               "Invalid argument",  # setuid(0): uid 0 is not mapped in the box's user namespace
               "Network is unreachable", "Address family not supported by protocol"}
    assert all(v in allowed for v in got.values()), {k: v for k, v in got.items() if v not in allowed}
    assert got["af_vsock"] == got["af_packet"] == "Address family not supported by protocol", got
    assert got["tiocsti"] == got["keyctl"] == got["io_uring_setup"] == "Operation not permitted", got


def test_cpp_include_of_host_files_at_compile_time(server):
    """The compiler runs in the box too: #include cannot pull in host secrets."""
    src = f'#include "/etc/shadow"\n#include "{REPO_ROOT}/Makefile"\nint main() {{ return 0; }}\n'
    res = any_exec(server, src, "cpp", timeout=30)
    assert res["status"] != "OK"
    assert "root:" not in res["stderr"] and "CFLAGS" not in res["stderr"], res["stderr"][:500]
    assert "No such file" in res["stderr"], res["stderr"][:500]


def test_cpp_fork_bomb(srv, server):
    src = "#include <unistd.h>\nint main() { for (;;) fork(); }\n"
    with HealthProbe(server) as hp:
        t0 = time.monotonic()
        st, _, body = request(server, "POST", "/any_exec",
                              {"code": src, "lang": "cpp", "timeout": 6}, timeout=60)
        took = time.monotonic() - t0
    hp.check(within=1.0)
    assert st == 200 and (body == b"1\nTimeout" or b'"Timeout"' in body), body[:300]
    assert took < 45, took   # liveness: compile, 6 s of run, the tree killed
    no_box_processes(srv)


def test_cpp_memory_limit(small_mem):
    src = dedent("""
        #include <cstdlib>
        #include <cstring>
        int main() { for (;;) { char *p = (char *)malloc(1 << 24); if (p) memset(p, 1, 1 << 24); } }
    """)
    r = v1_run(small_mem.url, src, language="cpp", timeout=30)
    assert r["status"] == "memory_limit", {k: r[k] for k in ("status", "exit_code", "memory_kb", "stderr")}


def test_cpp_daemon_and_flood(srv, server):
    src = dedent("""
        #include <cstdio>
        #include <cstring>
        #include <unistd.h>
        int main() {
            if (fork() == 0) { setsid(); if (fork() == 0) { for (;;) {} } _exit(0); }
            static char buf[1 << 16];
            memset(buf, 'y', sizeof buf);
            for (int i = 0; i < 8192; i++) write(1, buf, sizeof buf);   /* 512 MiB */
            return 0;
        }
    """)
    t0 = time.monotonic()
    r = v1_run(server, src, language="cpp", timeout=30)
    assert r["status"] == "output_limit" and r["stdout_truncated"], r["status"]
    assert len(r["stdout"]) == 16 << 20 and set(r["stdout"]) == {"y"}
    assert time.monotonic() - t0 < 60   # liveness
    no_box_processes(srv)


# ---------------------------------------------------------------------------
# limits and PID 1 (issue 11: F1, F5, F6 and the hardening of a warm run's
# PID 1; docs/security.md §4)

def _v1(url: str, code: str, timeout: float = 30, **fields) -> dict:
    body = {"language": "python", "code": code, "timeout": timeout, **fields}
    st, _, raw = request(url, "POST", "/v1/run", body, timeout=timeout + 60)
    assert st == 200, f"/v1/run answered {st}: {raw[:500]!r}"
    return json.loads(raw)


@pytest.fixture(scope="module")
def one_slot(mode):
    """One slot (so consecutive runs share its zygote), lean preloads only."""
    base = unique_uid_base()
    with start_server("--max-running", "1", "--python-preload", "", "--uid-base", str(base),
                      *MODE_ARGS[mode]) as s:
        s.uid_lo, s.uid_hi = base, base + 100
        yield started_in_mode(s, mode)


# under /usr: the box sees it; one per test session (two sessions may run at once)
UNCACHED = Path(f"/usr/local/share/codeexec-test-f1-{os.getpid()}.bin")


def _evict(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def test_memory_limit_not_inflated_by_an_earlier_run(one_slot):
    """F1: a warm run's limit was its own plus whatever the zygote's cgroup
    held when it started, so page cache an earlier run of the slot left there
    (here: 160 MiB of a host file nobody had read) became the next run's
    allocation (110-120 MiB under a 64 MiB limit, observed; and it ratcheted).
    Each warm run now has a cgroup of its own: 64 MiB is 64 MiB, and
    memory_kb is the run's own peak."""
    UNCACHED.parent.mkdir(parents=True, exist_ok=True)
    with open(UNCACHED, "wb") as f:
        for _ in range(160):
            f.write(os.urandom(1 << 20))
    read = dedent(f"""
        n = 0
        with open({str(UNCACHED)!r}, "rb") as f:
            while True:
                b = f.read(1 << 20)
                if not b:
                    break
                n += len(b)
        print(n)
    """)
    alloc = dedent("""
        keep = []
        for i in range(60):
            keep.append(bytearray(10 << 20))
            print(i, flush=True)
    """)
    limits = {"memory_mb": 64}
    try:
        for attempt in range(2):        # twice: nothing ratchets either
            _evict(UNCACHED)
            r = _v1(one_slot.url, read, limits=limits)
            assert r["status"] == "ok" and r["stdout"] == f"{160 << 20}\n", r["status"]
            assert r["memory_kb"] <= 64 * 1024 + 512, r["memory_kb"]
            r = _v1(one_slot.url, alloc, limits=limits)
            got_mb = 10 * (int(r["stdout"].split()[-1]) + 1) if r["stdout"].strip() else 0
            assert r["status"] == "memory_limit", (attempt, r["status"], got_mb)
            assert got_mb <= 64, f"{got_mb} MiB allocated under a 64 MiB limit (attempt {attempt})"
            assert 40 * 1024 <= r["memory_kb"] <= 64 * 1024 + 512, r["memory_kb"]
    finally:
        UNCACHED.unlink(missing_ok=True)


def test_program_cannot_steer_the_oom_killer(small_mem, mode):
    """F5: a warm run's PID 1 (the reaper) was dumpable, so the program could
    raise its oom_score_adj, lower its own, and exhaust its memory: the OOM
    killer then killed the reaper (or the zygote beside the run) and the
    program ran a second time, cold, unseen. Now PID 1 is non-dumpable (its
    /proc files are root's), the run's cgroup holds the run alone, and an OOM
    kill there is the run's memory_limit, never a fallback."""
    code = dedent("""
        import os
        try:
            with open("/proc/1/oom_score_adj", "w") as f:
                f.write("1000")
            print("raised PID 1", flush=True)
        except OSError as e:
            print("PID 1:", e.strerror, flush=True)
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("0")
        keep = []
        while True:
            keep.append(bytearray(10 ** 7))
    """)
    before = {m: metric(small_mem.url, m) for m in ("codeexec_warm_python_fallbacks_total",
                                                      "codeexec_warm_python_restarts_total")}
    r = _v1(small_mem.url, code)
    assert r["stdout"] == "PID 1: Permission denied\n", r["stdout"]
    assert r["status"] == "memory_limit", {k: r[k] for k in ("status", "exit_code", "stderr")}
    if mode == "warm":
        assert r["warm"] is True
        for m, v in before.items():
            assert metric(small_mem.url, m) == v, f"{m} moved: the run broke its zygote or reaper"


def test_program_cannot_prlimit_its_pid1(srv):
    """F6: prlimit(2) on PID 1 worked (same uid), so a program could lower the
    rlimits its PID 1 needs to set up the next step: with `stdins` the client
    got 500 sandbox_error. PID 1 now has a real gid of its own; the kernel
    allows prlimit only when all uids and gids match."""
    code = dedent("""
        import resource, sys
        res = []
        for lim in (resource.RLIMIT_NOFILE, resource.RLIMIT_NPROC, resource.RLIMIT_FSIZE):
            try:
                resource.prlimit(1, lim, (0, 0))
                res.append("lowered")
            except OSError as e:
                res.append(e.strerror)
        print(",".join(res), sys.stdin.read())
    """)
    denied = "Operation not permitted,Operation not permitted,Operation not permitted"
    r = _v1(srv.url, code, stdin="x")
    assert r["stdout"] == f"{denied} x\n", r["stdout"]
    body = {"language": "python", "code": code, "timeout": 20, "stdins": ["a", "b", "c"]}
    st, _, raw = request(srv.url, "POST", "/v1/run", body, timeout=80)
    assert st == 200, f"/v1/run with stdins answered {st}: {raw[:300]!r}"
    out = json.loads(raw)
    assert [x["stdout"] for x in out["runs"]] == [f"{denied} {c}\n" for c in "abc"], out["runs"]


def test_pid1_keeps_no_privileges(server):
    """Hardening: a warm run's PID 1 kept CAP_SYS_ADMIN and CAP_SETPCAP (in
    the box's user namespace), had no seccomp filter and was dumpable. Like a
    cold box's PID 1 now: no capability in any set, the box's filter,
    no_new_privs, non-dumpable (its /proc files belong to root)."""
    code = dedent("""
        import json, os
        st = dict(l.split(":", 1) for l in open("/proc/1/status").read().splitlines())
        out = {k: st[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
                                          "NoNewPrivs", "Seccomp")}
        out["oom_owner"] = os.stat("/proc/1/oom_score_adj").st_uid
        try:
            open("/proc/1/environ", "rb").read()
            out["environ"] = "readable"
        except OSError as e:
            out["environ"] = e.strerror
        print(json.dumps(out))
    """)
    res = run_json(server, code)
    zero = "0" * 16
    assert {k: res[k] for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")} == \
        dict.fromkeys(("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"), zero), res
    assert res["NoNewPrivs"] == "1" and res["Seccomp"] == "2", res
    assert res["oom_owner"] != 1000 and res["environ"] == "Permission denied", res


def test_no_host_device_events(server):
    """Hardening: the slots' shared network namespaces belonged to the initial
    user namespace, and the kernel broadcasts the host's device events
    (uevents) to every such namespace: a box listening on
    NETLINK_KOBJECT_UEVENT heard the host's (25 of 25 here). They now belong
    to a user namespace of their own. The test writes `change` to a
    harmless device's uevent file 25 times while the program listens (and
    checks that a socket of the host hears them)."""
    code = dedent("""
        import socket, time
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)   # NETLINK_KOBJECT_UEVENT
        s.bind((0, 1))
        s.settimeout(0.2)
        n, end = 0, time.monotonic() + 3.5
        while time.monotonic() < end:
            try:
                s.recv(65536)
                n += 1
            except socket.timeout:
                pass
        print(n)
    """)
    host = socket_uevents()
    stop = threading.Event()

    def trigger():
        time.sleep(0.8)
        for _ in range(25):
            if stop.is_set():
                return
            Path("/sys/devices/virtual/mem/full/uevent").write_text("change")
            time.sleep(0.08)

    t = threading.Thread(target=trigger)
    t.start()
    try:
        r = v1_run(server, code, timeout=20)
    finally:
        stop.set()
        t.join()
    heard_by_host = host.count()
    assert heard_by_host >= 20, f"control: the host heard {heard_by_host} of 25 events"
    assert r["status"] == "ok" and r["stdout"] == "0\n", (r["stdout"], r["stderr"][-300:])


class socket_uevents:
    """A uevent listener on the host (the control): counts what it hears."""

    def __init__(self):
        import socket
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)
        self.s.bind((0, 1))
        self.s.setblocking(False)

    def count(self) -> int:
        n = 0
        while True:
            try:
                self.s.recv(65536)
                n += 1
            except BlockingIOError:
                break
        self.s.close()
        return n
