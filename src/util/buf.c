/* buf: growable byte buffer with a keep-the-prefix cap (see buf.h). */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t limit)
{
        memset(b, 0, sizeof(*b));
        b->limit = limit;
}

void buf_free(struct buf *b)
{
        free(b->data);
        b->data = NULL;
        b->len = b->cap = b->dropped = 0;
}

int buf_reserve(struct buf *b, size_t extra)
{
        size_t want = b->len + extra;
        size_t ncap;
        char *p;

        if (want <= b->cap && b->data)
                return 0;
        ncap = b->cap ? b->cap : 256;
        while (ncap < want)
                ncap *= 2;
        p = realloc(b->data, ncap + 1);
        if (!p)
                return -1;
        b->data = p;
        b->cap = ncap;
        return 0;
}

int buf_append_grow(struct buf *b, const void *p, size_t n)
{
        size_t keep = n;

        if (b->limit && b->len + n > b->limit) {
                keep = b->limit > b->len ? b->limit - b->len : 0;
                b->dropped += n - keep;
        }
        if (buf_reserve(b, keep) < 0)
                return -1;
        if (keep)
                memcpy(b->data + b->len, p, keep);
        b->len += keep;
        b->data[b->len] = '\0';
        return 0;
}

int buf_puts(struct buf *b, const char *s)
{
        return buf_append(b, s, strlen(s));
}

int buf_appendf(struct buf *b, const char *fmt, ...)
{
        va_list ap;
        char small[256];
        int n;

        va_start(ap, fmt);
        n = vsnprintf(small, sizeof(small), fmt, ap);
        va_end(ap);
        if (n < 0)
                return -1;
        if ((size_t)n < sizeof(small))
                return buf_append(b, small, (size_t)n);
        char *big = malloc((size_t)n + 1);
        int rc;

        if (!big)
                return -1;
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        rc = buf_append(b, big, (size_t)n);
        free(big);
        return rc;
}
