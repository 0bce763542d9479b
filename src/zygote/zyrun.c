/* zyrun: one box per run, forked from a zygote (see zyrun.h).
 *
 * Theory of operation. A zygote runs as PID 1 of a warm box (sandbox/init.c
 * exec_zygote): user, PID, mount, IPC, UTS and network namespaces like any
 * box, the read-only root already built, uid 1000, and only CAP_SYS_ADMIN,
 * CAP_SETPCAP and CAP_SETGID left, in the box's user namespace. For each
 * run request it starts two processes (run_box):
 *   B  PID 1 of the run: a vfork-style child sharing the zygote's memory,
 *      in new mount, PID and IPC namespaces, born in the run's own cgroup
 *      (the zygote moved there ahead of time: a WARM_PARK record, see
 *      sandbox/warm.c), with a cgroup namespace rooted there and a real gid
 *      of its own; it replaces /tmp, /dev/shm and /proc with the run's own,
 *      has the zygote's hook put the program in /tmp, reports the step's
 *      start (with a pidfd of itself, so the server can kill the run), adds
 *      the run's part of the box's seccomp filter to the zygote's (which
 *      the zygote loaded once, harden.h), forks C, drops every capability and
 *      executes codeexec-pyreaper, which makes itself non-dumpable, waits
 *      with the deadline, kills and reaps everything and reports the end
 *      (sandbox/reaper.c). When the program is executed, B does that
 *      waiting itself instead, on the zygote's memory: the zygote stays
 *      suspended until B ends, and nothing of its memory is in the program;
 *   C  the program: stdio on the run's pipes, rlimits, every capability
 *      dropped, no_new_privs, the box's seccomp filter, then the zygote's
 *      hook (the script run as `python3 file` runs it; or an exec). A
 *      program that is executed is a vfork child of B (no page table
 *      copied, B suspended until the exec); the interpreter's is a fork,
 *      which waits until B is the reaper.
 * B's gids, the run's /tmp and /dev/shm, C's gids and rlimits, and the last
 * drop of both (capabilities, no_new_privs, seccomp) are sandbox/harden.c's,
 * the very code a cold box's PID 1 and steps run (sandbox/init.c). The
 * zygote itself never runs a program's code and never reads a run's files;
 * a run cannot see it (its PID namespace is nested) nor write to its
 * memory. If the zygote dies, the kernel ends every run inside its box and
 * the server re-runs those requests cold. */
#define _GNU_SOURCE
#include "zyrun.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../sandbox/harden.h"
#include "../sandbox/reaper.h"
#include "../sandbox/slotcpu.h"
#include "../util/scm.h"

#define PROC_STAGE "/tmp/.codeexec-proc" /* on the run's fresh /tmp, gone before it runs */

/* The stack run_box starts on; the program (a copy of it) runs on it too, so
 * it is as large as a main thread's, with a guard page below. */
#define RUN_STACK (8u << 20)

static const char *zygote_name = "codeexec-zygote";
/* The box's seccomp filter in two parts (harden.h's harden_filter_pair),
 * read once from WARM_FD_SECCOMP: the zygote's own, loaded when it starts
 * serving, and the rest, which each run's PID 1 adds. */
static struct sock_filter zygote_filter_insns[BPF_MAXINSNS], run_filter_insns[BPF_MAXINSNS];
static struct sock_fprog zygote_filter, run_filter;
static const char *program_oom_adj = "1000"; /* "0" when the zygote's is -1000 */
/* The CPUs of the server's affinity, the program's (warm_config). */
static cpu_set_t program_cpus;

_Noreturn void zyrun_die(const char *what)
{
        fprintf(stderr, "%s: %s: %s\n", zygote_name, what, strerror(errno));
        exit(1);
}

void zyrun_start(const char *name)
{
        zygote_name = name;
        prctl(PR_SET_NAME, name, 0, 0, 0);
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        close(WARM_FD_EXE);
        /* Nothing the zygote or its runs execute may gain a capability
         * (no_new_privs comes with the zygote's filter): the bounding set
         * goes now, once, instead of in each run's two processes. */
        {
                struct err e = {0, ""};
                if (harden_drop_bounding(&e) < 0) {
                        fprintf(stderr, "%s: %s\n", name, e.msg);
                        exit(1);
                }
        }
}

static void send_msg(int fd, const struct sbx_msg *m, int pass_fd)
{
        (void)scm_send(fd, m, sizeof(*m), &pass_fd, pass_fd >= 0 ? 1 : 0, MSG_NOSIGNAL);
}

_Noreturn void zyrun_run_error(int status_fd, const struct err *e)
{
        struct sbx_msg m;

        memset(&m, 0, sizeof(m));
        m.type = SBX_MSG_SETUP_ERROR;
        m.errnum = e->errnum;
        snprintf(m.text, sizeof(m.text), "warm run: %s", e->msg);
        send_msg(status_fd, &m, -1);
        _exit(127);
}

static _Noreturn void run_failed(int status_fd, const char *what)
{
        struct err e = {0, ""};

        /* err_set: strerrordesc_np, no locale, no allocation (see run_box) */
        err_set(&e, errno, "%s", what);
        zyrun_run_error(status_fd, &e);
}

void zyrun_configure(struct warm_config *cfg)
{
        struct err e = {0, ""};
        char adj[16] = "";
        int fd;

        if (recv(WARM_FD_CONTROL, cfg, sizeof(*cfg), 0) != (ssize_t)sizeof(*cfg) ||
            cfg->magic != WARM_MAGIC)
                zyrun_die("read the configuration");
        cfg->preload[sizeof(cfg->preload) - 1] = '\0';
        program_cpus = cfg->program_cpus;
        /* Set by the server before it sent the configuration. */
        fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && read(fd, adj, sizeof(adj) - 1) > 0 && strtol(adj, NULL, 10) == -1000)
                program_oom_adj = "0";
        if (fd >= 0)
                close(fd);
        if (harden_seccomp_read_pair(WARM_FD_SECCOMP, zygote_filter_insns, run_filter_insns,
                                     BPF_MAXINSNS, &zygote_filter, &run_filter, &e) < 0) {
                fprintf(stderr, "%s: %s\n", zygote_name, e.msg);
                exit(1);
        }
        close(WARM_FD_SECCOMP);
}

/* The program's limits, then every privilege (harden.c), as a cold box's
 * step has them. The same RLIMIT_NPROC as a cold run (a program may print
 * it), though the slot's zygotes are processes of the box user too: a warm
 * run reaches the limit two processes earlier. */
static void drop_everything(const struct warm_request *rq, int status_fd)
{
        const struct harden_rlimits lim = {
            .file_bytes = rq->file_bytes,
            .open_files = rq->open_files,
            .processes = rq->processes,
            .data_bytes = rq->memory_rlimit ? rq->memory_bytes : 0,
            .cpu_ms = rq->cpu_ms,
        };
        struct err e = {0, ""};

        /* the seccomp filter is the run's PID 1's, inherited (run_box) */
        if (harden_rlimits_box(&lim, &e) < 0 || harden_rlimits_step(&lim, &e) < 0 ||
            harden_drop_caps(&e) < 0)
                zyrun_run_error(status_fd, &e);
}

/* C: the program. `ready` reads EOF once the run's PID 1 has become the
 * reaper (so the program never sees it under another name). */
static _Noreturn void become_program(const struct zyrun_hooks *h, const struct warm_request *rq,
                                     const int *fds, int ready)
{
        int status_fd = fds[WARM_REQ_STATUS];
        int in = rq->nfds - rq->ncgroup > WARM_REQ_STDIN ? fds[WARM_REQ_STDIN]
                                                         : open("/dev/null", O_RDONLY);
        struct err e = {0, ""};
        int oom;
        sigset_t none;

        /* Dumpable, like a fresh process: /proc/self is the program's. The
         * zygote's oom_score_adj is -1000 when the server could set it
         * (sandbox/warm.c): the program's is then 0, as in a cold box.
         * Otherwise the program raises its own to 1000, so that in the
         * moment the zygote is still in the run's cgroup the OOM killer
         * prefers the program (which may lower it back to 0, no further).
         * A program that is executed needs neither: its exec makes it
         * dumpable, and it keeps the oom_score_adj of the exec zygote,
         * which is the server's, as a cold box's program (before the exec
         * this process shares the zygote's memory, whose dumpable flag
         * must stay off, and /proc/self is not writable without it). */
        if (!h->program_execs) {
                if (harden_dumpable(1, &e) < 0)
                        zyrun_run_error(status_fd, &e);
                oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
                if (oom < 0 || write(oom, program_oom_adj, strlen(program_oom_adj)) !=
                                   (ssize_t)strlen(program_oom_adj))
                        run_failed(status_fd, "oom_score_adj");
                close(oom);
        }
        /* The box user's gid in all three places: the run's PID 1 keeps
         * another real gid (run_box), which is what keeps the program's
         * prlimit(2) off it. */
        if (harden_box_gids(&e) < 0)
                zyrun_run_error(status_fd, &e);
        if (chdir("/tmp") < 0)
                run_failed(status_fd, "chdir /tmp");
        setsid();
        if (in < 0 || dup2(in, 0) < 0 || dup2(fds[WARM_REQ_STDOUT], 1) < 0 ||
            dup2(fds[WARM_REQ_STDERR], 2) < 0)
                run_failed(status_fd, "stdio");
        while (ready >= 0) {
                char c;
                if (read(ready, &c, 1) >= 0 || errno != EINTR)
                        break;
        }
        drop_everything(rq, status_fd);
        /* Off its slot's CPU (sandbox/slotcpu.c): the program may run on
         * every CPU a cold box's may (should the CPUs have changed since
         * the zygote started, it stays on the slot's). */
        (void)slot_cpu_leave(&program_cpus);
        if (h->keep_status_fd && status_fd >= 3) {
                /* until the exec, to report a failed one */
                if (fcntl(status_fd, F_SETFD, FD_CLOEXEC) < 0)
                        run_failed(status_fd, "status fd");
                if (status_fd > 3)
                        syscall(SYS_close_range, 3, status_fd - 1, 0);
                syscall(SYS_close_range, status_fd + 1, ~0U, 0);
        } else {
                syscall(SYS_close_range, 3, ~0U, 0);
                status_fd = -1;
        }
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        h->run_program(rq, status_fd);
        _exit(127); /* it does not return */
}

/* The program's process when it executes the program (hooks'
 * program_execs): a vfork-style child of the run's PID 1, on this stack
 * (the zygote and PID 1 are suspended while it is in use). */
static char program_stack[256u << 10] __attribute__((aligned(64)));

struct program_args {
        const struct zyrun_hooks *hooks;
        const struct warm_request *rq;
        const int *fds;
};

static int exec_program(void *arg)
{
        const struct program_args *pa = arg;

        become_program(pa->hooks, pa->rq, pa->fds, -1);
}

/* The run's box, built by its PID 1 (B). B is a vfork-style child of the
 * zygote (CLONE_VM|CLONE_VFORK) in new mount, PID and IPC namespaces: it
 * shares the zygote's memory, which is suspended until B executes the
 * reaper, so creating it copies no page tables. It must only make system
 * calls and touch its own stack (see strerrordesc_np in run_failed). */
struct run_args {
        const struct zyrun_hooks *hooks;
        struct warm_request rq;
        int fds[WARM_REQ_MAX_FDS];
};

static int run_box(void *arg)
{
        const struct run_args *a = arg;
        const struct warm_request *rq = &a->rq;
        const int *fds = a->fds;
        int status_fd = fds[WARM_REQ_STATUS];
        char argv_buf[4][32];
        char *reaper_argv[] = {"codeexec",  argv_buf[0], argv_buf[1],
                               argv_buf[2], argv_buf[3], NULL};
        char *no_env[] = {NULL};
        struct sbx_msg m;
        struct err e = {0, ""};
        uint64_t start, cpu0;
        int self, ready[2] = {-1, -1};
        pid_t pid;

        /* No signal handler of the zygote's may run here, on the zygote's
         * memory: every signal stays blocked until the exec, which resets
         * the handlers (reaper_main.c then unblocks all but SIGCHLD). The
         * program, forked before, inherits the zygote's dispositions
         * untouched and unblocks everything itself. */
        {
                sigset_t all;
                sigfillset(&all);
                sigprocmask(SIG_SETMASK, &all, NULL);
        }
        /* Born in the run's own cgroup (the zygote parked there, see
         * sandbox/warm.c) or, if it could not park, into it now, before
         * anything of the run exists; then a cgroup namespace rooted there
         * (/proc/self/cgroup reads "/", as in a cold box). The program,
         * forked below, is born in the run's cgroup. */
        for (uint32_t i = rq->nfds - rq->ncgroup; i < rq->nfds; i++) {
                if (write(fds[i], "0", 1) != 1)
                        run_failed(status_fd, "join the run's cgroup");
                close(fds[i]);
        }
        if (rq->own_cgroup && unshare(CLONE_NEWCGROUP) < 0)
                run_failed(status_fd, "cgroup namespace");
        /* A real gid of its own, as a cold box's PID 1 has (harden.h
         * SBX_PID1_GID): the program, which takes the box user's gid in all
         * three places, then cannot prlimit(2) its PID 1. */
        if (harden_pid1_gids(&e) < 0)
                zyrun_run_error(status_fd, &e);
        /* Unlike the zygote, the run's PID 1 and the program wait for their
         * children (signal dispositions are this process's own: no
         * CLONE_SIGHAND). */
        signal(SIGCHLD, SIG_DFL);
        /* The zygote has no /tmp and /dev/shm mounts (sandbox/mounts.c),
         * only their directories: the run's own go there. */
        if (harden_mount_tmp("/tmp", rq->tmpfs_bytes, &e) < 0 ||
            harden_mount_shm("/dev/shm", rq->tmpfs_bytes, &e) < 0)
                zyrun_run_error(status_fd, &e);
        /* The run's /proc replaces the zygote's rather than covering it: a
         * new proc is mounted aside (the kernel allows it in a user namespace
         * only while a full proc is visible), the old one detached, the new
         * one moved in. */
        if (mkdir(PROC_STAGE, 0700) < 0 ||
            mount("proc", PROC_STAGE, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ||
            umount2("/proc", MNT_DETACH) < 0 ||
            mount(PROC_STAGE, "/proc", NULL, MS_MOVE, NULL) < 0 || rmdir(PROC_STAGE) < 0)
                run_failed(status_fd, "mount /proc");
        if (chdir("/tmp") < 0)
                run_failed(status_fd, "chdir /tmp");
        if (a->hooks->fill_tmp(rq, fds, &e) < 0)
                zyrun_run_error(status_fd, &e);

        sbx_reaper_init();
        memset(&m, 0, sizeof(m));
        m.type = SBX_MSG_STEP_START;
        self = (int)syscall(SYS_pidfd_open, getpid(), 0);
        if (self < 0)
                run_failed(status_fd, "pidfd_open");
        send_msg(status_fd, &m, self);
        close(self);

        if (!a->hooks->program_execs && pipe2(ready, O_CLOEXEC) < 0)
                run_failed(status_fd, "pipe");
        /* The rest of the box's seccomp filter (on the zygote's, which
         * this process has), once for PID 1 and the program: it inherits
         * it. Nothing either does from here on is a call the filter
         * denies. */
        if (harden_load_filter(&run_filter, &e) < 0)
                zyrun_run_error(status_fd, &e);
        cpu0 = sbx_children_cpu_us();
        start = sbx_now_us();
        if (a->hooks->program_execs) {
                /* the program may look at PID 1 before it becomes the
                 * reaper: named as the reaper and a cold box's PID 1 are */
                prctl(PR_SET_NAME, "codeexec", 0, 0, 0);
                /* Suspended until the program's exec, which its process
                 * reaches on a stack of its own. */
                struct program_args pa = {a->hooks, rq, fds};
                pid = clone(exec_program, program_stack + sizeof(program_stack),
                            CLONE_VM | CLONE_VFORK | SIGCHLD, &pa);
        } else {
                /* A raw fork: no atfork handlers run in this shared memory. */
                pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
                if (pid == 0) {
                        close(ready[1]);
                        become_program(a->hooks, rq, fds, ready[0]);
                }
        }
        if (pid < 0)
                run_failed(status_fd, "fork");
        if (a->hooks->program_execs) {
                /* The program runs its own image: nothing of the zygote's
                 * memory is in it. PID 1 needs no image of its own either
                 * (the zygote, suspended until PID 1 ends, does nothing
                 * meanwhile: nothing else touches this memory), so it
                 * waits here, as the reaper would, without an exec. */
                if (harden_drop_caps(&e) < 0)
                        zyrun_run_error(status_fd, &e);
                memset(&m, 0, sizeof(m));
                sbx_wait_step(pid, start, rq->timeout_s > 0 ? rq->timeout_s : 0, cpu0, &m);
                m.type = SBX_MSG_STEP_END;
                send_msg(status_fd, &m, -1);
                _exit(0);
        }
        snprintf(argv_buf[0], sizeof(argv_buf[0]), "%d", (int)pid);
        /* microseconds; a deadline already past (a timeout of 0 or less)
         * is 0: the reaper then ends the run at once, as it always did */
        snprintf(argv_buf[1], sizeof(argv_buf[1]), "%llu",
                 rq->timeout_s > 0
                     ? (unsigned long long)((rq->timeout_s < 1e9 ? rq->timeout_s : 1e9) * 1e6 + 0.5)
                     : 0ULL);
        snprintf(argv_buf[2], sizeof(argv_buf[2]), "%llu", (unsigned long long)start);
        snprintf(argv_buf[3], sizeof(argv_buf[3]), "%llu", (unsigned long long)cpu0);
        /* The ready fd must survive the exec even if the pipe got that
         * number itself (dup2 onto itself keeps close-on-exec). */
        _Static_assert(SBX_REAPER_FD_READY == SBX_REAPER_FD_STATUS + 1 &&
                           SBX_REAPER_FD_READY < WARM_FD_REAPER,
                       "the reaper's fds sit below WARM_FD_REAPER");
        if (dup2(status_fd, SBX_REAPER_FD_STATUS) < 0 || dup2(ready[1], SBX_REAPER_FD_READY) < 0 ||
            fcntl(SBX_REAPER_FD_READY, F_SETFD, 0) < 0 ||
            fcntl(WARM_FD_REAPER, F_SETFD, FD_CLOEXEC) < 0)
                run_failed(status_fd, "reaper fds");
        syscall(SYS_close_range, SBX_REAPER_FD_READY + 1, WARM_FD_REAPER - 1, 0);
        syscall(SYS_close_range, WARM_FD_REAPER + 1, ~0U, 0);
        /* The box is built: PID 1 keeps nothing a cold box's PID 1 lacks
         * (no capability, no_new_privs, the box's seccomp filter; the reaper
         * makes itself non-dumpable before the program may start). The
         * program, forked above with the filter, drops its own capabilities. */
        if (harden_drop_caps(&e) < 0)
                zyrun_run_error(SBX_REAPER_FD_STATUS, &e);
        syscall(SYS_execveat, WARM_FD_REAPER, "", reaper_argv, no_env, AT_EMPTY_PATH);
        /* The program runs already: without a PID 1 it dies with us. */
        run_failed(SBX_REAPER_FD_STATUS, "exec the reaper");
}

static int recv_request(struct warm_request *rq, int *fds)
{
        size_t got;
        int flags;
        ssize_t n = scm_recv(WARM_FD_CONTROL, rq, sizeof(*rq), fds, WARM_REQ_MAX_FDS, &got, &flags);

        if (n <= 0) {
                for (size_t i = 0; i < got; i++)
                        close(fds[i]);
                return n == 0 ? 0 : -1;
        }
        rq->file_name[sizeof(rq->file_name) - 1] = '\0';
        if (n == (ssize_t)sizeof(*rq) && rq->magic == WARM_MAGIC && rq->kind == WARM_PARK &&
            got == rq->nfds && rq->nfds == rq->ncgroup && rq->ncgroup >= 1 &&
            rq->ncgroup <= WARM_REQ_MAX_CGROUP_FDS && !(flags & (MSG_TRUNC | MSG_CTRUNC)))
                return 1;
        if (n != (ssize_t)sizeof(*rq) || rq->magic != WARM_MAGIC || rq->kind != WARM_RUN ||
            got != rq->nfds || rq->ncgroup > WARM_REQ_MAX_CGROUP_FDS ||
            rq->nfds < WARM_REQ_STDIN + rq->ncgroup || rq->nfds > WARM_REQ_NFDS + rq->ncgroup ||
            (flags & (MSG_TRUNC | MSG_CTRUNC)) || !rq->file_name[0] || strchr(rq->file_name, '/')) {
                for (size_t i = 0; i < got; i++)
                        close(fds[i]);
                return -2;
        }
        return 1;
}

/* Into the cgroup of the next run (sandbox/warm.c), which will be born
 * there. A zygote that cannot move would start its next run in the last
 * one's cgroup: it ends instead, and the server starts another. */
static void park(int *fds, uint32_t n)
{
        for (uint32_t i = 0; i < n; i++) {
                if (write(fds[i], "0", 1) != 1)
                        zyrun_die("move into the next run's cgroup");
                close(fds[i]);
        }
}

/* An exec zygote's runs share one stack, kept from run to run (its pages
 * stay mapped): nothing of it reaches a program, which runs its own image,
 * and one run's PID 1 has ended before the next one starts (the zygote is
 * suspended until then). The interpreter's runs each get a fresh one: the
 * program, a copy of PID 1's memory, must find nothing of an earlier run. */
static char *kept_stack;

static char *run_stack(const struct zyrun_hooks *h)
{
        char *stack;

        if (h->program_execs && kept_stack)
                return kept_stack;
        stack = mmap(NULL, RUN_STACK + 4096, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
        if (stack != MAP_FAILED && mprotect(stack, 4096, PROT_NONE) < 0) {
                munmap(stack, RUN_STACK + 4096);
                stack = MAP_FAILED;
        }
        if (stack != MAP_FAILED && h->program_execs)
                kept_stack = stack;
        return stack;
}

/* Starts one run: B on a stack of its own, cloned vfork-style. */
static void start_run(const struct zyrun_hooks *h, const struct warm_request *rq, const int *fds)
{
        struct run_args args;
        char *stack = run_stack(h);
        pid_t pid = -1;
        int clone_errno = errno;

        args.hooks = h;
        args.rq = *rq;
        memcpy(args.fds, fds, sizeof(args.fds));
        if (stack != MAP_FAILED) {
                if (h->before_fork)
                        h->before_fork();
                pid = clone(run_box, stack + RUN_STACK + 4096,
                            CLONE_VM | CLONE_VFORK | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
                                SIGCHLD,
                            &args);
                clone_errno = errno;
                if (h->after_fork)
                        h->after_fork();
        }
        /* B has executed the reaper (or ended): the stack and everything
         * else here are the zygote's again. */
        if (stack != MAP_FAILED && stack != kept_stack)
                munmap(stack, RUN_STACK + 4096);
        if (pid < 0) {
                struct sbx_msg m;
                memset(&m, 0, sizeof(m));
                m.type = SBX_MSG_SETUP_ERROR;
                m.errnum = clone_errno;
                snprintf(m.text, sizeof(m.text), "warm run: clone: %s", strerror(clone_errno));
                send_msg(fds[WARM_REQ_STATUS], &m, -1);
        }
}

_Noreturn void zyrun_serve(const struct zyrun_hooks *hooks)
{
        /* The runs' PID 1s, our children, are reaped by the kernel: a
         * SIGCHLD never waits here (it would count, for a moment, in the
         * signals a next run sees queued for its user). */
        signal(SIGCHLD, SIG_IGN);
        /* From here on the zygote calls nothing its part of the filter
         * denies (harden.h): it clones runs, parks, and reads requests. */
        {
                struct err e = {0, ""};
                if (harden_load_filter(&zygote_filter, &e) < 0) {
                        fprintf(stderr, "%s: %s\n", zygote_name, e.msg);
                        exit(1);
                }
        }
        for (;;) {
                struct warm_request rq;
                int fds[WARM_REQ_MAX_FDS];
                int rc = recv_request(&rq, fds);

                if (rc == 0 || (rc == -1 && errno != EINTR && errno != EAGAIN))
                        exit(0); /* the server is gone */
                if (rc != 1)
                        continue;
                if (rq.kind == WARM_PARK) {
                        park(fds, rq.nfds);
                        continue;
                }
                start_run(hooks, &rq, fds);
                for (uint32_t i = 0; i < rq.nfds; i++)
                        close(fds[i]);
        }
}

int zyrun_write_program(const struct warm_request *rq, const int *fds, struct err *e)
{
        struct stat st;
        off_t off = 0;
        int src = fds[WARM_REQ_PROGRAM];
        int fd = open(rq->file_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        int saved;

        if (fd < 0 || fstat(src, &st) < 0)
                goto fail;
        while (off < st.st_size)
                if (sendfile(fd, src, &off, (size_t)(st.st_size - off)) <= 0)
                        goto fail;
        if (close(fd) == 0)
                return 0;
        fd = -1;
fail:
        saved = errno;
        if (fd >= 0)
                close(fd);
        return err_set(e, saved, "write the program");
}

void zyrun_each_private_fd(void (*fn)(int fd, void *arg), void *arg)
{
        DIR *d = opendir("/proc/self/fd");
        struct dirent *de;

        if (!d)
                zyrun_die("/proc/self/fd");
        while ((de = readdir(d))) {
                int fd = (int)strtol(de->d_name, NULL, 10);
                if (de->d_name[0] == '.' || fd < 3 || fd == dirfd(d) || fd == WARM_FD_CONTROL ||
                    fd == WARM_FD_REAPER)
                        continue;
                fn(fd, arg);
        }
        closedir(d);
}

static uint64_t rss_kb(void)
{
        unsigned long long size = 0, resident = 0;
        FILE *f = fopen("/proc/self/statm", "re");

        if (f) {
                /* NOLINTNEXTLINE(cert-err34-c): the kernel's numbers, both read or none */
                if (fscanf(f, "%llu %llu", &size, &resident) != 2)
                        resident = 0;
                (void)fclose(f);
        }
        return resident * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
}

/* Threads of this process (/proc/self/task); a thread that is ending may
 * take a moment to go, so it waits up to `patience_ms` for a count of 1. */
static unsigned count_threads(unsigned patience_ms)
{
        unsigned n = 0;

        for (unsigned waited = 0;; waited += 10) {
                DIR *d = opendir("/proc/self/task");
                struct dirent *de;
                n = 0;
                while (d && (de = readdir(d)))
                        if (de->d_name[0] != '.')
                                n++;
                if (d)
                        closedir(d);
                if (n <= 1 || waited >= patience_ms)
                        return n;
                usleep(10000);
        }
}

void zyrun_send_ready(struct warm_ready *ready)
{
        ready->magic = WARM_MAGIC;
        ready->rss_kb = rss_kb();
        ready->threads = count_threads(2000);
        if (send(WARM_FD_CONTROL, ready, sizeof(*ready), MSG_NOSIGNAL) != (ssize_t)sizeof(*ready))
                zyrun_die("ready");
}
