/* jsonl: the test-bank input formats (see jsonl.h).
 *
 * Theory of operation. The text is split on '\n' without copying; each
 * non-blank line is handed to jansson on its own (json_loadb on the line's
 * bytes, NULs allowed, duplicate keys rejected), so one bad line cannot
 * swallow the next and errors carry the line number. The digest is always
 * computed from the decoded test text; a given "hash" is only compared with
 * it. Everything is read from memory: the caller owns reading files or
 * request bodies. */
#include "jsonl.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

static int parse_line(struct bank *b, const char *p, size_t n, struct jsonl_stats *st, struct err *e)
{
        json_error_t jerr;
        json_t *o = json_loadb(p, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr), *t, *h;
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
                        st->lines++;
                        if (parse_line(b, p, n, st, e) < 0) {
                                st->error_line = line;
                                return err_wrap(e, "%s:%zu", source, line);
                        }
                }
                p += n + (nl ? 1 : 0);
        }
        return 0;
}

/* See jsonl.h. */
int jsonl_parse_tests_object(struct bank *b, const char *text, size_t len, struct jsonl_stats *st,
                             unsigned char **digests, struct err *e)
{
        json_error_t jerr;
        json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr), *tests;
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
