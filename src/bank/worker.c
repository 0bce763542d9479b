/* worker: one-at-a-time background items (see worker.h).
 *
 * Theory of operation. A FIFO of items lives on the loop thread. When the
 * worker is idle and the FIFO is not empty, the head is prepared and, unless
 * it skips its work, a detached thread runs work() and then writes to an
 * eventfd that the loop watches; the loop's callback calls done() and
 * starts the next item. There is never more than one thread, so items need
 * no locking among themselves; the hand-over is the eventfd write/read plus
 * release/acquire on `finished`. If a thread cannot be created, work() runs
 * on the loop instead (slower, still correct). */
#define _GNU_SOURCE
#include "worker.h"

#include <errno.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../util/log.h"

static struct event_base *loop;
static struct event *ev_done;
static int efd = -1;
static struct worker_item *head, *tail, *running;
static int finished;

static void start_next(void);

static void *thread_main(void *arg)
{
        struct worker_item *it = arg;
        uint64_t one = 1;

        it->work(it);
        __atomic_store_n(&finished, 1, __ATOMIC_RELEASE);
        while (write(efd, &one, sizeof(one)) < 0 && errno == EINTR)
                ;
        return NULL;
}

static void finish_running(void)
{
        struct worker_item *it = running;

        running = NULL;
        it->done(it);
        start_next();
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
        uint64_t n;

        (void)what;
        (void)arg;
        if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
                log_warn("worker: eventfd read: %d", errno);
        if (running && __atomic_load_n(&finished, __ATOMIC_ACQUIRE))
                finish_running();
}

static void start_next(void)
{
        pthread_t t;
        pthread_attr_t attr;
        int rc;

        while (!running && head) {
                struct worker_item *it = head;
                head = it->next;
                if (!head)
                        tail = NULL;
                it->next = NULL;
                it->skip_work = 0;
                if (it->prepare)
                        it->prepare(it);
                running = it;
                if (it->skip_work) {
                        finish_running();
                        return;
                }
                __atomic_store_n(&finished, 0, __ATOMIC_RELEASE);
                pthread_attr_init(&attr);
                pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                rc = pthread_create(&t, &attr, thread_main, it);
                pthread_attr_destroy(&attr);
                if (rc != 0) {
                        log_warn("worker: no thread (%d): running on the loop", rc);
                        it->work(it);
                        finish_running();
                        return;
                }
        }
}

static int setup(struct event_base *base, struct err *e)
{
        if (loop)
                return 0;
        efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (efd < 0)
                return err_set(e, errno, "eventfd");
        ev_done = event_new(base, efd, EV_READ | EV_PERSIST, on_done, NULL);
        if (!ev_done || event_add(ev_done, NULL) < 0) {
                close(efd);
                efd = -1;
                return err_set(e, ENOMEM, "worker event");
        }
        loop = base;
        return 0;
}

/* See worker.h. */
int worker_submit(struct event_base *base, struct worker_item *it, struct err *e)
{
        if (setup(base, e) < 0)
                return -1;
        it->next = NULL;
        if (tail)
                tail->next = it;
        else
                head = it;
        tail = it;
        start_next();
        return 0;
}
