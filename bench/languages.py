#!/usr/bin/env python3
"""Benchmark: each language through the server against its toolchain run
directly, in the same run.

For every installed language, two programs: a hello-world and the
MultiPL-E-shaped passing test from tests/e2e/languages/<key>/pass.*. The
direct baseline runs the recipe's own steps (same argv, same environment,
same working-directory layout) in a fresh temporary directory as an
unprivileged user, outside any sandbox. The server time is the whole
/any_exec round trip. Prints medians and the ratio server/direct; the
overhead is (ratio - 1). The direct runs never use the install-time caches
(they run each step's argv, not its cached_argv), so the ratio includes what
the caches save; --no-language-caches measures the server without them.
Writes bench/results/languages.tsv and draws docs/img/languages.png (the
ratio per language and program, one bar per concurrency; needs gnuplot).
Usage: bench/languages.py [--rounds 3] [--only k1,k2] [--concurrency 1,2]
       [--no-language-caches] [--tsv PATH] [--png PATH]
       bench/languages.py --plot-only [--tsv PATH] [--png PATH]
"""

from __future__ import annotations

import argparse
import datetime
import platform
import re
import concurrent.futures as cf
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from common import COQ_PREFIX, LAZY_WARM, REPO, Server

HELLO = {
    "c": '#include <stdio.h>\nint main(void){puts("hello");}',
    "clj": '(println "hello")', "cpp": '#include <cstdio>\nint main(){puts("hello");}',
    "cs": 'class Problem { static void Main() { System.Console.WriteLine("hello"); } }',
    "dfy": 'method Main() { print "hello\\n"; }',
    "dlang": 'import std.stdio;\nvoid main(){ writeln("hello"); }',
    "elixir": 'IO.puts("hello")',
    "go": 'package main_test\nimport "testing"\nfunc TestHello(t *testing.T) { t.Log("hello") }',
    "hs": 'main = putStrLn "hello"',
    "java": 'class Problem { public static void main(String[] a) { System.out.println("hello"); } }',
    "javascript": 'console.log("hello")', "lua": 'print("hello")',
    "matlab": 'function test()\n  disp("hello")\nend', "ocaml": 'print_endline "hello"',
    "php": '<?php echo "hello\\n";', "pl": 'print "hello\\n";', "python": 'print("hello")',
    "racket": '#lang racket\n(displayln "hello")', "r": 'cat("hello\\n")', "ruby": 'puts "hello"',
    "rust": 'fn main(){ println!("hello"); }',
    "scala": 'object Problem { def main(a: Array[String]) = println("hello") }',
    "sh": 'echo hello', "ts": 'console.log("hello");',
    "v": 'Definition hello := 1.\nExample e : hello = 1. Proof. reflexivity. Qed.',
}

BASE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "TZ": "Etc/UTC", "USER": "nobody"}


def expand(s: str, d: str, src: str) -> str:
    stem = src.rsplit(".", 1)[0]
    return (s.replace("{src}", f"{d}/{src}").replace("{stem}", f"{d}/{stem}")
             .replace("{dir}", d).replace("{name}", src).replace("{base}", stem))


def direct(recipe: dict, code: str) -> float:
    """Runs the recipe's steps outside the sandbox; returns seconds."""
    d = tempfile.mkdtemp(prefix="bench-lang-")
    os.chmod(d, 0o777)
    src = recipe["source_file"]
    with open(f"{d}/{src}", "w") as f:
        f.write(recipe.get("source_prefix", "") + code + recipe.get("source_suffix", ""))
    os.chmod(f"{d}/{src}", 0o666)
    env = dict(BASE_ENV, HOME=d, TMPDIR=d)
    # the box's /tmp is this directory here
    env.update({k: expand(v, d, src).replace("/tmp/", d + "/")
                for k, v in recipe.get("env", {}).items()})
    for o in recipe.get("overlays", []):  # the same warm caches, copied (not timed)
        if os.path.isdir(o["lower"]):
            shutil.copytree(o["lower"], d + o["target"][len("/tmp"):])
    subprocess.run(["chown", "-R", "65534:65534", d])
    t = time.perf_counter()
    try:
        for step in recipe["steps"]:
            argv = [expand(a, d, src) for a in step["argv"]]
            p = subprocess.run(argv, cwd=d, env=env, capture_output=True, timeout=120,
                               preexec_fn=lambda: (os.setgid(65534), os.setuid(65534)))
            if p.returncode != 0 and not step.get("continue"):
                break
        return time.perf_counter() - t
    finally:
        shutil.rmtree(d, ignore_errors=True)


def through_server(url: str, key: str, code: str, must_pass: bool) -> float:
    body = json.dumps({"code": code, "lang": key, "timeout": 120}).encode()
    t = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url + "/any_exec", data=body)) as r:
        text = r.read().decode()
    elapsed = time.perf_counter() - t
    head, _, rest = text.partition("\n")
    result = json.loads(rest) if head == "0" else {"status": text}
    # a hello-world need not pass MultiPL-E's rules (clj wants a test
    # summary), only run; the test programs must pass
    if (result.get("status") != "OK") if must_pass else (result.get("exit_code") != 0):
        raise RuntimeError(f"{key}: did not run through the server: {text[:300]}")
    return elapsed


def write_tsv(path: Path, rows: list, header: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        for h in header:
            f.write(f"# {h}\n")
        f.write("lang\tprogram\tconc\tdirect_s\tserver_s\tratio\n")
        for r in rows:
            f.write("\t".join(str(x) if not isinstance(x, float) else f"{x:.4f}" for x in r) + "\n")


# Where the plot's ratio axis starts (its bars grow from there): below the
# warm runtimes' hello-worlds (R's is about 0.05).
AXIS_FROM = 0.03


def plot(tsv: Path, png: Path) -> None:
    """One horizontal bar per language, program and concurrency: the ratio
    server/direct, with lines at 1 (as fast as direct) and 0.5 (2x faster)."""
    if not shutil.which("gnuplot"):
        print("# gnuplot not found (apt-get install gnuplot-nox): no plot")
        return
    header, rows = [], []
    for line in open(tsv):
        line = line.rstrip("\n")
        if line.startswith("#"):
            header.append(line[2:])
        elif line and not line.startswith("lang\t"):
            rows.append(line.split("\t"))
    concs = sorted({int(r[2]) for r in rows})
    labels = list(dict.fromkeys(f"{r[0]} {r[1]}" for r in rows))
    ratio = {(f"{r[0]} {r[1]}", int(r[2])): float(r[5]) for r in rows}
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
    width = 0.8 / len(concs)
    gp = [f"set terminal pngcairo noenhanced size 900,{120 + 22 * len(labels)} font 'sans,10'",
          f"set output '{png}'",
          f"set title \"server time / direct toolchain time per language ("
          f"{'; '.join(h for h in header if h.startswith('date'))})\" font 'sans,12'",
          "set style fill solid 0.8 noborder", "set logscale x 2",
          f"set xrange [{AXIS_FROM}:4]",
          "set xtics ('1/32' 0.03125, '1/16' 0.0625, '1/8' 0.125, '1/4' 0.25, '1/2' 0.5, '1' 1, "
          "'2' 2, '4' 4)",
          f"set yrange [-0.7:{len(labels) - 0.3}]", "set ytics nomirror",
          "set ytics (" + ", ".join(f"'{l}' {i}" for i, l in enumerate(labels)) + ")",
          "set grid xtics", "set key outside top center horizontal",
          "set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb '#444444'",
          "set arrow from 0.5, graph 0 to 0.5, graph 1 nohead dt 2 lc rgb '#444444'",
          "set xlabel 'ratio (log scale): below 1 the server is faster than the toolchain run directly'"]
    series = []
    for k, c in enumerate(concs):
        gp.append(f"$c{c} << EOD")
        for i, l in enumerate(labels):
            if (l, c) in ratio:
                y = i - 0.4 + width * (k + 0.5)
                gp.append(f"{ratio[(l, c)]:.4f} {y:.3f}")
        gp.append("EOD")
        series.append(f"$c{c} using ({AXIS_FROM}):2:({AXIS_FROM}):1:($2-{width / 2:.3f}):"
                      f"($2+{width / 2:.3f}) "
                      f"with boxxyerror lc rgb '{colors[k % len(colors)]}' "
                      f"title '{c} at once'")
    gp.append("plot " + ", ".join(series))
    png.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gnuplot"], input="\n".join(gp) + "\n", text=True, check=True)
    print(f"# plot: {png}")


def batch(fn, n: int) -> float:
    """Wall time of n calls of fn run at once (n = 1: one call)."""
    t = time.perf_counter()
    if n == 1:
        fn()
    else:
        with cf.ThreadPoolExecutor(n) as pool:
            list(pool.map(lambda _: fn(), range(n)))
    return time.perf_counter() - t


def wait_lazy_zygotes(url, key, code, timeout=60.0):
    """After a runtime's first run, until its zygotes are ready (or off), so
    that the rounds measure the server as it serves from then on (a Coq
    program without MultiPL-E's first lines starts none)."""
    header = next((h for k, _, h in LAZY_WARM if k == key), None)
    if key == "v" and not code.startswith(COQ_PREFIX):
        return
    deadline = time.monotonic() + timeout
    while header and time.monotonic() < deadline:
        with urllib.request.urlopen(url + "/health", timeout=10) as r:
            m = re.fullmatch(r"ready=(\d+)/(\d+) .*", r.headers.get(header) or "off")
        if not m or m[1] == m[2]:
            return
        time.sleep(0.2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="")
    ap.add_argument("--concurrency", default="1",
                    help="comma-separated: copies run at once (the server gets as many slots)")
    ap.add_argument("--no-language-caches", action="store_true",
                    help="start the server with --no-language-caches (the plain toolchains)")
    ap.add_argument("--tsv", type=Path, default=REPO / "bench" / "results" / "languages.tsv")
    ap.add_argument("--png", type=Path, default=REPO / "docs" / "img" / "languages.png")
    ap.add_argument("--plot-only", action="store_true", help="redraw the plot from --tsv")
    a = ap.parse_args()
    if a.plot_only:
        plot(a.tsv, a.png)
        return
    rows = []
    only = set(filter(None, a.only.split(",")))
    extra = ("--no-language-caches",) if a.no_language_caches else ()
    levels = [int(c) for c in a.concurrency.split(",")]
    ratios = []
    print(f"# medians of {a.rounds} rounds; seconds for c copies run at once")
    print(f"{'lang':11} {'program':7} {'c':>2} {'direct':>8} {'server':>8} {'ratio':>6}")
    for conc in levels:
        with Server("--max-running", str(conc), *extra) as srv:
            langs = json.load(urllib.request.urlopen(srv.url + "/v1/languages"))["languages"]
            for l in langs:
                if not l["installed"] or (only and l["key"] not in only):
                    continue
                recipe = json.loads((REPO / "languages" / f"{l['key']}.json").read_text())
                progs = {"hello": HELLO.get(l["key"])}
                pass_file = next((REPO / "tests/e2e/languages" / l["key"]).glob("pass.*"), None)
                if pass_file:
                    progs["test"] = pass_file.read_text()
                for name, code in progs.items():
                    if code is None:
                        continue
                    must_pass = name == "test"
                    through_server(srv.url, l["key"], code, must_pass)  # warm caches once
                    wait_lazy_zygotes(srv.url, l["key"], code)
                    d, s = [], []
                    for _ in range(a.rounds):  # interleaved, so drift hits both
                        d.append(batch(lambda: direct(recipe, code), conc))
                        s.append(batch(lambda: through_server(srv.url, l["key"], code, must_pass),
                                       conc))
                    dm, sm = statistics.median(d), statistics.median(s)
                    ratios.append(sm / dm)
                    rows.append((l["key"], name, conc, dm, sm, sm / dm))
                    print(f"{l['key']:11} {name:7} {conc:2} {dm:8.3f} {sm:8.3f} {sm / dm:6.2f}",
                          flush=True)
    print(f"# median ratio over all programs: {statistics.median(ratios):.3f}")
    if only:
        return  # a partial run neither replaces the data file nor the plot
    write_tsv(a.tsv, rows, [f"date: {datetime.date.today()}", f"machine: {platform.node()} "
                            f"({os.cpu_count()} CPUs)", f"rounds: {a.rounds}",
                            f"caches: {'off' if a.no_language_caches else 'on'}",
                            f"median ratio: {statistics.median(ratios):.3f}"])
    plot(a.tsv, a.png)


if __name__ == "__main__":
    main()
