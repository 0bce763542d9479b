"""Compatibility tests: the original code_exec_server's clients against codeexec.

Runs every scenario of the original's `test_reqs.py` through our client
(`clients/python/code_exec_reqs.py`) with exact expected outputs, then checks
the wire format byte by byte, the input-validation replies, auth, admission,
and containment as seen from inside a program. See docs/compat.md for where
the expectations come from.

Expected outputs of Python programs are computed with the same interpreter
(/usr/bin/python3) run locally as `/tmp/main.py` would be, so tracebacks match
exactly, path and carets included.

Budget: the whole module should finish in about two minutes (the slowest
parts are the 5 s time-out scenario and TypeScript compiles).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import subprocess
import tempfile
import threading
import time
import warnings
from typing import Dict, Optional, Tuple

import pytest

from conftest import BINARY, REPO_ROOT  # noqa: E402  (tests/e2e is on sys.path)

import code_exec_reqs as cer  # noqa: E402  (conftest puts clients/python on sys.path)

MODULE_BUDGET_S = 120
PY = "/usr/bin/python3"

# --- the original test_reqs.py programs -------------------------------------

CODE_PASS = """
assert True
"""

CODE_FAIL = """
assert False, "This should fail"
"""

CODE_STDIN = """
inp = input()
assert inp == "Hello, World!"
print("stdin works")
"""

CODE_OVERFLOW = """
a = []
while True:
    a.append([42]*10000)
"""

CODE_TS_PASS = """
console.log("Hello, World!");
"""

CODE_TS_FAIL = """
console.error("This should fail");
process.exit(1);
"""

CODE_TIMEOUT = """
while True:
    pass
"""

FAIL_TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/tmp/main.py", line 2, in <module>\n'
    '    assert False, "This should fail"\n'
    "AssertionError: This should fail\n"
)


# --- helpers -----------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _module_budget():
    t0 = time.monotonic()
    yield
    took = time.monotonic() - t0
    # a warning, never a failure: how long the module takes depends on the
    # machine and on what else runs on it, not on the server being right
    if took > MODULE_BUDGET_S:
        warnings.warn(f"test_compat.py took {took:.0f} s, budget {MODULE_BUDGET_S} s")


@pytest.fixture(autouse=True)
def _clean_client_env(monkeypatch):
    monkeypatch.setattr(cer, "EXECUTOR_URL", None)
    monkeypatch.setattr(cer, "EXECUTOR_AUTH", None)
    monkeypatch.setattr(cer, "EXECUTOR_AUTH_ENVELOPE", False)
    monkeypatch.setattr(cer, "EXECUTOR_MAX_WAIT", 20.0)  # a dead server fails the test, never hangs it


def local_python(code: str, stdin: bytes = b"") -> Tuple[int, str, str]:
    """Run code as /tmp/main.py would run in the sandbox; report as the server would."""
    with tempfile.TemporaryDirectory(prefix="cx-oracle-") as d:
        path = os.path.join(d, "main.py")
        with open(path, "wb") as f:
            f.write(code.encode("utf-8"))
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": d}
        r = subprocess.run([PY, path], input=stdin, capture_output=True, cwd=d, env=env, timeout=60)
    fix = lambda b: b.decode("utf-8", "replace").replace(path, "/tmp/main.py")  # noqa: E731
    return r.returncode, fix(r.stdout), fix(r.stderr)


def expected(code: str, test: str = "", stdin: str = "") -> Tuple[bool, str]:
    rc, out, err = local_python(code + "\n\n" + test, stdin.encode())
    return (True, out) if rc == 0 else (False, err)


def host_port(url: str) -> Tuple[str, int]:
    hp = url.split("://", 1)[1]
    h, p = hp.rsplit(":", 1)
    return h, int(p)


def raw(url: str, method: str, path: str, body: Optional[bytes] = None,
        headers: Optional[Dict[str, str]] = None, timeout: float = 60):
    """One HTTP request; returns (status, {lower-case header: value}, body bytes)."""
    h, p = host_port(url)
    conn = http.client.HTTPConnection(h, p, timeout=timeout)
    try:
        hdrs = {"Content-Type": "application/json"} if body is not None else {}
        hdrs.update(headers or {})
        conn.request(method, path, body=body, headers=hdrs)
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        conn.close()


def post(url: str, path: str, obj, headers=None, timeout: float = 60):
    body = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return raw(url, "POST", path, body, headers, timeout)


def installed_languages(url: str) -> Optional[set]:
    """Keys the server says are installed, or None when it cannot tell."""
    try:
        st, _, body = raw(url, "GET", "/v1/languages")
        if st != 200:
            return None
        data = json.loads(body)
        items = data.get("languages", data) if isinstance(data, dict) else data
        keys = set()
        for it in items:
            if isinstance(it, dict) and it.get("installed", True):
                keys.add(it.get("key"))
                keys.update(it.get("aliases") or [])
        return keys
    except Exception:  # noqa: BLE001
        return None


def need_language(url: str, key: str) -> None:
    keys = installed_languages(url)
    if keys is not None and key not in keys:
        pytest.skip(f"language {key!r} is not installed on this server")


def pgrep(pattern: str) -> str:
    r = subprocess.run(["pgrep", "-af", pattern], capture_output=True, text=True)
    return r.stdout.strip()


def wait_gone(pattern: str, grace: float = 2.0) -> str:
    deadline = time.monotonic() + grace
    while True:
        left = pgrep(pattern)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


# =============================================================================
# 1. the original test_reqs.py, scenario by scenario


def test_health(server):
    st, hdrs, body = raw(server, "GET", "/health")
    assert (st, body) == (200, b"OK")


def test_pass(server):
    assert cer.exec_test(server, CODE_PASS, "") == (True, "")


def test_fail_returns_traceback(server):
    assert cer.exec_test(server, CODE_FAIL, "") == (False, FAIL_TRACEBACK)
    assert expected(CODE_FAIL) == (False, FAIL_TRACEBACK)  # the oracle agrees


def test_stdin(server):
    assert cer.exec_test(server, CODE_STDIN, "", stdin="Hello, World!") == (True, "stdin works\n")


def test_memory_overflow_fails_cleanly(server):
    # the original's program, bounded at 6 GiB so a missing limit cannot take the host down
    code = CODE_OVERFLOW.replace("while True:", "for _ in range(6 * 1024 * 1024 // 80):") + \
        "print('no memory limit')\n"
    t0 = time.monotonic()
    passed, out = cer.exec_test(server, code, "", timeout=60)
    took = time.monotonic() - t0
    assert passed is False, "allocating 6 GiB succeeded: no memory limit (or one above 6 GiB)"
    assert out != "Timeout", f"killed by the time limit after {took:.1f} s, not by the memory limit"
    # one allocation far beyond any limit: refused at once, MemoryError
    passed, out = cer.exec_test(server, "x = b'x' * (64 << 30)\nprint(len(x))", "", timeout=20)
    assert passed is False
    assert out.endswith("MemoryError\n") or out == "", out
    # and the server is fine afterwards
    assert cer.exec_test(server, "print('still here')", "") == (True, "still here\n")


def test_multipl_e_python(server):
    assert cer.exec_test_multipl_e(server, CODE_PASS, "", "python") == (True, "")
    passed, out = cer.exec_test_multipl_e(server, CODE_FAIL, "", "python")
    assert passed is False
    assert "AssertionError: This should fail" in out


def test_batched_pass_fail(server):
    codes = [CODE_PASS, CODE_FAIL, CODE_PASS, CODE_FAIL, CODE_PASS]
    res = cer.exec_test_batched(server, codes, ["" for _ in codes])
    assert res == [(True, ""), (False, FAIL_TRACEBACK)] * 2 + [(True, "")]


@pytest.mark.parametrize("lang", ["ts", "javascript"])
def test_multipl_e_ts_js(server, lang):
    need_language(server, lang)
    assert cer.exec_test_multipl_e(server, CODE_TS_PASS, "", lang) == (True, "Hello, World!\n")
    passed, out = cer.exec_test_multipl_e(server, CODE_TS_FAIL, "", lang)
    assert passed is False
    if lang == "javascript":
        assert out == "This should fail\n"


def test_batched_ts(server):
    need_language(server, "ts")
    codes = [CODE_TS_PASS, CODE_TS_FAIL, CODE_TS_PASS, CODE_TS_FAIL, CODE_TS_PASS]
    res = cer.exec_test_batched(server, codes, ["" for _ in codes], "ts")
    assert [p for p, _ in res] == [True, False, True, False, True]
    assert [o for p, o in res if p] == ["Hello, World!\n"] * 3


def test_timeout_5s_and_tree_killed(server):
    marker = f"1000.{random.randrange(10**6, 10**7)}"
    code = (f"import subprocess\nsubprocess.Popen(['/usr/bin/sleep', '{marker}'])\n" + CODE_TIMEOUT)
    t0 = time.monotonic()
    res = cer.exec_test(server, code, "", timeout=5)
    took = time.monotonic() - t0
    assert res == (False, "Timeout")
    # not before its 5 s limit; the upper bound is liveness only
    assert 4.5 <= took <= 30, f"took {took:.2f} s"
    left = wait_gone(f"sleep {marker}")
    assert not left, f"left running after the time-out: {left}"


# =============================================================================
# 2. more programs through the client


def test_stdout_and_test_joined(server):
    code = "def add(a, b):\n    return a + b"
    assert cer.exec_test(server, code, "assert add(1, 2) == 3\nprint('ok')") == (True, "ok\n")


def test_plain_text_mode(server):
    assert cer.exec_test(server, "print('hi')", "", json_resp=False) == (True, "hi\n")
    assert cer.exec_test(server, CODE_FAIL, "", json_resp=False) == (False, FAIL_TRACEBACK)


def test_stdin_variants(server):
    code = "import sys\ndata = sys.stdin.read()\nprint(repr(data))"
    assert cer.exec_test(server, code, "", stdin="a\nb\n\nc") == (True, "'a\\nb\\n\\nc'\n")
    assert cer.exec_test(server, code, "", stdin=None) == (True, "''\n")
    assert cer.exec_test(server, code, "", stdin="") == (True, "''\n")
    big = "x" * 300_000  # larger than a pipe buffer, read fully
    assert cer.exec_test(server, "import sys\nprint(len(sys.stdin.read()))", "", stdin=big) == (True, "300000\n")


def test_100k_lines_pass(server):
    code = "x = 1\n" * 100_000 + "assert x == 1\nprint('done')"
    assert cer.exec_test(server, code, "") == (True, "done\n")


def test_100k_lines_fail(server):
    code = "x = 1\n" * 100_000
    test = "assert x == 2"
    exp = expected(code, test)
    assert exp[0] is False and "line 100003" in exp[1]
    assert cer.exec_test(server, code, test) == exp
    assert cer.exec_test(server, code, test, json_resp=False) == exp


UNICODE_TEXT = "q\"uote' back\\slash \t tab \r cr é 日本 😀 \u2028 \x01 \x1f \x7f / </script>"


@pytest.mark.parametrize("json_resp", [True, False])
def test_quoting_escapes_unicode(server, json_resp):
    code = f"import sys\nsys.stdout.write({UNICODE_TEXT!r})\nsys.stderr.write('ignored')"
    assert cer.exec_test(server, code, "", json_resp=json_resp) == (True, UNICODE_TEXT)
    code = f"import sys\nsys.stderr.write({UNICODE_TEXT!r})\nsys.exit(3)"
    assert cer.exec_test(server, code, "", json_resp=json_resp) == (False, UNICODE_TEXT)


def test_unicode_in_code_and_stdin(server):
    code = "s = input()\nprint(s[::-1], len(s), 'ünï')"
    assert cer.exec_test(server, code, "", stdin="日本😀é") == (True, "é😀本日 4 ünï\n")


def test_nul_in_code_passes_through(server):
    # Python 3.11 skips a line holding only NUL; a server that cut the code at
    # the NUL would print "before" only
    code = "print('before')\n\x00\nprint('after')\n"
    assert expected(code) == (True, "before\nafter\n")
    assert cer.exec_test(server, code, "") == (True, "before\nafter\n")


def test_nul_in_output(server):
    code = "print('a\\x00b')"
    assert cer.exec_test(server, code, "") == (True, "a\x00b\n")
    st, _, body = post(server, "/py_exec", {"code": code, "timeout": 10})
    assert (st, body) == (200, b"0\na\x00b\n")


def test_non_utf8_output_replaced(server):
    raw_bytes = b"\xff\xfeok\xe2\x82A\xc3\n"
    want = raw_bytes.decode("utf-8", "replace")  # maximal-subpart rule, as Rust's from_utf8_lossy
    assert want == "\ufffd\ufffdok\ufffdA\ufffd\n"
    code = f"import sys\nsys.stdout.buffer.write({raw_bytes!r})"
    assert cer.exec_test(server, code, "") == (True, want)
    assert cer.exec_test(server, code, "", json_resp=False) == (True, want)
    code = f"import sys\nsys.stderr.buffer.write({raw_bytes!r})\nsys.exit(1)"
    assert cer.exec_test(server, code, "") == (False, want)


def test_large_output(server):
    # the original deadlocked past 64 KiB (read after exit); codeexec drains
    code = "for i in range(20000):\n    print(i)"
    passed, out = cer.exec_test(server, code, "")
    assert passed is True
    assert out == "".join(f"{i}\n" for i in range(20000))


def test_exit_codes_and_signals(server):
    assert cer.exec_test(server, "import sys\nprint('x')\nsys.exit(0)", "") == (True, "x\n")
    assert cer.exec_test(server, "import sys\nsys.stderr.write('e')\nsys.exit(2)", "") == (False, "e")
    assert cer.exec_test(server, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "")[0] is False
    assert cer.exec_test(server, "def f(x):\n    return x +", "") == expected("def f(x):\n    return x +")


def test_kill_parent(server, server_proc):
    res = cer.exec_test(server, "import os\nos.kill(os.getppid(), 9)\nprint('survived')", "")
    assert isinstance(res, tuple) and len(res) == 2
    assert res[0] is False or res == (True, "survived\n"), res
    assert server_proc.alive()
    assert cer.exec_test(server, "print('after')", "") == (True, "after\n")


def test_batched_50_in_order(server):
    codes = [f"print({i})" if i % 3 else f"assert {i} < 0, 'no {i}'" for i in range(50)]
    res = cer.exec_test_batched(server, codes, [""] * 50, max_workers=16)
    assert len(res) == 50
    for i, (passed, out) in enumerate(res):
        if i % 3:
            assert (passed, out) == (True, f"{i}\n")
        else:
            assert passed is False and out.endswith(f"AssertionError: no {i}\n"), (i, out)


def test_batched_with_stdins(server):
    code = "print(input() * 2)"
    res = cer.exec_test_batched(server, [code] * 5, [""] * 5, stdins=[str(i) for i in range(5)])
    assert res == [(True, f"{i}{i}\n") for i in range(5)]


def test_check_executor_alive(server):
    assert cer.check_executor_alive(server) is True
    assert cer.check_executor_alive("http://127.0.0.1:1") is False


def test_multiple_server_urls(server):
    assert cer.exec_test([server, server], "print(7)", "") == (True, "7\n")
    assert cer.exec_test(f"{server},{server}", "print(8)", "") == (True, "8\n")


# =============================================================================
# 3. coverage


COV_CODE = "def f(x):\n    if x:\n        return 1\n    return 2\n"


def test_coverage(server):
    assert cer.run_coverage(server, COV_CODE, ["assert f(1) == 1"]) == 80
    assert cer.run_coverage(server, COV_CODE, ["assert f(1) == 1", "assert f(0) == 2"]) == 100
    assert cer.run_coverage(server, COV_CODE, ["assert f(1) == 2"]) == -1


def test_coverage_batched(server):
    res = cer.run_coverage_batched(server, [COV_CODE] * 3,
                                   [["assert f(1) == 1"], ["assert f(0) == 2"], ["assert False"]])
    assert res == [80, 80, -1]


def test_coverage_reply_is_object(server):
    st, _, body = post(server, "/py_coverage", {"code": COV_CODE + "\nassert f(1) == 1", "timeout": 30})
    assert st == 200
    assert json.loads(body) == {"coverage": 80}


# =============================================================================
# 4. raw HTTP: exact bytes and input validation


def test_py_exec_plain_bytes(server):
    st, hdrs, body = post(server, "/py_exec", {"code": "print('hello')", "timeout": 10})
    assert (st, body) == (200, b"0\nhello\n")
    st, _, body = post(server, "/py_exec", {"code": CODE_FAIL, "timeout": 10})
    assert (st, body) == (200, b"1\n" + FAIL_TRACEBACK.encode())
    st, _, body = post(server, "/py_exec", {"code": CODE_TIMEOUT, "timeout": 1})
    assert (st, body) == (200, b"1\nTimeout")


def test_py_exec_json_resp_parses(server):
    st, _, body = post(server, "/py_exec", {"code": "print('hello')", "timeout": 10, "json_resp": True})
    assert st == 200
    assert json.loads(body) == {"status": 0, "output": "hello\n"}
    st, _, body = post(server, "/py_exec", {"code": CODE_TIMEOUT, "timeout": 1, "json_resp": True})
    assert json.loads(body) == {"status": 1, "output": "Timeout"}


def test_py_exec_json_resp_bytes_match_original(server):
    """The original serialised with serde_json: sorted keys, compact, raw UTF-8."""
    st, _, body = post(server, "/py_exec", {"code": "print('hello')", "timeout": 10, "json_resp": True})
    assert body == b'{"output":"hello\\n","status":0}'
    code = "import sys\nsys.stdout.write('\u00e9\\x01\\x7f/\"\\\\\\t')"
    st, _, body = post(server, "/py_exec", {"code": code, "timeout": 10, "json_resp": True})
    assert body == '{"output":"\u00e9\\u0001\x7f/\\"\\\\\\t","status":0}'.encode()


def test_content_types_match_original(server):
    for path, obj in [("/py_exec", {"code": "print(1)", "timeout": 10}),
                      ("/py_exec", {"code": "print(1)", "timeout": 10, "json_resp": True})]:
        _, hdrs, _ = post(server, path, obj)
        assert hdrs.get("content-type") == "text/plain; charset=utf-8", (path, obj, hdrs)
    _, hdrs, _ = raw(server, "GET", "/health")
    assert hdrs.get("content-type") == "text/plain; charset=utf-8"


def test_coverage_bytes_match_original(server):
    st, _, body = post(server, "/py_coverage", {"code": COV_CODE + "\nassert f(1) == 1", "timeout": 30})
    assert body == b'{"coverage":80}'


def test_invalid_json(server):
    for bad in [b"{not json", b"", b'{"code": "print(1)", "timeout": 5', b"\xff\xfe"]:
        st, _, body = raw(server, "POST", "/py_exec", bad)
        assert body == b"1\nInvalid JSON input", (bad, st, body)


def test_invalid_json_status_200_like_original(server):
    st, _, body = raw(server, "POST", "/py_exec", b"{not json")
    assert (st, body) == (200, b"1\nInvalid JSON input")


@pytest.mark.parametrize("obj", [
    {"timeout": 5},                                  # no code
    {"code": 5, "timeout": 5},                       # code not a string
    {"code": None, "timeout": 5},
    {"code": "print(1)", "timeout": "5"},            # timeout not an integer
    {"code": "print(1)", "timeout": -1},
    {"code": "print(1)", "timeout": 5, "stdin": 5},  # stdin not a string
    {"code": "print(1)", "timeout": 5, "json_resp": "yes"},
    {"code": "print(1)", "timeout": 5, "testhash": "bank"},
    [1, 2],                                          # not an object
])
def test_bad_fields(server, obj):
    st, _, body = post(server, "/py_exec", obj)
    assert body.startswith(b"1\n") and len(body) > 2, (obj, st, body)


def test_optional_and_unknown_fields(server):
    st, _, body = post(server, "/py_exec", {"code": "print(1)"})  # timeout defaults to 30
    assert (st, body) == (200, b"0\n1\n")
    obj = {"code": "print(2)", "timeout": 5, "stdin": None, "json_resp": None,
           "testhash": None, "lang": "python", "something_else": {"a": 1}}
    st, _, body = post(server, "/py_exec", obj)
    assert (st, body) == (200, b"0\n2\n")


def test_unknown_route_and_method(server):
    # the original client's check_executor_alive() counts only 200 and 404 from
    # GET / as "up"; anything else makes it wait for the server forever
    st, _, _ = raw(server, "GET", "/")
    assert st in (200, 404)
    st, _, _ = raw(server, "GET", "/py_exec")
    assert st in (404, 405)


# =============================================================================
# 5. /any_exec wire format and errors


def test_any_exec_bytes(server):
    st, _, body = post(server, "/any_exec", {"code": "print('hi')", "lang": "python", "timeout": 30})
    assert (st, body) == (200, b'0\n{"status": "OK", "exit_code": 0, "stdout": "hi\\n", "stderr": ""}\n')


def test_any_exec_json_dumps_escaping(server):
    code = "import sys\nprint('\u00e9\U0001F600\\x7f')\nsys.exit(3)"
    st, _, body = post(server, "/any_exec", {"code": code, "lang": "python", "timeout": 30})
    head, _, rest = body.partition(b"\n")
    assert head == b"0"
    assert rest == b'{"status": "Exception", "exit_code": 3, "stdout": "\\u00e9\\ud83d\\ude00\\u007f\\n", "stderr": ""}\n'


def test_any_exec_timeout(server):
    t0 = time.monotonic()
    st, _, body = post(server, "/any_exec", {"code": CODE_TIMEOUT, "lang": "python", "timeout": 2})
    assert body == b"1\nTimeout"
    assert time.monotonic() - t0 < 30   # liveness


def test_any_exec_unknown_language(server):
    st, _, body = post(server, "/any_exec", {"code": "x", "lang": "klingon", "timeout": 5})
    head, _, msg = body.decode().partition("\n")
    assert head in ("1", "-1"), body
    assert "klingon" in msg and "python" in msg, msg  # names the installed ones


def test_any_exec_testhash_unknown(server):
    # the original refused testhash here ("-1\nTesthash is not supported for
    # this endpoint"); codeexec supports it, and an unknown bank is an error
    st, _, body = post(server, "/any_exec", {"code": "x", "lang": "python", "timeout": 5,
                                             "testhash": ["no-such-bank", "0" * 32]})
    assert (st, body) == (200, b"-1\nFailed to get test from test bank")


def test_testhash_unknown_hash(server):
    res = cer.exec_test(server, "print(1)", "assert False", testhash_repo="no-such-bank")
    assert res == (False, "Failed to get test from test bank")
    st, _, body = post(server, "/py_exec", {"code": "print(1)", "timeout": 5,
                                            "testhash": ["no-such-bank", "0" * 32]})
    assert body == b"-1\nFailed to get test from test bank"
    st, _, body = post(server, "/py_exec", {"code": "print(1)", "timeout": 5, "json_resp": True,
                                            "testhash": ["no-such-bank", "0" * 32]})
    # either the text form or a JSON object with status -1 (the client takes both)
    assert body == b"-1\nFailed to get test from test bank" or \
        json.loads(body) == {"output": "Failed to get test from test bank", "status": -1}


# =============================================================================
# 6. auth and admission


@pytest.fixture(scope="module")
def auth_server():
    from conftest import start_server
    with start_server("--auth-token", "T0k3n") as s:
        yield s.url


def test_auth(auth_server):
    obj = {"code": "print('ok')", "timeout": 10}
    assert post(auth_server, "/py_exec", obj)[0] == 401
    assert post(auth_server, "/py_exec", obj, {"Authorization": "Bearer wrong"})[0] == 401
    assert post(auth_server, "/py_exec", obj, {"Authorization": "wrong"})[0] == 401
    assert post(auth_server, "/py_exec", obj, {"Authorization": "Bearer T0k3n"})[::2] == (200, b"0\nok\n")
    assert post(auth_server, "/py_exec", obj, {"Authorization": "T0k3n"})[::2] == (200, b"0\nok\n")
    assert post(auth_server, "/any_exec", {"code": "1", "lang": "python", "timeout": 5})[0] == 401
    assert post(auth_server, "/py_coverage", {"code": "1", "timeout": 5})[0] == 401
    assert raw(auth_server, "GET", "/health")[::2] == (200, b"OK")


def test_auth_through_client(auth_server, monkeypatch):
    passed, out = cer.exec_test(auth_server, "print('ok')", "")  # no token: fails fast, no retry loop
    assert passed is False and "401" in out
    monkeypatch.setattr(cer, "EXECUTOR_AUTH", "T0k3n")
    assert cer.exec_test(auth_server, "print('ok')", "") == (True, "ok\n")
    assert cer.exec_test_multipl_e(auth_server, "print('ok')", "", "python") == (True, "ok\n")
    assert cer.run_coverage(auth_server, COV_CODE, ["assert f(1) == 1"]) == 80


def test_auth_gateway_envelope(auth_server, monkeypatch):
    """The original client's EXECUTOR_AUTH mode: {"args": {...}} POSTed to the base URL."""
    args = {"code": "print('env')", "timeout": 10, "stdin": "", "json_resp": True, "testhash": None}
    st, _, body = post(auth_server, "/", {"args": args}, {"Authorization": "T0k3n"})
    assert st == 200
    j = json.loads(body)
    assert j["status"] == "SUCCESS"
    assert json.loads(j["result"]["result"]) == {"output": "env\n", "status": 0}
    assert post(auth_server, "/", {"args": args})[0] == 401
    monkeypatch.setattr(cer, "EXECUTOR_AUTH", "T0k3n")
    monkeypatch.setattr(cer, "EXECUTOR_AUTH_ENVELOPE", True)
    assert cer.exec_test(auth_server, "print('env')", "") == (True, "env\n")
    assert cer.exec_test(auth_server, CODE_FAIL, "") == (False, FAIL_TRACEBACK)


def test_queue_full_503_and_client_waits(server_factory, monkeypatch):
    s = server_factory("--max-running", "1", "--max-queue", "1")
    obj = {"code": "import time\ntime.sleep(1.5)\nprint('slept')", "timeout": 10}
    results = [None] * 3

    def go(i):
        results[i] = post(s.url, "/py_exec", obj)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
        time.sleep(0.2)  # arrival order: running, queued, rejected
    for t in threads:
        t.join()
    statuses = sorted(r[0] for r in results)
    assert statuses == [200, 200, 503], results
    for st, _, body in results:
        if st == 200:
            assert body == b"0\nslept\n"
        else:
            assert body, "503 needs a clear body"
    # the client waits for room instead of reporting a failure
    monkeypatch.setattr(cer, "START_BACKOFF", 0.3)
    res = cer.exec_test_batched(s.url, [obj["code"]] * 3, [""] * 3, max_workers=3)
    assert res == [(True, "slept\n")] * 3


# =============================================================================
# 7. containment, from inside a program


def run_json(server, code: str, timeout: int = 20):
    passed, out = cer.exec_test(server, code, "", timeout=timeout)
    assert passed, out
    return json.loads(out)


def test_no_network(server):
    _, port = host_port(server)
    code = f"""
import json, socket
res = {{}}
for host, port in [("127.0.0.1", {port}), ("1.1.1.1", 53), ("::1", {port})]:
    try:
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect((host, port))
        res[host] = "connected"
    except OSError as e:
        res[host] = "blocked"
print(json.dumps(res))
"""
    assert run_json(server, code) == {"127.0.0.1": "blocked", "1.1.1.1": "blocked", "::1": "blocked"}


def test_cannot_read_server_files(server, server_proc):
    paths = ["/work", "/root", str(REPO_ROOT), str(BINARY), str(server_proc.log_path),
             "/etc/shadow", f"/proc/{server_proc.pid}/environ", "/home"]
    code = f"""
import json, os
res = {{}}
for p in {paths!r}:
    try:
        if os.path.isdir(p):
            res[p] = "listed " + str(len(os.listdir(p)))
        else:
            with open(p, "rb") as f:
                res[p] = "read" if f.read(1) else "empty"  # e.g. masked with /dev/null
    except OSError as e:
        res[p] = "denied"
print(json.dumps(res))
"""
    res = run_json(server, code)
    leaks = {p: v for p, v in res.items() if v not in ("denied", "empty", "listed 0")}
    assert not leaks, leaks


def test_not_root(server, server_proc):
    server_uid = os.stat(f"/proc/{server_proc.pid}").st_uid
    code = """
import json, os
caps = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")]
print(json.dumps({"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "capeff": caps[0]}))
"""
    res = run_json(server, code)
    assert res["uid"] != 0 and res["euid"] != 0 and res["gid"] != 0, res
    assert res["uid"] != server_uid, res
    assert int(res["capeff"], 16) == 0, res


def test_cwd_and_path(server):
    code = "import os, sys\nprint(os.getcwd(), sys.argv[0], sys.executable, __name__)"
    assert cer.exec_test(server, code, "") == (True, "/tmp /tmp/main.py /usr/bin/python3 __main__\n")


@pytest.mark.parametrize("keep_fds", [False, True], ids=["closed-fds", "holds-stdout"])
def test_double_fork_daemon_is_killed(server, keep_fds):
    """A daemon must not outlive its run; one that keeps stdout open must not
    hold the reply back either (the run ends when the program exits)."""
    marker = f"1000.{random.randrange(10**6, 10**7)}"
    close = "" if keep_fds else "os.closerange(0, 3)"
    code = f"""
import os
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        {close}
        os.execv("/usr/bin/sleep", ["sleep", "{marker}"])
    os._exit(0)
os.waitpid(pid, 0)
print("spawned", flush=True)
"""
    # passing (not Timeout) is the proof that the daemon did not hold the run
    # to its limit; the bound is liveness only
    t0 = time.monotonic()
    assert cer.exec_test(server, code, "", timeout=60) == (True, "spawned\n")
    assert time.monotonic() - t0 < 30
    left = wait_gone(f"sleep {marker}")
    assert not left, f"daemon outlived its run: {left}"
