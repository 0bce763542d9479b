"""The cold path of judge mode: every test in a fresh cold box of the same
slot, one after the other (issue 16, "the cold path itself").

A box's mount namespace is now torn down after its run, off the run's path
(src/sandbox/reclaim.c). These tests hold the property that must not change
with that or any later reuse of a slot's set-up: a run's accounting and
limits are its own. After a memory-hungry test the next test reports its own
small memory_kb; after a test killed for memory the next one passes; a test
that filled its process limit leaves the next its whole quota; and nothing a
test left in /tmp is seen by the next, in the same slot.
"""

from __future__ import annotations

import pytest
import requests

from conftest import start_server

# stdin: "<MiB to allocate and touch> <children to fork>"
PROGRAM = r"""
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

int main() {
    long mb;
    int forks;
    if (scanf("%ld %d", &mb, &forks) != 2)
        return 2;
    FILE *seen = fopen("/tmp/left-by-a-test", "r");
    printf("marker %s\n", seen ? "seen" : "none");
    FILE *mark = fopen("/tmp/left-by-a-test", "w");
    if (mark)
        fclose(mark);
    if (mb > 0) {
        char *p = (char *)malloc((size_t)mb << 20);
        if (!p)
            return 3;
        memset(p, 1, (size_t)mb << 20);
        printf("touched %ld\n", mb);
    }
    int forked = 0;
    for (int i = 0; i < forks; i++) {
        pid_t c = fork();
        if (c == 0) {
            pause();
            _exit(0);
        }
        if (c > 0)
            forked++;
    }
    printf("forked %d\n", forked);
    fflush(stdout);
    return 0;
}
"""

LIMITS = {"memory_mb": 256, "processes": 8, "wall_ms": 10000}
SMALL_KB = 48 * 1024  # a C++ program that allocates nothing stays far below


@pytest.fixture(scope="module")
def one_slot():
    """One slot, so that every test of a judge runs in the same slot, in turn
    (box uids from CODEEXEC_UID_BASE, as every test server's)."""
    with start_server("--max-running", "1") as s:
        yield s.url


def _judge(url, tests):
    r = requests.post(url + "/v1/judge", timeout=300, json={
        "language": "cpp", "code": PROGRAM, "limits": LIMITS,
        "tests": [{"stdin": stdin, "expected": expected} for stdin, expected in tests]})
    assert r.status_code == 200, r.text[:500]
    return r.json()


def test_each_cold_test_has_its_own_accounting(one_slot):
    small = ("0 0\n", "marker none\nforked 0\n")
    hungry = ("200 0\n", "marker none\ntouched 200\nforked 0\n")
    too_much = ("600 0\n", "marker none\ntouched 600\nforked 0\n")
    tests = [hungry, small, too_much, small] * 2
    j = _judge(one_slot, tests)
    got = [(t["verdict"], t["memory_kb"]) for t in j["tests"]]
    assert j["compile"] is not None and j["total"] == len(tests), j.get("compile")
    for i in range(0, len(tests), 4):
        (v0, m0), (v1, m1), (v2, m2), (v3, m3) = got[i:i + 4]
        assert v0 == "AC" and m0 >= 200 * 1024, got
        # the test after a 200 MiB one: its own peak, not the slot's
        assert v1 == "AC" and m1 < SMALL_KB, got
        # killed at its own limit, never earlier for what came before
        assert v2 == "MLE" and m2 <= 256 * 1024 + 1024, got
        assert m2 >= 200 * 1024, got
        # and the test after an OOM kill is not an OOM kill
        assert v3 == "AC" and m3 < SMALL_KB, got


def test_each_cold_test_has_its_own_process_quota(one_slot):
    fill = ("0 50\n", "")
    small = ("0 0\n", "marker none\nforked 0\n")
    j = _judge(one_slot, [fill, small, fill, small, fill])
    outs = [t["stdout"] for t in j["tests"]]
    forked = [int(o.split("forked ")[1]) for o in outs[0::2]]
    # 8 processes: the program and 7 children at most; the children of the
    # test before (killed at its end) take nothing of the next one's quota
    assert 1 <= forked[0] <= 7 and forked == [forked[0]] * 3, outs
    assert [t["verdict"] for t in j["tests"]][1::2] == ["AC", "AC"], outs


def test_nothing_a_test_leaves_in_tmp_is_seen_by_the_next(one_slot):
    small = ("0 0\n", "marker none\nforked 0\n")
    j = _judge(one_slot, [small] * 6)
    assert [t["verdict"] for t in j["tests"]] == ["AC"] * 6, [t["stdout"] for t in j["tests"]]
