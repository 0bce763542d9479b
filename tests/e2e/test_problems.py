"""End-to-end tests of the judge problem store (/v1/problems, issue 14).

Every endpoint (PUT, POST .../tests, GET list and one, DELETE), the problem
hash (the MD5 rule of src/bank/problem.h, recomputed here), persistence
across a restart with the same --state-dir (and the file format of
docs/problems.md), a damaged file stopping start-up, the 400/404/507
cases, a multi-MB upload, and GETs answered while a large PUT is written.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import BINARY, REPO_ROOT, require_binary, start_server

TESTS = [{"stdin": "1 2\n", "expected": "3\n"}, {"stdin": "", "expected": "0\n"},
         {"stdin": "é\u0000x", "expected": "caf\u00e9 \U0001f600\n"}]


def request(url, method="GET", data=None):
    if isinstance(data, (dict, list)):
        data = json.dumps(data)
    if isinstance(data, str):
        data = data.encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data is not None
                                 else {})
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def problem_hash(tests) -> str:
    """The hash of problem.h: MD5 over "<len>:<stdin><len>:<expected>" per test."""
    h = hashlib.md5()
    for t in tests:
        for field in (t.get("stdin") or "", t["expected"]):
            b = field.encode()
            h.update(b"%d:" % len(b) + b)
    return h.hexdigest()


def nbytes(tests) -> int:
    return sum(len((t.get("stdin") or "").encode()) + len(t["expected"].encode()) for t in tests)


def entry(name, tests):
    return {"name": name, "tests": len(tests), "bytes": nbytes(tests), "hash": problem_hash(tests)}


def put(url, name, body):
    return request(f"{url}/v1/problems/{name}", "PUT", body)


def get(url, name):
    return request(f"{url}/v1/problems/{name}")


def listing(url):
    st, body = request(url + "/v1/problems")
    assert st == 200
    return body["problems"]


@pytest.fixture
def state(tmp_path):
    return tmp_path / "state"


@pytest.fixture
def srv(state):
    with start_server("--state-dir", state, "--output-limit", "100000") as s:
        yield s


def test_put_list_get_append_delete(srv):
    url = srv.url
    assert listing(url) == []
    checker = {"type": "tokens_float", "abs_eps": 1e-6}
    limits = {"wall_ms": 2000, "memory_mb": 256}
    st, body = put(url, "sum", {"tests": TESTS[:2], "checker": checker, "limits": limits})
    assert (st, body) == (201, entry("sum", TESTS[:2]))
    st, body = put(url, "org%2Fother", {"tests": TESTS[2:]})
    assert (st, body) == (201, entry("org/other", TESTS[2:]))
    # in name order; the hash depends on the tests only
    assert listing(url) == [entry("org/other", TESTS[2:]), entry("sum", TESTS[:2])]
    assert get(url, "sum") == (200, {**entry("sum", TESTS[:2]), "checker": checker,
                                     "limits": limits})
    assert get(url, "org/other") == (200, {**entry("org/other", TESTS[2:]), "checker": None,
                                           "limits": None})
    # append: a new problem with all the tests; checker and limits stay
    st, body = request(f"{url}/v1/problems/sum/tests", "POST", {"tests": TESTS[2:]})
    assert (st, body) == (200, entry("sum", TESTS))
    assert get(url, "sum") == (200, {**entry("sum", TESTS), "checker": checker, "limits": limits})
    # PUT replaces everything, a checker given as a name
    st, body = put(url, "sum", {"tests": TESTS[:1], "checker": "exact"})
    assert (st, body) == (201, entry("sum", TESTS[:1]))
    assert get(url, "sum")[1]["checker"] == "exact" and get(url, "sum")[1]["limits"] is None
    assert request(f"{url}/v1/problems/sum", "DELETE") == (200, {"name": "sum", "deleted": True})
    st, body = get(url, "sum")
    assert st == 404 and body["error"] == "unknown_problem"
    assert listing(url) == [entry("org/other", TESTS[2:])]


def test_not_found_and_bad_names(srv):
    url = srv.url
    for method, path, body in (("GET", "nope", None), ("DELETE", "nope", None),
                               ("POST", "nope/tests", {"tests": TESTS})):
        st, res = request(f"{url}/v1/problems/{path}", method, body)
        assert (st, res["error"]) == (404, "unknown_problem"), (method, path)
        assert "nope" in res["message"]
    for name in (".hidden", "a/b/c", "a%2F..%2Fb", "..", "x" * 129, "sp%20ace", "x.jsonl/y"):
        st, res = put(url, name, {"tests": TESTS})
        assert (st, res["error"]) == (400, "invalid_name"), name
        st, res = get(url, name)
        assert st == 400, name
    # POST without /tests is no endpoint
    st, res = request(f"{url}/v1/problems/p", "POST", {"tests": TESTS})
    assert st == 404 and res["error"] == "not_found"
    assert listing(url) == []


def test_bad_bodies_change_nothing(srv, state):
    url = srv.url
    assert put(url, "keep", {"tests": TESTS, "checker": "tokens"})[0] == 201
    before = (state / "problems" / "keep.jsonl").read_bytes()
    cases = [
        ("{", "invalid_json"),
        ("[1]", "invalid_json"),
        ({}, "invalid_field"),
        ({"tests": []}, "invalid_field"),
        ({"tests": "x"}, "invalid_field"),
        ({"tests": [{"stdin": "x"}]}, "invalid_field"),
        ({"tests": [TESTS[0], {"stdin": 1, "expected": "x"}]}, "invalid_field"),
        ({"tests": [{"expected": "x" * 100001}]}, "invalid_field"),
        ({"tests": TESTS, "checker": 5}, "invalid_field"),
        ({"tests": TESTS, "checker": {"abs_eps": 1}}, "invalid_field"),
        ({"tests": TESTS, "limits": [1]}, "invalid_field"),
        ({"tests": TESTS, "test": []}, "invalid_field"),
        ('{"tests": [], "tests": []}', "invalid_json"),
    ]
    for body, code in cases:
        for method, path in (("PUT", "keep"), ("POST", "keep/tests")):
            st, res = request(f"{url}/v1/problems/{path}", method, body)
            assert (st, res["error"]) == (400, code), (method, body, res)
    # the message names the bad test, and the output limit
    st, res = put(url, "keep", {"tests": [TESTS[0], {"expected": "x" * 100001}]})
    assert "tests[1]" in res["message"] and "100000" in res["message"]
    # POST appends tests only
    st, res = request(f"{url}/v1/problems/keep/tests", "POST", {"tests": TESTS, "checker": "x"})
    assert st == 400 and "checker" in res["message"]
    assert get(url, "keep") == (200, {**entry("keep", TESTS), "checker": "tokens", "limits": None})
    assert (state / "problems" / "keep.jsonl").read_bytes() == before


def test_persisted_across_a_restart(state):
    limits = {"cpu_ms": 1000}
    with start_server("--state-dir", state) as s:
        assert put(s.url, "a", {"tests": TESTS, "checker": "lines_rstrip",
                                "limits": limits})[0] == 201
        assert put(s.url, "org%2Fb", {"tests": TESTS[:1]})[0] == 201
        assert put(s.url, "gone", {"tests": TESTS[:1]})[0] == 201
        assert request(f"{s.url}/v1/problems/org/b/tests", "POST", {"tests": TESTS[1:]})[0] == 200
        assert request(f"{s.url}/v1/problems/gone", "DELETE")[0] == 200
        before = {p["name"]: get(s.url, p["name"])[1] for p in listing(s.url)}
    assert sorted(before) == ["a", "org/b"]
    # the documented format: a header line, then one line per test
    lines = (state / "problems" / "a.jsonl").read_text().splitlines()
    assert json.loads(lines[0]) == {**entry("a", TESTS), "checker": "lines_rstrip",
                                    "limits": limits}
    assert [json.loads(x) for x in lines[1:]] == [{"stdin": t["stdin"], "expected": t["expected"]}
                                                  for t in TESTS]
    assert (state / "problems" / "org" / "b.jsonl").is_file()
    assert not (state / "problems" / "gone.jsonl").exists()
    # a temporary file left by a crash is removed at start-up
    leftover = state / "problems" / ".a.jsonl.XyZ123"
    leftover.write_text("partial")
    with start_server("--state-dir", state) as s:
        assert {p["name"]: get(s.url, p["name"])[1] for p in listing(s.url)} == before
        assert before["org/b"] == {**entry("org/b", TESTS), "checker": None, "limits": None}
        assert not leftover.exists()
        assert "problem a: 3 tests" in s.log_text()


def run_server_expect_failure(*args, timeout=30):
    """Starts the binary expecting it to refuse to start; returns its output."""
    require_binary()
    r = subprocess.run([str(BINARY), "--ip", "127.0.0.1", "--port", "1", *map(str, args)],
                       cwd=str(REPO_ROOT), capture_output=True, text=True, timeout=timeout)
    assert r.returncode != 0, r.stderr
    return r.stdout + r.stderr


def test_damaged_file_stops_startup(state):
    with start_server("--state-dir", state) as s:
        assert put(s.url, "p", {"tests": TESTS})[0] == 201
    path = state / "problems" / "p.jsonl"
    good = path.read_text()
    lines = good.splitlines(keepends=True)
    header = json.loads(lines[0])
    cases = [
        ("".join(lines[:-1]), ":4: 2 tests with hash"),                      # truncated
        (good + '{"stdin": "x"\n', ":5: invalid JSON"),
        (good + '{"stdin": "x", "expected": 1}\n', ":5: a test line must be"),
        (json.dumps({**header, "name": "q"}) + "\n" + "".join(lines[1:]), ":1: the file is for"),
        ('{"tests": 3}\n', ":1: the first line must be"),
        ("", ":1: empty file"),
    ]
    for content, needle in cases:
        path.write_text(content)
        out = run_server_expect_failure("--state-dir", state)
        assert f"{path}{needle}" in out, (needle, out)
        assert "problems" in out
    path.write_text(good)
    with start_server("--state-dir", state) as s:
        assert get(s.url, "p")[1]["hash"] == problem_hash(TESTS)


def test_cap_is_507(state):
    kb300 = [{"stdin": "s" * 100_000, "expected": "e" * 200_000}]
    with start_server("--state-dir", state, "--problems-mb", "1") as s:
        url = s.url
        assert put(url, "a", {"tests": kb300 * 2})[0] == 201       # 600 000 of 1 048 576
        st, res = put(url, "b", {"tests": kb300 * 2})
        assert st == 507 and res["error"] == "insufficient_storage"
        assert "--problems-mb" in res["message"] and "1048576" in res["message"]
        # a replacement counts without the problem it replaces
        assert put(url, "a", {"tests": kb300 * 3})[0] == 201       # 900 000
        st, res = request(f"{url}/v1/problems/a/tests", "POST", {"tests": kb300})
        assert st == 507
        assert get(url, "a")[1] == {**entry("a", kb300 * 3), "checker": None, "limits": None}
        assert [p["name"] for p in listing(url)] == ["a"]
        assert not (state / "problems" / "b.jsonl").exists()
        assert request(f"{url}/v1/problems/a", "DELETE")[0] == 200
        assert put(url, "b", {"tests": kb300 * 2})[0] == 201


def big_tests(n, size, seed):
    return [{"stdin": f"{seed} {i}\n" + "x" * size, "expected": f"{i}\n" + "y" * size}
            for i in range(n)]


def test_multi_mb_upload_and_gets_during_a_put(state):
    with start_server("--state-dir", state) as s:
        url = s.url
        small = [{"stdin": "1\n", "expected": "1\n"}]
        assert put(url, "small", {"tests": small})[0] == 201
        first = big_tests(40, 200_000, "a")                            # 16 MB
        st, res = put(url, "big", {"tests": first})
        assert (st, res) == (201, entry("big", first))
        # replace it with another 16 MB while GETs go on: each sees the old
        # problem or the new one, never an error or a mix
        second = big_tests(40, 200_000, "b")
        body = json.dumps({"tests": second}).encode()
        result = {}

        def upload():
            result["put"] = put(url, "big", body)

        t = threading.Thread(target=upload)
        t.start()
        seen = set()
        answered = 0
        while t.is_alive() or answered < 3:
            st, res = get(url, "big")
            assert st == 200
            seen.add(res["hash"])
            assert get(url, "small")[0] == 200
            with urllib.request.urlopen(url + "/health", timeout=60) as r:
                assert r.read() == b"OK"
            answered += 1
        t.join()
        assert result["put"] == (201, entry("big", second))
        assert seen <= {problem_hash(first), problem_hash(second)}
        assert get(url, "big")[1]["hash"] == problem_hash(second)
        # append 8 MB more to it in one POST
        more = big_tests(20, 200_000, "c")
        st, res = request(f"{url}/v1/problems/big/tests", "POST", {"tests": more})
        assert (st, res) == (200, entry("big", second + more))
    with start_server("--state-dir", state) as s:
        assert get(s.url, "big")[1]["hash"] == problem_hash(second + more)
        assert get(s.url, urllib.parse.quote("small"))[1]["tests"] == 1
