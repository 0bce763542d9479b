"""Every installed language through POST /any_exec, with MultiPL-E verdicts.

Each directory tests/e2e/languages/<key>/ holds programs in MultiPL-E's shapes
(pass, fail, syntax, timeout) and expect.json with the status (and, where it
is deterministic, the exit code) MultiPL-E's rules give for each. All cases
are submitted at once at the start (the server queues them; queue time does
not count against a run's limits), then each test checks its own result.
A language whose toolchain is not installed is skipped with the reason the
server gives, never passed.

The timeout programs go through /v1/run with a short run-step limit
(language_corpus.py), but for C's, which goes through /any_exec at
MultiPL-E's T: each language's timeout rule is still checked, in a fraction
of the time. A case test_language_caches.py already ran on the same server
(every cached language's corpus) is not run again: its reply is kept
(language_corpus.corpus_reply).
"""

from __future__ import annotations

import json
import concurrent.futures as cf

import pytest
import requests

from language_corpus import LANG_DIR, corpus_reply, multiple_result

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
    """Runs every case of every installed language concurrently: {case: the
    future of its reply}, each done (a failed request fails its own test)."""

    def run(case):
        key, name, path, _ = case
        # (kept from test_language_caches.py's run of the same case, if any)
        return corpus_reply(server, key, name, path.read_text(), full_t=key == FULL_T_TIMEOUT)

    todo = [c for c in CASES if languages.get(c[0], {}).get("installed")]
    with cf.ThreadPoolExecutor(max_workers=32) as pool:
        return {(c[0], c[1]): pool.submit(run, c) for c in todo}


@pytest.mark.parametrize("key,name,path,expect", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_language_case(key, name, path, expect, languages, results):
    lang = languages.get(key)
    assert lang is not None, f"no recipe for {key} in /v1/languages"
    if not lang["installed"]:
        pytest.skip(f"{key}: toolchain not installed ({lang.get('missing')} is missing)")
    reply = results[(key, name)].result()
    got = multiple_result(reply)
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
