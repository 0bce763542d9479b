"""The `codeexec` Python client and `codeexec-cli`.

Two kinds of tests:
* against a scripted fake server (a thread in this process) for what a real
  server cannot be made to do on cue: a /v1/batch stream cut after a few
  lines, per-run `busy` lines, a batch rejected as a whole, no /v1/batch;
* against real servers (conftest's `start_server`): 503 back-off with
  `--max-queue 1 --max-running 1`, several URLs with one dead, auth, the CLI.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import CLIENT_DIR, start_server

from codeexec import AuthError, Client, CodeExecError, language_for_path

CLI = CLIENT_DIR / "codeexec-cli"
PY = "/usr/bin/python3"


def _dead_url() -> str:
    """A loopback URL nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def fast_client(urls, **kw) -> Client:
    kw.setdefault("retries", 8)
    kw.setdefault("backoff", 0.02)
    kw.setdefault("max_backoff", 0.3)
    kw.setdefault("connect_timeout", 3)
    kw.setdefault("timeout", 60)
    return Client(urls, **kw)


# --------------------------------------------------------------------------
# A scripted fake server


def fake_result(run):
    return {"exit_code": 0, "stdout": run["code"], "stderr": "", "status": "ok",
            "verdict": "OK", "passed": True, "language": run["language"]}


class Fake:
    """Behaviour knobs of the fake server and what it saw."""

    def __init__(self):
        self.batch_requests = []  # list of [code, ...] per /v1/batch request
        self.run_requests = []    # codes of /v1/run requests
        self.cut_first_after = None  # cut the first stream after this many lines
        self.busy_once = set()    # codes answered with a `busy` line the first time
        self.no_batch = False     # /v1/batch -> 404
        self.reject_lang = None   # a batch with this language -> 400; a run -> 400
        self.order = None         # function(n) -> completion order of a batch
        self.hang_first = 0.0     # the first stream sends one line, then is silent this long
        self.hang_over = threading.Event()  # ends the silence early (set at teardown)
        self.batch_while_silent = []  # per /v1/batch request: was the first stream still silent?
        self.lock = threading.Lock()


def make_handler(fake: Fake):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def _json(self, status, obj):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _chunk(self, data: bytes):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path == "/v1/run":
                with fake.lock:
                    fake.run_requests.append(body["code"])
                if body["language"] == fake.reject_lang:
                    return self._json(400, {"error": "unknown_language", "message": "no"})
                return self._json(200, fake_result(body))
            if self.path != "/v1/batch":
                return self._json(404, {"error": "not_found", "message": self.path})
            if fake.no_batch:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            runs = body["runs"]
            with fake.lock:
                fake.batch_requests.append([r["code"] for r in runs])
                fake.batch_while_silent.append(bool(fake.hang_first) and not fake.hang_over.is_set())
                first = len(fake.batch_requests) == 1
            if fake.reject_lang and any(r["language"] == fake.reject_lang for r in runs):
                return self._json(400, {"error": "unknown_language", "message": "no"})
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            order = fake.order(len(runs)) if fake.order and first else range(len(runs))
            for sent, i in enumerate(order):
                if first and fake.hang_first and sent == 1:
                    fake.hang_over.wait(fake.hang_first)
                    fake.hang_over.set()
                    return
                if first and fake.cut_first_after is not None and sent == fake.cut_first_after:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                code = runs[i]["code"]
                with fake.lock:
                    busy = code in fake.busy_once
                    fake.busy_once.discard(code)
                line = ({"index": i, "error": "busy", "message": "the run queue is full"} if busy
                        else dict(fake_result(runs[i]), index=i))
                self._chunk(json.dumps(line).encode() + b"\n")
            self._chunk(json.dumps({"done": True, "count": len(runs)}).encode() + b"\n")
            self.wfile.write(b"0\r\n\r\n")

    return H


@pytest.fixture
def fake():
    f = Fake()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(f))
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    f.url = f"http://127.0.0.1:{srv.server_address[1]}"
    yield f
    f.hang_over.set()
    srv.shutdown()
    srv.server_close()


def jobs_of(n, lang="python"):
    return [{"language": lang, "code": f"job-{i}", "id": f"id-{i}"} for i in range(n)]


def test_stream_cut_resubmits_only_runs_without_result(fake):
    fake.cut_first_after = 4
    fake.order = lambda n: [3, 0, 7, 5] + [i for i in range(n) if i not in (3, 0, 7, 5)]
    c = fast_client([fake.url], concurrency=1)
    results = c.run_batch(jobs_of(10))
    assert [r["stdout"] for r in results] == [f"job-{i}" for i in range(10)]
    assert all("index" not in r for r in results)
    assert len(fake.batch_requests) == 2
    assert fake.batch_requests[0] == [f"job-{i}" for i in range(10)]
    # only the six runs without a result were submitted again
    assert sorted(fake.batch_requests[1]) == sorted(f"job-{i}" for i in (1, 2, 4, 6, 8, 9))
    assert c.stats["stream_cuts"] == 1 and c.stats["resubmitted_runs"] == 6


def test_silent_stream_times_out_and_is_resubmitted(fake):
    """The first stream goes silent for 60 s after one line; a client with a
    0.5 s read timeout cuts it and resubmits the rest while it is still silent
    (waiting the silence out would resubmit only after it)."""
    fake.hang_first = 60.0
    c = fast_client([fake.url], concurrency=1, timeout=0.5)
    t0 = time.monotonic()
    results = c.run_batch(jobs_of(5))
    assert [r["stdout"] for r in results] == [f"job-{i}" for i in range(5)]
    assert sorted(fake.batch_requests[1]) == [f"job-{i}" for i in range(1, 5)]
    assert fake.batch_while_silent[1] is True, "the rest was resubmitted only after the silence"
    assert c.stats["stream_cuts"] == 1
    assert time.monotonic() - t0 < 30   # liveness: not at the end of the 60 s silence


def test_busy_lines_are_retried(fake):
    fake.busy_once = {"job-2", "job-5"}
    c = fast_client([fake.url], concurrency=2)
    results = c.run_batch(jobs_of(8))
    assert [r["stdout"] for r in results] == [f"job-{i}" for i in range(8)]
    assert c.stats["retries"] == 2


def test_without_batch_endpoint_falls_back_to_run(fake):
    fake.no_batch = True
    c = fast_client([fake.url], concurrency=3)
    results = c.run_batch(jobs_of(12))
    assert [r["stdout"] for r in results] == [f"job-{i}" for i in range(12)]
    assert sorted(fake.run_requests) == sorted(f"job-{i}" for i in range(12))


def test_rejected_batch_is_split_to_find_the_bad_job(fake):
    fake.reject_lang = "bad"
    jobs = jobs_of(9)
    jobs[6]["language"] = "bad"
    c = fast_client([fake.url], concurrency=1)
    results = c.run_batch(jobs)
    for i, r in enumerate(results):
        if i == 6:
            assert r["error"] == "unknown_language" and r["http_status"] == 400
        else:
            assert r["stdout"] == f"job-{i}"
    assert fake.run_requests == ["job-6"]  # alone, it went to /v1/run


def test_ordered_false_and_callback(fake):
    fake.order = lambda n: list(reversed(range(n)))  # the first (only) request
    c = fast_client([fake.url], concurrency=1)
    seen = []
    pairs = list(c.iter_batch(jobs_of(5), ordered=False, on_result=lambda i, r: seen.append(i)))
    assert [i for i, _ in pairs] == [4, 3, 2, 1, 0] == seen
    assert all(r["stdout"] == f"job-{i}" for i, r in pairs)


def test_all_servers_dead_gives_one_error_per_job():
    c = fast_client([_dead_url(), _dead_url()], retries=2, concurrency=4)
    results = c.run_batch(jobs_of(6))
    assert len(results) == 6
    assert all(r["error"] == "connection_error" and r["attempts"] == 3 for r in results)
    with pytest.raises(CodeExecError) as e:
        c.run("python", "print(1)")
    assert e.value.code == "connection_error"


def test_tuple_jobs_and_empty_batch(fake):
    c = fast_client(fake.url)  # a single URL string works too
    assert c.run_batch([]) == []
    (r,) = c.run_batch([("python", "x", "in")])
    assert r["stdout"] == "x"


def test_language_for_path():
    assert language_for_path("a/b/main.py") == "python"
    assert language_for_path("x.CPP") == "cpp"
    assert language_for_path("t.rkt") == "racket"
    assert language_for_path("README") is None


# --------------------------------------------------------------------------
# Against real servers


def token_jobs(n, sleep=0.0):
    """Python jobs that each print a unique token."""
    pre = f"import time; time.sleep({sleep})\n" if sleep else ""
    return [{"language": "python", "code": f"{pre}print('tok-{i}')"} for i in range(n)]


def check_tokens(results, n):
    assert len(results) == n
    for i, r in enumerate(results):
        assert "error" not in r, (i, r)
        assert r["stdout"] == f"tok-{i}\n" and r["passed"] is True, (i, r)


@pytest.mark.parametrize("use_batch", [False, None], ids=["v1-run", "v1-batch"])
def test_retries_on_503_from_a_full_server(use_batch):
    with start_server("--max-queue", "1", "--max-running", "1") as s:
        c = fast_client([s.url], concurrency=6, retries=40, use_batch=use_batch,
                        batch_size=4)
        results = c.run_batch(token_jobs(24, sleep=0.05))
        check_tokens(results, 24)
        # six requests in flight against room for two: the server said "full"
        assert c.stats["http_503"] > 0 and c.stats["retries"] > 0, c.stats


def test_run_retries_on_503():
    with start_server("--max-queue", "1", "--max-running", "1") as s:
        c = fast_client([s.url], concurrency=4, retries=40)
        out = []

        def one(i):
            out.append((i, c.run("python", f"import time; time.sleep(0.1); print({i})")))

        ts = [threading.Thread(target=one, args=(i,)) for i in range(5)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert sorted((i, r["stdout"]) for i, r in out) == [(i, f"{i}\n") for i in range(5)]
        assert c.stats["http_503"] > 0, c.stats


def test_several_urls_with_one_dead(server):
    dead = _dead_url()
    c = fast_client([dead, server], concurrency=4, down_for=30)
    assert c.run("python", "print(input())", stdin="x")["stdout"] == "x\n"
    results = c.run_batch(token_jobs(30))
    check_tokens(results, 30)
    # the dead server was skipped once it had refused a connection
    assert 1 <= c.stats["connection_errors"] <= 2, c.stats
    assert not c.health() and c.health(server)


def test_auth_token():
    with start_server("--auth-token", "s3cret") as s:
        with pytest.raises(AuthError):
            fast_client([s.url]).run("python", "print(1)")
        with pytest.raises(AuthError):
            fast_client([s.url]).run_batch(token_jobs(3))
        c = fast_client([s.url], token="s3cret")
        assert c.run("python", "print(1)")["stdout"] == "1\n"
        check_tokens(c.run_batch(token_jobs(3)), 3)
        assert any(l["key"] == "python" for l in c.languages())


def test_verdicts_come_through(server):
    c = fast_client([server])
    r = c.run("python", "assert 1 == 2")
    assert r["passed"] is False and r["status"] == "runtime_error" and r["exit_code"] == 1
    r = c.run("python", "while True: pass", timeout=1)
    assert r["status"] == "timeout" and r["verdict"] == "Timeout"
    with pytest.raises(CodeExecError) as e:
        c.run("no-such-language", "x")
    assert e.value.http_status == 400 and e.value.code == "unknown_language"


# --------------------------------------------------------------------------
# codeexec-cli


def cli(*args, stdin=None, timeout=60):
    env = dict(os.environ, CODEEXEC_URL="", CODEEXEC_TOKEN="")
    return subprocess.run([PY, str(CLI), *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_cli_run(server, tmp_path: Path):
    src = tmp_path / "prog.py"
    src.write_text("import sys\nd = sys.stdin.read()\nprint(d.upper())\n"
                   "print('err', file=sys.stderr)\nsys.exit(3)\n")
    inp = tmp_path / "in.txt"
    inp.write_text("hello")
    p = cli("run", str(src), "--stdin", str(inp), "--server", server)
    assert p.returncode == 3, p.stderr
    assert p.stdout == "HELLO\n"
    assert p.stderr.startswith("err\n") and "verdict Exception" in p.stderr

    sh = tmp_path / "x.txt"
    sh.write_text("echo hi; kill -9 $$")
    p = cli("--server", server, "run", str(sh), "--lang", "sh")
    assert p.stdout == "hi\n" and p.returncode == 128 + 9, (p.returncode, p.stderr)

    p = cli("run", str(sh), "--server", server)  # unknown extension
    assert p.returncode == 2 and "--lang" in p.stderr

    p = cli("run", str(src), "--server", _dead_url(), "--retries", "0")
    assert p.returncode == 125 and "connection_error" in p.stderr


def test_cli_batch(server, tmp_path: Path):
    lines = []
    for i in range(20):
        lang, code = [("python", f"print('tok-{i}')"), ("sh", f"echo tok-{i}"),
                      ("javascript", f"console.log('tok-{i}')")][i % 3]
        lines.append(json.dumps({"language": lang, "code": code, "id": f"j{i}"}))
    lines.insert(5, "this is not json")
    lines.insert(9, "")
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("\n".join(lines) + "\n")
    p = cli("batch", str(jobs), "--server", server, "--concurrency", "4")
    assert p.returncode == 3, p.stderr  # one job could not be run
    out = [json.loads(l) for l in p.stdout.splitlines()]
    assert [o["index"] for o in out] == list(range(21))
    assert out[5]["error"] == "bad_job" and "line 6" in out[5]["message"]
    tok = 0
    for o in out:
        if o["index"] == 5:
            continue
        assert o["id"] == f"j{tok}" and o["stdout"] == f"tok-{tok}\n", o
        tok += 1
    assert "20 passed, 0 failed, 1 not run" in p.stderr


def test_cli_languages(server):
    p = cli("languages", "--server", server)
    assert p.returncode == 0, p.stderr
    keys = [l.split()[0] for l in p.stdout.splitlines()]
    assert "python" in keys and "cpp" in keys
    p = cli("languages", "--json", "--server", server)
    assert any(l["key"] == "sh" for l in json.loads(p.stdout))
