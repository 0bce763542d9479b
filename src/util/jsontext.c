/* jsontext: Python- and serde-compatible JSON string literals (see jsontext.h). */
#include "jsontext.h"

#include <stdbool.h>
#include <stdint.h>

#include "utf8.h"

static int put_u16(struct buf *out, unsigned v, bool upper)
{
        const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        char esc[6] = {'\\',       'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15],
                       hex[v & 15]};

        return buf_append(out, esc, sizeof(esc));
}

/* Decodes one code point of valid UTF-8 at s; returns its length. */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
        if (s[0] < 0x80) {
                *cp = s[0];
                return 1;
        }
        if (s[0] >= 0xF0) {
                *cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
                      ((uint32_t)(s[2] & 0x3F) << 6) | (uint32_t)(s[3] & 0x3F);
                return 4;
        }
        if (s[0] >= 0xE0) {
                *cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
                      (uint32_t)(s[2] & 0x3F);
                return 3;
        }
        *cp = ((uint32_t)(s[0] & 0x1F) << 6) | (uint32_t)(s[1] & 0x3F);
        return 2;
}

static int encode(struct buf *out, const char *p, size_t n, bool ascii_only, bool quotes,
                  bool upper)
{
        struct buf repaired; /* used only when p is not valid UTF-8 */
        const unsigned char *s = (const unsigned char *)(p ? p : "");
        size_t text_len = n, i = 0;
        int rc;

        buf_init(&repaired, 0);
        if (!utf8_valid(p, n)) {
                if (utf8_append_lossy(&repaired, p, n) < 0) {
                        buf_free(&repaired);
                        return -1;
                }
                s = (const unsigned char *)repaired.data;
                text_len = repaired.len;
        }
        /* most text is written as it is: room for it and the quotes at once */
        rc = buf_reserve(out, text_len + 2);
        if (rc == 0 && quotes)
                rc = buf_puts(out, "\"");
        while (i < text_len && rc == 0) {
                uint32_t cp;
                size_t len, j = i;

                /* a run of bytes written as they are, in one append */
                while (j < text_len && s[j] >= 0x20 && s[j] != '"' && s[j] != '\\' &&
                       (!ascii_only || s[j] < 0x7f))
                        j++;
                if (j > i) {
                        rc = buf_append(out, (const char *)s + i, j - i);
                        i = j;
                        continue;
                }
                len = decode(s + i, &cp);

                switch (cp) {
                case '"':
                        rc = buf_append(out, "\\\"", 2);
                        break;
                case '\\':
                        rc = buf_append(out, "\\\\", 2);
                        break;
                case '\n':
                        rc = buf_append(out, "\\n", 2);
                        break;
                case '\r':
                        rc = buf_append(out, "\\r", 2);
                        break;
                case '\t':
                        rc = buf_append(out, "\\t", 2);
                        break;
                case '\b':
                        rc = buf_append(out, "\\b", 2);
                        break;
                case '\f':
                        rc = buf_append(out, "\\f", 2);
                        break;
                default:
                        if (cp < 0x20 || (ascii_only && cp == 0x7f))
                                /* NOLINTNEXTLINE(bugprone-branch-clone): order matters */
                                rc = put_u16(out, cp, upper);
                        else if (!ascii_only || cp < 0x80)
                                rc = buf_append(out, (const char *)s + i, len);
                        else if (cp >= 0x10000) {
                                rc = put_u16(out, 0xD800 + ((cp - 0x10000) >> 10), upper);
                                if (rc == 0)
                                        rc = put_u16(out, 0xDC00 + ((cp - 0x10000) & 0x3FF), upper);
                        } else
                                rc = put_u16(out, cp, upper);
                }
                i += len;
        }
        if (rc == 0 && quotes)
                rc = buf_puts(out, "\"");
        buf_free(&repaired);
        return rc;
}

int jsontext_py_string(struct buf *out, const char *p, size_t n)
{
        return encode(out, p, n, true, true, false);
}

int jsontext_serde_string(struct buf *out, const char *p, size_t n)
{
        return encode(out, p, n, false, true, false);
}

int jsontext_py_chars(struct buf *out, const char *p, size_t n)
{
        return encode(out, p, n, true, false, false);
}

int jsontext_serde_chars(struct buf *out, const char *p, size_t n)
{
        return encode(out, p, n, false, false, false);
}

int jsontext_jansson_string(struct buf *out, const char *p, size_t n)
{
        return encode(out, p, n, false, true, true);
}
