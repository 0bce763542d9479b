"""The Piston v2 dialect (docs/compat.md "Piston"): POST /api/v2/execute and
GET /api/v2/runtimes, checked against the conformance cases of Piston 3.1.1
(engineer-man/piston: api/src/api/v2.js, api/src/job.js), and the npm
piston-client, unmodified, against the real server."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from hostile import assert_healthy, assert_no_box_processes

REPO_ROOT = Path(__file__).resolve().parents[2]
CLIENT_DIR = REPO_ROOT / "tests" / "clients" / "piston"
STAGE_KEYS = ["stdout", "stderr", "code", "signal", "output", "memory", "message", "status",
              "cpu_time", "wall_time"]


def execute(server, body, **kw):
    r = requests.post(server + "/api/v2/execute", json=body, timeout=120, **kw)
    return r.status_code, r.json()


def py(server, code, **fields):
    status, j = execute(server, {"language": "python", "version": "*",
                                 "files": [{"content": code}], **fields})
    assert status == 200, j
    return j


def essential(stage):
    """A stage without the fields that vary from run to run."""
    assert list(stage) == STAGE_KEYS, stage
    for k in ("memory", "cpu_time", "wall_time"):
        assert isinstance(stage[k], int) and stage[k] >= 0, stage
    return {k: v for k, v in stage.items() if k not in ("memory", "cpu_time", "wall_time")}


def ok_stage(stdout, stderr="", output=None):
    return {"stdout": stdout, "stderr": stderr, "code": 0, "signal": None,
            "output": stdout + stderr if output is None else output,
            "message": None, "status": None}


def runtime(server, name):
    rts = requests.get(server + "/api/v2/runtimes", timeout=30).json()
    return next(r for r in rts if r["language"] == name)


# ---- runtimes ---------------------------------------------------------------

def test_runtimes_lists_installed_languages_under_pistons_names(server):
    r = requests.get(server + "/api/v2/runtimes", timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    rts = r.json()
    assert isinstance(rts, list) and rts
    for rt in rts:
        assert set(rt) <= {"language", "version", "aliases", "runtime"}, rt
        assert isinstance(rt["language"], str) and isinstance(rt["aliases"], list)
        assert re.fullmatch(r"\d+\.\d+\.\d+", rt["version"]), rt
    names = {rt["language"]: rt for rt in rts}
    assert names["python"]["aliases"] == ["py", "py3", "python3"]
    assert "runtime" not in names["python"]
    assert names["c++"]["aliases"] == ["cpp", "g++"] and names["c++"]["runtime"] == "gcc"
    # our toolchain's own version, in Piston's x.y.z form
    version = subprocess.run(["/usr/bin/python3", "--version"], capture_output=True, text=True).stdout
    assert names["python"]["version"] == version.split()[1]
    # our keys that are not Piston's names are not listed
    assert "cpp" not in names and "sh" not in names and "dfy" not in names


# ---- execute: conformance ----------------------------------------------------

def test_hello_python_exact_reply(server):
    j = py(server, "print('hi')")
    assert list(j) == ["language", "version", "run"]  # no compile stage
    assert j["language"] == "python" and j["version"] == runtime(server, "python")["version"]
    assert essential(j["run"]) == ok_stage("hi\n")


def test_alias_and_versions_select_the_runtime(server):
    version = runtime(server, "python")["version"]
    major, minor, _ = version.split(".")
    for lang, sel in [("py", "*"), ("python3", version), ("py3", major),
                      ("python", f"{major}.{minor}"), ("python", f"{major}.x")]:
        status, j = execute(server, {"language": lang, "version": sel,
                                     "files": [{"content": "print(1)"}]})
        assert status == 200 and j["language"] == "python", (lang, sel, j)
        assert j["version"] == version
    status, j = execute(server, {"language": "python", "version": "1.0.0",
                                 "files": [{"content": "print(1)"}]})
    assert (status, j) == (400, {"message": "python-1.0.0 runtime is unknown"})


def test_stdin_gets_a_trailing_newline(server):
    code = "import sys; print(repr(sys.stdin.read()))"
    assert py(server, code, stdin="abc")["run"]["stdout"] == "'abc\\n'\n"
    assert py(server, code, stdin="")["run"]["stdout"] == "'\\n'\n"
    assert py(server, code)["run"]["stdout"] == "'\\n'\n"
    assert py(server, code, stdin="a\nb\n")["run"]["stdout"] == "'a\\nb\\n'\n"


def test_args(server):
    j = py(server, "import sys; print(sys.argv[1:])", args=["x", "y z"])
    assert j["run"]["stdout"] == "['x', 'y z']\n"


def test_nonzero_exit_is_re(server):
    run = essential(py(server, "import sys; sys.exit(3)")["run"])
    assert run == {"stdout": "", "stderr": "", "code": 3, "signal": None, "output": "",
                   "message": "Exited with error status 3", "status": "RE"}


def test_signal_is_sg(server):
    run = essential(py(server, "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")["run"])
    assert run == {"stdout": "", "stderr": "", "code": None, "signal": "SIGSEGV", "output": "",
                   "message": "Caught fatal signal 11", "status": "SG"}


def test_wall_timeout_is_to(server):
    run = py(server, "print('started', flush=True)\nwhile True: pass", run_timeout=1000)["run"]
    assert essential(run) == {"stdout": "started\n", "stderr": "", "code": None,
                              "signal": "SIGKILL", "output": "started\n",
                              "message": "Time limit exceeded (wall clock)", "status": "TO"}
    assert run["wall_time"] >= 1000


def test_cpu_time_limit_is_to(server):
    run = py(server, "while True: pass", run_cpu_time=1000, run_timeout=30000)["run"]
    assert (run["status"], run["signal"], run["code"]) == ("TO", "SIGKILL", None)
    assert run["message"] == "Time limit exceeded"


# The program waits until the server has read what it wrote (the pipe is
# empty again) before it writes to the other stream: the order of arrival is
# then the order of writing, whatever the machine's speed.
INTERLEAVE_HEAD = """
import fcntl, struct, sys, termios, time
def drained(fd):
    while struct.unpack('i', fcntl.ioctl(fd, termios.FIONREAD, b'\\0' * 4))[0]:
        time.sleep(0.005)
"""
INTERLEAVE = INTERLEAVE_HEAD + """
print('a', flush=True); drained(1)
print('b', file=sys.stderr, flush=True); drained(2)
print('c', flush=True); drained(1)
print('d', file=sys.stderr, flush=True)
"""


def test_output_interleaves_in_arrival_order(server):
    run = essential(py(server, INTERLEAVE)["run"])
    assert run == ok_stage("a\nc\n", "b\nd\n", output="a\nb\nc\nd\n")


def test_compiled_language_has_a_compile_stage(server):
    status, j = execute(server, {"language": "c++", "version": "*", "files": [{
        "name": "main.cpp",
        "content": "#include <iostream>\nint main() { std::cout << \"Hello, world!\" << std::endl; }"}]})
    assert status == 200 and list(j) == ["language", "version", "run", "compile"], j
    assert j["language"] == "c++"
    assert essential(j["compile"]) == ok_stage("")
    assert essential(j["run"]) == ok_stage("Hello, world!\n")


def test_compile_error_is_reported_as_run_too(server):
    status, j = execute(server, {"language": "cpp", "version": "*",
                                 "files": [{"content": "int main( {"}]})
    assert status == 200
    assert j["compile"]["code"] == 1 and j["compile"]["status"] == "RE"
    assert "error" in j["compile"]["stderr"] and j["compile"]["output"] == j["compile"]["stderr"]
    assert j["run"] == j["compile"]


def test_java_runs_any_class_name_without_a_compile_stage(server):
    # Piston's java: the source-file launcher (languages/internal/piston-java.json).
    # Its compiling happens in the run stage, hence a roomy run_timeout.
    status, j = execute(server, {
        "language": "java", "version": "*", "stdin": "hey", "args": ["1", "2"], "run_timeout": 60000,
        "files": [{"content": "public class Main {\n  public static void main(String[] a) {\n"
                              "    System.out.println(new java.util.Scanner(System.in).nextLine()"
                              " + a.length);\n  }\n}\nclass Other {}\n"}]})
    if status == 400 and "unknown" in j.get("message", ""):
        pytest.skip("java is not installed: " + j["message"])
    assert status == 200 and list(j) == ["language", "version", "run"], j
    assert essential(j["run"]) == ok_stage("hey2\n")


def test_go_runs_a_program(server):
    # Piston's go runs package main (languages/internal/piston-go.json), where
    # our go recipe runs go test.
    body = {"language": "golang", "version": "*", "stdin": "in", "compile_timeout": 60000,
            "files": [{"content": "package main\nimport \"fmt\"\n"
                                  "func main() { var s string; fmt.Scan(&s); fmt.Println(\"go\", s) }"}]}
    status, j = execute(server, body)
    if status == 400 and "unknown" in j.get("message", ""):
        pytest.skip("go is not installed: " + j["message"])
    assert status == 200 and j["language"] == "go", j
    assert essential(j["compile"]) == ok_stage("")
    assert essential(j["run"]) == ok_stage("go in\n")
    status, j = execute(server, {**body, "files": [{"content": "package main\nfunc main() { x }"}]})
    assert j["compile"]["status"] == "RE" and "undefined: x" in j["compile"]["stderr"]
    assert j["run"] == j["compile"]
    # a name the box uses for Go's build cache is refused, not a broken box
    status, j = execute(server, {**body, "files": body["files"] + [{"name": ".cache", "content": ""}]})
    assert (status, j) == (400, {"message": "files[1].name must be a plain file name"})


def test_octave_runs_the_program_as_a_script(server):
    # Piston's octave (aliases matlab, m): the file as it is
    # (languages/internal/piston-octave.json), where our matlab recipe calls test().
    status, j = execute(server, {"language": "matlab", "version": "*", "stdin": "21",
                                 "run_timeout": 60000, "files": [{
                                     "content": "x = input('');\ndisp(x * 2)\nprintf('%d\\n', sum(1:10))"}]})
    if status == 400 and "unknown" in j.get("message", ""):
        pytest.skip("octave is not installed: " + j["message"])
    assert status == 200 and j["language"] == "octave" and list(j) == ["language", "version", "run"]
    assert essential(j["run"]) == ok_stage("42\n55\n")


def test_scala_runs_any_entry_object_or_a_script(server):
    # Piston's scala finds the entry point whatever its name
    # (languages/internal/piston-scala.json: scalac's script mode).
    programs = [
        ("object Hello {\n  def main(args: Array[String]): Unit =\n"
         "    println(\"hi \" + scala.io.StdIn.readLine() + args.length)\n}", "hi x1\n"),
        ("object Hello extends App { println(\"app \" + args.length) }", "app 1\n"),
        ("println(\"top \" + (1 + 1))", "top 2\n"),
    ]
    for code, out in programs:
        status, j = execute(server, {"language": "scala", "version": "*", "stdin": "x", "args": ["a"],
                                     "compile_timeout": 120000, "run_timeout": 60000,
                                     "files": [{"content": code}]})
        if status == 400 and "unknown" in j.get("message", ""):
            pytest.skip("scala is not installed: " + j["message"])
        assert status == 200 and j["compile"]["code"] == 0, j
        assert essential(j["run"]) == ok_stage(out), code


def test_stdout_over_the_cap_is_ol(server):
    # The chunk that would pass 1024 bytes is dropped whole; what came before stays.
    code = INTERLEAVE_HEAD + "print('k' * 10, flush=True); drained(1)\n" \
        "sys.stdout.write('x' * 5000); sys.stdout.flush()\nprint('never')"
    run = essential(py(server, code)["run"])
    assert run == {"stdout": "k" * 10 + "\n", "stderr": "", "code": None, "signal": "SIGKILL",
                   "output": "k" * 10 + "\n", "message": "stdout length exceeded", "status": "OL"}


def test_stderr_over_the_cap_is_el(server):
    run = essential(py(server, "import sys, time\nsys.stderr.write('e' * 3000); sys.stderr.flush()\ntime.sleep(60)")["run"])
    assert run == {"stdout": "", "stderr": "", "code": None, "signal": "SIGKILL", "output": "",
                   "message": "stderr length exceeded", "status": "EL"}


def test_output_cap_is_the_servers_option(server_factory):
    s = server_factory("--piston-output-max", "65536")
    run = essential(py(s.url, "print('x' * 5000)")["run"])
    assert run == ok_stage("x" * 5000 + "\n")
    run = essential(py(s.url, "import sys\nsys.stdout.write('y' * 70000)")["run"])
    # the pipe delivers it in chunks: those that fit whole are kept
    assert run["status"] == "OL" and run["stdout"] == "y" * len(run["stdout"])
    assert len(run["stdout"]) <= 65536


def test_text_is_repaired_and_escaped(server):
    run = essential(py(server, "import sys\nsys.stdout.buffer.write(b'\\xff\"\\\\\\n\\t\\xc3\\xa9\\x00')")["run"])
    assert run == ok_stage("\ufffd\"\\\n\t\u00e9\u0000")


def test_files_names_encodings_and_the_program(server):
    status, j = execute(server, {"language": "python", "version": "*", "files": [
        {"content": "", "encoding": "base64"},  # not utf8: not the program
        {"name": "prog.py", "content": "import helper\nprint(helper.X, open('d.bin','rb').read(),"
                                       " open('h.bin','rb').read(), open('file0.code').read())"},
        {"name": "helper.py", "content": "X = 42\n"},
        {"name": "d.bin", "content": base64.b64encode(b"\x00\xff").decode(), "encoding": "base64"},
        {"name": "h.bin", "content": "00ff41zz", "encoding": "hex"}]})
    assert status == 200, j
    assert j["run"]["stdout"] == "42 b'\\x00\\xff' b'\\x00\\xffA' \n"


def test_memory_limit_applies(server):
    j = py(server, "x = bytearray(400 * 2**20)\nprint('allocated')", run_memory_limit=100_000_000)
    assert j["run"]["stdout"] == "" and j["run"]["status"] in ("RE", "SG"), j
    # a limit too small for any box is raised to the least one starts with:
    # the program, not the sandbox, is what fails
    j = py(server, "print('hi')", run_memory_limit=1000)
    assert j["run"]["status"] in (None, "SG"), j
    # -1 (what clients send for "no limit") is the server's default
    j = py(server, "x = bytearray(50 * 2**20)\nprint('allocated')", run_memory_limit=-1,
           compile_memory_limit=-1)
    assert j["run"]["stdout"] == "allocated\n"


# ---- hostile programs through this dialect ---------------------------------------

def test_hostile_programs_are_contained(server_factory):
    """What the dialect adds to a run (a killed box at the output cap, its own
    limits) contains what the native API's hostile suite checks."""
    base = int(os.environ.get("CODEEXEC_UID_BASE") or 200000) + 200
    s = server_factory("--uid-base", str(base))
    # a flood is stopped at the cap, at once, not at the time limit
    run = py(s.url, "while True: print('x' * 100, flush=True)", run_timeout=120000)["run"]
    assert (run["status"], run["signal"], run["code"]) == ("OL", "SIGKILL", None)
    assert len(run["stdout"]) <= 1024 and run["wall_time"] < 60000
    # a fork bomb ends at its time limit, and takes nothing with it
    run = py(s.url, "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n"
                    "        pass", run_timeout=2000)["run"]
    assert run["status"] == "TO"
    # a child left behind is killed with the box
    run = py(s.url, "import os, time\nif os.fork() == 0:\n    time.sleep(600)\nelse:\n"
                    "    print('parent done')")["run"]
    assert essential(run) == ok_stage("parent done\n")
    # a program cannot read what the host hides, nor reach the network
    run = py(s.url, "import socket\nprint(repr(open('/etc/shadow').read()))\n"
                    "socket.create_connection(('127.0.0.1', %d), timeout=2)" % s.port)["run"]
    assert run["stdout"] == "''\n" and run["status"] == "RE" and "Error" in run["stderr"]
    assert_no_box_processes(base, base + 100, settle=10, url=s.url)
    assert_healthy(s.url, within=5)


# ---- bad input -----------------------------------------------------------------

BASE = {"language": "python", "version": "*", "files": [{"content": "print(1)"}]}


@pytest.mark.parametrize("body, message", [
    ({}, "language is required as a string"),
    ([], "language is required as a string"),
    ({"language": 3, "version": "*", "files": []}, "language is required as a string"),
    ({"language": "python"}, "version is required as a string"),
    ({"language": "python", "version": "*"}, "files is required as an array"),
    ({"language": "python", "version": "*", "files": {}}, "files is required as an array"),
    ({"language": "python", "version": "*", "files": [{"content": "x"}, {"name": "a"}]},
     "files[1].content is required as a string"),
    ({"language": "cobol", "version": "*", "files": []}, "cobol-* runtime is unknown"),
    ({"language": "dafny", "version": "*", "files": [{"content": ""}]}, "dafny-* runtime is unknown"),
    ({**BASE, "files": [{"content": "", "encoding": "hex"}]},
     "files must include at least one utf8 encoded file"),
    ({**BASE, "run_timeout": "5"}, "If specified, run_timeout must be a number"),
    ({**BASE, "compile_memory_limit": True}, "If specified, compile_memory_limit must be a number"),
    ({**BASE, "run_timeout": -5}, "run_timeout must be non-negative"),
    ({**BASE, "files": [{"name": "../x.py", "content": "1"}, {"name": "a/b", "content": ""}]},
     "files[1].name must be a plain file name"),
])
def test_bad_requests_get_pistons_400(server, body, message):
    r = requests.post(server + "/api/v2/execute", data=json.dumps(body), timeout=30,
                      headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()) == (400, {"message": message})


def test_limits_above_the_servers_maxima(server_factory):
    s = server_factory("--max-timeout", "20", "--memory-mb", "512")
    for field, value, limit in [("run_timeout", 20001, 20000), ("compile_cpu_time", 10**9, 20000),
                                ("run_memory_limit", 2**30, 512 * 2**20)]:
        status, j = execute(s.url, {**BASE, field: value})
        assert (status, j) == (400, {"message": f"{field} cannot exceed the configured limit of {limit}"})
    status, j = execute(s.url, {**BASE, "run_timeout": 20000, "run_memory_limit": 512 * 2**20})
    assert status == 200 and j["run"]["stdout"] == "1\n"


def test_malformed_json_is_400_with_a_stack(server):
    r = requests.post(server + "/api/v2/execute", data='{"language": "python",', timeout=30,
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and list(r.json()) == ["stack"]
    assert r.json()["stack"].startswith("SyntaxError")


def test_json_without_a_json_content_type_is_accepted(server):
    # npm piston-client sends no Content-Type (Piston itself answers 415)
    for ctype in ("text/plain;charset=UTF-8", None):
        headers = {"Content-Type": ctype} if ctype else {}
        r = requests.post(server + "/api/v2/execute", data=json.dumps(BASE), headers=headers,
                          timeout=60)
        assert r.status_code == 200 and r.json()["run"]["stdout"] == "1\n"


def test_unknown_routes_are_pistons_404(server):
    for method, path in [("GET", "/api/v2/nope"), ("GET", "/api/v2/execute"),
                         ("POST", "/api/v2/runtimes"), ("DELETE", "/api/v2/packages"),
                         ("PUT", "/api/v2/")]:
        r = requests.request(method, server + path, timeout=30)
        assert (r.status_code, r.json()) == (404, {"message": "Not Found"}), (method, path)
    assert requests.get(server + "/api/v2/runtimes/", timeout=30).status_code == 200


def test_huge_file_is_413_before_it_is_read(server_factory):
    s = server_factory("--max-body", str(1 << 20))
    body = {**BASE, "files": [{"content": "print(1)"},
                              {"name": "big", "content": "A" * (2 << 20), "encoding": "base64"}]}
    r = requests.post(s.url + "/api/v2/execute", json=body, timeout=60)
    assert r.status_code == 413


def test_the_auth_token_applies(server_factory):
    s = server_factory("--auth-token", "sekrit")
    assert requests.get(s.url + "/api/v2/runtimes", timeout=30).status_code == 401
    r = requests.get(s.url + "/api/v2/runtimes", timeout=30,
                     headers={"Authorization": "Bearer sekrit"})
    assert r.status_code == 200


# ---- a real client: npm piston-client ---------------------------------------------

def test_npm_piston_client(server):
    if not shutil.which("node"):
        pytest.skip("node is not installed (scripts/setup.sh languages installs it)")
    if not (CLIENT_DIR / "node_modules" / "piston-client").is_dir():
        pytest.skip("piston-client is not installed: run scripts/setup-test-clients.sh "
                    "(make test's set-up does)")
    p = subprocess.run(["node", "run.mjs", server], cwd=CLIENT_DIR, capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert "python" in out["runtimes"] and "c++" in out["runtimes"]
    version = runtime(server, "python")["version"]
    assert out["hello"]["language"] == "python" and out["hello"]["version"] == version
    assert essential(out["hello"]["run"]) == ok_stage("Hello, World!\n")
    assert out["stdin"]["run"]["stdout"] == "HEY\n ['a', 'b']\n"
    assert essential(out["cpp"]["run"]) == ok_stage("42\n")
    assert out["cpp"]["compile"]["code"] == 0
    assert out["files"]["run"]["stdout"] == "4\n"
    # the client finds versions by exact name only, so an alias reaches the
    # server without one, and Piston's answer comes back
    assert out["alias"] == {"message": "version is required as a string"}
