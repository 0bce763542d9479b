/* sched: admission control — at most max_running boxes at once, a FIFO
 * queue of at most max_queue jobs behind them.
 *
 * Queue time never counts against a run's limits: a job's clocks start when
 * its box starts. Each running job holds a slot (0..max_running-1), which
 * selects the box's host uid, so two boxes never share a uid. */
#ifndef CODEEXEC_SCHED_H
#define CODEEXEC_SCHED_H

#include <stddef.h>

#include "job.h"

struct event_base;

void sched_init(struct event_base *base, unsigned max_running, size_t max_queue);
/* Queues job (or starts it at once). Returns -1 when the queue is full: the
 * caller still owns the job. */
int sched_submit(struct job *job);
/* Queues a job that runs only when no other job waits (one at a time, not
 * counted against --max-queue): start-up housekeeping such as version
 * probes. */
void sched_submit_background(struct job *job);
/* Called by job.c when a started job's box is gone. */
void sched_job_finished(struct job *job);
/* Called by job.c when a queued job is cancelled. */
void sched_remove_queued(struct job *job);

size_t sched_running(void);            /* request runs in boxes now */
size_t sched_background_running(void); /* background jobs in boxes now */
size_t sched_queued(void);
unsigned sched_max_running(void);
size_t sched_max_queue(void);

#endif
