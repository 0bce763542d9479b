/* execpool: judge mode's exec zygotes (sandbox.h sbx_execzygote_spawn),
 * at most one per judged program and slot.
 *
 * A job that names a zygote key (job->zygote_key: the judge's program) runs
 * in the exec zygote of its slot for that key, which its first such job
 * starts; the judge forgets the key when it ends, and its zygotes are
 * killed. A zygote that dies (or a run that fails in it for a reason not the
 * program's) is not replaced: the rest of that judge's tests on that slot
 * run cold, exactly as they would without zygotes. The pool holds at most
 * eight zygotes per slot (execpool.c); a job finding its slot full runs
 * cold. */
#ifndef CODEEXEC_EXECPOOL_H
#define CODEEXEC_EXECPOOL_H

#include <event2/event.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../sandbox/sandbox.h"
#include "../util/buf.h"

/* Serves `slots` slots; off (every job cold) until called, or when the
 * exec zygote binary is missing. */
void execpool_start(struct event_base *base, unsigned slots);
/* Kills every zygote (at shutdown). */
void execpool_stop(void);

/* The zygote of `slot` for key, started now from spec (the run's, see
 * sbx_execzygote_spawn) if there is none; NULL: run cold. */
struct sbx_box *execpool_get(const void *key, unsigned slot, const struct sbx_spec *spec);
/* A run in zygote `zygote` (its pid) of `slot` failed for a reason that
 * was not the program's: that zygote serves no more runs. */
void execpool_broken(unsigned slot, pid_t zygote);
/* The program behind key is judged: its zygotes end. */
void execpool_forget(const void *key);
/* Counts a run: in a zygote, or re-run cold after a failure there. */
void execpool_count(bool fell_back);

/* Prometheus lines for /metrics. */
void execpool_metrics(struct buf *out);

#endif
