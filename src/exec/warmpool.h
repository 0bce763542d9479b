/* warmpool: one warm Python zygote per slot, kept alive and refilled.
 *
 * The pool starts a zygote (sandbox/warm.c) for every slot in the
 * background; a run of the Python recipe that fits the zygote (one step, one
 * file, no arguments) takes its slot's zygote if that one is ready,
 * and otherwise runs cold. A zygote that dies is replaced, with a growing
 * delay if it keeps dying before it is ready. */
#ifndef CODEEXEC_WARMPOOL_H
#define CODEEXEC_WARMPOOL_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

#include "../lang/recipe.h"
#include "../sandbox/sandbox.h"
#include "../util/buf.h"

/* Starts the zygotes for `slots` slots; python is the recipe they serve,
 * limits the defaults a run must have to use them. */
int warmpool_start(struct event_base *base, unsigned slots, const struct recipe *python,
                   const struct sbx_limits *limits, const char *preload, struct err *e);
/* Kills the zygotes (at shutdown). */
void warmpool_stop(void);

/* The ready zygote of `slot` for a run of recipe r with these limits, or
 * NULL: run cold. */
struct sbx_box *warmpool_get(unsigned slot, const struct recipe *r,
                             const struct sbx_limits *limits);
/* A warm run of `slot` failed for a reason that was not the program's:
 * replace that zygote. */
void warmpool_broken(unsigned slot);
/* Counts a run: warm, or re-run cold after a warm failure. */
void warmpool_count(bool fell_back);

/* "off" or "ready=R/N preload=... rss_mb=M", for /health. */
void warmpool_describe(char *out, size_t n);
/* Prometheus lines for /metrics. */
void warmpool_metrics(struct buf *out);

#endif
