"""No dialect weakens the sandbox (issue 15): hostile probes run through every
API — /v1/run, SandboxFusion's /run_code, Piston's /api/v2/execute and
Judge0's /submissions — see exactly the same box.

Each probe is a Python program that tries an attack and prints what it
could observe as one JSON object (errno names, ids, capabilities, what a
read or a connect returned): deterministic, so the differential is exact.
The /v1/run observation is checked against the protection it names (as
test_hostile_programs.py does in depth), and every dialect's observation
must equal it byte for byte. A fork bomb through each dialect is contained
and the server keeps answering."""

from __future__ import annotations

import base64
import json
import textwrap

import pytest
import requests

from conftest import start_server  # noqa: E402
from hostile import assert_healthy, hostport

SECRET = "hostile-dialect-secret-7d1f"


@pytest.fixture(scope="module")
def srv():
    # Piston's 1024-byte output cap would cut the observations
    import os
    os.environ["CODEEXEC_DIALECT_PROBE_SECRET"] = SECRET
    try:
        with start_server("--piston-output-max", "1048576") as s:
            yield s
    finally:
        del os.environ["CODEEXEC_DIALECT_PROBE_SECRET"]


def via_v1(url, code):
    r = requests.post(url + "/v1/run", json={"language": "python", "code": code}, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()["stdout"]


def via_sandboxfusion(url, code):
    r = requests.post(url + "/run_code", json={"language": "python", "code": code}, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()["run_result"]["stdout"]


def via_piston(url, code):
    r = requests.post(url + "/api/v2/execute", timeout=120,
                      json={"language": "python", "version": "*", "files": [{"content": code}]})
    assert r.status_code == 200, r.text
    return r.json()["run"]["stdout"]


def via_judge0(url, code):
    r = requests.post(url + "/submissions?wait=true&base64_encoded=true", timeout=120,
                      json={"language_id": 71,
                            "source_code": base64.b64encode(code.encode()).decode()})
    assert r.status_code == 201, r.text
    out = r.json()["stdout"]
    return base64.b64decode(out).decode() if out else ""


DIALECTS = {"sandboxfusion": via_sandboxfusion, "piston": via_piston, "judge0": via_judge0}


def probe(body: str) -> str:
    return "import json, os, errno, socket, ctypes\nres = {}\n" + textwrap.dedent(body) + \
        "\nprint(json.dumps(res, sort_keys=True))\n"


PROBES = {
    # host secrets and the server's files
    "files": probe("""
        for p in ["/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/root/.bashrc", "/proc/1/environ",
                  "/var/lib/codeexec", "/home", "/root", "/proc/kcore", "/sys/kernel/security"]:
            try:
                if os.path.isdir(p):
                    res[p] = sorted(os.listdir(p))
                else:
                    res[p] = len(open(p, "rb").read())
            except OSError as e:
                res[p] = errno.errorcode[e.errno]
    """),
    # who the program is and what it may do
    "identity": probe("""
        res["ids"] = [os.getuid(), os.geteuid(), os.getgid(), os.getegid()]
        st = dict(l.split(":\\t", 1) for l in open("/proc/self/status").read().splitlines() if ":\\t" in l)
        for k in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"]:
            res[k] = st.get(k, "").strip()
        try:
            os.setuid(0); res["setuid"] = "ok"
        except OSError as e:
            res["setuid"] = errno.errorcode[e.errno]
        res["secret"] = any("hostile-dialect-secret" in v for v in os.environ.values())
    """),
    # the file system outside /tmp
    "writes": probe("""
        for p in ["/usr/bin/evil", "/etc/evil", "/evil", "/proc/sys/kernel/hostname", "/dev/evil"]:
            try:
                open(p, "w").write("x"); res[p] = "ok"
            except OSError as e:
                res[p] = errno.errorcode[e.errno]
    """),
    # the network
    "network": probe("""
        res["ifaces"] = sorted(l.split(":")[0].strip() for l in open("/proc/net/dev").read().splitlines()[2:])
        for host, port in [("127.0.0.1", PORT), ("10.0.0.1", 80), ("1.1.1.1", 53)]:
            s = socket.socket()
            s.settimeout(2)
            try:
                s.connect((host, port)); res[host] = "connected"
            except OSError as e:
                res[host] = errno.errorcode.get(e.errno, str(e))
            finally:
                s.close()
    """),
    # kernel interfaces the seccomp filter and the namespaces deny
    "syscalls": probe("""
        libc = ctypes.CDLL(None, use_errno=True)
        def call(name, *args):
            r = getattr(libc, name)(*args)
            return "ok" if r == 0 else errno.errorcode.get(ctypes.get_errno(), "?")
        res["unshare_user"] = call("unshare", 0x10000000)
        res["mount"] = call("mount", b"none", b"/tmp", b"tmpfs", 0, None)
        res["ptrace_pid1"] = call("ptrace", 16, 1, None, None)
        res["setns"] = call("setns", -1, 0)
        res["chroot"] = call("chroot", b"/tmp")
        # the kernel drops a signal to the namespace's init from inside it
        # without a word (kill returns 0): what matters is that PID 1 is
        # still there, which this output (sent through it) proves
        res["kill_init"] = call("kill", 1, 9)
        res["sethostname"] = call("sethostname", b"x", 1)
    """),
}


@pytest.fixture(scope="module")
def observed(srv):
    """Each probe's observation through /v1/run (the reference)."""
    host, port = hostport(srv.url)
    return {name: via_v1(srv.url, code.replace("PORT", str(port))) for name, code in PROBES.items()}


def test_reference_observations_show_the_protections(observed):
    files = json.loads(observed["files"])
    for p in ["/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/root/.bashrc", "/proc/1/environ"]:
        assert isinstance(files[p], str) or files[p] == 0, (p, files[p])   # an errno or empty
    ident = json.loads(observed["identity"])
    assert ident["ids"][0] != 0 and ident["CapEff"] == "0000000000000000" and ident["NoNewPrivs"] == "1"
    assert ident["Seccomp"] == "2" and ident["setuid"] in ("EPERM", "EINVAL") and ident["secret"] is False
    writes = json.loads(observed["writes"])
    assert all(v != "ok" for v in writes.values()), writes
    net = json.loads(observed["network"])
    assert net["ifaces"] in ([], ["lo"]) and "connected" not in net.values(), net
    sys_ = json.loads(observed["syscalls"])
    assert all(v != "ok" for k, v in sys_.items() if k != "kill_init"), sys_


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize("name", sorted(PROBES))
def test_every_dialect_sees_the_same_box(srv, observed, dialect, name):
    host, port = hostport(srv.url)
    got = DIALECTS[dialect](srv.url, PROBES[name].replace("PORT", str(port)))
    assert got == observed[name], f"{dialect} saw a different box than /v1/run for {name}"


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_fork_bomb_through_each_dialect_is_contained(srv, dialect):
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    try:
        DIALECTS[dialect](srv.url, bomb)
    except AssertionError:
        pass   # a dialect may report the run's end as an error reply; what matters is below
    assert_healthy(srv.url, within=5.0)
    assert via_v1(srv.url, "print(42)") == "42\n"
