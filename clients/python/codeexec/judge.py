"""Judge mode and the problem store: the Client methods for /v1/judge and /v1/problems.

Theory of operation.

* `judge()` sends one POST /v1/judge: one program, many stdin tests, one
  checker (docs/judge.md). Without streaming the reply is one JSON object.
  With streaming (`stream=True`, or a callable called with each event) the
  server answers NDJSON: a `compile` event, one `test` event per test in
  completion order, then `done`; the events are put back together into the
  same object the non-streamed reply has (tests in index order), so a
  caller reads one shape either way. `iter_judge()` yields the raw events.
* Retries: a judge request is idempotent, so a connection error, an HTTP
  500/502/503/504 or a transient error code is retried like a /v1/run (on
  the next server, with back-off), but only before the first event reached
  the caller: a stream cut after that raises CodeExecError("stream_cut")
  rather than show the caller the same tests twice.
* Problems (PUT/POST/GET/DELETE /v1/problems/NAME) are plain requests with
  the same retry rule; bad input (400, 404, 409) raises at once.

This is a mixin: Client (client.py) inherits it and provides the plumbing
(_session, _pool, _delay, _error_body, ...).
"""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Union
from urllib.parse import quote

import requests

VERDICTS = ("AC", "WA", "PE", "TLE", "MLE", "OLE", "RE", "CE", "SE", "SKIPPED")

# A test that never ran, as the one-piece reply shows it.
SKIPPED_TEST = {"verdict": "SKIPPED", "wall_ms": None, "cpu_ms": None, "memory_kb": None,
                "exit_code": None, "signal": None, "stdout": None, "stdout_truncated": False,
                "stderr": None, "stderr_truncated": False, "checker_message": None,
                "warm": False}

Tests = Sequence[Dict[str, str]]
EventCallback = Callable[[Dict[str, Any]], None]


def judge_payload(language: str, code: Optional[str] = None, files=None,
                  tests: Optional[Tests] = None, problem: Optional[str] = None,
                  checker=None, limits=None, compile_limits=None,
                  stop_on_first_failure: bool = False, stream: bool = False,
                  **fields) -> Dict[str, Any]:
    """The POST /v1/judge body (fields that are None are left out)."""
    if code is None and not files:
        raise ValueError("judge needs code or files")
    if (tests is None) == (problem is None):
        raise ValueError("judge needs exactly one of tests and problem")
    body = dict(fields, language=language, code=code, files=files,
                tests=list(tests) if tests is not None else None, problem=problem,
                checker=checker, limits=limits, compile_limits=compile_limits)
    body = {k: v for k, v in body.items() if v is not None}
    if stop_on_first_failure:
        body["stop_on_first_failure"] = True
    if stream:
        body["stream"] = True
    return body


def assemble(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The non-streamed reply shape from the events of a streamed one."""
    out: Dict[str, Any] = {"compile": None, "tests": []}
    tests = {}
    for ev in events:
        kind = ev.get("event")
        body = {k: v for k, v in ev.items() if k != "event"}
        if kind == "test":
            tests[body.get("index")] = body
        elif kind == "compile":
            out.update(body)
        elif kind == "done":
            out.update(body)
    # The server streams no events for tests it never ran after a compile
    # error; the one-piece reply lists them as SKIPPED, and so does this.
    total = out.get("total")
    if isinstance(total, int):
        for i in range(total):
            tests.setdefault(i, dict(SKIPPED_TEST, index=i))
    out["tests"] = [tests[i] for i in sorted(tests, key=lambda i: (i is None, i or 0))]
    return out


class JudgeMixin:
    """Judge mode (POST /v1/judge) and the problem store (/v1/problems)."""

    # -- judge ------------------------------------------------------------

    def judge(self, language: str, code: Optional[str] = None, files=None,
              tests: Optional[Tests] = None, problem: Optional[str] = None, checker=None,
              limits=None, compile_limits=None, stop_on_first_failure: bool = False,
              stream: Union[bool, EventCallback] = False, **fields) -> Dict[str, Any]:
        """Judges one program against stdin/expected tests (POST /v1/judge).

        tests     [{"stdin": str, "expected": str}, ...]; or problem="NAME" (stored)
        checker   a name ("tokens", ...), an object {"type": ...}, or a checker
                  program {"type": "program", "language", "code", "files"}
        limits    per test: wall_ms, cpu_ms, memory_mb, output_bytes, processes
        stream    False: one reply; True or a callable: the server streams its
                  events (compile, test..., done) and the callable, if given,
                  is called with each as it arrives
        Other request fields (problem_hash, show_output_bytes) pass through
        `fields`. Returns {"verdict", "passed", "total", "compile", "tests"
        (index order), ...}. Raises CodeExecError when the server could not
        judge it (bad input, unknown problem, retries exhausted).
        """
        streamed = bool(stream)
        body = judge_payload(language, code, files, tests, problem, checker, limits,
                             compile_limits, stop_on_first_failure, streamed, **fields)
        if not streamed:
            return self._judge_once(body)
        callback = stream if callable(stream) else None
        events = []
        for ev in self._judge_events(body):
            events.append(ev)
            if callback is not None:
                callback(ev)
        return assemble(events)

    def iter_judge(self, language: str, code: Optional[str] = None, files=None,
                   tests: Optional[Tests] = None, problem: Optional[str] = None, **kw
                   ) -> Iterator[Dict[str, Any]]:
        """Yields the events of a streamed judge as they arrive (same arguments
        as judge(), without `stream`): {"event": "compile"|"test"|"done", ...}."""
        kw.pop("stream", None)
        body = judge_payload(language, code, files, tests, problem, stream=True, **kw)
        return self._judge_events(body)

    def _judge_once(self, body: Dict[str, Any]) -> Dict[str, Any]:
        return self._send("POST", "/v1/judge", body).json()

    def _judge_events(self, body: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
        from .client import CodeExecError  # client.py imports this module
        r = self._send("POST", "/v1/judge", body, stream=True)
        got_done = False
        try:
            ctype = r.headers.get("Content-Type", "")
            if "ndjson" not in ctype and "json" in ctype and "stream" not in ctype:
                # A server that answered in one piece: one object, no events.
                whole = r.json()
                if "event" not in whole:
                    yield {"event": "compile", "compile": whole.get("compile")}
                    for t in whole.get("tests") or []:
                        yield dict(t, event="test")
                    rest = {k: v for k, v in whole.items() if k not in ("tests", "compile")}
                    yield dict(rest, event="done")
                    return
            buf = b""
            for chunk in r.iter_content(chunk_size=None):
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    if not line.strip():
                        continue
                    ev = json.loads(line)
                    if "error" in ev and "event" not in ev:
                        raise CodeExecError(str(ev["error"]), str(ev.get("message", "")), 200)
                    yield ev
                    if ev.get("event") == "done":
                        got_done = True
            if buf.strip():
                ev = json.loads(buf)
                yield ev
                got_done = got_done or ev.get("event") == "done"
        except (requests.RequestException, ValueError) as e:
            raise CodeExecError("stream_cut", f"the judge stream broke: {e}") from e
        finally:
            r.close()
        if not got_done:
            raise CodeExecError("stream_cut", "the judge stream ended before its done event")

    # -- problems ---------------------------------------------------------

    @staticmethod
    def _problem_path(name: str, suffix: str = "") -> str:
        if not name:
            raise ValueError("a problem needs a name")
        return "/v1/problems/" + quote(name, safe="/") + suffix

    def put_problem(self, name: str, tests: Tests, checker=None, limits=None) -> Dict[str, Any]:
        """Stores (or replaces) a problem: PUT /v1/problems/NAME.
        Returns {"name", "tests", "bytes", "hash"}."""
        body: Dict[str, Any] = {"tests": list(tests)}
        if checker is not None:
            body["checker"] = checker
        if limits is not None:
            body["limits"] = limits
        return self._send("PUT", self._problem_path(name), body).json()

    def add_problem_tests(self, name: str, tests: Tests) -> Dict[str, Any]:
        """Appends tests to a stored problem: POST /v1/problems/NAME/tests.
        Returns {"name", "tests", "bytes", "hash"} (the new totals)."""
        return self._send("POST", self._problem_path(name, "/tests"),
                          {"tests": list(tests)}).json()

    def get_problem(self, name: str) -> Dict[str, Any]:
        """GET /v1/problems/NAME: {"name", "tests", "bytes", "hash", "checker", "limits"}.
        Raises CodeExecError("unknown_problem") when there is none."""
        return self._send("GET", self._problem_path(name)).json()

    def list_problems(self) -> List[Dict[str, Any]]:
        """GET /v1/problems: [{"name", "tests", "bytes", "hash"}, ...]."""
        return self._send("GET", "/v1/problems").json()["problems"]

    def delete_problem(self, name: str) -> Dict[str, Any]:
        """DELETE /v1/problems/NAME: {"name", "deleted": true}."""
        return self._send("DELETE", self._problem_path(name)).json()

    # -- plumbing ---------------------------------------------------------

    def _send(self, method: str, path: str, body: Optional[Dict[str, Any]] = None,
              stream: bool = False) -> requests.Response:
        """One request with retries on transient failures; the 200/201 reply,
        else raises CodeExecError (AuthError for 401/403)."""
        from .client import RETRY_ERROR_CODES, RETRY_STATUSES, CodeExecError  # (a cycle)
        attempts = 0
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data is not None else {}
        while True:
            attempts += 1
            url = self._pool.pick()
            self._count("requests")
            try:
                r = self._session().request(method, url + path, data=data, headers=headers,
                                            stream=stream, timeout=self._timeouts())
            except requests.RequestException as e:
                self._count("connection_errors")
                self._pool.mark_down(url)
                err = CodeExecError("connection_error", f"{url}: {e}", None, attempts)
                retry_after = None
            else:
                self._pool.mark_up(url)
                self._check_auth(r, attempts)
                if r.status_code in (200, 201):
                    return r
                code, msg = self._error_body(r)
                r.close()
                err = CodeExecError(code, msg, r.status_code, attempts)
                if r.status_code == 503:
                    self._count("http_503")
                if r.status_code not in RETRY_STATUSES and code not in RETRY_ERROR_CODES:
                    raise err
                retry_after = self._retry_after(r)
            if attempts > self.retries:
                raise err
            self._count("retries")
            time.sleep(self._delay(attempts, retry_after))
