/* bulk: memory for large data that the server keeps and its children must
 * not copy (judge problems' tests, inline or stored, and test banks).
 *
 * Every box the server clones itself (a zygote's: two per judge) starts as
 * a copy of the server's memory, and copying it costs in proportion to
 * what the server has written: with 60 MB of stored problems on the heap a
 * 100-test judge took 7% longer than with none. Bulk memory is mapped
 * apart and marked MADV_DONTFORK: a clone gets none of it, for free, and
 * no box's PID 1 could read it even in principle. Nothing a clone runs may
 * touch it (a judge test's stdin reaches a box as the job's own copy, or a
 * memfd). Chunks grow from 64 KiB to 4 MiB (a larger string gets one of
 * its own), so a problem takes a few mappings; should a mapping fail, the
 * chunk comes from malloc instead. Not thread-safe: one thread builds a
 * bulk, any thread may free it afterwards. */
#ifndef CODEEXEC_BULK_H
#define CODEEXEC_BULK_H

#include <stddef.h>

struct bulk_chunk;

struct bulk {
        struct bulk_chunk *head; /* the newest chunk, where copies go */
        size_t next_size;        /* the size of the next chunk */
};

/* A NUL-terminated copy of data[0..len) that lives until bulk_free; NULL
 * when out of memory. A zeroed struct bulk is empty and ready. */
char *bulk_copy(struct bulk *b, const char *data, size_t len);
/* Frees every copy; the bulk is empty again. */
void bulk_free(struct bulk *b);
/* Moves every copy of src into dst (they live until bulk_free(dst)); src
 * is empty again. */
void bulk_take(struct bulk *dst, struct bulk *src);

#endif
