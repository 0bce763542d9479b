"""Warm Racket changes no result (docs/languages.md, "Racket").

Two servers run the same Racket programs: one as started by default, whose
Racket runs fork from a warm zygote once it is ready, and one with
--no-warm-racket, where every run is a fresh `racket /tmp/main.rkt`. For the
corpus in tests/e2e/languages/racket/ and the programs below, which probe
what `racket FILE` does (error contexts, exit statuses, the `main`
submodule, the runtime configuration, the command line, the namespace,
stdin, subprocesses, output left in buffers), the verdict, exit code, stdout
and stderr must be the same byte for byte, and every run on the first
server must have come from the warm zygote. Then what one warm run does must
not be seen by the next (files, environment, random state), and a run that
crashes must not take the zygote with it.

Budget: about 60 s on a 2-core machine (the zygotes take a few seconds of
CPU to start; the cold runs about a second each).
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import re
import time
from pathlib import Path

import pytest

from conftest import BINARY, start_server
from hostile import metric, request, unique_uid_base, v1_run

LANG_DIR = Path(__file__).resolve().parent / "languages" / "racket"
READY = re.compile(r"ready=(\d+)/(\d+) rss_mb=(\d+)")

# name -> program; a `#lang racket` program unless it says otherwise.
EXTRA = {
    "runtime-error": "#lang racket\n(displayln \"a\")\n(car 1)\n(displayln \"b\")\n",
    "main-submodule": "#lang racket\n(displayln \"a\")\n(module+ main (displayln \"main\") (exit 3))\n",
    "command-line": "#lang racket\n(thread (lambda () (sleep 10)))\n"
    "(displayln (current-directory))\n(displayln (find-system-path 'orig-dir))\n"
    "(displayln (current-command-line-arguments))\n(displayln (find-system-path 'run-file))\n"
    "(displayln (find-system-path 'exec-file))\n(print (list 1 \"a\"))\n(newline)\n"
    "(define (f x) (vector-ref x 5))\n(f (vector 1))\n",
    "reader-error": "#lang racket\n(displayln \"a\"\n",
    "check-failure-stdin-eval": "#lang racket\n(require rackunit)\n(check-equal? (+ 1 1) 3)\n"
    "(displayln (read-line))\n(displayln (port->string))\n(eval '(+ 1 2))\n",
    "subprocess": "#lang racket/base\n(require racket/system)\n"
    "(display (system \"echo hi; exit 3\"))(newline)\n(display (system/exit-code \"exit 4\"))\n"
    "(print (list 1 \"a\"))(newline)(write (print-as-expression))\n",
    "base-language": "#lang racket/base\n(define h (make-hash))\n(hash-set! h 'a 1)\n(print h)\n",
    "no-lang": "(module main racket (displayln (+ 1 2)))\n",
    "not-a-module": "(displayln 1)\n",
    "buffered-output": "#lang racket\n(for ([i 20000]) (displayln i))\n"
    "(eprintf \"err\\n\")\n(exit 0)\n",
    "exit-in-thread": "#lang racket\n(display \"x\")\n(thread-wait (thread (lambda () (exit 5))))\n",
    "uncaught-raise": "#lang racket\n(raise 'oops)\n",
    "error-in-main": "#lang racket\n(module+ main (error 'main \"bad ~a\" 1))\n",
}

# Programs whose output differs from run to run by design.
RANDOM = "#lang racket\n(displayln (random 1000000000))\n(displayln (random))\n"


def _cases():
    cases = []
    for name in json.loads((LANG_DIR / "expect.json").read_text()):
        if name != "timeout":  # 15 s each; tests/e2e/test_languages.py runs it
            cases.append((name, (LANG_DIR / f"{name}.rkt").read_text()))
    return cases + sorted(EXTRA.items())


CASES = _cases()


def run(url: str, code: str, stdin: str = "line1\nrest\n") -> dict:
    return v1_run(url, code, language="racket", timeout=30, stdin=stdin)


def racket_header(url: str) -> str:
    st, headers, _ = request(url, "GET", "/health", timeout=5)
    assert st == 200
    return headers.get("X-Codeexec-Warm-Racket", "")


def wait_racket_ready(url: str, timeout: float = 120.0) -> None:
    """The first Racket run starts the zygotes (and runs cold): wait for them."""
    assert run(url, "#lang racket\n(displayln 1)\n")["stdout"] == "1\n"
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        last = racket_header(url)
        m = READY.fullmatch(last)
        if m and int(m[2]) > 0 and m[1] == m[2]:
            return
        time.sleep(0.2)
    raise AssertionError(f"warm Racket was not ready within {timeout:.0f} s: {last!r}")


@pytest.fixture(scope="module")
def servers():
    if not (BINARY.parent / "codeexec-rktzygote").is_file():
        pytest.skip("this build has no codeexec-rktzygote (Racket's libracketcs.a was missing)")
    with start_server("--uid-base", str(unique_uid_base())) as warm, \
            start_server("--no-warm-racket", "--uid-base", str(unique_uid_base())) as cold:
        langs = request(warm.url, "GET", "/v1/languages")[2]
        racket = [l for l in json.loads(langs)["languages"] if l["key"] == "racket"]
        if not racket or not racket[0]["installed"]:
            pytest.skip("racket is not installed")
        assert racket_header(cold.url) == "off"
        wait_racket_ready(warm.url)
        yield warm.url, cold.url


@pytest.fixture(scope="module")
def results(servers):
    warm, cold = servers
    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        on = {name: pool.submit(run, warm, code) for name, code in CASES}
        off = {name: pool.submit(run, cold, code) for name, code in CASES}
        return {name: (on[name].result(), off[name].result()) for name, _ in CASES}


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_same_result_warm_and_cold(results, name):
    warm, cold = results[name]
    assert warm.get("zygote") == "racket", f"not a warm run: {warm}"
    assert cold.get("zygote") is None
    for key in ("verdict", "exit_code", "signal", "stdout", "stderr", "stdout_truncated",
                "stderr_truncated"):
        assert warm.get(key) == cold.get(key), (key, warm, cold)


def test_corpus_verdicts(results):
    """The corpus's expected MultiPL-E statuses, warm (the comparison alone
    would pass if both servers were wrong the same way)."""
    expect = json.loads((LANG_DIR / "expect.json").read_text())
    for name, want in expect.items():
        if name in results:
            assert results[name][0]["verdict"] == want["status"], results[name][0]
            assert results[name][0]["exit_code"] == want["exit_code"], results[name][0]


def test_runs_do_not_see_each_other(servers):
    warm, _ = servers
    leave = ("#lang racket\n(with-output-to-file \"/tmp/left\" (lambda () (display 1)))\n"
             "(putenv \"CODEEXEC_LEFT\" \"1\")\n(random-seed 7)\n(displayln (random 1000000))\n")
    look = ("#lang racket\n(displayln (file-exists? \"/tmp/left\"))\n"
            "(displayln (getenv \"CODEEXEC_LEFT\"))\n(displayln (random 1000000))\n")
    seeded = run(warm, leave)["stdout"].splitlines()[-1]
    for _ in range(4):
        r = run(warm, look)
        assert r["zygote"] == "racket", r
        lines = r["stdout"].splitlines()
        assert lines[:2] == ["#f", "#f"], r
        assert lines[2] != seeded, r
    draws = {run(warm, RANDOM)["stdout"] for _ in range(4)}
    assert len(draws) == 4, f"warm runs drew the same random numbers: {draws}"


def test_crash_leaves_the_zygote(servers):
    warm, _ = servers
    before = metric(warm, "codeexec_warm_racket_restarts_total")
    runs = metric(warm, "codeexec_warm_racket_runs_total")
    crash = "#lang racket\n(require ffi/unsafe)\n(displayln \"before\")\n(ptr-ref (ptr-add #f 8) _int)\n"
    r = run(warm, crash)
    assert r["zygote"] == "racket" and r["verdict"] == "Exception", r
    assert r["exit_code"] != 0, r
    r = run(warm, "#lang racket\n(displayln 2)\n")
    assert r["zygote"] == "racket" and r["stdout"] == "2\n", r
    assert metric(warm, "codeexec_warm_racket_restarts_total") == before
    assert metric(warm, "codeexec_warm_racket_runs_total") == runs + 2


def test_lowest_open_files_limit(servers):
    """Racket's own descriptors are made afresh in each run under the run's
    open-files limit: at the server's lowest (16) warm runs still work."""
    with start_server("--open-files", "16", "--uid-base", str(unique_uid_base())) as s:
        wait_racket_ready(s.url)
        r = run(s.url, "#lang racket\n(displayln (read-line))\n(thread-wait (thread (lambda () "
                       "(sleep 0.1) (displayln 'woke))))\n")
        assert r["zygote"] == "racket", r
        assert (r["verdict"], r["stdout"], r["stderr"]) == ("OK", "line1\nwoke\n", ""), r
