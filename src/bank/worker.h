/* worker: blocking work (writing and fsync'ing files) off the event loop.
 *
 * Items run one at a time, in submission order: prepare() on the loop just
 * before the item starts (it may decide the item has nothing to do), work()
 * on a short-lived thread, done() back on the loop when work() returned.
 * Because the next item is prepared only after the previous one is done,
 * an item sees the effects of every earlier item, and work() may read
 * loop-owned data that prepare() pinned: the loop only reads it meanwhile. */
#ifndef CODEEXEC_BANK_WORKER_H
#define CODEEXEC_BANK_WORKER_H

#include "../util/err.h"

struct event_base;

struct worker_item {
        void (*prepare)(struct worker_item *it); /* loop thread; may be NULL */
        void (*work)(struct worker_item *it);    /* worker thread */
        void (*done)(struct worker_item *it);    /* loop thread; may free it */
        struct worker_item *next;
        int skip_work; /* set by prepare to go straight to done */
};

/* Queues it (the loop of base runs prepare/done). Fails only when the
 * worker cannot be set up (e says why); it is then not queued. */
int worker_submit(struct event_base *base, struct worker_item *it, struct err *e);

#endif
