/* Unit tests: the in-memory test bank and the JSONL bank parser. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "bank/bank.h"
#include "bank/jsonl.h"
#include "bank/store.h"

static void digest_of(const char *s, unsigned char d[16])
{
        md5(s, strlen(s), d);
}

static const char *find(struct bank *b, const char *test)
{
        unsigned char d[16];
        size_t len;

        digest_of(test, d);
        return bank_find(b, d, &len);
}

Test(bank, add_find_duplicate_conflict)
{
        struct bank *b = bank_new();
        unsigned char d[16];
        struct err e = {0, ""};
        size_t len;

        digest_of("assert f(1) == 1", d);
        cr_assert_eq(bank_add(b, d, "assert f(1) == 1", 16, &e), BANK_ADDED);
        cr_assert_eq(bank_add(b, d, "assert f(1) == 1", 16, &e), BANK_DUPLICATE);
        cr_assert_eq(bank_add(b, d, "something else", 14, &e), -1);
        cr_assert(strstr(e.msg, "already taken"), "%s", e.msg);
        cr_assert_eq(bank_count(b), 1);
        cr_assert_str_eq(bank_find(b, d, &len), "assert f(1) == 1");
        cr_assert_eq(len, 16);
        digest_of("absent", d);
        cr_assert_null(bank_find(b, d, &len));
        bank_free(b);
}

Test(bank, many_entries_grow_and_keep_order)
{
        struct bank *b = bank_new();
        struct err e = {0, ""};
        char t[64];

        for (int i = 0; i < 20000; i++) {
                unsigned char d[16];
                int n = snprintf(t, sizeof(t), "assert g(%d) == %d", i, 2 * i);
                md5(t, (size_t)n, d);
                cr_assert_eq(bank_add(b, d, t, (size_t)n, &e), BANK_ADDED);
        }
        cr_assert_eq(bank_count(b), 20000);
        for (int i = 0; i < 20000; i += 997) {
                const unsigned char *d;
                size_t len;
                snprintf(t, sizeof(t), "assert g(%d) == %d", i, 2 * i);
                cr_assert_str_eq(find(b, t), t);
                cr_assert_str_eq(bank_at(b, (size_t)i, &d, &len), t);
        }
        bank_free(b);
}

Test(bank, merge_and_conflict)
{
        struct bank *a = bank_new(), *s = bank_new();
        struct err e = {0, ""};
        unsigned char d[16];

        digest_of("x", d);
        bank_add(a, d, "x", 1, &e);
        bank_add(s, d, "x", 1, &e);
        digest_of("y", d);
        bank_add(s, d, "y", 1, &e);
        cr_assert_eq(bank_conflict(a, s), -1);
        cr_assert_eq(bank_reserve(a, bank_count(s)), 0);
        cr_assert_eq(bank_merge(a, s), 1);
        cr_assert_eq(bank_count(a), 2);
        cr_assert_eq(bank_count(s), 0);
        /* a forged entry: y's digest with another text */
        bank_add(s, d, "z", 1, &e);
        cr_assert_eq(bank_conflict(a, s), 0);
        bank_free(a);
        bank_free(s);
}

static int parse(struct bank *b, const char *text, struct jsonl_stats *st, struct err *e)
{
        return jsonl_parse(b, text, strlen(text), "f.jsonl", st, e);
}

Test(jsonl, tests_with_and_without_hash)
{
        struct bank *b = bank_new();
        struct jsonl_stats st;
        struct err e = {0, ""};
        const char *text =
            "{\"test\": \"assert True\"}\n"
            "\n"
            "{\"test\": \"assert 1\", \"hash\": \"CE917A36E67296282CDAB3455D5DBED8\","
            " \"task_id\": 7}\r\n"
            "{\"test\": \"assert True\"}\n"
            "{\"hash\": null, \"test\": \"nul\\u0000inside\"}";

        cr_assert_eq(parse(b, text, &st, &e), 0, "%s", e.msg);
        cr_assert_eq(st.lines, 4);
        cr_assert_eq(st.added, 3);
        cr_assert_eq(st.duplicates, 1);
        cr_assert_str_eq(find(b, "assert True"), "assert True");
        cr_assert_not_null(find(b, "assert 1"));
        {
                unsigned char d[16];
                size_t len;
                md5("nul\0inside", 10, d);
                cr_assert_not_null(bank_find(b, d, &len));
                cr_assert_eq(len, 10);
        }
        bank_free(b);
}

static void expect_error(const char *text, size_t line, const char *needle)
{
        struct bank *b = bank_new();
        struct jsonl_stats st;
        struct err e = {0, ""};
        char want[64];

        cr_assert_eq(parse(b, text, &st, &e), -1, "accepted: %s", text);
        cr_assert_eq(st.error_line, line, "line %zu, want %zu (%s)", st.error_line, line, e.msg);
        snprintf(want, sizeof(want), "f.jsonl:%zu: ", line);
        cr_assert(strncmp(e.msg, want, strlen(want)) == 0, "%s", e.msg);
        cr_assert(strstr(e.msg, needle), "'%s' lacks '%s'", e.msg, needle);
        bank_free(b);
}

Test(jsonl, errors_name_the_line)
{
        expect_error("{\"test\": \"a\"}\n{\"test\": \"b\"\n", 2, "invalid JSON");
        expect_error("{\"test\": \"a\"}\n\n[1]\n", 3, "not a JSON object");
        expect_error("{\"tests\": \"a\"}", 1, "no \"test\" field");
        expect_error("{\"test\": 5}", 1, "not a string");
        expect_error("{\"test\": \"a\", \"hash\": \"xyz\"}", 1, "32 hex digits");
        expect_error("{\"test\": \"a\", \"hash\": \"0cc175b9c0f1b6a831c399e269772662\"}", 1,
                     "is not the MD5");
        expect_error("{\"test\": \"a\", \"test\": \"b\"}", 1, "invalid JSON");
        expect_error("{\"test\": \"\\ud800\"}", 1, "invalid JSON");
}

Test(jsonl, tests_object)
{
        struct bank *b = bank_new();
        struct jsonl_stats st;
        struct err e = {0, ""};
        unsigned char *ds = NULL, d[16];
        const char *ok = "{\"tests\": [\"a\", \"b\", \"a\"]}";

        cr_assert_eq(jsonl_parse_tests_object(b, ok, strlen(ok), &st, &ds, &e), 0, "%s", e.msg);
        cr_assert_eq(st.added, 2);
        cr_assert_eq(st.duplicates, 1);
        md5("b", 1, d);
        cr_assert(memcmp(ds + 16, d, 16) == 0);
        free(ds);
        cr_assert_eq(jsonl_parse_tests_object(b, "{\"tests\": [1]}", 14, &st, NULL, &e), -1);
        cr_assert(strstr(e.msg, "[0]"), "%s", e.msg);
        cr_assert_eq(jsonl_parse_tests_object(b, "{\"test\": \"a\"}", 13, &st, NULL, &e), -1);
        bank_free(b);
}

Test(jsonl, duplicate_hash_for_another_test_is_named)
{
        /* md5("a") given again for "b" */
        expect_error("{\"test\": \"a\"}\n{\"test\": \"b\", \"hash\": "
                     "\"0cc175b9c0f1b6a831c399e269772661\"}\n",
                     2, "duplicate \"hash\"");
}

Test(jsonl, fast_path_decodes_like_jansson)
{
        /* escapes, a surrogate pair, raw UTF-8, NUL, keys in any order */
        static const char want[] = "\xF0\x9F\x98\x80 \xC3\xA9 \\ \" / \b\f\n\r\t \xE2\x82\xAC\0!";
        const char *text =
            "{\"hash\": null, \"test\": \"\\ud83d\\ude00 \xC3\xA9 \\\\ \\\" \\/ "
            "\\b\\f\\n\\r\\t \\u20AC\\u0000!\"}\n"
            "{ \"test\" : \"plain\" , \"hash\" : \"b0b5b6e1d8dfa2ab0d8d8bd0f1c4cd60\" }";
        struct bank *b = bank_new();
        struct jsonl_stats st;
        struct err e = {0, ""};
        unsigned char d[16];
        size_t len;
        const char *got;

        /* "plain" has another MD5: the second line must fail on its hash, on line 2 */
        cr_assert_eq(parse(b, text, &st, &e), -1);
        cr_assert_eq(st.error_line, 2, "%s", e.msg);
        cr_assert(strstr(e.msg, "is not the MD5"), "%s", e.msg);
        md5(want, sizeof(want) - 1, d);
        got = bank_find(b, d, &len);
        cr_assert_not_null(got);
        cr_assert_eq(len, sizeof(want) - 1);
        cr_assert(memcmp(got, want, len) == 0);
        bank_free(b);
}

Test(jsonl, what_jansson_refuses_stays_refused)
{
        expect_error("{\"test\": \"\xFF\"}", 1, "invalid JSON");         /* invalid UTF-8 */
        expect_error("{\"test\": \"\xC0\xAF\"}", 1, "invalid JSON");     /* overlong */
        expect_error("{\"test\": \"\xED\xA0\x80\"}", 1, "invalid JSON"); /* encoded surrogate */
        expect_error("{\"test\": \"a\tb\"}", 1, "invalid JSON");         /* raw control char */
        expect_error("{\"test\": \"\\udc00\"}", 1, "invalid JSON");      /* lone low surrogate */
        expect_error("{\"test\": \"\\ud800x\"}", 1, "invalid JSON");     /* lone high surrogate */
        expect_error("{\"test\": \"\\x\"}", 1, "invalid JSON");          /* bad escape */
        expect_error("{\"test\": \"a\"} x", 1, "invalid JSON");          /* trailing text */
        expect_error("{\"test\": \"a\",}", 1, "invalid JSON");           /* trailing comma */
        expect_error("{\"test\": \"a\", \"hash\": \"1\", \"hash\": \"2\"}", 1, "invalid JSON");
        expect_error("{}", 1, "no \"test\" field");
}

Test(store, bank_names)
{
        static const char *const good[] = {"mbpp", "nuprl/MultiPL-E", "a.b_c-d", "x/y.jsonl", "0",
                                           NULL};
        static const char *const bad[] = {"",   ".",  "..",  ".hidden", "a/..", "../a", "a/b/c",
                                          "/a", "a/", "a b", "a\\b",    "é",    "a/.x", NULL};
        char longname[200];

        for (const char *const *p = good; *p; p++)
                cr_assert(banks_name_valid(*p), "%s", *p);
        for (const char *const *p = bad; *p; p++)
                cr_assert(!banks_name_valid(*p), "%s", *p);
        memset(longname, 'a', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        cr_assert(!banks_name_valid(longname));
        longname[BANK_NAME_MAX] = '\0';
        cr_assert(banks_name_valid(longname));
}
