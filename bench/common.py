"""Shared helpers for the benchmarks: start a server, run workloads at a
given concurrency, take medians. Benchmarks print ratios against baselines
measured in the same process, never absolute pass/fail thresholds."""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BINARY = Path(os.environ.get("CODEEXEC_BINARY") or REPO / "build" / "codeexec")
# The warm runtimes whose zygotes start with their language's first run:
# language key, zygote binary (beside the server), /health header.
LAZY_WARM = (("racket", "codeexec-rktzygote", "X-Codeexec-Warm-Racket"),
             ("r", "codeexec-rzygote", "X-Codeexec-Warm-R"),
             ("ocaml", "codeexec-mlzygote", "X-Codeexec-Warm-OCaml"),
             ("php", "codeexec-phpzygote.so", "X-Codeexec-Warm-PHP"),
             ("v", "codeexec-coqzygote.so", "X-Codeexec-Warm-Coq"),
             ("matlab", "codeexec-octzygote.so", "X-Codeexec-Warm-Octave"))
# Coq's zygotes start with the first program that begins with these lines
# (src/sandbox/warm-proto.h, WARM_COQ_PREFIX); other Coq programs run cold.
COQ_PREFIX = ("Require Import ZArith.\nRequire Import Reals.\nRequire Import Coq.Strings.String.\n"
              "Open Scope string_scope.\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`wrapper`: argv put before the server's own (it must end by exec'ing
    its arguments, so that the server keeps the pid). CODEEXEC_UID_BASE: a
    --uid-base for servers started without one, as in tests/e2e."""

    def __init__(self, *args, wrapper=()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="codeexec-bench-", suffix=".log", delete=False)
        if "--uid-base" not in args and os.environ.get("CODEEXEC_UID_BASE"):
            args = (*args, "--uid-base", os.environ["CODEEXEC_UID_BASE"])
        self.proc = subprocess.Popen([*wrapper, str(BINARY), "--port", str(self.port), "--no-access-log",
                                      *args], stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.url + "/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("server did not start; see " + self.log.name)
        self.wait_quiet()

    def wait_quiet(self, limit_s: float = 180):
        """Waits until the start-up version probes are done, so that they
        neither slow the measurement nor count as leftovers."""
        import json
        end = time.monotonic() + limit_s
        while time.monotonic() < end:
            langs = json.load(urllib.request.urlopen(self.url + "/v1/languages"))["languages"]
            if all(l.get("version") or not l["installed"] for l in langs):
                metrics = urllib.request.urlopen(self.url + "/metrics").read().decode()
                if "codeexec_background_running 0" in metrics:
                    return
            time.sleep(0.5)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


def post(url: str, path: str, body: dict, timeout: float = 600) -> bytes:
    """POSTs body as JSON; the reply's bytes."""
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read()


def timed(fn):
    """(seconds fn() took, what it returned)."""
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def rate(fn, n: int, concurrency: int) -> tuple[float, list[float]]:
    """Runs fn() n times at the given concurrency; returns (runs/s, latencies)."""
    lat = []

    def one(_):
        t = time.perf_counter()
        fn()
        lat.append(time.perf_counter() - t)

    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(n)))
    return n / (time.perf_counter() - t0), lat


def median_rate(fn, n, concurrency, rounds=3):
    rates, lats = [], []
    for _ in range(rounds):
        r, l = rate(fn, n, concurrency)
        rates.append(r)
        lats += l
    lats.sort()
    return statistics.median(rates), lats


def pct(lats, p):
    return lats[min(len(lats) - 1, int(len(lats) * p / 100))] * 1000 if lats else float("nan")


def proc_stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (state first)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    fields = proc_stat(pid)
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick
