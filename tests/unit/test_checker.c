/* Unit tests: the built-in checkers of judge mode (docs/checkers.md): the
 * conformance cases of peer-apis.md 7.4, the edges each rule's reference
 * decides (CRLF, empty output, trailing spaces, huge numbers, NaN and inf,
 * exponents, non-ASCII, lone \r), the messages and their bounds, and the
 * reading of a checker program's exit status. The differential corpus is
 * tests/unit/test_checker_corpus.c. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "judge/checker.h"

static char msg[512];

static enum check_verdict run_opts(const struct checker_opts *o, const char *out, const char *ans)
{
        return checker_compare(o, out, strlen(out), ans, strlen(ans), msg, sizeof(msg));
}

static enum check_verdict run(enum checker_kind k, const char *out, const char *ans)
{
        struct checker_opts o;

        checker_opts_default(&o, k);
        return run_opts(&o, out, ans);
}

#define AC(k, out, ans) cr_expect_eq(run(k, out, ans), CHECK_AC, "%s: %s", #out " vs " #ans, msg)
#define WA(k, out, ans) cr_expect_eq(run(k, out, ans), CHECK_WA, "%s", #out " vs " #ans)

Test(checker, names_round_trip)
{
        int k;

        for (k = 0; k < CHECKER_KIND_MAX; k++)
                cr_expect_eq(checker_kind_parse(checker_kind_name((enum checker_kind)k)), k);
        cr_expect_eq(checker_kind_parse("lines_rstrip"), CHECKER_LINES_RSTRIP);
        cr_expect_eq(checker_kind_parse("nope"), -1);
        cr_expect_eq(checker_kind_parse(""), -1);
        cr_expect_eq(checker_kind_parse(NULL), -1);
        cr_expect_str_eq(checker_kind_name(CHECKER_KIND_MAX), "unknown");
}

Test(checker, defaults)
{
        struct checker_opts o;

        checker_opts_default(&o, CHECKER_TOKENS_FLOAT);
        cr_expect_eq(o.kind, CHECKER_TOKENS_FLOAT);
        cr_expect_eq(o.abs_eps, 1e-6);
        cr_expect_eq(o.rel_eps, 1e-6);
        cr_expect_eq(o.float_mode, CHECKER_ABS_OR_REL);
        cr_expect(!o.case_insensitive);
}

/* peer-apis.md 7.4 */
Test(checker, conformance_7_4)
{
        AC(CHECKER_TOKENS, "1  2 3", "1 2\n3\n");
        WA(CHECKER_TOKENS, "1 2 4", "1 2\n3\n");
        AC(CHECKER_LINES_RSTRIP, "a\nb", "a \nb\n\n");
        WA(CHECKER_LINES_RSTRIP, " a\nb", "a \nb\n\n");
        AC(CHECKER_LINES_STRIP_DECIMAL, "1.00 2.0", "1.0 2");
        WA(CHECKER_LINES_STRIP_DECIMAL, "0.30000000000000004", "0.3");
        AC(CHECKER_TOKENS_FLOAT, "1000000.5", "1000000.0");
        WA(CHECKER_TOKENS_FLOAT, "0.0000016", "0.0000005");
        AC(CHECKER_SANDBOXFUSION, "YES", "yes");
        AC(CHECKER_SANDBOXFUSION, "1.000001", "1");
        WA(CHECKER_SANDBOXFUSION, "1 2", "1  2");
        WA(CHECKER_EXACT, "a\n", "a");
}

/* 7.4 case 4 says "0.0000015" vs "0.0000005" is WA; the difference is 1e-6
 * to within rounding and testlib accepts |d| <= eps + 1e-15, so it is AC
 * (docs/checkers.md). */
Test(checker, testlib_accepts_the_eps_boundary)
{
        AC(CHECKER_TOKENS_FLOAT, "0.0000015", "0.0000005");
}

Test(checker, empty_output)
{
        enum checker_kind k;

        for (k = 0; k < CHECKER_PROGRAM; k++) {
                cr_expect_eq(run(k, "", ""), CHECK_AC, "%s", checker_kind_name(k));
                cr_expect_eq(run(k, "", "1"), CHECK_WA, "%s", checker_kind_name(k));
                cr_expect_eq(run(k, "1", ""), CHECK_WA, "%s", checker_kind_name(k));
        }
        WA(CHECKER_EXACT, "", "\n");
        AC(CHECKER_RSTRIP_NEWLINES, "", "\n\n");
        WA(CHECKER_RSTRIP_NEWLINES, " ", "");
        AC(CHECKER_LINES_RSTRIP, " \n\t\n", "");
        AC(CHECKER_LINES_STRIP_DECIMAL, "\n \n", "");
        AC(CHECKER_SANDBOXFUSION, "\r\n", "");
        AC(CHECKER_TOKENS, "\r\n \t", "");
        AC(CHECKER_TOKENS_FLOAT, "\n", "");
        /* NULL buffers of length 0 are empty texts. */
        {
                struct checker_opts o;

                checker_opts_default(&o, CHECKER_TOKENS);
                cr_expect_eq(checker_compare(&o, NULL, 0, NULL, 0, msg, sizeof(msg)), CHECK_AC);
        }
}

Test(checker, trailing_whitespace_and_crlf)
{
        /* verl: only "\n" goes. */
        AC(CHECKER_RSTRIP_NEWLINES, "1 2\n\n", "1 2");
        WA(CHECKER_RSTRIP_NEWLINES, "1 2 \n", "1 2\n");
        WA(CHECKER_RSTRIP_NEWLINES, "1 2\r\n", "1 2\n");
        /* Judge0: per-line rstrip (Ruby: NUL \t \n \v \f \r space). */
        AC(CHECKER_LINES_RSTRIP, "1 2 \r\n3\t\r\n\r\n", "1 2\n3");
        AC(CHECKER_LINES_RSTRIP, "a\x00\n", "a");
        WA(CHECKER_LINES_RSTRIP, "a\n\nb", "a\nb");
        WA(CHECKER_LINES_RSTRIP, "a\r2", "a\n2");
        /* LCB and SandboxFusion: Python strip() per line. */
        AC(CHECKER_LINES_STRIP_DECIMAL, "  1 2\r\n3 \r\n", "1 2\n3");
        AC(CHECKER_SANDBOXFUSION, "\t1 2\r\n 3 \r\n\n", "1 2\n3");
        /* testlib: \r is a separator, \v and \f are not. */
        AC(CHECKER_TOKENS, "1\r2", "1 2");
        WA(CHECKER_TOKENS, "1\v2", "1 2");
        WA(CHECKER_TOKENS, "1\f", "1");
}

Test(checker, lone_cr)
{
        WA(CHECKER_EXACT, "1\r2", "1\n2");
        WA(CHECKER_LINES_RSTRIP, "1\r2", "1\n2");
        /* Python splits on "\n" only: "1\r2" is one line of two tokens. */
        WA(CHECKER_LINES_STRIP_DECIMAL, "1\r2", "1\n2");
        AC(CHECKER_LINES_STRIP_DECIMAL, "1\r2", "1 2");
        WA(CHECKER_SANDBOXFUSION, "1\r2", "1 2");
        AC(CHECKER_LINES_RSTRIP, "12\r", "12");
        AC(CHECKER_TOKENS, "12\r", "12");
}

Test(checker, decimal_rule)
{
        AC(CHECKER_LINES_STRIP_DECIMAL, "1e3", "1000");
        AC(CHECKER_LINES_STRIP_DECIMAL, "100", "1E2");
        AC(CHECKER_LINES_STRIP_DECIMAL, "-0", "0");
        AC(CHECKER_LINES_STRIP_DECIMAL, "+1", "1");
        AC(CHECKER_LINES_STRIP_DECIMAL, ".5 5.", "0.5 5");
        AC(CHECKER_LINES_STRIP_DECIMAL, "1_000", "1000");
        AC(CHECKER_LINES_STRIP_DECIMAL, "inf", "Infinity");
        WA(CHECKER_LINES_STRIP_DECIMAL, "inf", "-inf");
        WA(CHECKER_LINES_STRIP_DECIMAL, "nan", "NaN");
        AC(CHECKER_LINES_STRIP_DECIMAL, "NaN", "NaN"); /* equal strings */
        WA(CHECKER_LINES_STRIP_DECIMAL, "1 sNaN", "1.0 sNaN");
        WA(CHECKER_LINES_STRIP_DECIMAL, "0x10", "16");
        WA(CHECKER_LINES_STRIP_DECIMAL, "1 2", "1 2 3");
        WA(CHECKER_LINES_STRIP_DECIMAL, "1\n2", "1 2");
        AC(CHECKER_LINES_STRIP_DECIMAL, "123456789012345678901234567890",
           "1.2345678901234567890123456789e29");
        WA(CHECKER_LINES_STRIP_DECIMAL, "9007199254740993", "9007199254740992");
        /* libmpdec's limits: Emax 999999999999999999, Etiny -1999999999999999997. */
        AC(CHECKER_LINES_STRIP_DECIMAL, "1e999999999999999999", "10e999999999999999998");
        WA(CHECKER_LINES_STRIP_DECIMAL, "1e1000000000000000000", "10e999999999999999999");
        AC(CHECKER_LINES_STRIP_DECIMAL, "1e-1999999999999999997", "0.1e-1999999999999999996");
        WA(CHECKER_LINES_STRIP_DECIMAL, "1e-1999999999999999998", "0");
        /* Unicode whitespace is Python's. */
        AC(CHECKER_LINES_STRIP_DECIMAL,
           "1\xc2\xa0"
           "2\xe3\x80\x80",
           "1 2");
        WA(CHECKER_LINES_STRIP_DECIMAL, "1\xe2\x80\x8b", "1"); /* U+200B is not space */
}

Test(checker, sandboxfusion_rule)
{
        AC(CHECKER_SANDBOXFUSION, "Yes\nNO", "YES\nno");
        AC(CHECKER_SANDBOXFUSION, "\xc3\x89T\xc3\x89", "\xc3\xa9t\xc3\xa9"); /* ÉTÉ / été */
        AC(CHECKER_SANDBOXFUSION, "\xd0\x81", "\xd1\x91");                   /* Ё / ё */
        AC(CHECKER_SANDBOXFUSION, "1e5", "100000.5");
        WA(CHECKER_SANDBOXFUSION, "1.0001", "1");
        AC(CHECKER_SANDBOXFUSION, "1_000", "1000.001");
        WA(CHECKER_SANDBOXFUSION, "1__000", "1000.001");
        AC(CHECKER_SANDBOXFUSION, "0", "1e-16"); /* |d| / 1e-10 < 1e-5 */
        WA(CHECKER_SANDBOXFUSION, "0", "1e-14");
        WA(CHECKER_SANDBOXFUSION, "inf", "infinity"); /* inf - inf is nan */
        AC(CHECKER_SANDBOXFUSION, "INF", "inf");      /* equal once lowered */
        WA(CHECKER_SANDBOXFUSION, "1.0 2.0", "1 2");  /* whole lines only */
        WA(CHECKER_SANDBOXFUSION, "a\n\nb", "a\nb");
}

Test(checker, tokens_case)
{
        struct checker_opts o;

        checker_opts_default(&o, CHECKER_TOKENS);
        o.case_insensitive = true;
        cr_expect_eq(run_opts(&o, "abc DEF", "abc def"), CHECK_AC);
        cr_expect_eq(run_opts(&o, "\xc3\x89", "\xc3\xa9"), CHECK_WA); /* ASCII only */
        WA(CHECKER_TOKENS, "abc DEF", "abc def");
}

/* DMOJ's standard checker: tokens, and a line break where the answer has
 * one (\r counts, \v and \f are spaces). */
Test(checker, tokens_keep_line_breaks)
{
        struct checker_opts o;

        checker_opts_default(&o, CHECKER_TOKENS);
        o.keep_line_breaks = true;
        cr_expect_eq(run_opts(&o, "1  2\n\n3 \n", "1 2\n3"), CHECK_AC);
        cr_expect_eq(run_opts(&o, "\n 1\r\n2\f", "1\n2"), CHECK_AC);
        cr_expect_eq(run_opts(&o, "1\r2", "1\n2"), CHECK_AC);
        cr_expect_eq(run_opts(&o, "1\v2", "1 2"), CHECK_AC);
        cr_expect_eq(run_opts(&o, "1 2 3", "1 2\n3"), CHECK_WA);
        cr_expect_str_eq(msg, "before the 3rd token the answer has a line break, the output "
                              "has none");
        cr_expect_eq(run_opts(&o, "1\n2", "1 2"), CHECK_WA);
        cr_expect_eq(run_opts(&o, "1 2", "1 2 3"), CHECK_WA);
        cr_expect_str_eq(msg, "answer contains longer sequence [length = 3], but output contains "
                              "2 elements");
        cr_expect_eq(run_opts(&o, "1\n2 3 4", "1\n2"), CHECK_WA);
        cr_expect_str_eq(msg, "output contains longer sequence [length = 4], but answer contains "
                              "2 elements");
        cr_expect_eq(run_opts(&o, "1 2x", "1 2"), CHECK_WA);
        cr_expect_eq(run_opts(&o, "A", "a"), CHECK_WA);
        o.case_insensitive = true;
        cr_expect_eq(run_opts(&o, "A", "a"), CHECK_AC);
        cr_expect_eq(run_opts(&o, "", ""), CHECK_AC);
        cr_expect_eq(run_opts(&o, " \n", ""), CHECK_AC);
}

Test(checker, tokens_float_rule)
{
        struct checker_opts o;

        AC(CHECKER_TOKENS_FLOAT, "1.0000009", "1");
        WA(CHECKER_TOKENS_FLOAT, "1.0000011", "1");
        AC(CHECKER_TOKENS_FLOAT, "1e-7", "0");
        AC(CHECKER_TOKENS_FLOAT, "2.5 abc", "2.5000001 abc");
        WA(CHECKER_TOKENS_FLOAT, "2.5 ABC", "2.5 abc");
        WA(CHECKER_TOKENS_FLOAT, "x", "1.5");
        /* testlib numbers are [0-9.eE+-] only: nan and inf are words. */
        AC(CHECKER_TOKENS_FLOAT, "nan", "nan");
        WA(CHECKER_TOKENS_FLOAT, "nan", "NaN");
        WA(CHECKER_TOKENS_FLOAT, "inf", "1e400");
        /* Overflow and |x| > 1e300 are infinite, equal to the same sign. */
        AC(CHECKER_TOKENS_FLOAT, "1e400", "1e309");
        AC(CHECKER_TOKENS_FLOAT, "2e301", "1e301");
        WA(CHECKER_TOKENS_FLOAT, "-1e301", "1e301");
        WA(CHECKER_TOKENS_FLOAT, "1e300", "1e301");
        AC(CHECKER_TOKENS_FLOAT, "123456789012345678901234567890", "1.2345678901234567e29");
        WA(CHECKER_TOKENS_FLOAT, "1 2", "1 2 3");
        WA(CHECKER_TOKENS_FLOAT, "1 2 3", "1 2");

        checker_opts_default(&o, CHECKER_TOKENS_FLOAT);
        o.float_mode = CHECKER_ABS;
        cr_expect_eq(run_opts(&o, "1000000.5", "1000000"), CHECK_WA);
        cr_expect_eq(run_opts(&o, "0.0000005", "0"), CHECK_AC);
        o.float_mode = CHECKER_REL;
        cr_expect_eq(run_opts(&o, "1000000.5", "1000000"), CHECK_AC);
        cr_expect_eq(run_opts(&o, "0.0000005", "0"), CHECK_WA);
        o.float_mode = CHECKER_ABS_OR_REL;
        o.abs_eps = 1e-2;
        o.rel_eps = 0;
        cr_expect_eq(run_opts(&o, "1.005", "1"), CHECK_AC);
        cr_expect_eq(run_opts(&o, "1000.5", "1000"), CHECK_WA);
        o.case_insensitive = true;
        cr_expect_eq(run_opts(&o, "1 YES", "1 yes"), CHECK_AC);
}

Test(checker, messages)
{
        cr_assert_eq(run(CHECKER_TOKENS, "1 2 4", "1 2 3"), CHECK_WA);
        cr_expect_str_eq(msg, "3rd tokens differ - expected: '3', found: '4'");
        cr_assert_eq(run(CHECKER_TOKENS, "1 5", "1 4"), CHECK_WA);
        cr_expect_str_eq(msg, "2nd tokens differ - expected: '4', found: '5'");
        run(CHECKER_TOKENS, "1", "1 2 3");
        cr_expect_str_eq(msg, "answer contains longer sequence [length = 3], but output contains "
                              "1 elements");
        run(CHECKER_TOKENS, "1 2 3 4", "1 2");
        cr_expect_str_eq(msg, "output contains longer sequence [length = 4], but answer contains "
                              "2 elements");
        run(CHECKER_LINES_RSTRIP, "a\nb\nx\n", "a\nb\nc");
        cr_expect_str_eq(msg, "3rd lines differ - expected: 'c', found: 'x'");
        run(CHECKER_LINES_STRIP_DECIMAL, "1\n2", "1");
        cr_expect_str_eq(msg, "wrong line count: expected 1 lines, found 2");
        run(CHECKER_SANDBOXFUSION, " 1\n", "1\n2\n3");
        cr_expect_str_eq(msg, "wrong line count: expected 3 lines, found 1");
        run(CHECKER_TOKENS_FLOAT, "1 2.5", "1 2");
        cr_expect_str_eq(msg, "2nd numbers differ - expected: '2', found: '2.5', error = '0.25'");
        run(CHECKER_TOKENS, "11th", "x 1 2 3 4 5 6 7 8 9 10 11");
        run(CHECKER_TOKENS, "a b c d e f g h i j k", "a b c d e f g h i j x");
        cr_expect_str_eq(msg, "11th tokens differ - expected: 'x', found: 'k'");
        run(CHECKER_TOKENS, "\x01\xff", "\x01\xfe");
        cr_expect_str_eq(msg, "1st tokens differ - expected: '?\?', found: '?\?'");
        run(CHECKER_EXACT, "a\rb\n", "a\tb\n");
        cr_expect_str_eq(msg, "first difference at byte 2; 1st lines differ - expected: "
                              "'a\\tb', found: 'a\\rb'");
        cr_assert_eq(run(CHECKER_TOKENS, "a", "a"), CHECK_AC);
        cr_expect_str_empty(msg);
}

/* Long text is shown as testlib's compress() does, never cut inside a
 * UTF-8 sequence, and the message never passes msg_size. */
Test(checker, messages_are_bounded)
{
        char out[4096], ans[4096], small[40];
        struct checker_opts o;
        size_t i, size;

        for (i = 0; i + 2 < sizeof(out); i += 2) {
                memcpy(out + i, "\xc3\xa9", 2); /* é */
                memcpy(ans + i, "\xc3\xa9", 2);
        }
        out[i] = ans[i] = '\0';
        ans[i - 1] = 'x';
        ans[i - 2] = 'y';
        cr_assert_eq(run(CHECKER_TOKENS, out, ans), CHECK_WA);
        cr_expect(strlen(msg) < 200, "%zu", strlen(msg));
        cr_expect(strstr(msg, "...") != NULL);
        for (i = 0; msg[i]; i++)
                if (((unsigned char)msg[i] & 0xE0) == 0xC0)
                        cr_expect(((unsigned char)msg[i + 1] & 0xC0) == 0x80, "split at %zu", i);
        checker_opts_default(&o, CHECKER_TOKENS);
        for (size = 0; size < sizeof(small); size++) {
                memset(small, 'Z', sizeof(small));
                cr_assert_eq(checker_compare(&o, out, strlen(out), ans, strlen(ans),
                                             size ? small : NULL, size),
                             CHECK_WA);
                if (size == 0)
                        continue;
                cr_expect(memchr(small, '\0', size) != NULL, "size %zu", size);
                for (i = 0; small[i]; i++)
                        if (((unsigned char)small[i] & 0xE0) == 0xC0)
                                cr_expect(((unsigned char)small[i + 1] & 0xC0) == 0x80);
        }
        checker_compare(&o, "a", 1, "b", 1, small, 1);
        cr_expect_str_eq(small, "");
}

Test(checker, huge_outputs_are_linear)
{
        size_t n = 8u << 20, i;
        char *a = malloc(n), *b = malloc(n);
        enum checker_kind k;

        cr_assert(a && b);
        for (i = 0; i < n; i++)
                a[i] = "12 \n"[i % 4];
        memcpy(b, a, n);
        for (k = 0; k < CHECKER_PROGRAM; k++) {
                struct checker_opts o;

                checker_opts_default(&o, k);
                cr_expect_eq(checker_compare(&o, a, n, b, n, msg, sizeof(msg)), CHECK_AC);
        }
        b[n - 2] = '3';
        for (k = 0; k < CHECKER_PROGRAM; k++) {
                struct checker_opts o;

                checker_opts_default(&o, k);
                cr_expect_eq(checker_compare(&o, a, n, b, n, msg, sizeof(msg)), CHECK_WA, "%s",
                             checker_kind_name(k));
        }
        /* One 8 MB line of digits: a long number token. */
        memset(a, '7', n);
        memcpy(b, a, n);
        for (k = 0; k < CHECKER_PROGRAM; k++) {
                struct checker_opts o;

                checker_opts_default(&o, k);
                cr_expect_eq(checker_compare(&o, a, n, b, n, msg, sizeof(msg)), CHECK_AC);
        }
        free(a);
        free(b);
}

Test(checker, program_is_not_built_in)
{
        struct checker_opts o;

        checker_opts_default(&o, CHECKER_PROGRAM);
        cr_expect_eq(checker_compare(&o, "a", 1, "a", 1, msg, sizeof(msg)), CHECK_FAIL);
}

Test(checker, program_verdict)
{
        double pts = -1;
        const char *p = "points 0.25 partial\n";

        cr_expect_eq(checker_program_verdict(0, 0, "", 0, &pts), CHECK_AC);
        cr_expect_eq(checker_program_verdict(1, 0, "", 0, &pts), CHECK_WA);
        cr_expect_eq(checker_program_verdict(2, 0, "", 0, &pts), CHECK_PE);
        cr_expect_eq(checker_program_verdict(3, 0, "", 0, &pts), CHECK_FAIL);
        cr_expect_eq(checker_program_verdict(8, 0, "", 0, &pts), CHECK_PE);
        cr_expect_eq(checker_program_verdict(4, 0, "", 0, &pts), CHECK_FAIL);
        cr_expect_eq(checker_program_verdict(-1, 0, "", 0, &pts), CHECK_FAIL);
        cr_expect_eq(checker_program_verdict(255, 0, "", 0, &pts), CHECK_FAIL);
        cr_expect_eq(checker_program_verdict(0, 9, "", 0, &pts), CHECK_FAIL);
        cr_expect_eq(checker_program_verdict(7, 0, "", 0, &pts), CHECK_FAIL);
        cr_expect_eq(checker_program_verdict(7, 0, NULL, 0, &pts), CHECK_FAIL);
        cr_expect_eq(checker_program_verdict(7, 0, "points x", 8, &pts), CHECK_FAIL);
        cr_expect_eq(checker_program_verdict(7, 0, p, strlen(p), &pts), CHECK_WA);
        cr_expect_eq(pts, 0.25);
        p = "ok\npoints 17";
        cr_expect_eq(checker_program_verdict(7, 0, p, strlen(p), &pts), CHECK_WA);
        cr_expect_eq(pts, 17);
        /* The number must be inside the given length. */
        cr_expect_eq(checker_program_verdict(7, 0, "points 5", 7, &pts), CHECK_FAIL);
        cr_expect_eq(checker_program_verdict(7, 0, p, strlen(p), NULL), CHECK_WA);
}
