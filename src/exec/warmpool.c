/* warmpool: warm zygotes, a few kinds per slot (see warmpool.h).
 *
 * Theory of operation. For Python, each slot has a lean zygote (LEAN_PRELOAD) and, with
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
 * the server's log. For Racket, each slot has one zygote (racket and
 * rackunit loaded, rktzygote/), started with the server's first Racket run
 * (which runs cold): it holds about 130 MB and its start takes a few
 * seconds of CPU, which a server that never sees Racket should not pay.
 * R's (rzygote/: R started up to the first line of its program) and
 * OCaml's (mlzygote/: the toplevel started up to its script) and PHP's
 * (phpzygote/: php started up to its script) likewise start with their
 * runtime's first run, and Coq's (coqzygote/: coqc past the Require lines
 * MultiPL-E's programs start with) with the first run whose program
 * starts with those lines; no other Coq program runs warm. Octave's
 * (octzygote/: octave-cli started up to its script) starts with the first
 * Octave run.
 *
 * A zygote holds its toolchain as it was when it started. When a package
 * upgrade replaces one of the executables or libraries it mapped, its runs
 * would be the old toolchain's while cold runs are the new one's: once a
 * second the pool looks at the next ready zygote's mappings
 * (sbx_zygote_replaced) and marks one that maps a replaced file stale. A
 * stale zygote is never handed out again; the next time its slot starts a
 * run, which is when none of the slot's zygotes can be serving one, it is
 * ended and started again from the new files. */
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

#include "../sandbox/warm-proto.h"
#include "../util/linelog.h"
#include "../util/log.h"
#include "../util/strv.h"
#include "env.h"

#define MIN_BACKOFF_S 0.5 /* a zygote that dies before it is ready: first wait */
#define MAX_BACKOFF_S 60.0
#define MAX_PRELOAD_KINDS 3 /* zygotes per slot with preloads (besides the lean one) */
#define STALE_CHECK_S 1     /* one ready zygote's mappings looked at this often */

/* What the lean zygote imports ahead: the standard modules test programs
 * use most (HumanEval's `from typing import List`, math, re, collections
 * ...), light enough to keep its copy per run cheap. */
#define LEAN_PRELOAD                                                                               \
        "typing,math,re,collections,itertools,functools,heapq,bisect,string,json,random,"          \
        "datetime,fractions,decimal,hashlib,copy,operator,statistics,dataclasses,enum"

enum zstate { Z_IDLE, Z_WAITING, Z_STARTING, Z_READY }; /* Z_IDLE: not started yet */

struct zslot {
        unsigned slot, kind; /* its index among the slot's zygotes */
        enum sbx_warm_runtime rt;
        char *preload; /* what it imports ahead (Python; lean: kind 0) */
        enum zstate state;
        struct sbx_box box;
        bool have_box;
        struct event *ev_ctl, *ev_exit, *ev_log[2], *ev_retry;
        struct sbx_zygote_info info;
        bool stale; /* maps a file replaced on disk: started again at the next chance */
        double backoff_s;
        struct linelog log[2]; /* partial log lines */
};

/* One runtime's zygotes. */
struct runtime {
        const struct recipe *recipe; /* NULL: off */
        struct sbx_limits limits;
        char **envp;
        unsigned first, nkinds; /* its zygotes among a slot's */
        unsigned long long runs, fallbacks, deaths, threaded, replaced;
};

static struct {
        struct event_base *base;
        struct runtime rt[SBX_WARM_RUNTIMES];
        char *preload;   /* --python-preload */
        char **mods;     /* its module names */
        unsigned nslots; /* sandbox slots */
        unsigned kinds;  /* zygotes per slot: Python's lean one, one per preload
                            prefix, then Racket's */
        struct zslot *slots;
        struct event *ev_check; /* STALE_CHECK_S */
        unsigned next_check;    /* the zygote it looks at next */
} pool;

static const char *zygote_name(const struct zslot *z)
{
        if (z->rt != SBX_WARM_PYTHON)
                return sbx_warm_runtime_name(z->rt);
        return z->kind ? z->preload : "lean";
}

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

        log_warn("warm %s slot %u (%s): %s", sbx_warm_runtime_name(z->rt), z->slot, zygote_name(z),
                 line);
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
                log_error("warm %s slot %u: out of memory for the restart timer: its runs "
                          "stay cold",
                          sbx_warm_runtime_name(z->rt), z->slot);
}

static void on_exit_event(evutil_socket_t fd, short what, void *arg)
{
        struct zslot *z = arg;
        bool was_ready = z->state == Z_READY;

        (void)fd;
        (void)what;
        pool.rt[z->rt].deaths++;
        if (was_ready)
                log_warn("warm %s slot %u: the zygote died; starting another",
                         sbx_warm_runtime_name(z->rt), z->slot);
        else
                log_warn("warm %s slot %u: the zygote died before it was ready; next try "
                         "in %.1f s",
                         sbx_warm_runtime_name(z->rt), z->slot, z->backoff_s);
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
                log_warn("warm %s slot %u: %s", sbx_warm_runtime_name(z->rt), z->slot, e.msg);
                return; /* the exit event restarts it */
        }
        if (z->info.threads > 1) {
                /* A fork of a process with other threads may hand the run a
                 * lock held forever (BLAS pools: every run hung). Not
                 * served; tried again after the usual back-off. */
                pool.rt[z->rt].threaded++;
                log_warn("warm %s slot %u (%s): the preloads left %u threads running in the "
                         "zygote; forking it is unsafe, so its runs stay cold (set the library's "
                         "thread count to 1, or preload less)",
                         sbx_warm_runtime_name(z->rt), z->slot, zygote_name(z), z->info.threads);
                sbx_kill(&z->box); /* the exit event restarts it */
                return;
        }
        z->state = Z_READY;
        z->backoff_s = MIN_BACKOFF_S;
        /* Into its first run's cgroup (sandbox/warm.c). */
        if (sbx_zygote_park(&z->box, &pool.rt[z->rt].limits, &e) < 0)
                log_warn("warm %s slot %u: %s", sbx_warm_runtime_name(z->rt), z->slot, e.msg);
        if (z->info.failed_preloads)
                log_warn("warm %s slot %u: could not preload %s", sbx_warm_runtime_name(z->rt),
                         z->slot, z->info.failed);
        log_info("warm %s slot %u: ready (preloaded '%s', %llu MiB)", sbx_warm_runtime_name(z->rt),
                 z->slot, z->preload, (unsigned long long)(z->info.rss_kb / 1024));
}

static void start_zygote(struct zslot *z)
{
        struct sbx_spec spec;
        struct sbx_step dummy;
        struct err e = {0, ""};
        const struct runtime *rt = &pool.rt[z->rt];

        memset(&spec, 0, sizeof(spec));
        memset(&dummy, 0, sizeof(dummy));
        spec.steps = &dummy;
        spec.nsteps = 1;
        spec.envp = rt->envp;
        spec.binds = (const char *const *)rt->recipe->binds;
        spec.limits = rt->limits;
        spec.slot = z->slot;
        z->state = Z_STARTING;
        z->stale = false;
        if (sbx_zygote_spawn(&spec, z->rt, z->preload, &z->box, &e) < 0) {
                log_warn("warm %s slot %u: %s", sbx_warm_runtime_name(z->rt), z->slot, e.msg);
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
                log_warn("warm %s slot %u: out of memory for the zygote's events",
                         sbx_warm_runtime_name(z->rt), z->slot);
                schedule_restart(z, false);
        }
}

/* Looks at the next ready zygote, round the pool: one that maps a file
 * replaced on disk becomes stale. */
static void on_check(evutil_socket_t fd, short what, void *arg)
{
        unsigned n = pool.nslots * pool.kinds;

        (void)fd;
        (void)what;
        (void)arg;
        for (unsigned tried = 0; tried < n; tried++) {
                struct zslot *z = &pool.slots[pool.next_check];
                char file[256];

                pool.next_check = (pool.next_check + 1) % n;
                if (z->state != Z_READY || z->stale)
                        continue;
                if (sbx_zygote_replaced(&z->box, z->rt, file, sizeof(file)) == 1) {
                        z->stale = true;
                        pool.rt[z->rt].replaced++;
                        log_info("warm %s slot %u (%s): %s was replaced on disk since the zygote "
                                 "started; it starts again when its slot is next free, and "
                                 "serves no run until then",
                                 sbx_warm_runtime_name(z->rt), z->slot, zygote_name(z), file);
                }
                return;
        }
}

/* Ends the slot's stale zygotes and starts them again: called as the slot
 * starts a run, when none of its zygotes is serving one. */
static void restart_stale(unsigned slot)
{
        for (unsigned k = 0; k < pool.kinds; k++) {
                struct zslot *z = &pool.slots[slot * pool.kinds + k];
                if (z->stale && z->state == Z_READY) {
                        log_info("warm %s slot %u (%s): starting it again from the files on disk",
                                 sbx_warm_runtime_name(z->rt), z->slot, zygote_name(z));
                        schedule_restart(z, true);
                }
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

/* Sets runtime rt up: its recipe's environment, its limits, its kinds. */
static int add_runtime(enum sbx_warm_runtime rt, const struct warmpool_runtime *w, unsigned nkinds)
{
        struct runtime *r = &pool.rt[rt];

        if (!w->recipe)
                return 0;
        r->recipe = w->recipe;
        r->limits = w->limits;
        r->envp = env_build(w->recipe->env, w->recipe->source_file);
        r->first = pool.kinds;
        r->nkinds = nkinds;
        pool.kinds += nkinds;
        return r->envp ? 0 : -1;
}

/* What a lazily started runtime's zygote holds ahead (its name in logs). */
static const char *const lazy_preload[SBX_WARM_RUNTIMES] = {
    [SBX_WARM_RACKET] = "racket,rackunit",
    [SBX_WARM_R] = "R's start-up: base and default packages",
    [SBX_WARM_OCAML] = "the toplevel's start-up: its bytecode, Stdlib's interface",
    [SBX_WARM_PHP] = "PHP's start-up: its extensions and php.ini",
    [SBX_WARM_COQ] = "ZArith, Reals, Coq.Strings.String",
    [SBX_WARM_OCTAVE] = "Octave's start-up: its interpreter and load path",
};

int warmpool_start(struct event_base *base, unsigned slots,
                   const struct warmpool_runtime rts[SBX_WARM_RUNTIMES], const char *preload,
                   struct err *e)
{
        size_t nmods;

        pool.base = base;
        pool.preload = strdup(preload ? preload : "");
        pool.mods = pool.preload ? strv_split(pool.preload, ',') : NULL;
        if (!pool.mods)
                goto oom;
        nmods = strv_len(pool.mods);
        pool.kinds = 0;
        for (int rt = 0; rt < SBX_WARM_RUNTIMES; rt++)
                if (add_runtime((enum sbx_warm_runtime)rt, &rts[rt],
                                rt != SBX_WARM_PYTHON       ? 1
                                : nmods < MAX_PRELOAD_KINDS ? 1 + (unsigned)nmods
                                                            : 1 + MAX_PRELOAD_KINDS) < 0)
                        goto oom;
        if (!pool.kinds)
                return 0;
        pool.slots = calloc((size_t)slots * pool.kinds, sizeof(*pool.slots));
        if (!pool.slots)
                goto oom;
        pool.nslots = slots;
        for (unsigned i = 0; i < slots * pool.kinds; i++) {
                struct zslot *z = &pool.slots[i];
                z->slot = i / pool.kinds;
                z->kind = i % pool.kinds;
                z->backoff_s = MIN_BACKOFF_S;
                for (int rt = 0; rt < SBX_WARM_RUNTIMES; rt++) {
                        const struct runtime *r = &pool.rt[rt];
                        if (r->recipe && z->kind >= r->first && z->kind < r->first + r->nkinds)
                                z->rt = (enum sbx_warm_runtime)rt;
                }
                if (z->rt == SBX_WARM_PYTHON) {
                        unsigned k = z->kind - pool.rt[SBX_WARM_PYTHON].first;
                        z->preload = k == 0 ? strdup(LEAN_PRELOAD)
                                     : k + 1 == pool.rt[SBX_WARM_PYTHON].nkinds
                                         ? strdup(pool.preload)
                                         : preload_prefix(k);
                } else {
                        z->preload = strdup(lazy_preload[z->rt]);
                }
                if (!z->preload)
                        goto oom;
        }
        pool.ev_check = event_new(base, -1, EV_PERSIST, on_check, NULL);
        if (!pool.ev_check ||
            event_add(pool.ev_check, &(struct timeval){.tv_sec = STALE_CHECK_S}) < 0)
                goto oom;
        /* Python's start now; the others' with their runtime's first run. */
        for (unsigned i = 0; i < slots * pool.kinds; i++)
                if (pool.slots[i].rt == SBX_WARM_PYTHON)
                        start_zygote(&pool.slots[i]);
        return 0;
oom:
        warmpool_stop(); /* frees what was made; no zygote started yet */
        return err_set(e, ENOMEM, "warm pool");
}

void warmpool_stop(void)
{
        free_event(&pool.ev_check);
        for (unsigned i = 0; pool.slots && i < pool.nslots * pool.kinds; i++) {
                retire(&pool.slots[i]);
                free_event(&pool.slots[i].ev_retry);
                free(pool.slots[i].preload);
        }
        free(pool.slots);
        pool.slots = NULL;
        pool.nslots = 0;
        for (int rt = 0; rt < SBX_WARM_RUNTIMES; rt++) {
                strv_free(pool.rt[rt].envp);
                memset(&pool.rt[rt], 0, sizeof(pool.rt[rt]));
        }
        pool.kinds = 0;
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
        unsigned last = 0, kinds = pool.rt[SBX_WARM_PYTHON].nkinds;

        for (unsigned i = 0; code && pool.mods[i]; i++)
                if (pool.mods[i][0] && memmem(code, len, pool.mods[i], strlen(pool.mods[i])))
                        last = i + 1;
        return last < kinds ? last : kinds - 1;
}

/* A lazily started runtime's zygote of the slot (Racket's, R's, OCaml's),
 * started by the first run that wants it (every slot's then: the next runs
 * may land on any slot). */
static struct sbx_box *lazy_zygote(enum sbx_warm_runtime rt, unsigned slot)
{
        const struct runtime *r = &pool.rt[rt];
        struct zslot *z = &pool.slots[slot * pool.kinds + r->first];

        if (z->state == Z_IDLE)
                for (unsigned i = 0; i < pool.nslots; i++) {
                        struct zslot *other = &pool.slots[i * pool.kinds + r->first];
                        if (other->state == Z_IDLE)
                                start_zygote(other);
                }
        return z->state == Z_READY ? &z->box : NULL;
}

struct sbx_box *warmpool_get(unsigned slot, const struct recipe *r, const char *code, size_t len)
{
        unsigned want;
        struct zslot *zs;

        if (slot >= pool.nslots || !r)
                return NULL;
        restart_stale(slot);
        /* Coq's zygote has run the first lines of MultiPL-E's programs:
         * only a program that starts with them may go on from there (nor
         * does another start the zygotes). */
        if (r == pool.rt[SBX_WARM_COQ].recipe &&
            (len < sizeof(WARM_COQ_PREFIX) - 1 ||
             memcmp(code, WARM_COQ_PREFIX, sizeof(WARM_COQ_PREFIX) - 1) != 0))
                return NULL;
        for (int rt = 0; rt < SBX_WARM_RUNTIMES; rt++)
                if (rt != SBX_WARM_PYTHON && r == pool.rt[rt].recipe)
                        return lazy_zygote((enum sbx_warm_runtime)rt, slot);
        if (r != pool.rt[SBX_WARM_PYTHON].recipe)
                return NULL;
        want = want_kind(code, len);
        zs = &pool.slots[slot * pool.kinds + pool.rt[SBX_WARM_PYTHON].first];
        /* When that one is not ready, a bigger one (it holds the modules
         * too), else a smaller one: the results are the same. */
        for (unsigned k = want; k < pool.rt[SBX_WARM_PYTHON].nkinds; k++)
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
                        log_warn("warm %s slot %u: a run failed in the zygote; replacing it",
                                 sbx_warm_runtime_name(z->rt), slot);
                        sbx_kill(&z->box); /* the exit event restarts it */
                }
        }
}

void warmpool_count(const struct recipe *r, bool fell_back)
{
        for (int rt = 0; rt < SBX_WARM_RUNTIMES; rt++)
                if (r && r == pool.rt[rt].recipe) {
                        if (fell_back)
                                pool.rt[rt].fallbacks++;
                        else
                                pool.rt[rt].runs++;
                }
}

const char *warmpool_zygote_name(unsigned slot, pid_t zygote)
{
        for (unsigned k = 0; slot < pool.nslots && k < pool.kinds; k++) {
                const struct zslot *z = &pool.slots[slot * pool.kinds + k];
                if (z->have_box && z->box.pid == zygote)
                        return zygote_name(z);
        }
        return NULL;
}

/* Runtime rt's zygotes: how many are ready, their resident memory. */
static unsigned ready_count(enum sbx_warm_runtime rt, uint64_t *rss_kb)
{
        unsigned ready = 0;

        *rss_kb = 0;
        for (unsigned i = 0; i < pool.nslots * pool.kinds; i++)
                if (pool.slots[i].rt == rt && pool.slots[i].state == Z_READY) {
                        ready++;
                        *rss_kb += pool.slots[i].info.rss_kb;
                }
        return ready;
}

void warmpool_describe(enum sbx_warm_runtime rt, char *out, size_t n)
{
        const struct runtime *r = &pool.rt[rt];
        uint64_t rss;
        unsigned ready;

        if (!r->recipe) {
                snprintf(out, n, "off");
                return;
        }
        ready = ready_count(rt, &rss);
        if (rt == SBX_WARM_PYTHON)
                snprintf(out, n, "ready=%u/%u preload=%s rss_mb=%llu", ready,
                         pool.nslots * r->nkinds, pool.preload, (unsigned long long)(rss / 1024));
        else
                snprintf(out, n, "ready=%u/%u rss_mb=%llu", ready, pool.nslots * r->nkinds,
                         (unsigned long long)(rss / 1024));
}

static void runtime_metrics(struct buf *out, enum sbx_warm_runtime rt)
{
        const char *title = sbx_warm_runtime_title(rt);
        const struct runtime *r = &pool.rt[rt];
        uint64_t rss;
        unsigned ready = ready_count(rt, &rss);
        const char *n = sbx_warm_runtime_name(rt);

        buf_appendf(out,
                    "# HELP codeexec_warm_%s_ready Warm %s zygotes ready.\n"
                    "# TYPE codeexec_warm_%s_ready gauge\ncodeexec_warm_%s_ready %u\n"
                    "# HELP codeexec_warm_%s_rss_bytes Resident memory of the ready "
                    "zygotes.\n"
                    "# TYPE codeexec_warm_%s_rss_bytes gauge\n"
                    "codeexec_warm_%s_rss_bytes %llu\n"
                    "# HELP codeexec_warm_%s_runs_total %s runs started warm.\n"
                    "# TYPE codeexec_warm_%s_runs_total counter\n"
                    "codeexec_warm_%s_runs_total %llu\n"
                    "# HELP codeexec_warm_%s_fallbacks_total Warm runs that failed in the "
                    "zygote and ran again cold.\n"
                    "# TYPE codeexec_warm_%s_fallbacks_total counter\n"
                    "codeexec_warm_%s_fallbacks_total %llu\n"
                    "# HELP codeexec_warm_%s_restarts_total Zygotes that died.\n"
                    "# TYPE codeexec_warm_%s_restarts_total counter\n"
                    "codeexec_warm_%s_restarts_total %llu\n"
                    "# HELP codeexec_warm_%s_threaded_total Zygotes refused because their "
                    "preloads left threads running (forking them is unsafe).\n"
                    "# TYPE codeexec_warm_%s_threaded_total counter\n"
                    "codeexec_warm_%s_threaded_total %llu\n"
                    "# HELP codeexec_warm_%s_replaced_total Zygotes found mapping a file "
                    "replaced on disk (a toolchain upgrade), and so started again.\n"
                    "# TYPE codeexec_warm_%s_replaced_total counter\n"
                    "codeexec_warm_%s_replaced_total %llu\n",
                    n, title, n, n, ready, n, n, n, (unsigned long long)rss * 1024, n, title, n, n,
                    r->runs, n, n, n, r->fallbacks, n, n, n, r->deaths, n, n, n, r->threaded, n, n,
                    n, r->replaced);
}

void warmpool_metrics(struct buf *out)
{
        for (int rt = 0; rt < SBX_WARM_RUNTIMES; rt++)
                runtime_metrics(out, (enum sbx_warm_runtime)rt);
}
