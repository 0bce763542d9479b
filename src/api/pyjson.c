/* pyjson: Python-compatible JSON string literals (see pyjson.h). */
#include "pyjson.h"

#include <stdint.h>

#include "../util/utf8.h"

static int put_u16(struct buf *out, unsigned v)
{
        return buf_appendf(out, "\\u%04x", v);
}

int pyjson_string(struct buf *out, const char *p, size_t n)
{
        struct buf clean;
        const unsigned char *s;
        size_t i = 0;
        int rc = 0;

        buf_init(&clean, 0);
        if (utf8_append_lossy(&clean, p, n) < 0)
                return -1;
        s = (const unsigned char *)(clean.data ? clean.data : "");
        rc |= buf_append(out, "\"", 1);
        while (i < clean.len && rc == 0) {
                unsigned char c = s[i];
                uint32_t cp;

                if (c < 0x80) {
                        i++;
                        switch (c) {
                        case '"': rc = buf_append(out, "\\\"", 2); break;
                        case '\\': rc = buf_append(out, "\\\\", 2); break;
                        case '\n': rc = buf_append(out, "\\n", 2); break;
                        case '\r': rc = buf_append(out, "\\r", 2); break;
                        case '\t': rc = buf_append(out, "\\t", 2); break;
                        case '\b': rc = buf_append(out, "\\b", 2); break;
                        case '\f': rc = buf_append(out, "\\f", 2); break;
                        default:
                                rc = c < 0x20 ? put_u16(out, c) : buf_append(out, (const char *)&c, 1);
                        }
                        continue;
                }
                /* clean holds valid UTF-8 only. */
                if (c >= 0xF0) {
                        cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12) |
                             ((uint32_t)(s[i + 2] & 0x3F) << 6) | (uint32_t)(s[i + 3] & 0x3F);
                        i += 4;
                        cp -= 0x10000;
                        rc = put_u16(out, 0xD800 + (cp >> 10));
                        if (rc == 0)
                                rc = put_u16(out, 0xDC00 + (cp & 0x3FF));
                        continue;
                }
                if (c >= 0xE0) {
                        cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) |
                             (uint32_t)(s[i + 2] & 0x3F);
                        i += 3;
                } else {
                        cp = ((uint32_t)(c & 0x1F) << 6) | (uint32_t)(s[i + 1] & 0x3F);
                        i += 2;
                }
                rc = put_u16(out, cp);
        }
        if (rc == 0)
                rc = buf_append(out, "\"", 1);
        buf_free(&clean);
        return rc;
}
