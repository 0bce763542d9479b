/* warmpool: warm Python, Racket, R, OCaml and PHP zygotes per slot, kept alive and
 * refilled.
 *
 * The pool starts zygotes (sandbox/warm.c) for every slot in the
 * background: a lean one and, with preloads, one per prefix of the preload
 * list (numpy; numpy,pandas). A run of the
 * Python recipe that fits a zygote (one step, one file, no arguments) takes
 * one of its slot's that is ready, and otherwise runs cold. A zygote that
 * dies is replaced, with a growing delay if it keeps dying before it is
 * ready. A Racket run (one step, one file, no arguments) takes its slot's
 * warm Racket zygote the same way; those start with the first Racket
 * run; R's, OCaml's and PHP's likewise. */
#ifndef CODEEXEC_WARMPOOL_H
#define CODEEXEC_WARMPOOL_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

#include "../lang/recipe.h"
#include "../sandbox/sandbox.h"
#include "../util/buf.h"

/* A runtime's recipe (NULL: no warm runs for it) and the limits its
 * zygotes' boxes start with (each run sets its own). */
struct warmpool_runtime {
        const struct recipe *recipe;
        struct sbx_limits limits;
};

/* Starts the Python zygotes for `slots` slots (preload: --python-preload)
 * and gets the others (Racket's, R's, OCaml's, PHP's) ready to start: rts[rt] for each
 * runtime, its recipe NULL when it is off. */
int warmpool_start(struct event_base *base, unsigned slots,
                   const struct warmpool_runtime rts[SBX_WARM_RUNTIMES], const char *preload,
                   struct err *e);
/* Kills the zygotes (at shutdown). */
void warmpool_stop(void);

/* A ready zygote of `slot` for this program of recipe r (Python: the
 * smallest one holding the preloaded modules the code names, else the
 * lean one), or NULL: run cold. */
struct sbx_box *warmpool_get(unsigned slot, const struct recipe *r, const char *code, size_t len);
/* A warm run in the zygote `zygote` (its pid) of `slot` failed for a
 * reason that was not the program's: replace the zygote. */
void warmpool_broken(unsigned slot, pid_t zygote);
/* Counts a run of recipe r: warm, or re-run cold after a warm failure. */
void warmpool_count(const struct recipe *r, bool fell_back);
/* Which zygote of `slot` the pid `zygote` is: "lean", the preload list
 * it holds ("numpy", "numpy,pandas"), or the runtime's name ("racket", "r",
 * "ocaml", "php"); NULL if none. The string is the
 * pool's, valid until warmpool_stop(): copy it. */
const char *warmpool_zygote_name(unsigned slot, pid_t zygote);

/* "off", or "ready=R/N preload=... rss_mb=M" (Python), "ready=R/N
 * rss_mb=M" (the others), for /health. */
void warmpool_describe(enum sbx_warm_runtime rt, char *out, size_t n);
/* Prometheus lines for /metrics. */
void warmpool_metrics(struct buf *out);

#endif
