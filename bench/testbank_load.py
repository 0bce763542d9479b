#!/usr/bin/env python3
"""How long a 100 000-test bank takes to load: from a file at start-up
(--testbank), through an upload (PUT /v1/testbanks/NAME), and back from the
state directory at the next start-up.

    /usr/bin/python3 bench/testbank_load.py [N] [AVG_TEST_BYTES]

Start-up times are measured from spawning the server to its first OK on
/health, and the bank's share is the difference with a start-up without the
bank (median of 3 each). The server also logs each bank's own load time.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from common import BINARY, REPO, free_port  # noqa: E402  (bench/ helpers)


def start(*args):
    """(seconds to the first /health OK, process, url, log path)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(prefix="codeexec-bench-", suffix=".log", delete=False)
    t0 = time.monotonic()
    proc = subprocess.Popen([str(BINARY), "--port", str(port), "--no-access-log", *map(str, args)],
                            stdout=log, stderr=subprocess.STDOUT)
    while True:
        if proc.poll() is not None:
            sys.exit(f"server exited: {Path(log.name).read_text()}")
        try:
            urllib.request.urlopen(url + "/health", timeout=1).read()
            return time.monotonic() - t0, proc, url, log.name
        except OSError:
            time.sleep(0.002)


def stop(proc):
    proc.terminate()
    proc.wait(timeout=10)


def median_start(*args):
    times, logs = [], []
    for _ in range(3):
        t, proc, _, log = start(*args)
        stop(proc)
        times.append(t)
        logs.append(Path(log).read_text())
    return statistics.median(times), logs[-1]


def make_tests(n: int, avg: int):
    rnd = random.Random(42)
    out = []
    for i in range(n):
        body = "".join(f"    assert candidate({rnd.randint(0, 10**6)}, 'x{j}') == {rnd.random()!r}\n"
                       for j in range(max(1, avg // 48)))
        out.append(f"def check(candidate):\n{body}\ncheck(f_{i})\n")
    return out


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    avg = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    work = Path(tempfile.mkdtemp(prefix="codeexec-bankbench-"))
    try:
        tests = make_tests(n, avg)
        path = work / "bank.jsonl"
        with open(path, "w") as f:
            for t in tests:
                f.write(json.dumps({"test": t, "hash": hashlib.md5(t.encode()).hexdigest()}) + "\n")
        size = path.stat().st_size
        print(f"bank: {n} tests, {size / 1e6:.1f} MB of JSONL")

        base, _ = median_start("--state-dir", work / "s0")
        with_bank, log = median_start("--state-dir", work / "s1", "--testbank", f"bench={path}")
        m = re.search(r"test bank bench: (\d+) tests.* in ([\d.]+) ms \(([\d.]+) ms of CPU\)", log)
        print(f"start-up without a bank: {base * 1000:.0f} ms; with --testbank: "
              f"{with_bank * 1000:.0f} ms; the bank's share: {(with_bank - base) * 1000:.0f} ms")
        if m:
            print(f"server log: {m.group(1)} tests loaded in {m.group(2)} ms "
                  f"({m.group(3)} ms of CPU: the figure that does not depend on other load)")

        t, proc, url, log2 = start("--state-dir", work / "s2", "--max-body", str(size + 1024))
        try:
            data = path.read_bytes()
            # /health round trips during the upload: how long the loop stalls
            stalls, stop_probe = [], threading.Event()

            def probe():
                while not stop_probe.is_set():
                    t = time.monotonic()
                    urllib.request.urlopen(url + "/health", timeout=30).read()
                    stalls.append(time.monotonic() - t)
                    time.sleep(0.005)

            th = threading.Thread(target=probe)
            th.start()
            t0 = time.monotonic()
            req = urllib.request.Request(url + "/v1/testbanks/bench", data=data, method="PUT")
            reply = json.load(urllib.request.urlopen(req, timeout=120))
            put = time.monotonic() - t0
            stop_probe.set()
            th.join()
            assert reply["tests"] == n, reply
            print(f"upload (PUT, whole request): {put * 1000:.0f} ms")
            m = re.search(r"parsed in ([\d.]+) ms, ([\d.]+) ms of CPU, and persisted in ([\d.]+) ms",
                          Path(log2).read_text())
            if m:
                print(f"  on the worker thread: parsing {m.group(1)} ms ({m.group(2)} ms of CPU), "
                      f"persisting (temp file, fsync, rename) {m.group(3)} ms")
            print(f"  slowest /health during the upload: {max(stalls) * 1000:.0f} ms "
                  f"({len(stalls)} probes)")
            t0 = time.monotonic()
            body = json.dumps({"code": "", "timeout": 5,
                               "testhash": ["bench", hashlib.md5(tests[0].encode()).hexdigest()]})
            for _ in range(200):
                urllib.request.urlopen(urllib.request.Request(
                    url + "/v1/testbanks/bench", method="GET")).read()
            print(f"GET /v1/testbanks/bench while loaded: {(time.monotonic() - t0) / 200 * 1e3:.2f} ms")
        finally:
            stop(proc)
        reload, _ = median_start("--state-dir", work / "s2")
        print(f"start-up reloading it from the state dir: {reload * 1000:.0f} ms "
              f"(the bank's share: {(reload - base) * 1000:.0f} ms)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
