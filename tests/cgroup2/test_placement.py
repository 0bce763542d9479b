"""Where the server may find itself on a cgroup v2 host, besides a delegated
unit cgroup (test_delegated.py): the root of the hierarchy (a VM, or a
container's PID 1 with its own cgroup namespace), a cgroup without the
controllers, a read-only cgroupfs, a cgroup shared with other processes.
Each server is cold-only (no warm pool to wait for) and stopped with SIGTERM,
which must end it with status 0 and leave no cgroup it made.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from conftest import CGROOT, Server, cg_children, cg_procs, cg_read, cg_write, make_cgroup, remove_cgroup

ALLOC_512M = "b = bytearray(512 * 1024 * 1024)\nprint('allocated', len(b))\n"


def codeexec_dirs(path):
    return [n for n in cg_children(path) if n.startswith("codeexec-")]


def test_at_the_root_cgroup(languages_dir):
    """The VM's root cgroup (exempt from the no-internal-processes rule)."""
    before = cg_read(CGROOT / "cgroup.subtree_control").split()
    s = Server(languages_dir, "--memory-mb", "64", cgroup=CGROOT)
    try:
        assert s.limits_header() == "cgroup v2", s.log()
        assert s.proc.pid in cg_procs(CGROOT / f"codeexec-{s.proc.pid}" / "server")
        r = s.run(ALLOC_512M)
        assert r["status"] == "memory_limit" and r["signal"] == 9, r
    finally:
        rc = s.stop()
    assert rc == 0, s.log()
    assert codeexec_dirs(CGROOT) == []
    # the root's controllers stay as they were (others rely on them)
    assert cg_read(CGROOT / "cgroup.subtree_control").split() == before


def test_leftovers_of_a_killed_server_are_reaped(languages_dir):
    """A server killed with SIGKILL cannot clean up; the next one started in
    the same cgroup removes what it left (here at the root, where a new
    process may still be placed)."""
    s = Server(languages_dir, cgroup=CGROOT)
    dead = s.proc.pid
    assert s.run("print(1)\n")["status"] == "ok"
    s.kill()
    assert f"codeexec-{dead}" in codeexec_dirs(CGROOT)
    s2 = Server(languages_dir, cgroup=CGROOT)
    try:
        assert f"codeexec-{dead}" not in codeexec_dirs(CGROOT), s2.log()
        assert f"removing cgroup {CGROOT}/codeexec-{dead} left by an earlier server" in s2.log()
    finally:
        rc = s2.stop()
    assert rc == 0, s2.log()
    assert codeexec_dirs(CGROOT) == []


def test_cgroup_namespace_root(languages_dir, tmp_path):
    """A container with its own cgroup namespace: the server sees 0::/ but is
    not at the real root, so it must give back what it enabled at exit."""
    ctr = make_cgroup(CGROOT / "ctr.slice" / "ctr-1.scope")
    try:
        s = Server(languages_dir, cgroup=ctr,
                   wrap=["unshare", "--cgroup", "--mount", "--propagation", "private", "sh", "-c",
                         "umount /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec \"$0\" \"$@\""])
        try:
            assert s.limits_header() == "cgroup v2", s.log()
            r = s.run("print('hi')\n")
            assert r["status"] == "ok", r
            assert codeexec_dirs(ctr) == [f"codeexec-{s.proc.pid}"]
        finally:
            rc = s.stop()
        assert rc == 0, s.log()
        assert cg_children(ctr) == []
        assert cg_read(ctr / "cgroup.subtree_control").split() == []
    finally:
        remove_cgroup(ctr)


def test_bind_mounted_subtree(languages_dir):
    """LXC or systemd-nspawn without a cgroup namespace: /sys/fs/cgroup is a
    bind mount of the container's subtree while /proc/self/cgroup still
    shows the full path; the server must find itself beneath the mount."""
    svc = make_cgroup(CGROOT / "lxc.payload" / "c1" / "svc")
    try:
        s = Server(languages_dir, cgroup=svc,
                   wrap=["unshare", "--mount", "--propagation", "private", "sh", "-c",
                         "mkdir -p /run/cg2sub && mount --bind /sys/fs/cgroup/lxc.payload/c1 /run/cg2sub"
                         " && umount -l /sys/fs/cgroup && mount --move /run/cg2sub /sys/fs/cgroup"
                         " && exec \"$0\" \"$@\""])
        try:
            assert s.limits_header() == "cgroup v2", s.log()
            r = s.run(ALLOC_512M, limits={"memory_mb": 64})
            assert r["status"] == "memory_limit", r
            assert codeexec_dirs(svc) == [f"codeexec-{s.proc.pid}"]
        finally:
            rc = s.stop()
        assert rc == 0, s.log()
        assert cg_children(svc) == []
        assert cg_read(svc / "cgroup.subtree_control").split() == []
    finally:
        remove_cgroup(svc)


def test_undelegated_cgroup_falls_back_to_rlimits(languages_dir):
    """Controllers not enabled for the server's cgroup: not delegated."""
    cg = CGROOT / "nodeleg" / "svc"
    (CGROOT / "nodeleg").mkdir(exist_ok=True)
    cg.mkdir(exist_ok=True)
    try:
        s = Server(languages_dir, cgroup=cg)
        try:
            assert s.limits_header() == "rlimits only"
            log = s.log()
            assert "cgroups unusable (cgroup v2: the memory and pids controllers are not delegated to" in log, log
            assert "cgroup v1" not in log, log  # a pure v2 host: no word about v1
            r = s.run("print('still runs')\n")
            assert r["status"] == "ok", r
        finally:
            rc = s.stop()
        assert rc == 0, s.log()
        assert cg_children(cg) == []
    finally:
        remove_cgroup(cg)


def test_read_only_cgroupfs_falls_back_to_rlimits(languages_dir):
    """Docker without --privileged mounts /sys/fs/cgroup read-only."""
    cg = make_cgroup(CGROOT / "ro.slice" / "svc")
    try:
        s = Server(languages_dir, cgroup=cg,
                   wrap=["unshare", "--mount", "--propagation", "private", "sh", "-c",
                         "mount -o remount,bind,ro /sys/fs/cgroup && exec \"$0\" \"$@\""])
        try:
            assert s.limits_header() == "rlimits only"
            log = s.log()
            assert "cgroup v2: cannot create" in log and "not writable" in log, log
            r = s.run("print('still runs')\n")
            assert r["status"] == "ok", r
        finally:
            rc = s.stop()
        assert rc == 0, s.log()
        assert cg_children(cg) == []
    finally:
        remove_cgroup(cg)


def test_shared_cgroup_falls_back_and_leaves_it_as_it_was(languages_dir):
    """Another process lives in the server's cgroup (a `docker exec` shell, a
    unit without Delegate=yes): controllers cannot be handed down there."""
    cg = make_cgroup(CGROOT / "shared.slice" / "svc")
    other = subprocess.Popen(["sleep", "600"],
                             preexec_fn=lambda: open(cg / "cgroup.procs", "w").write("0"))
    try:
        deadline = time.monotonic() + 30
        while other.pid not in cg_procs(cg) and time.monotonic() < deadline:
            time.sleep(0.1)
        s = Server(languages_dir, cgroup=cg)
        try:
            assert s.limits_header() == "rlimits only"
            log = s.log()
            assert "holds other processes besides the server" in log, log
            # the server went back where it started
            assert {other.pid, s.proc.pid} <= set(cg_procs(cg))
            assert cg_children(cg) == []
        finally:
            rc = s.stop()
        assert rc == 0, s.log()
        assert cg_read(cg / "cgroup.subtree_control").split() == []
        assert cg_procs(cg) == [other.pid]
    finally:
        other.kill()
        other.wait()
        remove_cgroup(cg)
