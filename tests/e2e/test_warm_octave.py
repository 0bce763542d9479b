"""Warm Octave changes no result (docs/languages.md, "Octave").

Two servers run the same Octave (MATLAB) programs: one as started by
default, whose Octave runs fork from a warm zygote (octave-cli itself,
started up to where it opens its script, with codeexec-octzygote.so
preloaded) once it is ready, and one with --no-warm-octave, where every run
is a fresh `octave-cli -q -f -W -H /tmp/codeexec_main.m`. For the corpus in
tests/e2e/languages/matlab/ and the programs below, which probe what a
fresh Octave has (command line, environment as Octave and /proc show it,
user and home, working directory and load path, a function file the
program writes, stdin, signals its watcher thread handles, subprocesses,
errors and warnings, exit statuses, output, seeded random generators), the
verdict, exit code, stdout and stderr must be the same byte for byte, and
every run on the first server must have come from the warm zygote. Then
what one warm run does must not be seen by the next (files, variables,
functions, global settings), unseeded random draws must differ from run to
run, and a run that is killed must not take the zygote with it.

Budget: about 15 s on a 2-core machine.
"""

from __future__ import annotations

import pytest

from warm_compare import WarmLanguage

# The recipe appends `test();` to every program (languages/matlab.json):
# each probe ends with an empty test function.
END = "\nfunction test()\nend\n"

OCTAVE = WarmLanguage("matlab", "Octave", "codeexec-octzygote.so", "m",
                      "disp(1)" + END, "1\n", runtime="octave")


def probe(body: str) -> str:
    return body + END


EXTRA = {
    "command-line": probe("disp(program_name()); disp(program_invocation_name()); disp(argv());\n"
                          "disp(mfilename()); disp(mfilename('fullpath')); disp(pwd());\n"
                          "disp(nargin('test')); disp(OCTAVE_HOME()); disp(version());"),
    "proc-self": probe("for f = {'environ', 'cmdline', 'comm'}\n"
                       "  disp(strrep(fileread(['/proc/self/' f{1}]), char(0), '|'));\nend\n"
                       "disp(readlink('/proc/self/exe'));"),
    "environment": probe("for v = {'HOME', 'USER', 'PATH', 'LD_PRELOAD', 'TMPDIR', 'LANG', 'TZ',"
                         " 'OCTAVE_HOME', 'PWD'}\n  printf('%s=[%s]\\n', v{1}, getenv(v{1}));\nend"),
    "user-and-home": probe("disp(tilde_expand('~')); disp(get_home_directory());\n"
                           "pw = getpwuid(getuid()); disp(pw.name); disp(pw.dir);\n"
                           "disp([getuid(), geteuid(), getgid(), getegid(), getppid()]);\n"
                           "disp(getpid() > 1); disp(umask(18));"),
    "directory-and-path": probe("d = dir('.'); disp({d.name}); disp(exist('codeexec_main'));\n"
                                "p = strsplit(path(), pathsep()); disp(numel(p)); disp(p{1});\n"
                                "disp(which('strsplit')); disp(exist('strsplit'));\n"
                                "disp(exist('no_such_function_here')); disp(tempdir()); "
                                "disp(P_tmpdir());"),
    "function-file": probe("fid = fopen('/tmp/myfun.m', 'w');\n"
                           "fprintf(fid, 'function y = myfun(x)\\n  y = 2 * x;\\nend\\n');\n"
                           "fclose(fid);\ndisp(myfun(3)); disp(exist('myfun')); "
                           "disp(which('myfun'));"),
    "stdin": probe("disp(fgetl(stdin)); disp(fgetl(stdin)); disp(fgetl(stdin)); "
                   "disp(feof(stdin));"),
    "signal-term": probe("disp(1); fflush(stdout); kill(getpid(), 15); pause(0.5); disp(2)"),
    "signal-int": probe("disp(1); fflush(stdout); kill(getpid(), 2); pause(0.5); disp(2)"),
    "signal-hup": probe("disp(1); fflush(stdout); kill(getpid(), 1); pause(0.5); disp(2)"),
    "signal-usr1": probe("disp(1); fflush(stdout); kill(getpid(), 10); pause(0.5); disp(2)"),
    "subprocess": probe("[s, o] = system('echo hi; echo [$LD_PRELOAD]; "
                        "cat /proc/self/environ | tr \"\\\\0\" \"\\\\n\" | sort');\n"
                        "disp(s); disp(o); [s, o] = system('exit 3'); disp(s);"),
    "errors": probe("try\n  no_such_function(1);\ncatch e\n  disp(e.message); disp(e.identifier);"
                    "\nend\nwarning('my:id', 'careful %d', 3);\nx = [1 2 3];\ntry\n  x(5)\n"
                    "catch e\n  disp(e.message);\nend\nerror('Mine:bad', 'stop here %s', 'now');"),
    "called-from": "function r = f(x)\n  r = g(x);\nend\nfunction r = g(x)\n  r = x(10);\nend\n"
                   "function test()\n  f([1 2 3]);\nend\n",
    "exit-status": probe("disp('before'); exit(4);"),
    "output": probe("for i = 1:20000\n  printf('%d\\n', i);\nend\nfprintf(stderr, 'err\\n');"),
    "display": probe("format long\npi\nformat short\npi\nx = [1.5 2; 3 4]\n"
                     "s.a = 1; s.b = 'x'; s\nc = {1, 'two', [3 4]}\ndisp(num2str(pi, 10));\n"
                     "disp(sprintf('%g', 0.1 + 0.2)); int8(200)\nb = true\ne = []"),
    "seeded-random": probe("rand('seed', 7); disp(rand());\nrand('state', 3); disp(rand(1, 3));\n"
                           "randn('state', 5); disp(randn());\nrandi('state', 9); "
                           "disp(randi(100, 1, 4));\nrande('state', 2); disp(rande());"),
    "recursion-limit": probe("function r = down(n)\n  r = down(n + 1);\nend\ndown(0);"),
    "no-newline-at-end": "function test()\n  disp('x')\nend",
}

# Programs whose output differs from run to run by design.
RANDOM = probe("printf('%.15f %.15f %d %.15f\\n', rand(), randn(), randi(1e9), rande());")

CASES = OCTAVE.cases(EXTRA)
run = OCTAVE.run


@pytest.fixture(scope="module")
def servers():
    yield from OCTAVE.servers("it is built when /usr/bin/octave-cli is installed")


@pytest.fixture(scope="module")
def results(servers):
    return OCTAVE.results(servers, CASES)


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_same_result_warm_and_cold(results, name):
    OCTAVE.assert_same(*results[name])


def test_corpus_verdicts(results):
    OCTAVE.assert_corpus_verdicts(results)


def test_probes_ran(results):
    """The probes did what they probe (a comparison of two empty outputs
    would pass too)."""
    warm = {name: results[name][0] for name in EXTRA}
    assert warm["command-line"]["stdout"].startswith(
        "codeexec_main.m\n/tmp/codeexec_main.m\n"), warm["command-line"]
    assert "/tmp/codeexec_main\n/tmp\n" in warm["command-line"]["stdout"]
    proc = warm["proc-self"]["stdout"]
    assert "PATH=/usr/local/bin:/usr/bin:/bin|" in proc and "LD_PRELOAD" not in proc
    assert "/usr/bin/octave-cli|-q|-f|-W|-H|/tmp/codeexec_main.m|" in proc
    assert "LD_PRELOAD=[]\n" in warm["environment"]["stdout"]
    assert warm["user-and-home"]["stdout"].startswith("/tmp\n/tmp\n")
    assert "codeexec_main.m" in warm["directory-and-path"]["stdout"]
    assert warm["function-file"]["stdout"] == "6\n2\n/tmp/myfun.m\n"
    assert warm["stdin"]["stdout"] == "line1\nrest\n-1\n1\n"
    assert "caught signal Terminated" in warm["signal-term"]["stderr"]
    assert warm["signal-term"]["stdout"] == "1\n"
    assert warm["subprocess"]["stdout"].startswith("0\nhi\n[]\nHOME=/tmp\n")
    assert warm["subprocess"]["stdout"].endswith("\n3\n")
    assert "error: stop here now" in warm["errors"]["stderr"]
    assert "warning: careful 3" in warm["errors"]["stderr"]
    assert "called from" in warm["called-from"]["stderr"]
    assert warm["exit-status"]["exit_code"] == 4 and warm["exit-status"]["stdout"] == "before\n"
    assert warm["output"]["stdout"].endswith("\n20000\n") and warm["output"]["stderr"] == "err\n"
    assert "max_recursion_depth" in warm["recursion-limit"]["stderr"]
    assert warm["no-newline-at-end"]["stdout"] == "x\n"


def test_runs_do_not_see_each_other(servers):
    warm, _ = servers
    leave = probe("fid = fopen('/tmp/left', 'w'); fclose(fid); setenv('CODEEXEC_LEFT', '1');\n"
                  "global G; G = 5; format long; warning('off', 'all'); more on;\n"
                  "fid = fopen('/tmp/leftfn.m', 'w'); fprintf(fid, 'function leftfn()\\nend\\n');"
                  " fclose(fid); leftfn();\nrand('seed', 7); disp(rand());")
    look = probe("global G; disp(isempty(G)); disp(exist('/tmp/left', 'file'));\n"
                 "disp(getenv('CODEEXEC_LEFT')); disp(exist('leftfn')); disp(pi);\n"
                 "disp(rand());")
    seeded = run(warm, leave)["stdout"]
    for _ in range(4):
        r = run(warm, look)
        assert r["zygote"] == "octave", r
        lines = r["stdout"].splitlines()
        assert lines[:4] == ["1", "0", "", "0"], r
        assert lines[4] == "3.1416", r
        assert lines[5] != seeded.strip(), r
    draws = {run(warm, RANDOM)["stdout"] for _ in range(4)}
    assert len(draws) == 4, f"warm runs drew the same random numbers: {draws}"


def test_killed_run_leaves_the_zygote(servers):
    warm, _ = servers
    crash = probe("disp('before'); fflush(stdout); kill(getpid(), 9);")
    OCTAVE.assert_crash_leaves_zygote(
        warm, crash, lambda r: r["stdout"] == "before\n" and r["signal"] == 9)
