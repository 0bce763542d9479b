#!/usr/bin/env python3
"""Benchmark: /py_exec runs per second against the same program run bare.

Baselines, measured in this process at the same concurrency:
  bare      /usr/bin/python3 prog.py, fork/exec'd directly
  original  bash -c "ulimit -v N; python3 prog.py" as an unprivileged uid
            (the original server's recipe, minus its Docker)
Prints runs/s, the ratio server/bare, p50/p99 latency at concurrency 1 and
the server's own CPU per run. Usage: bench/py_exec.py [--runs N] [--conc 1,2,8]
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.request

from common import Server, cpu_seconds, median_rate, pct
from warm_python import bare_runner

PROGRAMS = {
    "plain": "def add(a, b):\n    return a + b\n\nassert add(2, 3) == 5\nprint('ok')\n",
    "numpy": "import numpy as np\nassert int(np.arange(10).sum()) == 45\nprint('ok')\n",
}


def server_runner(url: str, code: str):
    body = json.dumps({"code": code, "timeout": 30}).encode()

    def run():
        req = urllib.request.Request(url + "/py_exec", data=body)
        with urllib.request.urlopen(req) as r:
            out = r.read()
        assert out == b"0\nok\n", out

    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--conc", default="1,2,8")
    ap.add_argument("--programs", default="plain,numpy")
    ap.add_argument("--server-args", default="")
    a = ap.parse_args()
    concs = [int(c) for c in a.conc.split(",")]
    print(f"# {os.cpu_count()} CPUs; {a.runs} runs x 3 rounds per cell; medians")
    print(f"{'program':8} {'conc':>4} {'bare/s':>8} {'orig/s':>8} {'server/s':>9} "
          f"{'srv/bare':>8} {'srv/orig':>8}")
    with Server(*a.server_args.split()) as srv:
        for name in a.programs.split(","):
            code = PROGRAMS[name]
            for c in concs:
                n = a.runs if name == "plain" else max(10, a.runs // 4)
                bare, _ = median_rate(bare_runner(code, False), n, c)
                orig, _ = median_rate(bare_runner(code, True), n, c)
                cpu0 = cpu_seconds(srv.proc.pid)
                srv_rate, lats = median_rate(server_runner(srv.url, code), n, c)
                cpu_per_run = (cpu_seconds(srv.proc.pid) - cpu0) / (3 * n) * 1000
                print(f"{name:8} {c:>4} {bare:8.1f} {orig:8.1f} {srv_rate:9.1f} "
                      f"{srv_rate / bare:8.2f} {srv_rate / orig:8.2f}"
                      + (f"   p50 {pct(lats, 50):.1f} ms  p99 {pct(lats, 99):.1f} ms"
                         f"  server CPU {cpu_per_run:.2f} ms/run" if c == 1 else ""))


if __name__ == "__main__":
    main()
