"""Server behaviour: admission, cancellation, shutdown, cleanup, the native
API's batch stream, metrics, request ids and the access log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time

import pytest
import requests

from conftest import REPO_ROOT, start_server
from hostile import SERVER_KEPT_COMMS, descends_from

# the servers' --uid-base (conftest passes CODEEXEC_UID_BASE to those naming none)
BOX_UID_BASE = int(os.environ.get("CODEEXEC_UID_BASE") or 200000)


def box_processes(server_pid):
    """Processes under server_pid running as a sandbox uid (BOX_UID_BASE + 0..999),
    warm Python zygotes (which outlive runs by design) excepted.
    Other servers (other tests, other users) may run boxes at the same time:
    only this server's descendants count."""
    out = subprocess.run(["ps", "-eo", "uid=,pid=,ppid=,comm="], capture_output=True,
                         text=True).stdout
    rows = [l.split(None, 3) for l in out.splitlines()]
    parent = {int(r[1]): int(r[2]) for r in rows}

    def warm_zygote(r):
        # long-lived by design: the server's own child, a warm zygote or a
        # standby box (built ahead)
        return len(r) > 3 and r[3] in SERVER_KEPT_COMMS and int(r[2]) == server_pid

    return [" ".join(r) for r in rows
            if BOX_UID_BASE <= int(r[0]) < BOX_UID_BASE + 1000
            and descends_from(int(r[1]), server_pid, parent) and not warm_zygote(r)]


def wait_until(cond, timeout=5.0, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


def test_fifo_order_and_queue_time_not_counted(server_factory):
    import http.client
    s = server_factory("--max-running", "1")
    # Ten 0.5 s runs through one slot, each request fully sent (on its own
    # connection) before the next: the last waits ~4.5 s in the queue but has
    # a 3 s limit that must not include that wait, and they finish in order.
    conns = []
    for i in range(10):
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=60)
        c.request("POST", "/py_exec", body=json.dumps(
            {"code": f"import time\ntime.sleep(0.5)\nprint({i})", "timeout": 3}))
        conns.append(c)
        time.sleep(0.05)
    done = {}

    def collect(i, c):
        body = c.getresponse().read().decode()
        done[i] = (time.monotonic(), body)

    threads = [threading.Thread(target=collect, args=(i, c)) for i, c in enumerate(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(done[i][1] == f"0\n{i}\n" for i in range(10)), done
    assert sorted(range(10), key=lambda i: done[i][0]) == list(range(10))


def test_queue_full_is_503_with_retry_after(server_factory):
    s = server_factory("--max-running", "1", "--max-queue", "1")
    codes = []

    def run():
        r = requests.post(s.url + "/py_exec", json={"code": "import time; time.sleep(1)"})
        codes.append((r.status_code, r.headers.get("Retry-After"), r.text))

    threads = [threading.Thread(target=run) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [c for c in codes if c[0] == 200]
    busy = [c for c in codes if c[0] == 503]
    assert len(ok) == 2 and len(busy) == 3, codes
    assert all(c[1] == "1" and "queue is full" in c[2] for c in busy)


def test_client_hangup_kills_the_run(server, server_proc):
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(server + "/py_exec", json={"code": "import time\ntime.sleep(30)"}, timeout=1)
    assert wait_until(lambda: not box_processes(server_proc.pid), timeout=15)


def test_nothing_outlives_a_run(server, server_proc):
    code = ("import os, subprocess\n"
            "subprocess.Popen(['/bin/sleep', '300'], start_new_session=True)\n"
            "if os.fork() == 0:\n    os.setsid()\n    os.execv('/bin/sleep', ['sleep', '301'])\n"
            "print('bye')\n")
    r = requests.post(server + "/py_exec", json={"code": code})
    assert r.text == "0\nbye\n"
    assert wait_until(lambda: not box_processes(server_proc.pid), timeout=15)


def cgroup_dirs(pid):
    found = []
    for root, dirs, _ in os.walk("/sys/fs/cgroup"):
        for d in dirs:
            if d == f"codeexec-{pid}":
                found.append(os.path.join(root, d))
        if root.count("/") > 8:
            dirs[:] = []
    return found


def test_sigterm_drains_running_runs_and_removes_cgroups():
    s = start_server("--grace", "10")
    pid = s.pid
    assert cgroup_dirs(pid), "expected the server's cgroups while it runs"
    result = {}

    def run():
        r = requests.post(s.url + "/py_exec", json={"code": "import time\ntime.sleep(1)\nprint('done')"})
        result["text"] = r.text

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.3)
    s.proc.send_signal(signal.SIGTERM)
    t.join(10)
    assert result.get("text") == "0\ndone\n"
    s.proc.wait(10)
    assert s.proc.returncode == 0
    assert not cgroup_dirs(pid)
    s.stop()


def test_restart_after_sigkill_cleans_up_leftovers():
    s = start_server()
    pid = s.pid

    def long_run():
        try:
            requests.post(s.url + "/py_exec", json={"code": "import time; time.sleep(20)"})
        except requests.exceptions.ConnectionError:
            pass  # the server is killed under it

    threading.Thread(target=long_run, daemon=True).start()
    assert wait_until(lambda: box_processes(pid), timeout=30)
    box_rows = box_processes(pid)
    boxed = [int(l.split()[1]) for l in box_rows]
    s.proc.kill()
    s.proc.wait()
    assert cgroup_dirs(pid), "the killed server's cgroups should still be there"
    # Its boxes die with it (PID 1 of each box has PDEATHSIG = SIGKILL).
    def alive():
        return [b for b in boxed if os.path.exists(f"/proc/{b}")]

    def describe(pids):
        rows = []
        for b in pids:
            try:
                status = dict(l.split(":\t", 1) for l in open(f"/proc/{b}/status").read().splitlines()
                              if ":\t" in l)
                cmd = open(f"/proc/{b}/cmdline", "rb").read().replace(b"\0", b" ")[:120]
                wchan = open(f"/proc/{b}/wchan").read()
                syscall = open(f"/proc/{b}/syscall").read().split()[:2]
                stack = open(f"/proc/{b}/stack").read().replace("\n", " | ")[:600]
                rows.append(f"{b}: {status.get('Name')} {status.get('State')} "
                            f"ppid {status.get('PPid')} uid {status.get('Uid')} {cmd!r} "
                            f"in {wchan} syscall {syscall} stack {stack}")
            except OSError as e:
                rows.append(f"{b}: {e}")
        return rows

    assert wait_until(lambda: not alive(), timeout=15), \
        f"boxes at the kill: {box_rows}; alive 15 s later: {describe(alive())}"
    s2 = start_server()
    try:
        assert wait_until(lambda: not cgroup_dirs(pid), timeout=15)
    finally:
        s2.stop()
        s.stop()


def test_batch_streams_in_completion_order(server):
    runs = [
        {"language": "python", "code": "import time; time.sleep(2); print('slow')"},
        {"language": "python", "code": "print('fast')"},
        {"language": "cobol", "code": ""},
        {"language": "python", "code": "import sys; sys.exit(3)"},
    ]
    with requests.post(server + "/v1/batch", json={"runs": runs}, stream=True) as r:
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "application/x-ndjson"
        lines = [json.loads(l) for l in r.iter_lines() if l]
    assert lines[-1] == {"done": True, "count": 4}
    by_index = {l["index"]: l for l in lines[:-1]}
    assert sorted(by_index) == [0, 1, 2, 3]
    assert by_index[0]["stdout"] == "slow\n" and by_index[0]["passed"]
    assert by_index[1]["stdout"] == "fast\n"
    assert by_index[2]["error"] == "unknown_language"
    assert by_index[3]["exit_code"] == 3 and by_index[3]["status"] == "runtime_error"
    order = [l["index"] for l in lines[:-1]]
    assert order.index(1) < order.index(0)


def test_batch_hangup_cancels_every_run(server, server_proc):
    runs = [{"language": "python", "code": "import time; time.sleep(30)"} for _ in range(6)]
    with pytest.raises(requests.exceptions.RequestException):
        requests.post(server + "/v1/batch", json={"runs": runs}, timeout=1).text
    assert wait_until(lambda: not box_processes(server_proc.pid), timeout=15)
    r = requests.post(server + "/py_exec", json={"code": "print(7)"}, timeout=10)
    assert r.text == "0\n7\n"


def test_batch_rejects_bad_bodies(server):
    r = requests.post(server + "/v1/batch", json={"runs": []})
    assert r.status_code == 400 and r.json()["error"] == "invalid_field"
    r = requests.post(server + "/v1/batch", data=b"{")
    assert r.status_code == 400 and r.json()["error"] == "invalid_json"


def test_v1_run_reports_memory_limit(server_factory):
    s = server_factory("--memory-mb", "128")
    r = requests.post(s.url + "/v1/run", json={
        "language": "python", "code": "x = bytearray(512 * 1024 * 1024)\nprint(len(x))"})
    j = r.json()
    assert j["status"] == "memory_limit", j
    assert j["passed"] is False and j["exit_code"] != 0


def test_request_id_metrics_and_access_log(server_factory):
    s = server_factory()
    r = requests.post(s.url + "/py_exec", json={"code": "print(1)"},
                      headers={"X-Request-Id": "abc-123"})
    assert r.headers["X-Request-Id"] == "abc-123"
    r2 = requests.get(s.url + "/health")
    assert r2.headers["X-Request-Id"] and r2.headers["X-Request-Id"] != "abc-123"
    m = requests.get(s.url + "/metrics").text
    assert 'codeexec_http_requests_total{endpoint="/py_exec",code="200"} 1' in m
    assert 'codeexec_runs_total{language="python",verdict="OK",status="ok"} 1' in m
    assert "codeexec_queue_length 0" in m and "codeexec_running 0" in m
    assert wait_until(lambda: '"id":"abc-123"' in s.log_text(), timeout=15)
    line = next(l for l in s.log_text().splitlines() if '"id":"abc-123"' in l)
    entry = json.loads(line)
    assert entry["endpoint"] == "/py_exec" and entry["status"] == 200
    assert entry["language"] == "python" and entry["verdict"] == "OK"


def test_broken_sandbox_step_is_a_server_error(tmp_path):
    langs = tmp_path / "languages"
    langs.mkdir()
    (langs / "python.json").write_text((REPO_ROOT / "languages" / "python.json").read_text())
    (langs / "broken.json").write_text(json.dumps({
        "key": "broken", "name": "Broken", "source_file": "x.txt",
        "steps": [{"name": "run", "argv": ["/nonexistent/tool", "{src}"], "timeout_s": 5}],
        "verdict": [{"status": "OK"}]}))
    with start_server("--languages", str(langs)) as s:
        r = requests.post(s.url + "/v1/run", json={"language": "broken", "code": "x"})
        assert r.status_code == 500
        assert r.json()["error"] == "sandbox_error"
        assert "/nonexistent/tool" in r.json()["message"]
        r = requests.post(s.url + "/any_exec", json={"language": "broken", "lang": "broken", "code": "x"})
        assert r.status_code == 500 and r.text.startswith("1\nInternal error")
        assert requests.get(s.url + "/health").text == "OK"


def test_broken_recipe_stops_startup(tmp_path):
    langs = tmp_path / "languages"
    langs.mkdir()
    (langs / "bad.json").write_text('{"key": "bad"}')
    p = subprocess.run([str(REPO_ROOT / "build" / "codeexec"), "--languages", str(langs),
                        "--port", "1"], capture_output=True, text=True, timeout=10)
    assert p.returncode == 1
    assert "bad.json" in p.stderr and "missing \"name\"" in p.stderr


def test_help_lists_every_option():
    p = subprocess.run([str(REPO_ROOT / "build" / "codeexec"), "--help"], capture_output=True,
                       text=True, timeout=10)
    assert p.returncode == 0
    for flag in ("--ip", "--port", "--auth-token", "--max-running", "--max-queue",
                 "--max-timeout", "--memory-mb", "--output-limit", "--languages"):
        assert flag in p.stdout


def test_rlimit_fallback_without_cgroups(server_factory):
    s = server_factory("--no-cgroups", "--memory-mb", "256", "--processes", "64")
    h = requests.get(s.url + "/health")
    assert h.text == "OK" and h.headers["X-Codeexec-Limits"] == "rlimits only"
    assert "limits fall back to rlimits only" in s.log_text()
    r = requests.post(s.url + "/v1/run", json={
        "language": "python", "code": "x = bytearray(512 * 1024 * 1024)"}).json()
    assert r["exit_code"] != 0 and "MemoryError" in r["stderr"], r
    r = requests.post(s.url + "/v1/run", json={"language": "python", "code": (
        "import os, time\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
        "            time.sleep(30)\n            os._exit(0)\n        n += 1\n"
        "except OSError as e:\n    print(n, e.errno)\n")}).json()
    forked, errno_ = map(int, r["stdout"].split())
    assert forked < 64 and errno_ == 11, r
    assert wait_until(lambda: not box_processes(s.pid), timeout=15)


def test_health_announces_cgroup_mode(server):
    assert requests.get(server + "/health").headers["X-Codeexec-Limits"] in (
        "cgroup v1", "cgroup v2")
