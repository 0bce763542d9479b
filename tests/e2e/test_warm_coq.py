"""Warm Coq changes no result (docs/languages.md, "Coq").

Two servers run the same Coq programs: one as started by default, whose Coq
runs that begin with MultiPL-E's four lines (`Require Import ZArith.`,
`Reals.`, `Coq.Strings.String.`, `Open Scope string_scope.`) fork from a
warm zygote (coqc itself, run up to the end of those lines, with
codeexec-coqzygote.so preloaded) once it is ready, and one with
--no-warm-coq, where every run is a fresh `coqc -noglob /tmp/main.v`. For
the corpus in tests/e2e/languages/v/ and the programs below, which probe
what a fresh coqc has loaded and how it reports (libraries, scopes,
notations, options, messages with their line and character positions,
errors of every kind, programs that go on requiring, files written), the
verdict, exit code, stdout and stderr must be the same byte for byte, and
every run of such a program on the first server must have come from the
warm zygote. A program that does not begin with those lines runs cold on
both. Then what one warm run does must not be seen by the next, and a run
that ends badly must not take the zygote with it.

Budget: about 40 s on a 2-core machine (the zygotes load the libraries,
one run waits out a 3 s limit).
"""

from __future__ import annotations

import pytest

from hostile import metric, v1_run
from warm_compare import WarmLanguage

PREFIX = ("Require Import ZArith.\nRequire Import Reals.\nRequire Import Coq.Strings.String.\n"
          "Open Scope string_scope.\n")

COQ = WarmLanguage("v", "Coq", "codeexec-coqzygote.so", "v", PREFIX + "Compute 1 + 1.\n",
                   "     = 2\n     : nat\n", runtime="coq")

EXTRA = {
    "loaded-libraries": PREFIX + "Print Libraries.\nPrint LoadPath Coq.Strings.\n",
    "scopes-and-notations": PREFIX + "Print Scopes.\nLocate \"+\".\nCheck \"abc\".\n"
    "Check (1 + 2)%Z.\nCheck (1 + 2)%R.\n",
    "options": PREFIX + "Print Options.\nTest Printing Width.\n",
    "search": PREFIX + "Search (Z.add _ 0 = _).\nAbout Z.add_comm.\n",
    "compute": PREFIX + "Compute (Z.pow 2 100).\nCompute String.length \"héllo\".\n"
    "Eval vm_compute in (Z.of_nat 42 * 3)%Z.\n",
    "definition-printed": PREFIX + "Definition f (n : Z) : Z := (n * 2 + 1)%Z.\nPrint f.\n"
    "Example e : f 3 = 7%Z. Proof. reflexivity. Qed.\nPrint e.\n",
    "type-error-position": PREFIX + "\nDefinition g : nat := \"not a nat\".\n",
    "syntax-error-first-line": PREFIX + "Definition := .\n",
    "syntax-error-later": PREFIX + "Definition a := 1.\n\n\n   Lemma l : a = 1. Proof. reflexivity Qed.\n",
    "unable-to-unify": PREFIX + "Example t : (2 + 2 = 5)%Z. Proof. reflexivity. Qed.\n",
    "admitted-and-warnings": PREFIX + "Lemma x : False. Admitted.\nPrint Assumptions x.\n"
    "Set Warnings \"+deprecated\".\nCheck Z.add.\n",
    "fail-command": PREFIX + "Fail Check (1 + \"a\").\nFail Example t : 1 = 1. Proof. reflexivity. Qed.\n",
    "more-requires": PREFIX + "Require Import List.\nImport ListNotations.\nCompute (rev [1;2;3]).\n"
    "Require Import Coq.Lists.List Coq.Arith.PeanoNat.\nCheck Nat.ltb.\n",
    "require-missing": PREFIX + "Require Import NoSuchLibrary.\n",
    "redirect-file": PREFIX + "Redirect \"/tmp/out\" Compute 6 * 7.\nCompute 6 * 8.\n",
    "optimize-heap": PREFIX + "Optimize Heap.\nCompute 3 * 3.\n",
    "unicode-and-crlf": PREFIX + "Definition café := 1.\r\nCompute café.\r\n",
    "prefix-only": PREFIX,
    "no-newline-at-end": PREFIX + "Compute 5.",
    "goals-left": PREFIX + "Lemma open_goal : forall n : nat, n = n.\nProof.\nintros n.\n",
    "stack-heavy": PREFIX + "Fixpoint down (n : nat) : nat := match n with 0 => 0 | S m => down m end.\n"
    "Compute down 5000.\n",
}

# Programs that do not start with the four lines: cold on both servers.
COLD = {
    "no-prefix": "Definition hello := 1.\nExample e : hello = 1. Proof. reflexivity. Qed.\n",
    "prefix-in-other-order": "Require Import Reals.\nRequire Import ZArith.\n"
    "Require Import Coq.Strings.String.\nOpen Scope string_scope.\nCompute 1.\n",
    "prefix-with-crlf": PREFIX.replace("\n", "\r\n") + "Compute 1.\r\n",
    "prefix-cut-short": PREFIX[:-2],
}

CASES = COQ.cases(EXTRA)
run = COQ.run


@pytest.fixture(scope="module")
def servers():
    yield from COQ.servers("it is built when /usr/bin/coqc is installed")


@pytest.fixture(scope="module")
def results(servers):
    return COQ.results(servers, CASES)


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_same_result_warm_and_cold(results, name):
    COQ.assert_same(*results[name])


def test_corpus_verdicts(results):
    COQ.assert_corpus_verdicts(results)


def test_probes_ran(results):
    """The probes did what they probe (a comparison of two empty outputs
    would pass too)."""
    warm = {name: results[name][0] for name in EXTRA}
    libraries = warm["loaded-libraries"]["stdout"]
    assert "Coq.ZArith.ZArith" in libraries and "Coq.Reals.Reals" in libraries
    assert "Coq.Strings.String" in libraries
    assert "string_scope" in warm["scopes-and-notations"]["stdout"]
    assert "= 1267650600228229401496703205376%Z" in warm["compute"]["stdout"]
    assert "f = fun n : Z => (n * 2 + 1)%Z" in warm["definition-printed"]["stdout"]
    for name, line in (("type-error-position", 6), ("syntax-error-first-line", 5),
                       ("syntax-error-later", 8)):
        r = warm[name]
        assert r["verdict"] == "SyntaxError", r
        assert f'File "/tmp/main.v", line {line}, characters' in r["stderr"], r
    assert warm["unable-to-unify"]["verdict"] == "AssertionError"
    assert warm["fail-command"]["stderr"].startswith('File "/tmp/main.v", line 6, characters 0-')
    assert "Error: The command has not failed!" in warm["fail-command"]["stderr"]
    assert "= [3; 2; 1]" in warm["more-requires"]["stdout"]
    assert warm["require-missing"]["verdict"] == "SyntaxError"
    assert warm["redirect-file"]["stdout"] == "     = 48\n     : nat\n"  # 42 went to the file
    assert warm["unicode-and-crlf"]["stdout"] == "     = 1\n     : nat\n"
    assert warm["prefix-only"]["verdict"] == "OK" and warm["prefix-only"]["stdout"] == ""
    assert warm["no-newline-at-end"]["stdout"] == "     = 5\n     : nat\n"
    assert warm["goals-left"]["verdict"] == "SyntaxError"
    assert warm["stack-heavy"]["stdout"] == "     = 0\n     : nat\n"


@pytest.mark.parametrize("name", sorted(COLD))
def test_other_programs_run_cold(servers, name):
    warm, cold = servers
    a, b = run(warm, COLD[name]), run(cold, COLD[name])
    assert a.get("zygote") is None and b.get("zygote") is None, (a, b)
    for key in ("verdict", "exit_code", "stdout", "stderr"):
        assert a[key] == b[key], (key, a, b)


def test_runs_do_not_see_each_other(servers):
    warm, _ = servers
    """What a run defines, requires or changes is gone for the next one: each
    is a copy of the zygote, which never runs a program's line."""
    leave = PREFIX + ("Definition left_behind := 7.\nRequire Import Coq.MSets.MSetAVL.\n"
                      "Close Scope string_scope.\nSet Printing All.\n")
    look = PREFIX + "Check left_behind.\n"
    assert run(warm, leave)["zygote"] == "coq"
    for _ in range(3):
        r = run(warm, look)
        assert r["zygote"] == "coq" and r["verdict"] == "SyntaxError", r
        assert "The reference left_behind was not found" in r["stderr"], r
        r = run(warm, PREFIX + "Print Libraries.\nCheck \"s\".\nCheck (1 + 1).\n")
        assert r["zygote"] == "coq" and "MSetAVL" not in r["stdout"], r
        assert '"s"\n     : string\n' in r["stdout"] and "1 + 1\n     : nat" in r["stdout"], r


def test_timeout_leaves_the_zygote(servers):
    warm, _ = servers
    # (the corpus's time-out: a loop that allocates nothing that stays)
    spin = PREFIX + "Definition spin := Z.iter (2 ^ 60)%Z (fun x => x) 0%Z.\n" \
        "Example t : spin = 0%Z. Proof. vm_compute. reflexivity. Qed.\n"
    before = metric(warm, "codeexec_warm_coq_restarts_total")
    r = v1_run(warm, spin, language="v", timeout=3)  # (run() would allow it 30 s)
    assert r["zygote"] == "coq" and r["verdict"] == "Timeout", r
    r = run(warm, COQ.hello)
    assert r["zygote"] == "coq" and r["stdout"] == COQ.hello_out, r
    assert metric(warm, "codeexec_warm_coq_restarts_total") == before
