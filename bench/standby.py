#!/usr/bin/env python3
"""Benchmark: standby boxes (src/sandbox/standby.c) on against off.

Three servers with the same slots, measured in turn in the same process (so
the machine's load falls on all): standby boxes cloned by the spawner process
(the default, src/sandbox/spawner.c), standby boxes cloned by the server
itself (--no-spawner), and none (--no-standby). Cases:
  judge    a C++ judge of N tests (examples/problems/sum-of-pairs' correct
           solution, one pair per test: the per-test box is what is measured)
  <lang>   a hello-world through /any_exec, one request at a time, for a few
           cold-box languages
Prints medians of wall time and the ratios to the cold server (below 1:
standby boxes help) and spawner/server. Also the /metrics counts of boxes
started each way, to show the runs really took the path measured.

    /usr/bin/python3 bench/standby.py [--rounds 7] [--tests 100] [--slots 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import urllib.request

from common import REPO, Server, post, timed

HELLO = {
    "sh": "echo hello",
    "c": '#include <stdio.h>\nint main(void){puts("hello");}',
    "lua": 'print("hello")',
    "pl": 'print "hello\\n";',
    "php": '<?php echo "hello\\n";',
    "ruby": 'puts "hello"',
    "javascript": 'console.log("hello")',
}
SOLUTION = REPO / "examples" / "problems" / "sum-of-pairs" / "solutions" / "correct.cpp"


def box_counts(url: str) -> dict:
    out = {}
    for line in urllib.request.urlopen(url + "/metrics").read().decode().splitlines():
        if line.startswith("codeexec_boxes_started_total{"):
            how = line.split('how="')[1].split('"')[0]
            out[how] = int(float(line.split()[1]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--tests", type=int, default=100)
    ap.add_argument("--slots", type=int, default=2)
    ap.add_argument("--runs", type=int, default=20, help="hello runs per language per round")
    args = ap.parse_args()

    code = SOLUTION.read_text()
    tests = [{"stdin": f"1\n{i} {i + 1}\n", "expected": f"{2 * i + 1}\n"} for i in range(args.tests)]
    slots = ("--max-running", str(args.slots))
    with Server(*slots) as on, Server(*slots, "--no-spawner") as here, \
            Server(*slots, "--no-standby") as off:
        langs = [k for k in HELLO
                 if json.loads(post(on.url, "/v1/run", {"language": k, "code": HELLO[k]}))
                 .get("status") == "ok"]
        cases = {"judge": lambda url: post(url, "/v1/judge", {"language": "cpp", "code": code,
                                                               "tests": tests})}
        for k in langs:
            cases[k] = (lambda key: lambda url: [post(url, "/any_exec", {"code": HELLO[key], "lang": key})
                                                  for _ in range(args.runs)])(k)
        servers = (("on", on), ("here", here), ("off", off))
        times = {name: {which: [] for which, _ in servers} for name in cases}
        for r in range(args.rounds):
            for name, fn in cases.items():
                # a different server first in each round
                order = servers[r % 3:] + servers[:r % 3]
                for which, srv in order:
                    times[name][which].append(timed(lambda: fn(srv.url))[0])
        print(f"# medians of {args.rounds} rounds, {args.slots} slots; seconds "
              f"(judge: {args.tests} tests; others: {args.runs} runs one at a time)")
        print(f"{'case':<12} {'spawner':>9} {'server':>9} {'cold':>9} {'spawner/cold':>13} "
              f"{'server/cold':>12} {'spawner/server':>15}")
        ratios = []
        for name, t in times.items():
            a, b, c = (statistics.median(t[w]) for w in ("on", "here", "off"))
            ratios.append((a / c, b / c, a / b))
            print(f"{name:<12} {a:9.3f} {b:9.3f} {c:9.3f} {a / c:13.2f} {b / c:12.2f} "
                  f"{a / b:15.2f}")
        print("# median ratios: " + ", ".join(
            f"{label} {statistics.median(r[i] for r in ratios):.2f}"
            for i, label in enumerate(("spawner/cold", "server/cold", "spawner/server"))))
        print(f"# boxes started: spawner server {box_counts(on.url)}; --no-spawner "
              f"{box_counts(here.url)}; --no-standby {box_counts(off.url)}")


if __name__ == "__main__":
    main()
