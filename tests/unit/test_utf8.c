/* Unit tests: lossy UTF-8 repair must match Rust's from_utf8_lossy. */
#include <criterion/criterion.h>
#include <string.h>

#include "util/utf8.h"

static void check(const char *in, size_t n, const char *want)
{
        struct buf b;

        buf_init(&b, 0);
        cr_assert_eq(utf8_append_lossy(&b, in, n), 0);
        cr_assert_eq(b.len, strlen(want), "length %zu, want %zu", b.len, strlen(want));
        cr_assert(memcmp(b.data, want, b.len) == 0);
        buf_free(&b);
}

#define R "\xEF\xBF\xBD"

Test(utf8, valid_text_is_untouched)
{
        check("hello", 5, "hello");
        check("h\xC3\xA9", 3, "h\xC3\xA9");
        check("\xF0\x9F\x98\x80", 4, "\xF0\x9F\x98\x80");
}

Test(utf8, nul_bytes_pass_through)
{
        struct buf b;

        buf_init(&b, 0);
        utf8_append_lossy(&b, "a\0b", 3);
        cr_assert_eq(b.len, 3);
        cr_assert(memcmp(b.data, "a\0b", 3) == 0);
        buf_free(&b);
}

Test(utf8, maximal_subparts_become_one_replacement_each)
{
        check("a\xFF"
              "b",
              3, "a" R "b");
        check("\xE2\x82", 2, R); /* truncated 3-byte sequence: one U+FFFD */
        check("\xE2\x82"
              "a",
              3, R "a");
        check("\xF0\x9F\x98", 3, R);           /* truncated 4-byte sequence */
        check("\xC0\xAF", 2, R R);             /* overlong: each byte */
        check("\xED\xA0\x80", 3, R R R);       /* surrogate: lead, then two strays */
        check("\xF4\x90\x80\x80", 4, R R R R); /* above U+10FFFF */
        check("\x80\x80", 2, R R);
}

Test(utf8, complete_prefix_never_cuts_a_character)
{
        cr_assert_eq(utf8_complete_prefix("ab\xC3", 3), 2);
        cr_assert_eq(utf8_complete_prefix("ab\xC3\xA9", 4), 4);
        cr_assert_eq(utf8_complete_prefix("\xF0\x9F\x98", 3), 0);
        cr_assert_eq(utf8_complete_prefix("abc", 3), 3);
}
