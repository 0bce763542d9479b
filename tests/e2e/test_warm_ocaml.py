"""Warm OCaml changes no result (docs/languages.md, "OCaml").

Two servers run the same OCaml programs: one as started by default, whose
OCaml runs fork from a warm zygote (the toplevel started up to where it
opens its script) once it is ready, and one with --no-warm-ocaml, where
every run is a fresh `ocaml /tmp/main.ml`. For the corpus in
tests/e2e/languages/ocaml/ and the programs below, which probe what a fresh
toplevel has (command line, executable name, directory and its listing,
environment, stdin, directives, loading a library with C stubs, errors of
every phase, warnings, uncaught exceptions, exit statuses, at_exit, output
left in buffers), the verdict, exit code, stdout and stderr must be the
same byte for byte, and every run on the first server must have come from
the warm zygote. Then what one warm run does must not be seen by the next
(files, environment, definitions, random state), and a run that crashes
must not take the zygote with it.

Budget: about 15 s on a 2-core machine.
"""

from __future__ import annotations

import pytest

from warm_compare import WarmLanguage

OCAML = WarmLanguage("ocaml", "OCaml", "codeexec-mlzygote", "ml",
                     "print_endline \"1\";;\n", "1\n")

EXTRA = {
    "command-line": "Array.iter print_endline Sys.argv;;\nprint_endline Sys.executable_name;;\n"
    "print_endline (Sys.getcwd ());;\nArray.iter print_endline (Sys.readdir \".\");;\n"
    "print_endline Sys.ocaml_version;;\nPrintf.printf \"%b %b\\n\" !Sys.interactive "
    "(Sys.file_exists \"/tmp/main.ml\");;\n",
    "environment": "List.iter (fun v -> print_endline (try v ^ \"=\" ^ Sys.getenv v with "
    "Not_found -> v ^ \" unset\")) [\"PATH\"; \"HOME\"; \"TMPDIR\"; \"LANG\"; \"LC_ALL\"; "
    "\"OCAMLRUNPARAM\"; \"CAMLRUNPARAM\"; \"OCAMLLIB\"; \"TZ\"; \"USER\"; \"PWD\"];;\n",
    "unix-library": "#load \"unix.cma\";;\nprint_endline (Unix.getcwd ());;\n"
    "Array.iter print_endline (Array.of_list (List.sort compare "
    "(Array.to_list (Array.map (fun s -> List.hd (String.split_on_char '=' s)) "
    "(Unix.environment ())))));;\nPrintf.printf \"%b\\n\" (Unix.getpid () > 0);;\n",
    "stdin": "let () = print_endline (read_line ());;\nlet () = print_endline (read_line ());;\n"
    "let () = try ignore (read_line ()) with End_of_file -> print_endline \"eof\";;\n",
    "uncaught": "let () = print_string \"a\";;\nlet f x = if x > 0 then raise Not_found;;\n"
    "f 1;;\nprint_endline \"b\";;\n",
    "type-error": "let x = 1;;\nprint_endline \"a\";;\nlet y = x + \"s\";;\nprint_endline \"b\";;\n",
    "unbound": "print_endline \"a\";;\nlet z = undefined_thing 3;;\n",
    "warnings": "let f x = let unused = 3 in x;;\nlet g = function 0 -> 1;;\n"
    "print_int (f 2);;\nprint_newline ();;\n",
    "exit-status": "print_string \"before\";;\nexit 4;;\nprint_string \"after\";;\n",
    "at-exit": "at_exit (fun () -> print_endline \"bye\");;\nprint_string \"x\";;\n",
    "stack-overflow": "let rec f n = 1 + f (n + 1);;\nlet () = try ignore (f 0) with "
    "Stack_overflow -> print_endline \"overflow\";;\nf 0;;\n",
    "directives": "#show_val List.map;;\n#directory \"/nonexistent\";;\n#warnings \"+a\";;\n"
    "let h = Hashtbl.create 3;;\nHashtbl.replace h \"k\" 1;;\nprint_int (Hashtbl.hash \"k\");;\n",
    "buffered-output": "for i = 1 to 20000 do print_int i; print_newline () done;;\n"
    "prerr_endline \"err\";;\nexit 0;;\n",
    "random-default": "Printf.printf \"%d %d\\n\" (Random.int 1000000) (Random.bits ());;\n",
    "printf-formats": "Printf.printf \"%5.2f|%-4d|%S|%C|%x|%e\\n\" 3.14159 42 \"s\\n\" 'c' 255 "
    "1e-10;;\nFormat.printf \"@[<v 2>a@,b@]@.\";;\n",
    "no-trailing-newline": "print_endline \"x\";;\nlet y = 2 in print_int y",
    "failwith": "let () = failwith \"boom\";;\n",
    "assert-false": "let () = assert false;;\n",
}

# Programs whose output differs from run to run by design.
RANDOM = "Random.self_init ();;\nPrintf.printf \"%d\\n\" (Random.bits ());;\n"


CASES = OCAML.cases(EXTRA)
run = OCAML.run


@pytest.fixture(scope="module")
def servers():
    yield from OCAML.servers("OCaml's libcamlrun_pic.a was missing")


@pytest.fixture(scope="module")
def results(servers):
    return OCAML.results(servers, CASES)


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_same_result_warm_and_cold(results, name):
    OCAML.assert_same(*results[name])


def test_corpus_verdicts(results):
    OCAML.assert_corpus_verdicts(results)


def test_probes_ran(results):
    """The probes did what they probe (a comparison of two empty outputs
    would pass too)."""
    warm = {name: results[name][0] for name in EXTRA}
    assert warm["command-line"]["stdout"].startswith("/tmp/main.ml\n/usr/bin/ocaml\n/tmp\nmain.ml\n")
    assert warm["unix-library"]["stdout"].startswith("/tmp\n")
    assert warm["stdin"]["stdout"] == "line1\nrest\neof\n"
    assert warm["exit-status"]["exit_code"] == 4
    assert warm["at-exit"]["stdout"] == "xbye\n"
    assert "Error: This expression has type string" in warm["type-error"]["stderr"]
    assert "Warning" in warm["warnings"]["stderr"]
    assert warm["buffered-output"]["stdout"].endswith("20000\n")
    assert warm["stack-overflow"]["stdout"] == "overflow\n"


def test_runs_do_not_see_each_other(servers):
    warm, _ = servers
    leave = ("let oc = open_out \"/tmp/left\" in output_string oc \"1\"; close_out oc;;\n"
             "#load \"unix.cma\";;\nUnix.putenv \"CODEEXEC_LEFT\" \"1\";;\n"
             "let leaked = 42;;\nRandom.init 7;;\nprint_int (Random.bits ());;\n")
    look = ("Printf.printf \"%b %b\\n\" (Sys.file_exists \"/tmp/left\") "
            "(Sys.getenv_opt \"CODEEXEC_LEFT\" <> None);;\nprint_int (Random.bits ());;\n"
            "print_newline ();;\nprint_int leaked;;\n")
    seeded = run(warm, leave)["stdout"]
    for _ in range(4):
        r = run(warm, look)
        assert r["zygote"] == "ocaml", r
        lines = r["stdout"].splitlines()
        assert lines[0] == "false false", r
        assert lines[1] != seeded, r
        assert "Unbound value leaked" in r["stderr"], r
    draws = {run(warm, RANDOM)["stdout"] for _ in range(4)}
    assert len(draws) == 4, f"warm runs drew the same random numbers: {draws}"


def test_crash_leaves_the_zygote(servers):
    warm, _ = servers
    crash = ("print_endline \"before\";;\n"
             "let _ = (Obj.magic 0 : string array).(0);;\nprint_endline \"after\";;\n")
    OCAML.assert_crash_leaves_zygote(
        warm, crash, lambda r: r["stdout"] == "before\n" and r["exit_code"] != 0)
