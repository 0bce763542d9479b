/* Unit tests: jsonfast decodes what the server's clients send, to the
 * values jansson gives, and declines (so jansson answers) everything else. */
#include <criterion/criterion.h>
#include <string.h>

#include "util/jsonfast.h"

#define REQ (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

/* The text decodes fast, to what jansson makes of it. */
static void agrees(const char *text, size_t flags)
{
        json_error_t e;
        json_t *fast = jsonfast_decode(text, strlen(text), flags);
        json_t *ref = json_loadb(text, strlen(text), flags, &e);
        char *a, *b;

        cr_assert(fast, "declined: %s", text);
        cr_assert(ref, "jansson refuses %s: %s", text, e.text);
        a = json_dumps(fast, JSON_ENCODE_ANY | JSON_COMPACT);
        b = json_dumps(ref, JSON_ENCODE_ANY | JSON_COMPACT);
        cr_assert_str_eq(a, b);
        free(a);
        free(b);
        json_decref(fast);
        json_decref(ref);
}

/* The fast decoder declines; jsonfast_loadb still answers as jansson. */
static void declines(const char *text, size_t len, size_t flags)
{
        json_error_t e1, e2;
        json_t *ref = json_loadb(text, len, flags, &e1);
        json_t *both = jsonfast_loadb(text, len, flags, &e2);

        cr_assert_null(jsonfast_decode(text, len, flags), "accepted: %s", text);
        cr_assert_eq(!ref, !both);
        if (!ref)
                cr_assert_str_eq(e1.text, e2.text);
        json_decref(ref);
        json_decref(both);
}

Test(jsonfast, a_judge_request)
{
        agrees("{\"language\": \"cpp\", \"code\": \"#include <cstdio>\\nint main(){}\\n\",\n"
               " \"tests\": [{\"stdin\": \"1 2\\n\", \"expected\": \"3\\n\"},\n"
               "             {\"stdin\": null, \"expected\": \"\"}],\n"
               " \"limits\": {\"wall_ms\": 2000, \"memory_mb\": 256}, \"stop_on_first_failure\": "
               "false}",
               REQ);
}

Test(jsonfast, every_value_type)
{
        agrees("[0, -0, 7, -12, 9223372036854775807, -9223372036854775808, 1.5, -0.0, 2e10, 1E-3,"
               " 3.25e+2, 1e-400, true, false, null, \"\", {}, [], [[]], {\"a\": {\"b\": []}}]",
               0);
        agrees("  \"a scalar\" ", JSON_DECODE_ANY);
        agrees("12", JSON_DECODE_ANY);
}

Test(jsonfast, strings_and_escapes)
{
        agrees("[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\", \"\\u00e9\\u4e2d\\ud83d\\ude00\","
               " \"caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80\", \"\x7f\"]",
               0);
        agrees("{\"nul\": \"a\\u0000b\"}", REQ);
}

Test(jsonfast, key_order_is_kept)
{
        agrees("{\"z\": 1, \"a\": 2, \"m\": 3}", 0);
}

Test(jsonfast, declines_what_jansson_refuses)
{
        static const char *const bad[] = {
            "",
            "   ",
            "{",
            "{\"a\":1,}",
            "[1,]",
            "[01]",
            "[1.]",
            "[.5]",
            "[-]",
            "[1e]",
            "[tru]",
            "[truex]",
            "[nul]",
            "{\"a\" 1}",
            "{a:1}",
            "[\"\\x\"]",
            "[\"\\u12\"]",
            "[\"\\ud800\"]",
            "[\"\\udc00\"]",
            "[\"\\ud800\\u0041\"]",
            "[\"a\tb\"]",
            "[1] x",
            "[1e400]",
            "[9223372036854775808]",
            "[-9223372036854775809]",
            "\"top\"",
            "7",
            "[\"\xc0\xaf\"]",
            "[\"\xed\xa0\x80\"]",
            "[\"\xf4\x90\x80\x80\"]",
            "[\"\xe2\x82\"]",
            "\xef\xbb\xbf{}",
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                declines(bad[i], strlen(bad[i]), 0);
        declines("[\"\\u0000\"]", 10, 0);       /* NUL only under JSON_ALLOW_NUL */
        declines("{\"k\\u0000\": 1}", 14, REQ); /* never in a key */
        declines("[1, \0]", 6, 0);
}

Test(jsonfast, leaves_duplicates_and_depth_to_jansson)
{
        char deep[2 * (JSONFAST_MAX_DEPTH + 2) + 1];

        declines("{\"a\": 1, \"a\": 2}", 16, REQ); /* an error under REJECT_DUPLICATES */
        declines("{\"a\": 1, \"a\": 2}", 16, 0);   /* the last wins otherwise */
        memset(deep, '[', JSONFAST_MAX_DEPTH + 2);
        memset(deep + JSONFAST_MAX_DEPTH + 2, ']', JSONFAST_MAX_DEPTH + 2);
        deep[sizeof(deep) - 1] = '\0';
        declines(deep, strlen(deep), 0); /* jansson takes it: 2048 levels are its limit */
}

Test(jsonfast, unknown_flags_decline)
{
        declines("[1]", 3, JSON_DECODE_INT_AS_REAL);
        declines("[1] junk", 8, JSON_DISABLE_EOF_CHECK);
}
