"""The native /v1/run request fields: files, args, limits, compile_limits,
and the compile object of compiled languages."""

from __future__ import annotations

import base64

import requests


def run(server, **body):
    r = requests.post(server + "/v1/run", json=body, timeout=60)
    return r.status_code, r.json()


def test_files_args_and_base64(server):
    code, j = run(server, language="python", args=["a", "b c"], files=[
        {"name": "main.py", "content": "import helper, sys\nprint(helper.X, sys.argv[1:])\n"
                                       "print(open('data.bin', 'rb').read())"},
        {"name": "helper.py", "content": "X = 42\n"},
        {"name": "data.bin", "content": base64.b64encode(b"\x00\x01\xff").decode(),
         "encoding": "base64"}])
    assert code == 200, j
    assert j["stdout"] == "42 ['a', 'b c']\nb'\\x00\\x01\\xff'\n" and j["passed"]


def test_first_file_is_the_program_without_code_or_source_name(server):
    code, j = run(server, language="python", files=[{"name": "prog.py", "content": "print(5)"}])
    assert (code, j["stdout"]) == (200, "5\n")


def test_bad_files_are_400(server):
    for files, part in [([{"name": "../x", "content": ""}], "plain file name"),
                        ([{"name": "a", "content": "!!", "encoding": "base64"}], "base64"),
                        ([{"name": "a", "content": "", "encoding": "rot13"}], "encoding"),
                        ([{"name": "a", "content": ""}, {"name": "a", "content": ""}], "same name")]:
        code, j = run(server, language="python", code="print(1)", files=files)
        assert code == 400 and j["error"] == "invalid_field" and part in j["message"], (files, j)
    code, j = run(server, language="python", code="x", files=[{"name": "main.py", "content": ""}])
    assert code == 400 and "main.py" in j["message"]
    code, j = run(server, language="python")
    assert code == 400 and "'code'" in j["message"]


def test_wall_and_cpu_limits(server):
    code, j = run(server, language="python", code="while True: pass", limits={"wall_ms": 600})
    assert j["status"] == "timeout" and j["exit_code"] == -1 and 550 <= j["wall_ms"] < 3000, j
    code, j = run(server, language="python", code="while True: pass", limits={"cpu_ms": 300},
                  timeout=20)
    assert j["status"] == "timeout" and j["signal"] in (9, 24), j


def test_limits_are_checked_against_server_maxima(server):
    for limits, part in [({"memory_mb": 10 ** 7}, "memory_mb"), ({"wall_ms": 0}, "wall_ms"),
                         ({"processes": "9"}, "processes"), ({"colour": 1}, "unknown limit")]:
        code, j = run(server, language="python", code="print(1)", limits=limits)
        assert code == 400 and part in j["message"], (limits, j)
    code, j = run(server, language="python", code="print(1)", compile_limits={"output_bytes": -1})
    assert code == 400 and "compile_limits.output_bytes" in j["message"]


def test_output_and_memory_limits(server):
    code, j = run(server, language="python", code="print('x' * 5000)",
                  limits={"output_bytes": 1000})
    assert len(j["stdout"]) == 1000 and j["stdout_truncated"] and j["status"] == "output_limit", j
    code, j = run(server, language="python", code="x = bytearray(300 * 1024 * 1024)",
                  limits={"memory_mb": 100})
    assert j["status"] == "memory_limit", j


def test_compile_object(server):
    code, j = run(server, language="cpp", code="int main(){ return 0 }")
    assert j["compile"]["status"] == "compile_error" and "expected" in j["compile"]["stderr"], j
    assert j["status"] == "compile_error" and j["verdict"] == "SyntaxError"
    code, j = run(server, language="cpp", code="#include <cstdio>\nint main(int c, char**v){puts(v[1]);}",
                  args=["hi"], compile_limits={"wall_ms": 30000})
    assert j["compile"]["status"] == "ok" and j["stdout"] == "hi\n" and j["passed"], j


def test_compile_once_run_several_inputs(server):
    src = ("#include <iostream>\nint main(){int a,b; std::cin>>a>>b; if(a<0) return 3;"
           " std::cout<<a+b<<std::endl;}")
    code, j = run(server, language="cpp", code=src, stdins=["1 2", "40 2", "-1 0"])
    assert code == 200 and j["compile"]["status"] == "ok", j
    assert [(r["input"], r["stdout"], r["exit_code"], r["passed"]) for r in j["runs"]] == [
        (0, "3\n", 0, True), (1, "42\n", 0, True), (2, "", 3, False)]
    assert j["runs"][2]["status"] == "runtime_error" and j["passed"] is False
    # one compile for all of them
    assert sum(1 for s in j["steps"] if s["name"] == "compile") == 1
    code, j = run(server, language="python", code="print(input() * 2)", stdins=["a", "b"])
    assert j["passed"] and [r["stdout"] for r in j["runs"]] == ["aa\n", "bb\n"]
    code, j = run(server, language="cpp", code="int main( {", stdins=["a", "b"])
    assert j["status"] == "compile_error" and j["runs"] == [] and j["passed"] is False
    code, j = run(server, language="python", code="print(1)", stdin="x", stdins=["a"])
    assert code == 400 and "not both" in j["message"]
    # no limit on the number of inputs, and each runs in a fresh box
    fresh = ("import os\nprint('seen' if os.path.exists('/tmp/m') else 'fresh', input())\n"
             "open('/tmp/m', 'w').close()")
    code, j = run(server, language="python", code=fresh, stdins=[str(i) for i in range(100)])
    assert code == 200 and j["passed"] and len(j["runs"]) == 100, j
    assert [r["stdout"] for r in j["runs"]] == ["fresh %d\n" % i for i in range(100)]
    code, j = run(server, language="python", code="print(1)", stdins=[])
    assert code == 400 and "stdins" in j["message"]


def test_batch_items_take_several_inputs(server):
    r = requests.post(server + "/v1/batch", json={"runs": [
        {"language": "python", "code": "print(int(input()) ** 2)", "stdins": ["2", "3"]}]})
    lines = [__import__("json").loads(l) for l in r.text.splitlines()]
    assert [x["stdout"] for x in lines[0]["runs"]] == ["4\n", "9\n"] and lines[0]["passed"]
