"""The language corpus of tests/e2e/languages/<key>/ (pass, fail, syntax and
timeout programs in MultiPL-E's shapes), shared by test_languages.py and
test_language_caches.py.

A timeout program never ends, so it holds its slot for its recipe's whole
run-step limit: MultiPL-E's T (15 s in most recipes, 5 s in some). The tests
run most of them through /v1/run with a run-step limit of TIMEOUT_PROGRAM_S
instead: its `verdict` is the MultiPL-E status /any_exec reports, from the
same rules (exit code -1 included), and compile steps keep their own limits.

Both modules run the corpus on the session's default server, the same
requests: corpus_reply runs each case there once per session and hands the
reply to whichever module asks next (test_language_caches.py, which runs
first, compares it with a server without caches; test_languages.py checks
its MultiPL-E verdict). That saves the suite a second run of every cached
language's corpus, the slowest ones.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import threading
from pathlib import Path

import requests

LANG_DIR = Path(__file__).resolve().parent / "languages"
TIMEOUT_PROGRAM_S = 4
REQUEST_TIMEOUT_S = 120


def timeout_program_result(url: str, key: str, code: str) -> dict:
    """MultiPL-E's result of a never-ending program, the dict /any_exec
    prints, with its run step cut at TIMEOUT_PROGRAM_S."""
    body = {"code": code, "language": key, "timeout": TIMEOUT_PROGRAM_S}
    r = requests.post(url + "/v1/run", json=body, timeout=REQUEST_TIMEOUT_S * 10)
    assert r.status_code == 200, r.text
    v = r.json()
    return {"status": v["verdict"], "exit_code": v["exit_code"], "stdout": v["stdout"],
            "stderr": v["stderr"]}


def any_exec_reply(url: str, key: str, code: str) -> tuple:
    """(HTTP status, body) of an /any_exec request with no limit of its own
    (the recipe's step limits apply)."""
    body = {"code": code, "lang": key, "timeout": REQUEST_TIMEOUT_S}
    r = requests.post(url + "/any_exec", json=body, timeout=REQUEST_TIMEOUT_S * 10)
    return r.status_code, r.text


def multiple_result(reply) -> dict:
    """The MultiPL-E result of a case's reply in either of corpus_reply's
    forms; of an /any_exec reply, whose shape it checks."""
    if isinstance(reply, dict):
        return reply
    code, text = reply
    assert code == 200, text
    first, _, rest = text.partition("\n")
    assert first == "0", f"expected a MultiPL-E result, got {text!r}"
    assert rest.endswith("}\n")
    got = json.loads(rest)
    assert list(got) == ["status", "exit_code", "stdout", "stderr"]
    return got


_replies: dict = {}
_replies_lock = threading.Lock()


def corpus_reply(url: str, key: str, name: str, code: str, full_t: bool = False):
    """The reply of the server at url to corpus case key/name, run once per
    session (concurrent askers wait for the first): a timeout program's
    result dict (timeout_program_result) unless full_t, else /any_exec's
    (status, body). A failed request is not kept."""
    via_any_exec = full_t or name != "timeout"
    k = (url, key, name, via_any_exec)
    with _replies_lock:
        fut = _replies.get(k)
        mine = fut is None
        if mine:
            fut = _replies[k] = cf.Future()
    if mine:
        try:
            if via_any_exec:
                fut.set_result(any_exec_reply(url, key, code))
            else:
                fut.set_result(timeout_program_result(url, key, code))
        except BaseException as e:  # noqa: B902 - handed to the waiters, then raised
            with _replies_lock:
                del _replies[k]
            fut.set_exception(e)
    return fut.result()


def forget_corpus_reply(url: str, key: str, name: str) -> None:
    """Drops a kept reply (one that met its time limit under load and is run
    again), so that the next corpus_reply runs the case afresh."""
    with _replies_lock:
        for k in [k for k in _replies if k[:3] == (url, key, name)]:
            del _replies[k]
