/* jsonfast: the in-place decoder (see jsonfast.h).
 *
 * Theory of operation. A recursive descent over buf[0..len) that follows
 * RFC 8259 as jansson 2.14 reads it: whitespace is space, tab, CR and LF; a
 * top-level value must be an object or an array unless JSON_DECODE_ANY; a
 * number without fraction or exponent is an integer (strtoll: out of range
 * is jansson's error), any other a real (strtod: overflow is jansson's
 * error); strings must be well-formed UTF-8 without raw control bytes, and
 * their escapes pair surrogates. Strings are decoded into one scratch
 * buffer as long as the input (decoding never grows text) and copied into
 * jansson with json_stringn_nocheck(), their UTF-8 having been checked
 * here. Every path that is not plainly valid returns NULL: the caller then
 * asks jansson, which either agrees that the text is wrong and says why,
 * or decides the rare case (a duplicate key without
 * JSON_REJECT_DUPLICATES, deep nesting) itself. */
#include "jsonfast.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

struct parser {
        const char *p, *end;
        char *scratch; /* len bytes: any decoded string of the input fits */
        size_t flags;
};

static int hex4(const char *p, unsigned *out)
{
        unsigned v = 0;

        for (int i = 0; i < 4; i++) {
                char c = p[i];
                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (unsigned)(c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (unsigned)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (unsigned)(c - 'A' + 10);
                else
                        return -1;
        }
        *out = v;
        return 0;
}

static size_t put_utf8(char *o, unsigned cp)
{
        if (cp < 0x80) {
                o[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                o[0] = (char)(0xC0 | cp >> 6);
                o[1] = (char)(0x80 | (cp & 0x3F));
                return 2;
        }
        if (cp < 0x10000) {
                o[0] = (char)(0xE0 | cp >> 12);
                o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                o[2] = (char)(0x80 | (cp & 0x3F));
                return 3;
        }
        o[0] = (char)(0xF0 | cp >> 18);
        o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
}

/* A byte that ends a run of plain string text. */
static inline bool special(unsigned char c)
{
        return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

/* Whether any of the eight bytes of x is special(): the classic tests for
 * a zero byte (of x ^ '"' and x ^ '\\') and for a byte below 0x20, and
 * the high bits. A flag may also be set above a byte that matched (a
 * borrow), never without one, so a word that says no has none. */
static inline bool word_special(uint64_t x)
{
        const uint64_t ones = 0x0101010101010101ULL;
        uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');

        return (((q - ones) & ~q) | ((b - ones) & ~b) | ((x - ones * 0x20) & ~x) | x) &
               (ones * 0x80);
}

long jsonfast_string(const char **pp, const char *end, char *out, bool allow_nul)
{
        const unsigned char *p = (const unsigned char *)*pp, *e = (const unsigned char *)end;
        char *o = out;

        while (p < e) {
                const unsigned char *run = p;
                unsigned c;

                /* eight plain bytes at a time, then to the special one */
                while (e - p >= 8) {
                        uint64_t x;
                        memcpy(&x, p, sizeof(x));
                        if (word_special(x))
                                break;
                        p += 8;
                }
                while (p < e && !special(*p))
                        p++;
                if (p > run) {
                        memcpy(o, run, (size_t)(p - run));
                        o += p - run;
                        if (p == e)
                                break;
                }
                c = *p;
                if (c == '"') {
                        *pp = (const char *)p + 1;
                        return (long)(o - out);
                }
                if (c < 0x20)
                        return -1;
                if (c >= 0x80) {
                        size_t n = utf8_seq_len((const char *)p, (size_t)(e - p));
                        if (!n)
                                return -1;
                        memcpy(o, p, n);
                        o += n;
                        p += n;
                        continue;
                }
                /* an escape */
                if (e - p < 2)
                        return -1;
                switch (p[1]) {
                case '"':
                case '\\':
                case '/':
                        *o++ = (char)p[1];
                        break;
                case 'b':
                        *o++ = '\b';
                        break;
                case 'f':
                        *o++ = '\f';
                        break;
                case 'n':
                        *o++ = '\n';
                        break;
                case 'r':
                        *o++ = '\r';
                        break;
                case 't':
                        *o++ = '\t';
                        break;
                case 'u': {
                        unsigned cp, lo;
                        if (e - p < 6 || hex4((const char *)p + 2, &cp) < 0)
                                return -1;
                        if (cp >= 0xDC00 && cp <= 0xDFFF)
                                return -1; /* a lone low surrogate */
                        if (cp == 0 && !allow_nul)
                                return -1;
                        if (cp >= 0xD800 && cp <= 0xDBFF) {
                                if (e - p < 12 || p[6] != '\\' || p[7] != 'u' ||
                                    hex4((const char *)p + 8, &lo) < 0 || lo < 0xDC00 ||
                                    lo > 0xDFFF)
                                        return -1;
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                p += 6;
                        }
                        o += put_utf8(o, cp);
                        p += 6;
                        continue;
                }
                default:
                        return -1;
                }
                p += 2;
        }
        return -1;
}

static void skip_ws(struct parser *ps)
{
        while (ps->p < ps->end &&
               (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
                ps->p++;
}

/* Whether the next byte is c; if so, past it. */
static bool take(struct parser *ps, char c)
{
        if (ps->p == ps->end || *ps->p != c)
                return false;
        ps->p++;
        return true;
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

/* The byte after a number or a literal must end it, as jansson's lexer
 * reads on until one that can't belong to the token. */
static bool at_delimiter(const struct parser *ps)
{
        if (ps->p == ps->end)
                return true;
        switch (*ps->p) {
        case ' ':
        case '\t':
        case '\n':
        case '\r':
        case ',':
        case ']':
        case '}':
                return true;
        default:
                return false;
        }
}

/* Skips a run of digits; how many there were. */
static size_t digits(struct parser *ps)
{
        const char *from = ps->p;

        while (ps->p < ps->end && is_digit(*ps->p))
                ps->p++;
        return (size_t)(ps->p - from);
}

static json_t *number(struct parser *ps)
{
        const char *start = ps->p;
        char text[64], *stop;
        bool real = false;

        (void)take(ps, '-');
        /* 0, or digits without a leading 0 (a 0 followed by a digit fails
         * at_delimiter below) */
        if (!take(ps, '0') && !digits(ps))
                return NULL;
        if (take(ps, '.')) {
                real = true;
                if (!digits(ps))
                        return NULL;
        }
        if (take(ps, 'e') || take(ps, 'E')) {
                real = true;
                if (!take(ps, '+'))
                        (void)take(ps, '-');
                if (!digits(ps))
                        return NULL;
        }
        if (!at_delimiter(ps) || (size_t)(ps->p - start) >= sizeof(text))
                return NULL;
        memcpy(text, start, (size_t)(ps->p - start));
        text[ps->p - start] = '\0';
        errno = 0;
        if (!real) {
                long long v = strtoll(text, &stop, 10);

                if (errno == ERANGE || *stop)
                        return NULL;
                return json_integer(v);
        }
        double d = strtod(text, &stop);

        if (*stop || ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE))
                return NULL;
        return json_real(d);
}

static json_t *literal(struct parser *ps, const char *word, json_t *v)
{
        size_t n = strlen(word);

        if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
                return NULL;
        ps->p += n;
        return at_delimiter(ps) ? v : NULL;
}

/* A string at ps->p (just after its quote) decoded into the scratch. */
static long scratch_string(struct parser *ps, bool allow_nul)
{
        return jsonfast_string(&ps->p, ps->end, ps->scratch, allow_nul);
}

static json_t *value(struct parser *ps, int depth);

static json_t *object(struct parser *ps, int depth)
{
        json_t *obj = json_object();

        if (!obj)
                return NULL;
        skip_ws(ps);
        if (take(ps, '}'))
                return obj;
        for (;;) {
                long klen;
                json_t *v;

                if (!take(ps, '"'))
                        goto decline;
                klen = scratch_string(ps, false);
                if (klen < 0)
                        goto decline;
                ps->scratch[klen] = '\0';
                /* a duplicate: an error, or the last one wins; jansson says */
                if (json_object_get(obj, ps->scratch))
                        goto decline;
                skip_ws(ps);
                if (!take(ps, ':'))
                        goto decline;
                {
                        /* the key is in the scratch, which the value reuses */
                        char key[256];
                        char *k = (size_t)klen < sizeof(key) ? key : malloc((size_t)klen + 1);

                        if (!k)
                                goto decline;
                        memcpy(k, ps->scratch, (size_t)klen + 1);
                        v = value(ps, depth + 1);
                        if (!v || json_object_set_new_nocheck(obj, k, v) < 0) {
                                if (k != key)
                                        free(k);
                                goto decline;
                        }
                        if (k != key)
                                free(k);
                }
                skip_ws(ps);
                if (take(ps, ',')) {
                        skip_ws(ps);
                        continue;
                }
                if (take(ps, '}'))
                        return obj;
                goto decline;
        }
decline:
        json_decref(obj);
        return NULL;
}

static json_t *array(struct parser *ps, int depth)
{
        json_t *arr = json_array();

        if (!arr)
                return NULL;
        skip_ws(ps);
        if (take(ps, ']'))
                return arr;
        for (;;) {
                json_t *v = value(ps, depth + 1);

                if (!v || json_array_append_new(arr, v) < 0)
                        goto decline;
                skip_ws(ps);
                if (take(ps, ','))
                        continue;
                if (take(ps, ']'))
                        return arr;
                goto decline;
        }
decline:
        json_decref(arr);
        return NULL;
}

static json_t *value(struct parser *ps, int depth)
{
        if (depth > JSONFAST_MAX_DEPTH)
                return NULL;
        skip_ws(ps);
        if (ps->p == ps->end)
                return NULL;
        switch (*ps->p) {
        case '{':
                ps->p++;
                return object(ps, depth);
        case '[':
                ps->p++;
                return array(ps, depth);
        case '"': {
                long n;

                ps->p++;
                n = scratch_string(ps, ps->flags & JSON_ALLOW_NUL);
                return n < 0 ? NULL : json_stringn_nocheck(ps->scratch, (size_t)n);
        }
        case 't':
                return literal(ps, "true", json_true());
        case 'f':
                return literal(ps, "false", json_false());
        case 'n':
                return literal(ps, "null", json_null());
        default:
                return number(ps);
        }
}

json_t *jsonfast_decode(const char *buf, size_t len, size_t flags)
{
        const size_t known = JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_ANY;
        struct parser ps = {.p = buf, .end = buf + len, .flags = flags};
        json_t *v;

        if (!buf || (flags & ~known))
                return NULL;
        skip_ws(&ps);
        if (ps.p == ps.end || (!(flags & JSON_DECODE_ANY) && *ps.p != '{' && *ps.p != '['))
                return NULL;
        ps.scratch = malloc(len + 1);
        if (!ps.scratch)
                return NULL;
        v = value(&ps, 0);
        free(ps.scratch);
        if (!v)
                return NULL;
        skip_ws(&ps);
        if (ps.p != ps.end) {
                json_decref(v);
                return NULL;
        }
        return v;
}

json_t *jsonfast_loadb(const char *buf, size_t len, size_t flags, json_error_t *error)
{
        json_t *v = jsonfast_decode(buf, len, flags);

        return v ? v : json_loadb(buf, len, flags, error);
}
