"""The web console (docs/console.md): the page and its assets at / and
/console/, GET /v1/status, GET /v1/history[/<id>] and --history, the
example program of every installed language, and the page itself in Debian's
chromium driven by playwright-core (tests/e2e/browser/console.mjs).

The browser tests skip, saying why, when node, chromium or web/node_modules'
playwright-core is missing (`make test` installs all three: scripts/setup.sh
browser, scripts/build-web). Their screenshots are written to
build/screenshots/; with CODEEXEC_UPDATE_SCREENSHOTS=1 to docs/img/, where
the README shows them (so an ordinary test run changes no tracked file)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from conftest import REPO_ROOT, start_server

EXAMPLES = json.loads((REPO_ROOT / "web" / "src" / "examples.json").read_text())
BROWSER_SCRIPT = REPO_ROOT / "tests" / "e2e" / "browser" / "console.mjs"
SHOTS = REPO_ROOT / ("docs/img" if os.environ.get("CODEEXEC_UPDATE_SCREENSHOTS") == "1"
                      else "build/screenshots")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def run(url, language, code, stdin="", headers=None, **extra):
    r = requests.post(url + "/v1/run", json={"language": language, "code": code, "stdin": stdin, **extra},
                      headers=headers or {}, timeout=300)
    assert r.status_code == 200, r.text[:300]
    return r.json()


# ---- the page and its assets -------------------------------------------------


def test_page_and_assets(server):
    r = requests.get(server + "/", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<title>codeexec console</title>" in r.text
    assert '<script src="/console/console.js">' in r.text
    js = requests.get(server + "/console/console.js", timeout=10)
    assert js.status_code == 200 and js.headers["Content-Type"].startswith("text/javascript")
    # CodeMirror is in the bundle: nothing is fetched from elsewhere
    assert "cm-editor" in js.text and "https://" not in r.text
    css = requests.get(server + "/console/console.css", timeout=10)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert requests.head(server + "/", timeout=10).status_code == 200
    for missing in ("/console/nope.js", "/console/", "/console/a/console.js", "/console/%2e%2e/x"):
        assert requests.get(server + missing, timeout=10).status_code == 404, missing


def test_root_other_methods_and_gateway_form(server):
    # GET / is the page; POST / is still the original's /py_exec gateway form;
    # other methods on / stay 404 (the original client's liveness check takes
    # 200 or 404 from GET /)
    assert requests.put(server + "/", data="{}", timeout=10).status_code == 404
    assert requests.delete(server + "/", timeout=10).status_code == 404
    r = requests.post(server + "/", json={"code": "print(7)", "timeout": 10}, timeout=60)
    assert (r.status_code, r.content) == (200, b"0\n7\n")


# ---- status ----------------------------------------------------------------------


def test_status_counts_runs(server_factory):
    s = server_factory()
    st0 = requests.get(s.url + "/v1/status", timeout=10).json()
    for key in ("running", "queued", "slots", "queue_capacity", "runs_total", "requests_total", "judges_total",
                "sandbox_failures_total", "runs_by_verdict", "languages", "warm_python", "memory_rss_bytes",
                "history", "recent_errors", "time"):
        assert key in st0, key
    assert st0["runs_total"] == 0 and st0["languages"] == [] and st0["recent_errors"] == []
    assert st0["memory_rss_bytes"] > 0 and st0["slots"] >= 1
    run(s.url, "python", "print(1)")
    run(s.url, "python", "raise SystemExit(3)")
    st = requests.get(s.url + "/v1/status", timeout=10).json()
    assert st["runs_total"] == 2
    assert st["runs_by_verdict"] == {"OK": 1, "Exception": 1}
    (py,) = st["languages"]
    assert py["language"] == "python" and py["runs"] == 2
    assert 0 < py["p50_ms"] <= py["p95_ms"] <= py["p99_ms"]
    assert st["history"] == {"kept": 2, "capacity": 100}
    assert st["requests_total"] > st0["requests_total"]


# ---- history ----------------------------------------------------------------------


def test_history_records_and_filters(server_factory):
    s = server_factory()
    assert requests.get(s.url + "/v1/history", timeout=10).json() == {"capacity": 100, "runs": []}
    a = run(s.url, "python", "import sys\nprint(sys.stdin.read().upper(), sys.argv[1:])", "hi", args=["x", "y"])
    b = run(s.url, "python", "raise ValueError('no')")
    c = run(s.url, "sh", "echo shell; exit 4")
    assert (a["verdict"], b["verdict"], c["exit_code"]) == ("OK", "Exception", 4)
    runs = requests.get(s.url + "/v1/history", timeout=10).json()["runs"]
    assert [r["language"] for r in runs] == ["sh", "python", "python"]  # newest first
    assert [r["id"] for r in runs] == [3, 2, 1]
    assert all("request" not in r and "result" not in r for r in runs)  # summaries only
    assert runs[0]["exit_code"] == 4 and runs[0]["endpoint"] == "/v1/run"

    only_py = requests.get(s.url + "/v1/history?language=python", timeout=10).json()["runs"]
    assert [r["id"] for r in only_py] == [2, 1]
    failed = requests.get(s.url + "/v1/history?language=python&verdict=Exception", timeout=10).json()["runs"]
    assert [r["id"] for r in failed] == [2]
    assert [r["id"] for r in requests.get(s.url + "/v1/history?limit=1", timeout=10).json()["runs"]] == [3]
    for bad in ("limit=0", "limit=x", "limit=-1"):
        r = requests.get(s.url + "/v1/history?" + bad, timeout=10)
        assert r.status_code == 400 and r.json()["error"] == "invalid_field", bad

    one = requests.get(s.url + "/v1/history/1", timeout=10).json()
    assert one["request"]["code"] == "import sys\nprint(sys.stdin.read().upper(), sys.argv[1:])"
    assert one["request"]["stdin"] == "hi" and one["request"]["args"] == ["x", "y"]
    assert one["result"]["stdout"] == "HI ['x', 'y']\n"
    assert one["verdict"] == "OK" and one["status"] == "ok" and one["exit_code"] == 0
    assert one["memory_bytes"] > 0 and one["run_ms"] > 0
    assert "ValueError: no" in requests.get(s.url + "/v1/history/2", timeout=10).json()["result"]["stderr"]
    for missing in ("4", "0", "x", "1x", "99999999999999999999999"):
        r = requests.get(s.url + "/v1/history/" + missing, timeout=10)
        assert r.status_code == 404 and r.json()["error"] == "not_found", missing


def test_history_records_judges(server_factory):
    """A judge (of /v1/judge, or an item of /v1/batch) is one history entry in
    the runs' shape, with its verdict, passed/total and the output of the
    test that decided the verdict; its boxes are not entries of their own."""
    s = server_factory()
    add = "a, b = map(int, input().split())\nprint(a + b)\n"
    tests = [{"stdin": "1 2", "expected": "3"}, {"stdin": "2 2", "expected": "5"},
             {"stdin": "x", "expected": "1"}]
    r = requests.post(s.url + "/v1/judge", timeout=300,
                      json={"language": "python", "code": add, "tests": tests, "checker": "tokens"})
    assert r.status_code == 200 and r.json()["verdict"] == "WA", r.text[:300]
    runs = requests.get(s.url + "/v1/history", timeout=10).json()["runs"]
    assert len(runs) == 1, runs
    e = runs[0]
    assert (e["kind"], e["endpoint"], e["language"], e["verdict"]) == ("judge", "/v1/judge", "python", "WA")
    assert (e["passed"], e["total"], e["status"], e["exit_code"]) == (1, 3, None, None)
    assert e["run_ms"] > 0 and e["queue_ms"] >= 0 and e["memory_bytes"] > 0
    assert [x["id"] for x in requests.get(s.url + "/v1/history?verdict=WA", timeout=10).json()["runs"]] \
        == [e["id"]]
    one = requests.get(s.url + "/v1/history/%d" % e["id"], timeout=10).json()
    rq, rs = one["request"], one["result"]
    assert (rq["code"], rq["tests"], rq["problem"], rq["checker"], rq["endpoint"]) == \
        (add, 3, None, "tokens", "/v1/judge")
    assert rs["verdicts"] == {"AC": 1, "WA": 1, "RE": 1} and rs["test"] == 1
    assert rs["stdout"] == "4\n" and rs["error"] and rs["compile"] is None

    # a run is "kind": "run"; a batch's judge item is recorded under /v1/batch
    run(s.url, "python", "print(1)")
    r = requests.post(s.url + "/v1/batch", timeout=300, json={"runs": [
        {"language": "python", "code": add, "tests": tests[:1]}]})
    assert r.status_code == 200
    runs = requests.get(s.url + "/v1/history", timeout=10).json()["runs"]
    assert [(x["kind"], x["endpoint"]) for x in runs] == [("judge", "/v1/batch"), ("run", "/v1/run"),
                                                        ("judge", "/v1/judge")]
    assert (runs[0]["verdict"], runs[0]["passed"], runs[0]["total"]) == ("AC", 1, 1)
    assert requests.get(s.url + "/v1/history/%d" % runs[0]["id"], timeout=10).json()["result"]["test"] is None


@pytest.mark.skipif(not shutil.which("g++"), reason="g++ is not installed")
def test_history_of_a_judge_that_does_not_compile(server_factory):
    s = server_factory()
    r = requests.post(s.url + "/v1/judge", timeout=300,
                      json={"language": "cpp", "code": "int main( {", "tests": [{"expected": ""}] * 2})
    assert r.json()["verdict"] == "CE"
    (e,) = requests.get(s.url + "/v1/history", timeout=10).json()["runs"]
    assert (e["verdict"], e["passed"], e["total"]) == ("CE", 0, 2)
    rs = requests.get(s.url + "/v1/history/%d" % e["id"], timeout=10).json()["result"]
    assert rs["compile"] == "program" and "error" in rs["stderr"] and rs["verdicts"] == {"SKIPPED": 2}


def test_history_of_the_compat_endpoint_and_cut_texts(server_factory):
    s = server_factory()
    r = requests.post(s.url + "/py_exec", json={"code": "print('x' * 20000)\n#" + "c" * 40000, "timeout": 10},
                      timeout=60)
    assert r.status_code == 200
    (summary,) = requests.get(s.url + "/v1/history", timeout=10).json()["runs"]
    assert summary["endpoint"] == "/py_exec" and summary["language"] == "python"
    one = requests.get(s.url + "/v1/history/%d" % summary["id"], timeout=10).json()
    assert one["request"]["code_truncated"] is True and len(one["request"]["code"]) == 32 * 1024
    assert one["result"]["stdout_truncated"] is True and one["result"]["stdout"] == "x" * 8192


def test_history_is_bounded_and_can_be_off(server_factory):
    s = server_factory("--history", "2")
    for i in range(3):
        run(s.url, "python", f"print({i})")
    runs = requests.get(s.url + "/v1/history", timeout=10).json()
    assert runs["capacity"] == 2 and [r["id"] for r in runs["runs"]] == [3, 2]
    assert requests.get(s.url + "/v1/history/1", timeout=10).status_code == 404  # gone, not reused
    assert requests.get(s.url + "/v1/history/3", timeout=10).json()["result"]["stdout"] == "2\n"
    s.stop()

    for flags in (["--history", "0"], ["--no-history"]):
        off = server_factory(*flags)
        run(off.url, "python", "print(1)")
        assert requests.get(off.url + "/v1/history", timeout=10).json() == {"capacity": 0, "runs": []}
        assert requests.get(off.url + "/v1/status", timeout=10).json()["history"] == {"kept": 0, "capacity": 0}
        off.stop()


def test_auth_guards_status_and_history(server_factory):
    token = "console-" + os.urandom(6).hex()
    s = server_factory("--auth-token", token)
    good = {"Authorization": "Bearer " + token}
    run(s.url, "python", "print('secret output')", headers=good)
    # the page and its assets are open: the page asks for the token
    assert requests.get(s.url + "/", timeout=10).status_code == 200
    assert requests.get(s.url + "/console/console.js", timeout=10).status_code == 200
    for path in ("/v1/status", "/v1/history", "/v1/history/1", "/v1/languages"):
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            r = requests.get(s.url + path, headers=headers, timeout=10)
            assert r.status_code == 401 and "secret" not in r.text, (path, headers)
    r = requests.get(s.url + "/v1/history/1", headers=good, timeout=10)
    assert r.status_code == 200 and r.json()["result"]["stdout"] == "secret output\n"


# ---- the example programs ---------------------------------------------------------


@pytest.fixture(scope="module")
def installed(server):
    return {l["key"]: l for l in requests.get(server + "/v1/languages", timeout=10).json()["languages"]}


def test_every_language_has_an_example(installed):
    assert sorted(EXAMPLES) == sorted(installed)


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_example_passes(server, installed, key):
    if not installed[key]["installed"]:
        pytest.skip(f"{key} not installed: {installed[key].get('missing')}")
    ex = EXAMPLES[key]
    r = run(server, key, ex["code"], ex["stdin"])
    assert r["passed"], json.dumps(r)[:1500]
    if key not in ("go", "lean", "v"):  # tests and proofs print no sum
        assert "55" in r["stdout"], r["stdout"]


# ---- in a browser --------------------------------------------------------------------


def browser_missing():
    if not shutil.which("node"):
        return "node is missing"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (scripts/setup.sh browser installs Debian's chromium)"
    if not (REPO_ROOT / "web" / "node_modules" / "playwright-core").is_dir():
        return "web/node_modules/playwright-core is missing (make builds web/ with npm ci)"
    return None


def drive(*args):
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    SHOTS.mkdir(parents=True, exist_ok=True)
    p = subprocess.run(["node", str(BROWSER_SCRIPT), *args], capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout.split("\n")


def test_browser_playground_judge_status_history(server_factory):
    s = server_factory()
    lines = drive("play", s.url, str(SHOTS))
    for step in ("page", "python", "cpp", "judge", "status", "history", "judge history"):
        assert "ok " + step in lines
    for view in ("playground", "judge", "status", "history"):
        assert (SHOTS / f"console-{view}.png").stat().st_size > 0


def test_browser_token_prompt(server_factory):
    token = "tok-" + os.urandom(6).hex()
    s = server_factory("--auth-token", token)
    lines = drive("auth", s.url, str(SHOTS), token)
    assert "ok wrong token refused" in lines and "ok right token" in lines
    assert (SHOTS / "console-token.png").stat().st_size > 0
