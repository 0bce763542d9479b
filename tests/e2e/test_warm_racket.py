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

import pytest

from conftest import start_server
from hostile import unique_uid_base
from warm_compare import WarmLanguage

RACKET = WarmLanguage("racket", "Racket", "codeexec-rktzygote", "rkt",
                      "#lang racket\n(displayln 1)\n", "1\n")

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


CASES = RACKET.cases(EXTRA)
run = RACKET.run


@pytest.fixture(scope="module")
def servers():
    yield from RACKET.servers("Racket's libracketcs.a was missing")


@pytest.fixture(scope="module")
def results(servers):
    return RACKET.results(servers, CASES)


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_same_result_warm_and_cold(results, name):
    RACKET.assert_same(*results[name])


def test_corpus_verdicts(results):
    RACKET.assert_corpus_verdicts(results)


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
    crash = "#lang racket\n(require ffi/unsafe)\n(displayln \"before\")\n(ptr-ref (ptr-add #f 8) _int)\n"
    RACKET.assert_crash_leaves_zygote(
        warm, crash, lambda r: r["verdict"] == "Exception" and r["exit_code"] != 0)


def test_lowest_open_files_limit(servers):
    """Racket's own descriptors are made afresh in each run under the run's
    open-files limit: at the server's lowest (16) warm runs still work."""
    with start_server("--open-files", "16", "--uid-base", str(unique_uid_base())) as s:
        RACKET.wait_ready(s.url)
        r = run(s.url, "#lang racket\n(displayln (read-line))\n(thread-wait (thread (lambda () "
                       "(sleep 0.1) (displayln 'woke))))\n")
        assert r["zygote"] == "racket", r
        assert (r["verdict"], r["stdout"], r["stderr"]) == ("OK", "line1\nwoke\n", ""), r
