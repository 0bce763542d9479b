/* Unit tests: a reply written in pieces of any size is exactly the text the
 * whole-string encoders give, and rewinding writes it again. */
#include <criterion/criterion.h>
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

#include "api/reply.h"
#include "http/http.h"
#include "util/jsontext.h"

static struct buf drain_all(struct http_body *b, size_t max)
{
        struct evbuffer *out = evbuffer_new();
        struct buf text;
        int rc;

        buf_init(&text, 0);
        do {
                rc = b->next(b->arg, out, max);
                cr_assert_geq(rc, 0);
        } while (rc == 1);
        buf_append(&text, evbuffer_pullup(out, -1), evbuffer_get_length(out));
        evbuffer_free(out);
        return text;
}

Test(reply, pieces_concatenate_to_the_whole)
{
        static const unsigned char pool[] = {'a', '"', '\n', 0x01, 0x80, 0xC3, 0xA9, 0xE2, 0xFF};
        size_t n = 300000;
        char *out = malloc(n);
        struct buf want, got, again;
        struct http_body body;
        struct reply *r;

        srand(3);
        for (size_t i = 0; i < n; i++)
                out[i] = (char)pool[rand() % (int)sizeof(pool)];
        buf_init(&want, 0);
        buf_puts(&want, "{\"x\":");
        jsontext_py_string(&want, out, n);
        buf_puts(&want, ",\"y\":");
        jsontext_serde_string(&want, out, n);
        buf_puts(&want, "}");

        r = reply_new(NULL);
        reply_lit(r, "{\"x\":\"");
        reply_text(r, JCOST_JSON_ASCII, out, n);
        reply_lit(r, "\",\"y\":\"");
        reply_text(r, JCOST_JSON, out, n);
        reply_litf(r, "\"%s", "}");
        cr_assert(!reply_failed(r));
        reply_body(r, &body);
        got = drain_all(&body, 1000);
        cr_assert_eq(got.len, want.len);
        cr_assert(memcmp(got.data, want.data, want.len) == 0);
        body.rewind(body.arg);
        again = drain_all(&body, 256 * 1024);
        cr_assert_eq(again.len, want.len);
        cr_assert(memcmp(again.data, want.data, want.len) == 0);
        body.free(body.arg);
        buf_free(&want);
        buf_free(&got);
        buf_free(&again);
        free(out);
}

Test(reply, cost_within)
{
        cr_assert_eq(reply_cost_within(JCOST_JSON, "ab\n", 3, 10), 4);
        cr_assert_eq(reply_cost_within(JCOST_JSON, "ab\x01", 3, 7), (size_t)-1);
        cr_assert_eq(reply_cost_within(JCOST_JSON, "abcdef", 6, 5), (size_t)-1);
}
