/* execpool: judge mode's exec zygotes (see execpool.h).
 *
 * Theory of operation. The pool is a fixed table of MAX_PER_SLOT entries
 * per slot. An entry is FREE, LIVE (a zygote for one key and slot: its
 * pidfd, control socket and log pipes watched) or DEAD (its zygote ended
 * or broke while its key was still judged: the entry stays, so that the
 * key's later tests on that slot run cold instead of starting zygote after
 * zygote). execpool_forget() frees the key's entries, killing the live
 * ones; an entry being killed becomes FREE once its PID 1 has exited (the
 * exit event releases the box). A zygote's first run is sent right after
 * it is spawned, without waiting for its ready record: requests queue on
 * its control socket, and should it fail to start, the run's channels
 * close with it and the job runs again cold (job.c). */
#define _GNU_SOURCE
#include "execpool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../util/linelog.h"
#include "../util/log.h"

/* Zygotes per slot at once: concurrent judges interleave on every slot,
 * and a judge without a zygote there runs its tests cold. Eight concurrent
 * 20-test C++ judges on 2 slots: 51 of 160 tests forked with 2 per slot
 * (1936 ms), 92 with 4, all with 8 (1713 ms against 2069 with 4). A
 * zygote is a small process and a copy of its program's files. */
#define MAX_PER_SLOT 8

enum estate { E_FREE, E_LIVE, E_DEAD };

struct ezyg {
        enum estate state;
        const void *key; /* NULL once forgotten */
        unsigned slot;
        bool serving; /* LIVE and taking runs */
        struct sbx_box box;
        struct event *ev_ctl, *ev_exit, *ev_log[2];
        struct linelog log[2];
};

static struct {
        struct event_base *base;
        unsigned nslots;
        struct ezyg *z; /* nslots * MAX_PER_SLOT */
        unsigned long long started, runs, fallbacks, deaths;
} pool;

static void free_event(struct event **ev)
{
        if (*ev) {
                event_free(*ev);
                *ev = NULL;
        }
}

static void free_events(struct ezyg *z)
{
        free_event(&z->ev_ctl);
        free_event(&z->ev_exit);
        free_event(&z->ev_log[0]);
        free_event(&z->ev_log[1]);
}

static void log_line(void *arg, const char *line)
{
        const struct ezyg *z = arg;

        log_warn("judge zygote slot %u: %s", z->slot, line);
}

static void on_log(evutil_socket_t fd, short what, void *arg)
{
        struct ezyg *z = arg;
        int k = z->box.out_fd[0][0] == fd ? 0 : 1;

        (void)what;
        if (linelog_drain(&z->log[k], fd, log_line, z) == 0)
                free_event(&z->ev_log[k]);
}

/* Its PID 1 has exited: the box goes; the entry stays DEAD while its key
 * is judged. */
static void on_exit_event(evutil_socket_t fd, short what, void *arg)
{
        struct ezyg *z = arg;

        (void)fd;
        (void)what;
        if (z->serving) {
                pool.deaths++;
                log_warn("judge zygote slot %u: ended; that judge's tests run cold there", z->slot);
        }
        /* drain what it said last */
        for (int k = 0; k < 2; k++)
                if (z->ev_log[k])
                        (void)linelog_drain(&z->log[k], z->box.out_fd[0][k], log_line, z);
        free_events(z);
        while (waitid((idtype_t)P_PIDFD, (id_t)z->box.pidfd, NULL, WEXITED | WNOHANG) < 0 &&
               errno == EINTR)
                ;
        sbx_release(&z->box);
        z->serving = false;
        z->log[0].len = z->log[1].len = 0;
        z->state = z->key ? E_DEAD : E_FREE;
}

static void on_ctl(evutil_socket_t fd, short what, void *arg)
{
        struct ezyg *z = arg;
        struct sbx_zygote_info info;
        struct err e = {0, ""};
        int rc;

        (void)fd;
        (void)what;
        rc = sbx_zygote_ready(&z->box, &info, &e);
        if (rc == 0)
                return;
        /* Nothing else comes on this socket: once ready it only reads EOF
         * at the end (the exit event follows). */
        free_event(&z->ev_ctl);
        if (rc < 0 && z->serving)
                log_warn("judge zygote slot %u: %s", z->slot, e.msg);
}

void execpool_start(struct event_base *base, unsigned slots)
{
        if (!sbx_execzygote_available()) {
                log_info("judge zygotes: off (codeexec-execzygote not found beside the server)");
                return;
        }
        pool.z = calloc((size_t)slots * MAX_PER_SLOT, sizeof(*pool.z));
        if (!pool.z) {
                log_warn("judge zygotes: off (out of memory)");
                return;
        }
        pool.base = base;
        pool.nslots = slots;
}

void execpool_stop(void)
{
        for (unsigned i = 0; i < pool.nslots * MAX_PER_SLOT; i++) {
                struct ezyg *z = &pool.z[i];
                if (z->state != E_LIVE)
                        continue;
                free_events(z);
                sbx_kill(&z->box);
                while (waitid((idtype_t)P_PIDFD, (id_t)z->box.pidfd, NULL, WEXITED) < 0 &&
                       errno == EINTR)
                        ;
                sbx_release(&z->box);
        }
        free(pool.z);
        pool.z = NULL;
        pool.nslots = 0;
}

static bool watch(struct ezyg *z)
{
        z->ev_ctl = event_new(pool.base, z->box.status_fd, EV_READ | EV_PERSIST, on_ctl, z);
        z->ev_exit = event_new(pool.base, z->box.pidfd, EV_READ, on_exit_event, z);
        for (int k = 0; k < 2; k++)
                z->ev_log[k] =
                    event_new(pool.base, z->box.out_fd[0][k], EV_READ | EV_PERSIST, on_log, z);
        return z->ev_ctl && z->ev_exit && z->ev_log[0] && z->ev_log[1] &&
               event_add(z->ev_ctl, NULL) == 0 && event_add(z->ev_exit, NULL) == 0 &&
               event_add(z->ev_log[0], NULL) == 0 && event_add(z->ev_log[1], NULL) == 0;
}

struct sbx_box *execpool_get(const void *key, unsigned slot, const struct sbx_spec *spec)
{
        struct ezyg *zs, *free_entry = NULL;
        struct err e = {0, ""};

        if (!key || slot >= pool.nslots)
                return NULL;
        zs = &pool.z[slot * MAX_PER_SLOT];
        for (unsigned i = 0; i < MAX_PER_SLOT; i++) {
                if (zs[i].state != E_FREE && zs[i].key == key)
                        return zs[i].serving ? &zs[i].box : NULL;
                if (zs[i].state == E_FREE && !free_entry)
                        free_entry = &zs[i];
        }
        if (!free_entry)
                return NULL;
        if (sbx_execzygote_spawn(spec, &free_entry->box, &e) < 0) {
                if (e.errnum != EINVAL) /* EINVAL: a run it cannot serve, quietly cold */
                        log_warn("judge zygote slot %u: %s", slot, e.msg);
                return NULL;
        }
        free_entry->state = E_LIVE;
        free_entry->key = key;
        free_entry->slot = slot;
        free_entry->serving = true;
        pool.started++;
        if (!watch(free_entry)) {
                log_warn("judge zygote slot %u: out of memory for its events", slot);
                free_events(free_entry);
                sbx_kill(&free_entry->box);
                while (waitid((idtype_t)P_PIDFD, (id_t)free_entry->box.pidfd, NULL, WEXITED) < 0 &&
                       errno == EINTR)
                        ;
                sbx_release(&free_entry->box);
                free_entry->serving = false;
                free_entry->state = E_DEAD;
                return NULL;
        }
        return &free_entry->box;
}

void execpool_broken(unsigned slot, pid_t zygote)
{
        for (unsigned i = 0; slot < pool.nslots && i < MAX_PER_SLOT; i++) {
                struct ezyg *z = &pool.z[slot * MAX_PER_SLOT + i];
                if (z->state == E_LIVE && z->serving && z->box.pid == zygote) {
                        log_warn("judge zygote slot %u: a run failed in it; that judge's tests "
                                 "run cold there",
                                 slot);
                        pool.deaths++;
                        z->serving = false;
                        sbx_kill(&z->box); /* the exit event releases it */
                }
        }
}

void execpool_forget(const void *key)
{
        for (unsigned i = 0; key && i < pool.nslots * MAX_PER_SLOT; i++) {
                struct ezyg *z = &pool.z[i];
                if (z->state == E_FREE || z->key != key)
                        continue;
                z->key = NULL;
                if (z->state == E_DEAD) {
                        z->state = E_FREE;
                        continue;
                }
                z->serving = false;
                sbx_kill(&z->box); /* the exit event frees the entry */
        }
}

void execpool_count(bool fell_back)
{
        if (fell_back)
                pool.fallbacks++;
        else
                pool.runs++;
}

void execpool_metrics(struct buf *out)
{
        unsigned live = 0;

        for (unsigned i = 0; i < pool.nslots * MAX_PER_SLOT; i++)
                live += pool.z[i].state == E_LIVE;
        buf_appendf(out,
                    "# HELP codeexec_judge_zygotes Judge zygotes alive.\n"
                    "# TYPE codeexec_judge_zygotes gauge\ncodeexec_judge_zygotes %u\n"
                    "# HELP codeexec_judge_zygotes_started_total Judge zygotes started.\n"
                    "# TYPE codeexec_judge_zygotes_started_total counter\n"
                    "codeexec_judge_zygotes_started_total %llu\n"
                    "# HELP codeexec_judge_zygote_runs_total Tests started in a judge zygote.\n"
                    "# TYPE codeexec_judge_zygote_runs_total counter\n"
                    "codeexec_judge_zygote_runs_total %llu\n"
                    "# HELP codeexec_judge_zygote_fallbacks_total Tests that failed in a judge "
                    "zygote and ran again cold.\n"
                    "# TYPE codeexec_judge_zygote_fallbacks_total counter\n"
                    "codeexec_judge_zygote_fallbacks_total %llu\n"
                    "# HELP codeexec_judge_zygote_deaths_total Judge zygotes that ended or broke "
                    "while their judge went on.\n"
                    "# TYPE codeexec_judge_zygote_deaths_total counter\n"
                    "codeexec_judge_zygote_deaths_total %llu\n",
                    live, pool.started, pool.runs, pool.fallbacks, pool.deaths);
}
