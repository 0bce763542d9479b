"""The helpers of hostile.py that decide what a test server may touch:
unique_uid_base stays inside the session's CODEEXEC_UID_BASE block, as
conftest.py's servers do, so two test sessions on one machine (two work
trees) never give their servers the same box uids."""

from __future__ import annotations

import hostile


def test_unique_uid_base_stays_in_the_sessions_block(monkeypatch):
    monkeypatch.setenv("CODEEXEC_UID_BASE", "700000")
    bases = [hostile.unique_uid_base() for _ in range(40)]
    # above the session servers' own base (and its gid base-1), below the next block
    assert all(701000 <= b <= 799000 and b % 1000 == 0 for b in bases), bases
    assert len(set(bases)) == len(bases)


def test_unique_uid_base_without_a_block(monkeypatch):
    monkeypatch.delenv("CODEEXEC_UID_BASE", raising=False)
    b = hostile.unique_uid_base()
    assert 400000 <= b < 4100000 and b % 1000 == 0
