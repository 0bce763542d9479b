/* bulk: chunks mapped apart from the heap, kept out of the server's
 * children (see bulk.h).
 *
 * Theory of operation. Each chunk starts with its header (the list link,
 * its size, what is used, how it was allocated); copies are bumped from
 * the newest one and never freed alone. A copy that does not fit the
 * newest chunk starts a new one of the next size, which doubles up to
 * CHUNK_MAX; the rest of the old chunk is left unused (its pages, never
 * touched, cost nothing). */
#define _GNU_SOURCE
#include "bulk.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHUNK_MIN (64u << 10)
#define CHUNK_MAX (4u << 20)

struct bulk_chunk {
        struct bulk_chunk *next;
        size_t size; /* of the whole chunk, header included */
        size_t used; /* header included */
        bool mapped; /* mmap'd (else malloc'd) */
};

static size_t round_up(size_t n, size_t to)
{
        return (n + to - 1) / to * to;
}

static struct bulk_chunk *new_chunk(size_t size)
{
        struct bulk_chunk *c = mmap(NULL, size, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        bool mapped = c != MAP_FAILED;

        if (mapped)
                (void)madvise(c, size, MADV_DONTFORK); /* without it, a clone copies it */
        else if (!(c = malloc(size)))
                return NULL;
        c->next = NULL;
        c->size = size;
        c->used = sizeof(*c);
        c->mapped = mapped;
        return c;
}

char *bulk_copy(struct bulk *b, const char *data, size_t len)
{
        size_t need = len + 1;
        char *s;

        if (len > SIZE_MAX - sizeof(struct bulk_chunk) - 1)
                return NULL;
        if (!b->head || b->head->size - b->head->used < need) {
                size_t page = (size_t)sysconf(_SC_PAGESIZE);
                size_t size = b->next_size ? b->next_size : CHUNK_MIN;
                struct bulk_chunk *c;

                if (size < need + sizeof(*c))
                        size = round_up(need + sizeof(*c), page);
                c = new_chunk(size);
                if (!c)
                        return NULL;
                c->next = b->head;
                b->head = c;
                b->next_size = size < CHUNK_MAX / 2 ? size * 2 : CHUNK_MAX;
        }
        s = (char *)b->head + b->head->used;
        b->head->used += need;
        if (len)
                memcpy(s, data, len);
        s[len] = '\0';
        return s;
}

void bulk_free(struct bulk *b)
{
        while (b->head) {
                struct bulk_chunk *c = b->head;
                b->head = c->next;
                if (c->mapped)
                        munmap(c, c->size);
                else
                        free(c);
        }
        b->next_size = 0;
}

void bulk_take(struct bulk *dst, struct bulk *src)
{
        struct bulk_chunk *last = src->head;

        if (!last)
                return;
        while (last->next)
                last = last->next;
        /* after dst's newest chunk, which stays the one copies go to */
        if (dst->head) {
                last->next = dst->head->next;
                dst->head->next = src->head;
        } else {
                dst->head = src->head;
                dst->next_size = src->next_size;
        }
        src->head = NULL;
        src->next_size = 0;
}
