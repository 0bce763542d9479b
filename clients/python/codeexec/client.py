"""The codeexec client: one run, or many runs over one or more servers.

Theory of operation.

* Servers. `urls` is a list (or a comma-separated string) of base URLs. Each
  request goes to the next server round-robin; a server that refused or
  dropped a connection is skipped for `down_for` seconds (if every server is
  marked down, the one that comes back soonest is tried anyway). A load
  balancer URL (HAProxy, a Kubernetes Service) is just one more URL.
* Retries. A request is retried, on the next server, after a connection
  error, an HTTP 500/502/503/504, or a per-run error line with a transient
  code (`busy`, `sandbox_error`, ...), up to `retries` times per job, with
  exponential back-off and jitter (and at least the server's `Retry-After`).
  Bad input (other 4xx) is never retried; 401/403 raise `AuthError`.
* Batches. `run_batch` splits the jobs into chunks so that about
  `concurrency` requests are in flight, and sends a chunk of several jobs as
  one `POST /v1/batch` whose NDJSON reply streams results in completion
  order. When a stream is cut before its `{"done": true}` line (a server
  killed, a proxy timeout), only the jobs of that chunk without a result are
  submitted again. A chunk of one job, or a server without /v1/batch (404),
  uses `POST /v1/run`. A chunk the server rejects as a whole (400, 413) is
  halved until the offending job is alone, so one bad job never fails others.
* Results. Exactly one result per job, returned in the caller's order. A job
  that could not be run (bad input, retries exhausted) gets a dict
  `{"error": code, "message": text, "http_status": n | None, "attempts": k}`
  instead of raising, so one failure does not lose a whole batch.
"""

from __future__ import annotations

import json
import math
import os
import queue
import random
import sys
import threading
import time
from collections import deque
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

import requests

from .judge import JudgeMixin

DEFAULT_URL = "http://127.0.0.1:8000"
# HTTP statuses worth another try (on another server).
RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Error codes of /v1/batch lines (and JSON error bodies) worth another try.
RETRY_ERROR_CODES = frozenset({
    "busy", "queue_full", "sandbox_error", "internal_error", "out_of_memory",
    "shutting_down", "unavailable",
})
# Fields of a job that are not sent to the server.
LOCAL_FIELDS = frozenset({"id"})

# File extension -> language key (the server's recipes: languages/*.json).
EXTENSIONS = {
    ".clj": "clj", ".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".c++": "cpp", ".cs": "cs",
    ".dfy": "dfy", ".d": "dlang", ".exs": "elixir", ".ex": "elixir", ".fsx": "fs", ".fs": "fs",
    ".go": "go", ".hs": "hs", ".java": "java", ".js": "javascript", ".mjs": "javascript",
    ".jl": "julia", ".lean": "lean", ".lua": "lua", ".luau": "luau", ".m": "matlab",
    ".ml": "ocaml", ".php": "php", ".pl": "pl", ".py": "python", ".r": "r", ".rkt": "racket",
    ".rb": "ruby", ".rs": "rust", ".scala": "scala", ".sh": "sh", ".bash": "sh",
    ".swift": "swift", ".ts": "ts", ".v": "v",
}

Job = Union[Dict[str, Any], Sequence[Any]]


def language_for_path(path: str) -> Optional[str]:
    """The language key for a file name, from its extension (None if unknown)."""
    ext = os.path.splitext(path)[1].lower()
    return EXTENSIONS.get(ext)


class CodeExecError(Exception):
    """A run the server could not do (bad input, server full or down after all retries)."""

    def __init__(self, code: str, message: str, http_status: Optional[int] = None,
                 attempts: int = 1):
        super().__init__(f"{code}: {message}" + (f" (HTTP {http_status})" if http_status else ""))
        self.code = code
        self.message = message
        self.http_status = http_status
        self.attempts = attempts

    def as_result(self) -> Dict[str, Any]:
        return {"error": self.code, "message": self.message, "http_status": self.http_status,
                "attempts": self.attempts}


class AuthError(CodeExecError):
    """HTTP 401/403: the token is missing or wrong. Never retried."""


def resolve_refs(result: Dict[str, Any]) -> Dict[str, Any]:
    """Fills in outputs a /v1 result wrote only once.

    The server writes each step's stdout/stderr in full once; where the
    reply would repeat a long one (the top level repeating the last of
    `runs`, `steps` repeating everything) the field is null and
    `stdout_ref`/`stderr_ref` names where the text is ("runs[3]", "top",
    "compile", "steps[1]"). This puts the text back in every place (the
    strings are shared, not copied) and drops the `*_ref` keys, so callers
    read strings everywhere as before. Returns `result`."""
    def place(ref: str):
        if ref == "top":
            return result
        if ref == "compile":
            return result.get("compile")
        name, _, idx = ref.partition("[")
        try:
            return result.get(name, [])[int(idx.rstrip("]"))]
        except (ValueError, IndexError, TypeError):
            return None

    holders = [result, result.get("compile")] + list(result.get("runs") or []) + \
        list(result.get("steps") or [])
    for h in holders:
        if not isinstance(h, dict):
            continue
        for field in ("stdout", "stderr"):
            ref = h.pop(field + "_ref", None)
            src = place(ref) if ref else None
            if h.get(field) is None and isinstance(src, dict) and isinstance(src.get(field), str):
                h[field] = src[field]
    return result


def _split_urls(urls) -> List[str]:
    if urls is None:
        urls = os.environ.get("CODEEXEC_URL") or DEFAULT_URL
    if isinstance(urls, str):
        urls = urls.split(",")
    out = [u.strip().rstrip("/") for u in urls if u and u.strip()]
    if not out:
        raise ValueError("no server URL given")
    return [u if "://" in u else "http://" + u for u in out]


class _Pool:
    """Round-robin over the servers, skipping those marked down."""

    def __init__(self, urls: List[str], down_for: float):
        self.urls = urls
        self.down_for = down_for
        self.down_until = {u: 0.0 for u in urls}
        self.next = 0
        self.lock = threading.Lock()

    def pick(self) -> str:
        with self.lock:
            now = time.monotonic()
            n = len(self.urls)
            for k in range(n):
                j = (self.next + k) % n
                if self.down_until[self.urls[j]] <= now:
                    self.next = j + 1
                    return self.urls[j]
            url = min(self.urls, key=self.down_until.__getitem__)
            self.next = self.urls.index(url) + 1
            return url

    def mark_down(self, url: str) -> None:
        with self.lock:
            self.down_until[url] = time.monotonic() + self.down_for

    def mark_up(self, url: str) -> None:
        with self.lock:
            self.down_until[url] = 0.0


# Outcome of one attempt at one job.
_OK, _FINAL, _RETRY = "ok", "final", "retry"


class Client(JudgeMixin):
    """A client for one or more codeexec servers.

    urls         base URLs (list or "a,b"); default $CODEEXEC_URL or http://127.0.0.1:8000
    token        sent as "Authorization: Bearer <token>"; default $CODEEXEC_TOKEN
    concurrency  HTTP requests in flight during run_batch
    retries      further attempts per job after a transient failure
    timeout      seconds to wait for a server to send anything (a /v1/run reply,
                 the next line of a /v1/batch stream) before the request counts
                 as failed; None (default) waits as long as the server's queue
    connect_timeout  seconds to establish a connection
    batch_size   most jobs in one /v1/batch request (the server's limit is 1000)
    use_batch    None: /v1/batch when the server has it; False: always /v1/run
    backoff, max_backoff  first and largest retry delay in seconds
    down_for     seconds a server is skipped after a connection error
    """

    def __init__(self, urls=None, token: Optional[str] = None, concurrency: int = 16,
                 retries: int = 5, timeout: Optional[float] = None,
                 connect_timeout: float = 10.0, batch_size: int = 256,
                 use_batch: Optional[bool] = None, backoff: float = 0.5,
                 max_backoff: float = 30.0, down_for: float = 10.0):
        self.urls = _split_urls(urls)
        self.token = token if token is not None else os.environ.get("CODEEXEC_TOKEN") or None
        if concurrency < 1 or retries < 0 or batch_size < 1:
            raise ValueError("concurrency and batch_size must be >= 1, retries >= 0")
        self.concurrency = concurrency
        self.retries = retries
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.batch_size = batch_size
        self.use_batch = use_batch
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._pool = _Pool(self.urls, down_for)
        self._no_batch = set()  # servers that answered 404/405 to /v1/batch
        self._local = threading.local()
        self._stats_lock = threading.Lock()
        self.stats = {"requests": 0, "run_requests": 0, "batch_requests": 0, "retries": 0,
                      "http_503": 0, "connection_errors": 0, "stream_cuts": 0,
                      "resubmitted_runs": 0, "splits": 0}

    # -- plumbing ---------------------------------------------------------

    def _count(self, key: str, n: int = 1) -> None:
        with self._stats_lock:
            self.stats[key] += n

    def _session(self) -> requests.Session:
        s = getattr(self._local, "session", None)
        if s is None:
            s = requests.Session()
            s.headers["User-Agent"] = "codeexec-python/0.1"
            if self.token:
                s.headers["Authorization"] = f"Bearer {self.token}"
            self._local.session = s
        return s

    def _timeouts(self) -> Tuple[float, Optional[float]]:
        return (self.connect_timeout, self.timeout)

    def _delay(self, attempt: int, retry_after: Optional[float] = None) -> float:
        """Back-off before attempt number `attempt` (1 = first retry), with jitter."""
        d = min(self.max_backoff, self.backoff * (2 ** max(0, attempt - 1)))
        d = d / 2 + random.uniform(0, d / 2)
        if retry_after is not None:
            d = max(d, min(retry_after, self.max_backoff) + random.uniform(0, self.backoff))
        return d

    @staticmethod
    def _retry_after(r: requests.Response) -> Optional[float]:
        v = r.headers.get("Retry-After")
        try:
            return float(v) if v is not None else None
        except ValueError:
            return None

    @staticmethod
    def _error_body(r: requests.Response) -> Tuple[str, str]:
        try:
            body = r.json()
            if isinstance(body, dict) and "error" in body:
                return str(body["error"]), str(body.get("message", ""))
            if isinstance(body, dict) and "detail" in body:  # the compatibility 401 body
                return f"http_{r.status_code}", str(body["detail"])
        except ValueError:
            pass
        text = (r.text or "").strip()
        return f"http_{r.status_code}", text[:500] or r.reason or ""

    @staticmethod
    def _payload(job: Job) -> Dict[str, Any]:
        if isinstance(job, dict):
            if "language" not in job or "code" not in job:
                raise ValueError(f"a job needs 'language' and 'code': {sorted(job)}")
            return {k: v for k, v in job.items() if k not in LOCAL_FIELDS and v is not None}
        job = list(job)
        if not 2 <= len(job) <= 4:
            raise ValueError("a job tuple is (language, code[, stdin[, timeout]])")
        keys = ("language", "code", "stdin", "timeout")
        return {k: v for k, v in zip(keys, job) if v is not None}

    def _check_auth(self, r: requests.Response, attempts: int) -> None:
        if r.status_code in (401, 403):
            code, msg = self._error_body(r)
            raise AuthError(code, msg or "authentication failed (token?)", r.status_code, attempts)

    # -- one run ----------------------------------------------------------

    def _attempt_run(self, url: str, payload: Dict[str, Any], attempts: int):
        """One POST /v1/run (/v1/judge for a judge job: one with "tests" or "problem").
        Returns (_OK, result) | (_FINAL, err) | (_RETRY, err, retry_after)."""
        self._count("requests")
        self._count("run_requests")
        path = "/v1/judge" if "tests" in payload or "problem" in payload else "/v1/run"
        try:
            r = self._session().post(url + path, json=payload, timeout=self._timeouts())
        except requests.RequestException as e:
            self._count("connection_errors")
            self._pool.mark_down(url)
            return _RETRY, CodeExecError("connection_error", f"{url}: {e}", None, attempts), None
        self._pool.mark_up(url)
        self._check_auth(r, attempts)
        if r.status_code == 200:
            try:
                return _OK, resolve_refs(r.json())
            except ValueError:
                return _RETRY, CodeExecError("bad_reply", f"{url}: reply is not JSON: "
                                             f"{r.text[:200]!r}", 200, attempts), None
        code, msg = self._error_body(r)
        err = CodeExecError(code, msg, r.status_code, attempts)
        if r.status_code == 503:
            self._count("http_503")
        if r.status_code in RETRY_STATUSES or code in RETRY_ERROR_CODES:
            return _RETRY, err, self._retry_after(r)
        return _FINAL, err

    def run(self, language: str, code: str, stdin: Optional[str] = None,
            timeout: Optional[float] = None, **fields) -> Dict[str, Any]:
        """Runs one program (POST /v1/run) and returns the server's result dict.

        `timeout` is the program's time limit in seconds (server default 30);
        other /v1/run fields (args, limits, files, ...) pass through `fields`.
        Raises CodeExecError when the run could not be done (AuthError for 401/403).
        """
        payload = self._payload(dict(fields, language=language, code=code, stdin=stdin,
                                     timeout=timeout))
        attempts = 0
        while True:
            attempts += 1
            out = self._attempt_run(self._pool.pick(), payload, attempts)
            if out[0] == _OK:
                return out[1]
            if out[0] == _FINAL or attempts > self.retries:
                raise out[1]
            self._count("retries")
            time.sleep(self._delay(attempts, out[2]))

    # -- other endpoints --------------------------------------------------

    def _get(self, path: str) -> requests.Response:
        attempts = 0
        while True:
            attempts += 1
            url = self._pool.pick()
            try:
                r = self._session().get(url + path, timeout=(self.connect_timeout,
                                                             self.timeout or 60))
            except requests.RequestException as e:
                self._pool.mark_down(url)
                err = CodeExecError("connection_error", f"{url}: {e}", None, attempts)
                retry_after = None
            else:
                self._check_auth(r, attempts)
                if r.status_code == 200:
                    return r
                code, msg = self._error_body(r)
                err = CodeExecError(code, msg, r.status_code, attempts)
                if r.status_code not in RETRY_STATUSES:
                    raise err
                retry_after = self._retry_after(r)
            if attempts > self.retries:
                raise err
            time.sleep(self._delay(attempts, retry_after))

    def languages(self) -> List[Dict[str, Any]]:
        """GET /v1/languages: [{key, name, aliases, installed, version?, ...}]."""
        return self._get("/v1/languages").json()["languages"]

    def health(self, url: Optional[str] = None) -> bool:
        """True when `url` (default: every server) answers GET /health with OK."""
        urls = [url.rstrip("/")] if url else self.urls
        for u in urls:
            try:
                r = self._session().get(u + "/health", timeout=(self.connect_timeout, 10))
                if r.status_code != 200 or r.text.strip() != "OK":
                    return False
            except requests.RequestException:
                return False
        return True

    def metrics(self) -> str:
        """GET /metrics (Prometheus text) of the next server."""
        return self._get("/metrics").text

    # -- many runs --------------------------------------------------------

    def run_batch(self, jobs: Iterable[Job], progress: bool = False,
                  on_result: Optional[Callable[[int, Dict[str, Any]], None]] = None
                  ) -> List[Dict[str, Any]]:
        """Runs every job and returns one result per job, in the jobs' order.

        A job is a dict {language, code, stdin?, timeout?, ...} (an `id` key is
        kept local; a dict with "tests" or "problem" is a judge, whose result
        is the /v1/judge reply) or a tuple (language, code[, stdin[, timeout]]). A job that
        could not be run gets {"error", "message", "http_status", "attempts"}.
        `on_result(index, result)` is called as results arrive (completion
        order, from the calling thread). `progress=True` shows a tqdm bar on stderr.
        """
        return list(self.iter_batch(jobs, progress=progress, on_result=on_result))

    def iter_batch(self, jobs: Iterable[Job], progress: bool = False, ordered: bool = True,
                   on_result: Optional[Callable[[int, Dict[str, Any]], None]] = None
                   ) -> Iterator[Any]:
        """Like run_batch, but yields results as soon as they can be.

        ordered=True yields results in the jobs' order (each as soon as it and
        all before it are done); ordered=False yields (index, result) pairs in
        completion order. Closing the iterator early cancels what is left.
        """
        payloads = [self._payload(j) for j in jobs]
        n = len(payloads)
        if n == 0:
            return
        batch = _Batch(self, payloads)
        bar = _progress(n, progress)
        buffered: Dict[int, Dict[str, Any]] = {}
        next_i = 0
        got = 0
        try:
            batch.start()
            while got < n:
                kind, i, value = batch.out.get()
                if kind == "raise":
                    raise value
                got += 1
                bar.update(1)
                if on_result is not None:
                    on_result(i, value)
                if not ordered:
                    yield i, value
                    continue
                buffered[i] = value
                while next_i in buffered:
                    yield buffered.pop(next_i)
                    next_i += 1
        finally:
            batch.cancel()
            bar.close()


class _Batch:
    """The state of one run_batch: pending chunks, worker threads, results."""

    def __init__(self, client: Client, payloads: List[Dict[str, Any]]):
        self.c = client
        self.payloads = payloads
        self.n = len(payloads)
        self.attempts = [0] * self.n
        self.done = [False] * self.n
        self.remaining = self.n
        self.cv = threading.Condition()
        self.pending: deque = deque()  # (not_before, [job indices])
        self.out: "queue.Queue[Tuple[str, int, Any]]" = queue.Queue()
        self.cancelled = threading.Event()
        self.active = set()  # open streaming responses, closed on cancel
        self.threads: List[threading.Thread] = []
        use_batch = client.use_batch is not False
        size = max(1, min(client.batch_size, math.ceil(self.n / client.concurrency)))
        if not use_batch:
            size = 1
        for lo in range(0, self.n, size):
            self.pending.append((0.0, list(range(lo, min(self.n, lo + size)))))

    def start(self) -> None:
        for k in range(min(self.c.concurrency, self.n)):
            t = threading.Thread(target=self._worker, name=f"codeexec-{k}", daemon=True)
            t.start()
            self.threads.append(t)

    def cancel(self) -> None:
        self.cancelled.set()
        with self.cv:
            self.cv.notify_all()
            active = list(self.active)
        for r in active:
            try:
                r.close()
            except Exception:  # noqa: BLE001 - closing from another thread may race
                pass

    # results and requeueing (any thread)

    def _finish(self, i: int, result: Dict[str, Any]) -> None:
        with self.cv:
            if self.done[i]:
                return  # a duplicate: the first result stands
            self.done[i] = True
            self.remaining -= 1
            if self.remaining == 0:
                self.cv.notify_all()
        self.out.put(("result", i, result))

    def _requeue(self, idxs: List[int], delay: float = 0.0) -> None:
        if not idxs:
            return
        with self.cv:
            self.pending.append((time.monotonic() + delay, idxs))
            self.cv.notify()

    def _retry_or_fail(self, idxs: List[int], err: CodeExecError,
                       retry_after: Optional[float] = None) -> None:
        """Counts an attempt for each job; requeues those with retries left."""
        again = []
        for i in idxs:
            if self.done[i]:
                continue
            self.attempts[i] += 1
            if self.attempts[i] > self.c.retries:
                e = CodeExecError(err.code, err.message, err.http_status, self.attempts[i])
                self._finish(i, e.as_result())
            else:
                again.append(i)
        if again:
            self.c._count("retries", len(again))
            attempt = max(self.attempts[i] for i in again)
            self._requeue(again, self.c._delay(attempt, retry_after))

    def _split(self, idxs: List[int]) -> None:
        self.c._count("splits")
        half = len(idxs) // 2
        self._requeue(idxs[:half])
        self._requeue(idxs[half:])

    # workers

    def _worker(self) -> None:
        try:
            while True:
                with self.cv:
                    while not self.pending and self.remaining > 0 and not self.cancelled.is_set():
                        self.cv.wait()
                    if self.remaining == 0 or self.cancelled.is_set():
                        return
                    not_before, idxs = self.pending.popleft()
                wait = not_before - time.monotonic()
                if wait > 0 and self.cancelled.wait(wait):
                    return
                idxs = [i for i in idxs if not self.done[i]]
                if not idxs:
                    continue
                url = self.c._pool.pick()
                if len(idxs) == 1:
                    self._do_run(url, idxs[0])
                elif url in self.c._no_batch:
                    for i in idxs:
                        self._requeue([i])
                else:
                    self._do_batch(url, idxs)
        except AuthError as e:
            self.out.put(("raise", -1, e))
            self.cancel()
        except BaseException as e:  # noqa: BLE001 - never leave the caller waiting
            if not self.cancelled.is_set():
                self.out.put(("raise", -1, e))
                self.cancel()

    def _do_run(self, url: str, i: int) -> None:
        out = self.c._attempt_run(url, self.payloads[i], self.attempts[i] + 1)
        if out[0] == _OK:
            self._finish(i, out[1])
        elif out[0] == _FINAL:
            out[1].attempts = self.attempts[i] + 1
            self._finish(i, out[1].as_result())
        else:
            self._retry_or_fail([i], out[1], out[2])

    def _do_batch(self, url: str, idxs: List[int]) -> None:
        c = self.c
        c._count("requests")
        c._count("batch_requests")
        body = {"runs": [self.payloads[i] for i in idxs]}
        try:
            r = c._session().post(url + "/v1/batch", json=body, stream=True,
                                  timeout=c._timeouts())
        except requests.RequestException as e:
            c._count("connection_errors")
            c._pool.mark_down(url)
            self._retry_or_fail(idxs, CodeExecError("connection_error", f"{url}: {e}"))
            return
        with self.cv:
            self.active.add(r)
        try:
            self._read_batch(url, idxs, r)
        finally:
            with self.cv:
                self.active.discard(r)
            r.close()

    def _read_batch(self, url: str, idxs: List[int], r: requests.Response) -> None:
        c = self.c
        c._pool.mark_up(url)
        c._check_auth(r, 1)
        if r.status_code in (404, 405):
            c._no_batch.add(url)  # an older server: one /v1/run per job
            for i in idxs:
                self._requeue([i])
            return
        if r.status_code != 200:
            code, msg = c._error_body(r)
            err = CodeExecError(code, msg, r.status_code)
            if r.status_code == 503:
                c._count("http_503")
            if r.status_code in RETRY_STATUSES or code in RETRY_ERROR_CODES:
                self._retry_or_fail(idxs, err, c._retry_after(r))
            elif r.status_code in (400, 413):
                self._split(idxs)  # find the job the server objects to
            else:
                for i in idxs:
                    err.attempts = self.attempts[i] + 1
                    self._finish(i, err.as_result())
            return
        transient: List[int] = []
        transient_err: Optional[CodeExecError] = None
        complete = False
        cut: Optional[str] = None
        buf = b""
        try:
            for chunk in r.iter_content(chunk_size=None):
                if self.cancelled.is_set():
                    return
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    if not line.strip():
                        continue
                    obj = json.loads(line)
                    if obj.get("done"):
                        complete = True
                        continue
                    k = obj.pop("index", None)
                    if not isinstance(k, int) or not 0 <= k < len(idxs):
                        raise ValueError(f"result line with a bad index: {line[:200]!r}")
                    i = idxs[k]
                    if "error" in obj:
                        code, msg = str(obj["error"]), str(obj.get("message", ""))
                        if code in RETRY_ERROR_CODES:
                            transient.append(i)
                            transient_err = CodeExecError(code, msg, None)
                            if code in ("busy", "queue_full"):
                                c._count("http_503")
                        else:
                            self._finish(i, CodeExecError(code, msg, None,
                                                          self.attempts[i] + 1).as_result())
                    else:
                        self._finish(i, resolve_refs(obj))
        except (requests.RequestException, ValueError) as e:
            cut = f"{type(e).__name__}: {e}"
            if isinstance(e, requests.ConnectionError) or \
               isinstance(e, requests.exceptions.ChunkedEncodingError):
                c._count("connection_errors")
                c._pool.mark_down(url)
        if self.cancelled.is_set():
            return
        if transient:
            self._retry_or_fail(transient, transient_err, 1.0)
        retried = set(transient)
        left = [i for i in idxs if not self.done[i] and i not in retried]
        if not left:
            return
        if complete and not cut:
            cut = f"the stream ended without results for {len(left)} runs"
        elif not cut:
            cut = "the stream ended before its last line"
        c._count("stream_cuts")
        c._count("resubmitted_runs", len(left))
        self._retry_or_fail(left, CodeExecError("stream_cut", f"{url}: {cut}"))


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


class _TextBar:
    """A progress line on stderr when tqdm is not installed."""

    def __init__(self, total: int):
        self.total, self.n, self.last, self.t0 = total, 0, 0.0, time.monotonic()

    def update(self, n: int) -> None:
        self.n += n
        now = time.monotonic()
        if now - self.last >= 1.0 or self.n == self.total:
            self.last = now
            sys.stderr.write(f"\r{self.n}/{self.total} runs, {now - self.t0:.0f} s")
            sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


def _progress(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _TextBar(total)
    return tqdm(total=total, unit="run", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)
