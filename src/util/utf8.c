/* utf8: lossy UTF-8 repair (see utf8.h).
 *
 * The decoder follows the table of well-formed byte sequences (Unicode 15,
 * table 3-7): after a valid lead byte, the first continuation byte has a
 * lead-specific range (E0: A0..BF, ED: 80..9F, F0: 90..BF, F4: 80..8F), later
 * ones 80..BF. A sequence that breaks off is replaced by a single U+FFFD and
 * decoding resumes at the offending byte. */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

static const char REPLACEMENT[] = "\xEF\xBF\xBD";

/* Returns the length of the well-formed sequence at p, or -(bytes of the
 * maximal ill-formed subpart) when it is ill-formed (at least -1). */
static int utf8_seq(const unsigned char *p, size_t n)
{
        unsigned char c = p[0];
        unsigned char lo = 0x80, hi = 0xBF;
        int need, i;

        if (c < 0x80)
                return 1;
        if (c >= 0xC2 && c <= 0xDF)
                need = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                if (c == 0xE0)
                        lo = 0xA0;
                else if (c == 0xED)
                        hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                if (c == 0xF0)
                        lo = 0x90;
                else if (c == 0xF4)
                        hi = 0x8F;
        } else
                return -1;
        for (i = 1; i <= need; i++) {
                if ((size_t)i >= n)
                        return -i;
                if (p[i] < lo || p[i] > hi)
                        return -i;
                lo = 0x80;
                hi = 0xBF;
        }
        return need + 1;
}

size_t utf8_seq_len(const char *p, size_t n)
{
        int len = utf8_seq((const unsigned char *)p, n);

        return len > 0 ? (size_t)len : 0;
}

/* The index of the first byte at or after i in p[0..n) that is not ASCII
 * (n if none), eight bytes at a time. */
static size_t skip_ascii(const unsigned char *p, size_t i, size_t n)
{
        while (i + 8 <= n) {
                uint64_t w;

                memcpy(&w, p + i, 8);
                if (w & 0x8080808080808080ULL)
                        break;
                i += 8;
        }
        while (i < n && p[i] < 0x80)
                i++;
        return i;
}

bool utf8_valid(const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *)s;

        for (size_t i = skip_ascii(p, 0, n); i < n; i = skip_ascii(p, i, n)) {
                int len = utf8_seq(p + i, n - i);

                if (len <= 0)
                        return false;
                i += (size_t)len;
        }
        return true;
}

int utf8_append_lossy(struct buf *out, const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t start = 0, i = 0;

        while ((i = skip_ascii(p, i, n)) < n) {
                int len = utf8_seq(p + i, n - i);

                if (len > 0) {
                        i += (size_t)len;
                        continue;
                }
                if (buf_append(out, s + start, i - start) < 0 ||
                    buf_append(out, REPLACEMENT, 3) < 0)
                        return -1;
                i += (size_t)(-len);
                start = i;
        }
        return buf_append(out, s + start, n - start);
}

size_t utf8_complete_prefix(const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t i = n, back = 0;

        /* Walk back over at most 3 continuation bytes to the last lead. */
        while (i > 0 && back < 4 && (p[i - 1] & 0xC0) == 0x80) {
                i--;
                back++;
        }
        if (i == 0 || back >= 4)
                return n;
        if (p[i - 1] >= 0xC0) {
                size_t want = p[i - 1] >= 0xF0 ? 4 : p[i - 1] >= 0xE0 ? 3 : 2;
                if (back + 1 < want)
                        return i - 1;
        }
        return n;
}
