/* reply: pieces of a reply body, encoded as they are written (see reply.h).
 *
 * Theory of operation. Building a reply appends segments: literal text goes
 * into one arena (consecutive literals merge into one segment), program
 * output is a pointer into the job's buffers with the encoding to apply.
 * The body's next() walks the segments; an output segment is encoded a
 * slice (TEXT_SLICE input bytes, cut where UTF-8 repair of the parts equals
 * repair of the whole) per step, so one call costs a bounded amount of work
 * whatever the output. rewind() starts over, for the measuring pass of a
 * reply with a Content-Length. */
#define _GNU_SOURCE
#include "reply.h"

#include <event2/buffer.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../http/http.h"
#include "../util/jsontext.h"
#include "../util/utf8.h"

#define TEXT_SLICE (16u * 1024) /* input bytes encoded at a time (<= 7x out) */

enum seg_kind { SEG_LIT, SEG_TEXT };

struct seg {
        enum seg_kind kind;
        enum jcost_mode mode;
        const char *p; /* SEG_TEXT */
        size_t off;    /* SEG_LIT: offset in the arena */
        size_t n;
};

struct reply {
        struct job *job;
        void *owned; /* reply_own: freed with the reply */
        void (*free_owned)(void *);
        struct seg *segs;
        size_t nsegs, cap;
        struct buf lits;
        bool failed;
        /* writing position */
        size_t at, pos;
        struct buf scratch, scratch2;
};

struct reply *reply_new(struct job *job)
{
        struct reply *r = calloc(1, sizeof(*r));

        if (!r) {
                job_free(job);
                return NULL;
        }
        r->job = job;
        buf_init(&r->lits, 0);
        buf_init(&r->scratch, 0);
        buf_init(&r->scratch2, 0);
        return r;
}

void reply_free(struct reply *r)
{
        if (!r)
                return;
        job_free(r->job);
        if (r->free_owned)
                r->free_owned(r->owned);
        free(r->segs);
        buf_free(&r->lits);
        buf_free(&r->scratch);
        buf_free(&r->scratch2);
        free(r);
}

bool reply_failed(const struct reply *r)
{
        return r->failed;
}

static struct seg *add_seg(struct reply *r)
{
        if (r->nsegs == r->cap) {
                size_t ncap = r->cap ? r->cap * 2 : 32;
                struct seg *grown = realloc(r->segs, ncap * sizeof(*grown));

                if (!grown) {
                        r->failed = true;
                        return NULL;
                }
                r->segs = grown;
                r->cap = ncap;
        }
        memset(&r->segs[r->nsegs], 0, sizeof(r->segs[0]));
        return &r->segs[r->nsegs++];
}

/* Text just appended to the arena at [off, lits.len) joins the last
 * segment if that is a literal, else starts one. */
static void lit_added(struct reply *r, size_t off, int rc)
{
        struct seg *s;

        if (rc < 0) {
                r->failed = true;
                return;
        }
        if (r->nsegs && r->segs[r->nsegs - 1].kind == SEG_LIT) {
                r->segs[r->nsegs - 1].n += r->lits.len - off;
                return;
        }
        s = add_seg(r);
        if (!s)
                return;
        s->kind = SEG_LIT;
        s->off = off;
        s->n = r->lits.len - off;
}

void reply_litn(struct reply *r, const char *s, size_t n)
{
        size_t off = r->lits.len;

        lit_added(r, off, buf_append(&r->lits, s, n));
}

void reply_own(struct reply *r, void *p, void (*free_fn)(void *))
{
        r->owned = p;
        r->free_owned = free_fn;
}

void reply_lit(struct reply *r, const char *s)
{
        reply_litn(r, s, strlen(s));
}

void reply_litf(struct reply *r, const char *fmt, ...)
{
        size_t off = r->lits.len;
        char small[512];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(small, sizeof(small), fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= sizeof(small)) {
                r->failed = true;
                return;
        }
        lit_added(r, off, buf_append(&r->lits, small, (size_t)n));
}

void reply_json_str(struct reply *r, const char *s)
{
        size_t off = r->lits.len;

        lit_added(r, off, jsontext_serde_string(&r->lits, s, strlen(s)));
}

void reply_text(struct reply *r, enum jcost_mode mode, const char *p, size_t n)
{
        struct seg *s;

        if (!n)
                return;
        s = add_seg(r);
        if (!s)
                return;
        s->kind = SEG_TEXT;
        s->mode = mode;
        s->p = p;
        s->n = n;
}

static int encode_slice(struct reply *r, enum jcost_mode mode, const char *p, size_t n)
{
        switch (mode) {
        case JCOST_TEXT:
                return utf8_append_lossy(&r->scratch, p, n);
        case JCOST_JSON:
                return jsontext_serde_chars(&r->scratch, p, n);
        case JCOST_JSON_ASCII:
                return jsontext_py_chars(&r->scratch, p, n);
        case JCOST_JSON_NESTED:
                r->scratch2.len = 0;
                if (jsontext_serde_chars(&r->scratch2, p, n) < 0)
                        return -1;
                return jsontext_serde_chars(&r->scratch, r->scratch2.data ? r->scratch2.data : "",
                                            r->scratch2.len);
        }
        return -1;
}

static int reply_next(void *arg, struct evbuffer *out, size_t max)
{
        struct reply *r = arg;
        size_t produced = 0;

        if (r->failed)
                return -1;
        while (produced < max && r->at < r->nsegs) {
                const struct seg *s = &r->segs[r->at];

                if (s->kind == SEG_LIT) {
                        if (evbuffer_add(out, r->lits.data + s->off, s->n) < 0)
                                return -1;
                        produced += s->n;
                        r->at++;
                        continue;
                }
                {
                        size_t left = s->n - r->pos;
                        size_t cut = utf8_safe_cut(s->p + r->pos, left,
                                                   left < TEXT_SLICE ? left : TEXT_SLICE);

                        if (cut == 0)
                                cut = left < TEXT_SLICE ? left : TEXT_SLICE;
                        r->scratch.len = 0;
                        if (encode_slice(r, s->mode, s->p + r->pos, cut) < 0 ||
                            evbuffer_add(out, r->scratch.data ? r->scratch.data : "",
                                         r->scratch.len) < 0)
                                return -1;
                        produced += r->scratch.len + 1;
                        r->pos += cut;
                        if (r->pos == s->n) {
                                r->pos = 0;
                                r->at++;
                        }
                }
        }
        return r->at < r->nsegs ? 1 : 0;
}

static void reply_rewind(void *arg)
{
        struct reply *r = arg;

        r->at = 0;
        r->pos = 0;
}

static void reply_free_arg(void *arg)
{
        reply_free(arg);
}

void reply_body(struct reply *r, struct http_body *b)
{
        b->next = reply_next;
        b->rewind = reply_rewind;
        b->free = reply_free_arg;
        b->arg = r;
}

size_t reply_cost_within(enum jcost_mode mode, const char *p, size_t n, size_t max)
{
        struct jcost_meter m;
        uint64_t left = max;

        if (n > max)
                return (size_t)-1;
        memset(&m, 0, sizeof(m));
        if (jcost_fit(&m, mode, p, n, &left) < n)
                return (size_t)-1;
        return (size_t)(max - left);
}
