"""The install-time language caches change no result (docs/languages.md).

Two servers run the same programs: one as started by default (caches on),
one with --no-language-caches. For every language whose recipe uses a cache
(a step's cached_argv or an overlay), every program of its corpus in
tests/e2e/languages/<key>/, plus the C++ programs below that probe the edges
of the precompiled header and TypeScript programs that probe the edges of the
tsc snapshot, must give the same status, exit code, stdout and stderr, byte
for byte. A language whose toolchain is not installed is
skipped with the reason the server gives. Whether a cache was actually built
is reported in the skip reasons of test_cache_is_read_only only: both
servers must agree whatever the state of /var/cache/codeexec.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from conftest import start_server
from language_corpus import (LANG_DIR, any_exec_reply, corpus_reply, forget_corpus_reply,
                             multiple_result, timeout_program_result)

REPO = Path(__file__).resolve().parents[2]
CPP_PCH = Path("/var/cache/codeexec/cpp-pch")
TS_SNAPSHOT = Path("/var/cache/codeexec/ts-snapshot")

PREFIX = "#include<assert.h>\n#include<bits/stdc++.h>\n"
CP_PREFIX = "#include <bits/stdc++.h>\n"

# C++ programs at the edges of the PCH rule (only the exact MultiPL-E prefix,
# or the exact line `#include <bits/stdc++.h>`, takes a precompiled header;
# it must still behave as the plain headers).
CPP_EXTRA = {
    # a type error deep in the standard headers: include chains in stderr
    "header-error": PREFIX + "int main() {\n  std::vector<int> v;\n  v.push_back(\"x\");\n"
    "  std::map<int, int> m;\n  std::sort(m.begin(), m.end());\n}\n",
    # only assert.h: std::vector is not declared, with or without the cache
    "assert-only": "#include<assert.h>\nint main() {\n  std::vector<int> v;\n  return 0;\n}\n",
    # a macro before the includes: not the prefix, so never the PCH
    "macro-first": "#define NDEBUG\n" + PREFIX + "int main() { assert(false); return 0; }\n",
    # assert.h again after NDEBUG (the second include finds the cache's link)
    "reinclude-assert": PREFIX + "#define NDEBUG\n#include<assert.h>\n"
    "int main() { assert(false); return 3; }\n",
    # __FILE__ and __LINE__ in output and in a failed assert
    "file-line": PREFIX + "int main() {\n  printf(\"%s %d\\n\", __FILE__, __LINE__);\n"
    "  std::cerr << \"e\" << std::endl;\n  assert(1 == 2);\n}\n",
    # the prefix, then a macro that the headers use: the PCH was built before it
    "define-int": PREFIX + "#define int long long\nsigned main() {\n"
    "  int x = 1LL << 40;\n  std::cout << x << ' ' << sizeof(int) << std::endl;\n}\n",
    # CRLF line ends: not the exact prefix bytes
    "crlf": PREFIX.replace("\n", "\r\n") + "int main() { std::cout << 1 << std::endl; }\n",
    # the prefix with nothing after it: no main, a link error
    "prefix-only": PREFIX,
    # the competitive programmer's first line (the second PCH): a program
    # that reads nothing and prints
    "cp-pass": CP_PREFIX + "using namespace std;\nint main() {\n  vector<long long> v{3, 1, 2};\n"
    "  sort(v.begin(), v.end());\n  cout << v[0] << ' ' << accumulate(v.begin(), v.end(), 0LL) << endl;\n}\n",
    # a type error deep in the standard headers: include chains in stderr
    "cp-header-error": CP_PREFIX + "using namespace std;\nint main() {\n  set<int> s;\n"
    "  sort(s.begin(), s.end());\n  priority_queue<pair<int, string>> q;\n  q.push(1);\n}\n",
    # __FILE__, __LINE__ and a failed assert (<cassert> comes with it)
    "cp-file-line": CP_PREFIX + "int main() {\n  printf(\"%s %d\\n\", __FILE__, __LINE__);\n"
    "  assert(2 + 2 == 5);\n}\n",
    # the header again, and a macro the headers use after it
    "cp-reinclude": CP_PREFIX + "#define int long long\n#include <bits/stdc++.h>\n"
    "signed main() { int x = 1LL << 40; std::cout << x << ' ' << sizeof(int) << std::endl; }\n",
    # no space before '<': not the exact line, so never the PCH
    "cp-no-space": CP_PREFIX.replace(" <", "<") + "int main() { std::cout << std::gcd(12, 18) << std::endl; }\n",
    # the line alone: no main, a link error
    "cp-prefix-only": CP_PREFIX,
}

# Dafny programs whose output goes through the AOT-compiled assemblies in
# ways the corpus does not: an exception thrown inside System.Numerics from
# the program, with a stack trace through Dafny's own frames (Dafny 2.3
# reports it and exits 3), and a program that prints many values.
DFY_EXTRA = {
    "runtime-exception": "method Main() {\n  var n := 100000000000;\n  var a := new int[n];\n"
    "  print a.Length, \"\\n\";\n}\n",
    "many-values": "method Main() {\n  var i := 0;\n  var s: seq<int> := [];\n"
    "  while i < 300\n    invariant 0 <= i <= 300\n  {\n    s := s + [i * i - 7];\n"
    "    i := i + 1;\n  }\n  print s, \" \", {1, 2} + {3}, \" \", map[1 := 2.5], \"\\n\";\n}\n",
}

TS_DECL = "declare var require: any;\nconst assert = require('node:assert');\n"

# TypeScript programs at the edges of the tsc snapshot (lib files parsed and
# bound at install time): errors that name or depend on lib declarations,
# lib files the program adds or removes, a module, a runtime exception.
TS_EXTRA = {
    # type errors whose text shows lib types (union order depends on type ids)
    "type-errors": "let x: number = \"a\";\nlet u: string | number = true;\n"
    "let y = Math.random() > 0.5 ? \"a\" : 1;\ny.foo;\n"
    "const m: Array<number> = new Map<string, boolean>();\n",
    # names that clash with lib.dom's globals; a suggestion from the globals
    "lib-clash": "const name = 1;\nlet status = \"x\";\nconsol.log(1);\n"
    "document.querySelector(1);\n",
    # a program that augments a lib interface and uses newer lib methods
    "augment": "interface Array<T> { sumIt(): number }\n"
    "Array.prototype.sumIt = function () { return this.reduce((a: number, b: number) => a + b, 0); };\n"
    "console.log([1, 2, 3].sumIt(), [1, 2, 3].at(-1), \"a-b\".replaceAll(\"-\", \"+\"));\n",
    # an extra lib file by directive, in a module
    "reference-lib": "/// <reference lib=\"webworker\" />\nexport {};\n"
    "const v: string = typeof self;\nconsole.log(v);\n",
    # top-level await: an error that names the module and target options
    "top-level-await": "export {};\nconst v = await Promise.resolve(1);\nconsole.log(v);\n",
    # no default lib at all: every global type is missing
    "no-default-lib": "/// <reference no-default-lib=\"true\"/>\nlet a = [1].map((x) => x);\n",
    # deprecated lib API, JSDoc, classes and enums: compiles, runs, prints
    "jsdoc-enum": "/** @deprecated */\nfunction f(): string { return escape(\"a b\"); }\n"
    "enum E { A, B }\nclass C { #p = 1; get p() { return this.#p; } }\n"
    "console.log(f(), E.B, new C().p, new Date(0).toISOString());\n",
    # a runtime exception with a stack trace through main.js
    "throws": TS_DECL + "function f(a: number): number {\n"
    "  if (a > 2) throw new TypeError(\"boom \" + a);\n  return f(a + 1);\n}\n"
    "console.log(\"before\");\nf(0);\n",
    # a failed assertion (AssertionError's message shows both values)
    "assert-fails": TS_DECL + "assert.deepEqual([1, 2].map((x) => x * 2), [2, 5]);\n",
}


# Ruby programs at the edges of the compile cache (library files come
# compiled from /var/cache/codeexec/ruby-iseq; each must still behave as
# when Ruby compiles them).
RUBY_EXTRA = {
    # an exception raised while a library's top level runs: the backtrace
    # names its frames ("<top (required)>", "block in <top (required)>")
    "top-required": "class Module\n  def method_added(name)\n"
    "    raise \"added #{name}\" if caller_locations(1, 1)[0].path.start_with?(\"/usr/\")\n"
    "  end\nend\nrequire 'prime'\n",
    # a failed power_assert block (test/unit's assert { }): power_assert
    # compiles what follows without specialized instructions
    "power-assert": "require 'test/unit'\nclass T < Test::Unit::TestCase\n"
    "  def test_x\n    a = [1, 2]\n    assert { a.map { |x| x * 2 }.sum == 5 }\n  end\nend\n",
    # coverage of a library: needs Ruby's own compilation of it
    "coverage": "require 'coverage'\nCoverage.start\nrequire 'prime'\n"
    "p Coverage.result.select { |k, _| k.end_with?('/prime.rb') }.values.map { |v| v.compact.sum > 0 }\n",
    # every warning on, then libraries; the environment, its order included
    "verbose": "$VERBOSE = true\nWarning[:deprecated] = true\nWarning[:experimental] = true\n"
    "require 'set'\nrequire 'ostruct'\nrequire 'test/unit'\n"
    "p ENV.to_a, $LOADED_FEATURES.size, $LOAD_PATH\n",
    # a NoMethodError raised inside a library (error_highlight's snippet)
    "library-error": "require 'matrix'\nMatrix[[1]] * nil\n",
    # the state Ruby starts a program in (the cached run loads the gem
    # prelude itself): the probe the cache's set-up also checks
    "start-state": (REPO / "scripts" / "ruby-start-probe.rb").read_text(),
}

# Elixir programs that see what the launcher hands to the VM (the cached
# step execs the launcher's erl command line itself).
ELIXIR_EXTRA = {
    # the environment's bytes, order included, and the VM's arguments
    "environment": "IO.inspect(File.read!(\"/proc/self/environ\"), limit: :infinity, "
    "printable_limit: :infinity)\nIO.inspect({System.argv(), :init.get_plain_arguments(), "
    ":init.get_arguments(), :code.get_path(), System.get_env()}, limit: :infinity, "
    "printable_limit: :infinity)\n",
    # an uncaught exception: the stack trace and exit code
    "raise": "defmodule M do\n  def f(x), do: x + 1\nend\nM.f(:a)\n",
}

# R programs that see what the launchers hand to R (the cached step execs
# bin/exec/R itself).
R_EXTRA = {
    "environment": "e <- readBin('/proc/self/environ', 'raw', 1e6)\n"
    "cat(rawToChar(replace(e, e == as.raw(0), as.raw(10))))\n"
    "print(commandArgs())\nv <- Sys.getenv()\n"
    "print(v[grepl('^R_|PATH|PWD|SHLVL', names(v)) & names(v) != 'R_SESSION_TMPDIR'])\n",
    "error": "f <- function(x) stop('no: ', x)\nf(1)\n",
}

# Haskell programs that see what runghc hands to ghc (the cached step execs
# ghc itself, with a larger allocation area for its runtime).
HS_EXTRA = {
    # the process as the program sees it
    "environment": "import System.Environment\nimport qualified Data.ByteString.Char8 as B\n"
    "main :: IO ()\nmain = do\n  getProgName >>= print\n  getArgs >>= print\n"
    "  getEnvironment >>= print\n  B.readFile \"/proc/self/environ\" >>= print\n",
    # an uncaught error: message, call stack and exit code
    "error": "f :: Int -> Int\nf x = if x > 2 then error (\"too big: \" ++ show x) else x\n"
    "main :: IO ()\nmain = print (map f [1, 2, 3])\n",
    "exit-code": "import System.Exit\nmain :: IO ()\nmain = putStrLn \"bye\" >> exitWith (ExitFailure 3)\n",
    # enough allocation and live data for the runtime's flags to matter
    "allocates": "import qualified Data.Map.Strict as M\nimport Data.List (foldl')\n"
    "main :: IO ()\nmain = do\n  let m = foldl' (\\acc k -> M.insert k (k * k) acc) M.empty [1 .. 200000 :: Int]\n"
    "  print (M.size m, M.foldl' (+) 0 m)\n  print (length (show (product [1 .. 3000 :: Integer])))\n",
}

# C# programs for mcs with its framework assemblies ahead-of-time compiled
# (the cached compile step): its warnings and errors, and what it compiled.
CS_EXTRA = {
    "warnings": "using System;\nusing System.Linq;\nusing System.Numerics;\nclass Problem {\n"
    "    static void Main() {\n        int unused = 1;\n        var xs = new[] { 3, 1, 2 }.OrderBy(x => x).ToList();\n"
    "        Console.WriteLine(string.Join(\",\", xs) + \" \" + BigInteger.Pow(3, 50));\n    }\n}\n",
    "errors": "class Problem {\n    static void Main() {\n        int x = \"text\";\n        Missing(x);\n"
    "        var y = new System.Collections.Generic.List<int>().NoSuchMethod();\n    }\n}\n",
}

# Rust programs at the edges of the faster linker (the cached compile step
# links with lld, and falls back to the plain command when a link fails).
RUST_EXTRA = {
    # a link error: must read as GNU ld words it, exit status included
    "link-error": 'extern "C" {\n    fn no_such_function_anywhere() -> i32;\n}\n'
    'fn main() {\n    println!("{}", unsafe { no_such_function_anywhere() });\n}\n',
    # warnings on a program that links
    "warnings": "fn unused(x: i32) -> i32 { x }\nfn main() {\n    let y = 3;\n"
    '    let mut z = vec![1, 2];\n    z.sort();\n    println!("{:?}", z);\n}\n',
    # a panic's backtrace, symbolised from the linked binary
    "backtrace": 'fn inner(v: &[i32]) -> i32 { v[7] }\nfn outer() -> i32 { inner(&[1, 2]) }\n'
    'fn main() {\n    std::env::set_var("RUST_BACKTRACE", "1");\n    println!("{}", outer());\n}\n',
    # the guard page's stack-overflow message, then SIGABRT
    "stack-overflow": "fn f(n: u64) -> u64 { let a = [n; 64]; if n == 0 { 0 } else { f(n - 1) + a[3] } }\n"
    'fn main() {\n    println!("{}", f(u64::MAX));\n}\n',
}


# Coq programs for the step run with huge pages for malloc: heavy libraries
# and a plugin (lia's, loaded with dlopen), failing proofs of both kinds.
V_EXTRA = {
    "heavy-libraries": "Require Import Reals.\nRequire Import ZArith.\nRequire Import Lia.\n"
    "Require Import Coq.Lists.List.\nImport ListNotations.\nOpen Scope Z_scope.\n"
    "Lemma l (x : Z) : 2 * x + 1 > x - 5. Proof. lia. Qed.\n"
    "Example e : length [1; 2; 3]%list = 3%nat. Proof. reflexivity. Qed.\n"
    "Check Rplus_comm.\nPrint l.\n",
    "unable-to-unify": "Require Import ZArith.\nOpen Scope Z_scope.\n"
    "Example t : 2 + 2 = 5. Proof. reflexivity. Qed.\n",
    "lia-fails": "Require Import Lia.\nLemma l (n : nat) : n > n. Proof. lia. Qed.\n",
}


# Output that differs between any two runs, cached or not: go test prints
# its timings, D stack traces addresses ("ok  \tpkg\t0.003s", "--- FAIL: TestX (0.00s)"), test/unit
# too ("Finished in 0.0123 seconds.", "81.3 tests/s, 81.3 assertions/s"),
# and a Dafny stack trace the program's random assembly id.
VOLATILE = {
    "go": re.compile(r"\b\d+\.\d+s\b"),
    "dfy": re.compile(r"<[0-9a-f]{32}>"),
    "ruby": re.compile(r"Finished in \d+\.\d+ seconds|\d+\.\d+ (?:tests|assertions)/s"),
    # ExUnit: "Finished in 0.1 seconds (0.1s on load, ...)", "Randomized with seed 123"
    "elixir": re.compile(r"Finished in .*|seed \d+"),
    # rustc's temporary directory in a link error's command line
    "rust": re.compile(r"/tmp/rustc\w+/"),
    # addresses in a D stack trace (ASLR)
    "dlang": re.compile(r"\[0x[0-9a-f]+\]"),
}


def _steady(key, result):
    pat = VOLATILE.get(key)
    if not pat:
        return result
    return {k: pat.sub("<time>", v) if isinstance(v, str) else v for k, v in result.items()}


def _recipe_uses_cache(path: Path) -> bool:
    r = json.loads(path.read_text())
    return bool(r.get("overlays")) or any("cached_argv" in s for s in r["steps"])


CACHED = sorted(p.stem for p in (REPO / "languages").glob("*.json") if _recipe_uses_cache(p))


def _corpus():
    out = []
    for key in CACHED:
        d = LANG_DIR / key
        if (d / "expect.json").is_file():
            for name in json.loads((d / "expect.json").read_text()):
                (f,) = sorted(d.glob(name + ".*"))
                out.append((key, name, f.read_text()))
    return out


def _cases():
    out = _corpus()
    out += [("cpp", name, code) for name, code in CPP_EXTRA.items()]
    out += [("dfy", name, code) for name, code in DFY_EXTRA.items()]
    out += [("ts", name, code) for name, code in TS_EXTRA.items()]
    out += [("ruby", name, code) for name, code in RUBY_EXTRA.items()]
    out += [("elixir", name, code) for name, code in ELIXIR_EXTRA.items()]
    out += [("r", name, code) for name, code in R_EXTRA.items()]
    out += [("hs", name, code) for name, code in HS_EXTRA.items()]
    out += [("cs", name, code) for name, code in CS_EXTRA.items()]
    out += [("rust", name, code) for name, code in RUST_EXTRA.items()]
    out += [("v", name, code) for name, code in V_EXTRA.items()]
    return out


CASES = _cases()
CORPUS = {(key, name) for key, name, _ in _corpus()}


@pytest.fixture(scope="module")
def server_off():
    with start_server("--no-language-caches") as s:
        yield s.url


@pytest.fixture(scope="module")
def installed(server):
    r = requests.get(server + "/v1/languages", timeout=10)
    r.raise_for_status()
    return {l["key"]: l for l in r.json()["languages"]}


def _run(url, key, name, code):
    if name == "timeout":
        return timeout_program_result(url, key, code)
    return multiple_result(any_exec_reply(url, key, code))


def _run_on(server, key, name, code):
    """On the default server: the corpus's cases through corpus_reply (its
    reply is kept for test_languages.py), the extra programs directly."""
    if (key, name) in CORPUS:
        return multiple_result(corpus_reply(server, key, name, code))
    return _run(server, key, name, code)


@pytest.fixture(scope="module")
def results(server, server_off, installed):
    """Every case on both servers; at most two runs at a time on each."""
    todo = [c for c in CASES if installed.get(c[0], {}).get("installed")]
    with cf.ThreadPoolExecutor(max_workers=4) as pool:
        futures = {
            (c[0], c[1]): (pool.submit(_run_on, server, *c), pool.submit(_run, server_off, *c))
            for c in todo
        }
        got = {k: (on.result(), off.result()) for k, (on, off) in futures.items()}
    # A program that timed out on one server only, and is not meant to time
    # out, met its language's time limit (MultiPL-E's T: 5 s for Elixir)
    # under this fixture's own load or another's: it runs again on both, one
    # at a time, and that pair is compared. The caches' differences are in
    # output, never in timing; a limit met again alone still fails the test.
    for c in todo:
        on, off = got[(c[0], c[1])]
        if c[1] != "timeout" and (on["status"] == "Timeout") != (off["status"] == "Timeout"):
            forget_corpus_reply(server, c[0], c[1])
            got[(c[0], c[1])] = (_run_on(server, *c), _run(server_off, *c))
    return got


def test_some_language_uses_a_cache():
    assert "cpp" in CACHED and "go" in CACHED and "ruby" in CACHED, CACHED


@pytest.mark.parametrize("key,name,code", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_same_result_with_and_without_caches(key, name, code, installed, results):
    lang = installed.get(key)
    assert lang is not None, f"no recipe for {key}"
    if not lang["installed"]:
        pytest.skip(f"{key}: toolchain not installed ({lang.get('missing')} is missing)")
    on, off = (_steady(key, r) for r in results[(key, name)])
    assert list(on) == ["status", "exit_code", "stdout", "stderr"]
    if name == "timeout":
        # What a never-ending program printed before its limit depends on
        # how fast it started (Clojure's prints a line once the JVM is up):
        # only the verdict is the caches' to keep.
        on, off = ({k: r[k] for k in ("status", "exit_code")} for r in (on, off))
        assert on["status"] == "Timeout", on
    assert on == off, f"{key}/{name}\n caches on:  {json.dumps(on)[:3000]}\n caches off: {json.dumps(off)[:3000]}"


def test_expected_verdicts_of_cpp_edges(installed, results):
    """The edge programs mean what their names say (so the comparison above
    compares something)."""
    if not installed.get("cpp", {}).get("installed"):
        pytest.skip("cpp: g++ not installed")
    got = {name: results[("cpp", name)][0] for name in CPP_EXTRA}
    assert got["header-error"]["status"] == "SyntaxError"
    assert "In file included from" in got["header-error"]["stderr"]
    assert got["assert-only"]["status"] == "SyntaxError"
    assert (got["macro-first"]["status"], got["macro-first"]["exit_code"]) == ("OK", 0)
    assert (got["reinclude-assert"]["status"], got["reinclude-assert"]["exit_code"]) == (
        "Exception", 3)
    assert got["file-line"]["stdout"] == "/tmp/main.cpp 4\n"
    assert "main.cpp:6: int main(): Assertion `1 == 2' failed." in got["file-line"]["stderr"]
    assert got["define-int"]["stdout"] == "1099511627776 8\n"
    assert (got["crlf"]["status"], got["crlf"]["stdout"]) == ("OK", "1\n")
    assert got["prefix-only"]["status"] == "SyntaxError"


def test_expected_verdicts_of_dfy_edges(installed, results):
    """The Dafny edge programs reach what they are meant to test."""
    if not installed.get("dfy", {}).get("installed"):
        pytest.skip("dfy: Dafny not installed")
    got = {name: results[("dfy", name)][0] for name in DFY_EXTRA}
    exc = got["runtime-exception"]
    assert (exc["status"], exc["exit_code"]) == ("CompilationError", 3), exc
    assert "at System.Numerics.BigInteger.op_Explicit" in exc["stdout"], exc
    assert "at Microsoft.Dafny.CsharpCompiler.RunTargetProgram" in exc["stdout"], exc
    many = got["many-values"]
    assert many["status"] == "OK" and "\n[-7, -6, -3, 2, 9, 18, " in many["stdout"], many
    assert many["stdout"].endswith(", 89394] {1, 2, 3} map[1 := 2.5]\n"), many


DFY_AOT = Path("/var/cache/codeexec/dfy-aot")


def _aot_images_mapped(argv, cache, tmp_path):
    """Runs a cached Mono step on the host with Mono's AOT log on: the
    names of the images it mapped from cache, and the log. The step must
    succeed and no image may be refused as not matching its assembly."""
    r = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
                            "MONO_LOG_LEVEL": "info", "MONO_LOG_MASK": "aot"})
    assert r.returncode == 0, r.stdout[-2000:]
    assert "is unusable" not in r.stdout, r.stdout[-3000:]
    return set(re.findall(r"AOT: image '" + str(cache) + r"/([^']+)\.so' found", r.stdout)), r.stdout


def test_dfy_aot_images_are_used(tmp_path):
    """The cached step really maps the AOT images (run on the host: Mono
    logs each image it loads), and none of them is refused as not matching
    its assembly."""
    if not Path("/usr/lib/dafny/Dafny.exe").exists():
        pytest.skip("Dafny not installed")
    if not (DFY_AOT / "version").is_file():
        pytest.skip(f"{DFY_AOT} not built (scripts/warm-caches.sh)")
    (tmp_path / "main.dfy").write_text((LANG_DIR / "dfy" / "pass.dfy").read_text())
    argv = [a.replace("{src}", str(tmp_path / "main.dfy")) for a in _cached_argv("dfy", "run")]
    found, log = _aot_images_mapped(argv, DFY_AOT, tmp_path)
    assert {"Dafny.exe", "DafnyPipeline.dll", "BoogieCore.dll", "System.dll"} <= found, log[-3000:]


CS_AOT = Path("/var/cache/codeexec/cs-aot")


def test_expected_results_of_cs_edges(installed, results):
    """The C# programs above do what they say (with caches on)."""
    if not installed.get("cs", {}).get("installed"):
        pytest.skip("cs: not installed")
    got = {name: results[("cs", name)][0] for name in CS_EXTRA}
    assert got["warnings"]["status"] == "OK", got["warnings"]
    assert got["warnings"]["stdout"] == "1,2,3 717897987691852588770249\n", got["warnings"]
    assert got["errors"]["status"] == "SyntaxError" and "error CS0029" in got["errors"]["stderr"], got["errors"]


def test_cs_aot_images_are_used(tmp_path):
    """The cached compile step really maps the framework's AOT images (run
    on the host: Mono logs each image it loads), none refused."""
    if not Path("/usr/lib/mono/4.5/mcs.exe").exists():
        pytest.skip("mcs not installed")
    if not (CS_AOT / "version").is_file():
        pytest.skip(f"{CS_AOT} not built (scripts/warm-caches.sh)")
    (tmp_path / "Problem.cs").write_text((LANG_DIR / "cs" / "pass.cs").read_text())
    argv = [a.replace("{src}", str(tmp_path / "Problem.cs")).replace("{stem}", str(tmp_path / "Problem"))
            for a in _cached_argv("cs", "compile")]
    found, log = _aot_images_mapped(argv, CS_AOT, tmp_path)
    assert {"System.dll", "System.Core.dll"} <= found, log[-3000:]


def test_expected_verdicts_of_ts_edges(installed, results):
    """The TypeScript edge programs mean what their names say."""
    if not installed.get("ts", {}).get("installed"):
        pytest.skip("ts: tsc not installed")
    got = {name: results[("ts", name)][0] for name in TS_EXTRA}
    assert got["type-errors"]["status"] == "SyntaxError"
    assert "type 'string | number'" in got["type-errors"]["stdout"]
    assert "Cannot redeclare block-scoped variable 'name'" in got["lib-clash"]["stdout"]
    assert "Did you mean 'console'?" in got["lib-clash"]["stdout"]
    assert (got["augment"]["status"], got["augment"]["stdout"]) == (
        "OK", "6 3 a+b\n")
    assert (got["reference-lib"]["status"], got["reference-lib"]["stdout"]) == ("OK", "undefined\n")
    assert "error TS1378: Top-level 'await'" in got["top-level-await"]["stdout"]
    assert "Cannot find global type 'Array'" in got["no-default-lib"]["stdout"]
    assert got["jsdoc-enum"]["stdout"] == "a%20b 1 1 1970-01-01T00:00:00.000Z\n"
    assert got["throws"]["status"] == "Exception"
    assert "TypeError: boom 3" in got["throws"]["stderr"]
    assert got["assert-fails"]["status"] == "AssertionError"


def test_expected_results_of_ruby_edges(installed, results):
    """The Ruby edge programs do what their names say."""
    if not installed.get("ruby", {}).get("installed"):
        pytest.skip("ruby: not installed")
    got = {name: results[("ruby", name)][0] for name in RUBY_EXTRA}
    assert "prime.rb" in got["top-required"]["stderr"]
    assert "in `<top (required)>'" in got["top-required"]["stderr"]
    assert "a.map { |x| x * 2 }.sum == 5" in got["power-assert"]["stdout"]
    assert got["power-assert"]["status"] == "Exception"
    assert got["coverage"]["stdout"] == "[true]\n"
    assert got["verbose"]["status"] == "OK"
    assert "matrix.rb" in got["library-error"]["stderr"]
    assert "undefined method `coerce' for nil" in got["library-error"]["stderr"]
    assert got["start-state"]["status"] == "OK"
    assert "/did_you_mean.rb" in got["start-state"]["stdout"]
    assert "ruby-iseq" not in got["start-state"]["stdout"]
    assert "Did you mean?  lenght" in got["start-state"]["stdout"]


def test_expected_results_of_elixir_edges(installed, results):
    """The Elixir edge programs do what their names say."""
    if not installed.get("elixir", {}).get("installed"):
        pytest.skip("elixir: not installed")
    got = {name: results[("elixir", name)][0] for name in ELIXIR_EXTRA}
    assert '"PWD" => "/tmp"' in got["environment"]["stdout"]
    assert "'/tmp/main.exs'" in got["environment"]["stdout"]
    assert got["raise"]["status"] == "Exception" and "ArithmeticError" in got["raise"]["stderr"]


def test_expected_results_of_r_edges(installed, results):
    """The R edge programs do what their names say."""
    if not installed.get("r", {}).get("installed"):
        pytest.skip("r: not installed")
    got = {name: results[("r", name)][0] for name in R_EXTRA}
    out = got["environment"]["stdout"]
    assert "R_HOME=/usr/lib/R\n" in out and "PWD=/tmp\n" in out and "--file=/tmp/main.r" in out
    assert got["error"]["status"] == "Exception" and "no: 1" in got["error"]["stderr"]


def _traced_cached_step(tmp_path, key, step, src_name, code, cache_file):
    """Runs the recipe's cached step on the host with the box's environment
    under strace: the programs it exec'd (strace's execve lines). Skips when
    the cache or strace is not there."""
    if not Path(cache_file).is_file():
        pytest.skip(f"{cache_file} not built (scripts/warm-caches.sh)")
    if not shutil.which("strace"):
        pytest.skip("no strace")
    src = tmp_path / src_name
    src.write_text(code)
    argv = [a.replace("{src}", str(src)) for a in _cached_argv(key, step)]
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    traced = subprocess.run(["strace", "-f", "-e", "trace=execve", "-o", str(tmp_path / "t")] + argv,
                            capture_output=True, text=True, cwd=tmp_path, timeout=120, env=env)
    if traced.returncode != 0 and "strace" in traced.stderr:
        pytest.skip("strace cannot run here")
    return (tmp_path / "t").read_text()


def test_r_launcher_cache_is_used(tmp_path):
    """The cached step execs R's binary itself when the cache is there (run
    on the host with the box's environment): no Rscript, R script or sed."""
    execs = _traced_cached_step(tmp_path, "r", "run", "main.r", "cat(1)\n",
                                "/var/cache/codeexec/r-launch/run")
    assert 'execve("/usr/bin/Rscript"' not in execs and 'execve("/usr/lib/R/bin/R"' not in execs
    assert 'execve("/bin/sed"' not in execs and 'execve("/usr/lib/R/bin/exec/R"' in execs, execs[:2000]


def test_elixir_launcher_cache_is_used(tmp_path):
    """The cached step execs erl itself when the cache is there (run on the
    host with the box's environment): the elixir script never runs."""
    execs = _traced_cached_step(tmp_path, "elixir", "run", "main.exs",
                                "IO.puts(:os.getpid())\n", "/var/cache/codeexec/elixir-launch/run")
    assert 'execve("/usr/bin/elixir"' not in execs and "/usr/bin/readlink" not in execs, execs[:2000]
    assert "erlexec" in execs, execs[:2000]


def test_expected_results_of_hs_edges(installed, results):
    """The Haskell programs above do what they say (with caches on)."""
    if not installed.get("hs", {}).get("installed"):
        pytest.skip("hs: not installed")
    got = {name: results[("hs", name)][0] for name in HS_EXTRA}
    env = got["environment"]["stdout"]
    assert env.startswith('"Main.hs"\n[]\n[(') and '("PWD","/tmp")' in env, env
    assert "GHCRTS" not in env and "RTS" not in env, env
    assert got["error"]["status"] == "Exception" and "too big: 3" in got["error"]["stderr"], got["error"]
    assert got["exit-code"]["exit_code"] == 3 and got["exit-code"]["stdout"] == "bye\n", got["exit-code"]
    assert got["allocates"]["stdout"] == "(200000,2666686666700000)\n9131\n", got["allocates"]


def test_ghc_launcher_cache_is_used(tmp_path):
    """The cached step execs ghc itself, with the runtime flags, when the
    cache is there (run on the host with the box's environment): runghc
    and the ghc script never run."""
    execs = _traced_cached_step(tmp_path, "hs", "run", "Main.hs", "main :: IO ()\nmain = print 1\n",
                                "/var/cache/codeexec/ghc-launch/run")
    assert "runghc" not in execs.split("\n", 1)[1] and 'execve("/usr/bin/ghc' not in execs, execs[:2000]
    assert '"+RTS", "-A8m", "-O32m", "-RTS"' in execs, execs[:2000]


def test_ruby_cache_is_used(tmp_path):
    """Ruby really takes its gem prelude's files and test/unit's from the
    cache (run on the host): a library required before start.rb counts the
    compiled forms load_iseq hands out."""
    start = Path("/var/cache/codeexec/ruby-iseq/start.rb")
    if not start.is_file():
        pytest.skip(f"{start} not built (scripts/warm-caches.sh)")
    counter = tmp_path / "count.rb"
    counter.write_text("$hits = []\nRubyVM::InstructionSequence.singleton_class.prepend(Module.new do\n"
                       "  def load_iseq(path) = (defined?(super) ? super : nil).tap { |i| $hits << path if i }\n"
                       "end)\n")
    probe = ("prelude = $hits.dup\nrequire 'test/unit'\nTest::Unit::AutoRunner.need_auto_run = false\n"
             "p prelude.map { |f| File.basename(f) } & %w[rubygems.rb error_highlight.rb did_you_mean.rb]\n"
             "p $hits.size - prelude.size\n")
    argv = _cached_argv("ruby", "run")[:-1]
    at = next(i for i, a in enumerate(argv) if a.endswith("/start.rb"))
    argv[at:at] = [f"-r{counter}"]
    r = subprocess.run(argv + ["-e", probe], capture_output=True, text=True, cwd=tmp_path,
                       timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == '["rubygems.rb", "error_highlight.rb", "did_you_mean.rb"]', r.stdout
    assert int(lines[1]) >= 40, r.stdout


def test_rust_links_with_lld_only_with_caches(server, server_off, installed):
    """Through the server, a Rust binary linked by the cached compile step
    carries lld's mark in its .comment section; with the caches off, GNU ld
    linked it."""
    if not installed.get("rust", {}).get("installed"):
        pytest.skip("rust: rustc not installed")
    if not Path("/usr/bin/ld.lld").exists():
        pytest.skip("lld not installed (scripts/setup.sh installs it)")
    # lld's mark is spelled backwards, so the program's own text is not it
    code = ("fn main() {\n    let b = std::fs::read(std::env::current_exe().unwrap()).unwrap();\n"
            '    let mark: Vec<u8> = " DLL naibeD :rekniL".bytes().rev().collect();\n'
            "    let lld = b.windows(mark.len()).any(|w| w == &mark[..]);\n"
            '    println!("{}", if lld { "lld" } else { "ld" });\n}\n')
    on, off = (_run(url, "rust", "which-linker", code) for url in (server, server_off))
    assert (on["status"], on["stdout"]) == ("OK", "lld\n"), on
    assert (off["status"], off["stdout"]) == ("OK", "ld\n"), off


def test_cache_is_read_only(server, installed):
    """A run sees the C++ cache but cannot change it."""
    if not installed.get("cpp", {}).get("installed"):
        pytest.skip("cpp: g++ not installed")
    if not (CPP_PCH / "pch" / "assert.h.gch").is_file():
        pytest.skip(f"{CPP_PCH} not built (scripts/warm-caches.sh)")
    code = PREFIX + (
        "#include <fcntl.h>\n#include <unistd.h>\n"
        "int main() {\n"
        "  const char *p = \"/var/cache/codeexec/cpp-pch/pch/assert.h.gch\";\n"
        "  std::cout << (access(p, R_OK) == 0) << ' ' << (open(p, O_WRONLY) < 0) << ' '\n"
        "            << (open(\"/var/cache/codeexec/cpp-pch/x\", O_CREAT | O_WRONLY, 0644) < 0)\n"
        "            << ' ' << (unlink(p) < 0) << std::endl;\n"
        "}\n")
    got = _run(server, "cpp", "read-only", code)
    assert (got["status"], got["stdout"]) == ("OK", "1 1 1 1\n"), got


def _cached_argv(key, step):
    r = json.loads((REPO / "languages" / f"{key}.json").read_text())
    return next(s["cached_argv"] for s in r["steps"] if s["name"] == step)


def test_ts_cache_is_read_only(server, installed):
    """A TypeScript run sees the snapshot but cannot change it."""
    if not installed.get("ts", {}).get("installed"):
        pytest.skip("ts: tsc not installed")
    if not (TS_SNAPSHOT / "tsc.blob").is_file():
        pytest.skip(f"{TS_SNAPSHOT} not built (scripts/warm-caches.sh)")
    code = ("declare var require: any;\nconst fs = require('fs');\n"
            "const d = '/var/cache/codeexec/ts-snapshot';\n"
            "function fails(f: () => void): boolean { try { f(); return false; } catch { return true; } }\n"
            "console.log(fs.statSync(d + '/tsc.blob').size > 0,\n"
            "  fails(() => fs.openSync(d + '/tsc.blob', 'r+')),\n"
            "  fails(() => fs.writeFileSync(d + '/x', 'x')),\n"
            "  fails(() => fs.unlinkSync(d + '/stat')));\n")
    got = _run(server, "ts", "read-only", code)
    assert (got["status"], got["stdout"]) == ("OK", "true true true true\n"), got


def test_ts_snapshot_is_used(tmp_path):
    """The cached compile step starts node from the snapshot when it is in
    place, and runs the plain command when it is not (run on the host, with
    echo in node's place: the guard checks /usr/bin/node itself, and passes
    the command on, with --snapshot-blob or without)."""
    if not (TS_SNAPSHOT / "tsc.blob").is_file():
        pytest.skip(f"{TS_SNAPSHOT} not built (scripts/warm-caches.sh)")
    argv = [a.replace("{src}", "/tmp/main.ts") for a in _cached_argv("ts", "compile")]
    assert argv[4] == "/usr/bin/node"
    argv[4] = "/bin/echo"
    r = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    tsc = "/usr/local/lib/codeexec/npm/node_modules/typescript/bin/tsc"
    assert r.stdout == (f"--snapshot-blob {TS_SNAPSHOT}/tsc.blob {tsc} "
                        "--target esnext --skipLibCheck /tmp/main.ts\n"), r.stdout
    # without the cache (here: another directory), exactly the plain command
    argv[2] = argv[2].replace(str(TS_SNAPSHOT), str(tmp_path / "missing"))
    r = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.stdout == f"{tsc} --target esnext --skipLibCheck /tmp/main.ts\n", r.stdout


def test_cpp_pch_is_used(tmp_path):
    """The cached compile step really loads the precompiled headers (run on
    the host: g++ -H names a PCH it uses with '!'): MultiPL-E's prefix, and
    a competitive program's first line."""
    if not Path("/usr/bin/g++").exists():
        pytest.skip("g++ not installed")
    if not (CPP_PCH / "pch-cp" / "bits" / "stdc++.h.gch").is_file():
        pytest.skip(f"{CPP_PCH} not built (scripts/warm-caches.sh)")
    src = tmp_path / "main.cpp"
    argv = [a.replace("{src}", str(src)).replace("{stem}", str(tmp_path / "main"))
            for a in _cached_argv("cpp", "compile")]
    for code, gch in (((LANG_DIR / "cpp" / "pass.cpp").read_text(), "pch/assert.h.gch"),
                      (CPP_EXTRA["cp-pass"], "pch-cp/bits/stdc++.h.gch")):
        src.write_text(code)
        r = subprocess.run(argv + ["-H"], capture_output=True, text=True, cwd=tmp_path, timeout=120)
        assert r.returncode == 0, r.stderr
        assert r.stderr.startswith(f"! {CPP_PCH}/{gch}\n"), r.stderr[:500]


JVM_CHECKS = {
    # archive: (the cached step, a short command its tool runs with)
    "javac.jsa": ("java", "compile", ["-version"]),
    "scalac.jsa": ("scala", "compile", ["-version"]),
    "scala.jsa": ("scala", "run", ["-version"]),
    "clj.jsa": ("clj", "run", ["-e", "(println 1)"]),
}


@pytest.mark.parametrize("archive", sorted(JVM_CHECKS))
def test_jvm_archive_maps(archive, tmp_path):
    """Each CDS archive is accepted by its tool's JVM with the recipe's own
    flags and class path: -Xshare:on makes the JVM fail instead of silently
    running without it."""
    key, step, probe = JVM_CHECKS[archive]
    path = Path("/var/cache/codeexec/jvm-cds") / archive
    if not path.is_file():
        pytest.skip(f"{path} not built (scripts/warm-caches.sh, toolchain installed?)")
    argv = _cached_argv(key, step)
    j = "-J" if argv[0] != "/usr/bin/java" else ""
    cut = next(i for i, a in enumerate(argv) if a.startswith(("-cp", "-d", "-encoding", "-D")))
    if key == "clj":
        cut = argv.index("clojure.main") + 1
    cmd = argv[:1] + [j + "-Xshare:on"] + argv[1:cut] + probe
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=120,
                       env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"})
    assert r.returncode == 0, (cmd, r.stdout[-2000:], r.stderr[-2000:])


def test_cpp_pch_wrapper_uses_only_a_fresh_cache(tmp_path):
    """The compile step's check, run on the host against a copy of the cache
    (the .gch linked, not copied): the PCH is used only when every listed
    dependency exists and is older than it, and the source starts with the
    prefix; anything else runs the plain command."""
    if not Path("/usr/bin/g++").exists():
        pytest.skip("g++ not installed")
    if not (CPP_PCH / "pch-cp" / "bits" / "stdc++.h.gch").is_file():
        pytest.skip(f"{CPP_PCH} not built (scripts/warm-caches.sh)")
    cache = tmp_path / "cache"
    (cache / "pch").mkdir(parents=True)
    (cache / "pch" / "assert.h.gch").symlink_to(CPP_PCH / "pch" / "assert.h.gch")
    (cache / "pch" / "assert.h").write_text((CPP_PCH / "pch" / "assert.h").read_text())
    (cache / "prefix").write_text(PREFIX)
    (cache / "pch-cp" / "bits").mkdir(parents=True)
    (cache / "pch-cp" / "bits" / "stdc++.h.gch").symlink_to(CPP_PCH / "pch-cp" / "bits" / "stdc++.h.gch")
    (cache / "pch-cp" / "bits" / "stdc++.h").write_text((CPP_PCH / "pch-cp" / "bits" / "stdc++.h").read_text())
    (cache / "prefix-cp").write_text(CP_PREFIX)
    deps = (CPP_PCH / "deps").read_text()
    work = tmp_path / "w"
    work.mkdir()
    argv = _cached_argv("cpp", "compile")
    argv[2] = argv[2].replace(str(CPP_PCH), str(cache))

    def uses_pch(code, deps_text, gch="pch/assert.h.gch"):
        if deps_text is None:
            (cache / "deps").unlink(missing_ok=True)
        else:
            (cache / "deps").write_text(deps_text)
        (work / "main.cpp").write_text(code)
        cmd = [a.replace("{src}", str(work / "main.cpp")).replace("{stem}", str(work / "main"))
               for a in argv]
        r = subprocess.run(cmd + ["-H"], capture_output=True, text=True, cwd=work, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
        return r.stderr.startswith(f"! {cache}/{gch}\n")

    program = (LANG_DIR / "cpp" / "pass.cpp").read_text()
    assert program.startswith(PREFIX)
    newer = tmp_path / "newer.h"
    newer.write_text("")
    assert uses_pch(program, deps)
    assert not uses_pch(program, deps + f"{newer}\n")  # a header changed after the build
    assert not uses_pch(program, deps + f"{tmp_path}/gone.h\n")  # a header went away
    assert not uses_pch(program, None)  # no deps list: not a finished cache
    assert not uses_pch("\n" + program, deps)  # not the exact prefix
    # the first line is the prefix's (the shell's own first-line check lets
    # it through), the second is not: cmp decides
    assert not uses_pch(program.replace("#include<bits/stdc++.h>", "#include <bits/stdc++.h>", 1), deps)
    cp, cp_gch = CPP_EXTRA["cp-pass"], "pch-cp/bits/stdc++.h.gch"
    assert uses_pch(cp, deps, cp_gch)
    assert not uses_pch(cp, deps + f"{newer}\n", cp_gch)
    assert not uses_pch(cp.replace(" <", "<", 1), deps, cp_gch)  # not the exact line
    (cache / "pch-cp" / "bits" / "stdc++.h.gch").unlink()
    assert not uses_pch(cp, deps, cp_gch)  # an older cache, without this header
