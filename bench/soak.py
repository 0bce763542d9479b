#!/usr/bin/env python3
"""Soak: tens of thousands of mixed runs against one server, then checks
that nothing was lost, duplicated or left behind.

Mix (by default): passing programs, failing ones, time-outs, output floods,
memory hogs, fork bombs, daemons, a few compiled-language runs. Every
program prints a unique token, so each reply is checked against its own
request: a lost, duplicated or crossed reply is counted, never hidden.
While it runs it samples the server's RSS and open fds; at the end it
requires them flat, no process left under the server, and no cgroup left
after the server stops. Bounded in count and time; loopback only.

The warm Python zygotes are the server's children and alive by design: a
direct child of the server whose /proc/PID/exe is the codeexec-pyzygote
beside the server binary, at most as many as /health's
X-Codeexec-Warm-Python says the pool has, is a zygote; the spawner
(src/sandbox/spawner.c: one direct child named codeexec-spawn running the
server's own binary) is part of the server, and a standby box (a direct
child named codeexec-wait, a slot's next box built ahead and ended after
10 s idle; no more than the pool has zygotes) is not a leftover either;
every other process under the server (processes under a zygote included: a
run's processes are there) is a leftover and fails the soak.

Usage: bench/soak.py [--runs 20000] [--concurrency 32] [--max-minutes 30]
       bench/soak.py --plant-leftover ...   the server is started with a
           `sleep` child of its own: the soak must then say FAILED (a check
           of the leftover check)
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures as cf
import json
import os
import random
import re
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

from common import BINARY, LAZY_WARM, Server

ZYGOTE_EXE = BINARY.resolve().parent / "codeexec-pyzygote"

KINDS = [  # (weight, kind)
    (50, "pass"), (15, "fail"), (5, "timeout"), (5, "flood"), (4, "memory"),
    (3, "forkbomb"), (5, "daemon"), (8, "cpp"), (5, "stdin"),
]


def program(kind: str, token: str):
    """Returns (endpoint, body, check(text)): check is falsy for a wrong
    reply, True or a label (which right answer it was) otherwise."""
    if kind == "pass":
        return "/py_exec", {"code": f"print({token!r})"}, lambda t: t == f"0\n{token}\n"
    if kind == "fail":
        return ("/py_exec", {"code": f"import sys\nprint({token!r}, file=sys.stderr)\nsys.exit(3)"},
                lambda t: t == f"1\n{token}\n")
    if kind == "timeout":
        return ("/py_exec", {"code": f"# {token}\nwhile True: pass", "timeout": 1},
                lambda t: t == "1\nTimeout")
    if kind == "flood":
        return ("/py_exec", {"code": f"import sys\nprint({token!r})\nsys.stdout.write('x' * 50_000_000)"},
                lambda t: t.startswith(f"0\n{token}\n"))
    if kind == "memory":
        return ("/py_exec", {"code": f"# {token}\nx = bytearray(600 * 1024 * 1024)"},
                lambda t: t.startswith("1\n"))
    if kind == "forkbomb":
        # through /v1/run, whose status tells a time-out from a kill by the
        # memory limit (both contain it; /py_exec says only "1\n")
        return ("/v1/run", {"language": "python", "timeout": 2,
                            "code": f"import os\nprint({token!r}, flush=True)\n"
                                    "while True:\n    try: os.fork()\n    except OSError: pass"},
                lambda t: (json.loads(t)["status"] in ("timeout", "memory_limit")
                           and json.loads(t)["stdout"] == f"{token}\n" and json.loads(t)["status"]))
    if kind == "daemon":
        return ("/py_exec", {"code": "import os, subprocess\n"
                             "subprocess.Popen(['/bin/sleep', '600'], start_new_session=True)\n"
                             f"print({token!r})"}, lambda t: t == f"0\n{token}\n")
    if kind == "cpp":
        code = f'#include <cstdio>\nint main(){{ puts("{token}"); }}'
        return ("/any_exec", {"code": code, "lang": "cpp", "timeout": 60},
                lambda t: t.startswith("0\n") and json.loads(t[2:])["stdout"] == token + "\n")
    if kind == "stdin":
        return ("/py_exec", {"code": "print(input()[::-1])", "stdin": token[::-1]},
                lambda t: t == f"0\n{token}\n")
    raise ValueError(kind)


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))


def processes():
    """{pid: (ppid, comm)} of every process, from /proc."""
    table = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        table[int(d)] = (int(stat[stat.rindex(")") + 2:].split()[1]), comm)
    return table


def exe_of(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe").removesuffix(" (deleted)")
    except OSError:
        return None


def runs_zygote(pid, zygote):
    """Whether process pid is the zygote binary `zygote`, or maps it: PHP's
    zygote is /usr/bin/php with codeexec-phpzygote.so preloaded."""
    if exe_of(pid) == zygote:
        return True
    try:
        with open(f"/proc/{pid}/maps") as f:
            return any(line.rstrip("\n").removesuffix(" (deleted)").endswith(" " + zygote)
                       for line in f)
    except OSError:
        return False


def warm_pool_size(url, header_name="X-Codeexec-Warm-Python"):
    """How many zygotes the server's warm pool has (N of ready=R/N), 0 if off
    (Racket's with header_name="X-Codeexec-Warm-Racket", R's and OCaml's
    likewise: started with their first run, so up to N)."""
    try:
        with urllib.request.urlopen(url + "/health", timeout=10) as r:
            header = r.headers.get(header_name) or ""
    except OSError:
        return 0
    m = re.search(r"ready=\d+/(\d+)", header)
    return int(m[1]) if m else 0


def lazy_pools(url):
    """{zygote binary: N} for the runtimes whose zygotes start with their
    first run (Racket's, R's, OCaml's, PHP's, Coq's, Octave's): how many of
    each may be there."""
    return {str(BINARY.resolve().parent / exe): warm_pool_size(url, header)
            for _, exe, header in LAZY_WARM}


def census(server_pid, pool_size, zygote_exe=ZYGOTE_EXE, lazy=None):
    """(zygotes, leftovers): the server's warm Python zygotes, and every
    other process under the server as (pid, comm) but its spawner, idle
    standby boxes and at most lazy[exe] zygotes of each lazily started
    runtime (lazy_pools: Racket's, R's, OCaml's, PHP's, Coq's, Octave's). A
    zygote is a direct child of the server running zygote_exe, at most
    pool_size of them (more are leftovers); processes under a zygote are
    leftovers, as runs end there."""
    table = processes()
    children = collections.defaultdict(list)
    for p, (pp, _) in table.items():
        children[pp].append(p)
    zygotes = sorted(p for p in children[server_pid] if exe_of(p) == str(zygote_exe))[:pool_size]
    kept = sorted(p for p in children[server_pid]
                  if table[p][1] == "codeexec-spawn" and exe_of(p) == exe_of(server_pid))[:1]
    kept += sorted(p for p in children[server_pid]
                   if table[p][1] == "codeexec-wait" and not children[p])[:pool_size]
    for exe, n in (lazy or {}).items():
        kept += sorted(p for p in children[server_pid]
                       if runs_zygote(p, exe) and not children[p])[:n]
    leftovers, todo = [], list(children[server_pid])
    while todo:
        p = todo.pop()
        todo += children[p]
        if p not in zygotes and p not in kept:
            leftovers.append((p, table[p][1]))
    return zygotes, sorted(leftovers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--max-minutes", type=float, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plant-leftover", action="store_true",
                    help="start the server with a stray `sleep` child: the soak must FAIL")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    kinds = [k for w, k in KINDS for _ in range(w)]
    planted_pid_file = None
    wrapper = ()
    if a.plant_leftover:
        # sh forks the stray child, then becomes the server (same pid)
        planted_pid_file = tempfile.NamedTemporaryFile(prefix="codeexec-soak-planted-", delete=False).name
        wrapper = ("/bin/sh", "-c", 'sleep 600 & echo $! > "$0"; exec "$@"', planted_pid_file)
    srv = Server("--memory-mb", "512", "--output-limit", "1048576", wrapper=wrapper)
    pid = srv.proc.pid
    deadline = time.monotonic() + a.max_minutes * 60
    results = collections.Counter()
    seen_tokens = collections.Counter()
    problems = []
    samples = []
    stop = threading.Event()

    def sampler():
        while not stop.wait(2):
            samples.append((rss_kb(pid), fds(pid)))

    def one(i):
        if time.monotonic() > deadline:
            results["skipped (time)"] += 1
            return
        kind = rnd.choice(kinds)
        token = f"tok{i:07d}x{rnd.randrange(10**6):06d}"
        endpoint, body, check = program(kind, token)
        req = urllib.request.Request(srv.url + endpoint, data=json.dumps(body).encode())
        try:
            with urllib.request.urlopen(req, timeout=300) as r:
                text = r.read().decode()
        except urllib.error.HTTPError as e:
            results[f"{kind}: HTTP {e.code}"] += 1
            problems.append((kind, token, f"HTTP {e.code}"))
            return
        except Exception as e:  # a lost reply
            results[f"{kind}: lost"] += 1
            problems.append((kind, token, repr(e)))
            return
        seen_tokens[token] += 1
        try:
            good = check(text)
        except (ValueError, KeyError):
            good = False
        if good:   # True, or a label that says which right answer it was
            results[f"{kind}: ok" + (f" ({good})" if isinstance(good, str) else "")] += 1
        else:
            results[f"{kind}: WRONG"] += 1
            problems.append((kind, token, text[:300]))

    threading.Thread(target=sampler, daemon=True).start()
    rss0, fds0 = rss_kb(pid), fds(pid)
    t0 = time.monotonic()
    with cf.ThreadPoolExecutor(a.concurrency) as pool:
        list(pool.map(one, range(a.runs)))
    elapsed = time.monotonic() - t0
    stop.set()
    time.sleep(2)
    pool_size = warm_pool_size(srv.url)
    zygotes, leftovers = census(pid, pool_size, lazy=lazy_pools(srv.url))
    rss1, fds1 = rss_kb(pid), fds(pid)
    srv.stop()
    if planted_pid_file:
        with open(planted_pid_file) as f:
            planted = int(f.read())
        os.unlink(planted_pid_file)
        try:
            os.kill(planted, 9)
        except ProcessLookupError:
            pass
    cg_left = subprocess.run(["find", "/sys/fs/cgroup", "-maxdepth", "6", "-name", f"codeexec-{pid}"],
                             capture_output=True, text=True).stdout.split()
    dup = sum(1 for n in seen_tokens.values() if n > 1)
    print(f"# {a.runs} runs in {elapsed:.0f} s ({a.runs / elapsed:.1f}/s), concurrency {a.concurrency}")
    for k, v in sorted(results.items()):
        print(f"  {k:24} {v}")
    peak_rss = max([s[0] for s in samples] + [rss1])
    peak_fds = max([s[1] for s in samples] + [fds1])
    print(f"server RSS: start {rss0} kB, end {rss1} kB, peak {peak_rss} kB")
    print(f"server fds: start {fds0}, end {fds1}, peak {peak_fds}")
    print(f"duplicated replies: {dup}; problems: {len(problems)}; leftover processes: "
          f"{len(leftovers)}; leftover cgroups after stop: {len(cg_left)}")
    print(f"warm zygotes alive at the end (by design, not leftovers): {len(zygotes)} of {pool_size}")
    for p, comm in leftovers[:20]:
        print(f"  leftover: pid {p} ({comm})")
    for p in problems[:20]:
        print("  problem:", p)
    ok = (not problems and not dup and not leftovers and not cg_left and fds1 <= fds0 + 4
          and rss1 < rss0 + 64 * 1024)
    print("SOAK", "PASSED" if ok else "FAILED")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
