/* jsonl: the test-bank input formats (see jsonl.h).
 *
 * Theory of operation. The text is split on '\n' without copying; each
 * non-blank line is parsed on its own, so one bad line cannot swallow the
 * next and errors carry the line number: first by a fast decoder for the
 * common shape (an object of "test"/"hash" string fields), and, when that
 * declines, by jansson (json_loadb on the line's bytes, NULs allowed,
 * duplicate keys rejected), which is the reference for what is accepted. The digest is always
 * computed from the decoded test text; a given "hash" is only compared with
 * it. Everything is read from memory: the caller owns reading files or
 * request bodies. */
#include "jsonl.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../util/jsonfast.h"

static bool blank(const char *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
                        return false;
        return true;
}

/* Adds one decoded test; 0 on success (added or duplicate), -1 with e. */
static int add_test(struct bank *b, const char *text, size_t len, const unsigned char *want,
                    struct jsonl_stats *st, unsigned char *digest_out, struct err *e)
{
        unsigned char d[MD5_DIGEST_LEN];
        int rc;

        md5(text, len, d);
        if (want && memcmp(want, d, MD5_DIGEST_LEN) != 0) {
                char got[MD5_HEX_LEN + 1], given[MD5_HEX_LEN + 1];
                size_t other;
                md5_hex(d, got);
                md5_hex(want, given);
                if (bank_find(b, want, &other))
                        return err_set(e, 0,
                                       "duplicate \"hash\" %s: an earlier line has it for another "
                                       "test (and it is not the MD5 of this one, %s)",
                                       given, got);
                return err_set(e, 0, "\"hash\" %s is not the MD5 of \"test\" (which is %s)", given,
                               got);
        }
        if (digest_out)
                memcpy(digest_out, d, MD5_DIGEST_LEN);
        rc = bank_add(b, d, text, len, e);
        if (rc < 0)
                return -1;
        if (rc == BANK_DUPLICATE)
                st->duplicates++;
        else
                st->added++;
        return 0;
}

/* ---- The fast path: lines that are exactly {"key": "string", ...}. ----
 *
 * Bank files are large (100 000 lines and more) and nearly all their lines
 * are objects whose values are strings. Those are decoded here without
 * building a jansson object; anything else — another value type, an escape
 * in a key, a duplicate key, a lone surrogate, invalid UTF-8, a raw control
 * character, trailing text — makes fast_line() give up (return 0), and the
 * line goes through jansson, which accepts or rejects it with its message.
 * So the fast path never accepts what jansson would refuse. */

struct scratch {
        char *data;
        size_t cap;
};

static int scratch_reserve(struct scratch *s, size_t n)
{
        char *p;

        if (n <= s->cap)
                return 0;
        p = realloc(s->data, n);
        if (!p)
                return -1;
        s->data = p;
        s->cap = n;
        return 0;
}

static const char *skip_ws(const char *p, const char *end)
{
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
                p++;
        return p;
}

/* 1 when the line was handled (added, or -1 returned through *rc with e
 * set for a hash problem), 0 to hand the line to jansson. */
static int fast_line(struct bank *b, const char *p, size_t n, struct jsonl_stats *st,
                     struct scratch *sc, int *rc, struct err *e)
{
        const char *end = p + n, *test = NULL, *hash = NULL;
        long test_len = 0, hash_len = 0;
        unsigned char want[MD5_DIGEST_LEN];
        size_t used = 0;
        bool first = true;

        /* the decoded strings never grow: n bytes of scratch hold them all */
        if (scratch_reserve(sc, n + 1) < 0)
                return 0;
        p = skip_ws(p, end);
        if (p == end || *p++ != '{')
                return 0;
        for (;;) {
                const char *key;
                size_t klen;
                long vlen;
                char *out = sc->data + used;

                p = skip_ws(p, end);
                if (first && p < end && *p == '}') {
                        p++;
                        break;
                }
                if (p == end || *p++ != '"')
                        return 0;
                key = p;
                while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20 &&
                       (unsigned char)*p < 0x80)
                        p++;
                if (p == end || *p != '"')
                        return 0;
                klen = (size_t)(p - key);
                p = skip_ws(p + 1, end);
                if (p == end || *p++ != ':')
                        return 0;
                p = skip_ws(p, end);
                if (p == end || *p++ != '"')
                        return 0; /* not a string value: jansson's business */
                vlen = jsonfast_string(&p, end, out, true);
                if (vlen < 0)
                        return 0;
                if (klen == 4 && memcmp(key, "test", 4) == 0) {
                        if (test)
                                return 0; /* duplicate key */
                        test = out;
                        test_len = vlen;
                        used += (size_t)vlen;
                } else if (klen == 4 && memcmp(key, "hash", 4) == 0) {
                        if (hash)
                                return 0;
                        hash = out;
                        hash_len = vlen;
                        used += (size_t)vlen;
                } else {
                        return 0; /* other fields: leave duplicate-key checks to jansson */
                }
                first = false;
                p = skip_ws(p, end);
                if (p < end && *p == ',') {
                        p++;
                        continue;
                }
                if (p < end && *p == '}') {
                        p++;
                        break;
                }
                return 0;
        }
        if (skip_ws(p, end) != end || !test)
                return 0;
        if (hash && md5_parse_hex(hash, (size_t)hash_len, want) < 0)
                return 0;
        *rc = add_test(b, test, (size_t)test_len, hash ? want : NULL, st, NULL, e);
        return 1;
}

static int parse_line(struct bank *b, const char *p, size_t n, struct jsonl_stats *st,
                      struct err *e)
{
        json_error_t jerr;
        json_t *o = jsonfast_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr), *t, *h;
        unsigned char want[MD5_DIGEST_LEN];
        bool have_hash = false;
        int rc = -1;

        if (!o)
                return err_set(e, 0, "invalid JSON: %s (column %d)", jerr.text, jerr.column);
        if (!json_is_object(o)) {
                err_set(e, 0, "not a JSON object");
                goto out;
        }
        t = json_object_get(o, "test");
        h = json_object_get(o, "hash");
        if (!t) {
                err_set(e, 0, "no \"test\" field");
                goto out;
        }
        if (!json_is_string(t)) {
                err_set(e, 0, "\"test\" is not a string");
                goto out;
        }
        if (h && !json_is_null(h)) {
                if (!json_is_string(h) ||
                    md5_parse_hex(json_string_value(h), json_string_length(h), want) < 0) {
                        err_set(e, 0, "\"hash\" is not 32 hex digits");
                        goto out;
                }
                have_hash = true;
        }
        rc = add_test(b, json_string_value(t), json_string_length(t), have_hash ? want : NULL, st,
                      NULL, e);
out:
        json_decref(o);
        return rc;
}

/* See jsonl.h. */
int jsonl_parse(struct bank *b, const char *text, size_t len, const char *source,
                struct jsonl_stats *st, struct err *e)
{
        struct jsonl_stats local;
        struct scratch sc = {NULL, 0};
        const char *p = text, *end = text + len;
        size_t line = 0;

        if (!st)
                st = &local;
        memset(st, 0, sizeof(*st));
        if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) /* a UTF-8 byte-order mark */
                p += 3;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

                line++;
                if (!blank(p, n)) {
                        int rc = 0;
                        st->lines++;
                        if (!fast_line(b, p, n, st, &sc, &rc, e))
                                rc = parse_line(b, p, n, st, e);
                        if (rc < 0) {
                                free(sc.data);
                                st->error_line = line;
                                return err_wrap(e, "%s:%zu", source, line);
                        }
                }
                p += n + (nl ? 1 : 0);
        }
        free(sc.data);
        return 0;
}

/* See jsonl.h. */
int jsonl_parse_tests_object(struct bank *b, const char *text, size_t len, struct jsonl_stats *st,
                             unsigned char **digests, struct err *e)
{
        json_error_t jerr;
        json_t *o = jsonfast_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr),
               *tests;
        unsigned char *ds = NULL;
        size_t i;
        int rc = -1;

        memset(st, 0, sizeof(*st));
        if (!o)
                return err_set(e, 0, "invalid JSON: %s", jerr.text);
        tests = json_object_get(o, "tests");
        if (!json_is_object(o) || !json_is_array(tests)) {
                err_set(e, 0, "not an object with a \"tests\" array");
                goto out;
        }
        if (digests) {
                ds = malloc(json_array_size(tests) * MD5_DIGEST_LEN + 1);
                if (!ds) {
                        err_set(e, ENOMEM, "tests");
                        goto out;
                }
        }
        for (i = 0; i < json_array_size(tests); i++) {
                json_t *t = json_array_get(tests, i);
                st->lines++;
                if (!json_is_string(t)) {
                        err_set(e, 0, "\"tests\"[%zu] is not a string", i);
                        goto out;
                }
                if (add_test(b, json_string_value(t), json_string_length(t), NULL, st,
                             ds ? ds + i * MD5_DIGEST_LEN : NULL, e) < 0) {
                        err_wrap(e, "\"tests\"[%zu]", i);
                        goto out;
                }
        }
        if (digests)
                *digests = ds;
        ds = NULL;
        rc = 0;
out:
        free(ds);
        json_decref(o);
        return rc;
}
