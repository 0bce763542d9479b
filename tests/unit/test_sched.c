/* Unit tests: the admission scheduler (exec/sched.c) with a recording start
 * callback instead of real boxes: FIFO order, slots reused and never shared,
 * capacity = slots + queue, cancellation of queued jobs, and background jobs
 * that run only when nothing waits, one at a time. */
#include <criterion/criterion.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "exec/sched.h"

#define NJOBS 8

static struct event_base *base;
static struct job jobs[NJOBS], bg[2];
static struct job *started[NJOBS + 2];
static unsigned started_slot[NJOBS + 2];
static size_t nstarted;

static void record_start(struct job *job, struct event_base *b, unsigned slot)
{
        cr_assert_eq(b, base);
        cr_assert_lt(nstarted, NJOBS + 2);
        started[nstarted] = job;
        started_slot[nstarted++] = slot;
}

/* Runs the callbacks the scheduler queued (it never starts from inside the
 * caller's own call). */
static void pump(void)
{
        event_base_loop(base, EVLOOP_NONBLOCK);
}

static void setup(unsigned running, size_t queue)
{
        memset(jobs, 0, sizeof(jobs));
        memset(bg, 0, sizeof(bg));
        nstarted = 0;
        for (size_t i = 0; i < NJOBS; i++)
                jobs[i].id = i + 1;
        base = event_base_new();
        cr_assert_not_null(base);
        cr_assert_eq(sched_init(base, running, queue, record_start), 0);
}

Test(sched, starts_in_fifo_order_and_reuses_freed_slots)
{
        setup(2, 10);
        for (size_t i = 0; i < 5; i++)
                cr_assert_eq(sched_submit(&jobs[i]), 0);
        cr_assert_eq(nstarted, 0, "nothing starts inside sched_submit()");
        pump();
        cr_assert_eq(nstarted, 2);
        cr_assert_eq(started[0], &jobs[0]);
        cr_assert_eq(started[1], &jobs[1]);
        cr_assert_neq(started_slot[0], started_slot[1]);
        cr_assert_eq(sched_running(), 2);
        cr_assert_eq(sched_queued(), 3);

        sched_job_finished(&jobs[1], started_slot[1]);
        pump();
        cr_assert_eq(nstarted, 3);
        cr_assert_eq(started[2], &jobs[2]);
        cr_assert_eq(started_slot[2], started_slot[1], "the freed slot is the only free one");
        cr_assert_eq(sched_running(), 2);
        cr_assert_eq(sched_queued(), 2);
}

Test(sched, capacity_is_slots_plus_queue)
{
        setup(2, 3);
        for (size_t i = 0; i < 5; i++)
                cr_assert_eq(sched_submit(&jobs[i]), 0);
        cr_assert_eq(sched_submit(&jobs[5]), -1, "full before the pump ran");
        pump();
        cr_assert_eq(sched_submit(&jobs[5]), -1, "full after it");
        sched_job_finished(&jobs[0], started_slot[0]);
        cr_assert_eq(sched_submit(&jobs[5]), 0);
        pump();
        cr_assert_eq(sched_queued(), 3);
        cr_assert_eq(sched_max_queue(), 3);
        cr_assert_eq(sched_max_running(), 2);
}

Test(sched, a_cancelled_queued_job_never_starts)
{
        setup(1, 10);
        for (size_t i = 0; i < 4; i++)
                cr_assert_eq(sched_submit(&jobs[i]), 0);
        pump();
        sched_remove_queued(&jobs[3]); /* the tail */
        sched_remove_queued(&jobs[1]); /* the head */
        cr_assert_eq(sched_queued(), 1);
        sched_job_finished(&jobs[0], started_slot[0]);
        pump();
        cr_assert_eq(nstarted, 2);
        cr_assert_eq(started[1], &jobs[2]);
        sched_job_finished(&jobs[2], started_slot[1]);
        pump();
        cr_assert_eq(nstarted, 2, "the removed tail must not come back");
        /* a job appended after the tail was removed is still found */
        cr_assert_eq(sched_submit(&jobs[4]), 0);
        pump();
        cr_assert_eq(started[2], &jobs[4]);
}

Test(sched, background_jobs_wait_for_an_idle_queue_one_at_a_time)
{
        setup(2, 10);
        cr_assert_eq(sched_submit(&jobs[0]), 0);
        cr_assert_eq(sched_submit(&jobs[1]), 0);
        cr_assert_eq(sched_submit(&jobs[2]), 0);
        sched_submit_background(&bg[0]);
        sched_submit_background(&bg[1]);
        pump();
        cr_assert_eq(nstarted, 2, "requests first; the background waits behind the queue");
        sched_job_finished(&jobs[0], started_slot[0]);
        pump();
        cr_assert_eq(started[2], &jobs[2]);
        sched_job_finished(&jobs[1], started_slot[1]);
        pump();
        cr_assert_eq(nstarted, 4);
        cr_assert_eq(started[3], &bg[0]);
        cr_assert(bg[0].background);
        cr_assert_eq(sched_background_running(), 1);
        cr_assert_eq(sched_running(), 1, "background jobs are not counted as requests");
        sched_job_finished(&jobs[2], started_slot[2]);
        pump();
        cr_assert_eq(nstarted, 4, "one background job at a time");
        sched_job_finished(&bg[0], started_slot[3]);
        pump();
        cr_assert_eq(nstarted, 5);
        cr_assert_eq(started[4], &bg[1]);
}
