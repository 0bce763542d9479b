/* Unit tests: the reply-budget meter never charges less than the encoded
 * text costs (exact for ASCII), and safe cuts let a long string be encoded in
 * pieces that concatenate to the whole. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsoncost.h"
#include "util/jsontext.h"
#include "util/utf8.h"

static size_t encoded_len(enum jcost_mode mode, const char *p, size_t n)
{
        struct buf a, b;
        size_t len;

        buf_init(&a, 0);
        buf_init(&b, 0);
        switch (mode) {
        case JCOST_TEXT:
                utf8_append_lossy(&a, p, n);
                break;
        case JCOST_JSON:
                jsontext_serde_chars(&a, p, n);
                break;
        case JCOST_JSON_ASCII:
                jsontext_py_chars(&a, p, n);
                break;
        case JCOST_JSON_NESTED:
                jsontext_serde_chars(&b, p, n);
                jsontext_serde_chars(&a, b.data ? b.data : "", b.len);
                break;
        }
        len = a.len;
        buf_free(&a);
        buf_free(&b);
        return len;
}

/* Charges p in pieces of `step` bytes; returns the total charged. */
static uint64_t charged(enum jcost_mode mode, const char *p, size_t n, size_t step)
{
        struct jcost_meter m;
        uint64_t budget = UINT64_MAX / 2, start = budget;

        memset(&m, 0, sizeof(m));
        for (size_t i = 0; i < n; i += step) {
                size_t k = n - i < step ? n - i : step;
                cr_assert_eq(jcost_fit(&m, mode, p + i, k, &budget), k);
        }
        return start - budget;
}

Test(jsoncost, ascii_is_exact)
{
        const char *s = "hello \"world\"\n\x01\x7f";
        size_t n = strlen(s);

        for (int mode = JCOST_TEXT; mode <= JCOST_JSON_NESTED; mode++)
                cr_assert_eq(charged((enum jcost_mode)mode, s, n, n),
                             encoded_len((enum jcost_mode)mode, s, n), "mode %d", mode);
}

Test(jsoncost, never_below_the_encoded_size)
{
        static const unsigned char pool[] = {'a',  '"',  '\\', '\n', 0x01, 0x7f, 0x80, 0xBF,
                                             0xC2, 0xC3, 0xE0, 0xE2, 0xED, 0xF0, 0xF4, 0xFF};
        char s[64];

        srand(7);
        for (int iter = 0; iter < 20000; iter++) {
                size_t n = (size_t)(rand() % 40);
                for (size_t i = 0; i < n; i++)
                        s[i] = (char)pool[rand() % (int)sizeof(pool)];
                for (int mode = JCOST_TEXT; mode <= JCOST_JSON_NESTED; mode++) {
                        size_t want = encoded_len((enum jcost_mode)mode, s, n);
                        size_t step = 1 + (size_t)(rand() % 5);
                        cr_assert_geq(charged((enum jcost_mode)mode, s, n, step), want,
                                      "mode %d n %zu", mode, n);
                }
        }
}

Test(jsoncost, the_kept_part_is_a_prefix)
{
        struct jcost_meter m;
        uint64_t budget = 8;

        memset(&m, 0, sizeof(m));
        cr_assert_eq(jcost_fit(&m, JCOST_JSON, "abc\x01xyz", 7, &budget), 3);
        /* 5 left, but the stream is full: nothing more is kept */
        cr_assert_eq(jcost_fit(&m, JCOST_JSON, "d", 1, &budget), 0);
        cr_assert_eq(budget, 5);
}

Test(jsoncost, safe_cuts_concatenate)
{
        static const unsigned char pool[] = {'a', 0x80, 0xBF, 0xC3, 0xE2, 0xF0, 0xFF, '\n'};
        char s[200];
        struct buf whole, parts;

        srand(11);
        for (int iter = 0; iter < 5000; iter++) {
                size_t n = (size_t)(rand() % 200);
                for (size_t i = 0; i < n; i++)
                        s[i] = (char)pool[rand() % (int)sizeof(pool)];
                buf_init(&whole, 0);
                buf_init(&parts, 0);
                jsontext_py_chars(&whole, s, n);
                for (size_t at = 0; at < n;) {
                        size_t want = 4 + (size_t)(rand() % 9);
                        size_t cut = utf8_safe_cut(s + at, n - at, want);
                        cr_assert(cut > 0);
                        jsontext_py_chars(&parts, s + at, cut);
                        at += cut;
                }
                cr_assert_eq(whole.len, parts.len);
                cr_assert(whole.len == 0 || memcmp(whole.data, parts.data, whole.len) == 0);
                buf_free(&whole);
                buf_free(&parts);
        }
}
