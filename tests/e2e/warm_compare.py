"""Warm runs against cold ones, for a language whose runs fork from a warm
zygote started with its first run (Racket, R, OCaml, PHP, Coq, Octave):
the servers, the corpus, and the comparisons that test_warm_racket.py,
test_warm_r.py, test_warm_ocaml.py, test_warm_php.py, test_warm_coq.py and
test_warm_octave.py share. Each of them adds its own probes and its
isolation and crash tests."""

from __future__ import annotations

import concurrent.futures as cf
import json
import re
import time
from pathlib import Path

import pytest

from conftest import BINARY, start_server
from hostile import metric, request, unique_uid_base, v1_run

READY = re.compile(r"ready=(\d+)/(\d+) rss_mb=(\d+)")
COMPARED = ("verdict", "exit_code", "signal", "stdout", "stderr", "stdout_truncated",
            "stderr_truncated")


class WarmLanguage:
    """key: the language; title: as in X-Codeexec-Warm-<title>; zygote: its
    binary beside the server; hello: a program that prints `hello_out`;
    runtime: the warm runtime's name (--no-warm-<runtime>, the replies'
    "zygote", metric names) when it is not the language's key."""

    def __init__(self, key: str, title: str, zygote: str, ext: str, hello: str, hello_out: str,
                 runtime: str | None = None):
        self.key, self.title, self.zygote, self.ext = key, title, zygote, ext
        self.runtime = runtime or key
        self.hello, self.hello_out = hello, hello_out
        self.lang_dir = Path(__file__).resolve().parent / "languages" / key

    def cases(self, extra: dict) -> list:
        """The corpus (but its time-out, which test_languages.py runs) and
        the module's own programs, as (name, code)."""
        cases = []
        for name in json.loads((self.lang_dir / "expect.json").read_text()):
            if name != "timeout":
                cases.append((name, (self.lang_dir / f"{name}.{self.ext}").read_text()))
        return cases + sorted(extra.items())

    def run(self, url: str, code: str, stdin: str = "line1\nrest\n") -> dict:
        return v1_run(url, code, language=self.key, timeout=30, stdin=stdin)

    def header(self, url: str) -> str:
        st, headers, _ = request(url, "GET", "/health", timeout=5)
        assert st == 200
        return headers.get(f"X-Codeexec-Warm-{self.title}", "")

    def wait_ready(self, url: str, timeout: float = 120.0) -> None:
        """The first run starts the zygotes (and runs cold): wait for them."""
        assert self.run(url, self.hello)["stdout"] == self.hello_out
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            last = self.header(url)
            m = READY.fullmatch(last)
            if m and int(m[2]) > 0 and m[1] == m[2]:
                return
            time.sleep(0.2)
        raise AssertionError(f"warm {self.title} was not ready within {timeout:.0f} s: {last!r}")

    def servers(self, why_missing: str):
        """For a module fixture: (warm, cold) URLs of a default server, its
        zygotes ready, and one started with --no-warm-<key>; skips when the
        build has no zygote binary (why_missing says why) or the language
        is not installed."""
        if not (BINARY.parent / self.zygote).is_file():
            pytest.skip(f"this build has no {self.zygote} ({why_missing})")
        with start_server("--uid-base", str(unique_uid_base())) as warm, \
                start_server(f"--no-warm-{self.runtime}", "--uid-base", str(unique_uid_base())) as cold:
            langs = request(warm.url, "GET", "/v1/languages")[2]
            lang = [l for l in json.loads(langs)["languages"] if l["key"] == self.key]
            if not lang or not lang[0]["installed"]:
                pytest.skip(f"{self.title} is not installed")
            assert self.header(cold.url) == "off"
            self.wait_ready(warm.url)
            yield warm.url, cold.url

    def results(self, servers, cases: list) -> dict:
        """name -> (warm reply, cold reply), two runs at a time."""
        warm, cold = servers
        with cf.ThreadPoolExecutor(max_workers=2) as pool:
            on = {name: pool.submit(self.run, warm, code) for name, code in cases}
            off = {name: pool.submit(self.run, cold, code) for name, code in cases}
            return {name: (on[name].result(), off[name].result()) for name, _ in cases}

    def assert_same(self, warm: dict, cold: dict, masked=lambda text: text) -> None:
        """The warm run came from the zygote, the cold one not, and both
        replies agree on everything a program decides (after `masked`)."""
        assert warm.get("zygote") == self.runtime, f"not a warm run: {warm}"
        assert cold.get("zygote") is None
        for key in COMPARED:
            assert masked(warm.get(key)) == masked(cold.get(key)), (key, warm, cold)

    def assert_corpus_verdicts(self, results: dict) -> None:
        """The corpus's expected MultiPL-E statuses, warm (the comparison
        alone would pass if both servers were wrong the same way)."""
        expect = json.loads((self.lang_dir / "expect.json").read_text())
        for name, want in expect.items():
            if name in results:
                assert results[name][0]["verdict"] == want["status"], results[name][0]
                assert results[name][0]["exit_code"] == want["exit_code"], results[name][0]

    def assert_crash_leaves_zygote(self, url: str, crash: str, crashed) -> None:
        """A run of `crash`, a program that crashes the interpreter, comes
        from the zygote and ends as `crashed(reply)` says it must; the
        zygote serves the next run (the hello-world) and was not restarted."""
        before = metric(url, f"codeexec_warm_{self.runtime}_restarts_total")
        runs = metric(url, f"codeexec_warm_{self.runtime}_runs_total")
        r = self.run(url, crash)
        assert r["zygote"] == self.runtime and crashed(r), r
        r = self.run(url, self.hello)
        assert r["zygote"] == self.runtime and r["stdout"] == self.hello_out, r
        assert metric(url, f"codeexec_warm_{self.runtime}_restarts_total") == before
        assert metric(url, f"codeexec_warm_{self.runtime}_runs_total") == runs + 2
