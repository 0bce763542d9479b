"""`codeexec-cli judge`: judge one solution against a problem directory or a
JSONL file of tests, with progress while the tests run and a table after.

Theory of operation. The problem is read locally (problemdir.py); the
request always streams (POST /v1/judge with "stream": true), and each event
updates the progress display on stderr: a bar redrawn in place on a
terminal, one plain line per test otherwise (logs, CI). The reply is put
back together from the events (judge.assemble) and printed on stdout as a
table of per-test verdicts and a summary line, or as JSON with --json.
With --upload NAME the tests go to the server's problem store once (again
only when their hash or the checker/limits changed) and every judge after
that names the problem instead of resending the tests.

Exit status: 0 AC; 1 any other verdict; 2 unusable problem or options;
125 the server could not judge it (main() in codeexec-cli maps errors).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, Dict, List, Optional

from .client import CodeExecError, language_for_path
from .problemdir import ProblemError, checker_program, load_problem, problem_hash

EXIT_AC, EXIT_NOT_AC, EXIT_USAGE = 0, 1, 2
# Shown in the table and the first-failure report.
MESSAGE_WIDTH = 60
SHOW_LINES = 8


def add_parser(sub, add_common, make_client) -> None:
    j = sub.add_parser(
        "judge", help="judge a solution against a problem's tests (exit 0 when AC)",
        description="Judge CODE_FILE against the tests of PROBLEM (a problem directory or a "
                    "JSONL file of {\"stdin\", \"expected\"} lines); see docs/judge.md. "
                    "Exit status: 0 AC, 1 any other verdict, 2 bad problem or options, "
                    "125 the server could not judge.")
    j.add_argument("problem", metavar="PROBLEM", help="problem directory or tests.jsonl")
    j.add_argument("code", metavar="CODE_FILE", help="the solution's source file")
    j.add_argument("--language", "--lang", "-l",
                   help="language key (default: from CODE_FILE's extension)")
    j.add_argument("--checker", "-c", metavar="C",
                   help="checker: a name (tokens, tokens_float, exact, ...), a JSON object, "
                        "or a checker program's source file (default: the problem's, else "
                        "the server's lines_rstrip)")
    j.add_argument("--time-limit", "-t", type=float, metavar="S",
                   help="wall-time limit per test in seconds (overrides problem.json)")
    j.add_argument("--memory-mb", "-m", type=int, metavar="N",
                   help="memory limit per test in MiB (overrides problem.json)")
    j.add_argument("--stop-on-first-failure", "-x", action="store_true",
                   help="skip the tests after the first one that fails")
    j.add_argument("--upload", metavar="NAME",
                   help="store the problem on the server as NAME (once) and judge by reference")
    j.add_argument("--json", action="store_true", help="print the whole reply as JSON")
    j.add_argument("--no-progress", action="store_true", help="no progress on stderr")
    add_common(j, False)
    j.set_defaults(fn=lambda a: cmd_judge(a, make_client))


def _fail(msg: str) -> int:
    print(f"codeexec-cli: {msg}", file=sys.stderr)
    return EXIT_USAGE


def parse_checker(value: str):
    """--checker: a JSON object, a checker program's source file, or a name."""
    v = value.strip()
    if v.startswith("{"):
        return json.loads(v)
    if os.path.isfile(v):
        extra = os.path.join(os.path.dirname(os.path.abspath(v)), "checker")
        return checker_program(v, extra if os.path.isdir(extra) else None)
    return v


def _read_code(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def cmd_judge(a, make_client) -> int:
    lang = a.language or language_for_path(a.code)
    if not lang:
        return _fail(f"cannot tell the language of {a.code!r} from its extension; "
                     f"use --language")
    try:
        prob = load_problem(a.problem)
        code = _read_code(a.code)
        checker = parse_checker(a.checker) if a.checker else None
    except (ProblemError, OSError, ValueError) as e:
        return _fail(str(e))
    limits = dict(prob["limits"] or {})
    cli_limits = {}
    if a.time_limit is not None:
        cli_limits["wall_ms"] = max(1, int(round(a.time_limit * 1000)))
    if a.memory_mb is not None:
        cli_limits["memory_mb"] = a.memory_mb
    limits.update(cli_limits)
    client = make_client(a, concurrency=1)
    names: List[str] = prob["names"]
    req: Dict[str, Any] = {"stop_on_first_failure": a.stop_on_first_failure}
    if a.upload:
        h = ensure_uploaded(client, a.upload, prob, quiet=a.json or a.no_progress)
        req.update(problem=a.upload, problem_hash=h)
        if checker is not None:
            req["checker"] = checker
        if cli_limits:
            req["limits"] = limits
    else:
        req.update(tests=prob["tests"], checker=checker if checker is not None
                   else prob["checker"], limits=limits or None)
    show = not a.json and not a.no_progress
    view = Progress(len(prob["tests"]), names, sys.stderr) if show else None
    t0 = time.monotonic()
    try:
        reply = client.judge(lang, code, stream=view.event if view else True, **req)
    finally:
        if view:
            view.close()
    if a.json:
        print(json.dumps(reply, ensure_ascii=False))
    else:
        print_report(reply, names, prob["tests"], time.monotonic() - t0, sys.stdout)
    return EXIT_AC if reply.get("verdict") == "AC" else EXIT_NOT_AC


def ensure_uploaded(client, name: str, prob: Dict[str, Any], quiet: bool) -> str:
    """Stores prob as `name` unless the server already has these tests, checker
    and limits; returns the tests' hash."""
    h = problem_hash(prob["tests"])
    try:
        have = client.get_problem(name)
    except CodeExecError as e:
        if e.code != "unknown_problem" and e.http_status != 404:
            raise
        have = None
    if have and have.get("hash") == h and have.get("checker") == prob["checker"] \
            and (have.get("limits") or None) == (prob["limits"] or None):
        if not quiet:
            print(f"codeexec-cli: problem {name!r} is stored already ({len(prob['tests'])} "
                  f"tests, hash {h})", file=sys.stderr)
        return h
    got = client.put_problem(name, prob["tests"], checker=prob["checker"], limits=prob["limits"])
    if not quiet:
        print(f"codeexec-cli: stored problem {name!r}: {got.get('tests')} tests, "
              f"{got.get('bytes')} bytes, hash {got.get('hash')}", file=sys.stderr)
    return got.get("hash") or h


class Progress:
    """Per-event progress on stderr: a bar on a terminal, lines otherwise."""

    BAR = 30

    def __init__(self, total: int, names: List[str], stream):
        self.total, self.names, self.out = total, names, stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.done = 0
        self.counts: Dict[str, int] = {}
        self.t0 = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def name(self, i) -> str:
        return self.names[i] if isinstance(i, int) and 0 <= i < len(self.names) else str(i)

    def event(self, ev: Dict[str, Any]) -> None:
        kind = ev.get("event")
        if kind == "compile":
            c = ev.get("compile")
            if c:
                self._line(f"compile: {c.get('status')} ({c.get('wall_ms')} ms)")
        elif kind == "test":
            self.done += 1
            v = str(ev.get("verdict"))
            self.counts[v] = self.counts.get(v, 0) + 1
            if self.tty:
                self._draw()
            else:
                self._line(f"test {self.name(ev.get('index'))}: {v} "
                           f"{ev.get('wall_ms')} ms ({self.done}/{self.total})")
        elif kind == "done" and self.tty:
            self._draw(force=True)

    def _line(self, text: str) -> None:
        if self.drawn:
            self.out.write("\r\033[K")
            self.drawn = False
        self.out.write(text + "\n")
        self.out.flush()
        if self.tty and self.done:
            self._draw(force=True)

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last < 0.05 and self.done < self.total:
            return
        self.last = now
        filled = self.BAR * self.done // max(1, self.total)
        bar = "#" * filled + "-" * (self.BAR - filled)
        counts = "  ".join(f"{k} {n}" for k, n in sorted(self.counts.items(),
                                                          key=lambda kv: (kv[0] != "AC", kv[0])))
        self.out.write(f"\r\033[K[{bar}] {self.done}/{self.total}  {counts}  "
                       f"{now - self.t0:.1f} s")
        self.out.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.out.write("\n")
            self.out.flush()
            self.drawn = False


def _cut(text: Optional[str], width: int) -> str:
    t = (text or "").replace("\n", " ").strip()
    return t if len(t) <= width else t[:width - 3] + "..."


def _head(text: Optional[str], lines: int = SHOW_LINES) -> str:
    parts = (text or "").split("\n")
    more = len(parts) > lines
    body = "\n".join("    " + p for p in parts[:lines]).rstrip()
    return body + ("\n    ..." if more else "") if body else "    (empty)"


def print_report(reply: Dict[str, Any], names: List[str], tests: List[Dict[str, str]],
                 seconds: float, out) -> None:
    """The per-test table, the first failure's details and the summary line."""
    comp = reply.get("compile")
    rows = reply.get("tests") or []
    if rows:
        w = max([4] + [len(names[r["index"]]) for r in rows
                       if isinstance(r.get("index"), int) and r["index"] < len(names)])
        out.write(f"{'#':>4}  {'test':<{w}}  {'verdict':<7}  {'time ms':>8}  {'mem KB':>8}  "
                  f"message\n")
        for r in rows:
            i = r.get("index")
            name = names[i] if isinstance(i, int) and i < len(names) else "?"
            msg = r.get("checker_message") or ""
            if not msg and r.get("verdict") == "RE":
                sig = r.get("signal")
                msg = f"killed by signal {sig}" if sig else f"exit code {r.get('exit_code')}"
            out.write(f"{i:>4}  {name:<{w}}  {r.get('verdict', '?'):<7}  "
                      f"{_num(r.get('wall_ms')):>8}  {_num(r.get('memory_kb')):>8}  "
                      f"{_cut(msg, MESSAGE_WIDTH)}\n".rstrip() + "\n")
    if comp and comp.get("status") not in (None, "ok"):
        out.write(f"\ncompile {comp.get('status')} (exit code {comp.get('exit_code')}):\n")
        out.write(_head(comp.get("stderr") or comp.get("stdout"), 20) + "\n")
        if reply.get("language") == "java" and "should be declared in a file named" in \
                (comp.get("stderr") or ""):
            out.write("  (the server compiles Java as Problem.java and runs `java Problem`: "
                      "name the public class Problem)\n")
    chk = reply.get("checker") or {}
    if isinstance(chk, dict) and chk.get("compile") and chk["compile"].get("status") != "ok":
        out.write(f"\nchecker compile {chk['compile'].get('status')}:\n")
        out.write(_head(chk["compile"].get("stderr"), 20) + "\n")
    first = next((r for r in rows if r.get("verdict") not in ("AC", "SKIPPED")), None)
    if first is not None and first.get("verdict") != "CE":
        i = first.get("index")
        name = names[i] if isinstance(i, int) and i < len(names) else "?"
        out.write(f"\nfirst failure: test {name} (#{i}): {first.get('verdict')}\n")
        if first.get("checker_message"):
            out.write(f"  checker: {first['checker_message']}\n")
        if isinstance(i, int) and i < len(tests) and first.get("verdict") in ("WA", "PE"):
            out.write("  input:\n" + _head(tests[i]["stdin"]) + "\n")
            out.write("  expected:\n" + _head(tests[i]["expected"]) + "\n")
        if first.get("verdict") in ("WA", "PE", "RE"):
            out.write("  output:\n" + _head(first.get("stdout")) + "\n")
        if first.get("stderr"):
            out.write("  stderr:\n" + _head(first.get("stderr")) + "\n")
    out.write(f"\n{reply.get('verdict')}  {reply.get('passed')}/{reply.get('total')} passed, "
              f"{seconds:.1f} s\n")
    out.flush()


def _num(v) -> str:
    return "-" if v is None else str(v)


__all__ = ["add_parser", "cmd_judge", "print_report", "Progress", "parse_checker",
           "ensure_uploaded"]
