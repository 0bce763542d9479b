/* problems: the stored judge problems of this server, and their persistence.
 *
 * A stored problem is a struct problem (problem.h) under a name: uploaded
 * once (PUT /v1/problems/NAME, POST .../tests to append), then judged
 * against by name, so a client never resends its tests. Names follow the
 * test banks' rules (banks_name_valid: NAME or ORG/NAME). Problems are kept
 * in the state directory as <state>/problems/NAME.jsonl (statefile.h) and
 * reloaded at start-up; docs/problems.md gives the file format. The sum of
 * the stored problems' bytes (problem->bytes) is capped (--problems-mb).
 *
 * Problems are immutable: a PUT or an append builds a new problem and swaps
 * it in; whoever holds a reference (problems_get) keeps the old one intact.
 * Everything here runs on the event-loop thread, except the building and
 * writing of a changed problem, which the worker thread does (worker.h). */
#ifndef CODEEXEC_BANK_PROBLEMS_H
#define CODEEXEC_BANK_PROBLEMS_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "problem.h"

struct event_base;

/* Error classes of the mutations (the HTTP status in brackets). */
enum problems_error {
        PROBLEMS_ENOTFOUND = -1, /* no such problem [404] */
        PROBLEMS_EFULL = -2,     /* the change would pass --problems-mb [507] */
        PROBLEMS_EIO = -3,       /* the state directory could not be written [500] */
};

/* Start-up (blocking): loads every problem persisted under
 * <state_dir>/problems. A damaged file fails with e naming file:line; the
 * server must not start then. cap_bytes bounds the total of later uploads
 * (problems already on disk load even past it, with a warning). */
int problems_init(const char *state_dir, uint64_t cap_bytes, struct err *e);

/* The stored problem name, as a new reference (the caller unrefs it), or
 * NULL when there is none. */
struct problem *problems_get(const char *name);

size_t problems_count(void);
/* Problem i in name order (i < problems_count()), borrowed: valid until the
 * loop next runs a mutation's completion. */
const struct problem *problems_at(size_t i);
/* The sum of the stored problems' bytes, and the cap on it. */
uint64_t problems_total_bytes(void);
uint64_t problems_cap_bytes(void);

/* Mutations. Each is queued and runs after the earlier ones (of the test
 * banks too): checked on the loop, built and written to the state directory
 * on the worker thread (temporary file, fsync, rename), then swapped in on
 * the loop; fn(rc, e, p, arg) reports the outcome on the loop thread. rc is
 * 0 or a problems_error, e meaningful when rc < 0; p is the problem now
 * stored (borrowed, for the reply) or NULL (failure, or a deletion). On any
 * failure the stored problem and its file are as they were. The calls
 * return -1 (fn not called) only when the operation could not be queued. */
typedef void (*problems_done_fn)(int rc, const struct err *e, const struct problem *p, void *arg);

/* Stores p (named, sealed, not shared) under p->name, replacing any problem
 * of that name. Takes over the caller's reference to p. */
int problems_put(struct event_base *base, struct problem *p, problems_done_fn fn, void *arg,
                 struct err *e);
/* Replaces problem name with a new one: its tests, then those of more (the
 * checker and limits stay). PROBLEMS_ENOTFOUND when there is none. Takes
 * over the caller's reference to more. */
int problems_append(struct event_base *base, const char *name, struct problem *more,
                    problems_done_fn fn, void *arg, struct err *e);
/* Removes problem name and its file. */
int problems_delete(struct event_base *base, const char *name, problems_done_fn fn, void *arg,
                    struct err *e);

#endif
