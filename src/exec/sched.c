/* sched: FIFO admission with a fixed number of slots (see sched.h).
 *
 * Theory of operation. A singly linked FIFO (head/tail) holds queued jobs; a
 * bitmap holds the free slots. sched_submit() starts the job at once when a
 * slot is free, otherwise appends it. When a running job finishes, its slot
 * is freed and the head of the queue is started from an event callback, so
 * that completion and start never nest inside each other's callbacks.
 * Background jobs (version probes) take a free slot only when nothing waits,
 * one at a time, and are not counted as running requests nor against the
 * queue's capacity. */
#include "sched.h"

#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>

#include "../util/log.h"

static struct event_base *sched_base;
static unsigned max_running;
static size_t max_queue;
static bool *slot_busy;
static size_t nrunning, nqueued;
static struct job *head, *tail;
static struct job *bg_head, *bg_tail; /* background queue */
static uint64_t bg_started;           /* background jobs started, ever */
static bool bg_running;
static struct event *ev_pump;
static sched_start_fn start_job;

static int take_slot(void)
{
        for (unsigned i = 0; i < max_running; i++)
                if (!slot_busy[i]) {
                        slot_busy[i] = true;
                        return (int)i;
                }
        return -1;
}

static void start_waiting(void)
{
        int slot;

        if (!head && bg_head && !bg_running && (slot = take_slot()) >= 0) {
                struct job *job = bg_head;
                bg_head = job->next;
                if (!bg_head)
                        bg_tail = NULL;
                job->next = NULL;
                job->background = true;
                bg_running = true;
                bg_started++;
                start_job(job, sched_base, (unsigned)slot);
        }
        while (head && (slot = take_slot()) >= 0) {
                struct job *job = head;
                head = job->next;
                if (!head)
                        tail = NULL;
                job->next = NULL;
                nqueued--;
                nrunning++;
                start_job(job, sched_base, (unsigned)slot);
        }
}

static void on_pump(evutil_socket_t fd, short what, void *arg)
{
        (void)fd;
        (void)what;
        (void)arg;
        start_waiting();
}

int sched_init(struct event_base *base, unsigned running, size_t queue, sched_start_fn start)
{
        sched_base = base;
        start_job = start;
        max_running = running ? running : 1;
        max_queue = queue;
        slot_busy = calloc(max_running, sizeof(*slot_busy));
        ev_pump = event_new(base, -1, 0, on_pump, NULL);
        return slot_busy && ev_pump ? 0 : -1;
}

/* Appends job to a FIFO given by its head and tail. */
static void append(struct job **qhead, struct job **qtail, struct job *job)
{
        job->state = JOB_QUEUED;
        job->next = NULL;
        if (*qtail)
                (*qtail)->next = job;
        else
                *qhead = job;
        *qtail = job;
}

int sched_submit(struct job *job)
{
        /* Jobs not yet started by the pump still count: capacity is the
         * slots plus the queue. */
        if (nrunning + nqueued >= max_running + max_queue)
                return -1;
        append(&head, &tail, job);
        nqueued++;
        /* Start from the loop, never inside the caller's handler. */
        event_active(ev_pump, 0, 0);
        return 0;
}

void sched_submit_background(struct job *job)
{
        append(&bg_head, &bg_tail, job);
        event_active(ev_pump, 0, 0);
}

void sched_job_finished(struct job *job, unsigned slot)
{
        slot_busy[slot] = false;
        if (job->background)
                bg_running = false;
        else
                nrunning--;
        event_active(ev_pump, 0, 0);
}

void sched_remove_queued(struct job *job)
{
        struct job **pp = &head, *prev = NULL;

        for (; *pp; prev = *pp, pp = &(*pp)->next) {
                if (*pp != job)
                        continue;
                *pp = job->next;
                if (tail == job)
                        tail = prev;
                nqueued--;
                return;
        }
        log_error("job %llu not in queue", (unsigned long long)job->id);
}

size_t sched_running(void)
{
        return nrunning;
}

size_t sched_background_running(void)
{
        return bg_running ? 1 : 0;
}

uint64_t sched_background_started(void)
{
        return bg_started;
}

size_t sched_queued(void)
{
        return nqueued;
}

unsigned sched_max_running(void)
{
        return max_running;
}

size_t sched_max_queue(void)
{
        return max_queue;
}
