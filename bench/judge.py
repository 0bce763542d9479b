#!/usr/bin/env python3
"""Benchmark: judge mode (POST /v1/judge) against doing the same work by hand,
in the same process on the same machine.

(a) A C++ submission with N tests (default 100):
    judge        one /v1/judge request (compile once, N sandboxed runs)
    stored       the same with the tests uploaded once beforehand as a
                 problem (PUT /v1/problems/NAME) and named in the request,
                 as a client judging many submissions of one problem does
                 (what is left out is sending and parsing 1.2 MB of tests)
    direct       one g++ compile on the host (the recipe's flags) + N runs of
                 the binary, sequential, and also with as many workers as the
                 server has slots (the fair comparison: the server runs tests
                 in parallel too)
    recompile    N /v1/run requests, each compiling and running (what a
                 client without judge mode does), as many in flight as slots
(b) A Python submission with N tests:
    judge        one /v1/judge request (tests forked from a warm interpreter)
    cold         N `python3 main.py` runs on the host, sequential and parallel

The submission is examples/problems/sum-of-pairs' correct solution (with
--cpp-first-line bits, the C++ one begins with `#include <bits/stdc++.h>`,
as most competitive programs do), and
each test is 200 random pairs (so the run itself is short and the cost
measured is the per-test overhead). Each round runs the judge and its
baselines one after the other (interleaved, so that the machine's load hits
them alike); prints the medians over --rounds rounds and, for each ratio,
the median of the rounds' own ratios; goals from issue 14: judge <= 1.3x
direct, >= 10x faster than recompiling, Python >= 5x faster than cold runs.
Writes bench/results/judge.tsv.

    /usr/bin/python3 bench/judge.py [--tests 100] [--rounds 5] [--recompile-rounds 2]
                                    [--cpp-first-line cstdio|bits]
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from common import REPO, Server, post, timed

SOLUTIONS = REPO / "examples" / "problems" / "sum-of-pairs" / "solutions"


def make_tests(n: int, pairs: int, seed: int = 1):
    rnd = random.Random(seed)
    tests = []
    for _ in range(n):
        ps = [(rnd.randint(-10**18, 10**18), rnd.randint(-10**18, 10**18)) for _ in range(pairs)]
        tests.append({"stdin": f"{pairs}\n" + "".join(f"{a} {b}\n" for a, b in ps),
                      "expected": "".join(f"{a + b}\n" for a, b in ps)})
    return tests


def judge(url, language, code, tests):
    res = json.loads(post(url, "/v1/judge", {"language": language, "code": code, "tests": tests}))
    if res.get("verdict") != "AC":
        sys.exit(f"judge: expected AC, got {res.get('verdict')}: {json.dumps(res)[:2000]}")
    return res


def judge_stored(url, language, code, problem):
    res = json.loads(post(url, "/v1/judge", {"language": language, "code": code, "problem": problem}))
    if res.get("verdict") != "AC":
        sys.exit(f"judge: expected AC, got {res.get('verdict')}: {json.dumps(res)[:2000]}")
    return res


def store_problem(url, name, tests):
    req = urllib.request.Request(f"{url}/v1/problems/{name}", data=json.dumps({"tests": tests}).encode(),
                                 headers={"Content-Type": "application/json"}, method="PUT")
    with urllib.request.urlopen(req, timeout=600) as r:
        r.read()


def run_all(cmd, tests, workers: int, cwd: str):
    def one(t):
        r = subprocess.run(cmd, input=t["stdin"].encode(), capture_output=True, cwd=cwd)
        if r.returncode != 0 or r.stdout.decode() != t["expected"]:
            sys.exit(f"direct run of {cmd} failed: {r.returncode} {r.stderr[:500]!r}")
    if workers == 1:
        for t in tests:
            one(t)
        return
    with cf.ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, tests))


def direct_cpp(code, tests, workers):
    d = tempfile.mkdtemp(prefix="bench-judge-")
    try:
        src = os.path.join(d, "main.cpp")
        Path(src).write_text(code)
        # The cpp recipe's compile (languages/cpp.json).
        subprocess.run(["g++", src, "-o", os.path.join(d, "main"), "-std=c++17"], check=True)
        run_all([os.path.join(d, "main")], tests, workers, d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def cold_python(code, tests, workers):
    d = tempfile.mkdtemp(prefix="bench-judge-")
    try:
        Path(d, "main.py").write_text(code)
        run_all(["/usr/bin/python3", "main.py"], tests, workers, d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def recompile(url, code, tests, workers):
    def one(t):
        res = json.loads(post(url, "/v1/run", {"language": "cpp", "code": code, "stdin": t["stdin"]}))
        if res.get("stdout") != t["expected"]:
            sys.exit(f"/v1/run: wrong output {json.dumps(res)[:500]}")
    with cf.ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, tests))


def median_time(fn, rounds):
    times = []
    for _ in range(rounds):
        t, _ = timed(fn)
        times.append(t)
    return statistics.median(times), times


def interleaved(fns, rounds):
    """Each of fns ({name: fn}) once per round, in turn, so that a change of
    the machine's load hits all of them alike: {name: [seconds per round]}."""
    times = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            times[k].append(timed(fn)[0])
    return times


def ratio(num, den):
    """The median over rounds of num's time over den's in the same round."""
    return statistics.median(n / d for n, d in zip(num, den))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tests", type=int, default=100)
    ap.add_argument("--pairs", type=int, default=200, help="pairs per test")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--recompile-rounds", type=int, default=2)
    ap.add_argument("--tsv", type=Path, default=REPO / "bench" / "results" / "judge.tsv")
    ap.add_argument("--cpp-first-line", choices=("cstdio", "bits"), default="cstdio",
                    help="bits: the C++ submission begins with `#include <bits/stdc++.h>`, "
                    "as most competitive programs do (the server then uses its precompiled "
                    "header; the direct g++ parses the header)")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="an argument for the server (repeat), e.g. --server-arg=--no-judge-zygotes")
    a = ap.parse_args()
    tests = make_tests(a.tests, a.pairs)
    cpp = (SOLUTIONS / "correct.cpp").read_text()
    if a.cpp_first_line == "bits":
        cpp = "#include <bits/stdc++.h>\n" + cpp
    py = (SOLUTIONS / "correct.py").read_text()
    slots = os.cpu_count() or 1
    rows = []

    def report(name, med, times, extra=""):
        print(f"  {name:<34} {med * 1000:9.0f} ms  (rounds: "
              f"{', '.join(f'{t * 1000:.0f}' for t in times)}){extra}", flush=True)
        rows.append((name, f"{med * 1000:.0f}"))

    with Server(*a.server_arg) as s:
        # Warm up: the first compile and the warm interpreters.
        judge(s.url, "cpp", cpp, tests[:2])
        judge(s.url, "python", py, tests[:2])
        store_problem(s.url, "bench-judge", tests)
        print(f"== C++ (first line: {cpp.splitlines()[0]}), {a.tests} tests of {a.pairs} pairs "
              f"({slots} slots, median of {a.rounds} interleaved rounds)")
        t = interleaved({"judge": lambda: judge(s.url, "cpp", cpp, tests),
                         "stored": lambda: judge_stored(s.url, "cpp", cpp, "bench-judge"),
                         "seq": lambda: direct_cpp(cpp, tests, 1),
                         "par": lambda: direct_cpp(cpp, tests, slots)}, a.rounds)
        j = statistics.median(t["judge"])
        report("/v1/judge", j, t["judge"])
        last = judge(s.url, "cpp", cpp, tests)
        walls = sorted(x["wall_ms"] for x in last["tests"])
        print(f"    (one of them: compile {last['compile']['wall_ms']} ms in its box, tests "
              f"{walls[len(walls) // 2]} ms median run, total_wall_ms {last['total_wall_ms']}; "
              f"{sum(1 for x in last['tests'] if x.get('forked'))} forked from a judge zygote)")
        report("/v1/judge, tests stored once", statistics.median(t["stored"]), t["stored"])
        report("direct: g++ + runs, sequential", statistics.median(t["seq"]), t["seq"])
        report(f"direct: g++ + runs, {slots} at once", statistics.median(t["par"]), t["par"])
        rc, rct = median_time(lambda: recompile(s.url, cpp, tests, slots), a.recompile_rounds)
        report(f"{a.tests} x /v1/run (compile + run)", rc, rct)
        cpp_par, cpp_seq = ratio(t["judge"], t["par"]), ratio(t["judge"], t["seq"])
        print(f"  judge / direct ({slots} at once)     {cpp_par:6.2f}x   (goal <= 1.3; median of "
              f"the rounds' ratios)")
        print(f"  judge / direct (sequential)        {cpp_seq:6.2f}x")
        st_par, st_seq = ratio(t["stored"], t["par"]), ratio(t["stored"], t["seq"])
        print(f"  stored / direct ({slots} at once)    {st_par:6.2f}x")
        print(f"  stored / direct (sequential)       {st_seq:6.2f}x")
        print(f"  recompiling / judge                {rc / j:6.1f}x   (goal >= 10)")

        print(f"== Python, {a.tests} tests (median of {a.rounds} interleaved rounds)")
        t = interleaved({"judge": lambda: judge(s.url, "python", py, tests),
                         "seq": lambda: cold_python(py, tests, 1),
                         "par": lambda: cold_python(py, tests, slots)}, a.rounds)
        report("/v1/judge", statistics.median(t["judge"]), t["judge"])
        last = judge(s.url, "python", py, tests)
        walls = sorted(x["wall_ms"] for x in last["tests"])
        print(f"    (one of them: tests {walls[len(walls) // 2]} ms median run, total_wall_ms "
              f"{last['total_wall_ms']})")
        report("cold python3, sequential", statistics.median(t["seq"]), t["seq"])
        report(f"cold python3, {slots} at once", statistics.median(t["par"]), t["par"])
        py_seq, py_par = ratio(t["seq"], t["judge"]), ratio(t["par"], t["judge"])
        print(f"  cold (sequential) / judge          {py_seq:6.1f}x   (goal >= 5)")
        print(f"  cold ({slots} at once) / judge          {py_par:6.1f}x")
        print(f"  tests forked warm: {sum(1 for x in last['tests'] if x.get('warm'))}"
              f"/{len(last['tests'])}")
        rows += [("ratio cpp judge/direct parallel", f"{cpp_par:.2f}"),
                 ("ratio cpp judge/direct sequential", f"{cpp_seq:.2f}"),
                 ("ratio cpp stored/direct parallel", f"{st_par:.2f}"),
                 ("ratio cpp stored/direct sequential", f"{st_seq:.2f}"),
                 ("ratio cpp recompile/judge", f"{rc / j:.1f}"),
                 ("ratio python cold sequential/judge", f"{py_seq:.1f}"),
                 ("ratio python cold parallel/judge", f"{py_par:.1f}")]
    a.tsv.parent.mkdir(parents=True, exist_ok=True)
    with open(a.tsv, "w") as f:
        f.write("measure\tvalue\n" + "".join(f"{k}\t{v}\n" for k, v in rows))


if __name__ == "__main__":
    main()
