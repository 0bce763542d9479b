/* buf: a growable byte buffer with an optional cap.
 *
 * Used for program output (drained as it arrives, prefix kept up to the cap,
 * the rest counted and dropped) and for building replies. Data is always
 * NUL-terminated for convenience but may contain NULs. */
#ifndef CODEEXEC_BUF_H
#define CODEEXEC_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct buf {
        char *data;
        size_t len;
        size_t cap;     /* allocated bytes (excluding the trailing NUL) */
        size_t limit;   /* 0 = unlimited; otherwise bytes kept at most */
        size_t dropped; /* bytes offered beyond limit */
};

void buf_init(struct buf *b, size_t limit);
void buf_free(struct buf *b);
/* buf_append's general case: the limit, and growing. */
int buf_append_grow(struct buf *b, const void *p, size_t n);
/* Appends up to the limit; returns -1 only on allocation failure. Inline
 * for the common case, an unlimited buffer with the room already there
 * (a reply's text is built from many short pieces). */
static inline int buf_append(struct buf *b, const void *p, size_t n)
{
        if (!b->limit && b->data && n && b->len + n <= b->cap) {
                memcpy(b->data + b->len, p, n);
                b->len += n;
                b->data[b->len] = '\0';
                return 0;
        }
        return buf_append_grow(b, p, n);
}
/* Makes room for extra more bytes (and the NUL) without appending; -1 on
 * allocation failure. The limit is not applied here. */
int buf_reserve(struct buf *b, size_t extra);
/* Appends a NUL-terminated string. */
int buf_puts(struct buf *b, const char *s);
int buf_appendf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline bool buf_truncated(const struct buf *b)
{
        return b->dropped > 0;
}

#endif
