/* fuzz_checker: libFuzzer target for the built-in checkers
 * (src/judge/checker.c).
 *
 * The input is [options byte][message size byte][split byte] then the
 * bytes of the output and the answer, cut where the split byte says. Each
 * is copied to a buffer of its exact size, so a read past the end is an
 * ASan report. For every built-in kind, whatever the bytes: no crash; a
 * message NUL-terminated inside msg_size, valid UTF-8, and empty on AC;
 * compare(x, x) is AC; and the rules that are symmetric (all but the
 * float ones, whose relative bound is the answer's) give the same verdict
 * both ways. checker_program_verdict reads the same bytes as a checker's
 * output. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "judge/checker.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int valid_utf8(const unsigned char *s)
{
        size_t n = strlen((const char *)s), i = 0, k;

        while (i < n) {
                if ((k = utf8_seq_len((const char *)s + i, n - i)) == 0)
                        return 0;
                i += k;
        }
        return 1;
}

static enum check_verdict check(const struct checker_opts *o, const char *a, size_t an,
                                const char *b, size_t bn, size_t msg_size)
{
        char *msg = msg_size ? malloc(msg_size) : NULL;
        enum check_verdict v;

        if (msg_size && !msg)
                abort();
        if (msg)
                memset(msg, 'Z', msg_size);
        v = checker_compare(o, a, an, b, bn, msg, msg_size);
        assert(v == CHECK_AC || v == CHECK_WA || v == CHECK_FAIL);
        if (msg) {
                assert(memchr(msg, '\0', msg_size) != NULL);
                assert(valid_utf8((const unsigned char *)msg));
                if (v == CHECK_AC)
                        assert(msg[0] == '\0');
        }
        free(msg);
        return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t msg_size, cut, on, an;
        char *out, *ans;
        unsigned flags;
        int k;
        double pts;

        if (size < 3)
                return 0;
        flags = data[0];
        msg_size = data[1];
        cut = (size - 3) * data[2] / 255;
        on = cut;
        an = size - 3 - cut;
        out = malloc(on ? on : 1);
        ans = malloc(an ? an : 1);
        if (!out || !ans)
                abort();
        memcpy(out, data + 3, on);
        memcpy(ans, data + 3 + on, an);

        for (k = 0; k < CHECKER_PROGRAM; k++) {
                struct checker_opts o;
                enum check_verdict ab, ba;

                checker_opts_default(&o, (enum checker_kind)k);
                o.case_insensitive = flags & 1;
                o.keep_line_breaks = (flags & 16) != 0;
                o.float_mode = (enum checker_float_mode)((flags >> 1) % 3);
                if (flags & 8) {
                        o.abs_eps = 1e-3;
                        o.rel_eps = 0;
                }
                assert(check(&o, out, on, out, on, msg_size) == CHECK_AC);
                assert(check(&o, ans, an, ans, an, msg_size) == CHECK_AC);
                ab = check(&o, out, on, ans, an, msg_size);
                ba = check(&o, ans, an, out, on, msg_size);
                if (k != CHECKER_SANDBOXFUSION && k != CHECKER_TOKENS_FLOAT)
                        assert(ab == ba);
        }
        (void)checker_program_verdict(7, 0, out, on, &pts);
        (void)checker_program_verdict((int)flags - 64, 0, ans, an, &pts);
        free(out);
        free(ans);
        return 0;
}
