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

import re

import pytest

from warm_compare import WarmLanguage

R = WarmLanguage("r", "R", "codeexec-rzygote", "r", "cat(1, '\\n')\n", "1 \n")

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


CASES = R.cases(EXTRA)
run = R.run


@pytest.fixture(scope="module")
def servers():
    yield from R.servers("R's libR.so or headers were missing")


@pytest.fixture(scope="module")
def results(servers):
    return R.results(servers, CASES)


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_same_result_warm_and_cold(results, name):
    R.assert_same(*results[name], masked)


def test_corpus_verdicts(results):
    R.assert_corpus_verdicts(results)


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
    R.assert_crash_leaves_zygote(
        warm, "cat('before\\n')\ntools::pskill(Sys.getpid(), tools::SIGKILL)\ncat('after\\n')\n",
        lambda r: r["stdout"] == "before\n" and (r["exit_code"] != 0 or r["signal"]))
