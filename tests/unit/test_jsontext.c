/* Unit tests: JSON text identical to Python's json.dumps and serde_json. */
#include <criterion/criterion.h>
#include <string.h>

#include "util/jsontext.h"

static void check(int (*enc)(struct buf *, const char *, size_t), const char *in, size_t n,
                  const char *want)
{
        struct buf b;

        buf_init(&b, 0);
        cr_assert_eq(enc(&b, in, n), 0);
        cr_assert_str_eq(b.data, want);
        buf_free(&b);
}

Test(jsontext, python_escapes_like_json_dumps)
{
        /* json.dumps("a\"b\\c\n\r\t\b\f\x01\x7f") */
        check(jsontext_py_string, "a\"b\\c\n\r\t\b\f\x01\x7f", 12,
              "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u007f\"");
        /* json.dumps("é€😀") == '"\\u00e9\\u20ac\\ud83d\\ude00"' */
        check(jsontext_py_string, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9,
              "\"\\u00e9\\u20ac\\ud83d\\ude00\"");
        check(jsontext_py_string, "/", 1, "\"/\"");
}

Test(jsontext, serde_keeps_unicode_raw)
{
        check(jsontext_serde_string, "\xC3\xA9\x7f/", 4, "\"\xC3\xA9\x7f/\"");
        check(jsontext_serde_string, "\x1f", 1, "\"\\u001f\"");
}

Test(jsontext, nul_and_invalid_bytes)
{
        check(jsontext_py_string, "a\0b", 3, "\"a\\u0000b\"");
        check(jsontext_serde_string, "a\xFF", 2, "\"a\xEF\xBF\xBD\"");
        check(jsontext_py_string, "a\xFF", 2, "\"a\\ufffd\"");
}
