"""End-to-end tests of /py_coverage and /v1/coverage.

Every figure is checked against coverage.py itself, run directly on the host
(Debian's python3-coverage: `/usr/bin/python3 -m coverage run --omit=/usr/*`
then `report`, in a temporary directory) on the same program, and read from
the report's TOTAL row (or its only row).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import code_exec_reqs as cer

PY = "/usr/bin/python3"
# The server measures the program's own files only (see docs/api.md): Debian's
# /usr/lib/python3/dist-packages is not "third-party" to coverage.py 6.5.
OMIT = ["--omit=/usr/*"]


def host_coverage(code: str, timeout: float = 30):
    """(figure, json report or None) from coverage.py run on the host."""
    with tempfile.TemporaryDirectory() as d:
        Path(d, "main.py").write_text(code)
        data = str(Path(d, ".cov"))
        try:
            r = subprocess.run([PY, "-m", "coverage", "run", f"--data-file={data}", *OMIT, "main.py"],
                               cwd=d, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return -1, None
        if r.returncode != 0:
            return -1, None
        rep = subprocess.run([PY, "-m", "coverage", "report", f"--data-file={data}"],
                             cwd=d, capture_output=True, text=True, timeout=30)
        if rep.returncode != 0:
            return -1, None
        rows = [l for l in rep.stdout.splitlines() if l and not l.startswith(("Name", "---"))]
        figure = int(rows[-1].split()[3].rstrip("%"))
        js = subprocess.run([PY, "-m", "coverage", "json", f"--data-file={data}", "-o", "-"],
                            cwd=d, capture_output=True, text=True, timeout=30)
        return figure, json.loads(js.stdout)


def post(server, path, obj, raw=None):
    data = raw if raw is not None else json.dumps(obj).encode()
    req = urllib.request.Request(server + path, data=data, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


def body_lines(n):
    return "".join(f"    x{i} = {i}\n" for i in range(n))


PROGRAMS = {
    "full": "def f(x):\n    return x + 1\n\nassert f(1) == 2\nprint('ok')\n",
    "partial": ("def f(x):\n    if x > 0:\n        return 1\n    return 2\n\n"
                "def g():\n    y = 3\n    return y\n\nassert f(1) == 1\n"),
    # nothing but definitions: only the def lines run
    "uncalled": ("def a():\n" + body_lines(12) + "\ndef b():\n" + body_lines(12) +
                 "\nclass C:\n    def m(self):\n" + body_lines(6).replace("    ", "        ")),
    # 1 statement of 201 runs: 0.5 % is shown as 1, never 0
    "near_zero": "def f():\n" + body_lines(200),
    # 201 of 202 run: 99.5 % is shown as 99, never 100
    "near_full": "".join(f"x{i} = {i}\n" for i in range(201)) + "if x0:\n    y = 1\n",
    # 1 of 8 = 12.5 % and 3 of 8 = 37.5 %: coverage.py rounds half to even
    "half_down": "def f():\n" + body_lines(7),
    "half_up": "import sys\nz = 1\ndef f():\n" + body_lines(5),
    "exit_zero": "import sys\nprint('bye')\nsys.exit(0)\nprint('never')\n",
    # imports: numpy and the program's own module count, numpy's code does not
    "imports": ("import json, numpy, os\n"
                "open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'helper.py'), 'w')"
                ".write('def h():\\n    return 5\\ndef u():\\n    return 6\\n')\n"
                "import helper\nprint(helper.h(), numpy.arange(3).sum())\n"),
    "stdout_noise": "import sys\nfor i in range(1000):\n    print('x' * 100)\nsys.stderr.write('e')\n",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_figure_equals_coverage_py(server, name):
    code = PROGRAMS[name]
    want, _ = host_coverage(code)
    st, ctype, body = post(server, "/py_coverage", {"code": code, "timeout": 30})
    assert st == 200 and ctype.startswith("text/plain")
    assert body == b'{"coverage":%d}' % want, (name, want, body)


def test_imported_packages_are_not_measured(server):
    st, _, body = post(server, "/v1/coverage", {"code": PROGRAMS["imports"], "timeout": 60})
    got = json.loads(body)
    assert got["status"] == "ok", got
    assert sorted(f["file"] for f in got["files"]) == ["helper.py", "main.py"]
    # main.py fully, helper.py 3 of 4 statements: 7 of 8
    assert (got["num_statements"], got["coverage"]) == (8, 88)


def test_rounding_cases_are_what_report_prints(server):
    # the figures themselves, not only agreement with the host
    got = {n: json.loads(post(server, "/py_coverage", {"code": PROGRAMS[n], "timeout": 30})[2])
           for n in ("near_zero", "near_full", "half_down", "half_up")}
    assert got == {"near_zero": {"coverage": 1}, "near_full": {"coverage": 99},
                   "half_down": {"coverage": 12}, "half_up": {"coverage": 38}}


@pytest.mark.parametrize("code", [
    "raise ValueError('boom')\n",
    "import sys\nsys.exit(3)\n",
    "def f(:\n",                     # syntax error
    "import os\nos._exit(0)\n",      # exits 0 without saving coverage data: no report
])
def test_failing_programs_are_minus_one(server, code):
    assert host_coverage(code)[0] == -1
    st, _, body = post(server, "/py_coverage", {"code": code, "timeout": 30})
    assert (st, body) == (200, b'{"coverage":-1}')


def test_timeout_is_minus_one(server):
    st, _, body = post(server, "/py_coverage", {"code": "while True:\n    pass\n", "timeout": 2})
    assert (st, body) == (200, b'{"coverage":-1}')


def test_slow_but_in_time_program_is_measured(server):
    code = "import time\ntime.sleep(1.5)\nx = 1\n"
    st, _, body = post(server, "/py_coverage", {"code": code, "timeout": 3})
    assert body == b'{"coverage":100}'


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1]", b'{"timeout": 5}',
                                 b'{"code": 5, "timeout": 5}', b'{"code": "x", "timeout": "5"}'])
def test_invalid_body_is_bare_minus_one(server, raw):
    st, ctype, body = post(server, "/py_coverage", None, raw=raw)
    assert (st, body) == (200, b"-1")
    assert ctype.startswith("text/plain")


def test_program_cannot_fake_its_report(server):
    # files a program leaves in /tmp must not take over the report step
    code = ("import os\n"
            "os.makedirs('/tmp/coverage', exist_ok=True)\n"
            "open('/tmp/coverage/__init__.py', 'w').write('')\n"
            "open('/tmp/coverage/__main__.py', 'w').write('print(\"{}\")')\n"
            "open('/tmp/.coveragerc', 'w').write('[report]\\nprecision = 2\\n')\n"
            "def unused():\n    return 1\n")
    want, _ = host_coverage(code)
    st, _, body = post(server, "/py_coverage", {"code": code, "timeout": 30})
    assert body == b'{"coverage":%d}' % want


def test_data_file_replaced_by_symlink(server):
    # the server reads only the report step's stdout, never a file of the box
    code = ("import os, atexit\n"
            "def swap():\n"
            "    try: os.remove('/tmp/.coverage')\n"
            "    except OSError: pass\n"
            "    os.symlink('/etc/shadow', '/tmp/.coverage')\n"
            "swap()\n")
    st, _, body = post(server, "/py_coverage", {"code": code, "timeout": 30})
    assert st == 200
    assert json.loads(body)["coverage"] in range(-1, 101)


def test_v1_coverage_detail_matches_coverage_json(server):
    code = PROGRAMS["partial"]
    want, rep = host_coverage(code)
    st, ctype, body = post(server, "/v1/coverage", {"code": code, "timeout": 30})
    assert st == 200 and ctype == "application/json"
    got = json.loads(body)
    f = rep["files"]["main.py"]
    assert got["status"] == "ok"
    assert got["coverage"] == want
    assert got["covered_lines"] == f["executed_lines"]
    assert got["missing_lines"] == f["missing_lines"]
    assert got["num_statements"] == rep["totals"]["num_statements"]
    assert abs(got["percent_covered"] - rep["totals"]["percent_covered"]) < 1e-9
    assert [x["file"] for x in got["files"]] == ["main.py"]
    assert got["exit_code"] == 0


def test_v1_coverage_stdin_and_failures(server):
    code = "s = input()\nif s == 'yes':\n    print('y')\nelse:\n    print('n')\n"
    got = json.loads(post(server, "/v1/coverage", {"code": code, "stdin": "yes\n"})[2])
    assert (got["status"], got["stdout"], got["missing_lines"]) == ("ok", "y\n", [5])
    got = json.loads(post(server, "/v1/coverage", {"code": "raise SystemExit(2)"})[2])
    assert (got["status"], got["coverage"], got["exit_code"]) == ("runtime_error", -1, 2)
    got = json.loads(post(server, "/v1/coverage", {"code": "while 1: pass", "timeout": 1})[2])
    assert (got["status"], got["coverage"]) == ("timeout", -1)


@pytest.mark.parametrize("obj,field", [({"timeout": 5}, "code"), ({"code": 1}, "code"),
                                       ({"code": "x", "stdin": 1}, "stdin"),
                                       ({"code": "x", "timeout": -2}, "timeout")])
def test_v1_coverage_bad_input(server, obj, field):
    st, _, body = post(server, "/v1/coverage", obj)
    err = json.loads(body)
    assert st == 400 and err["error"] == "invalid_field" and field in err["message"]
    st, _, body = post(server, "/v1/coverage", None, raw=b"{")
    assert st == 400 and json.loads(body)["error"] == "invalid_json"


def test_client_run_coverage(server):
    code = "def f(x):\n    if x:\n        return 1\n    return 0\n"
    assert cer.run_coverage(server, code, ["assert f(1) == 1"]) == host_coverage(
        code + "\n\nassert f(1) == 1")[0]
    assert cer.run_coverage(server, code, ["assert f(1) == 0"]) == -1


def test_not_listed_as_a_language(server):
    with urllib.request.urlopen(server + "/v1/languages") as r:
        keys = {l["key"] for l in json.load(r)["languages"]}
    assert "python-coverage" not in keys
