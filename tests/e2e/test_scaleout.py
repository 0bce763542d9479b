"""Scale-out: three servers behind HAProxy, one killed mid-batch.

Three codeexec servers on loopback, HAProxy (Debian's, started here with a
generated config on free ports) balancing round-robin over them with health
checks on /health, and the `codeexec` client pointed at HAProxy running a
batch of 200 mixed programs (python, javascript, sh, perl, cpp), each printing
a unique token. When a quarter of the results are in, one server gets
SIGKILL. Every job must still get exactly one result, and the right one: the
client resubmits what the dead server's cut streams (or failed requests) had
not answered, HAProxy marks the server down and sends the rest elsewhere.
Run twice: with /v1/batch streams (the client's default) and with one
/v1/run request per job (use_batch=False; HAProxy's own retry-on also helps).

The config generated here is packaging/haproxy.cfg with test ports and
shorter health-check intervals.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from conftest import REPO_ROOT, start_server

from codeexec import Client

HAPROXY = shutil.which("haproxy") or next(
    (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if os.access(p, os.X_OK)), None)

pytestmark = pytest.mark.skipif(
    HAPROXY is None,
    reason="haproxy is not installed (scripts/setup.sh core installs it: apt-get install haproxy)")

N_JOBS = 200
KILL_AFTER = 50


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def haproxy_config(front_port: int, backends) -> str:
    servers = "\n".join(f"    server s{i} 127.0.0.1:{port} check" for i, port in enumerate(backends))
    return f"""\
global
    maxconn 1024
    log stderr format raw local0 info

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    timeout http-request 10s
    timeout queue 30s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response 503

frontend codeexec
    bind 127.0.0.1:{front_port}
    default_backend codeexec

backend codeexec
    balance roundrobin
    option httpchk GET /health
    http-check expect string OK
    default-server inter 300ms fall 1 rise 2
{servers}
"""


class HAProxy:
    def __init__(self, workdir: Path, backends):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cfg = workdir / "haproxy.cfg"
        self.cfg.write_text(haproxy_config(self.port, backends))
        check = subprocess.run([HAPROXY, "-c", "-f", str(self.cfg)], capture_output=True,
                               text=True)
        assert check.returncode == 0, f"haproxy -c rejected the config:\n{check.stderr}"
        self.log_path = workdir / "haproxy.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([HAPROXY, "-db", "-f", str(self.cfg)], stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 10
        while True:
            assert self.proc.poll() is None, f"haproxy exited:\n{self.log()}"
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as r:
                    if r.read() == b"OK":
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"haproxy did not answer /health:\n{self.log()}"
            time.sleep(0.05)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def mixed_jobs(n):
    """(jobs, tokens): programs in several languages, each printing its token."""
    jobs, tokens = [], []
    for i in range(n):
        tok = f"tok-{i}-{i * 7919 % 10007}"
        kind = "cpp" if i % 10 == 9 else ("python", "javascript", "sh", "pl")[i % 4]
        ms = (i * 37) % 150  # a little work, so the batch is still going at the kill
        code = {
            "python": f"import time\ntime.sleep({ms / 1000})\nprint({tok!r})\n",
            "javascript": f"setTimeout(() => console.log({tok!r}), {ms});\n",
            "sh": f"sleep {ms / 1000}; echo {tok}\n",
            "pl": f'select(undef, undef, undef, {ms / 1000}); print "{tok}\\n";\n',
            "cpp": f'#include <cstdio>\nint main() {{ std::puts("{tok}"); return 0; }}\n',
        }[kind]
        jobs.append({"language": kind, "code": code, "id": i})
        tokens.append(tok)
    return jobs, tokens


def test_packaged_haproxy_config_is_valid():
    cfg = REPO_ROOT / "packaging" / "haproxy.cfg"
    p = subprocess.run([HAPROXY, "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.parametrize("use_batch", [None, False], ids=["v1-batch", "v1-run"])
def test_batch_through_haproxy_survives_a_killed_server(tmp_path, use_batch):
    servers = []
    hp = None
    try:
        servers = [start_server() for _ in range(3)]
        hp = HAProxy(tmp_path, [s.port for s in servers])
        victim = servers[1]
        jobs, tokens = mixed_jobs(N_JOBS)
        client = Client([hp.url], concurrency=12, retries=10, backoff=0.2, max_backoff=2.0,
                        timeout=60, connect_timeout=5, use_batch=use_batch)
        seen = Counter()
        killed_at = []

        def on_result(i, r):
            seen[i] += 1
            if sum(seen.values()) == KILL_AFTER:
                victim.proc.send_signal(signal.SIGKILL)
                killed_at.append(time.monotonic())

        t0 = time.monotonic()
        results = client.run_batch(jobs, on_result=on_result)
        elapsed = time.monotonic() - t0
        print(f"\n{N_JOBS} jobs in {elapsed:.1f} s through HAProxy (use_batch={use_batch}); client stats {client.stats}")

        assert killed_at, "the batch ended before the kill"
        victim.proc.wait(timeout=5)
        assert victim.proc.returncode == -signal.SIGKILL
        # exactly one result per job, in order, each the right one
        assert len(results) == N_JOBS
        assert all(seen[i] == 1 for i in range(N_JOBS)), [i for i in range(N_JOBS) if seen[i] != 1]
        bad = [(i, r) for i, (r, tok) in enumerate(zip(results, tokens))
               if "error" in r or r.get("stdout") != tok + "\n" or r.get("passed") is not True]
        assert not bad, f"{len(bad)} wrong results, first: {bad[:3]}"
        if client.stats["batch_requests"]:
            # the victim's /v1/batch streams were cut and their runs resubmitted
            assert client.stats["stream_cuts"] >= 1 and client.stats["resubmitted_runs"] >= 1
        # HAProxy saw the server go down; the two others are still serving
        deadline = time.monotonic() + 3
        while "s1 is DOWN" not in hp.log() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "s1 is DOWN" in hp.log(), hp.log()[-3000:]
        assert all(s.alive() for s in servers if s is not victim)
        assert client.health()
    finally:
        if hp:
            hp.stop()
        for s in servers:
            s.stop()
