"""codeexec in a delegated cgroup v2 subtree, as systemd's Delegate=yes gives
one: /system.slice/codeexec.service with memory, pids and cpu enabled on its
ancestors. One server (warm Python, one slot: the guest has one CPU) serves
every test here in order; the last one stops it and checks what is left.
"""

from __future__ import annotations

import shutil
import time

import pytest

import hostile
from conftest import (CGROOT, Server, cg_children, cg_procs, cg_read, make_cgroup,
                      remove_cgroup)

SERVICE = CGROOT / "system.slice" / "codeexec.service"

ALLOC_512M = "b = bytearray(512 * 1024 * 1024)\nprint('allocated', len(b))\n"


@pytest.fixture(scope="module")
def svc_server(languages_dir):
    make_cgroup(SERVICE)
    s = Server(languages_dir, cgroup=SERVICE, warm=True)
    yield s
    if s.proc.poll() is None:
        s.stop()
    remove_cgroup(SERVICE)


def box_dirs(s: Server) -> list:
    base = SERVICE / f"codeexec-{s.proc.pid}"
    return [n for n in cg_children(base) if n.startswith("box-")] if base.exists() else []


def test_selects_cgroup_v2_and_moves_into_a_leaf(svc_server):
    s = svc_server
    assert s.limits_header() == "cgroup v2", s.log()
    assert "sandbox limits: cgroup v2" in s.log()
    base = SERVICE / f"codeexec-{s.proc.pid}"
    # The server left the unit's cgroup for a leaf, so that the unit's
    # cgroup may hand controllers down (no internal processes).
    assert s.proc.pid in cg_procs(base / "server")
    assert cg_procs(SERVICE) == []
    assert {"memory", "pids"} <= set(cg_read(SERVICE / "cgroup.subtree_control").split())
    assert {"memory", "pids"} <= set(cg_read(base / "cgroup.subtree_control").split())


def test_metrics_name_cgroup_v2(svc_server):
    st, _, body = hostile.request(svc_server.url, "GET", "/metrics", timeout=30)
    assert st == 200
    assert 'codeexec_info{limits="cgroup v2"} 1' in body.decode()


def test_cold_run_ok_in_a_box_cgroup(svc_server):
    r = svc_server.run("import sys\nprint(open('/proc/self/cgroup').read().strip())\n", cold=True)
    assert r["status"] == "ok", r
    assert r["warm"] is False
    # the box has a cgroup namespace rooted at its own cgroup
    assert r["stdout"].strip() == "0::/"
    assert r["memory_kb"] > 0  # memory.peak of the box's own cgroup


def test_box_cgroup_carries_the_run_limits(svc_server):
    """While a cold run sleeps, its box-<id> holds its processes, with the
    run's memory.max, memory.swap.max and pids.max, and the default cpu.weight
    (the cpu controller is on: boxes share CPU equally)."""
    import threading
    s = svc_server
    result = {}
    t = threading.Thread(target=lambda: result.update(
        s.run("import time\ntime.sleep(4)\n", cold=True, limits={"memory_mb": 48, "processes": 7})))
    t.start()
    base = SERVICE / f"codeexec-{s.proc.pid}"
    seen = None
    deadline = time.monotonic() + 60
    while t.is_alive() and seen is None and time.monotonic() < deadline:
        for name in box_dirs(s):
            box = base / name
            try:
                if (cg_read(box / "memory.max").strip() == str(48 << 20)
                        and cg_read(box / "pids.max").strip() == "7" and cg_procs(box)):
                    seen = box
                    assert cg_read(box / "memory.swap.max").strip() == "0"
                    # the cpu controller: every box an equal CPU share
                    assert "cpu" in cg_read(base / "cgroup.subtree_control").split()
                    assert cg_read(box / "cpu.weight").strip() == "100"
            except OSError:
                continue  # removed meanwhile
        time.sleep(0.1)
    t.join()
    assert result.get("status") == "ok", result
    assert seen is not None, "no box cgroup with the run's limits and processes was seen"


def test_cold_memory_limit_is_an_oom_kill(svc_server):
    r = svc_server.run(ALLOC_512M, cold=True, limits={"memory_mb": 64})
    assert r["status"] == "memory_limit", r
    assert r["signal"] == 9
    assert "allocated" not in r["stdout"]
    assert r["warm"] is False


SMALL = "x = bytearray(4 * 1024 * 1024)\nprint(len(x))\n"


def test_cold_peak_is_per_run(svc_server):
    # memory.peak cannot be reset before Linux 6.12; a cold run has a fresh
    # cgroup, so its peak is its own whatever ran before (here: the OOM).
    r = svc_server.run(SMALL, cold=True)
    assert r["status"] == "ok", r
    assert 0 < r["memory_kb"] < 32 * 1024, r


def test_timeout_reports_cpu_from_cpu_stat(svc_server):
    # At a time-out the CPU time comes from the box cgroup's cpu.stat (the
    # program never exited, so no rusage): non-zero only if that was read.
    r = svc_server.run("while True:\n    pass\n", timeout=3, cold=True)
    assert r["status"] == "timeout", r
    assert r["cpu_ms"] > 0


def forks_until_refused(n: int) -> str:
    """A program that forks n sleeping children and prints how many forks
    succeeded and how many the pids limit refused."""
    return (
        "import os, time\n"
        "ok = failed = 0\n"
        f"for _ in range({n}):\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except BlockingIOError:\n"
        "        failed += 1\n"
        "        continue\n"
        "    if pid == 0:\n"
        "        time.sleep(30)\n"
        "        os._exit(0)\n"
        "    ok += 1\n"
        "print(ok, failed, flush=True)\n"
        "os._exit(0)\n"
    )


def test_pids_limit_makes_fork_fail(svc_server):
    code = forks_until_refused(40)
    r = svc_server.run(code, timeout=60, cold=True, limits={"processes": 10})
    assert r["status"] == "ok", r
    ok, failed = map(int, r["stdout"].split())
    assert ok < 10 and failed > 0, r
    # the sleeping children die with the run
    hostile.assert_no_box_processes(settle=30, url=svc_server.url)


def test_fork_bomb_is_contained(svc_server):
    s = svc_server
    r = s.run("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
              timeout=5, cold=True, limits={"processes": 16})
    assert r["status"] == "timeout", r
    assert s.limits_header() == "cgroup v2"  # still serving
    hostile.assert_no_box_processes(settle=30, url=s.url)
    r = s.run("print('after')\n", cold=True)
    assert r["status"] == "ok" and r["stdout"] == "after\n", r


def test_warm_runs_on_v2(svc_server):
    s = svc_server
    hostile.wait_warm_ready(s.url, timeout=180)
    r = s.run("print(6 * 7)\n")
    assert r["status"] == "ok" and r["stdout"] == "42\n", r
    assert r["warm"] is True, r


def test_warm_memory_limit_is_an_oom_kill(svc_server):
    s = svc_server
    hostile.wait_warm_ready(s.url, timeout=180)
    r = s.run(ALLOC_512M, limits={"memory_mb": 64})
    assert r["warm"] is True, r
    assert r["status"] == "memory_limit", r
    assert r["signal"] == 9
    # the pool replaces the zygote the OOM killer may have taken, and a warm
    # run works again
    hostile.wait_warm_ready(s.url, timeout=180)
    r = s.run("print('again')\n")
    assert r["status"] == "ok" and r["stdout"] == "again\n", r


def test_warm_peak_is_per_run(svc_server):
    """Each warm run is born in a fresh cgroup of its own (the zygote parks in
    it ahead of the run), so its memory.peak is its own even where the kernel
    (6.1 here) cannot reset a peak: a small run after a big one reports small."""
    s = svc_server
    hostile.wait_warm_ready(s.url, timeout=180)
    r = s.run("x = bytearray(40 * 1024 * 1024)\n")
    assert r["status"] == "ok" and r["warm"] is True, r
    hostile.wait_warm_ready(s.url, timeout=180)
    r = s.run(SMALL)
    assert r["status"] == "ok" and r["warm"] is True, r
    assert r["memory_kb"] < 32 * 1024, r


def test_warm_pids_limit(svc_server):
    s = svc_server
    hostile.wait_warm_ready(s.url, timeout=180)
    code = forks_until_refused(30)
    r = s.run(code, timeout=60, limits={"processes": 8})
    assert r["warm"] is True, r
    assert r["status"] == "ok", r
    ok, failed = map(int, r["stdout"].split())
    assert ok < 8 and failed > 0, r
    hostile.assert_no_box_processes(settle=30, url=s.url)  # zygotes are not counted


JUDGED_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
  int k; if (scanf("%d", &k) != 1) return 9;
  if (k == 1) { for (;;) { char *p = malloc(1 << 20); if (!p) return 7; memset(p, 1, 1 << 20); } }
  if (k == 2) { int ok = 0, failed = 0;
    for (int i = 0; i < 30; i++) { pid_t p = fork(); if (p == 0) { pause(); _exit(0); } if (p > 0) ok++; else failed++; }
    printf("%d %d\n", ok, failed); return 0; }
  puts("ok"); return 0;
}
"""


def judge(s, body, timeout=300):
    import json
    st, _, out = hostile.request(s.url, "POST", "/v1/judge", body, timeout=timeout)
    assert st == 200, f"/v1/judge answered {st}: {out[:500]!r}\n{s.log()[-3000:]}"
    return json.loads(out)


def test_judge_zygote_tests_have_their_limits_on_v2(svc_server):
    """A judge's tests forked from its judge zygote each join a cgroup of
    their own (no parking: the zygote waits outside, suspended), with the
    test's memory and process limits."""
    s = svc_server
    if not shutil.which("gcc"):
        pytest.skip("gcc is not installed in the guest")
    j = judge(s, {"language": "c", "code": JUDGED_C,
                  "tests": [{"stdin": "0", "expected": "ok"}, {"stdin": "1", "expected": "ok"},
                            {"stdin": "2", "expected": "?"}, {"stdin": "0", "expected": "ok"}],
                  "limits": {"memory_mb": 64, "processes": 8, "wall_ms": 20000}})
    assert j["compile"]["exit_code"] == 0, j["compile"]
    got = [(t["verdict"], t["forked"]) for t in j["tests"]]
    assert got[0] == got[3] == ("AC", True), (got, s.log()[-3000:])
    assert got[1] == ("MLE", True) and j["tests"][1]["signal"] == 9, j["tests"][1]
    ok, failed = map(int, j["tests"][2]["stdout"].split())
    assert j["tests"][2]["forked"] and ok < 8 and failed > 0, j["tests"][2]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and hostile.metric(s.url, "codeexec_judge_zygotes") != 0:
        time.sleep(0.2)
    assert hostile.metric(s.url, "codeexec_judge_zygotes") == 0


def test_boxes_are_removed_after_runs(svc_server):
    s = svc_server
    base = SERVICE / f"codeexec-{s.proc.pid}"

    def populated():
        return [n for n in box_dirs(s) if (base / n / "cgroup.procs").read_text().split()]

    # What remains for the one warm slot: the zygote's box cgroup (empty once
    # the zygote has moved on) and the cgroup it is parked in for the next
    # run, which holds the zygote alone. Every run's own cgroup is gone.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if len(box_dirs(s)) <= 2 and len(populated()) <= 1:
            break
        time.sleep(0.5)
    assert len(box_dirs(s)) <= 2, box_dirs(s)
    busy = populated()
    assert len(busy) <= 1, busy
    for n in busy:
        assert len((base / n / "cgroup.procs").read_text().split()) == 1, n


def test_zz_sigterm_exits_0_and_leaves_nothing(svc_server):
    s = svc_server
    rc = s.stop()
    log = s.log()
    # It used to die of SIGKILL here: moving itself back into the unit's
    # cgroup hit EBUSY (subtree_control set), and the clean-up then killed
    # the leaf it was still in.
    assert rc == 0, f"exit status {rc}\n{log}"
    assert "stopped" in log
    assert "cgroup v2:" not in log, log  # no clean-up warning
    assert cg_children(SERVICE) == [], "left behind: " + ", ".join(cg_children(SERVICE))
    assert cg_procs(SERVICE) == []
    # it took back the controllers it enabled in the unit's cgroup
    assert cg_read(SERVICE / "cgroup.subtree_control").split() == []
