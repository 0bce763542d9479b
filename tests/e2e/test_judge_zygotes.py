"""Judge zygotes (src/zygote/execzygote.c, exec/execpool.c): every test of a
judge forked from a zygote of the judged program instead of a box built for
it. What a test's program sees must be what it sees in a cold box, tests
must not see each other, a zygote that dies must cost nothing but speed,
and the zygotes must end with their judge.

Two servers: one as shipped, one with --no-judge-zygotes (every test in a
box of its own, the reference). Budget: about 40 s on a 2-core machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pytest
import requests

from conftest import start_server
from hostile import descends_from, metric, unique_uid_base

needs_gcc = pytest.mark.skipif(not shutil.which("gcc"), reason="gcc is not installed")
ZYGOTE_COMM = "codeexec-exzyg"

# Prints what a program can see of its box, sorted where order is not the
# box's doing: credentials, capabilities, signals, limits, umask, affinity,
# oom_score_adj, hostname, environment, arguments, descriptors, its PID and
# PID 1's name, its cgroup, the mounts it sees (point, type, options) and
# the files of /tmp and /dev/shm, and what the seccomp filters answer to
# the calls they deny (those split between a zygote's filter and its runs',
# src/sandbox/harden.h, and others). Reads stdin and prints its sum.
PROBE = r"""
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
extern char **environ;
static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static void file_lines(const char *path, const char *const *keep, int sorted) {
  char *lines[4096]; int n = 0; char buf[4096]; FILE *f = fopen(path, "r");
  if (!f) { printf("%s: cannot open\n", path); return; }
  while (n < 4096 && fgets(buf, sizeof buf, f)) {
    int ok = !keep;
    for (int i = 0; keep && keep[i]; i++) ok |= strncmp(buf, keep[i], strlen(keep[i])) == 0;
    if (ok) lines[n++] = strdup(buf);
  }
  fclose(f);
  if (sorted) qsort(lines, n, sizeof(char *), cmp);
  for (int i = 0; i < n; i++) printf("%s: %s", path, lines[i]);
}
static void syscall_answer(const char *name, long r) {
  printf("syscall %s %s\n", name, r >= 0 ? "ok" : strerrorname_np(errno));
}
/* clone with these flags in a child that exits at once; its answer */
static void clone_answer(const char *name, unsigned long flags) {
  long r = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (r == 0) _exit(0);
  if (r > 0) waitpid((pid_t)r, NULL, 0);
  syscall_answer(name, r);
}
static void syscalls(void) {
  char c = 'x';
  syscall_answer("mount", syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, 0));
  syscall_answer("umount2", syscall(SYS_umount2, "/tmp", 2));
  syscall_answer("unshare-ns", syscall(SYS_unshare, CLONE_NEWNS));
  syscall_answer("unshare-cgroup", syscall(SYS_unshare, CLONE_NEWCGROUP));
  syscall_answer("unshare-0", syscall(SYS_unshare, 0));
  clone_answer("clone-newns", CLONE_NEWNS);
  clone_answer("clone-newpid", CLONE_NEWPID);
  clone_answer("clone-newipc", CLONE_NEWIPC);
  clone_answer("clone-newuser", CLONE_NEWUSER);
  clone_answer("clone-newnet", CLONE_NEWNET);
  clone_answer("clone-plain", 0);
  syscall_answer("clone3", syscall(SYS_clone3, NULL, 0));
  syscall_answer("setns", syscall(SYS_setns, -1, 0));
  syscall_answer("pivot_root", syscall(SYS_pivot_root, "/tmp", "/tmp"));
  syscall_answer("fsopen", syscall(SYS_fsopen, "tmpfs", 0));
  syscall_answer("keyctl", syscall(SYS_keyctl, 0, -3, 0));
  syscall_answer("af_packet", socket(17, SOCK_RAW, 0));
  syscall_answer("af_vsock", socket(40, SOCK_STREAM, 0));
  syscall_answer("tiocsti", ioctl(0, 0x5412, &c));
  syscall_answer("getppid", syscall(SYS_getppid) >= 0 ? 0 : -1);
}
static void dir_list(const char *path) {
  char *names[1024]; int n = 0; DIR *d = opendir(path); struct dirent *e;
  if (!d) { printf("%s: cannot open\n", path); return; }
  while (n < 1024 && (e = readdir(d))) {
    char full[512], line[700]; struct stat st;
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(full, sizeof full, "%s/%s", path, e->d_name);
    if (lstat(full, &st)) continue;
    snprintf(line, sizeof line, "%s %o %u:%u %lld", e->d_name, (unsigned)st.st_mode,
             (unsigned)st.st_uid, (unsigned)st.st_gid,
             S_ISREG(st.st_mode) ? (long long)st.st_size : 0LL);
    names[n++] = strdup(line);
  }
  closedir(d);
  qsort(names, n, sizeof(char *), cmp);
  for (int i = 0; i < n; i++) printf("%s: %s\n", path, names[i]);
}
int main(int argc, char **argv) {
  const char *const status_keys[] = {"Cap", "NoNewPrivs", "Seccomp", "Sig", "Shd", "Cpus_allowed_list", "Uid", "Gid", "Groups", NULL};
  gid_t groups[64]; int ng = getgroups(64, groups); char host[256] = ""; mode_t um = umask(0);
  cpu_set_t cpus; long sum = 0, x; char **env; int ne = 0;
  umask(um);
  printf("argc %d argv0 %s\n", argc, argv[0]);
  printf("ids %d %d %d %d groups", (int)getuid(), (int)geteuid(), (int)getgid(), (int)getegid());
  for (int i = 0; i < ng; i++) printf(" %d", (int)groups[i]);
  printf("\npid %d ppid %d sid==pid %d pgrp==pid %d umask %o\n", (int)getpid(), (int)getppid(),
         getsid(0) == getpid(), getpgrp() == getpid(), (unsigned)um);
  gethostname(host, sizeof host);
  printf("host %s cwd %s\n", host, getcwd((char[512]){0}, 512));
  sched_getaffinity(0, sizeof cpus, &cpus);
  printf("cpus %d\n", CPU_COUNT(&cpus));
  for (int r = 0; r < RLIM_NLIMITS; r++) {
    struct rlimit l; getrlimit(r, &l);
    printf("rlimit %d %llu %llu\n", r, (unsigned long long)l.rlim_cur, (unsigned long long)l.rlim_max);
  }
  file_lines("/proc/self/status", status_keys, 0);
  file_lines("/proc/self/oom_score_adj", NULL, 0);
  file_lines("/proc/self/cgroup", NULL, 0);
  file_lines("/proc/1/comm", NULL, 0);
  {
    char c[4096]; FILE *f = fopen("/proc/1/cmdline", "r"); size_t n = f ? fread(c, 1, sizeof c, f) : 0;
    printf("pid1 cmdline:"); /* its words (a wiped one is NULs of any length) */
    for (size_t i = 0; i < n; i++) if (c[i]) putchar(c[i]); else if (i && c[i - 1]) putchar(' ');
    putchar('\n');
    if (f) fclose(f);
  }
  {
    FILE *f = fopen("/proc/self/mountinfo", "r"); char line[2048], *mounts[512]; int n = 0;
    while (f && n < 512 && fgets(line, sizeof line, f)) {
      char point[1024], opts[1024], fstype[256]; char *dash = strstr(line, " - ");
      if (sscanf(line, "%*s %*s %*s %*s %1023s %1023s", point, opts) != 2 || !dash) continue;
      if (sscanf(dash + 3, "%255s", fstype) != 1) continue;
      char out[2400]; snprintf(out, sizeof out, "%s %s %s", point, fstype, opts);
      mounts[n++] = strdup(out);
    }
    if (f) fclose(f);
    qsort(mounts, n, sizeof(char *), cmp);
    for (int i = 0; i < n; i++) printf("mount %s\n", mounts[i]);
  }
  dir_list("/proc/self/fd");
  dir_list("/tmp");
  dir_list("/dev/shm");
  syscalls();
  for (env = environ; *env; env++) ne++;
  qsort(environ, ne, sizeof(char *), cmp);
  for (int i = 0; i < ne; i++) printf("env %s\n", environ[i]);
  while (scanf("%ld", &x) == 1) sum += x;
  printf("sum %ld\n", sum);
  return 0;
}
"""

# Fails a test when it finds what an earlier test left: files in /tmp and
# /dev/shm, a changed file of the compiled program's, and then leaves all
# three behind for the next.
LEAVER = r"""
#include <stdio.h>
#include <unistd.h>
int main(void) {
  long a, b; FILE *f;
  if (scanf("%ld %ld", &a, &b) != 2) return 3;
  if (access("/tmp/left", F_OK) == 0 || access("/dev/shm/left", F_OK) == 0) { puts("seen"); return 0; }
  f = fopen("main.c", "r"); if (!f) { puts("no source"); return 0; }
  if (fgetc(f) == 'X') { puts("source changed"); return 0; }
  fclose(f);
  f = fopen("/tmp/left", "w"); fputs("x", f); fclose(f);
  f = fopen("/dev/shm/left", "w"); fputs("x", f); fclose(f);
  f = fopen("main.c", "r+"); fputc('X', f); fclose(f);
  printf("%ld\n", a + b);
  return 0;
}
"""


@pytest.fixture(scope="module")
def servers():
    with start_server("--max-running", "2", "--uid-base", str(unique_uid_base())) as z, \
            start_server("--max-running", "2", "--no-judge-zygotes",
                         "--uid-base", str(unique_uid_base())) as cold:
        yield z, cold


def judge(url, timeout=120, **body):
    r = requests.post(url + "/v1/judge", json=body, timeout=timeout)
    assert r.status_code == 200, r.text
    return r.json()


def started(url):
    return metric(url, "codeexec_judge_zygotes_started_total")


def alive(url):
    return metric(url, "codeexec_judge_zygotes")


def wait_no_zygotes(url, limit_s=15):
    end = time.monotonic() + limit_s
    while time.monotonic() < end and alive(url) != 0:
        time.sleep(0.05)
    return alive(url)


def zygote_pids(server_pid):
    """The judge zygotes of this server: processes named ZYGOTE_COMM whose
    parent, or an ancestor, is the server. Other servers on the machine
    (another test lane, another work tree) have theirs too."""
    parent, zygotes = {}, []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        parent[int(pid)] = int(stat[stat.rindex(")") + 2:].split()[1])
        if comm == ZYGOTE_COMM:
            zygotes.append(int(pid))
    return [pid for pid in zygotes if pid != server_pid and descends_from(pid, server_pid, parent)]


@needs_gcc
def test_a_program_sees_what_it_sees_in_a_cold_box(servers):
    z, cold = servers
    tests = [{"stdin": f"{i} {i * 7}\n", "expected": "?"} for i in range(6)]
    before = started(z.url)
    a = judge(z.url, language="c", code=PROBE, tests=tests)
    b = judge(cold.url, language="c", code=PROBE, tests=tests)
    assert a["compile"]["exit_code"] == 0, a["compile"]
    assert [t["forked"] for t in a["tests"]] == [True] * 6, a["tests"]
    assert [t["forked"] for t in b["tests"]] == [False] * 6
    assert 1 <= started(z.url) - before <= 2  # one per slot at most
    for ta, tb in zip(a["tests"], b["tests"]):
        assert ta["stderr"] == tb["stderr"] == ""
        assert ta["exit_code"] == tb["exit_code"] == 0
        # line by line, so that a difference names itself
        assert ta["stdout"].splitlines() == tb["stdout"].splitlines()
    assert f"sum {3 * 8}" in a["tests"][3]["stdout"]


@needs_gcc
def test_tests_never_see_each_other(servers):
    z, _ = servers
    j = judge(z.url, language="c", code=LEAVER,
              tests=[{"stdin": f"{i} 1\n", "expected": f"{i + 1}\n"} for i in range(8)])
    assert j["verdict"] == "AC", [(t["verdict"], t["stdout"], t["stderr"]) for t in j["tests"]]
    assert all(t["forked"] for t in j["tests"])


@needs_gcc
def test_verdicts_match_cold_boxes(servers):
    z, cold = servers
    code = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
int main(void) {
  int k; if (scanf("%d", &k) != 1) return 9;
  if (k == 0) { puts("ok"); return 0; }
  if (k == 1) { puts("wrong"); return 0; }
  if (k == 2) abort();
  if (k == 3) for (;;) pause();
  if (k == 4) { for (;;) { char *p = malloc(1 << 20); if (!p) return 7; memset(p, 1, 1 << 20); } }
  if (k == 5) { for (long i = 0; i < 100000; i++) fputs("spam spam spam\n", stdout); return 0; }
  if (k == 6) return 42;
  if (k == 7) raise(SIGPIPE);
  return 0;
}
"""
    tests = [{"stdin": f"{k}\n", "expected": "ok\n"} for k in range(8)]
    limits = {"wall_ms": 1500, "cpu_ms": 1000, "memory_mb": 64, "output_bytes": 65536}
    a = judge(z.url, language="c", code=code, tests=tests, limits=limits)
    b = judge(cold.url, language="c", code=code, tests=tests, limits=limits)
    va = [(t["verdict"], t["exit_code"], t["signal"]) for t in a["tests"]]
    vb = [(t["verdict"], t["exit_code"], t["signal"]) for t in b["tests"]]
    assert va == vb, (va, vb)
    assert [v[0] for v in va][:3] == ["AC", "WA", "RE"], va
    assert va[3][0] == "TLE" and va[4][0] in ("MLE", "RE") and va[5][0] == "OLE", va
    assert va[6] == ("RE", 42, None) and va[7][0] == "RE", va
    assert all(t["forked"] for t in a["tests"])


@needs_gcc
def test_zygotes_end_with_their_judge(servers):
    z, _ = servers
    j = judge(z.url, language="c", code="#include <stdio.h>\nint main(void){puts(\"1\");}\n",
              tests=[{"stdin": "", "expected": "1\n"}] * 5)
    assert j["verdict"] == "AC" and all(t["forked"] for t in j["tests"])
    assert wait_no_zygotes(z.url) == 0
    assert zygote_pids(z.pid) == []


@needs_gcc
def test_a_judge_of_two_tests_runs_them_cold(servers):
    z, _ = servers
    before = started(z.url)
    j = judge(z.url, language="c", code="#include <stdio.h>\nint main(void){puts(\"1\");}\n",
              tests=[{"stdin": "", "expected": "1\n"}] * 2)
    assert j["verdict"] == "AC" and not any(t["forked"] for t in j["tests"])
    assert started(z.url) == before


@needs_gcc
def test_a_killed_zygote_costs_only_speed(servers):
    """The zygote is killed while its judge goes on: the test that was in
    it and every later one on that slot run cold, with the right verdict."""
    z, _ = servers
    code = ("#include <stdio.h>\n#include <unistd.h>\n"
            "int main(void){long a; scanf(\"%ld\",&a); usleep(150000); printf(\"%ld\\n\",a*2);}\n")
    tests = [{"stdin": f"{i}\n", "expected": f"{2 * i}\n"} for i in range(16)]
    fallbacks = metric(z.url, "codeexec_judge_zygote_fallbacks_total")
    result = {}

    import threading
    t = threading.Thread(target=lambda: result.update(judge(z.url, language="c", code=code, tests=tests)))
    t.start()
    end = time.monotonic() + 30
    pids = []
    while time.monotonic() < end and not pids:
        pids = zygote_pids(z.pid)
        time.sleep(0.02)
    assert pids, "no judge zygote appeared"
    time.sleep(0.4)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    t.join(120)
    assert result["verdict"] == "AC", [(x["verdict"], x["stderr"]) for x in result["tests"]]
    forked = [x["forked"] for x in result["tests"]]
    assert any(forked) and not all(forked), forked
    assert metric(z.url, "codeexec_judge_zygote_deaths_total") >= 1
    assert metric(z.url, "codeexec_judge_zygote_fallbacks_total") >= fallbacks
    assert wait_no_zygotes(z.url) == 0


def test_interpreted_languages_fork_too(servers):
    z, cold = servers
    ruby = shutil.which("ruby")
    node = shutil.which("node")
    if not ruby and not node:
        pytest.skip("neither ruby nor node is installed")
    lang, code = (("ruby", "a, b = gets.split.map(&:to_i)\nputs a + b\n") if ruby else
                  ("javascript", "const [a, b] = require('fs').readFileSync(0, 'utf8').split(' ').map(Number);\n"
                                 "console.log(a + b);\n"))
    tests = [{"stdin": f"{i} 2", "expected": f"{i + 2}\n"} for i in range(4)]
    a = judge(z.url, language=lang, code=code, tests=tests)
    b = judge(cold.url, language=lang, code=code, tests=tests)
    assert a["verdict"] == b["verdict"] == "AC", (a["tests"][0], b["tests"][0])
    assert all(t["forked"] for t in a["tests"])
    assert [t["stdout"] for t in a["tests"]] == [t["stdout"] for t in b["tests"]]
