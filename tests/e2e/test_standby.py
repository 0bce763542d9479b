"""Standby boxes (src/sandbox/standby.c): each slot's next box is built ahead,
and a run that fits it starts there instead of in a box built after it came.

What must hold: a run sees exactly what it would see in a box built for it
(the same file system, mounts, limits, ids, capabilities, environment,
PID 1), so two servers, one with standby boxes and one started with
--no-standby, give byte-identical results for programs that look at all of
that; a standby built for one recipe is never used for a run with other
binds (a C++ box's precompiled-header mount is not seen by a shell run); the
runs of one slot really take the standby path (counted in /metrics); and a
standby is the server's own process, gone when the server stops.

Standbys are cloned by the spawner (src/sandbox/spawner.c), a process forked
from the server at start-up, with CLONE_PARENT: a third server started with
--no-spawner clones them itself, and all three agree byte for byte. When the
spawner dies the server goes on, cloning standbys itself.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import signal
import subprocess
import time

import pytest
import requests

from conftest import start_server
from hostile import describe_processes, empty_cgroups, metric, wait_quiet

# Everything a program can learn about its box, in one shell run.
LOOK_AROUND = r"""
echo "== id"; id
echo "== comm of 1"; cat /proc/1/comm
echo "== cmdline of 1 (wiped; its length is the server's command line's)"; tr -d '\0' </proc/1/cmdline | wc -c
echo "== pid"; echo $$
echo "== caps"; grep -E '^(Cap|NoNewPrivs|Seccomp)' /proc/self/status
echo "== limits"; ulimit -a
echo "== mounts"; cut -d' ' -f2-4 /proc/self/mounts
echo "== df"; df -k /tmp /dev/shm | tr -s ' ' | cut -d' ' -f2,6
echo "== root"; ls -la / | awk '{print $1, $NF}'
echo "== tmp"; ls -la /tmp | awk '{print $1, $3, $NF}'
echo "== dev"; ls /dev
echo "== env"; env | sort
echo "== hostname"; hostname
echo "== cgroup"; cat /proc/self/cgroup
echo "== stdin"; cat
echo "== write"; echo x > /tmp/f && cat /tmp/f; echo y > /etc/f 2>&1 || echo "no /etc/f"
"""

C_PROGRAM = '#include <stdio.h>\nint main(void){int a,b; if(scanf("%d %d",&a,&b)!=2) return 3;' \
    ' printf("%d\\n", a+b); return a;}\n'


STANDBY = 'codeexec_boxes_started_total{how="standby"}'
SPAWNED = "codeexec_standby_boxes_spawned_total"
DISCARDED = "codeexec_standby_boxes_discarded_total"
KEPT = "codeexec_box_cgroups_kept"
REUSED = "codeexec_box_cgroups_reused_total"


def without_measurements(v):
    """v less what differs between any two runs: times, memory, ids."""
    if isinstance(v, dict):
        return {k: without_measurements(x) for k, x in v.items()
                if not (k.endswith("_ms") or k in ("memory_kb", "id", "timing"))}
    if isinstance(v, list):
        return [without_measurements(x) for x in v]
    return v


def run(url: str, language: str, code: str, stdin: str = "") -> dict:
    r = requests.post(url + "/v1/run", json={"language": language, "code": code, "stdin": stdin},
                      timeout=120)
    assert r.status_code == 200, r.text
    return without_measurements(r.json())


@pytest.fixture(scope="module")
def trio():
    """Three one-slot servers: standby boxes from the spawner, standby boxes
    cloned by the server itself, none; probes done."""
    with start_server("--max-running", "1") as on, \
            start_server("--max-running", "1", "--no-spawner") as here, \
            start_server("--max-running", "1", "--no-standby") as off:
        for s in (on, here, off):
            wait_quiet(s.url)
        yield on, here, off


@pytest.fixture(scope="module")
def pair(trio):
    """The servers with standby boxes (from the spawner) and without."""
    on, _, off = trio
    yield on, off


def test_a_run_sees_the_same_box_either_way(trio):
    on, here, off = trio
    before = {s: (metric(s.url, STANDBY), metric(s.url, SPAWNED)) for s in trio}
    for i in range(3):
        a = run(on.url, "sh", LOOK_AROUND, stdin=f"input {i}\n")
        b = run(off.url, "sh", LOOK_AROUND, stdin=f"input {i}\n")
        c = run(here.url, "sh", LOOK_AROUND, stdin=f"input {i}\n")
        assert a["status"] == "ok", a
        assert a == b
        assert c == b
    # consecutive runs of the one slot took standby boxes; the third never
    assert metric(on.url, STANDBY) - before[on][0] >= 2
    assert metric(here.url, STANDBY) - before[here][0] >= 2
    assert metric(off.url, STANDBY) == 0
    # cloned by the spawner, or by the server itself with --no-spawner
    assert metric(on.url, SPAWNED) - before[on][1] >= 2
    assert metric(here.url, SPAWNED) == 0


def test_compiled_programs_and_failures_are_the_same(pair):
    on, off = pair
    cases = [("c", C_PROGRAM, "2 40\n"), ("c", C_PROGRAM, "0 1\n"), ("c", C_PROGRAM, ""),
             ("c", "int main(void) { return x; }\n", ""),
             ("sh", "echo out; echo err >&2; exit 7", ""),
             ("sh", "kill -SEGV $$", ""),
             ("sh", "head -c 2000000 /dev/zero | tr '\\0' a", "")]
    for lang, code, stdin in cases:
        for _ in range(2):
            a = run(on.url, lang, code, stdin)
            b = run(off.url, lang, code, stdin)
            assert a == b, (lang, code)


def test_a_standby_for_other_binds_is_not_used(pair):
    """C++ boxes mount the precompiled-header cache; a shell run after one must
    not see it, whichever box was ready."""
    on, _ = pair
    look = "ls /var/cache/codeexec 2>&1; echo rc=$?"
    alone = run(on.url, "sh", look)
    cpp = run(on.url, "cpp", "#include <cstdio>\nint main(){puts(\"hi\");}\n")
    assert cpp["status"] == "ok" and cpp["stdout"] == "hi\n", cpp
    discarded = metric(on.url, DISCARDED)
    after_cpp = run(on.url, "sh", look)
    assert after_cpp == alone
    assert "rc=2" in after_cpp["stdout"], after_cpp
    # the C++ box's standby (with its mount) was thrown away for the shell run
    assert metric(on.url, DISCARDED) > discarded


def test_runs_in_parallel_slots_each_get_their_own_standby():
    with start_server("--max-running", "2") as s:
        wait_quiet(s.url)
        before = metric(s.url, STANDBY)
        with cf.ThreadPoolExecutor(4) as pool:
            got = list(pool.map(lambda i: run(s.url, "c", C_PROGRAM, f"{i % 5} {i}\n"), range(24)))
        for i, r in enumerate(got):
            assert r["stdout"] == f"{i % 5 + i}\n", r
            assert r["exit_code"] == i % 5, r
        assert metric(s.url, STANDBY) - before >= 12


def standby_processes(server_pid: int) -> list:
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,comm="], capture_output=True, text=True,
                         check=True).stdout
    return [l.split()[0] for l in out.splitlines()
            if l.split()[1:] == [str(server_pid), "codeexec-wait"]]


def spawner_processes(server_pid: int) -> list:
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,uid=,comm="], capture_output=True,
                         text=True, check=True).stdout
    return [l.split()[0] for l in out.splitlines()
            if l.split()[1:] == [str(server_pid), "0", "codeexec-spawn"]]


def test_without_its_spawner_the_server_clones_standbys_itself():
    with start_server("--max-running", "1", "--no-warm-python") as s:
        wait_quiet(s.url)
        spawner = spawner_processes(s.pid)
        assert len(spawner) == 1, spawner
        for i in range(3):
            assert run(s.url, "c", C_PROGRAM, f"1 {i}\n")["stdout"] == f"{i + 1}\n"
        assert metric(s.url, SPAWNED) >= 2
        # the released boxes' cgroups were removed (by the spawner) or kept
        # to serve the next boxes (sandbox/cgpool.c): what else is left has
        # a process in it (the standby's)
        assert len(empty_cgroups(s.pid)) <= metric(s.url, KEPT)
        os.kill(int(spawner[0]), signal.SIGKILL)
        spawned, standby = metric(s.url, SPAWNED), metric(s.url, STANDBY)
        for i in range(6):
            r = run(s.url, "c", C_PROGRAM, f"2 {i}\n")
            assert r["stdout"] == f"{i + 2}\n" and r["exit_code"] == 2, r
        # at most the one asked before the kill came back; then the server's own
        assert metric(s.url, SPAWNED) - spawned <= 1
        assert metric(s.url, STANDBY) - standby >= 4
        assert requests.get(s.url + "/health", timeout=10).status_code == 200
        assert len(empty_cgroups(s.pid)) <= metric(s.url, KEPT)


def test_a_signal_to_the_process_group_stops_the_server_in_order():
    """^C in a terminal reaches the whole process group: the spawner leaves
    the signal to the server, which drains and closes the spawner's socket;
    nothing says the spawner was lost."""
    s = start_server("--max-running", "1", "--no-warm-python")
    with s:
        wait_quiet(s.url)
        assert run(s.url, "sh", "echo hi")["stdout"] == "hi\n"
        spawner = spawner_processes(s.pid)
        assert len(spawner) == 1, spawner
        os.killpg(s.pid, signal.SIGINT)   # the server leads its own session
        s.proc.wait(timeout=30)
        log = s.log_text()
    assert "spawner gone" not in log, log[-2000:]
    assert "stopped" in log, log[-2000:]
    deadline = time.monotonic() + 15
    while os.path.exists(f"/proc/{spawner[0]}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{spawner[0]}")


def test_standby_boxes_are_the_servers_and_end_with_it():
    s = start_server("--max-running", "2")
    with s:
        wait_quiet(s.url)
        for i in range(3):
            assert run(s.url, "sh", "echo hi")["stdout"] == "hi\n"
        # one per slot at most, in a PID namespace of its own (it is its PID 1);
        # a finished run's box may still be ending (it is reaped after its
        # reply is sent), so the count is read again until it settles
        deadline = time.monotonic() + 10
        waiting = standby_processes(s.pid)
        while not 1 <= len(waiting) <= 2 and time.monotonic() < deadline:
            time.sleep(0.1)
            waiting = standby_processes(s.pid)
        assert 1 <= len(waiting) <= 2, describe_processes([f"0 0 {p}" for p in waiting])
        for pid in waiting:
            nspid = [l for l in open(f"/proc/{pid}/status").read().splitlines()
                     if l.startswith("NSpid:")][0].split()
            assert nspid[-1] == "1", nspid
        spawner = spawner_processes(s.pid)
        assert len(spawner) == 1, spawner
    # gone, not only no longer the server's children (they would be init's)
    left = waiting + spawner
    deadline = time.monotonic() + 15
    while any(os.path.exists(f"/proc/{p}") for p in left) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = [p for p in left if os.path.exists(f"/proc/{p}")]
    assert not alive, describe_processes([f"0 0 {p}" for p in alive])


def anonymous_kb(pid: str) -> int:
    for line in open(f"/proc/{pid}/smaps_rollup"):
        if line.startswith("Anonymous:"):
            return int(line.split()[1])
    raise AssertionError(f"no Anonymous line for {pid}")


def test_stored_problems_stay_out_of_the_spawner(tmp_path):
    """Every standby box's PID 1 starts as a copy of the spawner's memory,
    and its first step as a copy of that: the spawner must hold none of the
    stored problems and test banks, whose size is the users' (up to
    --problems-mb). It is forked before they are loaded, and their texts
    are in memory no fork gets (util/bulk.c); either alone passes this.
    With 16 MB of tests stored, a restarted server's spawner is as large as
    the spawner of a server with nothing stored (a sanitizer build's are
    larger, alike); it was 19 MB with neither."""
    tests = [{"stdin": "x" * (1 << 20), "expected": "y" * (1 << 20)} for _ in range(8)]
    stored, empty = tmp_path / "stored", tmp_path / "empty"
    with start_server("--max-running", "1", "--state-dir", str(stored)) as s:
        r = requests.put(s.url + "/v1/problems/big", json={"tests": tests}, timeout=60)
        assert r.status_code in (200, 201), r.text

    def sizes(state):
        with start_server("--max-running", "1", "--state-dir", str(state)) as s:
            assert run(s.url, "sh", "echo ok")["stdout"] == "ok\n"
            spawner = spawner_processes(s.pid)
            assert len(spawner) == 1, spawner
            listed = requests.get(s.url + "/v1/problems", timeout=10).json()
            return anonymous_kb(str(s.pid)), anonymous_kb(spawner[0]), listed

    server_kb, spawner_kb, listed = sizes(stored)
    _, spawner_empty_kb, _ = sizes(empty)
    assert "big" in str(listed), listed
    assert server_kb > 16 * 1024, server_kb  # the tests are loaded
    assert spawner_kb < spawner_empty_kb + 4 * 1024, (spawner_kb, spawner_empty_kb, server_kb)


def cgroup_v1() -> bool:
    return any(":memory:" in l for l in open("/proc/self/cgroup").read().splitlines())


# Spins until it has used `ms` of CPU (an amount of work, not a speed), then
# touches `mb` MiB; prints "done".
C_WORK = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
int main(void) {
  long ms, mb; struct timespec t0, t;
  if (scanf("%ld %ld", &ms, &mb) != 2) return 3;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  do clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
  char *p = malloc(mb << 20); if (mb && !p) return 4;
  memset(p, 1, mb << 20);
  puts("done");
  return 0;
}
"""


@pytest.mark.skipif(not cgroup_v1(), reason="box cgroups are served again on cgroup v1 only")
def test_cold_boxes_take_turns_in_kept_cgroups_and_count_each_run_alone():
    """A finished cold box's cgroup serves a later box (sandbox/cgpool.c)
    instead of a new one being made: every run must still see only its own
    memory peak, CPU time and out-of-memory kill. One slot, so the boxes
    take turns in the same few cgroups; a small memory limit."""
    with start_server("--max-running", "1", "--memory-mb", "100") as s:
        wait_quiet(s.url)

        def work(ms, mb):
            r = requests.post(s.url + "/v1/run", json={"language": "c", "code": C_WORK,
                                                        "stdin": f"{ms} {mb}\n"}, timeout=120)
            assert r.status_code == 200, r.text
            return r.json()

        reused = metric(s.url, REUSED)
        oom = work(0, 300)
        assert (oom["status"], oom["exit_code"]) == ("memory_limit", -9), oom
        # CPU time as an amount of work, not a speed: the program spins
        # until it has used 0.5 s of CPU, on any machine
        busy = work(500, 60)
        assert (busy["status"], busy["stdout"]) == ("ok", "done\n"), busy
        assert busy["cpu_ms"] >= 450 and busy["memory_kb"] > 60 << 10, busy
        after = "after an out-of-memory kill, 0.5 s of CPU and 60 MB"
        for i in range(4):
            r = work(0, 0)
            what = f"run {i} {after}: {r}"
            assert (r["status"], r["stdout"], r["exit_code"]) == ("ok", "done\n", 0), what
            # a run that prints one line uses a few MB and a few ms of CPU
            # (tens on a slow machine): the 60 MB and the 500 ms must not show
            assert r["memory_kb"] < 40 << 10 and r["cpu_ms"] < 400, what
        # most boxes (a C run is one box: compile, then run) took a kept cgroup
        assert metric(s.url, REUSED) - reused >= 4
