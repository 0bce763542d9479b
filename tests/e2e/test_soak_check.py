"""The soak's leftover check (bench/soak.py, `make soak`): the warm Python
zygotes and the spawner, alive by design, are not leftovers; any other
process under the server is, and fails the soak.

A planted leftover: the server is started through `sh -c 'sleep 600 & exec
codeexec ...'`, so that a stray `sleep` is the server's own child (the pid
stays the server's). The check must report it, and only it among the
server's processes besides probes, and must find every zygote.

Budget: a few seconds.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time

import pytest

from conftest import BINARY, REPO_ROOT, require_binary, start_server  # noqa: E402
from hostile import (background_running, build_has_warm_python, request, unique_uid_base,
                     wait_quiet, wait_warm_ready)


@pytest.fixture(scope="module")
def soak():
    require_binary()
    if not build_has_warm_python(BINARY):
        pytest.skip(f"{BINARY} has no warm Python: no zygotes to tell apart")
    bench = str(REPO_ROOT / "bench")
    sys.path.append(bench)   # after tests/e2e: bench/common.py must not shadow anything here
    try:
        return importlib.import_module("soak")
    finally:
        sys.path.remove(bench)


def test_planted_leftover_is_reported_and_zygotes_are_not(soak, tmp_path):
    planted_file = tmp_path / "planted.pid"
    wrapper = ("/bin/sh", "-c", 'sleep 600 & echo $! > "$0"; exec "$@"', str(planted_file))
    with start_server("--uid-base", str(unique_uid_base()), wrapper=wrapper) as s:
        planted = int(planted_file.read_text())
        try:
            pool = int(wait_warm_ready(s.url)[2])
            # the start-up version probes' boxes are the server's, and in
            # flight on a slow machine: counted once they are done
            wait_quiet(s.url)
            assert soak.warm_pool_size(s.url) == pool > 0
            zygotes, leftovers = soak.census(s.pid, pool)
            assert len(zygotes) == pool, (zygotes, leftovers)
            assert (planted, "sleep") in leftovers, f"the planted sleep ({planted}) is not reported: {leftovers}"
            assert not set(zygotes) & {p for p, _ in leftovers}, (zygotes, leftovers)
            # the spawner (one, the server's own binary) is part of the server
            assert not [p for p, comm in leftovers if comm == "codeexec-spawn"], leftovers
            # a pool said to be smaller than what runs: the extra zygotes are leftovers
            few, extra = soak.census(s.pid, pool - 1)
            assert len(few) == pool - 1 and set(zygotes) - set(few) <= {p for p, _ in extra}
        finally:
            os.kill(planted, signal.SIGKILL)


def test_a_clean_server_has_only_zygotes(soak, server_proc):
    """The session's server, after whatever ran before: its zygotes (Python's,
    and Racket's, R's, OCaml's and PHP's if it ran them), its spawner, at most its standby boxes,
    and nothing else."""
    wait_quiet(server_proc.url)
    pool = int(wait_warm_ready(server_proc.url)[2])
    deadline = time.monotonic() + 10   # a box of a run cancelled just before may still be going
    while True:
        # Racket's, R's, OCaml's and PHP's zygotes are there if a run of theirs came before
        # (test_languages.py)
        zygotes, leftovers = soak.census(server_proc.pid, soak.warm_pool_size(server_proc.url),
                                         lazy=soak.lazy_pools(server_proc.url))
        if (len(zygotes) == pool and leftovers == []) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(zygotes) == pool and leftovers == [], (zygotes, leftovers)
