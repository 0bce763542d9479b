"""SandboxFusion's API (POST /run_code, POST /run_jupyter, GET /v1/ping):
conformance cases from the peer's own tests and docs (shared/peer-apis.md
§7.1, SandboxFusion's sandbox/tests/runners/test_python.py), the request
shapes of its real clients (verl, LazyLLM), bad input (FastAPI's 422 bodies,
contained SandboxErrors) and path traversal through files / fetch_files,
against the real server (docs/compat.md "SandboxFusion")."""

from __future__ import annotations

import base64
import json
import socket

import pytest
import requests

from conftest import start_server

HELLO = {"status": "Success", "message": "", "compile_result": None,
         "executor_pod_name": None, "files": {}}
LANGUAGES = ("'python', 'cpp', 'nodejs', 'go', 'go_test', 'java', 'php', 'csharp', 'bash', "
             "'typescript', 'sql', 'rust', 'cuda', 'lua', 'R', 'perl', 'D_ut', 'ruby', 'scala', "
             "'julia', 'pytest', 'junit', 'kotlin_script', 'jest', 'verilog', 'python_gpu', "
             "'lean', 'swift' or 'racket'")


def post(server, body, path="/run_code", **kw):
    r = requests.post(server + path, json=body, timeout=120, **kw)
    return r.status_code, r.json()


def run(server, **body):
    code, j = post(server, body)
    assert code == 200, j
    return j


def b64(s: str | bytes) -> str:
    return base64.b64encode(s.encode() if isinstance(s, str) else s).decode()


def without_time(stage):
    assert isinstance(stage["execution_time"], float) and stage["execution_time"] >= 0
    return {k: v for k, v in stage.items() if k != "execution_time"}


# ---- conformance (peer-apis §7.1) -------------------------------------------------


def test_hello_world_exact_shape(server):
    j = run(server, code='print("Hello, world!")', language="python")
    assert list(j) == ["status", "message", "compile_result", "run_result", "executor_pod_name",
                       "files"]
    assert {k: j[k] for k in HELLO} == HELLO
    assert without_time(j["run_result"]) == {"status": "Finished", "return_code": 0,
                                             "stdout": "Hello, world!\n", "stderr": ""}


def test_stdin(server):
    j = run(server, code="print(int(input()))", language="python", stdin="65535", run_timeout=5)
    assert (j["status"], j["run_result"]["stdout"]) == ("Success", "65535\n")


def test_timeout_is_failed_time_limit_exceeded(server):
    j = run(server, code="import time; time.sleep(0.2)", language="python", run_timeout=0.1)
    assert j["status"] == "Failed" and j["message"] == ""
    assert j["run_result"]["status"] == "TimeLimitExceeded"
    assert j["run_result"]["return_code"] is None


def test_timeout_keeps_partial_output(server):
    j = run(server, language="python", run_timeout=1,
            code="import sys, time\nprint('before', flush=True)\ntime.sleep(30)")
    assert j["run_result"]["status"] == "TimeLimitExceeded"
    assert j["run_result"]["stdout"] == "before\n"


def test_assertion_error_is_failed_finished(server):
    j = run(server, code="assert 1 == 2", language="python", run_timeout=5)
    assert j["status"] == "Failed"
    assert j["run_result"]["status"] == "Finished" and j["run_result"]["return_code"] == 1
    assert "AssertionError" in j["run_result"]["stderr"]


def test_syntax_error(server):
    j = run(server, code="int a = 1", language="python", run_timeout=5)
    assert j["status"] == "Failed" and j["run_result"]["status"] == "Finished"
    assert "SyntaxError: invalid syntax" in j["run_result"]["stderr"]


def test_cpp_hello_has_compile_result(server):
    code = '#include <iostream>\nint main() {\n    std::cout << "Hello, world!" << std::endl;\n}\n'
    j = run(server, code=code, language="cpp")
    assert j["status"] == "Success"
    assert without_time(j["compile_result"])["status"] == "Finished"
    assert j["compile_result"]["return_code"] == 0
    assert without_time(j["run_result"]) == {"status": "Finished", "return_code": 0,
                                             "stdout": "Hello, world!\n", "stderr": ""}


def test_cpp_compile_error_has_no_run_result(server):
    j = run(server, code="a=b", language="cpp")
    assert j["status"] == "Failed" and j["run_result"] is None
    assert j["compile_result"]["status"] == "Finished"
    assert j["compile_result"]["return_code"] != 0 and "error" in j["compile_result"]["stderr"]


def test_files_nested_paths(server):
    j = run(server, code='print(open("dir1/dir2/dir3/secret_flag").read())', language="python",
            run_timeout=5, files={"dir1/dir2/dir3/secret_flag": "ImhlbGxvLCB0aGlzIGlzIGEgdGVzdCI="})
    assert j["status"] == "Success"
    assert j["run_result"]["stdout"] == '"hello, this is a test"\n'


def test_files_several_null_ignored_and_absolute_tmp(server):
    code = ("import os\nprint(sorted(os.listdir('d')), open('d/a').read(), open('d/e/b').read(),"
            " open('top').read(), os.path.exists('skip'), os.path.exists('x_IGNORE_THIS_FILE'))")
    j = run(server, code=code, language="python",
            files={"d/a": b64("A"), "./d/e/b": b64("B"), "/tmp/top": b64("T"), "skip": None,
                   "x_IGNORE_THIS_FILE": b64("no")})
    assert j["run_result"]["stdout"] == "['a', 'e'] A B T False False\n", j


def test_fetch_files_and_missing_ones(server):
    j = run(server, code='open("a.txt","w").write("secret")', language="python",
            fetch_files=["a.txt", "missing.txt"])
    assert j["status"] == "Success" and j["files"] == {"a.txt": "c2VjcmV0"}


def test_fetch_files_after_a_failing_run(server):
    j = run(server, code='open("out/r.bin","wb").write(bytes(range(256)))\nraise SystemExit(3)',
            language="python", files={"out/keep": ""}, fetch_files=["out/r.bin", "out/keep"])
    assert j["status"] == "Failed" and j["run_result"]["return_code"] == 3
    assert j["files"] == {"out/r.bin": b64(bytes(range(256))), "out/keep": ""}


def test_fetch_absolute_mnt_path(server):
    """SandboxFusion's own test_python_fetch_files_absolute_path."""
    j = run(server, code='open("/mnt/b", "w").write("sauce")', language="python", run_timeout=5,
            fetch_files=["/mnt/b"])
    assert j["status"] == "Success" and j["files"] == {"/mnt/b": b64("sauce")}


def test_files_to_mnt_are_readable_there(server):
    j = run(server, code='print(open("/mnt/data/in.txt").read())', language="python",
            files={"/mnt/data/in.txt": b64("from mnt")})
    assert j["run_result"]["stdout"] == "from mnt\n", j


def test_unknown_fields_and_null_stdin(server):
    """LazyLLM sends memory_limit_mb (lower case), verl files {} and fetch_files []."""
    j = run(server, code="print(1)", language="python", stdin=None, memory_limit_mb=5, files={},
            fetch_files=[], anything={"x": 1})
    assert j["status"] == "Success" and j["run_result"]["stdout"] == "1\n"


def test_memory_limit_mb_is_honoured(server):
    j = run(server, code="x = bytearray(1024*2**20)\nprint('allocated')", language="python",
            memory_limit_MB=256)
    assert j["status"] == "Failed" and j["run_result"]["status"] == "Finished"
    # killed by the box's memory limit (docs/compat.md: not a MemoryError)
    assert j["run_result"]["return_code"] == -9 and j["run_result"]["stdout"] == ""
    j = run(server, code="x = bytearray(64*2**20)\nprint('allocated')", language="python",
            memory_limit_MB=256)
    assert j["status"] == "Success" and j["run_result"]["stdout"] == "allocated\n"


def test_verl_request_shape(server):
    """verl's call_sandbox_api body, and what its _process_single_case reads."""
    r = requests.post(server + "/run_code", timeout=60,
                      headers={"Content-Type": "application/json", "Accept": "application/json"},
                      data=json.dumps({"compile_timeout": 10, "run_timeout": 10,
                                       "code": "a, b = map(int, input().split())\nprint(a + b)",
                                       "stdin": "2 3\n", "memory_limit_MB": 1024,
                                       "language": "python", "files": {}, "fetch_files": []}))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    j = r.json()
    assert j["status"] == "Success" and j["run_result"]["status"] == "Finished"
    assert j["run_result"]["stdout"].rstrip("\n") == "5"


def test_java_is_public_class_main(server):
    code = ("import java.util.*;\npublic class Main {\n    public static void main(String[] a) {\n"
            "        Scanner s = new Scanner(System.in);\n"
            "        System.out.println(s.nextInt() + s.nextInt());\n    }\n}\n")
    j = run(server, code=code, language="java", stdin="2 3")
    assert j["status"] == "Success", j
    assert j["compile_result"]["return_code"] == 0 and j["run_result"]["stdout"] == "5\n"


def test_typescript_has_no_compile_result(server):
    j = run(server, code="console.log(1 + 1)", language="typescript")
    if j["status"] == "SandboxError":
        pytest.skip(j["message"])
    assert j["status"] == "Success" and j["compile_result"] is None
    assert j["run_result"]["stdout"] == "2\n"


def test_listed_but_unsupported_language_is_sandbox_error(server):
    j = run(server, code="select 1", language="sql")
    assert j["status"] == "SandboxError" and j["run_result"] is None
    assert j["message"].startswith("language 'sql' is not supported by this server; available:")
    assert " python" in j["message"]


def test_ping(server):
    r = requests.get(server + "/v1/ping", timeout=10)
    assert (r.status_code, r.json()) == (200, "pong")


# ---- FastAPI's 422 --------------------------------------------------------------


def test_unknown_language_is_422_literal_error(server):
    code, j = post(server, {"code": "x", "language": "js"})
    assert code == 422
    assert j == {"detail": [{"type": "literal_error", "loc": ["body", "language"],
                             "msg": "Input should be " + LANGUAGES, "input": "js",
                             "ctx": {"expected": LANGUAGES}}]}


def test_missing_fields_are_422(server):
    code, j = post(server, {"language": "python"})
    assert code == 422
    assert j == {"detail": [{"type": "missing", "loc": ["body", "code"], "msg": "Field required",
                             "input": {"language": "python"}}]}
    code, j = post(server, {})
    assert [e["loc"] for e in j["detail"]] == [["body", "code"], ["body", "language"]]


def test_wrong_types_are_422(server):
    code, j = post(server, {"code": 1, "language": "python", "run_timeout": "x",
                            "compile_timeout": None, "memory_limit_MB": 1.5, "stdin": 3,
                            "files": [], "fetch_files": [1]})
    assert code == 422
    assert [(e["type"], e["loc"]) for e in j["detail"]] == [
        ("string_type", ["body", "code"]), ("float_type", ["body", "compile_timeout"]),
        ("float_parsing", ["body", "run_timeout"]), ("int_from_float", ["body", "memory_limit_MB"]),
        ("string_type", ["body", "stdin"]), ("dict_type", ["body", "files"]),
        ("string_type", ["body", "fetch_files", 0])]
    code, j = post(server, {"code": "", "language": "python", "files": {"a": 1}})
    assert j["detail"] == [{"type": "string_type", "loc": ["body", "files", "a"],
                            "msg": "Input should be a valid string", "input": 1}]


def test_lax_numbers_pass(server):
    j = run(server, code="print(2)", language="python", run_timeout="5", memory_limit_MB="512")
    assert j["status"] == "Success"


def test_malformed_json_and_non_objects_are_422(server):
    r = requests.post(server + "/run_code", data=b'{"code": "prin', timeout=10)
    assert r.status_code == 422
    (e,) = r.json()["detail"]
    assert (e["type"], e["loc"][0], e["msg"], e["input"]) == ("json_invalid", "body",
                                                               "JSON decode error", {})
    code, j = post(server, [1, 2])
    assert code == 422 and j["detail"] == [{
        "type": "model_attributes_type", "loc": ["body"],
        "msg": "Input should be a valid dictionary or object to extract fields from",
        "input": [1, 2]}]


# ---- limits and bad input: contained ----------------------------------------------


def test_limits_above_maxima_are_capped(server):
    j = run(server, code="print('ok')", language="python", run_timeout=1e9, compile_timeout=1e9,
            memory_limit_MB=10**9)
    assert j["status"] == "Success" and j["run_result"]["stdout"] == "ok\n"
    j = run(server, code="print('ok')", language="python", run_timeout=-5)
    assert j["status"] == "Failed" and j["run_result"]["status"] == "TimeLimitExceeded"


def test_bad_base64_and_huge_files_are_contained(server):
    j = run(server, code="print(1)", language="python", files={"a": "!!!"})
    assert j["status"] == "SandboxError" and "not valid base64" in j["message"]
    assert j["run_result"] is None
    with start_server("--tmpfs-mb", "1") as s:
        j = run(s.url, code="print(1)", language="python",
                files={"big": b64(b"\0" * (2 << 20))})
        assert j["status"] == "SandboxError" and "/tmp holds" in j["message"]
        # a body over --max-body (64 MiB) is refused from its headers alone
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as sock:
            sock.sendall(b"POST /run_code HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                         b"\r\nContent-Length: 100000000\r\n\r\n")
            assert sock.recv(4096).startswith(b"HTTP/1.1 413")


def test_too_many_files_are_contained(server):
    j = run(server, code="print(1)", language="python",
            files={f"d/{i}": "" for i in range(4097)})
    assert j["status"] == "SandboxError" and "more than 4096 files" in j["message"]
    j = run(server, code="import os\nprint(len(os.listdir('d')))", language="python",
            files={f"d/{i}": "" for i in range(4096)})
    assert j["run_result"]["stdout"] == "4096\n", j


def test_clashing_file_names_are_contained(server):
    j = run(server, code="print(1)", language="python", files={"a": b64("x"), "a/b": b64("y")})
    assert j["status"] == "SandboxError" and "clashes" in j["message"]


# ---- traversal --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../x", "a/../../x", "/etc/x", "/usr/lib/x", "/mnt/../etc/x",
                                  "/mnt", "/tmp/../etc/x", "..", "", ".overlay/x"])
def test_files_outside_the_box_are_refused(server, name):
    j = run(server, code="print(1)", language="python", files={name: b64("pwned")})
    assert j["status"] == "SandboxError" and j["run_result"] is None, j
    assert "not a path this sandbox can write" in j["message"]


def test_fetch_never_reads_outside_the_box(server):
    code = ("import os\nos.symlink('/etc/hostname', 'link')\nos.symlink('/etc', 'etcdir')\n"
            "os.makedirs('/mnt/d')\nos.symlink('/etc/passwd', '/mnt/d/p')\nprint('planted')")
    j = run(server, code=code, language="python",
            fetch_files=["link", "etcdir/passwd", "/etc/passwd", "../../etc/passwd",
                         "/tmp/../etc/passwd", "/mnt/d/p", "/mnt/../etc/passwd", "/proc/self/environ",
                         "/mnt/d", "."])
    assert j["run_result"]["stdout"] == "planted\n", j
    assert j["files"] == {}


def test_mnt_relinked_by_the_program_reads_nothing_outside(server):
    code = ("import os, shutil\nshutil.rmtree('/tmp/.mnt')\nos.symlink('/etc', '/tmp/.mnt')\n"
            "print(os.path.exists('/mnt/passwd'))\n"
            "try:\n    open('/mnt/x', 'w')\nexcept OSError as e:\n    print(type(e).__name__)")
    j = run(server, code=code, language="python", fetch_files=["/mnt/passwd", "/mnt/hostname"])
    assert j["run_result"]["stdout"] == "True\nOSError\n", j
    assert j["files"] == {}


def test_files_cannot_be_written_through_planted_symlinks(server):
    """A program's symlinks do not survive into another run; and files are
    written before the program, beneath /tmp, never through a symlink."""
    j = run(server, code="import os\nos.symlink('/etc', 'd')\nprint(os.path.islink('d'))",
            language="python")
    assert j["run_result"]["stdout"] == "True\n"
    j = run(server, code="import os\nprint(os.path.islink('d'), open('d/x').read())",
            language="python", files={"d/x": b64("inside")})
    assert j["run_result"]["stdout"] == "False inside\n", j


def test_hostile_programs_through_run_code(server):
    """The key protections hold through this dialect too (tests/e2e/test_hostile_programs.py
    has the whole suite)."""
    code = ("import os, socket, json\nr = {}\n"
            "try:\n    r['shadow'] = open('/etc/shadow').read()\n"
            "except OSError as e:\n    r['shadow'] = type(e).__name__\n"
            "try:\n    open('/usr/x', 'w'); r['usr'] = 'written'\n"
            "except OSError as e:\n    r['usr'] = type(e).__name__\n"
            "try:\n    socket.create_connection(('1.1.1.1', 80), timeout=2); r['net'] = 'up'\n"
            "except OSError as e:\n    r['net'] = 'down'\n"
            "r['uid'] = os.getuid()\nprint(json.dumps(r))")
    j = run(server, code=code, language="python", fetch_files=["/mnt/x"])
    r = json.loads(j["run_result"]["stdout"])
    assert "root:" not in r["shadow"] and r["usr"] != "written" and r["net"] == "down"
    assert r["uid"] != 0


def test_fork_bomb_contained(server):
    j = run(server, code="import os\nwhile True:\n    try: os.fork()\n    except OSError: pass",
            language="python", run_timeout=2)
    assert j["status"] == "Failed" and j["run_result"]["status"] == "TimeLimitExceeded"
    assert run(server, code="print(1)", language="python")["status"] == "Success"


def test_auth_token_applies(tmp_path):
    with start_server("--auth-token", "sekrit") as s:
        r = requests.post(s.url + "/run_code", json={"code": "print(1)", "language": "python"},
                          timeout=60)
        assert r.status_code == 401
        r = requests.post(s.url + "/run_code", json={"code": "print(1)", "language": "python"},
                          headers={"Authorization": "Bearer sekrit"}, timeout=60)
        assert r.status_code == 200 and r.json()["status"] == "Success"


def test_languages_lists_sandboxfusion_names(server):
    langs = {lang["key"]: lang for lang in requests.get(server + "/v1/languages",
                                                        timeout=10).json()["languages"]}
    assert langs["python"]["peers"]["sandboxfusion"] == ["python"]
    assert langs["javascript"]["peers"]["sandboxfusion"] == ["nodejs"]


def test_metrics_count_the_dialect(server):
    run(server, code="print(1)", language="python")
    text = requests.get(server + "/metrics", timeout=10).text
    assert any("/run_code" in line for line in text.splitlines()
               if line.startswith("codeexec_http_requests_total"))




# ---- /run_jupyter -------------------------------------------------------------------


def jupyter(server, **body):
    code, j = post(server, body, path="/run_jupyter")
    assert code == 200, j
    return j


def test_jupyter_cells_share_state_and_report_each(server):
    j = jupyter(server, cells=["a = 1\nprint(a)\na + 1",
                               "import sys; print('e', file=sys.stderr); 1/0",
                               "print(a)\nNone", "x = ("])
    assert list(j) == ["status", "message", "driver", "cells", "executor_pod_name", "files"]
    assert (j["status"], j["message"], j["files"]) == ("Success", "", {})
    assert j["driver"]["status"] == "Finished" and j["driver"]["return_code"] == 0
    c = j["cells"]
    assert c[0] == {"stdout": "1\n", "stderr": "", "display": [{"text/plain": "2"}], "error": []}
    assert (c[1]["stdout"], c[1]["stderr"], c[1]["display"]) == ("", "e\n", [])
    (err,) = c[1]["error"]
    assert (err["ename"], err["evalue"]) == ("ZeroDivisionError", "division by zero")
    assert err["traceback"][0] == "Traceback (most recent call last):\n"
    assert err["traceback"][-1] == "ZeroDivisionError: division by zero\n"
    assert not any("main.py" in line for line in err["traceback"])  # no driver frames
    assert c[2] == {"stdout": "1\n", "stderr": "", "display": [], "error": []}
    assert c[3]["error"][0]["ename"] == "SyntaxError"


def test_jupyter_cell_timeout_and_total_timeout(server):
    j = jupyter(server, cells=["import time; time.sleep(30)", "print(2)"], cell_timeout=1)
    assert j["status"] == "Success"
    assert j["cells"][0]["error"][0]["ename"] == "TimeoutError"
    assert j["cells"][1]["stdout"] == "2\n"
    j = jupyter(server, cells=["import time; time.sleep(30)"], total_timeout=1)
    assert (j["status"], j["cells"]) == ("Failed", [])
    assert j["driver"]["status"] == "TimeLimitExceeded"


def test_jupyter_driver_killed_is_failed(server):
    j = jupyter(server, cells=["import os; os._exit(0)"])
    assert (j["status"], j["cells"]) == ("Failed", [])


def test_jupyter_files_and_fetch(server):
    j = jupyter(server, cells=["print(open('d/x').read())", "open('/mnt/o.txt', 'w').write('w')"],
                files={"d/x": b64("hi")}, fetch_files=["/mnt/o.txt"], kernel="python3")
    assert [c["stdout"] for c in j["cells"]] == ["hi\n", ""]
    assert j["files"] == {"/mnt/o.txt": b64("w")}


def test_jupyter_bad_requests_are_422(server):
    code, j = post(server, {"kernel": "ruby"}, path="/run_jupyter")
    assert code == 422
    assert [(e["type"], e["loc"]) for e in j["detail"]] == [("missing", ["body", "cells"]),
                                                           ("literal_error", ["body", "kernel"])]
    code, j = post(server, {"cells": "print(1)"}, path="/run_jupyter")
    assert code == 422 and j["detail"][0]["type"] == "list_type"


def test_jupyter_matplotlib_figure_is_a_png(server):
    import subprocess
    if subprocess.run(["/usr/bin/python3", "-c", "import matplotlib"]).returncode != 0:
        pytest.skip("matplotlib is not installed for /usr/bin/python3")
    j = jupyter(server, cells=["import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nprint('drawn')"])
    (cell,) = j["cells"]
    assert cell["stdout"] == "drawn\n" and cell["error"] == []
    (shown,) = [d for d in cell["display"] if "image/png" in d]
    assert base64.b64decode(shown["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
    assert shown["text/plain"].startswith("<Figure size")
