"""Warm R changes no result (docs/languages.md, "R").

Two servers run the same R programs: one as started by default, whose R
runs fork from a warm zygote (R started up to the first line of its program)
once it is ready, and one with --no-warm-r, where every run is a fresh
`Rscript /tmp/main.r`. For the corpus in tests/e2e/languages/r/ and the
programs below, which probe what a fresh R has (command line, environment,
session directory, search path and loaded namespaces, options, stdin,
subprocesses, warnings, errors, exit statuses, output left in buffers), the
verdict, exit code, stdout and stderr must be the same byte for byte, and
every run on the first server must have come from the warm zygote. Then what
one warm run does must not be seen by the next (files, environment, random
state, the session directory), and a run that crashes must not take the
zygote with it.

Budget: about 30 s on a 2-core machine (the zygotes take about a second of
CPU to start; the cold runs about 0.4 s each).
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

LANG_DIR = Path(__file__).resolve().parent / "languages" / "r"
READY = re.compile(r"ready=(\d+)/(\d+) rss_mb=(\d+)")

# The session directory's name is random in every R (tempdir(),
# R_SESSION_TMPDIR): programs print its shape, not its name.
SESSION_SHAPE = ("d <- tempdir(); cat(dirname(d), grepl('^Rtmp[A-Za-z0-9]{6}$', basename(d)), "
                 "file.exists(d), identical(Sys.getenv('R_SESSION_TMPDIR'), d), "
                 "length(dir(d)), '\\n')\n")

EXTRA = {
    "command-line": "print(commandArgs())\nprint(commandArgs(trailingOnly = TRUE))\n"
    "print(interactive())\nprint(getwd())\nprint(R.home())\nprint(Sys.getpid() > 0)\n",
    "environment": "e <- Sys.getenv()\ne <- e[names(e) != 'R_SESSION_TMPDIR']\n"
    "print(as.list(e))\nprint(nchar(Sys.getenv('R_SESSION_TMPDIR')))\n",
    "session-directory": SESSION_SHAPE
    + "f <- tempfile(fileext = '.txt'); writeLines('x', f); print(readLines(f))\n"
    "print(grepl(tempdir(), f, fixed = TRUE))\n",
    "search-path": "print(search())\nprint(sort(loadedNamespaces()))\nprint(.packages())\n"
    "print(exists('.Random.seed', envir = globalenv()))\n",
    "options": "o <- options()\nprint(o[sort(setdiff(names(o), c('editor')))])\n"
    "print(Sys.getlocale())\nprint(l10n_info())\nprint(capabilities())\n",
    "proc-time": "t <- proc.time()\nprint(t[['elapsed']] >= 0 && t[['elapsed']] < 3)\n"
    "print(t[['user.self']] < 3)\nprint(class(system.time(for (i in 1:1e5) i)))\n",
    "stdin": "print(readLines(file('stdin')))\n",
    "readline": "print(readline('prompt> '))\nprint(scan(file('stdin'), what = '', quiet = TRUE))\n",
    "warnings": "f <- function() { warning('careful'); 1 }\nprint(f())\nwarning('top')\n"
    "print(as.integer('x'))\nmessage('to stderr')\n",
    "error": "cat('a\\n')\nf <- function(x) stop('bad ', x)\ng <- function() f(1)\ng()\ncat('b\\n')\n",
    "error-in-tryCatch": "r <- tryCatch(stop('e1'), error = function(e) conditionMessage(e))\n"
    "print(r)\nprint(try(log(-1)))\nprint(try(stop('e2'), silent = TRUE))\n",
    "syntax-error": "x <- 1\ncat(x)\ny <- (1 + \n",
    "syntax-error-later": "cat('first\\n')\nif (TRUE) {\n  print(2)\n}}\n",
    "quit-status": "cat('before\\n')\nquit('no', 3)\ncat('after\\n')\n",
    "quit-in-function": "f <- function() { cat('x'); q(status = 4, save = 'no') }\nf()\n",
    "subprocess": "print(system('echo hi; exit 3'))\nprint(system2('echo', 'there', stdout = TRUE))\n"
    "print(Sys.getenv('R_HOME'))\n",
    "buffered-output": "for (i in 1:20000) cat(i, '\\n')\nmessage('err')\nquit(status = 0)\n",
    "deep-recursion": "f <- function(n) if (n == 0) 0 else 1 + f(n - 1)\n"
    "print(tryCatch(f(1e5), error = function(e) class(e)))\nprint(f(1000))\n",
    "no-trailing-newline": "cat('x\\n')\nprint(1 + 1)",
    "long-line": "x <- c(" + ", ".join(str(i) for i in range(3000)) + ")\nprint(sum(x))\n",
    "blas": "m <- matrix(as.numeric(1:400), 20)\nprint(sum(m %*% m))\nprint(solve(diag(3) * 2))\n",
    "random-seeded": "set.seed(42)\nprint(runif(3))\nprint(sample(10))\n",
    "s4-and-methods": "setClass('P', representation(x = 'numeric'))\np <- new('P', x = 1)\n"
    "print(isVirtualClass('P'))\nprint(p@x)\nsetGeneric('area', function(s) standardGeneric('area'))\n"
    "setMethod('area', 'P', function(s) s@x * 2)\nprint(area(p))\n",
    "library-load": "suppressPackageStartupMessages(library(tools))\nprint(file_ext('a.tar.gz'))\n"
    "library(notapackage)\n",
}

# Programs whose output differs from run to run by design.
RANDOM = "print(runif(2))\nprint(sample(1e9, 1))\n"

# What differs between two cold runs too: addresses (address-space layout
# randomisation) and where on the stack R found the C stack too deep.
VOLATILE = [re.compile(r"0x[0-9a-f]+"), re.compile(r"C stack usage +\d+")]


def masked(text):
    for pattern in VOLATILE:
        text = pattern.sub("<volatile>", text) if isinstance(text, str) else text
    return text


def _cases():
    cases = []
    for name in json.loads((LANG_DIR / "expect.json").read_text()):
        if name != "timeout":  # 5 s each; tests/e2e/test_languages.py runs it
            cases.append((name, (LANG_DIR / f"{name}.r").read_text()))
    return cases + sorted(EXTRA.items())


CASES = _cases()


def run(url: str, code: str, stdin: str = "line1\nrest\n") -> dict:
    return v1_run(url, code, language="r", timeout=30, stdin=stdin)


def r_header(url: str) -> str:
    st, headers, _ = request(url, "GET", "/health", timeout=5)
    assert st == 200
    return headers.get("X-Codeexec-Warm-R", "")


def wait_r_ready(url: str, timeout: float = 120.0) -> None:
    """The first R run starts the zygotes (and runs cold): wait for them."""
    assert run(url, "cat(1, '\\n')\n")["stdout"] == "1 \n"
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        last = r_header(url)
        m = READY.fullmatch(last)
        if m and int(m[2]) > 0 and m[1] == m[2]:
            return
        time.sleep(0.2)
    raise AssertionError(f"warm R was not ready within {timeout:.0f} s: {last!r}")


@pytest.fixture(scope="module")
def servers():
    if not (BINARY.parent / "codeexec-rzygote").is_file():
        pytest.skip("this build has no codeexec-rzygote (R's libR.so or headers were missing)")
    with start_server("--uid-base", str(unique_uid_base())) as warm, \
            start_server("--no-warm-r", "--uid-base", str(unique_uid_base())) as cold:
        langs = request(warm.url, "GET", "/v1/languages")[2]
        r = [l for l in json.loads(langs)["languages"] if l["key"] == "r"]
        if not r or not r[0]["installed"]:
            pytest.skip("R is not installed")
        assert r_header(cold.url) == "off"
        wait_r_ready(warm.url)
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
    assert warm.get("zygote") == "r", f"not a warm run: {warm}"
    assert cold.get("zygote") is None
    for key in ("verdict", "exit_code", "signal", "stdout", "stderr", "stdout_truncated",
                "stderr_truncated"):
        assert masked(warm.get(key)) == masked(cold.get(key)), (key, warm, cold)


def test_corpus_verdicts(results):
    """The corpus's expected MultiPL-E statuses, warm (the comparison alone
    would pass if both servers were wrong the same way)."""
    expect = json.loads((LANG_DIR / "expect.json").read_text())
    for name, want in expect.items():
        if name in results:
            assert results[name][0]["verdict"] == want["status"], results[name][0]
            assert results[name][0]["exit_code"] == want["exit_code"], results[name][0]


def test_probes_ran(results):
    """The probes did what they probe (a comparison of two empty outputs
    would pass too)."""
    warm = {name: results[name][0] for name in EXTRA}
    assert "/usr/lib/R/bin/exec/R" in warm["command-line"]["stdout"]
    assert "--file=/tmp/main.r" in warm["command-line"]["stdout"]
    assert warm["session-directory"]["stdout"].startswith("/tmp TRUE TRUE TRUE 0 \n")
    assert '"package:methods"' in warm["search-path"]["stdout"]
    assert warm["stdin"]["stdout"] == '[1] "line1" "rest" \n'
    assert warm["quit-status"]["exit_code"] == 3
    assert warm["quit-status"]["stdout"] == "before\n"
    assert "Warning message" in warm["warnings"]["stderr"]
    assert warm["error"]["stderr"].endswith("Execution halted\n")
    assert warm["buffered-output"]["stdout"].endswith("20000 \n")
    assert warm["proc-time"]["stdout"].startswith("[1] TRUE\n[1] TRUE\n")


def test_runs_do_not_see_each_other(servers):
    warm, _ = servers
    leave = ("writeLines('1', '/tmp/left')\nwriteLines('1', file.path(tempdir(), 'left'))\n"
             "Sys.setenv(CODEEXEC_LEFT = '1')\nassign('left', 1, envir = globalenv())\n"
             "options(codeexec.left = 1)\nset.seed(7)\ncat(runif(1), '\\n')\n"
             "cat(tempdir(), '\\n')\n")
    look = ("cat(file.exists('/tmp/left'), length(dir(tempdir())), Sys.getenv('CODEEXEC_LEFT'), "
            "exists('left'), is.null(getOption('codeexec.left')), '\\n')\n"
            "cat(runif(1), '\\n')\ncat(tempdir(), '\\n')\n")
    seeded, session = run(warm, leave)["stdout"].splitlines()
    sessions = {session}
    for _ in range(4):
        r = run(warm, look)
        assert r["zygote"] == "r", r
        lines = r["stdout"].splitlines()
        assert lines[0] == "FALSE 0  FALSE TRUE ", r
        assert lines[1] != seeded, r
        sessions.add(lines[2])
    assert len(sessions) == 5, f"warm runs shared a session directory name: {sessions}"
    draws = {run(warm, RANDOM)["stdout"] for _ in range(4)}
    assert len(draws) == 4, f"warm runs drew the same random numbers: {draws}"


def test_crash_leaves_the_zygote(servers):
    warm, _ = servers
    before = metric(warm, "codeexec_warm_r_restarts_total")
    runs = metric(warm, "codeexec_warm_r_runs_total")
    r = run(warm, "cat('before\\n')\ntools::pskill(Sys.getpid(), tools::SIGKILL)\ncat('after\\n')\n")
    assert r["zygote"] == "r" and r["stdout"] == "before\n", r
    assert r["exit_code"] != 0 or r["signal"], r
    r = run(warm, "cat(2, '\\n')\n")
    assert r["zygote"] == "r" and r["stdout"] == "2 \n", r
    assert metric(warm, "codeexec_warm_r_restarts_total") == before
    assert metric(warm, "codeexec_warm_r_runs_total") == runs + 2
