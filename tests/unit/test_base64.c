/* Unit tests: base64 decoding (RFC 4648 section 10 vectors and errors). */
#include <criterion/criterion.h>
#include <string.h>

#include "util/base64.h"

static void ok(const char *in, const char *want)
{
        struct buf b;

        buf_init(&b, 0);
        cr_assert_eq(base64_decode(&b, in, strlen(in)), 0, "rejected %s", in);
        cr_assert_eq(b.len, strlen(want));
        cr_assert(b.len == 0 || memcmp(b.data, want, b.len) == 0);
        buf_free(&b);
}

static void bad(const char *in)
{
        struct buf b;

        buf_init(&b, 0);
        cr_assert_eq(base64_decode(&b, in, strlen(in)), -1, "accepted %s", in);
        buf_free(&b);
}

Test(base64, rfc4648_vectors)
{
        ok("", "");
        ok("Zg==", "f");
        ok("Zm8=", "fo");
        ok("Zm9v", "foo");
        ok("Zm9vYg==", "foob");
        ok("Zm9vYmE=", "fooba");
        ok("Zm9vYmFy", "foobar");
        ok("Zm9v\nYmFy", "foobar");
        ok("Zm9vYg", "foob"); /* padding optional */
}

Test(base64, rejects_garbage)
{
        bad("Zm9v!");
        bad("Z");
        bad("Zg=a");
        bad("Zg===");
        bad("Zm9vY");
}
