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


CACHES = """## Install-time caches

Some recipes use caches that `scripts/warm-caches.sh` builds when the
toolchains are installed (`scripts/setup.sh languages`, so `make run` and
`make test` set-up): a recipe's `overlays`, and a step's `cached_argv`, the
command run instead of `argv` while caches are on (the default). The server
flag `--no-language-caches` runs every recipe without them. Rules they all
keep:

- **Nothing changes but time.** Status, exit code, stdout and stderr are the
  same with and without caches; `tests/e2e/test_language_caches.py` runs
  every program of the cached languages' corpora, and C++ programs at the
  edges of the precompiled header, on two servers (caches on and off) and
  compares them byte for byte (and Ruby, Elixir and R programs at their
  caches' edges).
- **Built before any untrusted code, read-only to runs.** Caches live under
  `/var/cache/codeexec`, written only by the set-up script (as root; the
  C++, JVM, Ruby, Elixir and R caches are built in a `.new` directory and
  renamed into place, so a box never sees half of one); boxes see them
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
| C++ precompiled header | `/var/cache/codeexec/cpp-pch` | parsing `<assert.h>` and `<bits/stdc++.h>`: about 70% of g++'s CPU on a MultiPL-E program | see below |
| JVM class-data-sharing archives | `/var/cache/codeexec/jvm-cds/{javac,scalac,scala,clj}.jsa` | loading, parsing and verifying the tool's classes: 23-39% of the CPU of javac, scalac, the scala runner and clojure | the JVM's own checks, see below |
| Ruby compiled library files | `/var/cache/codeexec/ruby-iseq` | parsing and compiling test/unit and the other library files a program requires (about 40% of `require 'test/unit'`) | each file's inode, size and time, the compile options; see below |
| Elixir launcher command line | `/var/cache/codeexec/elixir-launch` | the launcher script's six helper processes | the launcher's inode (a hard link, `-ef`), PATH, the variables it reads; see below |
| R launcher environment | `/var/cache/codeexec/r-launch` | Rscript's exec of the R shell script and its `uname` and `sed` processes | the launchers' inodes (hard links, `-ef`), PATH, the variables they read; see below |

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
against `prefix`) and the `.gch` is newer than every header it was built
from and each of their directories (`deps`: an edited header, or a package
upgrade that replaces one, makes it stale); otherwise it runs the plain
command. Why this is the same program: the PCH is the compiler state after
those two lines, and the source's own line 2 then re-includes headers that
are all include-guarded (`<assert.h>`, which is not, defines the same
macros again). GCC itself refuses a PCH made by another compiler build or
with other options, and then reads the headers (through the forwarding
`assert.h`). A program that does not start with those exact bytes (other
includes, a `#define` first, CRLF line ends) is compiled exactly as without
the cache. The binary is byte-identical. Built in about 12 s; 100 MB.

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

**Ruby.** Before Ruby compiles a file that `require` or `load` reads, it
asks `RubyVM::InstructionSequence.load_iseq(path)` for a compiled form.
`scripts/warm-ruby-iseq.rb` compiles every `.rb` file of Ruby's library and
of Debian's gems (`rubygems-integration`) with Ruby's own compiler and saves
the result in Ruby's binary format, once with the default compile options
and once without specialized instructions (what power_assert, which
test/unit loads, switches to for everything compiled after it). The run
step's `cached_argv` is `ruby -r /var/cache/codeexec/ruby-iseq/boot.rb
{src}`, used only while `boot.rb` exists (the step's `cached_when`: the
server checks it for each run, so no shell comes in between, which would
change the program's environment); `boot.rb` defines `load_iseq` to return
the cached form when the file's inode, size and modification time are
those it was compiled from and the current compile options are one of the
two, and nothing (Ruby compiles the file as usual) when coverage is running,
`$DEBUG`, `SCRIPT_LINES__` or `RubyVM.keep_script_lines` is set, or Ruby
refuses the binary. Why this is the same program: the instructions are what
Ruby's compiler produces for that file with those options; the one thing
the compiler does differently for a required file, the labels of its top
level (`<top (required)>`, shown in backtraces, instead of `<main>`), is
rewritten in the binary, and the set-up script keeps a file only if the
result equals the compiled file with just those labels changed. Files whose
compilation prints a warning (with every category on) are left out, so no
warning is lost, and so are files with `<main>` in their code. What a
program can still see: `RubyVM::InstructionSequence.load_iseq` is defined,
`boot.rb` is in `$LOADED_FEATURES` until the first `require`, and
`ISeq#to_a`/`#disasm` of library code name anonymous parameters
differently. Rubygems and the other files Ruby loads before `-r` are
compiled as before. Built in about 15 s; 40 MB.

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
            CACHES]
    (REPO / "docs" / "languages.md").write_text("\n".join(out))
    print(f"wrote docs/languages.md ({len(live)} languages)")


if __name__ == "__main__":
    main()
