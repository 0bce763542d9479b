#!/usr/bin/env python3
"""Benchmark: warm Python. /py_exec runs per second, latency and CPU per run,
for HumanEval-style programs, in four modes measured in the same process:

  bare   /usr/bin/python3 prog.py, fork/exec'd directly by this script
  orig   the original server's recipe minus its Docker: bash -c "ulimit -v N;
         /usr/bin/python3 prog.py" as an unprivileged uid (65534)
  cold   /py_exec on a server started with --no-warm-python (a fresh
         interpreter in a fresh box per run)
  warm   /py_exec on a server with its defaults (each run forked from a
         pre-started interpreter with numpy and pandas preloaded)

at each concurrency (clients in flight at once), interleaved: round r
measures every (program, concurrency) cell in all modes one after the other,
so slow drift of a shared machine hits the modes alike; each cell's rate is
the median over the rounds. Every reply is checked (the program prints "ok"
after its asserts; /py_exec must answer exactly "0\\nok\\n").

CPU per run, summed over all rounds and concurrencies of a (program, mode):
  server   the server process itself (/proc/PID/stat utime+stime)
  zygotes  the server's descendants named codeexec-pyzyg, their own CPU and
           that of the children they reaped (utime+stime+cutime+cstime)
  cgroup   cpuacct.usage (v1) or cpu.stat usage_usec (v2) of the server's
           codeexec-PID cgroup: every box, hence every run's own CPU, and the
           zygotes if they live there (v2: the server process too)
  total    the whole machine (/proc/stat, busy time) minus this script's own
           CPU: everything a run costs, wherever it is spent; for bare and orig
           the python (and bash) processes themselves
  client   this script's own CPU (HTTP client or fork/exec + threads)

The machine may be shared: a cell during which other processes used more
than --max-foreign of the machine (its busy time minus this script, its
children and the servers' processes and cgroups) is measured again once the
machine is quiet, up to --cell-retries times; the data file keeps, per cell,
the largest such share seen in an accepted measurement (column foreign).

Writes bench/results/warm_python.tsv and draws docs/img/warm-python.png with
gnuplot (`make bench` installs gnuplot-nox). Before the server has warm Python
(no --no-warm-python in --help) only bare, orig and cold are measured.

Usage: bench/warm_python.py [--runs N] [--rounds R] [--conc 1,2,4,8]
         [--programs floor,plain,numpy,pandas] [--modes bare,orig,cold,warm]
         [--min-seconds S] [--tsv PATH] [--png PATH]
       bench/warm_python.py --plot-only [--tsv PATH] [--png PATH]
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
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

from common import BINARY, REPO, Server, cpu_seconds, pct, proc_stat

# HumanEval-style: a function, then check(candidate) with asserts, as the
# harnesses send them; each prints "ok" last so that every reply is verified.
PROGRAMS = {
    # The cheapest run there is: what a run costs before its program does
    # anything (a box, a fork of the lean zygote, its exit). No warm run of
    # any program can be faster, so this bounds every warm/bare ratio.
    "floor": '''print("ok")
''',
    "plain": '''from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    """Is any pair of numbers in the list closer to each other than threshold?"""
    ordered = sorted(numbers)
    return any(b - a < threshold for a, b in zip(ordered, ordered[1:]))


def check(candidate):
    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True
    assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05) == False
    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.95) == True
    assert candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.8) == False
    assert candidate([1.0, 2.0, 3.0, 4.0, 5.0, 2.0], 0.1) == True
    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 1.0) == True
    assert candidate([1.1, 2.2, 3.1, 4.1, 5.1], 0.5) == False


check(has_close_elements)
print("ok")
''',
    "numpy": '''import numpy as np


def moving_average(values, window):
    """Means of each run of `window` consecutive values, as a list of floats."""
    a = np.asarray(values, dtype=float)
    c = np.cumsum(np.insert(a, 0, 0.0))
    return ((c[window:] - c[:-window]) / window).tolist()


def check(candidate):
    assert candidate([1, 2, 3, 4, 5], 2) == [1.5, 2.5, 3.5, 4.5]
    assert candidate([1, 2, 3, 4, 5], 5) == [3.0]
    assert candidate([2, 2, 2], 1) == [2.0, 2.0, 2.0]
    assert np.allclose(candidate(list(range(100)), 10), np.arange(4.5, 95, 1.0))


check(moving_average)
print("ok")
''',
    "pandas": '''import pandas as pd


def total_by_key(keys, values):
    """Sum of values per key, as a dict sorted by key."""
    df = pd.DataFrame({"k": keys, "v": values})
    return {k: int(v) for k, v in df.groupby("k")["v"].sum().items()}


def check(candidate):
    assert candidate(["a", "b", "a"], [1, 2, 3]) == {"a": 4, "b": 2}
    assert candidate([], []) == {}
    assert candidate(["x"] * 10, list(range(10))) == {"x": 45}


check(total_by_key)
print("ok")
''',
}

# Runs per cell and round, relative to --runs (the plain program's count):
# numpy and pandas start 5x and 20x slower when cold.
RUN_SHARE = {"floor": 1.0, "plain": 1.0, "numpy": 0.3, "pandas": 0.12}
MODES = ["bare", "orig", "cold", "warm"]
COLUMNS = ["program", "conc", "mode", "runs_per_s", "rates", "runs", "p50_ms", "p99_ms",
           "server_cpu_ms", "zygote_cpu_ms", "cgroup_cpu_ms", "total_cpu_ms", "client_cpu_ms",
           "foreign"]


def has_warm_python() -> bool:
    out = subprocess.run([str(BINARY), "--help"], capture_output=True, text=True).stdout
    return "--no-warm-python" in out


# ---- runners: each returns a function doing one checked run ----

TMPDIRS: list[str] = []


def bare_runner(code: str, original: bool):
    d = tempfile.mkdtemp(prefix="bench-warm-")
    TMPDIRS.append(d)
    os.chmod(d, 0o755)
    path = os.path.join(d, "prog.py")
    with open(path, "w") as f:
        f.write(code)
    os.chmod(path, 0o644)
    # The server passes OPENBLAS_* (host-specific BLAS tuning) to its runs.
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
           **{k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_")}}
    if original:
        # The original's default: the machine's memory shared among its CPUs.
        kib = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 1024 // os.cpu_count()
        argv = ["/bin/bash", "-c", f"ulimit -v {kib}; /usr/bin/python3 {path}"]
        ids = {"user": 65534, "group": 65534, "extra_groups": []}
    else:
        argv, ids = ["/usr/bin/python3", path], {}

    def run():
        p = subprocess.run(argv, capture_output=True, env=env, cwd=d, **ids)
        assert p.returncode == 0 and p.stdout == b"ok\n", (p.returncode, p.stdout, p.stderr)

    return run


def server_runner(port: int, code: str):
    """One keep-alive HTTP connection per client thread."""
    body = json.dumps({"code": code, "timeout": 30}).encode()
    local = threading.local()

    def post():
        c = getattr(local, "conn", None)
        if c is None:
            c = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            c.request("POST", "/py_exec", body, {"Content-Type": "application/json"})
            r = c.getresponse()
            out = r.read()
        except (http.client.HTTPException, OSError):
            c.close()
            local.conn = None
            raise
        if (r.getheader("Connection") or "").lower() == "close":
            c.close()
            local.conn = None
        return r.status, out

    def run():
        try:
            status, out = post()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            status, out = post()  # the server closed an idle keep-alive connection
        assert status == 200 and out == b"0\nok\n", (status, out[:2000])

    return run


def measure(fn, n: int, conc: int, min_s: float):
    """Runs fn() from `conc` threads until at least n runs and min_s seconds
    are done; returns (runs/s, [latency s], runs)."""
    lock = threading.Lock()
    lats: list[float] = []
    count = 0
    errors: list[BaseException] = []
    t0 = time.perf_counter()

    def worker():
        nonlocal count
        while True:
            with lock:
                if errors or (count >= n and time.perf_counter() - t0 >= min_s):
                    return
                count += 1
            t = time.perf_counter()
            try:
                fn()
            except BaseException as e:  # noqa: BLE001 - re-raised below
                with lock:
                    errors.append(e)
                return
            lat = time.perf_counter() - t
            with lock:
                lats.append(lat)

    threads = [threading.Thread(target=worker) for _ in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return count / (time.perf_counter() - t0), lats, count


# ---- CPU accounting ----

def machine_busy_s() -> float:
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...: steal is not ours
    return (v[0] + v[1] + v[2] + v[5] + v[6]) / os.sysconf("SC_CLK_TCK")


def zygotes(server_pid: int) -> dict[int, float]:
    """The server's descendants named codeexec-pyzyg -> their CPU seconds,
    own and reaped children's."""
    tick = os.sysconf("SC_CLK_TCK")
    parent, comm, cpu = {}, {}, {}
    for e in os.listdir("/proc"):
        if not e.isdigit():
            continue
        pid = int(e)
        try:
            with open(f"/proc/{pid}/comm") as f:
                comm[pid] = f.read().strip()
            st = proc_stat(pid)
        except OSError:
            continue
        parent[pid] = int(st[1])
        cpu[pid] = sum(int(x) for x in st[11:15]) / tick
    out = {}
    for pid, name in comm.items():
        if not name.startswith("codeexec-pyzyg") or pid not in parent:
            continue
        p, seen = parent[pid], 0
        while p > 1 and p != server_pid and seen < 64:
            p, seen = parent.get(p, 0), seen + 1
        if p == server_pid:
            out[pid] = cpu[pid]
    return out


def server_cgroup(pid: int) -> tuple[str, str] | None:
    """(path of the server's codeexec-PID cgroup, counter file) or None."""
    try:
        own = open(f"/proc/{pid}/cgroup").read().splitlines()
        mounts = open("/proc/self/mountinfo").read().splitlines()
    except OSError:
        return None
    for line in own:
        hid, ctrls, path = line.split(":", 2)
        if "cpuacct" in ctrls.split(","):
            for m in mounts:
                pre, post = m.split(" - ", 1)
                fstype, _, opts = post.split()[:3]
                if fstype == "cgroup" and "cpuacct" in opts.split(","):
                    d = pre.split()[4] + path.rstrip("/") + f"/codeexec-{pid}"
                    if os.path.exists(d + "/cpuacct.usage"):
                        return d, "cpuacct.usage"
    for line in own:
        hid, ctrls, path = line.split(":", 2)
        if hid == "0" and ctrls == "":
            for m in mounts:
                pre, post = m.split(" - ", 1)
                if post.split()[0] == "cgroup2":
                    d = pre.split()[4] + path.rstrip("/")
                    if d.endswith("/server"):
                        d = d[: -len("/server")]
                    if os.path.basename(d) == f"codeexec-{pid}" and os.path.exists(d + "/cpu.stat"):
                        return d, "cpu.stat"
    return None


def cgroup_cpu_s(cg) -> float | None:
    if cg is None:
        return None
    d, name = cg
    try:
        text = open(f"{d}/{name}").read()
    except OSError:
        return None
    if name == "cpuacct.usage":
        return int(text) / 1e9
    m = re.search(r"^usage_usec (\d+)", text, re.M)
    return int(m.group(1)) / 1e6 if m else None


def ours_cpu_s(servers: dict, cgroups: dict) -> float:
    """CPU seconds of this benchmark's own work: this script, the children it
    reaped (bare and orig runs), and each server's process and cgroup."""
    t = os.times()
    total = t.user + t.system + t.children_user + t.children_system
    for m, srv in servers.items():
        cg = cgroups.get(m)
        # On cgroup v2 the server process is inside its cgroup already.
        own = 0.0 if cg and cg[1] == "cpu.stat" else cpu_seconds(srv.proc.pid)
        total += own + (cgroup_cpu_s(cg) or 0.0)
    return total


def busy_fraction(seconds: float = 2.0) -> float:
    """How busy the machine is (0..1 of all CPUs) over the next `seconds`."""
    b0, t0 = machine_busy_s(), time.monotonic()
    time.sleep(seconds)
    return (machine_busy_s() - b0) / (time.monotonic() - t0) / os.cpu_count()


def wait_idle(limit_s: float, threshold: float = 0.1) -> float:
    """Waits up to limit_s for a 2-second window with the machine under
    `threshold` busy; returns the last reading."""
    end = time.monotonic() + limit_s
    busy = busy_fraction()
    while busy > threshold and time.monotonic() < end:
        print(f"# machine {busy:.0%} busy before the start: waiting", flush=True)
        busy = busy_fraction(5)
    return busy


class Cpu:
    """Snapshots of the CPU counters; delta() of two gives seconds."""

    def __init__(self, srv=None, cg=None):
        t = os.times()
        self.client = t.user + t.system
        self.total = machine_busy_s()
        self.server = cpu_seconds(srv.proc.pid) if srv else None
        self.zyg = zygotes(srv.proc.pid) if srv else {}
        self.cg = cgroup_cpu_s(cg)

    def delta(self, before: "Cpu") -> dict:
        z = sum(v - before.zyg.get(pid, 0.0) for pid, v in self.zyg.items())
        lost = [pid for pid in before.zyg if pid not in self.zyg]
        return {
            "client": self.client - before.client,
            "total": self.total - before.total - (self.client - before.client),
            "server": None if self.server is None else self.server - before.server,
            "zyg": z if (self.zyg or before.zyg) else None,
            "zyg_lost": len(lost),
            "cgroup": None if self.cg is None or before.cg is None else self.cg - before.cg,
        }


# ---- servers ----

def warm_status(url: str) -> str | None:
    with urllib.request.urlopen(url + "/health", timeout=10) as r:
        return r.headers.get("X-Codeexec-Warm-Python")


def wait_warm_ready(url: str, limit_s: float = 120) -> str:
    end = time.monotonic() + limit_s
    st = None
    while time.monotonic() < end:
        st = warm_status(url)
        m = re.search(r"ready=(\d+)/(\d+)", st or "")
        if m and m.group(1) == m.group(2) and int(m.group(2)) > 0:
            return st
        time.sleep(0.5)
    raise RuntimeError(f"warm Python not ready after {limit_s:.0f} s: {st!r}")


def check_v1_warm(url: str, code: str, want: bool | None):
    """One /v1/run of the program: it passes and, when the server reports
    it, ran warm (or cold) as expected."""
    req = urllib.request.Request(url + "/v1/run", data=json.dumps(
        {"language": "python", "code": code, "timeout": 30}).encode())
    with urllib.request.urlopen(req, timeout=120) as r:
        res = json.load(r)
    assert res.get("passed") and res.get("stdout") == "ok\n", res
    if want is not None:
        assert res.get("warm") is want, f"expected warm={want}, got {res.get('warm')!r}"


def warm_metrics(url: str) -> dict[str, float]:
    """The server's codeexec_warm_python_* metrics (empty if it has none)."""
    text = urllib.request.urlopen(url + "/metrics", timeout=10).read().decode()
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r"^codeexec_warm_python_(\w+) ([0-9.e+]+)$", text, re.M)}


# ---- output ----

def machine_info() -> str:
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30
    osname = "?"
    try:
        osname = re.search(r'^PRETTY_NAME="?([^"\n]*)', open("/etc/os-release").read(),
                           re.M).group(1)
    except (OSError, AttributeError):
        pass
    py = subprocess.run(["/usr/bin/python3", "-c",
                         "import sys, numpy, pandas; "
                         "print(sys.version.split()[0], numpy.__version__, pandas.__version__)"],
                        capture_output=True, text=True).stdout.split()
    py += ["?"] * (3 - len(py))
    return (f"{os.cpu_count()} CPUs ({model}), {mem:.0f} GiB, {osname}, "
            f"Linux {platform.release()}, python {py[0]}, numpy {py[1]}, pandas {py[2]}")


def fmt(v, spec=".1f"):
    """format(v, spec), or a dash as wide as the spec's width for None."""
    width = int(re.match(r"\d*", spec).group() or 0)
    return "-".rjust(width) if v is None else format(v, spec)


def write_tsv(path: Path, header: list[str], rows: list[dict]):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        for h in header:
            f.write(f"# {h}\n")
        f.write("\t".join(COLUMNS) + "\n")
        for r in rows:
            f.write("\t".join("" if r.get(c) is None else
                              (f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c]))
                              for c in COLUMNS) + "\n")


def read_tsv(path: Path) -> tuple[list[str], list[dict]]:
    header, rows, cols = [], [], None
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("#"):
            header.append(line[2:])
        elif cols is None:
            cols = line.split("\t")
        elif line:
            rows.append(dict(zip(cols, line.split("\t"))))
    return header, rows


def plot(tsv: Path, png: Path):
    """Runs/s against concurrency, one panel per program, a line per mode."""
    if not shutil.which("gnuplot"):
        print("# gnuplot not found (apt-get install gnuplot-nox): no plot", file=sys.stderr)
        return
    header, rows = read_tsv(tsv)
    programs = list(dict.fromkeys(r["program"] for r in rows))
    style = {"warm": ("warm /py_exec", "#d62728", 7),
             "cold": ("cold /py_exec", "#1f77b4", 5),
             "bare": ("bare python3", "#2ca02c", 9),
             "orig": ("original recipe (bash + ulimit)", "#7f7f7f", 13)}
    n = max(1, len(programs))
    gp = [f"set terminal pngcairo noenhanced size {420 * n + 60},500 font 'sans,10'",
          f"set output '{png}'"]
    plots = []
    for p in programs:
        series, values = [], []
        for m in ["warm", "cold", "bare", "orig"]:
            pts = sorted((int(r["conc"]), float(r["runs_per_s"])) for r in rows
                         if r["program"] == p and r["mode"] == m and r["runs_per_s"])
            if not pts:
                continue
            values += [v for _, v in pts]
            gp.append(f"$d_{p}_{m} << EOD")
            gp += [f"{c} {v:.2f}" for c, v in pts]
            gp.append("EOD")
            title, color, pt = style[m]
            series.append(f"$d_{p}_{m} using 1:2 with linespoints lw 2 pt {pt} ps 1.3 "
                          f"lc rgb '{color}' title '{title}'")
        plots.append((p, series, min(values) / 1.6, max(values) * 1.6))
    concs = sorted({int(r["conc"]) for r in rows})
    meta = {h.split(":", 1)[0]: h.split(":", 1)[1].strip() for h in header if ":" in h}
    machine = meta.get("machine", "").split(" (")[0]
    date = meta.get("date", "")[:10]
    ticks = ", ".join(str(m * 10 ** e) for e in range(-1, 6) for m in (1, 2, 5))
    gp += [f"set multiplot title \"/py_exec runs per second: warm, cold, bare python3 and the "
           f"original recipe (medians of rounds; {machine}; {date})\" font 'sans,12'",
           "set logscale x 2", "set logscale y 10",
           "set xtics (" + ", ".join(f"'{c}' {c}" for c in concs) + ")",
           f"set xrange [{min(concs) / 1.25}:{max(concs) * 1.25}]",
           f"set ytics ({ticks})", "set format y '%g'",
           "set xlabel 'concurrent clients'", "set ylabel 'runs per second (log scale)'",
           "set grid xtics ytics", "unset key"]
    for i, (p, series, lo, hi) in enumerate(plots):
        gp += [f"set origin {i / n:.4f},0.1", f"set size {1 / n:.4f},0.83",
               f"set title '{p}' font 'sans,11'", f"set yrange [{lo:.3g}:{hi:.3g}]",
               "plot " + ", \\\n     ".join(series)]
    # The legend: an empty plot across the bottom, with the last panel's series.
    legend = [re.sub(r"^\$\S+ using 1:2", "NaN", x) for x in plots[-1][1]]
    gp += ["set origin 0,0", "set size 1,0.1", "unset border", "unset tics", "unset xlabel",
           "unset ylabel", "unset title", "unset grid", "unset logscale", "set xrange [0:1]",
           "set yrange [0:1]", "set key center center horizontal maxrows 1 width 2 font 'sans,10'",
           "plot " + ", ".join(legend)]
    gp.append("unset multiplot")
    png.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gnuplot"], input="\n".join(gp) + "\n", text=True, check=True)
    print(f"# plot: {png}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=100,
                    help="runs per cell and round of the plain program "
                         "(numpy: x0.3, pandas: x0.12)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--min-seconds", type=float, default=0.5,
                    help="a cell keeps running until it has lasted this long too")
    ap.add_argument("--conc", default="1,2,4,8")
    ap.add_argument("--programs", default="floor,plain,numpy,pandas")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--server-args", default="", help="extra arguments for both servers")
    ap.add_argument("--max-foreign", type=float, default=0.15, metavar="F",
                    help="measure a cell again when other processes used more than this "
                         "fraction of the machine during it (default 0.15)")
    ap.add_argument("--cell-retries", type=int, default=3)
    ap.add_argument("--retry-deadline", type=float, default=900, metavar="S",
                    help="no more retries (nor waits for quiet) S seconds after the start")
    ap.add_argument("--wait-idle", type=float, default=0, metavar="S",
                    help="wait up to S seconds for the machine to be idle (<10%% busy) first")
    ap.add_argument("--tsv", type=Path, default=REPO / "bench" / "results" / "warm_python.tsv")
    ap.add_argument("--png", type=Path, default=REPO / "docs" / "img" / "warm-python.png")
    ap.add_argument("--plot-only", action="store_true", help="redraw the plot from --tsv")
    a = ap.parse_args()
    if a.plot_only:
        plot(a.tsv, a.png)
        return

    concs = [int(c) for c in a.conc.split(",")]
    programs = a.programs.split(",")
    modes = [m for m in a.modes.split(",") if m]
    assert all(p in PROGRAMS for p in programs) and all(m in MODES for m in modes)
    warm_available = has_warm_python()
    if "warm" in modes and not warm_available:
        print("# warm Python: not in this server (no --no-warm-python in --help): "
              "measuring bare, orig and cold only")
        modes.remove("warm")
    info = machine_info()
    print(f"# machine: {info}")
    busy_before = wait_idle(a.wait_idle)
    print(f"# machine {busy_before:.0%} busy before the start (others' load skews every mode)")
    started = time.monotonic()

    servers = {}
    try:
        extra = a.server_args.split()
        if "cold" in modes:
            # Both servers stay up for the whole run so that the modes can be
            # interleaved; distinct uid ranges keep their boxes apart (and
            # apart from a server on the default range).
            servers["cold"] = Server(*extra, *(["--no-warm-python"] if warm_available else []),
                                     "--uid-base", "300000")
        if "warm" in modes:
            servers["warm"] = Server(*extra, "--uid-base", "310000")
        warm_header, warm_note = None, ""
        for m, srv in servers.items():
            st = warm_status(srv.url)
            if m == "warm":
                warm_header = wait_warm_ready(srv.url)
                print(f"# warm server: X-Codeexec-Warm-Python: {warm_header}")
            elif warm_available:
                assert st == "off", f"cold server reports warm Python {st!r}"
            for p in programs:
                check_v1_warm(srv.url, PROGRAMS[p], (m == "warm") if warm_available else None)
        cgroups = {m: server_cgroup(s.proc.pid) for m, s in servers.items()}

        runners = {}
        for p in programs:
            for m in modes:
                if m in ("bare", "orig"):
                    runners[p, m] = bare_runner(PROGRAMS[p], m == "orig")
                else:
                    runners[p, m] = server_runner(servers[m].port, PROGRAMS[p])
        # (program, conc, mode) -> rates, latencies, runs, cpu sums
        cells = {(p, c, m): {"rates": [], "lats": [], "runs": 0, "cpu": {}}
                 for p in programs for c in concs for m in modes}
        print(f"# {a.rounds} rounds, modes interleaved; runs per cell and round: "
              + ", ".join(f"{p} {max(8, round(a.runs * RUN_SHARE[p]))}" for p in programs)
              + f" (at least {a.min_seconds} s)")
        foreign = []  # per round: CPU of other processes, fraction of the machine
        redone = 0
        for r in range(a.rounds):
            t_round, busy0, ours0 = time.monotonic(), machine_busy_s(), ours_cpu_s(servers, cgroups)
            for p in programs:
                n = max(8, round(a.runs * RUN_SHARE[p]))
                for c in concs:
                    for m in modes:
                        srv = servers.get(m)
                        for attempt in range(a.cell_retries + 1):
                            t1, busy1, ours1 = (time.monotonic(), machine_busy_s(),
                                                ours_cpu_s(servers, cgroups))
                            before = Cpu(srv, cgroups.get(m))
                            rate_, lats, runs = measure(runners[p, m], n, c, a.min_seconds)
                            d = Cpu(srv, cgroups.get(m)).delta(before)
                            other = ((machine_busy_s() - busy1) - (ours_cpu_s(servers, cgroups)
                                                                   - ours1)) / (
                                (time.monotonic() - t1) * os.cpu_count())
                            if (other <= a.max_foreign or attempt == a.cell_retries
                                    or time.monotonic() - started > a.retry_deadline):
                                break
                            # Someone else's load: measure this cell again
                            # once the machine is quiet.
                            redone += 1
                            wait_idle(30)
                        cell = cells[p, c, m]
                        cell["foreign"] = max(cell.get("foreign", 0.0), other)
                        cell["rates"].append(rate_)
                        cell["lats"] += lats
                        cell["runs"] += runs
                        for k, v in d.items():
                            if v is not None:
                                cell["cpu"][k] = cell["cpu"].get(k, 0.0) + v
            other = ((machine_busy_s() - busy0) - (ours_cpu_s(servers, cgroups) - ours0)) / (
                (time.monotonic() - t_round) * os.cpu_count())
            foreign.append(other)  # includes the waits for quiet before cells measured again
            print(f"# round {r + 1}/{a.rounds} done at {time.monotonic() - started:.0f} s; "
                  f"CPU outside the benchmark: {other:.0%} of the machine; cells measured "
                  f"again so far because of it: {redone}", flush=True)
        if "warm" in servers:
            warm_header = warm_status(servers["warm"].url)
            wm = warm_metrics(servers["warm"].url)
            sent = len(programs) + sum(cells[k]["runs"] for k in cells if k[2] == "warm")
            warm_note = (f"{sent} runs sent to the warm server: "
                         + ", ".join(f"{k} {v:g}" for k, v in wm.items() if k.endswith("_total")))
            print(f"# {warm_note}")
            if wm and wm.get("runs_total", sent) < sent:
                print("# WARNING: not every run of the warm server ran warm")
    finally:
        for s in servers.values():
            s.stop()
        for d in TMPDIRS:
            shutil.rmtree(d, ignore_errors=True)
    busy_after = busy_fraction()
    print(f"# machine {busy_after:.0%} busy after the end")
    noisy = [k for k, cell in cells.items() if cell.get("foreign", 0.0) > a.max_foreign]
    if noisy:
        print(f"# WARNING: {len(noisy)} cell(s) kept other processes' load above "
              f"{a.max_foreign:.0%} of the machine after {a.cell_retries} retries "
              "(column foreign in the data file): those numbers are skewed; rerun on a "
              "quiet machine")

    # ---- results ----
    rows = []
    for (p, c, m), cell in cells.items():
        lats = sorted(cell["lats"])
        per = lambda k: (cell["cpu"][k] / cell["runs"] * 1000) if k in cell["cpu"] else None
        rows.append({"program": p, "conc": c, "mode": m,
                     "runs_per_s": statistics.median(cell["rates"]),
                     "rates": ",".join(f"{x:.1f}" for x in cell["rates"]), "runs": cell["runs"],
                     "p50_ms": pct(lats, 50), "p99_ms": pct(lats, 99),
                     "server_cpu_ms": per("server"), "zygote_cpu_ms": per("zyg"),
                     "cgroup_cpu_ms": per("cgroup"), "total_cpu_ms": per("total"),
                     "client_cpu_ms": per("client"), "foreign": cell.get("foreign")})
        if cell["cpu"].get("zyg_lost"):
            print(f"# note: {p} conc {c}: {int(cell['cpu']['zyg_lost'])} zygote(s) exited "
                  "during the cell; their CPU in it is not counted")
    rate = {(r["program"], r["conc"], r["mode"]): r["runs_per_s"] for r in rows}
    rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"],
                           capture_output=True, text=True).stdout.strip()
    header = [f"warm Python benchmark, bench/warm_python.py {' '.join(sys.argv[1:])}".rstrip(),
              f"date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
              f"machine: {info}",
              f"machine busy before/after the run: {busy_before:.0%}/{busy_after:.0%}; CPU outside "
              f"the benchmark per round: {', '.join(f'{x:.0%}' for x in foreign)} of the machine; "
              f"cells measured again because of it: {redone}",
              f"codeexec: {rev}{' (src modified)' if dirty else ''}, {BINARY}; "
              "warm header at the end: "
              f"{warm_header if 'warm' in servers else 'n/a'}; {warm_note}",
              f"rounds: {a.rounds}; runs_per_s is the median of the rounds' rates; latency and CPU "
              "over all rounds; CPU in ms per run (see the script's docstring)"]
    write_tsv(a.tsv, header, rows)

    have = lambda m: m in modes
    print(f"\n# runs per second, medians of {a.rounds} rounds")
    cols = [m for m in MODES if have(m)]
    ratio_cols = [(x, y) for x, y in [("warm", "bare"), ("warm", "orig"), ("warm", "cold"),
                                      ("cold", "bare"), ("cold", "orig")] if have(x) and have(y)]
    if have("warm"):
        ratio_cols = [rc for rc in ratio_cols if rc[0] == "warm"]
    print(f"{'program':8} {'conc':>4} " + " ".join(f"{m + '/s':>8}" for m in cols) + " "
          + " ".join(f"{x + '/' + y:>9}" for x, y in ratio_cols))
    for p in programs:
        for c in concs:
            print(f"{p:8} {c:>4} " + " ".join(f"{rate[p, c, m]:8.1f}" for m in cols) + " "
                  + " ".join(f"{rate[p, c, x] / rate[p, c, y]:9.2f}" for x, y in ratio_cols))

    c1 = min(concs)
    print(f"\n# latency at concurrency {c1} (ms; over {a.rounds} rounds) and CPU per run "
          "(ms; all concurrencies)")
    print(f"{'program':8} {'mode':5} {'p50':>7} {'p99':>7} {'server':>7} {'zygotes':>8} "
          f"{'cgroup':>7} {'total':>7} {'client':>7}")
    for p in programs:
        for m in cols:
            lat = next(r for r in rows if r["program"] == p and r["conc"] == c1 and r["mode"] == m)
            sums, runs = {}, 0
            for c in concs:
                cell = cells[p, c, m]
                runs += cell["runs"]
                for k, v in cell["cpu"].items():
                    sums[k] = sums.get(k, 0.0) + v
            per = {k: v / runs * 1000 for k, v in sums.items()}
            print(f"{p:8} {m:5} {lat['p50_ms']:7.1f} {lat['p99_ms']:7.1f} "
                  f"{fmt(per.get('server'), '7.2f')} {fmt(per.get('zyg'), '8.2f')} "
                  f"{fmt(per.get('cgroup'), '7.2f')} {fmt(per.get('total'), '7.2f')} "
                  f"{fmt(per.get('client'), '7.2f')}")

    if have("warm") and have("bare"):
        c = max(concs)
        print()
        for p, goal in (("plain", 3), ("numpy", 20)):
            if p in programs:
                x = rate[p, c, "warm"] / rate[p, c, "bare"]
                print(f"# goal {p} at concurrency {c}: warm/bare {x:.2f} (goal >= {goal}): "
                      f"{'met' if x >= goal else 'NOT met'}")
                if "floor" in programs:
                    f = rate["floor", c, "warm"] / rate[p, c, "bare"]
                    print(f"#   bound: the cheapest warm run (floor, print only) is {f:.2f}x "
                          f"the bare {p} rate; no warm {p} program can do better")
    print(f"# data: {a.tsv}; {time.monotonic() - started:.0f} s in all")
    plot(a.tsv, a.png)


if __name__ == "__main__":
    main()
