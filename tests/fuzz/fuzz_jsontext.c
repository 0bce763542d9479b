/* fuzz_jsontext: libFuzzer target for the response encoders
 * (src/util/jsontext.c, src/util/utf8.c).
 *
 * For any bytes the program may print, checks:
 *  - utf8_append_lossy() yields valid UTF-8, and leaves valid UTF-8 as is;
 *  - jsontext_py_string() (Python's json.dumps) yields pure ASCII with no
 *    control characters, jsontext_serde_string() (serde_json) valid UTF-8
 *    with no raw control characters;
 *  - both are one JSON string literal that a strict parser (jansson, RFC
 *    8259) reads back as exactly the lossy-decoded input;
 *  - jsontext_jansson_string() is byte for byte what json_dumps() writes
 *    for that lossy-decoded text;
 *  - utf8_complete_prefix() never cuts inside a character and drops at most
 *    three bytes.
 * tests/fuzz/jsontext_vs_python.py checks the same text against Python's
 * own json.loads and bytes.decode("utf-8", "replace"). */
#define _GNU_SOURCE
#include <assert.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsontext.h"
#include "util/buf.h"
#include "util/utf8.h"

/* Strict UTF-8 check written from RFC 3629 independently of utf8.c. */
static bool valid_utf8(const unsigned char *s, size_t n)
{
        size_t i = 0;

        while (i < n) {
                unsigned c = s[i], need;
                uint32_t cp;

                if (c < 0x80) {
                        i++;
                        continue;
                }
                if (c >= 0xC2 && c <= 0xDF)
                        need = 1, cp = c & 0x1F;
                else if (c >= 0xE0 && c <= 0xEF)
                        need = 2, cp = c & 0x0F;
                else if (c >= 0xF0 && c <= 0xF4)
                        need = 3, cp = c & 0x07;
                else
                        return false;
                for (unsigned k = 1; k <= need; k++) {
                        if (i + k >= n || (s[i + k] & 0xC0) != 0x80)
                                return false;
                        cp = (cp << 6) | (s[i + k] & 0x3F);
                }
                if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
                    (cp >= 0xD800 && cp <= 0xDFFF))
                        return false;
                i += need + 1;
        }
        return true;
}

static void check_literal(const struct buf *lit, const struct buf *lossy)
{
        json_error_t jerr;
        json_t *j = json_loadb(lit->data, lit->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);

        assert(lit->len >= 2 && lit->data[0] == '"' && lit->data[lit->len - 1] == '"');
        assert(j && json_is_string(j));
        assert(json_string_length(j) == lossy->len);
        assert(lossy->len == 0 || memcmp(json_string_value(j), lossy->data, lossy->len) == 0);
        json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct buf lossy, py, serde;
        size_t p;

        buf_init(&lossy, 0);
        buf_init(&py, 0);
        buf_init(&serde, 0);
        assert(utf8_append_lossy(&lossy, (const char *)data, size) == 0);
        if (!lossy.data)
                buf_puts(&lossy, ""); /* empty input: make data non-NULL */
        assert(valid_utf8((const unsigned char *)lossy.data, lossy.len));
        if (valid_utf8(data, size))
                assert(lossy.len == size && memcmp(lossy.data, data, size) == 0);
        else
                assert(memmem(lossy.data, lossy.len, "\xEF\xBF\xBD", 3) != NULL);

        assert(jsontext_py_string(&py, (const char *)data, size) == 0);
        assert(jsontext_serde_string(&serde, (const char *)data, size) == 0);
        for (size_t i = 0; i < py.len; i++)
                assert((unsigned char)py.data[i] >= 0x20 && (unsigned char)py.data[i] < 0x7f);
        assert(valid_utf8((const unsigned char *)serde.data, serde.len));
        for (size_t i = 0; i < serde.len; i++)
                assert((unsigned char)serde.data[i] >= 0x20);
        check_literal(&py, &lossy);
        check_literal(&serde, &lossy);

        /* jsontext_jansson_string writes exactly json_dumps' text */
        {
                struct buf jj;
                json_t *js = json_stringn(lossy.data ? lossy.data : "", lossy.len);
                char *want = js ? json_dumps(js, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

                buf_init(&jj, 0);
                assert(want && jsontext_jansson_string(&jj, (const char *)data, size) == 0);
                assert(jj.len == strlen(want) && memcmp(jj.data, want, jj.len) == 0);
                free(want);
                json_decref(js);
                buf_free(&jj);
        }

        p = utf8_complete_prefix((const char *)data, size);
        assert(p <= size);
        for (size_t k = 0; k <= lossy.len; k += 1 + k / 3) {
                p = utf8_complete_prefix(lossy.data, k);
                assert(p <= k && k - p <= 3);
                assert(valid_utf8((const unsigned char *)lossy.data, p));
        }
        buf_free(&lossy);
        buf_free(&py);
        buf_free(&serde);
        return 0;
}
