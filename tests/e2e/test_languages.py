"""Every installed language through POST /any_exec, with MultiPL-E verdicts.

Each directory tests/e2e/languages/<key>/ holds programs in MultiPL-E's shapes
(pass, fail, syntax, timeout) and expect.json with the status (and, where it
is deterministic, the exit code) MultiPL-E's rules give for each. All cases
are submitted at once at the start (the server queues them; queue time does
not count against a run's limits), then each test checks its own result.
A language whose toolchain is not installed is skipped with the reason the
server gives, never passed.

A timeout program never ends, so it costs its slot the whole run-step limit:
MultiPL-E's T (15 s in most recipes, 5 s in some). One of them (C's) goes through
/any_exec at that T; every other goes through /v1/run with a run-step limit
of RUN_LIMIT_S, whose `verdict` is the same MultiPL-E status computed by the
same rules (exit code -1 included), so each language's timeout rule is still
checked, in a fraction of the time. Compile steps keep their own limits
either way.
"""

from __future__ import annotations

import json
import concurrent.futures as cf
from pathlib import Path

import pytest
import requests

LANG_DIR = Path(__file__).resolve().parent / "languages"
REQUEST_TIMEOUT_S = 120  # the whole run; recipes' own step limits are far below
RUN_LIMIT_S = 4  # the run-step limit of the timeout programs sent to /v1/run
FULL_T_TIMEOUT = "c"  # the language whose timeout program runs at MultiPL-E's T


def _cases():
    out = []
    for d in sorted(p for p in LANG_DIR.iterdir() if (p / "expect.json").is_file()):
        expect = json.loads((d / "expect.json").read_text())
        for name, exp in expect.items():
            files = sorted(d.glob(name + ".*"))
            assert len(files) == 1, f"{d}: expected exactly one {name}.* file, found {files}"
            out.append((d.name, name, files[0], exp))
    return out


CASES = _cases()


@pytest.fixture(scope="module")
def languages(server):
    r = requests.get(server + "/v1/languages", timeout=10)
    r.raise_for_status()
    return {l["key"]: l for l in r.json()["languages"]}


@pytest.fixture(scope="module")
def results(server, languages):
    """Runs every case of every installed language concurrently."""

    def run(case):
        key, name, path, _ = case
        if name == "timeout" and key != FULL_T_TIMEOUT:
            body = {"code": path.read_text(), "language": key, "timeout": RUN_LIMIT_S}
            r = requests.post(server + "/v1/run", json=body, timeout=REQUEST_TIMEOUT_S * 10)
            if r.status_code != 200:
                return r.status_code, r.text
            v = r.json()  # the MultiPL-E result /any_exec would print, in its order
            got = {"status": v["verdict"], "exit_code": v["exit_code"], "stdout": v["stdout"],
                   "stderr": v["stderr"]}
            return 200, "0\n" + json.dumps(got) + "\n"
        body = {"code": path.read_text(), "lang": key, "timeout": REQUEST_TIMEOUT_S}
        r = requests.post(server + "/any_exec", json=body, timeout=REQUEST_TIMEOUT_S * 10)
        return r.status_code, r.text

    todo = [c for c in CASES if languages.get(c[0], {}).get("installed")]
    with cf.ThreadPoolExecutor(max_workers=32) as pool:
        futures = {(c[0], c[1]): pool.submit(run, c) for c in todo}
        return {k: f.result() for k, f in futures.items()}


@pytest.mark.parametrize("key,name,path,expect", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_language_case(key, name, path, expect, languages, results):
    lang = languages.get(key)
    assert lang is not None, f"no recipe for {key} in /v1/languages"
    if not lang["installed"]:
        pytest.skip(f"{key}: toolchain not installed ({lang.get('missing')} is missing)")
    code, text = results[(key, name)]
    assert code == 200, text
    first, _, rest = text.partition("\n")
    assert first == "0", f"expected a MultiPL-E result, got {text!r}"
    assert rest.endswith("}\n")
    got = json.loads(rest)
    assert list(got) == ["status", "exit_code", "stdout", "stderr"]
    detail = f"{key}/{path.name}: {json.dumps(got)[:3000]}"
    assert got["status"] == expect["status"], detail
    if "exit_code" in expect:
        assert got["exit_code"] == expect["exit_code"], detail
    passed = got["status"] == "OK" and got["exit_code"] == 0
    assert passed == (name == "pass"), detail


def test_every_original_key_has_a_recipe(languages):
    original = ("clj cpp cs dfy dlang elixir fs go hs java javascript julia lean lua luau matlab "
                "ocaml php pl python racket r ruby rust scala sh swift ts v").split()
    # not the original's: C, for Judge0's language 50, and java-main (Main.java),
    # for the peers' Java (docs/compat.md)
    added = ["c", "java-main"]
    assert sorted(original + added) == sorted(languages)


@pytest.mark.parametrize("alias,key", [("py", "python"), ("js", "javascript"), ("rb", "ruby"),
                                        ("rs", "rust"), ("d", "dlang"), ("ml", "ocaml"),
                                        ("m", "matlab"), ("rkt", "racket"), ("jl", "julia"),
                                        ("coq", "v"), ("go_test.go", "go")])
def test_aliases(languages, alias, key):
    assert alias in languages[key]["aliases"]


def test_missing_toolchain_explains_itself(server, languages):
    missing = [k for k, l in languages.items() if not l["installed"]]
    if not missing:
        pytest.skip("every toolchain is installed here")
    r = requests.post(server + "/any_exec", json={"code": "x", "lang": missing[0], "timeout": 5})
    assert r.text.startswith("1\n")
    assert "not installed" in r.text and languages[missing[0]]["missing"] in r.text
    assert "python" in r.text.split("Installed languages:")[1]


def test_unknown_language(server):
    r = requests.post(server + "/any_exec", json={"code": "x", "lang": "cobol", "timeout": 5})
    assert r.status_code == 200
    assert r.text.startswith("1\nUnknown language 'cobol'. Installed languages: ")
