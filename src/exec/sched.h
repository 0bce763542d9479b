/* sched: admission control — at most max_running boxes at once, a FIFO
 * queue of at most max_queue jobs behind them.
 *
 * Queue time never counts against a run's limits: a job's clocks start when
 * its box starts. Each running job holds a slot (0..max_running-1), which
 * selects the box's host uid, so two boxes never share a uid.
 *
 * The scheduler knows jobs only as queue entries: it starts them through the
 * callback given to sched_init() (job_start in the server) and hears of
 * their end from sched_job_finished(), so it depends on nothing above it. */
#ifndef CODEEXEC_SCHED_H
#define CODEEXEC_SCHED_H

#include <stddef.h>

#include "job.h"

struct event_base;

/* Starts job in slot (0 .. max_running-1), from an event callback. */
typedef void (*sched_start_fn)(struct job *job, struct event_base *base, unsigned slot);

/* Returns -1 when out of memory. */
int sched_init(struct event_base *base, unsigned max_running, size_t max_queue,
               sched_start_fn start);
/* Queues job (or starts it at once). Returns -1 when the queue is full: the
 * caller still owns the job. */
int sched_submit(struct job *job);
/* Queues a job that runs only when no other job waits (one at a time, not
 * counted against --max-queue): start-up housekeeping such as version
 * probes. */
void sched_submit_background(struct job *job);
/* A started job's box is gone: slot is free again. */
void sched_job_finished(struct job *job, unsigned slot);
/* Called by job.c when a queued job is cancelled. */
void sched_remove_queued(struct job *job);

size_t sched_running(void);              /* request runs in boxes now */
size_t sched_background_running(void);   /* background jobs in boxes now */
uint64_t sched_background_started(void); /* background jobs started since start-up */
size_t sched_queued(void);
unsigned sched_max_running(void);
size_t sched_max_queue(void);

#endif
