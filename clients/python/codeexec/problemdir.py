"""Problems on disk: a problem directory or a JSONL file of tests, read into
what /v1/judge and PUT /v1/problems take.

A problem directory (docs/judge.md, "Problem directories"):

    problem.json          optional: {"checker": ..., "limits": {...}}
    tests/NAME.in         a test's stdin
    tests/NAME.out        its expected output (or NAME.ans)
    tests.jsonl           instead of tests/: one {"stdin", "expected"} per line
    checker.EXT           optional checker program (EXT gives its language)
    checker/              optional extra files for it (testlib.h, ...)

Tests are ordered by NAME naturally (digit runs compare as numbers: 2
before 10). A JSONL file given instead of a directory is the tests alone.

The hash (problem_hash) is the server's: MD5 of the tests in order, each as
"<len(stdin)>:<stdin><len(expected)>:<expected>" with byte lengths.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from typing import Any, Dict, List, Optional, Tuple

# Checker program sources the loader looks for, and their languages.
_CHECKER_EXTS = {".cpp": "cpp", ".cc": "cpp", ".c": "c", ".py": "python", ".java": "java",
                 ".rs": "rust", ".go": "go"}
_ANSWER_EXTS = (".out", ".ans")


class ProblemError(ValueError):
    """The directory or file is not a problem this loader can read."""


def natural_key(name: str) -> Tuple:
    """Sort key comparing runs of digits as numbers ("2" < "10")."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p)
                 for p in re.split(r"(\d+)", name) if p != "")


def _read_text(path: str) -> str:
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ProblemError(f"{path}: not UTF-8 text ({e})") from None


def read_jsonl_tests(path: str) -> Tuple[List[Dict[str, str]], List[str]]:
    """Tests of a JSONL file (one {"stdin", "expected"} per line) and their names
    ("line N")."""
    tests, names = [], []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                raise ProblemError(f"{path}:{lineno}: not JSON ({e})") from None
            if not isinstance(obj, dict) or not isinstance(obj.get("stdin", ""), str) \
                    or not isinstance(obj.get("expected"), str):
                raise ProblemError(f"{path}:{lineno}: a test is {{\"stdin\": str, "
                                   f"\"expected\": str}}")
            tests.append({"stdin": obj.get("stdin", ""), "expected": obj["expected"]})
            names.append(str(obj.get("name") or f"line {lineno}"))
    if not tests:
        raise ProblemError(f"{path}: no tests")
    return tests, names


def _read_test_dir(tdir: str) -> Tuple[List[Dict[str, str]], List[str]]:
    entries = set(os.listdir(tdir))
    stems = sorted((e[:-3] for e in entries if e.endswith(".in")), key=natural_key)
    tests, names = [], []
    for stem in stems:
        ans = next((stem + x for x in _ANSWER_EXTS if stem + x in entries), None)
        if ans is None:
            raise ProblemError(f"{tdir}/{stem}.in has no {stem}.out or {stem}.ans")
        tests.append({"stdin": _read_text(os.path.join(tdir, stem + ".in")),
                      "expected": _read_text(os.path.join(tdir, ans))})
        names.append(stem)
    if not tests:
        raise ProblemError(f"{tdir}: no tests (NAME.in with NAME.out or NAME.ans)")
    return tests, names


def _file_entry(path: str) -> Dict[str, str]:
    with open(path, "rb") as f:
        data = f.read()
    name = os.path.basename(path)
    try:
        return {"name": name, "content": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"name": name, "content": base64.b64encode(data).decode(), "encoding": "base64"}


def checker_program(source: str, extra_dir: Optional[str] = None,
                    language: Optional[str] = None) -> Dict[str, Any]:
    """A {"type": "program", ...} checker from a source file, with the files of
    extra_dir (if any) beside it."""
    lang = language or _CHECKER_EXTS.get(os.path.splitext(source)[1].lower())
    if lang is None:
        from .client import language_for_path
        lang = language_for_path(source)
    if lang is None:
        raise ProblemError(f"{source}: cannot tell the checker's language from its extension")
    chk: Dict[str, Any] = {"type": "program", "language": lang, "code": _read_text(source)}
    if extra_dir and os.path.isdir(extra_dir):
        files = [_file_entry(os.path.join(extra_dir, n)) for n in sorted(os.listdir(extra_dir))
                 if os.path.isfile(os.path.join(extra_dir, n))]
        if files:
            chk["files"] = files
    return chk


def load_problem(path: str) -> Dict[str, Any]:
    """Reads a problem directory or a JSONL file of tests.

    Returns {"name": directory or file stem, "tests": [...], "names": [test
    names], "checker": ... or None, "limits": {...} or None}."""
    path = os.path.normpath(path)
    name = os.path.basename(path)
    if os.path.isfile(path):
        tests, names = read_jsonl_tests(path)
        return {"name": os.path.splitext(name)[0], "tests": tests, "names": names,
                "checker": None, "limits": None}
    if not os.path.isdir(path):
        raise ProblemError(f"{path}: no such directory or file")
    meta: Dict[str, Any] = {}
    pj = os.path.join(path, "problem.json")
    if os.path.isfile(pj):
        try:
            meta = json.loads(_read_text(pj))
        except ValueError as e:
            raise ProblemError(f"{pj}: not JSON ({e})") from None
        if not isinstance(meta, dict):
            raise ProblemError(f"{pj}: must be an object")
    tdir, tj = os.path.join(path, "tests"), os.path.join(path, "tests.jsonl")
    if os.path.isdir(tdir):
        tests, names = _read_test_dir(tdir)
    elif os.path.isfile(tj):
        tests, names = read_jsonl_tests(tj)
    else:
        raise ProblemError(f"{path}: no tests/ directory and no tests.jsonl")
    checker = meta.get("checker")
    sources = sorted(e for e in os.listdir(path)
                     if os.path.splitext(e)[0] == "checker" and os.path.isfile(os.path.join(path, e)))
    if sources:
        if len(sources) > 1:
            raise ProblemError(f"{path}: more than one checker program: {', '.join(sources)}")
        prog = checker_program(os.path.join(path, sources[0]), os.path.join(path, "checker"))
        if isinstance(checker, dict) and checker.get("type") == "program":
            prog = dict(checker, **{k: v for k, v in prog.items() if k not in checker
                                    or k in ("code", "files")})
        elif checker is not None:
            raise ProblemError(f"{pj}: names checker {checker!r} but {sources[0]} is there too")
        checker = prog
    return {"name": meta.get("name") or name, "tests": tests, "names": names,
            "checker": checker, "limits": meta.get("limits")}


def problem_hash(tests) -> str:
    """The server's hash of a list of tests (see the module comment)."""
    h = hashlib.md5()
    for t in tests:
        for field in ("stdin", "expected"):
            b = (t.get(field) or "").encode("utf-8")
            h.update(str(len(b)).encode() + b":" + b)
    return h.hexdigest()
