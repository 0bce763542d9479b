/* checker: the built-in output comparators of judge mode (see checker.h and
 * docs/checkers.md, which states every rule and whose behaviour it is).
 *
 * Theory of operation. Every rule walks the output and the answer front to
 * back a bounded number of times (a line count first, or the count of the
 * tokens left for a message), with spans into the caller's buffers: lines
 * are found with memchr, tokens by scanning for separators, and nothing is
 * copied except a number token handed to strtod (which needs a NUL), on the
 * stack when it is short. So each rule is linear in the input and
 * allocates at most one token. strtod reads '.' as the decimal point: the
 * server never calls setlocale, so the C locale holds.
 *
 * Four notions of whitespace, each exactly its reference's:
 *  - testlib (tokens, tokens_float): space, \t, \r, \n; nothing else.
 *  - DMOJ's standard checker (tokens with keep_line_breaks): space, \t,
 *    \v, \f, \r, \n, of which \r and \n are line breaks.
 *  - Ruby's String#rstrip (lines_rstrip, Judge0): NUL, \t, \n, \v, \f, \r,
 *    space.
 *  - Python's str.strip()/str.split() (lines_strip_decimal, sandboxfusion):
 *    Unicode whitespace. The bytes are read as UTF-8 where they are
 *    well-formed and as one opaque character per byte where they are not
 *    (Python's errors="surrogateescape"), so the Python set is \t \n \v \f
 *    \r, \x1c-\x1f, space, and the UTF-8 encodings of U+0085, U+00A0,
 *    U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. Each of
 *    these starts with a byte that can never continue another sequence, so
 *    matching the byte patterns at any offset finds exactly the characters
 *    a decoder would.
 *
 * Messages follow testlib's wording ("2nd tokens differ - expected: '4',
 * found: '5'"); quoted text is cut like testlib's compress() (over 64
 * bytes: the first 30, "...", the last 30, never inside a UTF-8 sequence),
 * made valid UTF-8 (an ill-formed byte becomes '?', NUL '~', \r and \t are
 * escaped) and the whole message is cut at msg_size on a character
 * boundary. */
#include "checker.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/utf8.h"

struct span {
        const char *p;
        size_t n;
};

/* ---- message writer ---------------------------------------------------- */

struct mw {
        char *buf;
        size_t size;
        size_t len;
        bool full;
};

static void mw_init(struct mw *w, char *buf, size_t size)
{
        w->buf = buf;
        w->size = buf ? size : 0;
        w->len = 0;
        w->full = w->size == 0;
        if (w->size)
                buf[0] = '\0';
}

/* Appends p[0..n) whole or not at all (one character, or a run of ASCII
 * that may be cut anywhere when partial is set). */
static void mw_put(struct mw *w, const char *p, size_t n, bool partial)
{
        size_t room;

        if (w->full)
                return;
        room = w->size - 1 - w->len;
        if (n > room) {
                w->full = true;
                if (!partial)
                        return;
                n = room;
        }
        memcpy(w->buf + w->len, p, n);
        w->len += n;
        w->buf[w->len] = '\0';
}

static void mw_str(struct mw *w, const char *s)
{
        mw_put(w, s, strlen(s), true);
}

__attribute__((format(printf, 2, 3))) static void mw_fmt(struct mw *w, const char *fmt, ...)
{
        char tmp[128];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        mw_put(w, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1, true);
}

/* Appends p[0..n) made printable and valid UTF-8. */
static void mw_clean(struct mw *w, const char *p, size_t n)
{
        const unsigned char *u = (const unsigned char *)p;
        size_t i = 0, k;

        while (i < n && !w->full) {
                unsigned char c = u[i];

                if (c == '\r' || c == '\t') {
                        mw_put(w, c == '\r' ? "\\r" : "\\t", 2, false);
                        i++;
                } else if (c == '\0') {
                        mw_put(w, "~", 1, false);
                        i++;
                } else if (c < 0x20 || c == 0x7F ||
                           (k = utf8_seq_len((const char *)u + i, n - i)) == 0) {
                        mw_put(w, "?", 1, false);
                        i++;
                } else {
                        mw_put(w, p + i, k, false);
                        i += k;
                }
        }
}

/* testlib's compress(): text over 64 bytes shows its first and last 30. */
static void mw_quote(struct mw *w, struct span s)
{
        mw_put(w, "'", 1, false);
        if (s.n <= 64) {
                mw_clean(w, s.p, s.n);
        } else {
                size_t head = 30, tail = s.n - 30, k;

                /* Do not cut a well-formed sequence: back off to its start. */
                for (k = 0; k < 3 && head > 0 && ((unsigned char)s.p[head] & 0xC0) == 0x80; k++)
                        head--;
                for (k = 0; k < 3 && tail < s.n && ((unsigned char)s.p[tail] & 0xC0) == 0x80; k++)
                        tail++;
                mw_clean(w, s.p, head);
                mw_put(w, "...", 3, false);
                mw_clean(w, s.p + tail, s.n - tail);
        }
        mw_put(w, "'", 1, false);
}

static const char *ordinal(size_t n)
{
        if (n % 100 / 10 == 1)
                return "th";
        switch (n % 10) {
        case 1:
                return "st";
        case 2:
                return "nd";
        case 3:
                return "rd";
        default:
                return "th";
        }
}

static void mw_differ(struct mw *w, size_t idx, const char *what, struct span exp, struct span got)
{
        mw_fmt(w, "%zu%s %s differ - expected: ", idx, ordinal(idx), what);
        mw_quote(w, exp);
        mw_str(w, ", found: ");
        mw_quote(w, got);
}

/* ---- character classes ------------------------------------------------- */

static bool tl_blank(unsigned char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool rb_space(unsigned char c)
{
        return c == '\0' || c == ' ' || (c >= '\t' && c <= '\r');
}

/* Length of the Python whitespace character at p[0..n), 0 if none. */
static size_t py_ws_at(const unsigned char *p, size_t n)
{
        unsigned char c = p[0];

        if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F))
                return 1;
        if (c == 0xC2)
                return n >= 2 && (p[1] == 0x85 || p[1] == 0xA0) ? 2 : 0;
        if (n < 3)
                return 0;
        if (c == 0xE1)
                return p[1] == 0x9A && p[2] == 0x80 ? 3 : 0;
        if (c == 0xE2 && p[1] == 0x80)
                return (p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 ||
                               p[2] == 0xAF
                           ? 3
                           : 0;
        if (c == 0xE2 && p[1] == 0x81)
                return p[2] == 0x9F ? 3 : 0;
        if (c == 0xE3)
                return p[1] == 0x80 && p[2] == 0x80 ? 3 : 0;
        return 0;
}

/* Length of the Python whitespace character ending at p[n-1], 0 if none. */
static size_t py_ws_before(const unsigned char *p, size_t n)
{
        if (n >= 1 && py_ws_at(p + n - 1, 1) == 1)
                return 1;
        if (n >= 2 && py_ws_at(p + n - 2, 2) == 2)
                return 2;
        if (n >= 3 && py_ws_at(p + n - 3, 3) == 3)
                return 3;
        return 0;
}

/* Python's s.strip() with no argument. */
static struct span py_strip(struct span s)
{
        const unsigned char *u = (const unsigned char *)s.p;
        size_t k;

        while (s.n > 0 && (k = py_ws_at(u, s.n)) > 0) {
                u += k;
                s.n -= k;
        }
        while (s.n > 0 && (k = py_ws_before(u, s.n)) > 0)
                s.n -= k;
        s.p = (const char *)u;
        return s;
}

static bool span_eq(struct span a, struct span b)
{
        return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

/* ---- line and token iteration ------------------------------------------ */

/* Lines of s split at '\n' exactly as Python's s.split("\n"): n+1 pieces
 * for n newlines. */
struct lines {
        struct span s;
        size_t pos;
        bool done;
};

static void lines_init(struct lines *it, struct span s)
{
        it->s = s;
        it->pos = 0;
        it->done = false;
}

static bool lines_next(struct lines *it, struct span *line)
{
        const char *nl;

        if (it->done) {
                line->p = "";
                line->n = 0;
                return false;
        }
        line->p = it->s.p + it->pos;
        nl = it->pos < it->s.n ? memchr(line->p, '\n', it->s.n - it->pos) : NULL;
        if (!nl) {
                line->n = it->s.n - it->pos;
                it->done = true;
        } else {
                line->n = (size_t)(nl - line->p);
                it->pos += line->n + 1;
        }
        return true;
}

static size_t count_lines(struct span s)
{
        size_t n = 1;
        const char *p = s.p, *end = s.p + s.n, *nl;

        while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
                n++;
                p = nl + 1;
        }
        return n;
}

/* testlib tokens: maximal runs of bytes that are not blanks. */
static bool tl_next_token(struct span s, size_t *pos, struct span *tok)
{
        size_t i = *pos;

        while (i < s.n && tl_blank((unsigned char)s.p[i]))
                i++;
        if (i == s.n) {
                *pos = i;
                return false;
        }
        tok->p = s.p + i;
        while (i < s.n && !tl_blank((unsigned char)s.p[i]))
                i++;
        tok->n = (size_t)(s.p + i - tok->p);
        *pos = i;
        return true;
}

static size_t tl_count_tokens(struct span s, size_t pos)
{
        struct span tok;
        size_t n = 0;

        while (tl_next_token(s, &pos, &tok))
                n++;
        return n;
}

/* Python's str.split() tokens. */
static bool py_next_token(struct span s, size_t *pos, struct span *tok)
{
        const unsigned char *u = (const unsigned char *)s.p;
        size_t i = *pos, k;

        while (i < s.n && (k = py_ws_at(u + i, s.n - i)) > 0)
                i += k;
        if (i == s.n) {
                *pos = i;
                return false;
        }
        tok->p = s.p + i;
        while (i < s.n && py_ws_at(u + i, s.n - i) == 0)
                i++;
        tok->n = (size_t)(s.p + i - tok->p);
        *pos = i;
        return true;
}

static unsigned char ascii_lower(unsigned char c)
{
        return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static bool tok_eq(struct span a, struct span b, bool ci)
{
        size_t i;

        if (!ci)
                return span_eq(a, b);
        if (a.n != b.n)
                return false;
        for (i = 0; i < a.n; i++)
                if (ascii_lower((unsigned char)a.p[i]) != ascii_lower((unsigned char)b.p[i]))
                        return false;
        return true;
}

/* strtod over a span: copies it NUL-terminated (on the stack when short).
 * Returns false when the copy could not be allocated or strtod did not
 * consume it all. skip_underscores drops '_' (Python's digit grouping). */
static bool span_strtod(struct span s, bool skip_underscores, double *out, bool *oom)
{
        char stack[128], *buf = stack, *end;
        size_t i, j = 0;
        bool ok;

        if (s.n >= sizeof(stack)) {
                buf = malloc(s.n + 1);
                if (!buf) {
                        *oom = true;
                        return false;
                }
        }
        for (i = 0; i < s.n; i++)
                if (!(skip_underscores && s.p[i] == '_'))
                        buf[j++] = s.p[i];
        buf[j] = '\0';
        *out = strtod(buf, &end);
        ok = j > 0 && *end == '\0';
        if (buf != stack)
                free(buf);
        return ok;
}

/* ---- exact, rstrip_newlines -------------------------------------------- */

static enum check_verdict cmp_bytes(struct span out, struct span ans, struct mw *w)
{
        size_t i = 0, line = 1, start = 0, m = out.n < ans.n ? out.n : ans.n;
        struct span el, gl;
        const char *nl;

        if (span_eq(out, ans))
                return CHECK_AC;
        while (i < m && out.p[i] == ans.p[i]) {
                if (out.p[i] == '\n') {
                        line++;
                        start = i + 1;
                }
                i++;
        }
        el.p = ans.p + start;
        nl = memchr(el.p, '\n', ans.n - start);
        el.n = nl ? (size_t)(nl - el.p) : ans.n - start;
        gl.p = out.p + start;
        nl = memchr(gl.p, '\n', out.n - start);
        gl.n = nl ? (size_t)(nl - gl.p) : out.n - start;
        if (i == out.n)
                mw_fmt(w, "output ends at byte %zu, the answer has %zu bytes; ", i, ans.n);
        else if (i == ans.n)
                mw_fmt(w, "output has %zu bytes after the answer's end; ", out.n - i);
        else
                mw_fmt(w, "first difference at byte %zu; ", i + 1);
        mw_differ(w, line, "lines", el, gl);
        return CHECK_WA;
}

static struct span rstrip_newlines(struct span s)
{
        while (s.n > 0 && s.p[s.n - 1] == '\n')
                s.n--;
        return s;
}

/* ---- lines_rstrip (Judge0) --------------------------------------------- */

static struct span rb_rstrip(struct span s)
{
        while (s.n > 0 && rb_space((unsigned char)s.p[s.n - 1]))
                s.n--;
        return s;
}

/* Judge0's normal form is the rstripped lines up to the last non-empty
 * one: the number of those lines. */
static size_t rb_effective_lines(struct span s)
{
        struct lines it;
        struct span l;
        size_t n = 0, last = 0;

        lines_init(&it, s);
        while (lines_next(&it, &l)) {
                n++;
                if (rb_rstrip(l).n > 0)
                        last = n;
        }
        return last;
}

static enum check_verdict cmp_lines_rstrip(struct span out, struct span ans, struct mw *w)
{
        struct lines io, ia;
        struct span lo = {"", 0}, la = {"", 0};
        size_t n, no = rb_effective_lines(out), na = rb_effective_lines(ans);
        size_t m = no < na ? no : na;

        lines_init(&io, out);
        lines_init(&ia, ans);
        for (n = 1; n <= m + 1 && n <= (no > na ? no : na); n++) {
                lines_next(&io, &lo);
                lines_next(&ia, &la);
                lo = rb_rstrip(lo);
                la = rb_rstrip(la);
                if (n > m)
                        break;
                if (!span_eq(lo, la)) {
                        mw_differ(w, n, "lines", la, lo);
                        return CHECK_WA;
                }
        }
        if (no == na)
                return CHECK_AC;
        if (no > na) {
                mw_fmt(w, "output contains %zu lines, answer contains %zu; extra line %zu: ", no,
                       na, na + 1);
                mw_quote(w, lo);
        } else {
                mw_fmt(w, "answer contains %zu lines, output contains %zu; missing line %zu: ", na,
                       no, no + 1);
                mw_quote(w, la);
        }
        return CHECK_WA;
}

/* ---- Python Decimal (lines_strip_decimal) ------------------------------- */

enum dec_kind { DEC_INVALID, DEC_FINITE, DEC_INF };

struct dec {
        enum dec_kind kind;
        bool neg;
        bool zero;
        const char *first; /* first significant digit (finite, non-zero) */
        size_t ndig;       /* significant digits, leading and trailing zeros cut */
        int64_t scale;     /* exponent of the last significant digit */
};

#define DEC_EMAX INT64_C(999999999999999999)
#define DEC_ETINY INT64_C(-1999999999999999997)
#define EXP_SAT INT64_C(4000000000000000000)

/* Case-insensitive match of t (underscores skipped, as Python drops them)
 * against the lower-case word. */
static bool word_eq(const char *p, size_t n, const char *word)
{
        size_t i, j = 0, wl = strlen(word);

        for (i = 0; i < n; i++) {
                if (p[i] == '_')
                        continue;
                if (j == wl || ascii_lower((unsigned char)p[i]) != (unsigned char)word[j])
                        return false;
                j++;
        }
        return j == wl;
}

/* Python's Decimal(token): every '_' is dropped first (CPython's _decimal
 * does), then [sign] (digits [. digits] | . digits) [e [sign] digits] |
 * [sign] inf | infinity, case-insensitive, ASCII digits only ([s]nan
 * [digits] is left DEC_INVALID: see below). Finite values are valid when
 * exp >= Etiny and adjusted exp <= Emax (libmpdec's limits on 64-bit). */
static struct dec dec_parse(struct span t)
{
        struct dec d = {.kind = DEC_INVALID};
        const char *p = t.p, *end = t.p + t.n;
        size_t nfrac = 0, lead0 = 0, trail0 = 0, ndigits = 0;
        bool seen_nonzero = false, seen_dot = false;
        int64_t e = 0;

        while (p < end && *p == '_')
                p++;
        if (p < end && (*p == '+' || *p == '-')) {
                d.neg = *p == '-';
                p++;
        }
        if (word_eq(p, (size_t)(end - p), "inf") || word_eq(p, (size_t)(end - p), "infinity")) {
                d.kind = DEC_INF;
                return d;
        }
        /* NaN and sNaN never compare equal (and an sNaN raises): like an
         * invalid token they make the lines unequal, so they need no parse. */
        for (; p < end; p++) {
                char c = *p;

                if (c == '_')
                        continue;
                if (c >= '0' && c <= '9') {
                        ndigits++;
                        if (seen_dot)
                                nfrac++;
                        if (c == '0') {
                                if (!seen_nonzero)
                                        lead0++;
                                else
                                        trail0++;
                        } else {
                                if (!seen_nonzero)
                                        d.first = p;
                                seen_nonzero = true;
                                trail0 = 0;
                        }
                } else if (c == '.' && !seen_dot) {
                        seen_dot = true;
                } else {
                        break;
                }
        }
        if (ndigits == 0)
                return d;
        if (p < end) {
                bool eneg = false;
                size_t edig = 0;

                if (*p != 'e' && *p != 'E')
                        return d;
                p++;
                while (p < end && *p == '_')
                        p++;
                if (p < end && (*p == '+' || *p == '-')) {
                        eneg = *p == '-';
                        p++;
                }
                for (; p < end; p++) {
                        if (*p == '_')
                                continue;
                        if (*p < '0' || *p > '9')
                                return d;
                        edig++;
                        /* Saturate: any exponent past EXP_SAT is out of
                         * libmpdec's range whatever the coefficient. */
                        e = e > EXP_SAT / 10 ? EXP_SAT : e * 10 + (*p - '0');
                }
                if (edig == 0)
                        return d;
                if (eneg)
                        e = -e;
        }
        {
                int64_t exp = e - (int64_t)nfrac;
                int64_t coeff_digits = seen_nonzero ? (int64_t)(ndigits - lead0) : 1;

                if (exp < DEC_ETINY || exp + coeff_digits - 1 > DEC_EMAX)
                        return d;
                d.kind = DEC_FINITE;
                d.zero = !seen_nonzero;
                if (!d.zero) {
                        d.ndig = ndigits - lead0 - trail0;
                        d.scale = exp + (int64_t)trail0;
                }
        }
        return d;
}

static bool dec_eq(const struct dec *a, const struct dec *b)
{
        const char *p, *q;
        size_t k;

        if (a->kind != b->kind)
                return false;
        if (a->kind == DEC_INF)
                return a->neg == b->neg;
        if (a->zero || b->zero)
                return a->zero && b->zero;
        if (a->neg != b->neg || a->ndig != b->ndig || a->scale != b->scale)
                return false;
        p = a->first;
        q = b->first;
        for (k = 0; k < a->ndig; k++, p++, q++) {
                while (*p == '.' || *p == '_')
                        p++;
                while (*q == '.' || *q == '_')
                        q++;
                if (*p != *q)
                        return false;
        }
        return true;
}

/* LCB's convert_line_to_decimals on both lines, then list equality. */
static bool dec_lines_eq(struct span a, struct span b)
{
        size_t pa = 0, pb = 0;
        struct span ta, tb;
        bool ha, hb;

        for (;;) {
                ha = py_next_token(a, &pa, &ta);
                hb = py_next_token(b, &pb, &tb);
                if (!ha || !hb)
                        break;
                {
                        struct dec da = dec_parse(ta), db = dec_parse(tb);

                        if (da.kind == DEC_INVALID || db.kind == DEC_INVALID)
                                return false;
                        if (!dec_eq(&da, &db))
                                return false;
                }
        }
        /* Unequal counts: unequal lists (whether or not the rest parses). */
        return !ha && !hb;
}

/* The start both Python line rules share (lines_strip_decimal, after
 * LiveCodeBench, and sandboxfusion): both sides strip()ped whole, unequal
 * line counts a wrong answer (false, with the message written), else the
 * two line walks begun. */
static bool py_lines_begin(struct span out, struct span ans, struct lines *io, struct lines *ia,
                           struct mw *w)
{
        size_t no, na;

        out = py_strip(out);
        ans = py_strip(ans);
        no = count_lines(out);
        na = count_lines(ans);
        if (no != na) {
                mw_fmt(w, "wrong line count: expected %zu lines, found %zu", na, no);
                return false;
        }
        lines_init(io, out);
        lines_init(ia, ans);
        return true;
}

static enum check_verdict cmp_lines_strip_decimal(struct span out, struct span ans, struct mw *w)
{
        struct lines io, ia;
        struct span lo, la;
        size_t n = 0;

        if (!py_lines_begin(out, ans, &io, &ia, w))
                return CHECK_WA;
        while (lines_next(&io, &lo) && lines_next(&ia, &la)) {
                n++;
                lo = py_strip(lo);
                la = py_strip(la);
                if (span_eq(lo, la) || dec_lines_eq(lo, la))
                        continue;
                mw_differ(w, n, "lines", la, lo);
                return CHECK_WA;
        }
        return CHECK_AC;
}

/* ---- sandboxfusion ------------------------------------------------------ */

/* Python's str.lower() for ASCII, Latin-1 (U+00C0-U+00DE but U+00D7) and
 * Cyrillic U+0400-U+042F, all of which keep their UTF-8 length; other
 * characters are kept (docs/checkers.md lists what differs). A 2-byte
 * character is written lowered to out; returns the bytes consumed. */
static size_t lower_char(const unsigned char *p, size_t n, unsigned char out[2])
{
        unsigned char c = p[0];

        if (c < 0x80 || n < 2 || (p[1] & 0xC0) != 0x80) {
                out[0] = ascii_lower(c);
                return 1;
        }
        if (c < 0xC2 || c > 0xDF) {
                out[0] = c; /* a 3- or 4-byte lead, or not a lead */
                return 1;
        }
        out[0] = c;
        out[1] = p[1];
        if ((c == 0xC3 && p[1] <= 0x9E && p[1] != 0x97) ||
            (c == 0xD0 && p[1] >= 0x90 && p[1] <= 0x9F)) {
                out[1] = (unsigned char)(p[1] + 0x20); /* U+00C0.., U+0410.. */
        } else if (c == 0xD0 && p[1] <= 0x8F) {
                out[0] = 0xD1; /* U+0400..U+040F -> U+0450.. */
                out[1] = (unsigned char)(p[1] + 0x10);
        } else if (c == 0xD0 && p[1] >= 0xA0 && p[1] <= 0xAF) {
                out[0] = 0xD1; /* U+0420..U+042F -> U+0440.. */
                out[1] = (unsigned char)(p[1] - 0x20);
        }
        return 2;
}

struct lowit {
        const unsigned char *p;
        size_t n, i;
        unsigned char buf[2];
        size_t have, next;
};

static int lowit_next(struct lowit *it)
{
        if (it->next == it->have) {
                if (it->i == it->n)
                        return -1;
                it->have = lower_char(it->p + it->i, it->n - it->i, it->buf);
                it->i += it->have;
                it->next = 0;
        }
        return it->buf[it->next++];
}

static bool lower_eq(struct span a, struct span b)
{
        struct lowit ia = {.p = (const unsigned char *)a.p, .n = a.n};
        struct lowit ib = {.p = (const unsigned char *)b.p, .n = b.n};
        int ca, cb;

        if (a.n != b.n)
                return false;
        do {
                ca = lowit_next(&ia);
                cb = lowit_next(&ib);
                if (ca != cb)
                        return false;
        } while (ca >= 0);
        return true;
}

/* Python's float(s): Python whitespace around; [sign] then inf, infinity,
 * nan (any case), or digits with single underscores between digits,
 * optional fraction and exponent; ASCII digits only. */
static bool py_float(struct span s, double *v, bool *oom)
{
        const char *p, *end;
        bool neg = false, any = false;

        s = py_strip(s);
        p = s.p;
        end = s.p + s.n;
        if (p < end && (*p == '+' || *p == '-')) {
                neg = *p == '-';
                p++;
        }
        if (word_eq(p, (size_t)(end - p), "inf") || word_eq(p, (size_t)(end - p), "infinity") ||
            word_eq(p, (size_t)(end - p), "nan")) {
                /* word_eq skips '_', which float() does not: reject those. */
                if (memchr(p, '_', (size_t)(end - p)))
                        return false;
                *v = (ascii_lower((unsigned char)*p) == 'n') ? NAN : INFINITY;
                if (neg)
                        *v = -*v;
                return true;
        }
        /* Validate the grammar, then let strtod round (both round exactly). */
        {
                const char *q = p;
                bool prev_digit = false, frac = false;

                for (; q < end; q++) {
                        char c = *q;

                        if (c >= '0' && c <= '9') {
                                prev_digit = true;
                                any = true;
                        } else if (c == '_') {
                                if (!prev_digit || q + 1 >= end || q[1] < '0' || q[1] > '9')
                                        return false;
                                prev_digit = false;
                        } else if (c == '.' && !frac) {
                                frac = true;
                                prev_digit = false;
                        } else
                                break;
                }
                if (!any)
                        return false;
                if (q < end) {
                        bool edig = false;

                        if (*q != 'e' && *q != 'E')
                                return false;
                        q++;
                        if (q < end && (*q == '+' || *q == '-'))
                                q++;
                        prev_digit = false;
                        for (; q < end; q++) {
                                if (*q >= '0' && *q <= '9') {
                                        prev_digit = true;
                                        edig = true;
                                } else if (*q == '_' && prev_digit && q + 1 < end && q[1] >= '0' &&
                                           q[1] <= '9') {
                                        prev_digit = false;
                                } else
                                        return false;
                        }
                        if (!edig)
                                return false;
                }
        }
        return span_strtod(s, true, v, oom);
}

static enum check_verdict cmp_sandboxfusion(struct span out, struct span ans, struct mw *w,
                                            bool *oom)
{
        struct lines io, ia;
        struct span lo, la;
        size_t n = 0;

        if (!py_lines_begin(out, ans, &io, &ia, w))
                return CHECK_WA;
        while (lines_next(&io, &lo) && lines_next(&ia, &la)) {
                double a, b, m;

                n++;
                /* Lowering keeps whitespace and lengths, so strip first. */
                if (lower_eq(py_strip(lo), py_strip(la)))
                        continue;
                if (py_float(la, &b, oom) && py_float(lo, &a, oom)) {
                        /* abs(a - b) / max(abs(b), 1e-10) < 1e-5, with
                         * Python's max(): the first unless the second is
                         * greater. */
                        m = fabs(b);
                        if (1e-10 > m)
                                m = 1e-10;
                        if (fabs(a - b) / m < 1e-5)
                                continue;
                }
                if (*oom)
                        return CHECK_FAIL;
                mw_differ(w, n, "lines", py_strip(la), py_strip(lo));
                return CHECK_WA;
        }
        return CHECK_AC;
}

/* ---- tokens, tokens_float (testlib) ------------------------------------ */

/* testlib's message when one side has tokens left: n tokens matched, and
 * the longer side holds `longer` in all. Both token rules use it. */
static enum check_verdict tokens_longer(size_t n, size_t longer, bool out_more, struct mw *w)
{
        mw_fmt(w, "%s contains longer sequence [length = %zu], but %s contains %zu elements",
               out_more ? "output" : "answer", longer, out_more ? "answer" : "output", n);
        return CHECK_WA;
}

/* DMOJ's standard checker: tokens separated by space \t \v \f \r \n,
 * leading and trailing whitespace ignored, and each run of whitespace
 * between two tokens must hold a line break (\n or \r) in the output
 * exactly when it holds one in the answer. */
static bool dmoj_white(unsigned char c)
{
        return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Skips whitespace from *pos: 2 if it held a line break, 1 if only
 * spaces, 0 if none. */
static int dmoj_skip(struct span s, size_t *pos)
{
        int saw_line = 0, saw_space = 0;

        while (*pos < s.n && dmoj_white((unsigned char)s.p[*pos])) {
                if (s.p[*pos] == '\n' || s.p[*pos] == '\r')
                        saw_line = 1;
                saw_space = 1;
                ++*pos;
        }
        return saw_line ? 2 : saw_space;
}

static size_t dmoj_token(struct span s, size_t *pos, struct span *tok)
{
        tok->p = s.p + *pos;
        while (*pos < s.n && !dmoj_white((unsigned char)s.p[*pos]))
                ++*pos;
        tok->n = (size_t)(s.p + *pos - tok->p);
        return tok->n;
}

static size_t dmoj_count_rest(struct span s, size_t pos)
{
        struct span tok;
        size_t n = 0;

        while (dmoj_skip(s, &pos), pos < s.n) {
                dmoj_token(s, &pos, &tok);
                n++;
        }
        return n;
}

static enum check_verdict cmp_dmoj_standard(const struct checker_opts *o, struct span out,
                                            struct span ans, struct mw *w)
{
        size_t po = 0, pa = 0, n = 0;
        struct span to, ta;

        dmoj_skip(out, &po);
        dmoj_skip(ans, &pa);
        for (;;) {
                int sa = n ? dmoj_skip(ans, &pa) : 0, so = n ? dmoj_skip(out, &po) : 0;

                if (pa == ans.n || po == out.n) {
                        if (pa == ans.n && po == out.n)
                                return CHECK_AC;
                        if (po < out.n)
                                return tokens_longer(n, n + dmoj_count_rest(out, po), true, w);
                        return tokens_longer(n, n + dmoj_count_rest(ans, pa), false, w);
                }
                n++;
                if (sa != so) {
                        mw_fmt(w, "before the %zu%s token the answer has %s, the output %s", n,
                               ordinal(n), sa == 2 ? "a line break" : "no line break",
                               so == 2 ? "has one" : "has none");
                        return CHECK_WA;
                }
                dmoj_token(ans, &pa, &ta);
                dmoj_token(out, &po, &to);
                if (!tok_eq(ta, to, o->case_insensitive)) {
                        mw_differ(w, n, "tokens", ta, to);
                        return CHECK_WA;
                }
        }
}

/* testlib's stringToDouble: only [0-9.eE+-], at least one digit, at most
 * two signs of each kind, one point, one exponent, and the whole token
 * read by the C library. nan and inf are words, not numbers. */
static bool tl_number(struct span t, double *v, bool *oom)
{
        size_t i, digits = 0, minus = 0, plus = 0, dots = 0, es = 0;

        for (i = 0; i < t.n; i++) {
                char c = t.p[i];

                if (c >= '0' && c <= '9')
                        digits++;
                else if (c == 'e' || c == 'E')
                        es++;
                else if (c == '-')
                        minus++;
                else if (c == '+')
                        plus++;
                else if (c == '.')
                        dots++;
                else
                        return false;
        }
        if (digits == 0 || minus > 2 || plus > 2 || dots > 1 || es > 1)
                return false;
        return span_strtod(t, false, v, oom) && !isnan(*v);
}

static bool tl_infinite(double x)
{
        return x > 1e300 || x < -1e300;
}

/* testlib's doubleCompare, with the absolute and relative bounds apart. */
static bool double_close(const struct checker_opts *o, double expected, double result)
{
        double ae = o->abs_eps + 1e-15, re = o->rel_eps + 1e-15;
        double lo, hi, x, y;
        bool abs_ok, rel_ok;

        if (isnan(expected))
                return isnan(result);
        if (tl_infinite(expected)) {
                if (expected > 0)
                        return result > 0 && tl_infinite(result);
                return result < 0 && tl_infinite(result);
        }
        if (isnan(result) || tl_infinite(result))
                return false;
        abs_ok = fabs(result - expected) <= ae;
        x = expected * (1.0 - re);
        y = expected * (1.0 + re);
        lo = x < y ? x : y;
        hi = x > y ? x : y;
        rel_ok = result >= lo && result <= hi;
        switch (o->float_mode) {
        case CHECKER_ABS:
                return abs_ok;
        case CHECKER_REL:
                return rel_ok;
        case CHECKER_ABS_OR_REL:
                break;
        }
        return abs_ok || rel_ok;
}

static enum check_verdict cmp_tokens(const struct checker_opts *o, struct span out, struct span ans,
                                     struct mw *w, bool *oom)
{
        size_t po = 0, pa = 0, n = 0;
        struct span to, ta;
        bool ho, ha, fl = o->kind == CHECKER_TOKENS_FLOAT;

        for (;;) {
                ho = tl_next_token(out, &po, &to);
                ha = tl_next_token(ans, &pa, &ta);
                if (!ho || !ha)
                        break;
                n++;
                if (fl) {
                        double e, r;

                        if (tl_number(ta, &e, oom) && tl_number(to, &r, oom)) {
                                if (double_close(o, e, r))
                                        continue;
                                mw_differ(w, n, "numbers", ta, to);
                                {
                                        double d = fabs(r - e);

                                        if (fabs(e) > 1e-9 && fabs(d / e) < d)
                                                d = fabs(d / e);
                                        mw_fmt(w, ", error = '%.10g'", d);
                                }
                                return CHECK_WA;
                        }
                        if (*oom)
                                return CHECK_FAIL;
                }
                if (!tok_eq(ta, to, o->case_insensitive)) {
                        mw_differ(w, n, "tokens", ta, to);
                        return CHECK_WA;
                }
        }
        if (ho || ha)
                return tokens_longer(
                    n, n + 1 + (ho ? tl_count_tokens(out, po) : tl_count_tokens(ans, pa)), ho, w);
        return CHECK_AC;
}

/* ---- public ------------------------------------------------------------ */

static const char *const kind_names[CHECKER_KIND_MAX] = {
    [CHECKER_EXACT] = "exact",
    [CHECKER_RSTRIP_NEWLINES] = "rstrip_newlines",
    [CHECKER_LINES_RSTRIP] = "lines_rstrip",
    [CHECKER_LINES_STRIP_DECIMAL] = "lines_strip_decimal",
    [CHECKER_SANDBOXFUSION] = "sandboxfusion",
    [CHECKER_TOKENS] = "tokens",
    [CHECKER_TOKENS_FLOAT] = "tokens_float",
    [CHECKER_PROGRAM] = "program",
};

int checker_kind_parse(const char *name)
{
        int k;

        if (!name)
                return -1;
        for (k = 0; k < CHECKER_KIND_MAX; k++)
                if (strcmp(name, kind_names[k]) == 0)
                        return k;
        return -1;
}

const char *checker_kind_name(enum checker_kind kind)
{
        if ((int)kind < 0 || kind >= CHECKER_KIND_MAX)
                return "unknown";
        return kind_names[kind];
}

void checker_opts_default(struct checker_opts *o, enum checker_kind kind)
{
        memset(o, 0, sizeof(*o));
        o->kind = kind;
        o->case_insensitive = false;
        o->keep_line_breaks = false;
        o->abs_eps = 1e-6;
        o->rel_eps = 1e-6;
        o->float_mode = CHECKER_ABS_OR_REL;
}

enum check_verdict checker_compare(const struct checker_opts *o, const char *out, size_t out_len,
                                   const char *ans, size_t ans_len, char *msg, size_t msg_size)
{
        struct span so = {out ? out : "", out ? out_len : 0};
        struct span sa = {ans ? ans : "", ans ? ans_len : 0};
        enum check_verdict v = CHECK_FAIL;
        struct mw w;
        bool oom = false;

        mw_init(&w, msg, msg_size);
        switch (o->kind) {
        case CHECKER_EXACT:
                v = cmp_bytes(so, sa, &w);
                break;
        case CHECKER_RSTRIP_NEWLINES:
                v = cmp_bytes(rstrip_newlines(so), rstrip_newlines(sa), &w);
                break;
        case CHECKER_LINES_RSTRIP:
                v = cmp_lines_rstrip(so, sa, &w);
                break;
        case CHECKER_LINES_STRIP_DECIMAL:
                v = cmp_lines_strip_decimal(so, sa, &w);
                break;
        case CHECKER_SANDBOXFUSION:
                v = cmp_sandboxfusion(so, sa, &w, &oom);
                break;
        case CHECKER_TOKENS:
                if (o->keep_line_breaks) {
                        v = cmp_dmoj_standard(o, so, sa, &w);
                        break;
                }
                v = cmp_tokens(o, so, sa, &w, &oom);
                break;
        case CHECKER_TOKENS_FLOAT:
                v = cmp_tokens(o, so, sa, &w, &oom);
                break;
        case CHECKER_PROGRAM:
        case CHECKER_KIND_MAX:
                mw_str(&w, "not a built-in checker");
                return CHECK_FAIL;
        }
        if (oom) {
                mw_init(&w, msg, msg_size);
                mw_str(&w, "checker: out of memory");
                return CHECK_FAIL;
        }
        if (v == CHECK_AC)
                mw_init(&w, msg, msg_size);
        return v;
}

/* "points N": the first occurrence of the word followed by a number. */
static bool parse_points(const char *out, size_t len, double *points)
{
        const char *p = out, *end = out + len, *hit;

        while (p + 6 <= end && (hit = memchr(p, 'p', (size_t)(end - p))) != NULL) {
                const char *q = hit + 6;
                char num[64];
                size_t k = 0;
                char *stop;

                if (hit + 6 > end || memcmp(hit, "points", 6) != 0) {
                        p = hit + 1;
                        continue;
                }
                p = hit + 6;
                if (q >= end || (*q != ' ' && *q != '\t'))
                        continue;
                while (q < end && (*q == ' ' || *q == '\t'))
                        q++;
                while (q < end && k < sizeof(num) - 1 && strchr("0123456789+-.eE", *q) && *q)
                        num[k++] = *q++;
                num[k] = '\0';
                if (k == 0)
                        continue;
                *points = strtod(num, &stop);
                if (stop != num && isfinite(*points))
                        return true;
        }
        return false;
}

enum check_verdict checker_program_verdict(int exit_code, int term_signal, const char *out,
                                           size_t out_len, double *points)
{
        if (term_signal != 0)
                return CHECK_FAIL;
        switch (exit_code) {
        case 0:
                return CHECK_AC;
        case 1:
                return CHECK_WA;
        case 2:
        case 8: /* testlib's _unexpected_eof: the output ended early */
                return CHECK_PE;
        case 7: {
                double p = 0;

                if (!out || !parse_points(out, out_len, &p))
                        return CHECK_FAIL;
                if (points)
                        *points = p;
                return CHECK_WA;
        }
        default:
                return CHECK_FAIL;
        }
}
