/* Unit tests: http_add_header (http/http.c), the one way the server sets a
 * reply header: a header libevent takes is added whole, and one it refuses
 * (a name or value that would split the header block, or no header list)
 * is reported as -1 and leaves the list as it was, so the caller can
 * answer 500 instead of a reply missing a header. */
#include <criterion/criterion.h>
#include <sys/queue.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "http/http.h"

static size_t count(struct evkeyvalq *h)
{
        size_t n = 0;
        struct evkeyval *kv;

        for (kv = TAILQ_FIRST(h); kv; kv = TAILQ_NEXT(kv, next))
                n++;
        return n;
}

Test(http_header, adds_or_refuses_whole)
{
        struct evkeyvalq h;

        TAILQ_INIT(&h);
        cr_assert_eq(http_add_header(&h, "Content-Type", "application/json"), 0);
        cr_expect_str_eq(evhttp_find_header(&h, "Content-Type"), "application/json");
        cr_expect_eq(http_add_header(&h, "X-Codeexec-Truncated", "true\r\nX-Evil: 1"), -1);
        cr_expect_null(evhttp_find_header(&h, "X-Codeexec-Truncated"));
        cr_expect_null(evhttp_find_header(&h, "X-Evil"));
        cr_expect_eq(http_add_header(&h, "X-Bad\r\nX-Evil", "x"), -1);
        cr_expect_eq(count(&h), 1);
        cr_expect_eq(http_add_header(NULL, "Retry-After", "1"), -1);
        evhttp_clear_headers(&h);
}
