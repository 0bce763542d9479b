/* fuzz_jsonl: libFuzzer target for the test-bank JSONL decoder
 * (src/bank/jsonl.c), which reads untrusted uploads.
 *
 * jsonl.c decodes most lines with its own fast decoder and hands the rest
 * to jansson; its promise is that the fast path never accepts what jansson
 * would refuse and never decodes a string differently. So the input is
 * parsed twice: by jsonl_parse(), and by a reference written here that sends
 * every line through jansson alone, with the rules of jsonl.h (an object, a
 * "test" string, an optional "hash" of 32 hex digits that must be the MD5 of
 * the test, blank lines skipped, a leading byte-order mark ignored). Both
 * must agree on success or the failing line, and on every stored test, byte
 * for byte and in order. The {"tests": [...]} form is fed the same input and
 * must never crash or leak. */
#include <assert.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bank/bank.h"
#include "bank/jsonl.h"

static bool blank_line(const char *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
                        return false;
        return true;
}

/* One line through jansson; 0 when it adds (or repeats) a test, -1 when the
 * line is refused. */
static int reference_line(struct bank *b, const char *p, size_t n)
{
        json_t *o = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
        json_t *t = json_object_get(o, "test"), *h = json_object_get(o, "hash");
        unsigned char got[MD5_DIGEST_LEN], want[MD5_DIGEST_LEN];
        struct err e = {0};
        int rc = -1;

        if (!json_is_object(o) || !json_is_string(t))
                goto out;
        md5(json_string_value(t), json_string_length(t), got);
        if (h && !json_is_null(h) &&
            (!json_is_string(h) ||
             md5_parse_hex(json_string_value(h), json_string_length(h), want) < 0 ||
             memcmp(want, got, MD5_DIGEST_LEN) != 0))
                goto out;
        rc = bank_add(b, got, json_string_value(t), json_string_length(t), &e) < 0 ? -1 : 0;
out:
        json_decref(o);
        return rc;
}

/* Returns the 1-based line that failed, or 0 when every line was taken. */
static size_t reference_parse(struct bank *b, const char *p, size_t len)
{
        const char *end = p + len;
        size_t line = 0;

        if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
                p += 3;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

                line++;
                if (!blank_line(p, n) && reference_line(b, p, n) < 0)
                        return line;
                p += n + (nl ? 1 : 0);
        }
        return 0;
}

static void assert_same_banks(const struct bank *x, const struct bank *y)
{
        assert(bank_count(x) == bank_count(y));
        for (size_t i = 0; i < bank_count(x); i++) {
                const unsigned char *dx, *dy;
                size_t lx, ly;
                const char *tx = bank_at(x, i, &dx, &lx), *ty = bank_at(y, i, &dy, &ly);
                assert(lx == ly && memcmp(tx, ty, lx) == 0);
                assert(memcmp(dx, dy, MD5_DIGEST_LEN) == 0);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *text = (const char *)data;
        struct bank *got = bank_new(), *want = bank_new();
        struct jsonl_stats st;
        struct err e = {0};
        unsigned char *digests = NULL;
        size_t bad_line;
        int rc;

        assert(got && want);
        rc = jsonl_parse(got, text, size, "fuzz", &st, &e);
        bad_line = reference_parse(want, text, size);
        assert((rc == 0) == (bad_line == 0));
        assert(st.error_line == bad_line);
        if (rc == 0) {
                assert(st.added == bank_count(got));
                assert_same_banks(got, want);
        }
        bank_free(got);
        bank_free(want);

        got = bank_new();
        assert(got);
        if (jsonl_parse_tests_object(got, text, size, &st, &digests, &e) == 0)
                assert(st.added + st.duplicates == st.lines);
        free(digests);
        bank_free(got);
        return 0;
}
