#!/usr/bin/env python3
"""Where the machine sits idle while warm runs stream through the server.

Drives SandboxFusion-shaped /run_code calls (the `plain` program of
sandboxfusion.py by default) at --conc clients, records the scheduler with
`perf sched record -a` for --seconds in the middle of the load, and then:

  * follows each warm run through its processes: the zygote forks B (the
    run's PID 1), B forks C (the program); so each slot's time splits into
    setup (B forked, C not yet), prog (C alive), teardown (C gone, B not
    yet) and server (B gone, the zygote not yet asked for the next run);
  * takes every moment a CPU ran nothing (the idle task) and counts it for
    the combination of phases the slots were in at that moment;
  * counts the server's event-loop thread's time asleep in D state (in the
    kernel, not waiting for work) during the moments when every slot was
    waiting for the server.

A phase combination with much idle time names the wait to remove (see
docs/performance.md, the SandboxFusion section). Needs perf (Debian:
linux-perf) and root. Not part of `make bench`: it measures a cause, not a
goal.

    /usr/bin/python3 bench/idle.py [--conc 32] [--seconds 2] [--program plain]
"""

from __future__ import annotations

import argparse
import bisect
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import Server
from sandboxfusion import PROGRAMS, raw_server_call, run_parallel
from warm_python import wait_warm_ready

SWITCH = re.compile(r"\[(\d+)\]\s+(\d+\.\d+):\s+sched:sched_switch:.*prev_pid=(\d+) "
                    r"prev_prio=\d+ prev_state=(\S+) ==> .*next_pid=(\d+)")
FORK = re.compile(r"(\d+\.\d+):\s+sched:sched_process_fork: comm=(\S+) pid=(\d+) "
                  r"child_comm=\S+ child_pid=(\d+)")


def record(seconds: float, out: Path) -> None:
    subprocess.run(["perf", "sched", "record", "-a", "-o", str(out), "--", "sleep", str(seconds)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def events(data: Path):
    p = subprocess.run(["perf", "script", "-i", str(data), "-F", "cpu,time,event,trace"],
                       check=True, capture_output=True, text=True)
    return p.stdout.splitlines()


def phases_and_idle(lines: list[str]):
    """(phases per zygote: sorted (start, end, phase)), idle intervals,
    D-state intervals per pid."""
    fork_b, fork_c, exited = {}, {}, {}
    idle_from, idle = {}, []
    out_at: dict[int, tuple[float, str]] = {}
    asleep = collections.defaultdict(list)
    for line in lines:
        m = FORK.search(line)
        if m:
            t, comm, parent, child = float(m[1]), m[2], int(m[3]), int(m[4])
            if parent in fork_b:
                fork_c[child] = (parent, t)
            elif comm.startswith("codeexec-pyzyg"):
                fork_b[child] = (parent, t)
            continue
        m = SWITCH.search(line)
        if not m:
            continue
        cpu, t, prev, state, nxt = int(m[1]), float(m[2]), int(m[3]), m[4], int(m[5])
        if state in ("X", "Z"):
            exited.setdefault(prev, t)
        if nxt == 0:
            idle_from[cpu] = t
        if prev == 0 and cpu in idle_from:
            idle.append((idle_from.pop(cpu), t))
        if prev:
            out_at[prev] = (t, state)
        if nxt in out_at:
            t0, st = out_at.pop(nxt)
            asleep[nxt].append((t0, t, st))
    phases = collections.defaultdict(list)
    for b, (zygote, tb) in fork_b.items():
        cs = [c for c, (parent, _) in fork_c.items() if parent == b]
        if not cs or cs[0] not in exited or b not in exited:
            continue
        tc, te, tbe = fork_c[cs[0]][1], exited[cs[0]], exited[b]
        phases[zygote] += [(tb, tc, "setup"), (tc, te, "prog"), (te, tbe, "teardown")]
    for z in phases:
        phases[z].sort()
    return phases, idle, asleep


def phase_at(spans: list, starts: list, t: float) -> str:
    i = bisect.bisect_right(starts, t) - 1
    if i >= 0 and spans[i][0] <= t < spans[i][1]:
        return spans[i][2]
    return "server"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--conc", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--program", default="plain", choices=sorted(PROGRAMS))
    ap.add_argument("--server-args", default="")
    a = ap.parse_args()
    if not shutil.which("perf"):
        print("idle.py: needs perf (apt-get install linux-perf)", file=sys.stderr)
        return 2
    with Server(*a.server_args.split()) as srv, tempfile.TemporaryDirectory() as tmp:
        wait_warm_ready(srv.url)
        call = raw_server_call(srv.port, PROGRAMS[a.program])
        run_parallel(call, 300, a.conc)  # warm-up
        calls = int(a.seconds * 1500) + 1500
        rate: list[float] = []
        load = threading.Thread(target=lambda: rate.append(run_parallel(call, calls, a.conc)[0]))
        load.start()
        time.sleep(0.5)
        data = Path(tmp) / "sched.data"
        record(a.seconds, data)
        load.join()
        phases, idle, asleep = phases_and_idle(events(data))
        server_pid = srv.proc.pid
    zygotes = sorted(phases)
    if not zygotes:
        print("idle.py: no warm run seen (is warm Python on?)", file=sys.stderr)
        return 1
    starts = {z: [s[0] for s in phases[z]] for z in zygotes}
    t0 = min(s[0] for z in zygotes for s in phases[z])
    t1 = max(s[1] for z in zygotes for s in phases[z])
    by_combo: collections.Counter = collections.Counter()
    server_states: collections.Counter = collections.Counter()
    sleeps = sorted(asleep.get(server_pid, []))
    sleep_starts = [s[0] for s in sleeps]
    total = 0.0
    for s, e in idle:
        if s < t0 or e > t1:
            continue
        t = s
        while t < e:
            dt = min(20e-6, e - t)
            combo = tuple(sorted(phase_at(phases[z], starts[z], t) for z in zygotes))
            by_combo[combo] += dt
            if all(p == "server" for p in combo):
                i = bisect.bisect_right(sleep_starts, t) - 1
                st = sleeps[i][2] if i >= 0 and sleeps[i][0] <= t < sleeps[i][1] else "running"
                server_states[st] += dt
            total += dt
            t += dt
    ncpu = os.cpu_count() or 1
    print(f"# {a.program} calls at {a.conc} clients: {rate[0]:.0f}/s while recording; "
          f"{len(zygotes)} slots; idle {total * 1e3:.0f} ms of {(t1 - t0) * 1e3:.0f} ms x {ncpu} CPUs "
          f"({100 * total / (ncpu * (t1 - t0)):.1f}%)")
    print("slots' phases                              idle ms   share")
    for combo, v in by_combo.most_common():
        print(f"{' + '.join(combo):40s} {v * 1e3:9.1f} {100 * v / total:6.1f}%")
    waited = sum(server_states.values())
    if waited:
        print("the server while every slot waited for it: " + ", ".join(
            f"{k} {100 * v / waited:.0f}%" for k, v in server_states.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
