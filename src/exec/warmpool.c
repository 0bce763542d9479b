/* warmpool: warm Python zygotes, a few kinds per slot (see warmpool.h).
 *
 * Theory of operation. Each slot has a lean zygote (LEAN_PRELOAD) and, with
 * --python-preload a,b,c, one zygote per prefix of that list ("a", "a,b",
 * "a,b,c"; at most MAX_PRELOAD_KINDS, the last one always holding the whole
 * list): a run goes to the smallest one that holds every preloaded module
 * its source names (want_kind), because what a run costs grows with the
 * size of the interpreter it is forked from (a numpy program forked from a
 * numpy zygote costs less than from a numpy+pandas one). Each zygote goes
 * STARTING -> READY, and on death (its pidfd turns readable) to WAITING,
 * from which a timer starts a new one: at once if the dead one had been
 * ready (a program's run broke it, or it was killed), after 0.5 s, 1 s,
 * 2 s ... up to 60 s while zygotes keep dying before they are ready (a
 * broken preload, a missing library), so a bad configuration costs a line
 * in the log now and then and nothing else: runs stay cold meanwhile. What
 * a zygote prints (import warnings, tracebacks of failed preloads) goes to
 * the server's log. */
#define _GNU_SOURCE
#include "warmpool.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/linelog.h"
#include "../util/log.h"
#include "../util/strv.h"
#include "env.h"

#define MIN_BACKOFF_S 0.5 /* a zygote that dies before it is ready: first wait */
#define MAX_BACKOFF_S 60.0
#define MAX_PRELOAD_KINDS 3 /* zygotes per slot with preloads (besides the lean one) */

/* What the lean zygote imports ahead: the standard modules test programs
 * use most (HumanEval's `from typing import List`, math, re, collections
 * ...), light enough to keep its copy per run cheap. */
#define LEAN_PRELOAD                                                                               \
        "typing,math,re,collections,itertools,functools,heapq,bisect,string,json,random,"          \
        "datetime,fractions,decimal,hashlib,copy,operator,statistics,dataclasses,enum"

enum zstate { Z_WAITING, Z_STARTING, Z_READY };

struct zslot {
        unsigned slot, kind; /* kind 0: lean */
        char *preload;       /* what it imports ahead */
        enum zstate state;
        struct sbx_box box;
        bool have_box;
        struct event *ev_ctl, *ev_exit, *ev_log[2], *ev_retry;
        struct sbx_zygote_info info;
        double backoff_s;
        struct linelog log[2]; /* partial log lines */
};

static struct {
        struct event_base *base;
        const struct recipe *python;
        struct sbx_limits limits;
        char *preload; /* --python-preload */
        char **mods;   /* its module names */
        char **envp;
        unsigned nslots; /* sandbox slots */
        unsigned kinds;  /* zygotes per slot: lean, then one per preload prefix */
        struct zslot *slots;
        unsigned long long runs, fallbacks, deaths, threaded;
} pool;

static void start_zygote(struct zslot *z);

static void free_event(struct event **ev)
{
        if (*ev) {
                event_free(*ev);
                *ev = NULL;
        }
}

static void log_line(void *arg, const char *line)
{
        const struct zslot *z = arg;

        log_warn("warm python slot %u (%s): %s", z->slot, z->kind ? z->preload : "lean", line);
}

static void on_log(evutil_socket_t fd, short what, void *arg)
{
        struct zslot *z = arg;
        int k = z->box.out_fd[0][0] == fd ? 0 : 1;

        (void)what;
        if (linelog_drain(&z->log[k], fd, log_line, z) == 0)
                free_event(&z->ev_log[k]);
}

static void retire(struct zslot *z)
{
        free_event(&z->ev_ctl);
        free_event(&z->ev_exit);
        free_event(&z->ev_log[0]);
        free_event(&z->ev_log[1]);
        if (z->have_box) {
                sbx_kill(&z->box);
                while (waitid((idtype_t)P_PIDFD, (id_t)z->box.pidfd, NULL, WEXITED) < 0 &&
                       errno == EINTR)
                        ;
                sbx_release(&z->box);
                z->have_box = false;
        }
        z->log[0].len = z->log[1].len = 0;
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
        (void)fd;
        (void)what;
        start_zygote(arg);
}

static void schedule_restart(struct zslot *z, bool was_ready)
{
        struct timeval tv;
        double d = was_ready ? 0 : z->backoff_s;

        retire(z);
        z->state = Z_WAITING;
        z->backoff_s = was_ready
                           ? MIN_BACKOFF_S
                           : (z->backoff_s * 2 > MAX_BACKOFF_S ? MAX_BACKOFF_S : z->backoff_s * 2);
        tv.tv_sec = (time_t)d;
        tv.tv_usec = (suseconds_t)((d - (double)tv.tv_sec) * 1e6);
        if (!z->ev_retry)
                z->ev_retry = evtimer_new(pool.base, on_retry, z);
        if (!z->ev_retry || event_add(z->ev_retry, &tv) < 0)
                log_error("warm python slot %u: out of memory for the restart timer: its runs "
                          "stay cold",
                          z->slot);
}

static void on_exit_event(evutil_socket_t fd, short what, void *arg)
{
        struct zslot *z = arg;
        bool was_ready = z->state == Z_READY;

        (void)fd;
        (void)what;
        pool.deaths++;
        if (was_ready)
                log_warn("warm python slot %u: the zygote died; starting another", z->slot);
        else
                log_warn("warm python slot %u: the zygote died before it was ready; next try "
                         "in %.1f s",
                         z->slot, z->backoff_s);
        schedule_restart(z, was_ready);
}

static void on_ctl(evutil_socket_t fd, short what, void *arg)
{
        struct zslot *z = arg;
        struct err e = {0, ""};
        int rc;

        (void)fd;
        (void)what;
        if (z->state != Z_STARTING) {
                /* Nothing comes on this socket once ready: EOF means it died
                 * (the exit event follows). */
                free_event(&z->ev_ctl);
                return;
        }
        rc = sbx_zygote_ready(&z->box, &z->info, &e);
        if (rc == 0)
                return;
        free_event(&z->ev_ctl);
        if (rc < 0) {
                log_warn("warm python slot %u: %s", z->slot, e.msg);
                return; /* the exit event restarts it */
        }
        if (z->info.threads > 1) {
                /* A fork of a process with other threads may hand the run a
                 * lock held forever (BLAS pools: every run hung). Not
                 * served; tried again after the usual back-off. */
                pool.threaded++;
                log_warn("warm python slot %u (%s): the preloads left %u threads running in the "
                         "zygote; forking it is unsafe, so its runs stay cold (set the library's "
                         "thread count to 1, or preload less)",
                         z->slot, z->kind ? z->preload : "lean", z->info.threads);
                sbx_kill(&z->box); /* the exit event restarts it */
                return;
        }
        z->state = Z_READY;
        z->backoff_s = MIN_BACKOFF_S;
        /* Into its first run's cgroup (sandbox/warm.c). */
        if (sbx_zygote_park(&z->box, &pool.limits, &e) < 0)
                log_warn("warm python slot %u: %s", z->slot, e.msg);
        if (z->info.failed_preloads)
                log_warn("warm python slot %u: could not preload %s", z->slot, z->info.failed);
        log_info("warm python slot %u: ready (preloaded '%s', %llu MiB)", z->slot, z->preload,
                 (unsigned long long)(z->info.rss_kb / 1024));
}

static void start_zygote(struct zslot *z)
{
        struct sbx_spec spec;
        struct sbx_step dummy;
        struct err e = {0, ""};

        memset(&spec, 0, sizeof(spec));
        memset(&dummy, 0, sizeof(dummy));
        spec.steps = &dummy;
        spec.nsteps = 1;
        spec.envp = pool.envp;
        spec.binds = (const char *const *)pool.python->binds;
        spec.limits = pool.limits;
        spec.slot = z->slot;
        z->state = Z_STARTING;
        if (sbx_zygote_spawn(&spec, z->preload, &z->box, &e) < 0) {
                log_warn("warm python slot %u: %s", z->slot, e.msg);
                schedule_restart(z, false);
                return;
        }
        z->have_box = true;
        z->ev_ctl = event_new(pool.base, z->box.status_fd, EV_READ | EV_PERSIST, on_ctl, z);
        z->ev_exit = event_new(pool.base, z->box.pidfd, EV_READ, on_exit_event, z);
        for (int k = 0; k < 2; k++)
                z->ev_log[k] =
                    event_new(pool.base, z->box.out_fd[0][k], EV_READ | EV_PERSIST, on_log, z);
        if (!z->ev_ctl || !z->ev_exit || !z->ev_log[0] || !z->ev_log[1] ||
            event_add(z->ev_ctl, NULL) < 0 || event_add(z->ev_exit, NULL) < 0 ||
            event_add(z->ev_log[0], NULL) < 0 || event_add(z->ev_log[1], NULL) < 0) {
                /* retire() kills the zygote and frees what was made */
                log_warn("warm python slot %u: out of memory for the zygote's events", z->slot);
                schedule_restart(z, false);
        }
}

/* The first n preload modules, comma-separated. */
static char *preload_prefix(unsigned n)
{
        size_t len = 0;

        for (unsigned i = 0; i < n && pool.mods[i]; i++)
                len += strlen(pool.mods[i]) + (i ? 1 : 0);
        return strndup(pool.preload, len);
}

int warmpool_start(struct event_base *base, unsigned slots, const struct recipe *python,
                   const struct sbx_limits *limits, const char *preload, struct err *e)
{
        size_t nmods;

        pool.base = base;
        pool.python = python;
        pool.limits = *limits;
        pool.preload = strdup(preload ? preload : "");
        pool.mods = pool.preload ? strv_split(pool.preload, ',') : NULL;
        pool.envp = env_build(python->env, python->source_file);
        if (!pool.mods || !pool.envp)
                goto oom;
        nmods = strv_len(pool.mods);
        pool.kinds = 1 + (nmods < MAX_PRELOAD_KINDS ? nmods : MAX_PRELOAD_KINDS);
        pool.slots = calloc((size_t)slots * pool.kinds, sizeof(*pool.slots));
        if (!pool.slots)
                goto oom;
        pool.nslots = slots;
        for (unsigned i = 0; i < slots * pool.kinds; i++) {
                struct zslot *z = &pool.slots[i];
                z->slot = i / pool.kinds;
                z->kind = i % pool.kinds;
                z->preload = z->kind == 0                ? strdup(LEAN_PRELOAD)
                             : z->kind + 1 == pool.kinds ? strdup(pool.preload)
                                                         : preload_prefix(z->kind);
                z->backoff_s = MIN_BACKOFF_S;
                if (!z->preload)
                        goto oom;
        }
        for (unsigned i = 0; i < slots * pool.kinds; i++)
                start_zygote(&pool.slots[i]);
        return 0;
oom:
        warmpool_stop(); /* frees what was made; no zygote started yet */
        return err_set(e, ENOMEM, "warm python pool");
}

void warmpool_stop(void)
{
        for (unsigned i = 0; pool.slots && i < pool.nslots * pool.kinds; i++) {
                retire(&pool.slots[i]);
                free_event(&pool.slots[i].ev_retry);
                free(pool.slots[i].preload);
        }
        free(pool.slots);
        pool.slots = NULL;
        pool.nslots = 0;
        strv_free(pool.envp);
        pool.envp = NULL;
        free(pool.preload);
        pool.preload = NULL;
        strv_free(pool.mods);
        pool.mods = NULL;
}

/* The zygote kind for a program: the first one holding every preloaded
 * module the source names (by a plain substring match: naming one that is
 * not imported costs only a bigger copy), or the lean one, whose copy per
 * run is several times cheaper (17 MB resident against 29 MB with numpy
 * and 62 MB with numpy and pandas). Every kind gives the same results: a
 * module a zygote lacks is imported from disk as in a cold run. */
static unsigned want_kind(const char *code, size_t len)
{
        unsigned last = 0;

        for (unsigned i = 0; code && pool.mods[i]; i++)
                if (pool.mods[i][0] && memmem(code, len, pool.mods[i], strlen(pool.mods[i])))
                        last = i + 1;
        return last < pool.kinds ? last : pool.kinds - 1;
}

struct sbx_box *warmpool_get(unsigned slot, const struct recipe *r, const char *code, size_t len)
{
        unsigned want;
        struct zslot *zs;

        if (slot >= pool.nslots || r != pool.python)
                return NULL;
        want = want_kind(code, len);
        zs = &pool.slots[slot * pool.kinds];
        /* When that one is not ready, a bigger one (it holds the modules
         * too), else a smaller one: the results are the same. */
        for (unsigned k = want; k < pool.kinds; k++)
                if (zs[k].state == Z_READY)
                        return &zs[k].box;
        for (unsigned k = want; k-- > 0;)
                if (zs[k].state == Z_READY)
                        return &zs[k].box;
        return NULL;
}

void warmpool_broken(unsigned slot, pid_t zygote)
{
        for (unsigned k = 0; slot < pool.nslots && k < pool.kinds; k++) {
                struct zslot *z = &pool.slots[slot * pool.kinds + k];
                if (z->have_box && z->box.pid == zygote) {
                        log_warn("warm python slot %u: a run failed in the zygote; replacing it",
                                 slot);
                        sbx_kill(&z->box); /* the exit event restarts it */
                }
        }
}

void warmpool_count(bool fell_back)
{
        if (fell_back)
                pool.fallbacks++;
        else
                pool.runs++;
}

const char *warmpool_zygote_name(unsigned slot, pid_t zygote)
{
        for (unsigned k = 0; slot < pool.nslots && k < pool.kinds; k++) {
                const struct zslot *z = &pool.slots[slot * pool.kinds + k];
                if (z->have_box && z->box.pid == zygote)
                        return z->kind ? z->preload : "lean";
        }
        return NULL;
}

static unsigned ready_count(uint64_t *rss_kb)
{
        unsigned ready = 0;

        *rss_kb = 0;
        for (unsigned i = 0; i < pool.nslots * pool.kinds; i++)
                if (pool.slots[i].state == Z_READY) {
                        ready++;
                        *rss_kb += pool.slots[i].info.rss_kb;
                }
        return ready;
}

void warmpool_describe(char *out, size_t n)
{
        uint64_t rss;
        unsigned ready;

        if (!pool.nslots) {
                snprintf(out, n, "off");
                return;
        }
        ready = ready_count(&rss);
        snprintf(out, n, "ready=%u/%u preload=%s rss_mb=%llu", ready, pool.nslots * pool.kinds,
                 pool.preload, (unsigned long long)(rss / 1024));
}

void warmpool_metrics(struct buf *out)
{
        uint64_t rss;
        unsigned ready = ready_count(&rss);

        buf_appendf(out,
                    "# HELP codeexec_warm_python_ready Warm Python zygotes ready.\n"
                    "# TYPE codeexec_warm_python_ready gauge\ncodeexec_warm_python_ready %u\n"
                    "# HELP codeexec_warm_python_rss_bytes Resident memory of the ready "
                    "zygotes.\n"
                    "# TYPE codeexec_warm_python_rss_bytes gauge\n"
                    "codeexec_warm_python_rss_bytes %llu\n"
                    "# HELP codeexec_warm_python_runs_total Python runs started warm.\n"
                    "# TYPE codeexec_warm_python_runs_total counter\n"
                    "codeexec_warm_python_runs_total %llu\n"
                    "# HELP codeexec_warm_python_fallbacks_total Warm runs that failed in the "
                    "zygote and ran again cold.\n"
                    "# TYPE codeexec_warm_python_fallbacks_total counter\n"
                    "codeexec_warm_python_fallbacks_total %llu\n"
                    "# HELP codeexec_warm_python_restarts_total Zygotes that died.\n"
                    "# TYPE codeexec_warm_python_restarts_total counter\n"
                    "codeexec_warm_python_restarts_total %llu\n"
                    "# HELP codeexec_warm_python_threaded_total Zygotes refused because their "
                    "preloads left threads running (forking them is unsafe).\n"
                    "# TYPE codeexec_warm_python_threaded_total counter\n"
                    "codeexec_warm_python_threaded_total %llu\n",
                    ready, (unsigned long long)rss * 1024, pool.runs, pool.fallbacks, pool.deaths,
                    pool.threaded);
}
