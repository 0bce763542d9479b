/* standby: a box started ahead for each slot, so that a run does not wait
 * for its box to be built (see sandbox-internal.h).
 *
 * Theory of operation. A cold box pays, between its run's arrival and the
 * program's start, for what does not depend on the run at all: the clone
 * into fresh namespaces, joining its cgroups (on cgroup v1 a migration
 * that waits for an RCU grace period when none happened lately, about
 * 10 ms), the id maps, some twenty mounts and the pivot away from the
 * host's root (an unmount, so another grace period). So whenever a slot
 * starts a box, it also starts its next one: a PID 1 cloned exactly as a
 * cold one, in a fresh cgroup of its own (limits as the run that caused it),
 * which builds the whole file system (the recipe's binds and overlays
 * included), seals the root and then blocks on its status socket. The next
 * run of the slot, if it has the same binds, overlays, /mnt and /tmp size,
 * sets its limits on that cgroup, packs its spec into a sealed memfd
 * (specimage.c) and sends it with its pipes; PID 1 writes the files, drops
 * every privilege and runs the steps, as a cold box does from that point
 * on (init.c).
 *
 * What one run could leave for the next is what it could leave before: a
 * standby is built before any program of its slot's next run exists, by
 * the server alone, in namespaces, a cgroup and a tmpfs of its own; while
 * it waits, the slot's current run cannot reach it (another PID namespace,
 * no socket it listens on, nothing shared but the slot's network namespace
 * and host uid, exactly as consecutive cold boxes share them). A standby
 * that does not fit the next run, died, or waited longer than
 * STANDBY_IDLE_MAX_US (it is a copy of the server's memory from when it was
 * cloned, which the server's later writes would duplicate) is killed and
 * reaped from the server's tick, never waited for on the event loop. */
#define _GNU_SOURCE
#include "sandbox-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/log.h"
#include "../util/scm.h"
#include "../util/strv.h"
#include "cgroup.h"
#include "reaper.h"
#include "specimage.h"

#define STANDBY_IDLE_MAX_US (10ULL * 1000 * 1000)
/* How long a run waits for its slot's standby from the spawner before it
 * takes a cold box (the answer usually came while the last run went on). */
#define SPAWNER_WAIT_MS 10

struct standby {
        bool ready;
        bool pending;              /* asked of the spawner, not answered yet */
        uint64_t pending_id;       /* its box id */
        struct cg_box *pending_cg; /* its cgroup when a kept one (cgpool.c), else NULL */
        struct sbx_box box;        /* pid, pidfd, status_fd (server's end), cg, mntns_fd */
        uint64_t born_us;
        /* what it was built from, to match the next run against */
        char **binds;
        struct sbx_overlay *overlays; /* lower and target strings owned */
        size_t noverlays;
        bool mnt_in_tmp;
        uint64_t tmpfs_bytes;
        struct sbx_limits limits; /* its cgroup's */
};

static struct standby *standbys;
static unsigned nstandbys;
static bool standby_on;
/* killed, to be reaped from the tick */
static struct sbx_box *dying;
static size_t ndying;
static struct sbx_stats stats;

void sbx_standby_init(unsigned slots, bool enabled, bool spawner)
{
        standby_on = false;
        if (!enabled || slots == 0)
                return;
        if (spawner)
                sbx_spawner_start();
        standbys = calloc(slots, sizeof(*standbys));
        if (!standbys) {
                log_warn("out of memory: no standby boxes");
                return;
        }
        nstandbys = slots;
        standby_on = true;
}

void sbx_get_stats(struct sbx_stats *out)
{
        *out = stats;
        out->cgroups_reused = sbx_cgroups_reused();
        out->cgroups_kept = sbx_cgroups_kept();
}

void sbx_standby_count_cold(void)
{
        stats.cold_boxes++;
}

static void free_key(struct standby *s)
{
        strv_free(s->binds);
        s->binds = NULL;
        for (size_t i = 0; i < s->noverlays; i++) {
                free((char *)s->overlays[i].lower);
                free((char *)s->overlays[i].target);
        }
        free(s->overlays);
        s->overlays = NULL;
        s->noverlays = 0;
}

static int copy_key(struct standby *s, const struct sbx_spec *spec)
{
        s->binds = strv_dup((char *const *)spec->binds);
        s->overlays = calloc(spec->noverlays + 1, sizeof(*s->overlays));
        if (!s->binds || !s->overlays)
                return -1;
        for (size_t i = 0; i < spec->noverlays; i++) {
                s->overlays[i].lower = strdup(spec->overlays[i].lower);
                s->overlays[i].target = strdup(spec->overlays[i].target);
                s->noverlays = i + 1;
                if (!s->overlays[i].lower || !s->overlays[i].target)
                        return -1;
        }
        s->mnt_in_tmp = spec->mnt_in_tmp;
        s->tmpfs_bytes = spec->limits.tmpfs_bytes;
        s->limits = spec->limits;
        return 0;
}

static bool fits(const struct standby *s, const struct sbx_spec *spec)
{
        size_t n = spec->binds ? strv_len((char *const *)spec->binds) : 0;

        if (spec->zygote || s->mnt_in_tmp != spec->mnt_in_tmp ||
            s->tmpfs_bytes != spec->limits.tmpfs_bytes || s->noverlays != spec->noverlays ||
            strv_len(s->binds) != n)
                return false;
        for (size_t i = 0; i < n; i++)
                if (strcmp(s->binds[i], spec->binds[i]) != 0)
                        return false;
        for (size_t i = 0; i < s->noverlays; i++)
                if (strcmp(s->overlays[i].lower, spec->overlays[i].lower) != 0 ||
                    strcmp(s->overlays[i].target, spec->overlays[i].target) != 0)
                        return false;
        return true;
}

/* Reaps a killed box if it has exited; true when it did and was released. */
static bool reap(struct sbx_box *b)
{
        siginfo_t info;
        int rc;

        memset(&info, 0, sizeof(info));
        rc = waitid((idtype_t)P_PIDFD, (id_t)b->pidfd, &info, WEXITED | WNOHANG);
        /* ECHILD: nothing left to wait for */
        if ((rc < 0 && errno != ECHILD) || (rc == 0 && info.si_pid == 0))
                return false;
        sbx_release(b);
        return true;
}

/* A box built ahead and not used (did not fit, idle, died, or from the
 * spawner with nobody waiting for it): killed, and reaped from the tick. */
static void bury(struct sbx_box *b)
{
        struct sbx_box *grown;

        stats.standbys_discarded++;
        sbx_kill(b);
        if (reap(b))
                return;
        grown = realloc(dying, (ndying + 1) * sizeof(*dying));
        if (!grown) {
                /* cannot keep it for later: wait for it now (it was killed) */
                while (waitid((idtype_t)P_PIDFD, (id_t)b->pidfd, NULL, WEXITED) < 0 &&
                       errno == EINTR)
                        ;
                sbx_release(b);
                return;
        }
        dying = grown;
        dying[ndying++] = *b;
}

static void discard(struct standby *s)
{
        s->ready = false;
        free_key(s);
        bury(&s->box);
}

static bool exited(const struct sbx_box *b)
{
        struct pollfd p = {b->pidfd, POLLIN, 0};

        return poll(&p, 1, 0) != 0;
}

static void empty_box(struct sbx_box *b)
{
        memset(b, 0, sizeof(*b));
        b->pidfd = b->status_fd = b->collect_fd = b->mntns_fd = -1;
        memset(b->out_fd, -1, sizeof(b->out_fd));
}

/* Takes one answer of the spawner: its slot's standby, or (it failed, or
 * nobody waits for it any more) a box to end. */
static void take_answer(const struct spawned *a)
{
        struct standby *s = a->slot < nstandbys ? &standbys[a->slot] : NULL;
        bool awaited = s && s->pending && s->pending_id == a->box_id;
        struct sbx_box b;

        empty_box(&b);
        b.pid = a->pid;
        b.pidfd = a->pidfd;
        b.status_fd = a->status_fd;
        b.mntns_fd = a->mntns_fd;
        if (awaited && s->pending_cg) {
                b.cg = s->pending_cg; /* the server's object, kept fds and all */
                s->pending_cg = NULL;
        } else {
                b.cg = cg_box_adopt(a->box_id);
        }
        if (awaited)
                s->pending = false;
        if (awaited && a->ok) {
                fcntl(b.status_fd, F_SETFL, O_NONBLOCK);
                s->box = b;
                s->ready = true;
                stats.standbys_spawned++;
                return;
        }
        if (awaited) {
                free_key(s);
                log_warn("no standby box for slot %u: %s", a->slot, a->msg);
        }
        if (b.pidfd >= 0) {
                bury(&b);
                return;
        }
        stats.standbys_discarded++;
        sbx_release(&b); /* closes what came, removes the cgroup if made */
}

/* Takes the spawner's answers that have come; with wait_slot < nstandbys,
 * waits up to SPAWNER_WAIT_MS for that slot's. */
static void take_answers(unsigned wait_slot)
{
        uint64_t start = sbx_now_us(), deadline = start + SPAWNER_WAIT_MS * 1000ULL;
        bool waited = wait_slot < nstandbys && standbys[wait_slot].pending;
        struct spawned a;

        if (waited)
                stats.spawner_waits++;
        for (;;) {
                int timeout_ms = 0, got;
                if (wait_slot < nstandbys && standbys[wait_slot].pending) {
                        uint64_t now = sbx_now_us();
                        if (now >= deadline)
                                break;
                        timeout_ms = (int)((deadline - now + 999) / 1000);
                }
                got = sbx_spawner_answer(&a, timeout_ms);
                if (got == 1) {
                        take_answer(&a);
                        continue;
                }
                if (got < 0)
                        /* gone: what was asked will not come */
                        for (unsigned i = 0; i < nstandbys; i++)
                                if (standbys[i].pending) {
                                        standbys[i].pending = false;
                                        free_key(&standbys[i]);
                                        /* a PID 1 may have started in it */
                                        cg_box_kill(standbys[i].pending_cg);
                                        sbx_remove_cgroup(&standbys[i].pending_cg);
                                }
                break;
        }
        if (waited)
                stats.spawner_wait_us += sbx_now_us() - start;
}

void sbx_standby_prepare(const struct sbx_spec *spec)
{
        struct standby *s;
        struct sbx_spec key;
        struct child_ctx ctx;
        struct err e = {0, ""};

        if (!standby_on || spec->zygote || spec->slot >= nstandbys || standbys[spec->slot].ready ||
            standbys[spec->slot].pending)
                return;
        s = &standbys[spec->slot];
        empty_box(&s->box);
        /* What the box is built from; the rest comes with the run. */
        memset(&key, 0, sizeof(key));
        key.binds = spec->binds;
        key.overlays = spec->overlays;
        key.noverlays = spec->noverlays;
        key.mnt_in_tmp = spec->mnt_in_tmp;
        key.limits = spec->limits;
        key.slot = spec->slot;
        if (copy_key(s, spec) < 0) {
                free_key(s);
                log_warn("out of memory: no standby box for slot %u", spec->slot);
                return;
        }
        /* Cloned by the spawner, off the event loop, when it is there. */
        if (sbx_spawner_up()) {
                /* in a kept cgroup when there is one (cgpool.c), its
                 * limits set before PID 1 comes, as a new one's are */
                struct cg_box *cg = sbx_reuse_cgroup_with(&spec->limits);
                uint64_t id = cg ? cg_box_id(cg) : sbx_take_box_id();
                if (sbx_spawner_request(&key, id, cg != NULL) == 0) {
                        s->pending = true;
                        s->pending_id = id;
                        s->pending_cg = cg;
                        s->born_us = sbx_now_us();
                        stats.standbys_started++;
                        return;
                }
                if (cg && !sbx_keep_cgroup(cg)) /* still reset, still empty */
                        sbx_remove_cgroup(&cg);
        }
        memset(&ctx, 0, sizeof(ctx));
        ctx.spec = &key;
        ctx.standby = true;
        ctx.collect_fd = -1;
        memset(ctx.out_w, -1, sizeof(ctx.out_w));
        if (sbx_start_pid1(&ctx, &spec->limits, spec->slot, &s->box, &e) < 0) {
                free_key(s);
                log_warn("no standby box for slot %u: %s", spec->slot, e.msg);
                return;
        }
        s->born_us = sbx_now_us();
        s->ready = true;
        stats.standbys_started++;
}

/* Sends the run to the standby's PID 1: the spec image, the collect memfd,
 * the artifact, then the output pipes' write ends. */
static int send_run(const struct standby *s, const struct sbx_spec *spec, int collect_fd,
                    size_t collect_cap, int out[SBX_MAX_STEPS][2][2], struct err *e)
{
        struct standby_run run;
        int fds[SCM_MAX_FDS], image;
        size_t nfds = 0, size, sent = 0, total = 2 * spec->nsteps;
        const int flags = MSG_DONTWAIT | MSG_NOSIGNAL;

        image = specimage_pack(spec, &size, e);
        if (image < 0)
                return -1;
        memset(&run, 0, sizeof(run));
        run.magic = STANDBY_RUN_MAGIC;
        run.nsteps = (uint32_t)spec->nsteps;
        run.spec_size = size;
        fds[nfds++] = image;
        if (collect_fd >= 0) {
                run.has_collect = 1;
                run.collect_cap = collect_cap;
                fds[nfds++] = collect_fd;
        }
        if (spec->artifact) {
                run.has_artifact = 1;
                fds[nfds++] = spec->artifact->fd;
        }
        if (scm_send(s->box.status_fd, &run, sizeof(run), fds, nfds, flags) !=
            (ssize_t)sizeof(run)) {
                close(image);
                return err_set(e, errno, "send the run to the standby box");
        }
        close(image);
        while (sent < total) {
                uint32_t n = (uint32_t)(total - sent < SCM_MAX_FDS ? total - sent : SCM_MAX_FDS);
                for (uint32_t i = 0; i < n; i++)
                        fds[i] = out[(sent + i) / 2][(sent + i) % 2][1];
                if (scm_send(s->box.status_fd, &n, sizeof(n), fds, n, flags) != (ssize_t)sizeof(n))
                        return err_set(e, errno, "send the pipes to the standby box");
                sent += n;
        }
        return 0;
}

int sbx_standby_run(const struct sbx_spec *spec, struct sbx_box *box)
{
        struct standby *s;
        struct err e = {0, ""};
        int out[SBX_MAX_STEPS][2][2];
        int collect_fd = -1;
        size_t collect_cap = 0;

        if (!standby_on || spec->slot >= nstandbys)
                return -1;
        s = &standbys[spec->slot];
        if (s->pending)
                take_answers(spec->slot);
        if (!s->ready)
                return -1;
        if (!fits(s, spec) || exited(&s->box)) {
                discard(s);
                return -1;
        }
        memset(out, -1, sizeof(out));
        /* Usually the limits it was made with (those of the slot's last
         * run); its memory peak then counts PID 1's set-up, as a cold
         * box's does. */
        if ((s->limits.memory_bytes != spec->limits.memory_bytes ||
             s->limits.processes != spec->limits.processes) &&
            cg_box_set_limits(s->box.cg, &spec->limits) < 0) {
                err_set(&e, errno, "limits");
                goto fail;
        }
        if (spec->collect_tmp) {
                collect_fd = sbx_collect_memfd(spec->collect_max_bytes, &collect_cap, &e);
                if (collect_fd < 0)
                        goto fail;
        }
        if (sbx_out_pipes(spec->nsteps, out, &e) < 0 ||
            send_run(s, spec, collect_fd, collect_cap, out, &e) < 0)
                goto fail;
        *box = s->box;
        sbx_box_take_out_pipes(box, spec->nsteps, out);
        box->collect_fd = collect_fd;
        s->ready = false;
        free_key(s);
        empty_box(&s->box);
        stats.standby_boxes++;
        return 0;
fail:
        log_warn("standby box of slot %u not used: %s", spec->slot, e.msg);
        if (collect_fd >= 0)
                close(collect_fd);
        sbx_close_out_pipes(out);
        discard(s);
        return -1;
}

void sbx_standby_tick(void)
{
        size_t kept = 0;
        uint64_t now = sbx_now_us();

        if (standby_on)
                take_answers(UINT32_MAX);
        for (size_t i = 0; i < ndying; i++)
                if (!reap(&dying[i]))
                        dying[kept++] = dying[i];
        ndying = kept;
        for (unsigned i = 0; i < nstandbys; i++)
                if (standbys[i].ready && now - standbys[i].born_us > STANDBY_IDLE_MAX_US)
                        discard(&standbys[i]);
}

void sbx_standby_cleanup(void)
{
        struct spawned a;

        /* what the spawner was asked comes back first, then it exits */
        sbx_spawner_stop();
        while (sbx_spawner_answer(&a, 1000) == 1)
                take_answer(&a);
        sbx_spawner_reap();
        for (unsigned i = 0; i < nstandbys; i++)
                if (standbys[i].ready)
                        discard(&standbys[i]);
        for (size_t i = 0; i < ndying; i++) {
                while (waitid((idtype_t)P_PIDFD, (id_t)dying[i].pidfd, NULL, WEXITED) < 0 &&
                       errno == EINTR)
                        ;
                sbx_release(&dying[i]);
        }
        ndying = 0;
        free(dying);
        dying = NULL;
        free(standbys);
        standbys = NULL;
        nstandbys = 0;
        standby_on = false;
}
