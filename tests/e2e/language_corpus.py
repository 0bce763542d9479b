"""The language corpus of tests/e2e/languages/<key>/ (pass, fail, syntax and
timeout programs in MultiPL-E's shapes), shared by test_languages.py and
test_language_caches.py.

A timeout program never ends, so it holds its slot for its recipe's whole
run-step limit: MultiPL-E's T (15 s in most recipes, 5 s in some). The tests
run most of them through /v1/run with a run-step limit of TIMEOUT_PROGRAM_S
instead: its `verdict` is the MultiPL-E status /any_exec reports, from the
same rules (exit code -1 included), and compile steps keep their own limits.
"""

from __future__ import annotations

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
