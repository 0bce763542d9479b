"""Warm Python zygotes fork safely (issue 12, item 3 and the zombie zygote).

* A zygote forks one run per request, so it must have no other thread: a
  thread holding a lock (malloc's, stdio's, a library's own) at the fork
  leaves it held forever in the run. Debian's OpenBLAS (pthreads) starts its
  pool when numpy is imported; before the fix, every warm numpy run with it
  spun until its time-out. The test points one server at OpenBLAS through
  LD_LIBRARY_PATH (scripts/setup.sh installs libopenblas0-pthread and keeps
  the system's BLAS choice) and runs a few hundred numpy runs at once.
* A preload that leaves a thread running anyway is refused (log line, metric
  codeexec_warm_python_threaded_total), and its runs go elsewhere.
* A zygote whose configuration could not be sent was killed but neither
  reaped nor released (a zombie, its descriptors and its cgroup): provoked
  here with an LD_PRELOAD shim that fails the server's first three sends of
  the configuration.

Budget: about 60 s on a 2-core machine.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import BINARY, start_server  # noqa: E402
from hostile import (build_has_warm_python, empty_cgroups, metric, request, unique_uid_base, v1_run,
                     wait_quiet, wait_warm_ready)

OPENBLAS_DIR = Path("/usr/lib/x86_64-linux-gnu/openblas-pthread")
ZYGOTE_COMM = "codeexec-pyzygo"


@pytest.fixture(scope="module", autouse=True)
def _needs_warm_python():
    if BINARY.is_file() and not build_has_warm_python(BINARY):
        pytest.skip("this build has no warm Python")


def children(pid: int) -> list:
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            out += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return out


def proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def zygotes(server_pid: int) -> list:
    return [c for c in children(server_pid)
            if Path(f"/proc/{c}/comm").exists()
            and Path(f"/proc/{c}/comm").read_text().strip() == ZYGOTE_COMM]


MATMUL = textwrap.dedent("""
    import os
    import numpy as np
    a = (np.arange(40000, dtype=np.float64).reshape(200, 200) % 7) - 3
    b = (np.arange(40000, dtype=np.float64).reshape(200, 200).T % 5) - 2
    c = a @ b
    blas = sorted({l.split()[-1].rsplit("/", 1)[-1] for l in open("/proc/self/maps")
                   if "blas" in l and l.split()[-1].startswith("/")})
    print(int(c.sum()), int(c[3, 5]), int((c @ c)[7, 11]), "OPENBLAS_NUM_THREADS" in os.environ,
          "OMP_NUM_THREADS" in os.environ, blas)
""").lstrip()


def expected_matmul() -> str:
    import numpy as np   # the host's own numpy (any BLAS: the values are exact integers)
    a = (np.arange(40000, dtype=np.float64).reshape(200, 200) % 7) - 3
    b = (np.arange(40000, dtype=np.float64).reshape(200, 200).T % 5) - 2
    c = a @ b
    return f"{int(c.sum())} {int(c[3, 5])} {int((c @ c)[7, 11])} False False"


def test_openblas_zygotes_are_single_threaded_and_runs_stay_warm(monkeypatch):
    if not (OPENBLAS_DIR / "libblas.so.3").exists():
        pytest.fail(f"{OPENBLAS_DIR} missing: run scripts/setup.sh core (libopenblas0-pthread)",
                    pytrace=False)
    # For this server's boxes only (--pass-env): warm and cold runs load
    # OpenBLAS's libblas.so.3 instead of the system's choice.
    monkeypatch.setenv("LD_LIBRARY_PATH", str(OPENBLAS_DIR))
    with start_server("--max-running", "2", "--python-preload", "numpy",
                      "--pass-env", "LD_LIBRARY_PATH", "--uid-base", str(unique_uid_base())) as s:
        wait_warm_ready(s.url, timeout=90)
        zs = zygotes(s.pid)
        assert zs, "no zygote found among the server's children"
        # Each zygote is PID 1 of its box: its threads are its own.
        threads = {z: len(os.listdir(f"/proc/{z}/task")) for z in zs}
        assert set(threads.values()) == {1}, f"zygote threads: {threads}"
        assert metric(s.url, "codeexec_warm_python_threaded_total") == 0

        want = expected_matmul()

        def one(_):
            r = v1_run(s.url, MATMUL, timeout=10)
            return r["status"], r["warm"], r["stdout"], r["wall_ms"]

        with ThreadPoolExecutor(16) as ex:
            results = list(ex.map(one, range(300)))
        bad = [r for r in results if r[0] != "ok" or not r[2].startswith(want + " ")]
        assert not bad, f"{len(bad)} of 300 runs wrong: {bad[:3]}"
        assert all(r[1] is True for r in results), "some numpy runs were not warm"
        assert all("libopenblas" in r[2] for r in results), results[0][2]
        assert max(r[3] for r in results) < 9000, "a run took 9 s or more"


def test_zygotes_keep_to_their_slots_cpu():
    """A slot's box PID 1s, its zygotes among them (and so its warm runs'
    PID 1s), keep to one CPU, slot i to the i-th of the server's
    (sandbox/slotcpu.c: a run's hand-offs stay on one CPU); every program,
    warm or cold, gets the server's CPUs back (the corpus program
    cpu_affinity_of_the_program_its_threads_and_children compares a warm
    run with a cold one)."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        pytest.skip(f"one CPU in this process's affinity ({cpus}): nothing to keep to")
    with start_server("--max-running", "2", "--uid-base", str(unique_uid_base())) as s:
        wait_warm_ready(s.url)
        by_slot: dict = {}
        for z in zygotes(s.pid):
            status = Path(f"/proc/{z}/status").read_text().splitlines()
            uid = int(next(l for l in status if l.startswith("Uid:")).split()[1])
            allowed = next(l for l in status if l.startswith("Cpus_allowed_list:")).split()[1]
            by_slot.setdefault(uid, set()).add(allowed)
        assert len(by_slot) == 2, f"zygotes of two slots expected: {by_slot}"
        slot_cpus = [by_slot[uid] for uid in sorted(by_slot)]
        assert slot_cpus == [{str(cpus[0])}, {str(cpus[1])}], f"per slot: {slot_cpus}, CPUs {cpus}"
        probe = "import os\nprint(sorted(os.sched_getaffinity(0)))"
        r = v1_run(s.url, probe)
        assert (r["warm"], r["stdout"]) == (True, f"{cpus}\n"), r
        st, _, body = request(s.url, "POST", "/v1/run",
                              {"language": "python", "code": probe, "args": ["cold"]})
        r = json.loads(body)
        assert (st, r["warm"], r["stdout"]) == (200, False, f"{cpus}\n"), r
        r = v1_run(s.url, "taskset -pc $$ | sed 's/.*: //'", language="sh")
        assert r["stdout"] == ",".join(map(str, cpus)) + "\n" or r["stdout"] == (
            f"{cpus[0]}-{cpus[-1]}\n"), r


THREAD_MODULE = "codeexec_test_leaves_a_thread"
SITE = Path("/usr/local/lib/python3.11/dist-packages")   # on python3's sys.path, seen by boxes


def test_preload_that_leaves_a_thread_is_refused():
    SITE.mkdir(parents=True, exist_ok=True)
    mod = SITE / f"{THREAD_MODULE}.py"
    mod.write_text("import threading, time\n"
                   "threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()\n")
    try:
        with start_server("--max-running", "1", "--python-preload", THREAD_MODULE,
                          "--uid-base", str(unique_uid_base())) as s:
            deadline = __import__("time").monotonic() + 60
            while metric(s.url, "codeexec_warm_python_threaded_total") < 1:
                assert __import__("time").monotonic() < deadline, "no zygote was refused in 60 s"
                __import__("time").sleep(0.2)
            assert re.search(r"left 2 threads running in the zygote", s.log_text()), s.log_tail()
            # The lean zygote serves; the refused kind is never ready.
            st, headers, _ = request(s.url, "GET", "/health")
            assert headers.get("X-Codeexec-Warm-Python", "").startswith("ready=1/2"), headers
            r = v1_run(s.url, f"import {THREAD_MODULE}, threading\nprint(threading.active_count())")
            assert r["status"] == "ok" and r["stdout"] == "2\n", r
    finally:
        mod.unlink(missing_ok=True)


SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

static ssize_t (*real_send)(int, const void *, size_t, int);
static int failed;

__attribute__((constructor)) static void init(void)
{
        real_send = (ssize_t (*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
}

/* The server's send of a zygote's configuration (struct warm_config: 512
 * bytes or more, starting with WARM_MAGIC; the other records the server
 * sends with this magic go through sendmsg) fails the first three times. */
ssize_t send(int fd, const void *buf, size_t len, int flags)
{
        uint32_t magic = 0;

        if (len >= 512 && (flags & MSG_DONTWAIT) && failed < 3) {
                memcpy(&magic, buf, sizeof(magic));
                if (magic == 0x636f6457u) {
                        failed++;
                        errno = EPIPE;
                        return -1;
                }
        }
        return real_send(fd, buf, len, flags);
}
"""


def test_zygote_whose_configuration_cannot_be_sent_is_reaped(monkeypatch, tmp_path):
    shim = tmp_path / "failsend.so"
    src = tmp_path / "failsend.c"
    src.write_text(SHIM)
    subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", str(shim), str(src), "-ldl"], check=True)
    monkeypatch.setenv("LD_PRELOAD", str(shim))
    # an ASan build insists on its runtime coming first; the shim only wraps send
    monkeypatch.setenv("ASAN_OPTIONS", os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
    with start_server("--max-running", "1", "--python-preload", "",
                      "--uid-base", str(unique_uid_base())) as s:
        monkeypatch.delenv("LD_PRELOAD")
        wait_warm_ready(s.url, timeout=60)     # after 0.5 + 1 + 2 s of back-off
        # the boxes of the start-up version probes are reaped as each ends,
        # and in flight on a slow machine: not what this looks for
        wait_quiet(s.url)
        assert s.log_text().count("configure the zygote") == 3, s.log_tail()
        kids = {c: proc_state(c) for c in children(s.pid)}
        zombies = [c for c, st in kids.items() if st == "Z"]
        assert not zombies, f"zombie children of the server: {kids}"
        # A live zygote's own cgroup is empty too once it has moved into
        # the cgroup of its next run (sandbox/warm.c): one per zygote.
        # And the finished boxes' cgroups kept to serve the next ones.
        left = empty_cgroups(s.pid)
        kept = metric(s.url, "codeexec_box_cgroups_kept")
        assert len(left) <= len(zygotes(s.pid)) + kept, \
            f"cgroups left by the zygotes that failed: {left} ({kept} kept)"
        assert v1_run(s.url, "print(7)")["stdout"] == "7\n"
