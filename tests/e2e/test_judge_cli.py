"""Judge mode through the Python client and `codeexec-cli judge`, against a real server.

* Every solution of every problem in examples/problems goes through the CLI
  (a subprocess, as a user runs it) and must get the verdict its
  solutions/expected.json names, with exit status 0 for AC and 1 otherwise.
  Solutions whose toolchain is not installed (g++, javac) are skipped with
  the reason; so is the checker-program problem without g++.
* Client.judge(): one reply, streamed events (a callback and iter_judge), and
  the problem store (put, add tests, get, list, delete, judge by name, the
  hash guard, the errors).
* The problem directory reader (natural order, .ans, JSONL, checker files).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import CLIENT_DIR, REPO_ROOT

from codeexec import Client, CodeExecError
from codeexec.problemdir import ProblemError, load_problem, natural_key, problem_hash

CLI = CLIENT_DIR / "codeexec-cli"
PY = "/usr/bin/python3"
PROBLEMS = REPO_ROOT / "examples" / "problems"
# A judge of a slow solution takes (tests x time limit) / slots at worst.
CLI_TIMEOUT_S = 600

TOOLS = {".cpp": ["g++"], ".java": ["javac", "java"], ".py": []}


def missing_tools(*suffixes: str):
    return [t for s in suffixes for t in TOOLS.get(s, []) if shutil.which(t) is None]


def solutions():
    out = []
    for pdir in sorted(p for p in PROBLEMS.iterdir() if p.is_dir()):
        expected = json.loads((pdir / "solutions" / "expected.json").read_text())
        for sol, verdict in sorted(expected.items()):
            out.append(pytest.param(pdir, sol, verdict, id=f"{pdir.name}/{sol}"))
    return out


def cli(*args, timeout=CLI_TIMEOUT_S):
    return subprocess.run([PY, str(CLI), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def client(server):
    return Client(server, retries=3, timeout=CLI_TIMEOUT_S)


# --------------------------------------------------------------------------
# The example problems, through the CLI


@pytest.mark.parametrize("pdir,sol,want", solutions())
def test_example_solution_gets_its_verdict(server, pdir: Path, sol: str, want: str):
    suffixes = [Path(sol).suffix] + [c.suffix for c in pdir.glob("checker.*")]
    lacking = missing_tools(*suffixes)
    if lacking:
        pytest.skip(f"{', '.join(lacking)} not installed")
    args = ["judge", pdir, pdir / "solutions" / sol, "--server", server]
    if want in ("TLE", "MLE"):
        # The same verdict (the first failing test's), without waiting out
        # every later test's time limit.
        args.append("--stop-on-first-failure")
    r = cli(*args)
    assert r.returncode in (0, 1), f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    last = r.stdout.strip().splitlines()[-1]
    got = last.split()[0]
    assert got == want, f"{pdir.name}/{sol}: {last}\n{r.stdout[-3000:]}\n{r.stderr[-2000:]}"
    assert r.returncode == (0 if want == "AC" else 1)
    ntests = len(load_problem(str(pdir))["tests"])
    if want == "AC":
        assert f"{ntests}/{ntests} passed" in last
    # Not a terminal: progress comes as plain lines on stderr, one per test.
    if want != "CE":
        assert "\r" not in r.stderr
        assert any(line.startswith("test ") for line in r.stderr.splitlines()), r.stderr


def test_cli_json_reply_and_table(server):
    pdir = PROBLEMS / "staircase"
    r = cli("judge", pdir, pdir / "solutions" / "correct.py", "--server", server, "--json")
    assert r.returncode == 0, r.stderr
    reply = json.loads(r.stdout)
    n = len(load_problem(str(pdir))["tests"])
    assert reply["verdict"] == "AC" and reply["passed"] == n and reply["total"] == n
    assert [t["index"] for t in reply["tests"]] == list(range(n))
    assert all(t["verdict"] == "AC" for t in reply["tests"])
    assert r.stderr == ""  # --json: no progress

    if missing_tools(".java"):
        pytest.skip("javac not installed")
    r = cli("judge", pdir, pdir / "solutions" / "wrong_no_mod.java", "--server", server)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["#", "test", "verdict", "time", "ms", "mem", "KB", "message"]
    assert any(line.split()[:3] == ["6", "07", "WA"] for line in lines), r.stdout
    assert any(line.startswith("first failure: test 07 (#6): WA") for line in lines)
    assert lines[-1].startswith("WA ")


def test_cli_compile_error_report(server):
    if missing_tools(".java"):
        pytest.skip("javac not installed")
    pdir = PROBLEMS / "sum-of-pairs"
    r = cli("judge", pdir, pdir / "solutions" / "compile_error.java", "--server", server)
    assert r.returncode == 1
    assert "compile compile_error (exit code 1):" in r.stdout
    assert "class Main is public, should be declared in a file named Main.java" in r.stdout
    assert "name the public class Problem" in r.stdout
    assert r.stdout.splitlines()[-1].startswith("CE  0/12 passed")


def test_cli_checker_override_and_limits(server, tmp_path: Path):
    # A JSONL problem, a checker given on the command line, a time limit.
    tests = tmp_path / "tests.jsonl"
    tests.write_text("\n".join(json.dumps(t) for t in [
        {"stdin": "1 2\n", "expected": "3\n"},
        {"stdin": "2 2\n", "expected": "4.0000001\n"},
    ]) + "\n")
    src = tmp_path / "add.py"
    src.write_text("a, b = map(int, input().split())\nprint(a + b)\n")
    r = cli("judge", tests, src, "--server", server)
    assert r.returncode == 1 and r.stdout.splitlines()[-1].startswith("WA "), r.stdout
    r = cli("judge", tests, src, "--server", server, "--checker", "tokens_float")
    assert r.returncode == 0, r.stdout + r.stderr
    r = cli("judge", tests, src, "--server", server, "--checker",
            '{"type": "tokens_float", "abs_eps": 1e-9, "rel_eps": 1e-9}')
    assert r.returncode == 1, r.stdout
    slow = tmp_path / "slow.py"
    slow.write_text("import time\ntime.sleep(30)\n")
    r = cli("judge", tests, slow, "--server", server, "--time-limit", "0.5", "-x")
    assert r.returncode == 1 and r.stdout.splitlines()[-1].startswith("TLE "), r.stdout


def test_cli_bad_input(server, tmp_path: Path):
    src = tmp_path / "a.py"
    src.write_text("print(1)\n")
    r = cli("judge", tmp_path / "nope", src, "--server", server)
    assert r.returncode == 2 and "no such directory" in r.stderr
    (tmp_path / "p" / "tests").mkdir(parents=True)
    (tmp_path / "p" / "tests" / "1.in").write_text("x\n")
    r = cli("judge", tmp_path / "p", src, "--server", server)
    assert r.returncode == 2 and "1.out" in r.stderr
    r = cli("judge", PROBLEMS / "staircase", tmp_path / "a.unknownext", "--server", server)
    assert r.returncode == 2 and "--language" in r.stderr
    r = cli("judge", PROBLEMS / "staircase", src, "--server", server, "--checker", "no_such_rule")
    assert r.returncode == 125 and "invalid_field" in r.stderr, r.stderr


def test_cli_upload_then_judge_by_reference(server, client):
    if missing_tools(".cpp"):
        pytest.skip("g++ not installed")
    pdir = PROBLEMS / "no-adjacent"
    name = "e2e-cli-no-adjacent"
    try:
        r = cli("judge", pdir, pdir / "solutions" / "correct.py", "--server", server,
                "--upload", name)
        assert r.returncode == 0, r.stdout + r.stderr
        assert f"stored problem {name!r}" in r.stderr
        stored = client.get_problem(name)
        prob = load_problem(str(pdir))
        assert stored["hash"] == problem_hash(prob["tests"])
        assert stored["tests"] == len(prob["tests"])
        assert stored["checker"]["type"] == "program"
        # The second time the tests are not sent again.
        r = cli("judge", pdir, pdir / "solutions" / "wrong_small_n.cpp", "--server", server,
                "--upload", name)
        assert r.returncode == 1 and r.stdout.splitlines()[-1].startswith("WA "), r.stdout
        assert "stored already" in r.stderr
    finally:
        try:
            client.delete_problem(name)
        except CodeExecError:
            pass


# --------------------------------------------------------------------------
# Client.judge and the problem store

ADD = "a, b = map(int, input().split())\nprint(a + b)\n"
ADD_TESTS = [{"stdin": f"{i} {i}\n", "expected": f"{2 * i}\n"} for i in range(6)]


def test_judge_one_reply(client):
    res = client.judge("python", ADD, tests=ADD_TESTS)
    assert res["verdict"] == "AC" and res["passed"] == 6 and res["total"] == 6
    assert [t["index"] for t in res["tests"]] == list(range(6))
    assert res["tests"][0]["stdout"] == "0\n"
    bad = ADD_TESTS[:2] + [{"stdin": "1 1\n", "expected": "3\n"}] + ADD_TESTS[3:]
    res = client.judge("python", ADD, tests=bad, stop_on_first_failure=True)
    assert res["verdict"] == "WA"
    assert [t["verdict"] for t in res["tests"][:3]] == ["AC", "AC", "WA"]
    assert all(t["verdict"] in ("AC", "SKIPPED") for t in res["tests"][3:])


def test_judge_streamed_events(client):
    events = []
    res = client.judge("python", ADD, tests=ADD_TESTS, stream=events.append)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "compile" and kinds[-1] == "done"
    assert kinds.count("test") == 6
    assert sorted(e["index"] for e in events if e["event"] == "test") == list(range(6))
    # The same shape as the one-piece reply.
    assert res["verdict"] == "AC" and res["passed"] == 6 and res["total"] == 6
    assert [t["index"] for t in res["tests"]] == list(range(6))
    assert res["compile"] is None  # Python: no compile step
    ev = list(client.iter_judge("python", "print(1)", tests=[{"stdin": "", "expected": "2"}]))
    assert ev[-1]["event"] == "done" and ev[-1]["verdict"] == "WA"


def test_judge_compile_error(client):
    if missing_tools(".cpp"):
        pytest.skip("g++ not installed")
    res = client.judge("cpp", "int main( {", tests=ADD_TESTS[:3], stream=True)
    assert res["verdict"] == "CE"
    assert res["compile"]["status"] == "compile_error" and res["compile"]["stderr"]
    assert [t["verdict"] for t in res["tests"]] == ["SKIPPED"] * 3


def test_problem_store(client):
    name = "e2e-client-add"
    try:
        put = client.put_problem(name, ADD_TESTS[:4], checker="tokens", limits={"wall_ms": 5000})
        assert put["name"] == name and put["tests"] == 4
        assert put["hash"] == problem_hash(ADD_TESTS[:4])
        more = client.add_problem_tests(name, ADD_TESTS[4:])
        assert more["tests"] == 6 and more["hash"] == problem_hash(ADD_TESTS)
        got = client.get_problem(name)
        assert got["tests"] == 6 and got["limits"]["wall_ms"] == 5000
        assert got["checker"] in ("tokens", {"type": "tokens"}) or \
            got["checker"].get("type") == "tokens"
        assert any(p["name"] == name and p["tests"] == 6 for p in client.list_problems())
        res = client.judge("python", ADD, problem=name)
        assert res["verdict"] == "AC" and res["total"] == 6
        res = client.judge("python", ADD, problem=name, problem_hash=more["hash"], stream=True)
        assert res["verdict"] == "AC" and res["passed"] == 6
        with pytest.raises(CodeExecError) as e:
            client.judge("python", ADD, problem=name, problem_hash="0" * 32)
        assert e.value.http_status == 409 and e.value.code == "problem_changed"
        assert client.delete_problem(name) == {"name": name, "deleted": True}
        with pytest.raises(CodeExecError) as e:
            client.get_problem(name)
        assert e.value.http_status == 404 and e.value.code == "unknown_problem"
    finally:
        try:
            client.delete_problem(name)
        except CodeExecError:
            pass


def test_judge_errors(client):
    with pytest.raises(CodeExecError) as e:
        client.judge("python", ADD, problem="e2e-no-such-problem")
    assert e.value.http_status == 404 and e.value.code == "unknown_problem"
    with pytest.raises(CodeExecError) as e:
        client.judge("python", ADD, tests=[])
    assert e.value.http_status == 400
    with pytest.raises(CodeExecError) as e:
        client.judge("python", ADD, tests=ADD_TESTS, checker="no_such_rule")
    assert e.value.http_status == 400 and e.value.code == "invalid_field"
    with pytest.raises(ValueError):
        client.judge("python", ADD)  # neither tests nor problem


# --------------------------------------------------------------------------
# Problem directories (no server)


def test_problem_dir_reader(tmp_path: Path):
    t = tmp_path / "p" / "tests"
    t.mkdir(parents=True)
    for name in ("10", "2", "1", "b", "a2", "a10"):
        (t / f"{name}.in").write_text(f"in {name}\n")
        (t / f"{name}.{'ans' if name == 'b' else 'out'}").write_text(f"out {name}\n")
    (tmp_path / "p" / "problem.json").write_text(
        '{"checker": {"type": "program", "argv_order": "input answer output"}, '
        '"limits": {"wall_ms": 1000}}')
    (tmp_path / "p" / "checker.cpp").write_text("int main() {}\n")
    (tmp_path / "p" / "checker").mkdir()
    (tmp_path / "p" / "checker" / "testlib.h").write_text("// the user's own copy\n")
    prob = load_problem(str(tmp_path / "p"))
    assert prob["names"] == ["1", "2", "10", "a2", "a10", "b"]
    assert prob["tests"][5] == {"stdin": "in b\n", "expected": "out b\n"}
    assert prob["limits"] == {"wall_ms": 1000}
    assert prob["checker"] == {"type": "program", "argv_order": "input answer output",
                               "language": "cpp", "code": "int main() {}\n",
                               "files": [{"name": "testlib.h",
                                          "content": "// the user's own copy\n"}]}
    assert sorted(["x10", "x9", "x1"], key=natural_key) == ["x1", "x9", "x10"]

    jl = tmp_path / "t.jsonl"
    jl.write_text('{"stdin": "1", "expected": "2"}\n\n{"expected": "3"}\n')
    prob = load_problem(str(jl))
    assert prob["tests"] == [{"stdin": "1", "expected": "2"}, {"stdin": "", "expected": "3"}]
    assert prob["names"] == ["line 1", "line 3"]
    jl.write_text('{"stdin": "1"}\n')
    with pytest.raises(ProblemError):
        load_problem(str(jl))


def test_example_generators_reproduce_the_committed_tests(tmp_path: Path):
    # gen.py writes next to itself: run a copy of each problem and compare.
    for pdir in sorted(p for p in PROBLEMS.iterdir() if p.is_dir()):
        copy = tmp_path / pdir.name
        copy.mkdir()
        shutil.copy(pdir / "gen.py", copy / "gen.py")
        subprocess.run([PY, str(copy / "gen.py")], check=True, timeout=300)
        made = sorted(os.listdir(copy / "tests"))
        assert made == sorted(os.listdir(pdir / "tests")), pdir.name
        for f in made:
            assert (copy / "tests" / f).read_bytes() == (pdir / "tests" / f).read_bytes(), \
                f"{pdir.name}/tests/{f}"


# --------------------------------------------------------------------------
# Client.judge against a scripted fake server: what a real one cannot be made
# to do on cue (a 503 first, events split across chunks, a stream cut).


class FakeJudge:
    def __init__(self):
        self.busy_first = 0      # answer this many requests with 503 first
        self.cut_after = None    # close the stream after this many events
        self.requests = []


def _fake_handler(fj: FakeJudge):
    from http.server import BaseHTTPRequestHandler

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fj.requests.append(body)
            if fj.busy_first:
                fj.busy_first -= 1
                data = b'{"error": "busy", "message": "full"}'
                self.send_response(503)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            n = len(body["tests"])
            events = [{"event": "compile", "compile": None}]
            events += [{"event": "test", "index": i, "verdict": "AC", "stdout": str(i)}
                       for i in reversed(range(n))]
            events.append({"event": "done", "verdict": "AC", "passed": n, "total": n})
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            blob = b"".join(json.dumps(e).encode() + b"\n" for e in events)
            if fj.cut_after is not None:
                blob = b"".join(json.dumps(e).encode() + b"\n" for e in events[:fj.cut_after])
            for k in range(0, len(blob), 7):  # lines split across chunks
                piece = blob[k:k + 7]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
            if fj.cut_after is not None:
                self.close_connection = True
                return
            self.wfile.write(b"0\r\n\r\n")

    return H


@pytest.fixture
def fake_judge():
    import threading
    from http.server import ThreadingHTTPServer
    fj = FakeJudge()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _fake_handler(fj))
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    fj.url = f"http://127.0.0.1:{srv.server_address[1]}"
    yield fj
    srv.shutdown()
    srv.server_close()


def test_streamed_judge_is_reassembled_and_503_retried(fake_judge):
    fake_judge.busy_first = 2
    c = Client(fake_judge.url, retries=3, backoff=0.01, max_backoff=0.05, timeout=30)
    seen = []
    res = c.judge("python", "x", tests=ADD_TESTS, stream=seen.append)
    assert len(fake_judge.requests) == 3 and fake_judge.requests[-1]["stream"] is True
    assert [e["event"] for e in seen] == ["compile"] + ["test"] * 6 + ["done"]
    assert [t["index"] for t in res["tests"]] == list(range(6))
    assert [t["stdout"] for t in res["tests"]] == [str(i) for i in range(6)]
    assert res["verdict"] == "AC" and res["passed"] == 6 and res["compile"] is None
    assert c.stats["http_503"] == 2


def test_cut_judge_stream_raises(fake_judge):
    fake_judge.cut_after = 3
    c = Client(fake_judge.url, retries=0, timeout=30)
    with pytest.raises(CodeExecError) as e:
        c.judge("python", "x", tests=ADD_TESTS, stream=True)
    assert e.value.code == "stream_cut"


def test_cli_progress_bar_on_a_terminal(server):
    import pty
    pdir = PROBLEMS / "maze"
    out_r, out_w = os.pipe()
    pid, fd = pty.fork()
    if pid == 0:  # the child: stdout a pipe, stderr the terminal
        os.dup2(out_w, 1)
        os.execv(PY, [PY, str(CLI), "judge", str(pdir), str(pdir / "solutions" / "correct.py"),
                      "--server", server])
    os.close(out_w)
    tty = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        tty += chunk
    _, status = os.waitpid(pid, 0)
    with os.fdopen(out_r) as f:
        table = f.read()
    n = len(load_problem(str(pdir))["tests"])
    assert os.waitstatus_to_exitcode(status) == 0, table + tty.decode(errors="replace")
    assert b"\r\x1b[K[" in tty and f"{n}/{n}".encode() in tty
    assert b"test 01:" not in tty  # no plain lines on a terminal
    assert table.splitlines()[-1].startswith(f"AC  {n}/{n} passed")


def test_judge_jobs_in_a_batch(server):
    # Judge items ride in /v1/batch beside plain runs; alone in a chunk they
    # go to /v1/judge (not /v1/run).
    for use_batch in (None, False):
        c = Client(server, retries=2, timeout=CLI_TIMEOUT_S, use_batch=use_batch, concurrency=2)
        jobs = [{"language": "python", "code": "print(1)"},
                {"language": "python", "code": ADD, "tests": ADD_TESTS},
                {"language": "python", "code": "print(0)", "tests": ADD_TESTS[:2]}]
        res = c.run_batch(jobs)
        assert res[0]["passed"] is True and res[0]["stdout"] == "1\n"
        assert res[1]["verdict"] == "AC" and res[1]["passed"] == 6
        assert res[2]["verdict"] == "WA" and [t["verdict"] for t in res[2]["tests"]] == ["AC", "WA"]
