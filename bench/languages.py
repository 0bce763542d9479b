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
Usage: bench/languages.py [--rounds 3] [--only k1,k2] [--concurrency 1,2]
       [--no-language-caches]
"""

from __future__ import annotations

import argparse
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

from common import REPO, Server

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


def batch(fn, n: int) -> float:
    """Wall time of n calls of fn run at once (n = 1: one call)."""
    t = time.perf_counter()
    if n == 1:
        fn()
    else:
        with cf.ThreadPoolExecutor(n) as pool:
            list(pool.map(lambda _: fn(), range(n)))
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="")
    ap.add_argument("--concurrency", default="1",
                    help="comma-separated: copies run at once (the server gets as many slots)")
    ap.add_argument("--no-language-caches", action="store_true",
                    help="start the server with --no-language-caches (the plain toolchains)")
    a = ap.parse_args()
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
                    d, s = [], []
                    for _ in range(a.rounds):  # interleaved, so drift hits both
                        d.append(batch(lambda: direct(recipe, code), conc))
                        s.append(batch(lambda: through_server(srv.url, l["key"], code, must_pass),
                                       conc))
                    dm, sm = statistics.median(d), statistics.median(s)
                    ratios.append(sm / dm)
                    print(f"{l['key']:11} {name:7} {conc:2} {dm:8.3f} {sm:8.3f} {sm / dm:6.2f}",
                          flush=True)
    print(f"# median ratio over all programs: {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
