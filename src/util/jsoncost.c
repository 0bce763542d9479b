/* jsoncost: the encoded cost of program output (see jsoncost.h). */
#include "jsoncost.h"

/* Cost of an ASCII byte in each mode. */
static unsigned ascii_cost(enum jcost_mode mode, unsigned char c)
{
        bool short_escape =
            c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f';

        switch (mode) {
        case JCOST_TEXT:
                return 1;
        case JCOST_JSON:
                return short_escape ? 2 : c < 0x20 ? 6 : 1;
        case JCOST_JSON_ASCII:
                return short_escape ? 2 : c < 0x20 || c == 0x7f ? 6 : 1;
        case JCOST_JSON_NESTED:
                /* \" -> \\\" ; \n -> \\n ; \u0001 -> \\u0001 */
                return c == '"' || c == '\\' ? 4 : short_escape ? 3 : c < 0x20 ? 7 : 1;
        }
        return 6;
}

/* A lead byte or a byte standing alone: what one replacement character or
 * one code point's escape costs at most. */
static unsigned lead_cost(enum jcost_mode mode)
{
        return mode == JCOST_JSON_ASCII ? 6 : 3;
}

/* A continuation byte completing or extending a valid sequence: the rest of
 * the character's cost (raw: one byte each beyond the second; ensure_ascii:
 * a second \uXXXX for the 4-byte ones, which become surrogate pairs). */
static unsigned cont_cost(enum jcost_mode mode, const struct jcost_meter *m)
{
        unsigned seen = (unsigned)(m->len - m->need); /* bytes before this one */

        if (mode == JCOST_JSON_ASCII)
                return m->len == 4 && m->need == 1 ? 6 : 0;
        return seen >= 2 ? 1 : 0;
}

static void start_sequence(struct jcost_meter *m, unsigned char c)
{
        m->lo = 0x80;
        m->hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
                m->len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
                m->len = 3;
                if (c == 0xE0)
                        m->lo = 0xA0;
                else if (c == 0xED)
                        m->hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
                m->len = 4;
                if (c == 0xF0)
                        m->lo = 0x90;
                else if (c == 0xF4)
                        m->hi = 0x8F;
        } else {
                m->len = 0; /* C0, C1, F5..FF: never valid */
        }
        m->need = m->len ? (uint8_t)(m->len - 1) : 0;
}

size_t jcost_fit(struct jcost_meter *m, enum jcost_mode mode, const char *p, size_t n,
                 uint64_t *budget)
{
        const unsigned char *s = (const unsigned char *)p;
        size_t i;

        if (m->full)
                return 0;
        for (i = 0; i < n; i++) {
                unsigned char c = s[i];
                unsigned cost;
                struct jcost_meter next = *m;

                if (m->need && c >= m->lo && c <= m->hi) {
                        cost = cont_cost(mode, m);
                        next.need--;
                        next.lo = 0x80;
                        next.hi = 0xBF;
                } else if (c < 0x80) {
                        next.need = 0;
                        cost = ascii_cost(mode, c);
                } else {
                        /* a lead, or a byte that ends what came before and
                         * stands alone as one replacement character */
                        start_sequence(&next, c);
                        cost = lead_cost(mode);
                }
                if (cost > *budget) {
                        m->full = true;
                        return i;
                }
                *budget -= cost;
                *m = next;
        }
        return n;
}

size_t utf8_safe_cut(const char *p, size_t n, size_t want)
{
        const unsigned char *s = (const unsigned char *)p;
        size_t i;

        if (want >= n)
                return n;
        for (i = want; i > 0 && i + 3 > want; i--) {
                if ((s[i] & 0xC0) != 0x80)
                        return i;
                if (i >= 3 && (s[i - 1] & 0xC0) == 0x80 && (s[i - 2] & 0xC0) == 0x80 &&
                    (s[i - 3] & 0xC0) == 0x80)
                        return i;
        }
        return i;
}
