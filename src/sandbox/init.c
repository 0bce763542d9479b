/* init: PID 1 of a box — builds it, drops privileges, runs the steps.
 *
 * Theory of operation. sbx_spawn() clones this process into fresh
 * namespaces; it starts as a copy of the server, so it first closes every fd
 * it does not need (other runs' pipes, the listening socket). It waits until
 * the parent has written its uid/gid maps and placed it in its cgroup, then
 * builds the file system (mounts.c), becomes the box user (uid 1000 inside,
 * a per-slot unprivileged uid outside; its real gid stays its own,
 * SBX_PID1_GID, so that the program cannot prlimit(2) it), writes the program's files into /tmp
 * with O_EXCL|O_NOFOLLOW, seals the root read-only, sets rlimits, makes
 * itself non-dumpable (so programs of the same uid can neither ptrace it nor
 * read its memory, which is a copy of the server's), drops every capability,
 * sets no_new_privs and installs the seccomp filter. The ids, tmpfs options,
 * rlimits and that last drop are harden.c's, shared with a warm Python
 * run's PID 1 and program (zygote/zyrun.c), so the two cannot drift.
 *
 * Then it runs the steps in order. Each step is forked with its own session,
 * its stdout/stderr on the step's pipes and its stdin from a memfd holding
 * the request's stdin (or /dev/null). PID 1 waits with a deadline
 * (sigtimedwait on SIGCHLD); at the deadline, and in any case when the
 * step's main process ends, it sends SIGKILL to every process in the box
 * (kill(-1) spares only PID 1 itself) and reaps them all, so a step's
 * daemons never outlive it and its pipes reach EOF. Each step's start and
 * end are reported as sbx_msg records on the status socket; a failure to
 * build the box is reported as SBX_MSG_SETUP_ERROR, which the server turns
 * into a server error rather than a program failure. PID 1 exits when the
 * steps are done; the kernel then kills anything left in the namespace.
 *
 * PID 1 is a raw clone3() copy of a server that may have other threads, so
 * from the clone to the exec of a step it only makes system calls and uses
 * libc functions that take no lock and allocate nothing: no malloc, no
 * stdio streams, no fork() (see seccomp.c). */
#define _GNU_SOURCE
#include "sandbox-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../util/memfd.h"
#include "../util/scm.h"
#include "archive.h"
#include "cgroup.h"
#include "harden.h"
#include "reaper.h"
#include "slotcpu.h"
#include "specimage.h"
#include "warm-proto.h"

#define BOX_HOSTNAME "codeexec"

/* exec_zygote moves its descriptors here first, above every WARM_FD_*, so
 * that filling those numbers cannot overwrite one still to be moved. */
#define PARKED_FD_MIN 100
_Static_assert(PARKED_FD_MIN > WARM_FD_REAPER, "parked descriptors clear of the zygote's");

static void send_msg(int fd, const struct sbx_msg *m)
{
        /* Best effort: if the server is gone, PDEATHSIG ends us anyway. */
        (void)send(fd, m, sizeof(*m), MSG_NOSIGNAL);
}

static _Noreturn void setup_failed(int status_fd, const struct err *e)
{
        struct sbx_msg m;

        memset(&m, 0, sizeof(m));
        m.type = SBX_MSG_SETUP_ERROR;
        m.errnum = e->errnum;
        snprintf(m.text, sizeof(m.text), "%s", e->msg);
        send_msg(status_fd, &m);
        _exit(127);
}

/* Closes every fd except those in keep[0..n). Sorts by insertion: qsort
 * may allocate, and nothing here may (see the note in seccomp.c). */
static void close_all_but(int *keep, size_t n)
{
        int lo = 0;

        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
                        int t = keep[j];
                        keep[j] = keep[j - 1];
                        keep[j - 1] = t;
                }
        for (size_t i = 0; i < n; i++) {
                if (keep[i] > lo)
                        syscall(SYS_close_range, lo, keep[i] - 1, 0);
                lo = keep[i] + 1;
        }
        syscall(SYS_close_range, lo, ~0U, 0);
}

/* Arms SIGKILL at the server's death, then makes sure the server had not
 * already died: then we were given to another parent, whose death the
 * signal would wait for instead. The server's end of the status socket
 * reads as EOF once it is gone (the spawner that may have made the box dies
 * with it). Changing credentials clears the signal, so each change is
 * followed by this at once: a box that blocks anywhere later still ends with
 * the server. */
static void arm_server_death(int status_fd)
{
        char peek;

        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (recv(status_fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
                _exit(127);
}

static int write_files(const struct sbx_spec *spec, struct err *e)
{
        for (size_t i = 0; i < spec->nfiles; i++) {
                const struct sbx_file *f = &spec->files[i];
                int fd;
                size_t off = 0;

                if (!f->name[0] || strchr(f->name, '/') || strcmp(f->name, ".") == 0 ||
                    strcmp(f->name, "..") == 0)
                        return err_set(e, EINVAL, "bad file name '%s'", f->name);
                fd = openat(AT_FDCWD, f->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                            f->executable ? 0755 : 0644);
                if (fd < 0)
                        return err_set(e, errno, "create /tmp/%s", f->name);
                while (off < f->len) {
                        ssize_t n = write(fd, f->data + off, f->len - off);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0) {
                                close(fd);
                                return err_set(e, n < 0 ? errno : ENOSPC, "write /tmp/%s", f->name);
                        }
                        off += (size_t)n;
                }
                close(fd);
        }
        return 0;
}

/* stdin of a step: a memfd holding its input, or /dev/null. */
static int step_stdin(const struct sbx_step *st, struct err *e)
{
        int fd;

        if (!st->stdin_data || st->stdin_len == 0) {
                fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                return fd < 0 ? err_set(e, errno, "/dev/null") : fd;
        }
        fd = memfd_with("stdin", st->stdin_data, st->stdin_len);
        return fd < 0 ? err_set(e, errno, "memfd for stdin") : fd;
}

/* The CPUs PID 1 had before it kept to its slot's: each step's. */
static cpu_set_t step_cpus;

/* In the forked step process: wire fds, reset signals, exec. */
static _Noreturn void exec_step(const struct sbx_spec *spec, const struct sbx_step *st, int in,
                                int out, int errfd, int report, int memory_rlimit)
{
        struct harden_rlimits lim = {
            .data_bytes = memory_rlimit ? spec->limits.memory_bytes : 0,
            .cpu_ms = st->cpu_ms,
        };
        struct err e = {0, ""};
        sigset_t none;
        int saved;

        sigemptyset(&none);
        for (int sig = 1; sig < NSIG; sig++)
                signal(sig, SIG_DFL);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setsid();
        /* PID 1 keeps a real gid of its own (SBX_PID1_GID). */
        if (harden_box_gids(&e) < 0)
                goto fail;
        if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
                goto fail;
        {
                int keep[4] = {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, report};
                close_all_but(keep, 4);
        }
        /* RLIMIT_DATA (without a memory cgroup) and RLIMIT_CPU: here, in
         * the step only. PID 1 may itself need more (a sanitizer build
         * reserves a large shadow). */
        if (harden_rlimits_step(&lim, &e) < 0)
                goto fail;
        /* PID 1 keeps to its slot's CPU; the program does not (slotcpu.c).
         * Should the CPUs have changed since, it stays on the slot's. */
        (void)slot_cpu_leave(&step_cpus);
        execve(st->argv[0], st->argv, spec->envp);
fail:
        saved = e.errnum ? e.errnum : errno;
        /* Nothing more to do if the report is lost: the step then ends 127
         * with no errno, which the parent reports as a failed start. */
        if (write(report, &saved, sizeof(saved)) != (ssize_t)sizeof(saved))
                _exit(127);
        _exit(127);
}

/* Runs the steps; true when every one exited 0 in time. */
static bool run_steps(struct child_ctx *c)
{
        const struct sbx_spec *spec = c->spec;
        bool all_ok = true;

        sbx_reaper_init();
        for (size_t i = 0; i < spec->nsteps; i++) {
                const struct sbx_step *st = &spec->steps[i];
                struct sbx_msg m;
                struct err e = {0, ""};
                int report[2], in, exec_errno = 0;
                uint64_t start, cpu0;
                pid_t pid;
                ssize_t n;

                memset(&m, 0, sizeof(m));
                m.type = SBX_MSG_STEP_START;
                m.step = (uint32_t)i;
                send_msg(c->status_fd, &m);

                in = step_stdin(st, &e);
                if (in < 0)
                        setup_failed(c->status_fd, &e);
                if (pipe2(report, O_CLOEXEC) < 0) {
                        err_set(&e, errno, "pipe");
                        setup_failed(c->status_fd, &e);
                }
                cpu0 = sbx_children_cpu_us();
                start = sbx_now_us();
                /* Not fork(): glibc's fork takes malloc's and stdio's
                 * locks, which a server thread may have held when we were
                 * cloned (see seccomp.c). */
                pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
                if (pid < 0) {
                        err_set(&e, errno, "fork step %zu", i);
                        setup_failed(c->status_fd, &e);
                }
                if (pid == 0)
                        exec_step(spec, st, in, c->out_w[i][0],
                                  st->stderr_to_stdout ? c->out_w[i][0] : c->out_w[i][1], report[1],
                                  c->memory_rlimit);
                close(in);
                close(report[1]);
                n = read(report[0], &exec_errno, sizeof(exec_errno));
                close(report[0]);
                if (n == (ssize_t)sizeof(exec_errno)) {
                        err_set(&e, exec_errno, "exec %s", st->argv[0]);
                        sbx_kill_and_reap_all();
                        setup_failed(c->status_fd, &e);
                }
                sbx_wait_step(pid, start, st->timeout_s, cpu0, &m);
                close(c->out_w[i][0]);
                close(c->out_w[i][1]);
                c->out_w[i][0] = c->out_w[i][1] = -1;
                m.type = SBX_MSG_STEP_END;
                send_msg(c->status_fd, &m);
                if (m.timed_out || !WIFEXITED(m.wstatus) || WEXITSTATUS(m.wstatus) != 0) {
                        all_ok = false;
                        if (!st->keep_going)
                                break;
                }
        }
        return all_ok;
}

/* Judge mode: the compiled program in /tmp, archived for the server once
 * the steps are done and their processes gone (archive.c). A failure is
 * recorded in the archive's header, for sbx_take_artifact to report. */
static void collect_tmp(struct child_ctx *c)
{
        int dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (dir < 0) {
                /* an empty, invalid archive: the header says why */
                arc_pack(-1, c->collect_fd, c->collect_cap, 0, NULL);
                return;
        }
        arc_pack(dir, c->collect_fd, c->collect_cap, c->spec->collect_max_bytes, SBX_OVERLAY_DIR);
        close(dir);
}

/* Judge mode: a compiled program (an artifact) into /tmp, before the
 * spec's files, which win over archived ones of the same name. */
static int unpack_artifact(const struct sbx_spec *spec, struct err *e)
{
        int dir = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

        if (dir < 0)
                return err_set(e, errno, "open /tmp");
        rc =
            arc_unpack(spec->artifact->fd, spec->artifact->size, dir, spec->files, spec->nfiles, e);
        close(dir);
        close(spec->artifact->fd);
        return rc;
}

/* A warm box: PID 1 becomes the zygote binary, keeping in its user
 * namespace only what it needs to build one box per run (CAP_SYS_ADMIN for
 * namespaces and mounts, CAP_SETPCAP to drop the bounding set in each run,
 * CAP_SETGID to give each run's PID 1 its own real gid, SBX_PID1_GID: the
 * box's gid map has only that one and the box user's), as ambient
 * capabilities that survive the exec. A preloaded zygote (a library) is
 * the interpreter's executable instead, with the library preloaded from
 * WARM_FD_EXE (warm-proto.h). */
static _Noreturn void exec_zygote(struct child_ctx *c)
{
        const struct sbx_spec *spec = c->spec;
        const int keep_caps[] = {CAP_SYS_ADMIN, CAP_SETPCAP, CAP_SETGID};
        struct err e = {0, ""};
        int bpf, hi[4];

        bpf = sbx_seccomp_memfd(c->zygote_seccomp, &e);
        if (bpf < 0)
                setup_failed(c->status_fd, &e);
        hi[0] = fcntl(c->status_fd, F_DUPFD_CLOEXEC, PARKED_FD_MIN);
        hi[1] = fcntl(bpf, F_DUPFD_CLOEXEC, PARKED_FD_MIN);
        hi[2] = fcntl(spec->zygote_fd, F_DUPFD_CLOEXEC, PARKED_FD_MIN);
        hi[3] = fcntl(spec->reaper_fd, F_DUPFD_CLOEXEC, PARKED_FD_MIN);
        if (hi[0] < 0 || hi[1] < 0 || hi[2] < 0 || hi[3] < 0 || dup2(c->out_w[0][0], 1) < 0 ||
            dup2(c->out_w[0][1], 2) < 0 || dup2(hi[0], WARM_FD_CONTROL) < 0 ||
            dup2(hi[1], WARM_FD_SECCOMP) < 0 ||
            dup3(hi[2], WARM_FD_EXE, spec->zygote_preload ? 0 : O_CLOEXEC) < 0 ||
            dup2(hi[3], WARM_FD_REAPER) < 0) {
                err_set(&e, errno, "zygote fds");
                setup_failed(c->status_fd, &e);
        }
        syscall(SYS_close_range, WARM_FD_REAPER + 1, ~0U, 0);
        if (harden_keep_caps(keep_caps, sizeof(keep_caps) / sizeof(keep_caps[0]), &e) < 0) {
                err_wrap(&e, "zygote");
                setup_failed(WARM_FD_CONTROL, &e);
        }
        if (spec->zygote_preload) /* the interpreter, WARM_FD_EXE preloaded */
                execve(spec->steps[0].argv[0], spec->steps[0].argv, spec->envp);
        else
                syscall(SYS_execveat, WARM_FD_EXE, "", spec->steps[0].argv, spec->envp,
                        AT_EMPTY_PATH);
        err_set(&e, errno, "exec the zygote");
        setup_failed(WARM_FD_CONTROL, &e);
}

static _Noreturn void bad_run_record(int status_fd)
{
        struct err e = {0, ""};

        err_set(&e, EPROTO, "standby box: malformed run record");
        setup_failed(status_fd, &e);
}

/* A standby box (standby.c), its file system built from c->spec's binds,
 * overlays and tmpfs size: seals it, waits for the run and takes the run's
 * spec, pipes and collect memfd. Exits quietly when the server lets the box
 * go unused. */
static const struct sbx_spec *await_run(struct child_ctx *c)
{
        const uint64_t built_tmpfs = c->spec->limits.tmpfs_bytes;
        struct standby_run run;
        struct sbx_spec *spec;
        struct err e = {0, ""};
        int fds[SCM_MAX_FDS], flags, artifact = -1;
        size_t nfds, k = 1;
        ssize_t n;

        /* The box's seccomp filter too, before the run comes (loading it
         * costs ~0.1 ms): nothing PID 1 does from here on is a call it
         * denies, and the steps inherit it as from a cold box's PID 1. */
        if (sbx_seal_root(&e) < 0 || harden_dumpable(0, &e) < 0 ||
            harden_load_filters(c->seccomp, &e) < 0)
                setup_failed(c->status_fd, &e);
        do
                n = scm_recv(c->status_fd, &run, sizeof(run), fds, SCM_MAX_FDS, &nfds, &flags);
        while (n < 0 && errno == EINTR);
        if (n == 0)
                _exit(0); /* the server let the box go */
        if (n != (ssize_t)sizeof(run) || run.magic != STANDBY_RUN_MAGIC ||
            nfds != 1 + (size_t)(run.has_collect != 0) + (size_t)(run.has_artifact != 0) ||
            run.nsteps == 0 || run.nsteps > SBX_MAX_STEPS)
                bad_run_record(c->status_fd);
        if (run.has_collect) {
                c->collect_fd = fds[k++];
                c->collect_cap = (size_t)run.collect_cap;
        }
        if (run.has_artifact)
                artifact = fds[k++];
        spec = specimage_map(fds[0], (size_t)run.spec_size, artifact, &e);
        close(fds[0]);
        if (!spec)
                setup_failed(c->status_fd, &e);
        if (spec->nsteps != run.nsteps)
                bad_run_record(c->status_fd);
        for (size_t got = 0; got < 2 * spec->nsteps;) {
                uint32_t count = 0;
                n = scm_recv(c->status_fd, &count, sizeof(count), fds, SCM_MAX_FDS, &nfds, &flags);
                if (n != (ssize_t)sizeof(count) || count == 0 || count != nfds ||
                    got + count > 2 * spec->nsteps)
                        bad_run_record(c->status_fd);
                for (size_t i = 0; i < count; i++)
                        c->out_w[(got + i) / 2][(got + i) % 2] = fds[i];
                got += count;
        }
        /* a run's PID 1, named as a cold box's */
        prctl(PR_SET_NAME, c->name, 0, 0, 0);
        /* standby.c sends only runs whose /tmp is the size it was built with */
        if (spec->limits.tmpfs_bytes != built_tmpfs)
                bad_run_record(c->status_fd);
        c->spec = spec;
        return spec;
}

_Noreturn void sbx_child_main(struct child_ctx *c)
{
        const struct sbx_spec *spec = c->spec;
        struct err e = {0, ""};
        int keep[6 + 2 * SBX_MAX_STEPS];
        size_t nkeep = 0;
        char go;

        keep[nkeep++] = c->status_fd;
        keep[nkeep++] = c->sync_fd;
        if (c->collect_fd >= 0)
                keep[nkeep++] = c->collect_fd;
        if (spec->artifact)
                keep[nkeep++] = spec->artifact->fd;
        if (spec->zygote) {
                keep[nkeep++] = spec->zygote_fd;
                keep[nkeep++] = spec->reaper_fd;
        }
        for (size_t i = 0; i < spec->nsteps; i++) {
                keep[nkeep++] = c->out_w[i][0];
                keep[nkeep++] = c->out_w[i][1];
        }
        close_all_but(keep, nkeep);
        /* A standby is told apart from a run's PID 1 by its name while it
         * waits (ps, tests); await_run gives it back the server's. */
        if (c->standby && ((!c->name[0] && prctl(PR_GET_NAME, c->name, 0, 0, 0) < 0) ||
                           prctl(PR_SET_NAME, STANDBY_COMM, 0, 0, 0) < 0))
                _exit(127);
        /* PID 1 is a copy of the server: its /proc/1/cmdline (readable by
         * the box, whatever the dumpable flag) would show the server's
         * command line. Wipe it. */
        if (c->argv_area)
                memset(c->argv_area, 0, c->argv_len);
        /* Occupy 0..2 so that every fd made from here on is >= 3. */
        for (int fd = 0; fd < 3; fd++)
                if (open("/dev/null", O_RDWR) != fd)
                        _exit(127);
        for (int sig = 1; sig < NSIG; sig++)
                signal(sig, SIG_DFL);
        arm_server_death(c->status_fd);
        slot_cpu_keep(spec->slot, &step_cpus);
        /* Join the box's cgroups while we still have host uid 0 (the files
         * are root's); nothing of the program runs before this. */
        if (c->cg && cg_box_attach(c->cg, 0, &e) < 0)
                setup_failed(c->status_fd, &e);
        /* A cgroup namespace rooted at the box's cgroup: /proc/self/cgroup
         * no longer shows the host's hierarchy. */
        if (unshare(CLONE_NEWCGROUP) < 0) {
                err_set(&e, errno, "cgroup namespace");
                setup_failed(c->status_fd, &e);
        }
        /* Wait for the parent's uid/gid maps. */
        if (read(c->sync_fd, &go, 1) != 1)
                _exit(127);
        close(c->sync_fd);

        /* Become the box user first: files created on the box's tmpfs must
         * belong to a uid mapped in its user namespace. The host uid we were
         * cloned with (0) is not mapped there, so this change does not clear
         * our capabilities in the namespace; harden_drop_privileges() does
         * that. (harden.c changes ids with raw system calls: glibc's
         * setresuid() would wait for the server's other threads, which do
         * not exist here.) */
        /* PID 1's real gid is its own (SBX_PID1_GID); each step takes the
         * box user's in all three places (exec_step). Not a warm zygote's:
         * executing it with real and effective gids apart would be a
         * "secure" exec, for which glibc drops TMPDIR and other variables
         * from the environment; it keeps CAP_SETGID instead and gives each
         * run's PID 1 that real gid (zygote/zyrun.c run_box). */
        if ((spec->zygote ? harden_box_gids(&e) : harden_pid1_gids(&e)) < 0 ||
            harden_box_uids(&e) < 0) {
                err_wrap(&e, "become the box user");
                setup_failed(c->status_fd, &e);
        }
        arm_server_death(c->status_fd);
        if (sethostname(BOX_HOSTNAME, sizeof(BOX_HOSTNAME) - 1) < 0) {
                err_set(&e, errno, "sethostname");
                setup_failed(c->status_fd, &e);
        }
        if (sbx_mount_root(spec, &e) < 0)
                setup_failed(c->status_fd, &e);
        if (c->standby)
                spec = await_run(c);
        if (chdir("/tmp") < 0 || (spec->artifact && unpack_artifact(spec, &e) < 0) ||
            write_files(spec, &e) < 0 ||
            (spec->mnt_in_tmp && mkdir(SBX_MNT_DIR, 0755) < 0 && errno != EEXIST &&
             err_set(&e, errno, "mkdir /tmp/" SBX_MNT_DIR) < 0)) {
                err_wrap(&e, "files");
                setup_failed(c->status_fd, &e);
        }
        if (spec->zygote) {
                /* No core dumps; each run sets its program's own limits. */
                const struct harden_rlimits none = {0};
                if (sbx_seal_root(&e) < 0 || harden_rlimits_box(&none, &e) < 0)
                        setup_failed(c->status_fd, &e);
                exec_zygote(c);
        }
        {
                const struct harden_rlimits lim = {
                    .file_bytes = spec->limits.file_bytes,
                    .open_files = spec->limits.open_files,
                    .processes = spec->limits.processes,
                };
                /* Non-dumpable: programs of the same uid can neither ptrace
                 * PID 1 nor read its memory, a copy of the server's. */
                /* (a standby's root was sealed and its filter loaded before
                 * its run came) */
                if ((!c->standby && sbx_seal_root(&e) < 0) || harden_rlimits_box(&lim, &e) < 0 ||
                    harden_dumpable(0, &e) < 0 ||
                    (c->standby ? harden_drop_caps(&e) : harden_drop_privileges(c->seccomp, &e)) <
                        0)
                        setup_failed(c->status_fd, &e);
        }
        /* dropping privileges changed credentials again */
        arm_server_death(c->status_fd);
        if (run_steps(c) || spec->collect_always) {
                if (c->collect_fd >= 0)
                        collect_tmp(c);
        }
        _exit(0);
}
