/* spawn: the parent's half of starting a box (see sandbox.h).
 *
 * Theory of operation. For each box the parent creates the cgroup, a
 * SOCK_SEQPACKET status pair, a sync pipe and one stdout/stderr pipe pair per
 * step (parent ends non-blocking, everything close-on-exec), then calls
 * clone3() with CLONE_NEWUSER|NEWPID|NEWNS|NEWIPC|NEWUTS|NEWNET and
 * CLONE_PIDFD, plus CLONE_INTO_CGROUP on cgroup v2 so the child is born
 * inside its limits; elsewhere (cgroup v1) the child joins its cgroups
 * itself before anything else, because moving a task between v1 cgroups
 * waits for an RCU grace period (about 4 ms measured here) and the parent
 * must not stall its event loop on that. The child then blocks on the sync
 * pipe until the parent has written its uid map (box uid 1000 -> host uid
 * uid_base+slot, unique to the slot, never root, never the server's): a
 * handful of small writes to /proc. Then it takes a reference to the box's
 * mount namespace, so that PID 1's exit does not wait for the namespace's
 * teardown; sbx_release hands it to reclaim.c's thread. */
#define _GNU_SOURCE
#include "sandbox-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/cleanup.h"
#include "../util/log.h"
#include "../util/scm.h"
#include "cgroup.h"
#include "reclaim.h"

/* At shutdown, busy cgroups are retried every 10 ms for up to a second. */
#define SHUTDOWN_RELEASE_TRIES 100
#define SHUTDOWN_RELEASE_WAIT_US 10000

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static struct sbx_options options;
static const char *limits_why;
static uint64_t next_box_id;
static struct cg_box **busy_releases; /* released boxes whose cgroup is still busy */
static size_t nbusy_releases;
/* One empty network namespace per slot, reused by the slot's boxes (see
 * make_netns_pool), and the server's own, to return to after a clone. */
static int *slot_netns;
static int host_netns = -1;

/* Creating a network namespace costs ~340 us per run here (bench/nscost),
 * more than all the other namespaces together, and tearing them down is
 * serialized in the kernel. A box can change nothing in a namespace whose
 * user namespace is not its own or an ancestor of it, and its sockets die
 * with it, so runs of one slot — which never overlap — can share one. Runs
 * of different slots never do, so concurrent runs cannot meet on abstract
 * Unix sockets.
 *
 * Each slot's namespace belongs to a user namespace of its own (made by a
 * short-lived helper), never to the initial one: the kernel broadcasts the
 * host's device events (NETLINK_KOBJECT_UEVENT) to every network namespace
 * the initial user namespace owns, and a box would hear them. The server,
 * root in the parent user namespace, may still enter it. */
static int netns_in_own_userns(void)
{
        char path[64];
        int pipefd[2], fd = -1;
        pid_t pid;

        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -1;
        /* A raw clone: the child only blocks on the pipe and exits, so it
         * needs nothing of libc's (the server may have another thread). */
        pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNET | SIGCHLD, 0, NULL, NULL, 0);
        if (pid == 0) {
                char c;
                close(pipefd[1]);
                /* returns (EOF) when the server has opened the namespace */
                _exit(read(pipefd[0], &c, 1) < 0 ? 1 : 0);
        }
        close(pipefd[0]);
        if (pid > 0) {
                snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
                fd = open(path, O_RDONLY | O_CLOEXEC);
        }
        close(pipefd[1]);
        if (pid > 0)
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        return fd;
}

static void make_netns_pool(unsigned slots)
{
        host_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        slot_netns = calloc(slots, sizeof(int));
        if (host_netns < 0 || !slot_netns)
                goto fail;
        for (unsigned i = 0; i < slots; i++)
                slot_netns[i] = -1;
        for (unsigned i = 0; i < slots; i++) {
                slot_netns[i] = netns_in_own_userns();
                if (slot_netns[i] < 0)
                        goto fail;
        }
        return;
fail:
        log_warn("no reusable network namespaces (%s): each box gets a fresh one", strerror(errno));
        for (unsigned i = 0; slot_netns && i < slots; i++)
                if (slot_netns[i] >= 0)
                        close(slot_netns[i]);
        free(slot_netns);
        slot_netns = NULL;
}

int sbx_global_init(const struct sbx_options *opt, struct err *e)
{
        options = *opt;
        if (sbx_seccomp_prepare(e) < 0)
                return -1;
        sbx_warm_init(opt->zygote_paths, opt->reaper_path);
        sbx_execzygote_init(opt->execzygote_path, opt->reaper_path);
        if (mkdir(SBX_STAGE_DIR, 0755) < 0 && errno != EEXIST)
                return err_set(e, errno, "mkdir %s", SBX_STAGE_DIR);
        if (opt->no_cgroups)
                cg_disable(&limits_why);
        else
                cg_init(&limits_why);
        make_netns_pool(opt->max_slots);
        sbx_reclaim_init(opt->max_slots);
        sbx_standby_init(opt->max_slots, !opt->no_standby, !opt->no_spawner);
        if (limits_why)
                log_warn("cgroups unusable (%s): limits fall back to rlimits only", limits_why);
        else
                log_info("sandbox limits: %s", cg_mode());
        return 0;
}

/* The kernel may need a moment to let go of a dying cgroup (or a warm
 * run's zygote to leave it): the spawner retries (spawner.c), or without
 * it a list here, retried from sbx_retry_releases(). */
void sbx_remove_cgroup(struct cg_box **cg)
{
        /* The spawner's rmdirs are off the event loop. */
        if (*cg && cg_enabled() && sbx_spawner_remove(cg_box_id(*cg)) == 0) {
                cg_box_forget(*cg);
                *cg = NULL;
                return;
        }
        if (*cg && cg_box_destroy(*cg) < 0 && errno == EBUSY) {
                size_t n = nbusy_releases + 1;
                /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
                struct cg_box **grown = realloc(busy_releases, n * sizeof(*busy_releases));
                if (grown) {
                        busy_releases = grown;
                        busy_releases[nbusy_releases++] = *cg;
                } else {
                        log_warn("out of memory: cgroup of a finished box left behind");
                }
        }
        *cg = NULL;
}

/* At shutdown (or a failed start-up), after the event loop: it may wait
 * up to a second for the kernel to let go of busy cgroups. */
void sbx_global_cleanup(void)
{
        sbx_standby_cleanup();
        sbx_cgpool_cleanup();
        for (int i = 0; i < SHUTDOWN_RELEASE_TRIES && sbx_retry_releases() > 0; i++)
                usleep(SHUTDOWN_RELEASE_WAIT_US);
        sbx_reclaim_cleanup();
        cg_cleanup();
}

const char *sbx_limits_mode(void)
{
        return cg_mode();
}

uint64_t sbx_take_box_id(void)
{
        return ++next_box_id;
}

struct cg_box *sbx_new_cgroup(const struct sbx_limits *lim, struct err *e)
{
        return cg_box_create(sbx_take_box_id(), lim, e);
}

static int write_proc(pid_t pid, const char *file, const char *text, struct err *e)
{
        char path[64];
        _cleanup_close_ int fd = -1;
        size_t n = strlen(text);

        snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, text, n) != (ssize_t)n)
                return err_set(e, errno, "write %s", path);
        return 0;
}

static int set_id_maps(pid_t pid, unsigned slot, struct err *e)
{
        char map[64], gmap[128];
        unsigned host = (unsigned)options.uid_base + slot;

        snprintf(map, sizeof(map), "%d %u 1\n", SBX_BOX_UID, host);
        /* the box user's gid, and PID 1's own (see SBX_PID1_GID) */
        snprintf(gmap, sizeof(gmap), "%d %u 1\n%d %u 1\n", SBX_BOX_GID, host, SBX_PID1_GID,
                 (unsigned)options.uid_base - 1);
        if (write_proc(pid, "uid_map", map, e) < 0 || write_proc(pid, "setgroups", "deny", e) < 0 ||
            write_proc(pid, "gid_map", gmap, e) < 0)
                return -1;
        return 0;
}

static void close_pair(int p[2])
{
        for (int i = 0; i < 2; i++)
                if (p[i] >= 0) {
                        close(p[i]);
                        p[i] = -1;
                }
}

static pid_t do_clone(struct cg_box *cg, unsigned slot, bool clone_parent, int *pidfd)
{
        struct clone_args args;
        bool shared_net =
            slot_netns && slot < options.max_slots && setns(slot_netns[slot], CLONE_NEWNET) == 0;
        long r;

        memset(&args, 0, sizeof(args));
        args.flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS |
                     CLONE_PIDFD | (shared_net ? 0 : CLONE_NEWNET) |
                     (clone_parent ? CLONE_PARENT : 0);
        args.pidfd = (uint64_t)(uintptr_t)pidfd;
        /* with CLONE_PARENT the kernel takes the caller's (SIGCHLD) */
        args.exit_signal = clone_parent ? 0 : SIGCHLD;
        if (cg_box_clone_fd(cg) >= 0) {
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t)cg_box_clone_fd(cg);
        }
        r = syscall(SYS_clone3, &args, sizeof(args));
        if (r < 0 && (args.flags & CLONE_INTO_CGROUP) && (errno == EINVAL || errno == E2BIG)) {
                args.flags &= ~CLONE_INTO_CGROUP;
                args.cgroup = 0;
                r = syscall(SYS_clone3, &args, sizeof(args));
        }
        if (r != 0 && shared_net && setns(host_netns, CLONE_NEWNET) < 0) {
                log_error("cannot return to the host network namespace");
                abort(); /* the listening socket's namespace is gone: cannot go on */
        }
        return (pid_t)r;
}

/* Clones PID 1 with ctx into slot's namespaces and cgroup cg, writes its
 * id maps and lets it go (sync_w: the parent's end of the sync pipe). When
 * it fails after the clone, the child is killed and reaped, or with
 * ctx->clone_parent (a sibling: not ours to reap) left in box->pid and
 * box->pidfd for the server. */
static int clone_pid1(struct child_ctx *ctx, int sync_w, unsigned slot, struct cg_box *cg,
                      struct sbx_box *box, struct err *e)
{
        int pidfd = -1;
        pid_t pid;

        ctx->cg = cg_enabled() && cg_box_clone_fd(cg) < 0 ? cg : NULL;
        ctx->memory_rlimit = !cg_enabled();
        ctx->seccomp = sbx_seccomp_filter();
        ctx->zygote_seccomp = sbx_seccomp_zygote_blob();
        ctx->argv_area = options.argv_area;
        ctx->argv_len = options.argv_len;
        pid = do_clone(cg, slot, ctx->clone_parent, &pidfd);
        if (pid < 0)
                return err_set(e, errno, "clone3");
        if (pid == 0)
                sbx_child_main(ctx);

        /* The child joins its cgroup itself (init.c): on cgroup v1 that
         * write waits for an RCU grace period (milliseconds), which must not
         * stall the event loop. */
        if (set_id_maps(pid, slot, e) < 0 || write(sync_w, "g", 1) != 1) {
                if (!e->msg[0])
                        err_set(e, errno, "release box");
                syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
                if (ctx->clone_parent) {
                        box->pid = pid;
                        box->pidfd = pidfd;
                        return -1;
                }
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                close(pidfd);
                return -1;
        }
        /* PID 1's exit then leaves the namespace's teardown to us (reclaim.c). */
        box->mntns_fd = sbx_reclaim_hold(pid);
        box->pid = pid;
        box->pidfd = pidfd;
        return 0;
}

int sbx_start_pid1(struct child_ctx *ctx, const struct sbx_limits *lim, unsigned slot,
                   struct sbx_box *box, struct err *e)
{
        struct cg_box *cg = sbx_reuse_cgroup_with(lim);

        if (!cg)
                cg = sbx_new_cgroup(lim, e);
        if (!cg)
                return -1;
        return sbx_start_pid1_in(ctx, cg, slot, box, e);
}

int sbx_start_pid1_in(struct child_ctx *ctx, struct cg_box *cg, unsigned slot, struct sbx_box *box,
                      struct err *e)
{
        int status[2] = {-1, -1}, sync[2] = {-1, -1};

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, status) < 0 ||
            pipe2(sync, O_CLOEXEC) < 0) {
                err_set(e, errno, "box channels");
                goto fail;
        }
        ctx->status_fd = status[1];
        ctx->sync_fd = sync[0];
        if (clone_pid1(ctx, sync[1], slot, cg, box, e) < 0)
                goto fail;
        close(status[1]);
        close_pair(sync);
        box->status_fd = status[0];
        fcntl(status[0], F_SETFL, O_NONBLOCK);
        box->cg = cg;
        return 0;
fail:
        close_pair(status);
        close_pair(sync);
        if (box->pidfd >= 0) {
                /* a killed sibling (ctx->clone_parent): the caller's */
                box->cg = cg;
                return -1;
        }
        cg_box_kill(cg);
        sbx_remove_cgroup(&cg);
        return -1;
}

int sbx_out_pipes(size_t nsteps, int out[SBX_MAX_STEPS][2][2], struct err *e)
{
        memset(out, -1, sizeof(int) * SBX_MAX_STEPS * 2 * 2);
        for (size_t s = 0; s < nsteps; s++)
                for (int k = 0; k < 2; k++)
                        if (pipe2(out[s][k], O_CLOEXEC) < 0) {
                                sbx_close_out_pipes(out);
                                return err_set(e, errno, "output pipe");
                        }
        return 0;
}

void sbx_close_out_pipes(int out[SBX_MAX_STEPS][2][2])
{
        for (size_t s = 0; s < SBX_MAX_STEPS; s++)
                for (int k = 0; k < 2; k++)
                        close_pair(out[s][k]);
}

void sbx_box_take_out_pipes(struct sbx_box *box, size_t nsteps, int out[SBX_MAX_STEPS][2][2])
{
        box->nsteps = nsteps;
        for (size_t s = 0; s < SBX_MAX_STEPS; s++)
                for (int k = 0; k < 2; k++) {
                        if (out[s][k][1] >= 0)
                                close(out[s][k][1]);
                        box->out_fd[s][k] = s < nsteps ? out[s][k][0] : -1;
                        if (box->out_fd[s][k] >= 0)
                                fcntl(box->out_fd[s][k], F_SETFL, O_NONBLOCK);
                        else if (out[s][k][0] >= 0)
                                close(out[s][k][0]);
                        out[s][k][0] = out[s][k][1] = -1;
                }
}

/* A box for spec from nothing: a new cgroup, channels and PID 1. */
static int spawn_cold(const struct sbx_spec *spec, struct sbx_box *box, struct err *e)
{
        struct child_ctx ctx;
        int out[SBX_MAX_STEPS][2][2];

        memset(&ctx, 0, sizeof(ctx));
        ctx.collect_fd = -1;
        if (spec->collect_tmp) {
                ctx.collect_fd = sbx_collect_memfd(spec->collect_max_bytes, &ctx.collect_cap, e);
                if (ctx.collect_fd < 0)
                        return -1;
        }
        if (sbx_out_pipes(spec->nsteps, out, e) < 0)
                goto fail;
        ctx.spec = spec;
        for (size_t s = 0; s < spec->nsteps; s++) {
                ctx.out_w[s][0] = out[s][0][1];
                ctx.out_w[s][1] = out[s][1][1];
        }
        if (sbx_start_pid1(&ctx, &spec->limits, spec->slot, box, e) < 0) {
                sbx_close_out_pipes(out);
                goto fail;
        }
        sbx_box_take_out_pipes(box, spec->nsteps, out);
        box->collect_fd = ctx.collect_fd;
        return 0;
fail:
        if (ctx.collect_fd >= 0)
                close(ctx.collect_fd);
        return -1;
}

int sbx_spawn(const struct sbx_spec *spec, struct sbx_box *box, struct err *e)
{
        int rc;

        if (spec->nsteps == 0 || spec->nsteps > SBX_MAX_STEPS)
                return err_set(e, EINVAL, "a box runs 1 to %d steps", SBX_MAX_STEPS);
        memset(box, 0, sizeof(*box));
        box->collect_fd = box->mntns_fd = box->pidfd = box->status_fd = -1;
        memset(box->out_fd, -1, sizeof(box->out_fd));
        /* The slot's standby box when it fits (standby.c), else a cold one;
         * then a standby for the slot's next run. A warm zygote's box is
         * always cold, and leaves the slot's standby alone. */
        if (!spec->zygote && sbx_standby_run(spec, box) == 0) {
                rc = 0;
        } else {
                rc = spawn_cold(spec, box, e);
                if (rc == 0)
                        sbx_standby_count_cold();
        }
        if (rc == 0)
                sbx_standby_prepare(spec);
        return rc;
}

void sbx_kill(struct sbx_box *box)
{
        if (box->pidfd >= 0)
                syscall(SYS_pidfd_send_signal, box->pidfd, SIGKILL, NULL, 0);
        else if (box->warm)
                box->kill_on_pidfd = true;
        /* Not a warm run's cgroup: its zygote may still be in it, for a
         * moment after the start (warm.c); the run's PID 1 ends the run. */
        if (!box->warm)
                cg_box_kill(box->cg);
}

int sbx_read_msg(struct sbx_box *box, struct sbx_msg *m)
{
        int fd, flags;
        size_t nfd;
        ssize_t n = scm_recv(box->status_fd, m, sizeof(*m), &fd, 1, &nfd, &flags);

        if (nfd == 1) {
                if (box->warm && box->pidfd < 0) {
                        box->pidfd = fd;
                        /* its exit then does not wait for the teardown of
                         * its mount namespace, as a cold box's (reclaim.c) */
                        if (box->mntns_fd < 0)
                                box->mntns_fd = sbx_reclaim_hold_pidfd(fd);
                        if (box->kill_on_pidfd)
                                sbx_kill(box);
                } else {
                        close(fd);
                }
        }
        if (n == 0)
                return 0;
        if (n != (ssize_t)sizeof(*m))
                return -1;
        return 1;
}

void sbx_usage(struct sbx_box *box, struct sbx_usage *u)
{
        /* A warm run has a cgroup of its own too (warm.c), as a cold box. */
        cg_box_usage(box->cg, u);
}

void sbx_release(struct sbx_box *box)
{
        if (box->pidfd >= 0)
                close(box->pidfd);
        if (box->status_fd >= 0)
                close(box->status_fd);
        for (size_t s = 0; s < SBX_MAX_STEPS; s++)
                for (int k = 0; k < 2; k++)
                        if (box->out_fd[s][k] >= 0)
                                close(box->out_fd[s][k]);
        if (box->collect_fd >= 0)
                close(box->collect_fd);
        box->pidfd = box->status_fd = box->collect_fd = -1;
        memset(box->out_fd, -1, sizeof(box->out_fd));
        if (box->cg && !box->warm)
                cg_box_kill(box->cg);
        if (box->cg && sbx_keep_cgroup(box->cg))
                box->cg = NULL;
        sbx_remove_cgroup(&box->cg);
        sbx_remove_cgroup(&box->next_cg); /* a zygote's, once it is dead */
        sbx_reclaim_drop(box->mntns_fd);
        box->mntns_fd = -1;
}

size_t sbx_retry_releases(void)
{
        size_t kept = 0;

        sbx_standby_tick();
        for (size_t i = 0; i < nbusy_releases; i++) {
                if (cg_box_destroy(busy_releases[i]) < 0 && errno == EBUSY)
                        busy_releases[kept++] = busy_releases[i];
        }
        nbusy_releases = kept;
        return nbusy_releases;
}
