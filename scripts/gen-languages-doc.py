#!/usr/bin/env python3
"""Writes docs/languages.md from languages/*.json and the toolchain versions
a running server reports (GET /v1/languages), so the table stays true.

Usage: scripts/gen-languages-doc.py [SERVER_URL]   (default: start build/codeexec)
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def fetch_languages(url: str) -> dict:
    deadline = time.time() + 120
    while True:
        data = json.load(urllib.request.urlopen(url + "/v1/languages"))["languages"]
        pending = [l["key"] for l in data if l["installed"] and l.get("version") is None]
        if not pending or time.time() > deadline:
            return {l["key"]: l for l in data}
        time.sleep(1)


def rule_text(rule: dict, steps: list) -> str:
    cond = []
    if "step" in rule and len(steps) > 1:
        cond.append(f"{rule['step']}:")
    if "timeout" in rule:
        cond.append("timeout" if rule["timeout"] else "no timeout")
    if "exit" in rule:
        cond.append(f"exit {rule['exit']}")
    for k, label in (("stdout_contains", "stdout has"), ("stderr_contains", "stderr has"),
                     ("output_contains", "output has")):
        if k in rule:
            cond.append(f"{label} `{rule[k]!s}`".replace("\n", "\\n").replace("|", "\\|"))
    for k in ("stdout_empty", "stderr_empty"):
        if k in rule:
            cond.append(k.replace("_", " ") if rule[k] else k.replace("_empty", " not empty"))
    return (" ".join(cond) + " → " if cond else "else → ") + rule["status"]


def cmd(argv: list) -> str:
    return "`" + " ".join(argv) + "`"


def step_text(s: dict) -> str:
    cached = " (cached: see below)" if "cached_argv" in s else ""
    return f"{cmd(s['argv'])} (T={s['timeout_s']}s){cached}"


RACKET = """## Racket

Racket runs start warm, as Python's do ([warm-python.md](warm-python.md)):
a cold `racket /tmp/main.rkt` spends about 0.85 s of this machine's second
loading `racket` and `rackunit` and instantiating the macros that expand a
MultiPL-E program; a warm run forks that work already done and costs about
0.15 s through the whole server (`bench/languages.py`: 0.18 of the
direct command one at a time, 0.21 two at once;
[performance.md](performance.md#warm-racket-2026-12-06-eleventh-session)).

- **What is warm.** Per slot one zygote, `build/codeexec-rktzygote`
  (`src/rktzygote/`), started with the server's first Racket run (which
  runs cold): about 130 MB resident and a few seconds of CPU to start, not
  paid by a server that never sees Racket. It embeds Racket CS (Debian's
  `libracketcs.a`; without it the binary is not built and Racket runs
  cold), boots it with the paths, command line (`/usr/bin/racket
  /tmp/main.rkt`), environment and directory (`/tmp`) of a cold run,
  instantiates `racket`, `rackunit` and `racket/runtime-config`, and expands
  and runs one MultiPL-E-shaped program in a scratch namespace.
  `--no-warm-racket` turns it off; `/health` says `X-Codeexec-Warm-Racket:
  ready=R/N rss_mb=M` (or `off`), `/metrics` has `codeexec_warm_racket_*`.
- **What a run is.** The box of a warm Python run (zyrun.c: fresh mount,
  PID, IPC and cgroup namespaces, its own /tmp, limits, seccomp filter, no
  capability), and in it a fork of the zygote that does what `racket FILE`
  does with its one file argument (`src/rktzygote/warm_run.rkt`, after
  Racket's own command line, `racket/src/cs/main.sps`): configure the
  runtime as the module's language asks, require the module into an empty
  top-level namespace, then its `main` submodule; an error that escapes is
  printed by the error display handler and makes the exit status 1; then
  `(exit status)`, which flushes the ports. The program's frames sit on
  nameless procedures, so an error's `context...:` is a cold run's.
- **What is fresh in each run.** The random seed (from `getrandom`), the
  SIGCHLD disposition Racket had (so `system` and `subprocess` see their
  children's statuses), and the descriptors Racket keeps for itself (its
  scheduler's wake-up pipe and its poll set: new ones at the same numbers;
  the zygote refuses to start if Racket left any other kind open; they are
  made under the run's own open-files limit, and should that fail the run
  is a sandbox failure, run again cold). Sharing those with the zygote made
  one run in five of a program that filled its stdout pipe spin until its
  time-out.
- **Differences from a cold run** a program could see: the module registry
  already holds `racket` and `rackunit` (declared and instantiated, as a
  cold run's is once its program requires them);
  `(current-gc-milliseconds)` counts the zygote's collections. Nothing in
  MultiPL-E's corpus or `tests/e2e/test_warm_racket.py` (runtime and reader
  errors, the `main` submodule, exit statuses, `eval` in the empty
  namespace, subprocesses, stdin, 20000 lines of buffered output) differs
  in verdict, exit code, stdout or stderr.
"""

R_WARM = """## R

R runs start warm too: a cold `Rscript /tmp/main.r` spends about 0.3 s of
this machine's 0.35 s starting R (its environment files, the base package,
the default packages `methods`, `utils`, `stats` ..., and the byte-code
compiler) before its read-eval loop reads the program's first line; a warm
run starts from there and costs about 18 ms for a hello-world and 70 ms for
the MultiPL-E test through the whole server (`bench/languages.py`: 0.06-0.07
and 0.20-0.21 of the direct command;
[performance.md](performance.md#warm-r-2026-12-07-fourteenth-session)).

- **What is warm.** Per slot one zygote, `build/codeexec-rzygote`
  (`src/rzygote/`), started with the server's first R run (which runs
  cold): about 50 MB resident and half a second of CPU to start. It is R's
  own `main` (that of `bin/exec/R`) linked with Debian's `libR.so` (without
  `r-base-core`'s library and headers the binary is not built and R runs
  cold), started with the command line Rscript gives R (`/usr/lib/R/bin/exec/R
  --no-echo --no-restore --file=/tmp/main.r`) and, byte for byte, the
  environment R gets from its launchers: the zygote first runs
  `/usr/bin/Rscript` once, in its own box, on a probe that records both,
  refuses to start if the command line is not its own, and executes itself
  again with that environment. `--no-warm-r` turns it off; `/health` says
  `X-Codeexec-Warm-R: ready=R/N rss_mb=M` (or `off`), `/metrics` has
  `codeexec_warm_r_*`.
- **Where it stops.** R opens its `--file=` at start-up with `fopen`; the
  zygote's `fopen` gives that one path a stream whose first read is where
  the zygote stops: R has started up and has read nothing of the program.
  There it says it is ready and serves runs.
- **What a run is.** The box of a warm Python run (zyrun.c: fresh mount,
  PID, IPC and cgroup namespaces, its own /tmp, limits, seccomp filter, no
  capability), and in it a copy of the zygote that goes back into that
  read, now of the run's `/tmp/main.r`, and returns its first bytes to R,
  which goes on exactly as a cold R after its start-up: the same
  read-eval loop, the same error and warning printing, `quit()` and exit
  statuses, `Execution halted`.
- **What is fresh in each run.** Its session directory (`tempdir()` and
  `R_SESSION_TMPDIR`: a new random name, made in the run's own /tmp), the
  start of `proc.time()`'s elapsed time, and what a new process has anyway
  (CPU times, pid; the random seed is drawn from the time and pid at first
  use, as in a cold R). The SIGCHLD disposition is R's, as in a cold R.
- **Differences from a cold run** a program could see: `gc()` counts and
  `gcinfo` include the zygote's start-up collections; BLAS threads, if
  `libblas.so.3` is OpenBLAS, are stopped before the zygote is ready and
  started again by the run's first BLAS call. Nothing in MultiPL-E's corpus
  or `tests/e2e/test_warm_r.py` (command line, the whole environment, the
  session directory, search path and namespaces, options, locale, stdin,
  `readline`, warnings, errors at top level and in functions, parse errors,
  `quit` statuses, subprocesses, S4 classes, 20000 lines of buffered output,
  a C stack overflow) differs in verdict, exit code, stdout or stderr (where
  two cold runs differ too, in addresses and the C stack usage R reports,
  the test masks them).
"""

ML_WARM = """## OCaml

OCaml runs start warm too: a cold `ocaml /tmp/main.ml` (the bytecode
toplevel: `/usr/bin/ocaml` begins with `#!/usr/bin/ocamlrun`) spends most
of its 30-60 ms loading and initialising the toplevel's 2.6 MB of bytecode
(the compiler's libraries) and reading Stdlib's interface before it opens
the script; a warm run starts where it opens it
([performance.md](performance.md#warm-ocaml-2026-12-07-fourteenth-session)).

- **What is warm.** Per slot one zygote, `build/codeexec-mlzygote`
  (`src/mlzygote/`), started with the server's first OCaml run (which runs
  cold): under 10 MB resident. It is `ocamlrun` rebuilt from Debian's
  runtime library (`libcamlrun_pic.a`, its own `main` included, with
  `ocamlrun`'s table of primitives generated from `ocamlrun -p` by
  `scripts/ocaml-prims`; without the library the binary is not built and
  OCaml runs cold), started with the command line the kernel gives
  `ocamlrun` for a cold run (`/usr/bin/ocamlrun /usr/bin/ocaml
  /tmp/main.ml`) and the box's environment. The toplevel checks its script
  exists before opening it: an empty one stands in, in the zygote's own
  `/tmp`, which is gone before the zygote says it is ready. The runtime
  asks `readlink("/proc/self/exe")` for its executable: the zygote answers
  `/usr/bin/ocamlrun`, as a cold run's kernel does. `--no-warm-ocaml` turns
  it off; `/health` says `X-Codeexec-Warm-OCaml: ready=R/N rss_mb=M` (or
  `off`), `/metrics` has `codeexec_warm_ocaml_*`.
- **Where it stops.** At the toplevel's `open` of its script (the zygote
  defines `open64`, through which the runtime opens every file): the
  toplevel has started and read nothing of the program; the zygote exits
  (and another starts) if the toplevel kept any descriptor open there.
- **What a run is.** The box of a warm Python run (zyrun.c), and in it a
  copy of the zygote whose `open` returns the run's `/tmp/main.ml`; the
  toplevel goes on exactly as a cold one: parse, type, compile and run
  each phrase, print errors with their source lines, exit 2 on an error
  or an uncaught exception.
- **Differences from a cold run** a program could see: `Gc` counters
  include the zygote's start-up. Random state and hash tables are the same
  as in a cold run (deterministic unless `Random.self_init`, which draws
  from the system in each run). Nothing in MultiPL-E's corpus or
  `tests/e2e/test_warm_ocaml.py` (command line, executable name, directory
  listing, environment, `#load "unix.cma"` with its C stubs, stdin,
  directives, type, syntax and unbound-name errors, warnings, uncaught
  exceptions, `exit`, `at_exit`, stack overflow, 20000 lines of buffered
  output) differs in verdict, exit code, stdout or stderr.
"""

PHP_WARM = """## PHP

PHP runs start warm too: a cold `php /tmp/main.php` spends most of its
20-40 ms before it reads the program: loading php's shared libraries and
the extensions Debian's `conf.d` enables (each a `dlopen`), parsing
`php.ini` and starting every module; a warm run starts where the CLI opens
its script
([performance.md](performance.md#warm-php-2026-12-07-fifteenth-session)).

- **What is warm.** Per slot one zygote, started with the server's first
  PHP run (which runs cold): about 17 MB resident. Debian ships the CLI as
  an executable only, so the zygote is `/usr/bin/php` itself with a
  library of ours preloaded, `build/codeexec-phpzygote.so`
  (`src/phpzygote/`; built when `/usr/bin/php` exists): the server starts
  php with a cold run's command line (`/usr/bin/php /tmp/main.php`) and the
  box's environment plus one last variable, `LD_PRELOAD` naming the library
  through a descriptor the box inherits. Before php's `main` the library
  takes that variable out again, from the C library's environment and from
  what `/proc/self/environ` shows (`prctl(PR_SET_MM_MAP)` moves the
  kernel's end of the environment back; it needs no privilege), so a run's
  environment, command line, executable (`/proc/self/exe` is php's) and
  process name are a cold run's. `--no-warm-php` turns it off; `/health`
  says `X-Codeexec-Warm-PHP: ready=R/N rss_mb=M` (or `off`), `/metrics` has
  `codeexec_warm_php_*`.
- **Where it stops.** At the CLI's `fopen` of its script (the library
  defines `fopen`, which php's calls reach first), after every module has
  started and before the request starts: nothing of the program is read;
  the zygote exits (and another starts) if php kept any descriptor open
  there.
- **What a run is.** The box of a warm Python run (zyrun.c), and in it a
  copy of the zygote whose `fopen` returns the run's `/tmp/main.php`; php
  goes on exactly as a cold one: the request starts (`$_SERVER`, `$_ENV`,
  `$argv`, `STDIN`, the request time), the script compiles and runs, errors
  go to stderr, shutdown functions and output buffers run at exit.
- **Differences from a cold run** a program could see: `getrusage()` and
  `/proc/self/stat` times leave out the start-up, and `/proc/self/maps`
  lists the library. Random generators seed themselves at first use, in
  the run, from the time and the process id. Nothing in MultiPL-E's corpus
  or `tests/e2e/test_warm_php.py` (command line, `PHP_BINARY`, directory,
  `/proc/self/environ`, `cmdline`, `comm` and `exe`, `getenv()`, `$_ENV`,
  `$_SERVER`, every `php.ini` setting, extensions, classes, functions and
  constants, included files and the realpath cache, stdin, ids, limits,
  umask, locale, time zone, memory counters, warnings, fatal errors,
  uncaught exceptions, type errors, `exit` with a status or a message,
  shutdown functions, output buffers, 20000 lines, the memory limit, seeded
  random generators, FFI, fibers, subprocesses and their environment,
  inline HTML) differs in verdict, exit code, stdout or stderr.
"""

COQ_WARM = """## Coq

Coq runs whose program starts with MultiPL-E's four lines start warm: a
cold `coqc -noglob /tmp/main.v` spends about 420 of its ~470 ms of CPU in
those lines (`Require Import ZArith.`, `Require Import Reals.`,
`Require Import Coq.Strings.String.`, `Open Scope string_scope.`:
registering every constant, notation and hint of about 150 libraries), and
Coq 8.16 cannot save that state to disk; a warm run starts right after
them ([performance.md](performance.md#warm-coq-2026-12-07-nineteenth-session)).

- **What is warm.** Per slot one zygote, started with the server's first
  Coq run that begins with those exact bytes (which runs cold): about
  370 MB resident. As PHP's, it is the toolchain's own executable,
  `/usr/bin/coqc`, with a library of ours preloaded,
  `build/codeexec-coqzygote.so` (`src/coqzygote/`; built when
  `/usr/bin/coqc` exists), a cold run's command line
  (`/usr/bin/coqc -noglob /tmp/main.v`) and the environment of the recipe's
  `cached_argv` (with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`); the preload's
  variable is taken out before coqc's `main`. Its source, in its own
  `/tmp`, is the four lines alone. `--no-warm-coq` turns it off; `/health`
  says `X-Codeexec-Warm-Coq: ready=R/N rss_mb=M` (or `off`), `/metrics` has
  `codeexec_warm_coq_*`.
- **Where it stops.** coqc reads its source twice: once whole, for the
  digest it records in `/tmp/.main.aux`, then through an OCaml channel
  that it parses one sentence at a time, executing each before it asks for
  more bytes. The zygote stops in the second reading's first `read` past
  the four lines: the Requires are done, nothing of the program is read.
  It exits (and another starts) if coqc holds any descriptor there but the
  source's and the aux file's, or has written to the aux file. Before it
  stops it compacts its heap (two whole major collections) and clears the
  collector's record of work still owed for the loading: otherwise each
  run's first major slice marked and swept the whole 370 MB heap, copying
  every page of it into the run (0.4 s of CPU per run instead of ~0.14).
- **What a run is.** The box of a warm Python run (zyrun.c), and in it a
  copy of the zygote, in which every descriptor of the zygote is closed:
  the run's `/tmp/main.v` (checked to start with the four lines) is opened
  at their end on the source's descriptor number and a fresh
  `/tmp/.main.aux` on the aux file's, as coqc had them, and the `read`
  goes on. coqc parses, checks, prints and writes `main.vo` exactly as a
  cold one from that byte on; error positions count from the file's start.
  The aux file's first line carries the run's own digest (mended in its
  first write, which coqc makes at exit).
- **Which programs.** Only those whose first 105 bytes are exactly the four
  lines (each ending in `\\n`); any other Coq program (other or more
  lines first, another order, `\\r\\n` line ends) runs cold and starts no
  zygote.
- **Differences from a cold run** a program could see: none that Coq's
  language can observe (it reads neither its environment, nor its process,
  nor the collector's state). The run's memory and CPU counters leave out
  the libraries' loading: `memory_kb` is ~60 MB instead of ~370 MB, and a
  program that a cold run would push over its memory limit may pass warm.
  Nothing in MultiPL-E's corpus or `tests/e2e/test_warm_coq.py` (loaded
  libraries and load path, scopes, notations, options, `Search`, `About`,
  `Compute` and `vm_compute`, printed definitions, type and syntax errors
  with their positions, failed `reflexivity`, `Admitted` and assumptions,
  `Fail`, further `Require`s, a missing library, `Redirect`,
  `Optimize Heap`, Unicode and `\\r\\n` after the prefix, the prefix alone,
  no final newline, unfinished proofs, deep recursion) differs in verdict,
  exit code, stdout or stderr.
"""

OCTAVE_WARM = """## Octave

Octave (MATLAB) runs start warm too: a cold `octave-cli -q -f -W -H
/tmp/codeexec_main.m` spends about 0.15-0.2 s before it reads a byte of
its script (loading liboctinterp and its libraries, building the
interpreter, looking into each of the ~50 directories of its load path),
and a MultiPL-E test little more; a warm run starts where Octave opens the
script ([performance.md](performance.md#warm-octave-2026-12-07-twentieth-session)).

- **What is warm.** Per slot one zygote, started with the server's first
  Octave run (which runs cold): about 45 MB resident. As PHP's, it is the
  toolchain's own executable, `/usr/bin/octave-cli`, with a library of ours
  preloaded, `build/codeexec-octzygote.so` (`src/octzygote/`; built when
  `/usr/bin/octave-cli` exists), a cold run's command line and the box's
  environment; the preload's variable is taken out before Octave's `main`.
  In its own `/tmp` it has an empty `codeexec_main.m`: Octave looks the
  script up before it opens it and lists its working directory (`/tmp`,
  part of the load path), which then holds the same names as a run's.
  `--no-warm-octave` turns it off; `/health` says
  `X-Codeexec-Warm-Octave: ready=R/N rss_mb=M` (or `off`), `/metrics` has
  `codeexec_warm_octave_*`.
- **Where it stops.** At the parser's `fopen` of the script (the library
  defines `fopen`, which Octave's calls reach first): the interpreter and
  its load path are built, nothing of the program is read; the zygote exits
  (and another starts, with runs going cold meanwhile) if Octave kept any
  descriptor open there or if liboctave lacks a call each run makes (the
  watcher's, `octave::rand`'s seeding: an Octave built otherwise).
- **What a run is.** The box of a warm Python run (zyrun.c), and in it a
  copy of the zygote that makes afresh the two things a cold Octave makes
  at start-up per process: its **signal watcher**, the thread that waits
  for SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE and the other signals
  Octave blocks (a zygote must have one thread, so the library records
  Octave's `octave_create_interrupt_watcher_thread` call and each run makes
  it, with those signals blocked again), and the **seeds of its random
  generators** (`octave::rand`'s own initialisation, from the time, the
  CPU time and the process id, as at a cold start). Then its `fopen`
  returns the run's `/tmp/codeexec_main.m` and Octave goes on exactly as a
  cold one: parse, run, `test();`, errors to stderr.
- **Differences from a cold run** a program could see: `cputime`,
  `getrusage()` and `/proc/self/stat` times leave out the start-up, and
  `/proc/self/maps` lists the library. A warm run's `memory_kb` counts the
  pages it touched (about 7 MB for a MultiPL-E test against 11 MB cold),
  so a program right at its memory limit can pass warm and fail cold, as
  with warm Python. Nothing in MultiPL-E's corpus or
  `tests/e2e/test_warm_octave.py` (program name, `argv`, `mfilename`,
  `pwd`, version, `/proc/self/environ`, `cmdline`, `comm` and `exe`, the
  environment, user, home and ids, the working directory's listing and the
  load path, a function file the program writes and then calls, stdin,
  SIGTERM, SIGINT, SIGHUP and SIGUSR1 sent to itself, subprocesses and
  their environment, errors, warnings and their call stacks, `exit` with a
  status, 20000 lines of output, display formats, seeded generators of
  each distribution, the recursion limit) differs in verdict, exit code,
  stdout or stderr; unseeded draws differ from run to run as cold ones do.
"""

CACHES = """## Install-time caches

Some recipes use caches that `scripts/warm-caches.sh` builds when the
toolchains are installed (`scripts/setup.sh languages`, so `make run` and
`make test` set-up): a recipe's `overlays`, and a step's `cached_argv`, the
command run instead of `argv` while caches are on (the default). The server
flag `--no-language-caches` runs every recipe without them. Rules they all
keep:

- **Nothing changes but time.** Status, exit code, stdout and stderr are the
  same with and without caches; `tests/e2e/test_language_caches.py` runs
  every program of the cached languages' corpora, and programs at the edges
  of each cache (C++ headers, Dafny stack traces, C# warnings and errors,
  TypeScript lib files, Ruby backtraces and warnings, the Elixir, R and
  Haskell environments, Rust link errors and backtraces), on two servers
  (caches on and off) and compares them byte for byte.
- **Built before any untrusted code, read-only to runs.** Caches live under
  `/var/cache/codeexec`, written only by the set-up script (as root; the
  caches are built in a `.new` directory and renamed into place, so a box
  never sees half of one); boxes see them
  through read-only binds or as the lower layer of an overlay whose writes
  stay in the run's `/tmp`.
- **Versioned; stale or missing means not used.** Each cache has a `version`
  key (toolchain version, package versions, flags, the script itself); the
  script rebuilds it when the key changes. A run checks again on its own and
  falls back to the plain command when the cache is missing or does not
  match, as described below.

| cache | where | what it saves | how a run checks it |
|---|---|---|---|
| Go build cache | `/var/cache/codeexec/go-build`, overlay at `/tmp/.cache/go-build` | compiling the test harness's packages (about 1 s) | go's own cache keys (content hashes); `-count=1` keeps test results uncached |
| C++ precompiled headers | `/var/cache/codeexec/cpp-pch` | parsing `<assert.h>` and `<bits/stdc++.h>`: about 70% of g++'s CPU on a MultiPL-E program, and of a competitive program that begins `#include <bits/stdc++.h>` | see below |
| JVM class-data-sharing archives | `/var/cache/codeexec/jvm-cds/{javac,scalac,scala,clj}.jsa` | loading, parsing and verifying the tool's classes: 23-39% of the CPU of javac, scalac, the scala runner and clojure | the JVM's own checks, see below |
| Dafny AOT images | `/var/cache/codeexec/dfy-aot/*.so` | JIT-compiling Dafny's, Boogie's and the framework's methods: about 45% of a Dafny run's CPU | Mono's own checks, see below |
| tsc start-up snapshot | `/var/cache/codeexec/ts-snapshot/tsc.blob` | compiling TypeScript's compiler and parsing and binding its lib `.d.ts` files: about two thirds of tsc's CPU | see below |
| Ruby compiled library files | `/var/cache/codeexec/ruby-iseq` | parsing and compiling test/unit and the other library files a program requires (about 40% of `require 'test/unit'`) | each file's inode, size and time, the compile options; see below |
| Elixir launcher command line | `/var/cache/codeexec/elixir-launch` | the launcher script's six helper processes | the launcher's inode (a hard link, `-ef`), PATH, the variables it reads; see below |
| R launcher environment | `/var/cache/codeexec/r-launch` | Rscript's exec of the R shell script and its `uname` and `sed` processes | the launchers' inodes (hard links, `-ef`), PATH, the variables they read; see below |
| Rust: LLVM's linker (not a cache) | `/usr/bin/ld.lld` (Debian's `lld`) | GNU ld's link of Rust's static standard library: 0.15-0.3 s of a 0.6-0.9 s compile | lld is installed; a failed link falls back to the plain command; see below |
| C# compiler's framework AOT images | `/var/cache/codeexec/cs-aot/*.so` | JIT-compiling what mcs runs of System, System.Core, System.Xml and Mono.Security: about 9% of a compile | Mono's own checks, as Dafny's |
| GHC launcher command line | `/var/cache/codeexec/ghc-launch` | runghc's own start-up (a Haskell program, about 12 ms) and two shell scripts; with it, ghc's runtime flags `-A8m -O32m` (about 14% of a run) | the four launchers' inodes (hard links, `-ef`), PATH, `GHCRTS` unset; see below |
| Coq, D, C++: huge pages for malloc (not a cache) | glibc's `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`; `/sys/kernel/mm/transparent_hugepage/{enabled,hpage_pmd_size}` bound read-only | the page faults of coqc's 370 MB heap (about a third of a MultiPL-E Coq test), a tenth of ldc2's compile, 8% of g++'s (mostly ld's) | nothing to check: where the kernel gives no huge pages, malloc goes on with small ones; see below |

**C++.** Every MultiPL-E C++ program begins with the two lines
`#include<assert.h>` and `#include<bits/stdc++.h>`. GCC can use a
precompiled header only for the first include of a file, so the cache holds
`pch/assert.h.gch`, compiled from exactly those two lines with exactly the
recipe's flags (`-std=c++17`, no `-O`) under the name `/tmp/main.cpp` (the
recipe's `{src}`, so that include chains in diagnostics read
`from /tmp/main.cpp:2:` as they do without it), and `pch/assert.h`, which
marks itself a system header and includes the real `<assert.h>`
(`#include_next`). The compile step's `cached_argv` is a `/bin/sh` that adds
`-I /var/cache/codeexec/cpp-pch/pch` to the recipe's g++ command only when the
source's first 43 bytes are exactly those two lines (compared with `cmp`
against `prefix`, which runs only when the shell, reading the source's
first line itself, finds it equal to the prefix's first line) and the `.gch` is newer than every header it was built
from and each of their directories (`deps`: an edited header, or a package
upgrade that replaces one, makes it stale); otherwise it runs the plain
command. Why this is the same program: the PCH is the compiler state after
those two lines, and the source's own line 2 then re-includes headers that
are all include-guarded (`<assert.h>`, which is not, defines the same
macros again). GCC itself refuses a PCH made by another compiler build or
with other options, and then reads the headers (through the forwarding
`assert.h`). A program that does not start with those exact bytes (other
includes, a `#define` first, CRLF line ends) is compiled exactly as without
the cache. The binary is byte-identical.

A second header serves competitive programs (judge mode's C++, stdin/stdout
problems): most of them begin with exactly the line `#include
<bits/stdc++.h>`. The cache also holds `pch-cp/bits/stdc++.h.gch`, built the
same way from a `/tmp/main.cpp` holding only that line (so include chains
read `from /tmp/main.cpp:1:`), with `pch-cp/bits/stdc++.h` forwarding to the
real header, and `prefix-cp`. The same script adds `-I
/var/cache/codeexec/cpp-pch/pch-cp` when the source's first 25 bytes are
that line and that `.gch` is newer than every header in `deps` (which lists
both headers' dependencies); any other first line (`#include<bits/stdc++.h>`
without the space, a comment, CRLF) compiles as without the cache. A
second `#include <bits/stdc++.h>` later in the program finds the forwarding
header, which includes the real one, whose guard is already defined, as
without the cache. g++ on such a program: 2.3-2.9 s → 0.7-1.0 s of wall
time here, byte-identical binary. Both built in about 16 s; 190 MB.

**Rust.** Not a cache, but it sits with them because the same switch
turns it off and the same differential test guards it. `rustc` links every
program statically against Rust's standard library (about twenty `.rlib`
archives), and GNU ld spends about 0.4 s on that link here, most of a small
program's compile (`rustc -Z time-passes`: `run_linker` 0.42 of 0.59 s).
LLVM's linker does the same link in a fraction of it; gold saves nothing,
and C, C++ and D programs (which link against shared libraries) gain
nothing measurable from either, so only Rust uses it. The compile step's
`cached_argv` is a `/bin/sh` that runs the recipe's rustc command with
`-C link-arg=-fuse-ld=lld` (only while `/usr/bin/ld.lld` exists: the
step's `cached_when`), with rustc's stderr held in a file under `/tmp`
that is removed before the step ends. If rustc reports that the link failed
(``error: linking with `cc` failed``), the script runs exactly the plain
command instead, so a link error (an `extern` function that exists nowhere)
reads as GNU ld words it, with the same exit status; otherwise it passes on
rustc's stderr, then its exit status (a signal rustc died of is raised
again). What stays the same: everything rustc does before linking (every
error and warning), the objects it links, and so the program's behaviour,
output, panics and backtraces (the test compares them). What a program
could notice: its own executable's bytes (lld's layout, and the `.comment`
line `Linker: Debian LLD 14.0.6`, which a test reads to check that lld did
the link).

**Coq, D and C++: huge pages.** `coqc` reads the compiled libraries a program
requires into its heap (Reals, ZArith and Strings, as MultiPL-E's Coq tests
require: about 370 MB), and about a third of its time went to the kernel's
page faults of filling that heap 4 KiB at a time. The `cached_argv` of Coq's
step and of D's compile step run the same command through `/usr/bin/env`
with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`: glibc's malloc then asks for
transparent huge pages (`madvise(MADV_HUGEPAGE)`) for its heaps, which the
kernel fills 2 MiB at a time. It decides that from two files of `/sys`,
which the box has no other view of, so these recipes bind exactly those
two, read-only (`binds`). Host, medians of 5 alternating runs of the Coq
test: 1.0 → 0.5-0.65 s wall (system time 0.34 → 0.1 s); ldc2 compiling
the D test: 0.27 → 0.24 s. Why nothing else changes: the memory's contents
and the program's steps are the same, only the kernel's page size under
them; a Coq program cannot read its environment; D's compile step's
environment is the compiler's and linker's, and the D program runs in the
run step with the box's. Memory: up to 2 MiB more per heap arena. Where
the kernel's THP mode is `never` the tunable does nothing; where it is
`always`, the heap had huge pages already. JVM, Mono, GHC and V8 allocate
their heaps themselves (the tunable reaches only malloc), and their
toolchains measured no gain from their own huge-page options (javac with
`-XX:+UseTransparentHugePages`: within noise); rustc gained under a tenth.

The C++ compile step's `/bin/sh` (above) exports the same variable before
it execs g++, whichever command it runs (with a precompiled header or
without), and binds the same two files. `g++` on a small program spends
over half of its time linking, and GNU ld a third of that in page faults
while it hashes libstdc++'s and glibc's symbols into its tables: 31
alternating runs on the host, 92.7 → 85.7 ms for a judge-mode submission
(`#include <cstdio>`), byte-identical binary (`cmp`). The program runs in
the run step, whose environment is the box's as before. C's compile
(`gcc`, a third faster than g++ already) would gain about 3% after the
cost of an extra `env` process, so its recipe is unchanged.

**Java, Scala, Clojure.** For each tool, the set-up script runs it on a
MultiPL-E-shaped program of its own with `-XX:DumpLoadedClassList`, then
dumps a static archive (`-Xshare:dump`) with the class path the tool runs
with (Scala's from its launcher, Clojure's jar; for javac none, its classes
are in the JDK's module image). The recipes' `cached_argv` add
`-XX:SharedArchiveFile=<archive> -XX:+VerifySharedSpaces` (as `-J...` for
javac, scalac and scala). The JVM maps an archive only if it was dumped by
the same JVM build with the same module image and jars (sizes and times) and
a matching class path, and with `VerifySharedSpaces` only if its checksums
hold; otherwise it runs without it and prints nothing. Classes loaded from
an archive behave as loaded from their jar. The one thing a program can see
is the flags themselves: a Scala or Clojure program that prints its JVM's
input arguments (`ManagementFactory.getRuntimeMXBean().getInputArguments()`)
sees the two extra ones. Java's run step has no archive:
it loads few classes beyond the JDK's default archive, and one saved nothing
measurable. The run steps keep the JVM's defaults (no `TieredStopAtLevel`,
no GC choice): those would change how fast a heavy test runs and so,
near a time limit, its verdict. Built in about 20 s; 85 MB.

**Coq and Racket: no cache.** Nearly all of a Coq test's cost is its
`Require Import ZArith/Reals/String` lines (about 420 of 470 ms of CPU),
and nearly all of a Racket test's is loading and instantiating `#lang racket`
and rackunit (about 340 of 355 ms). Neither toolchain can write that loaded
state to a file and read it back: Coq 8.16 dropped `-inputstate`, and
Racket CS has no heap image. The flags that would save a little (a smaller
OCaml minor heap, Racket's interpreter for the user's module) make
compute-heavy programs slower, and that could change a Timeout verdict. See
[performance.md](performance.md#cutting-what-repeats) for the numbers.

**Dafny.** Dafny 2.3 is a .NET program on Mono: it parses and resolves the
program, has Boogie and z3 verify it, writes C#, compiles that with mcs (a
second Mono process) and runs the result inside its own process. Mono
JIT-compiles every method it runs, and about 5,000 methods of Dafny, Boogie
and the framework cost about half of the run's CPU, again on every run.
The set-up script compiles those assemblies ahead of time (`mono --aot`,
default options, i.e. the code the JIT would make) into
`/var/cache/codeexec/dfy-aot/<assembly>.so`: every assembly that Dafny
loads for a program of the script's own (found in Mono's assembly log) and
every assembly of Dafny's and Boogie's packages, except mscorlib, which
Debian's mono package already compiles into `/usr/lib/mono/aot-cache`
(where Mono looks first, with or without this cache; mcs.exe likewise),
and DafnyRuntime.dll (the recipe compiles the runtime's source into the
program). Before it is put in place, the script runs Dafny on its program
with and without the images and keeps them only if the outputs are equal.
The recipe's `cached_argv` adds `--aot-path=/var/cache/codeexec/dfy-aot`
to the mono command line. Mono maps an image only if it was compiled from
the very same assembly (the assembly's GUID is in the image) by the same
runtime version, and otherwise JIT-compiles that assembly as without the
cache and prints nothing; a missing directory is ignored. The program
itself is compiled by mcs into a new assembly on every run and JIT-compiled
as before. What a run can see: an exception's stack trace reads the same
(IL offsets and assembly ids, as the differential test checks); only a
frame that Mono prints with a native address (the top frame of a stack
overflow) shows the image's id after the assembly's (`<guid#aotid>`), in
output that already differs between two runs (the program's assembly gets
a new random id each time). About 1.8x less CPU on a MultiPL-E-shaped
program (1.1 s → 0.6 s); what is left is z3 (about 0.1 s), mcs (about
0.14 s, itself AOT-compiled by Debian) and Dafny's own work with the
methods that cannot be precompiled (generic instances over value types in
mscorlib, runtime wrappers: about 1,000 per run, 70-90 ms). Built in about
15 s; 47 MB.

**TypeScript.** Most of a `tsc` run goes to work that is the same every
time: compiling TypeScript's 6 MB compiler (`lib/_tsc.js`) and parsing and
binding the 50,000 lines of its bundled `lib.*.d.ts` files. The set-up
script builds a node start-up snapshot (`node --build-snapshot`) with
`scripts/tsc-snapshot.js`, which evaluates `_tsc.js` up to its entry
statements, then parses and binds the lib files tsc loads for every program
(the default lib for the recipe's flags and the libs it references,
followed as tsc follows them) with exactly the arguments and compiler
options that `tsc --target esnext --skipLibCheck <file>` uses.
The compile step's `cached_argv` is a `/bin/sh` that runs the same command
as `node --snapshot-blob tsc.blob .../bin/tsc <flags> /tmp/main.ts` (so
`process.argv` is the plain run's) only when `stat` of `/usr/bin/node` and
`_tsc.js` gives the inode, size and times recorded at build time (node
refuses a blob of another build, and an upgraded TypeScript is another
`_tsc.js`); otherwise it runs the plain command. From the snapshot, tsc's
own entry statements run; when tsc asks its parser for a lib file, it gets
the prepared one only if the file name, the parser arguments and the whole
text tsc has just read match, the program's arguments are exactly the
recipe's flags and one file (so the compiler options are those it was bound
with: tsc ignores `tsconfig.json` when given a file), and the file is not a
module; each is handed out once. Parsing and binding give out no ids (the
checker numbers nodes, symbols and types later, in the same order), so the
checker sees what it would have built itself; a lib file a program adds
(`/// <reference lib="webworker" />`) is parsed by the run as usual, and a
program that drops them (`no-default-lib`) never asks. Before it is put in place, the
snapshot must compile three programs of our own (with type errors, lib name
clashes, a module) to the same output, exit code and `.js` as the plain
`tsc`. What a program could notice: `process.execArgv` of the compiler (not
of the program, which runs in a plain `node`), and how tsc itself crashes on
an expression nested so deep that its recursive parser overflows the stack
(hundreds of levels; no MultiPL-E program comes near): both end in
`RangeError: Maximum call stack size exceeded`, exit code 1 (SyntaxError),
but the JavaScript frames printed differ, and the depth at which it happens
differs by two or three levels (nested parentheses: 725 plain, 727 from the
snapshot; nested arrays: 581 and 584), because the frames under tsc's entry
and the state of V8's compiled code are not the same. tsc's CPU
on a MultiPL-E test: 0.91 s → 0.28 s. Built in about 6 s; 33 MB.

**Ruby.** Before Ruby compiles a file that `require` or `load` reads, it
asks `RubyVM::InstructionSequence.load_iseq(path)` for a compiled form.
`scripts/warm-ruby-iseq.rb` compiles every `.rb` file of Ruby's library and
of Debian's gems (`rubygems-integration`) with Ruby's own compiler and saves
the result in Ruby's binary format, once with the default compile options
and once without specialized instructions (what power_assert, which
test/unit loads, switches to for everything compiled after it). The run
step's `cached_argv` is `ruby --disable-gems --disable-error_highlight
--disable-did_you_mean -r /var/cache/codeexec/ruby-iseq/start.rb {src}`,
used only while `start.rb` exists (the step's `cached_when`: the server
checks it for each run, so no shell comes in between, which would change
the program's environment). `start.rb` defines `load_iseq` to return the
cached form when the file's inode, size and modification time are those it
was compiled from and the current compile options are one of the two, and
nothing (Ruby compiles the file as usual) when coverage is running,
`$DEBUG`, `SCRIPT_LINES__` or `RubyVM.keep_script_lines` is set, or Ruby
refuses the binary. It then does what the three `--disable` flags kept
Ruby's gem prelude from doing before `-r`, so that those files come from
the cache too: requires `rubygems`, `error_highlight` and `did_you_mean`,
in that order, with the prelude's messages should one be missing. Loading
them is most of an empty program's start-up (about 80 of 130 ms of CPU
here, mostly rubygems); taking their compiled forms saves 14% of the CPU
of `p 1` and 9% of a test/unit program's against the cache without them
(the rest is rubygems reading its gem specifications). After that every
`require` goes through rubygems exactly as in a plain `ruby FILE`: the
loaded features, load path, activated gems, constants, globals and the
ancestors of the error classes compare equal. Why this is the same
program: the instructions are what Ruby's compiler produces for that file
with those options; the one thing the compiler does differently for a
required file, the labels of its top level (`<top (required)>`, shown in
backtraces, instead of `<main>`), is rewritten in the binary, and the
set-up script keeps a file only if the result equals the compiled file
with just those labels changed. Files whose compilation prints a warning
(with every category on) are left out, so no warning is lost, and so are
files with `<main>` in their code. What a program can still see:
`RubyVM::InstructionSequence.load_iseq` is defined, the command line in
`/proc/self/cmdline`, and `ISeq#to_a`/`#disasm` of library code name
anonymous parameters differently. `start.rb` takes itself out of
`$LOADED_FEATURES` when Ruby has compiled the program's file, before any
of it runs (a `script_compiled` trace point, disabled at once). Built in
about 20 s; 40 MB.

**Elixir.** `/usr/bin/elixir` is a shell script that, for `elixir FILE`,
forks `dirname`, `basename` and `readlink` six times to find where it is,
then execs `erl -pa <lib>/*/ebin -noshell -s elixir start_cli -extra FILE`.
The set-up script records that line (the launcher's own
`ELIXIR_CLI_DRY_RUN`), checks it is the expected one, and writes `run`,
which the run step's `cached_argv` (a `/bin/sh`) sources: it execs that
`erl` command line itself when `/usr/bin/elixir` is still the file it was
recorded from (a hard link to it in the cache, compared with `-ef`; a
package upgrade installs a new file), PATH is the box's, none of the
variables the launcher reads (`ELIXIR_ERL_OPTIONS`, `NO_COLOR`, ...) is
set, stdout and stderr are not both terminals, and there is one argument,
an absolute path; the `-pa` list is globbed at run time as the launcher
globs it. Otherwise it execs `/usr/bin/elixir`. Both ways a shell execs
`erl`, so the program sees the same arguments and the same environment,
byte for byte and in the same order (`/proc/self/environ` is compared in
the differential test). The `erl` script and the VM start as before.

**R.** `Rscript FILE` execs `/usr/lib/R/bin/R --no-echo --no-restore
--file=FILE`, a bash script that runs `uname -m` and `sed` (twice) and
sources `etc/ldpaths` to export `R_HOME`, `R_SHARE_DIR`, `LD_LIBRARY_PATH`
and a few more fixed values, then execs `bin/exec/R` with those arguments.
The set-up script runs Rscript once, in the box's base environment, on a
probe that saves its own `/proc/self/environ` and `/proc/self/cmdline`,
checks the arguments are the expected ones, and writes `run`: the variables
the launchers added (not PWD and SHLVL, which bash sets itself), exported,
then `exec bin/exec/R --no-echo --no-restore --file=FILE`. The run step's
`cached_argv` is a `/bin/bash` (the R script's own shell, so the program's
environment comes out in the same order, with the same PWD and SHLVL) that
sources it; `run` goes ahead only while `Rscript`, the R script and
`ldpaths` are the files it was recorded from (hard links in the cache,
`-ef`), PATH is the box's, none of the variables the launchers read is set
(every name the script and `ldpaths` expand, and the `R*` names in
Rscript's strings), there is one argument and it is a plain absolute path;
otherwise bash execs `/usr/bin/Rscript` as the plain step does. The
differential test compares the environment's bytes and `commandArgs()`.

**C#.** mcs (`mcs.exe`) and mscorlib are compiled ahead of time by
Debian's packages already (`/usr/lib/mono/aot-cache`); the framework
assemblies mcs loads to compile a program (System, System.Core, System.Xml,
Mono.Security) are not, so Mono JIT-compiled their methods on every
compile. The set-up script finds them as for Dafny (Mono's assembly log
while mcs compiles a program of our own), compiles each with `mono --aot`
into `cs-aot`, and keeps the images only if mcs prints the same with them
as without them for a program that compiles with a warning and one that
does not compile. The compile step's `cached_argv` adds
`--aot-path=/var/cache/codeexec/cs-aot` (while its `version` exists:
`cached_when`); Mono maps an image only if it was built from the same
assembly by the same runtime. mcs on the host, 11 alternating runs: 277 →
253 ms. The run step is unchanged: a MultiPL-E program loads little
beyond mscorlib, and the same option measured no gain there.

**Haskell.** `/usr/bin/runghc` is a shell script that execs GHC's `runghc`,
a Haskell program of its own (its runtime and 18 shared libraries: about
12 ms to start here), whose only work for `runghc FILE` is to exec the
`ghc-9.0.2` script with `-ignore-dot-ghci -x hs -e ':set prog "FILE"' -e
':main []' FILE`, which execs `/usr/lib/ghc/bin/ghc` with `-B/usr/lib/ghc`
first. The set-up script runs a probe through `runghc` in the box's base
environment, records ghc's command line from its `/proc/self/cmdline`,
checks it is that one, and writes `run`, which the step's `cached_argv` (a
`/bin/sh`, as `/usr/bin/runghc` is) sources: it execs ghc with that command
line while the two scripts, runghc and ghc are the files it was recorded
from (hard links, `-ef`), PATH is the box's, `GHCRTS` (which runghc's own
runtime would read) is unset, and there is one argument, a plain absolute
path; otherwise `/usr/bin/runghc` as always. Before it writes `run`, the
set-up script runs the same probe through it and requires the same
environment bytes, program name, arguments and environment as the program
sees them, and the same command line but for the flags below.

The recorded line also gives ghc's runtime `+RTS -A8m -O32m -RTS`.
`runghc` interprets the program inside ghc, whose start-up (reading the
interface files of `base` and the program's imports) allocates about 70 MB;
with the runtime's defaults (a 1 MB allocation area, a 1 MB old generation
to start) that is 34 minor and 6 major collections, about three quarters of
ghc's CPU on a MultiPL-E test (`+RTS -s`); with these two flags, 5 and 2.
What changes: when the heap is collected, not what is in it, so a program's
output and exceptions are the same; the process holds about 10 MB more
memory at its peak (23 → 33 MB of heap on the test), and a program that
reads its own `/proc/self/cmdline` sees the flags. Host, medians of 15
alternating runs of the MultiPL-E test: 275 ms (`runghc`) → 237 ms (the
flags through `runghc --ghc-arg`) → 223 ms (both); through the server,
`bench/languages.py --only hs`: 0.95-1.01 of direct → 0.76-0.83.
"""


def main():
    server = None
    if len(sys.argv) > 1:
        url = sys.argv[1]
    else:
        port = 18777
        server = subprocess.Popen([str(REPO / "build" / "codeexec"), "--port", str(port),
                                   "--no-access-log"], stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/health")
                break
            except OSError:
                time.sleep(0.1)
    try:
        live = fetch_languages(url)
    finally:
        if server:
            server.terminate()
    out = ["# Languages", "",
           "Generated by `scripts/gen-languages-doc.py` from `languages/*.json` and the",
           "versions a server probed on Debian 12 (in its sandbox). Each language runs",
           "MultiPL-E's commands and status rules (`shared/multipl-e-evaluators.md`);",
           "a program passes when the status is `OK` and the exit code is 0. The",
           "**Deviations** column says where we differ from MultiPL-E and why.", "",
           "| key | aliases | toolchain (version) | compile step | run step | verdict rules, in order | deviations from MultiPL-E |",
           "|---|---|---|---|---|---|---|"]
    for path in sorted((REPO / "languages").glob("*.json")):
        r = json.loads(path.read_text())
        l = live.get(r["key"], {})
        steps = r["steps"]
        compile_steps = "<br>".join(f"{s['name']}: {step_text(s)}" for s in steps[:-1]) or "—"
        run_step = step_text(steps[-1])
        if l.get("installed"):
            tool = l.get("version") or "installed"
        else:
            tool = f"**not installed** (`{l.get('missing', '?')}` missing)"
        rules = "<br>".join(rule_text(x, steps) for x in r["verdict"])
        notes = (r.get("notes") or "").replace("|", "\\|").replace("\n", " ")
        out.append(f"| `{r['key']}` | {', '.join(r.get('aliases', []))} | {tool} | {compile_steps} "
                   f"| {run_step} | {rules} | {notes} |")
    out += ["", "Placeholders: `{src}` is `/tmp/<source_file>`, `{stem}` the same without its",
            "extension, `{dir}` is `/tmp`. Every step runs in the run's sandbox; see",
            "[recipes.md](recipes.md) for the format and [security.md](security.md) for the box.", "",
            RACKET, R_WARM, ML_WARM, PHP_WARM, COQ_WARM, OCTAVE_WARM, CACHES]
    (REPO / "docs" / "languages.md").write_text("\n".join(out))
    print(f"wrote docs/languages.md ({len(live)} languages)")


if __name__ == "__main__":
    main()
