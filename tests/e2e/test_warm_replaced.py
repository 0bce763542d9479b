"""A warm zygote whose toolchain is upgraded under it starts again
(exec/warmpool.c, docs/operations.md "Toolchain upgrades").

A package upgrade replaces an executable or a library by renaming a new
file over the old one; a zygote that mapped the old one would go on giving
its runs the old toolchain while cold runs get the new one. Here a Python
recipe of the test's own preloads a module that maps a shared library from
a directory of the test's (a copy of libz, loaded with ctypes); the test
then replaces that library the way dpkg does. The zygotes that map it must
be marked replaced within seconds, be started again from the new file when
their slot is next free (the run that finds one stale runs on another
zygote or cold), not count
as deaths, and serve warm runs again afterwards; the lean zygote, which
does not map it, is left alone.

Budget: about 15 s on a 2-core machine.
"""

from __future__ import annotations

import ctypes.util
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, start_server
from hostile import metric, unique_uid_base, v1_run, wait_warm_ready

USES_PROBE = "import probe\nprint(probe.ok)\n"


def _libz() -> Path:
    name = ctypes.util.find_library("z")
    for d in ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"):
        if name and (Path(d) / name).is_file():
            return Path(d) / name
    pytest.skip("no libz to copy")


@pytest.fixture
def probe_dir():
    # Not under /tmp or /var/tmp: a box has its own /tmp (and /var/tmp
    # leads there), and files in /tmp are not installed files
    # (util/procmaps.c).
    d = Path(tempfile.mkdtemp(prefix="codeexec-test-replaced-", dir="/var/cache"))
    try:
        os.chmod(d, 0o755)
        shutil.copy(_libz(), d / "libprobe.so")
        os.chmod(d / "libprobe.so", 0o644)
        (d / "probe.py").write_text(f"import ctypes\nlib = ctypes.CDLL({str(d / 'libprobe.so')!r})\n"
                                    "ok = lib.zlibVersion() is not None\n")
        os.chmod(d / "probe.py", 0o644)
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _languages(tmp_path: Path, probe: Path) -> Path:
    langs = tmp_path / "languages"
    langs.mkdir()
    recipe = json.loads((REPO_ROOT / "languages" / "python.json").read_text())
    recipe["binds"] = [str(probe)]
    recipe["env"] = {"PYTHONPATH": str(probe)}
    (langs / "python.json").write_text(json.dumps(recipe))
    shutil.copytree(REPO_ROOT / "languages" / "internal", langs / "internal")
    return langs


def _wait(what: str, cond, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"{what} within {timeout:.0f} s")


def test_a_replaced_library_restarts_the_zygotes_that_map_it(tmp_path, probe_dir):
    langs = _languages(tmp_path, probe_dir)
    with start_server("--languages", str(langs), "--python-preload", "probe", "--max-running", "2",
                      "--uid-base", str(unique_uid_base())) as s:
        wait_warm_ready(s.url)
        r = v1_run(s.url, USES_PROBE, language="python")
        assert (r["zygote"], r["stdout"]) == ("probe", "True\n"), r
        assert metric(s.url, "codeexec_warm_python_replaced_total") == 0

        # as dpkg does: the new file beside the old one, renamed over it
        shutil.copy(probe_dir / "libprobe.so", probe_dir / "libprobe.so.new")
        os.chmod(probe_dir / "libprobe.so.new", 0o644)
        os.rename(probe_dir / "libprobe.so.new", probe_dir / "libprobe.so")

        # two slots: their two probe zygotes, not their lean ones
        _wait("both probe zygotes marked replaced",
              lambda: metric(s.url, "codeexec_warm_python_replaced_total") == 2)
        # The run that finds its slot's probe zygote stale goes elsewhere (the
        # lean zygote, which imports the module from disk), and so do the
        # next ones until the new zygote is ready.
        r = v1_run(s.url, USES_PROBE, language="python")
        assert (r["zygote"], r["stdout"]) == ("lean", "True\n"), r
        wait_warm_ready(s.url)  # the probe zygotes again
        for _ in range(4):
            r = v1_run(s.url, USES_PROBE, language="python")
            assert (r["zygote"], r["stdout"]) == ("probe", "True\n"), r
        assert metric(s.url, "codeexec_warm_python_replaced_total") == 2
        assert metric(s.url, "codeexec_warm_python_restarts_total") == 0
        lean = v1_run(s.url, "print(2)\n", language="python")
        assert (lean["zygote"], lean["stdout"]) == ("lean", "2\n"), lean
