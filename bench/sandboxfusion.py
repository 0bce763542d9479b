#!/usr/bin/env python3
"""Benchmark: a SandboxFusion client's /run_code calls against the same
calls run as python3 subprocesses (issue 15: >= 5x at 32 concurrent).

The client sends what verl's sandbox_fusion reward sends (its body shape:
compile_timeout, run_timeout, code, stdin, memory_limit_MB 1024, language
python, files {}, fetch_files []), N calls at C concurrent, one keep-alive
connection per client thread. The baseline runs each call as
`/usr/bin/python3 prog.py` with the same stdin, fork/exec'd from the same
number of threads (no isolation at all). Every call's stdout must be the
same both ways (and the status Success). Programs, each a typical shape of
code-RL solutions:

  stdin     reads n numbers on stdin, sorts, prints a sum and a max
            (the usual imports of competitive-programming Python)
  fn_name   a LeetCode-style class Solution method called on JSON read from
            stdin, printed as JSON (the shape verl's fn_name wrapper runs)
  plain     print("ok")
  numpy     import numpy, a small array sum

Prints calls/s both ways and the ratio server/subprocess per program, and
the CPU each call costs both ways (server: its process and its cgroup,
every box and zygote; subprocess: the python3 children), whose ratio is
what the throughput ratio tends to on an otherwise idle machine (other
load takes CPU from the server's --max-running boxes more than from 32
competing subprocesses). The client's own CPU per call (this process,
its 32 threads) is printed too: on a 2-CPU machine it shares the CPUs with
the server. --client raw replaces http.client with a minimal keep-alive
HTTP/1.1 client (the request bytes built once per call, the reply read by
its Content-Length), to see how much of the throughput the client takes.
Usage:
bench/sandboxfusion.py [--calls 1000] [--conc 32] [--programs stdin,fn_name,plain,numpy]
                       [--client http.client|raw]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from common import Server, cpu_seconds
from warm_python import cgroup_cpu_s, server_cgroup, wait_idle, wait_warm_ready

PROGRAMS = {
    "stdin": ("import sys\nfrom collections import Counter, defaultdict, deque\n"
              "import heapq, bisect, math, itertools, functools, re\n\n"
              "def main():\n"
              "    data = sys.stdin.read().split()\n"
              "    n = int(data[0])\n"
              "    a = sorted(map(int, data[1:1 + n]))\n"
              "    c = Counter(a)\n"
              "    print(sum(a), a[-1], len(c))\n\n"
              "main()\n"),
    "fn_name": ("import json\nfrom typing import List, Optional, Dict\n\n"
                "class Solution:\n"
                "    def topTwo(self, nums: List[int]) -> List[int]:\n"
                "        return sorted(nums)[-2:]\n\n"
                "line = __import__('sys').stdin.read().splitlines()[1]\n"
                "nums = json.loads('[' + line.replace(' ', ',') + ']')\n"
                "print(json.dumps(Solution().topTwo(nums)))\n"),
    "plain": 'print("ok")\n',
    "numpy": "import numpy as np\nprint(int(np.arange(10).sum()))\n",
}


def stdin_of(i: int) -> str:
    n = 50 + i % 50
    return f"{n}\n" + " ".join(str((i * 7919 + k * 104729) % 1000) for k in range(n)) + "\n"


def run_parallel(fn, calls: int, conc: int) -> tuple[float, list]:
    """fn(i) for i in range(calls) from conc threads; (calls/s, results)."""
    results: list = [None] * calls
    nxt = 0
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker():
        nonlocal nxt
        while True:
            with lock:
                if nxt >= calls or errors:
                    return
                i = nxt
                nxt += 1
            try:
                results[i] = fn(i)
            except BaseException as e:  # noqa: BLE001 (reported below)
                errors.append(e)
                return

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return calls / elapsed, results


def server_call(port: int, code: str):
    local = threading.local()

    def post(body: bytes):
        c = getattr(local, "conn", None)
        if c is None:
            c = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            c.request("POST", "/run_code", body,
                      {"Content-Type": "application/json", "Accept": "application/json"})
            r = c.getresponse()
            return r.status, r.read()
        except (http.client.HTTPException, OSError):
            c.close()
            local.conn = None
            raise

    def call(i: int) -> str:
        body = json.dumps({"compile_timeout": 10, "run_timeout": 10, "code": code,
                           "stdin": stdin_of(i), "memory_limit_MB": 1024, "language": "python",
                           "files": {}, "fetch_files": []}).encode()
        try:
            status, out = post(body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            status, out = post(body)  # an idle keep-alive connection was closed
        j = json.loads(out)
        assert status == 200 and j["status"] == "Success", (status, out[:2000])
        return j["run_result"]["stdout"]

    return call


def raw_server_call(port: int, code: str):
    """The same calls over a minimal HTTP/1.1 client: one keep-alive socket per
    thread, the reply read by its Content-Length."""
    import socket
    local = threading.local()

    def post(body: bytes) -> tuple[int, bytes]:
        s = getattr(local, "sock", None)
        if s is None:
            s = local.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
            local.buf = b""
        s.sendall(b"POST /run_code HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                  b"application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        buf = local.buf
        while b"\r\n\r\n" not in buf:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionResetError("closed")
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = int(next(l.split(b":", 1)[1] for l in head.split(b"\r\n")
                          if l.lower().startswith(b"content-length:")))
        while len(rest) < length:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionResetError("closed")
            rest += chunk
        local.buf = rest[length:]
        return status, rest[:length]

    def call(i: int) -> str:
        body = json.dumps({"compile_timeout": 10, "run_timeout": 10, "code": code,
                           "stdin": stdin_of(i), "memory_limit_MB": 1024, "language": "python",
                           "files": {}, "fetch_files": []}).encode()
        status, out = post(body)
        j = json.loads(out)
        assert status == 200 and j["status"] == "Success", (status, out[:2000])
        return j["run_result"]["stdout"]

    return call


def own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system


def subprocess_call(code: str):
    d = tempfile.mkdtemp(prefix="bench-sf-")
    path = os.path.join(d, "prog.py")
    with open(path, "w") as f:
        f.write(code)
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
           **{k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")}}

    def call(i: int) -> str:
        p = subprocess.run(["/usr/bin/python3", path], input=stdin_of(i).encode(),
                           capture_output=True, env=env, cwd=d, timeout=60)
        assert p.returncode == 0, (p.returncode, p.stderr[-2000:])
        return p.stdout.decode()

    return call, d


def server_cpu_s(srv, cg) -> float:
    # On cgroup v2 the server process is inside its cgroup already.
    own = 0.0 if cg and cg[1] == "cpu.stat" else cpu_seconds(srv.proc.pid)
    return own + (cgroup_cpu_s(cg) or 0.0)


def children_cpu_s() -> float:
    t = os.times()
    return t.children_user + t.children_system


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--conc", type=int, default=32)
    ap.add_argument("--programs", default="stdin,fn_name,plain,numpy")
    ap.add_argument("--server-args", default="")
    ap.add_argument("--client", choices=("http.client", "raw"), default="http.client")
    ap.add_argument("--idle-wait", type=float, default=120,
                    help="seconds to wait for a quiet machine first")
    a = ap.parse_args()
    print(f"# SandboxFusion /run_code: {a.calls} Python calls at {a.conc} concurrent "
          f"(verl's request shape) vs the same calls as python3 subprocesses; {os.cpu_count()} CPUs")
    busy = wait_idle(a.idle_wait)
    print(f"# machine {busy:.0%} busy at the start; client: {a.client}")
    print(f"{'program':8} {'subproc/s':>10} {'server/s':>9} {'ratio':>6} {'cpu ms/call':>12} "
          f"{'server':>7} {'ratio':>6} {'client':>7}  same results")
    client = server_call if a.client == "http.client" else raw_server_call
    worst = None
    with Server(*a.server_args.split()) as srv:
        wait_warm_ready(srv.url)
        cg = server_cgroup(srv.proc.pid)
        for name in a.programs.split(","):
            code = PROGRAMS[name]
            sub, tmp = subprocess_call(code)
            run_parallel(client(srv.port, code), 2 * a.conc, a.conc)  # warm-up
            c0, own0 = server_cpu_s(srv, cg), own_cpu_s()
            srv_rate, srv_out = run_parallel(client(srv.port, code), a.calls, a.conc)
            srv_cpu = (server_cpu_s(srv, cg) - c0) / a.calls * 1000
            cli_cpu = (own_cpu_s() - own0) / a.calls * 1000
            c0 = children_cpu_s()
            sub_rate, sub_out = run_parallel(sub, a.calls, a.conc)
            sub_cpu = (children_cpu_s() - c0) / a.calls * 1000
            same = srv_out == sub_out
            ratio = srv_rate / sub_rate
            worst = ratio if worst is None else min(worst, ratio)
            print(f"{name:8} {sub_rate:10.1f} {srv_rate:9.1f} {ratio:6.2f} {sub_cpu:12.2f} "
                  f"{srv_cpu:7.2f} {sub_cpu / srv_cpu if srv_cpu else float('nan'):6.2f} "
                  f"{cli_cpu:7.2f}  "
                  f"{'yes' if same else 'NO'}", flush=True)
            subprocess.run(["rm", "-rf", tmp], check=False)
            if not same:
                bad = next(i for i in range(a.calls) if srv_out[i] != sub_out[i])
                print(f"  call {bad}: server {srv_out[bad]!r} vs subprocess {sub_out[bad]!r}")
                sys.exit(1)
    print(f"# lowest throughput ratio: {worst:.2f}x (issue 15 asks >= 5x)")


if __name__ == "__main__":
    main()
