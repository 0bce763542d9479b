/* testbanks: the test-bank endpoints of the native API (docs/api.md).
 *
 *   GET    /v1/testbanks              list: [{name, tests, read_only, source}]
 *   GET    /v1/testbanks/NAME         one bank's entry
 *   PUT    /v1/testbanks/NAME         body JSONL: replaces (or creates) the bank
 *   POST   /v1/testbanks/NAME/tests   body {"tests": [...]} or JSONL: adds tests,
 *                                     answers their hashes
 *   DELETE /v1/testbanks/NAME         removes an uploaded bank
 *
 * Theory of operation. Uploads are parsed on the event-loop thread into a
 * fresh staging bank (a few MB take milliseconds; the body size is bounded
 * by --max-body), and only a complete, valid staging bank reaches the store,
 * which persists it (temporary file, fsync, rename) before the served bank
 * changes. Any failure leaves the served bank as it was. Client errors are
 * 400 with the 1-based line ("line") of the first bad JSONL line, 409 for a
 * --testbank bank (read-only), 404 for an unknown bank, 500 when the state
 * directory cannot be written. */
#define _GNU_SOURCE
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bank/jsonl.h"
#include "../bank/store.h"
#include "../server/http.h"
#include "routes.h"

#define JSON_TYPE "application/json"
#define PREFIX "/v1/testbanks/"
#define TESTS_SUFFIX "/tests"

static void reply_json(struct evhttp_request *req, int code, json_t *o)
{
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

        http_reply(req, code, JSON_TYPE, s ? s : "{}", s ? strlen(s) : 2);
        free(s);
        json_decref(o);
}

static json_t *info_json(const struct banks_info *in)
{
        return json_pack("{s:s, s:I, s:b, s:s}", "name", in->name, "tests", (json_int_t)in->tests,
                         "read_only", in->read_only, "source", in->source);
}

static void reply_store_error(struct evhttp_request *req, int rc, const struct err *e)
{
        switch ((enum banks_error)rc) {
        case BANKS_EINPUT:
                http_reply_error(req, 400, "conflict", e->msg);
                break;
        case BANKS_EREADONLY:
                http_reply_error(req, 409, "read_only", e->msg);
                break;
        case BANKS_ENOTFOUND:
                http_reply_error(req, 404, "not_found", e->msg);
                break;
        case BANKS_EIO:
        default:
                http_reply_error(req, 500, "state_error", e->msg);
                break;
        }
}

/* The bank name in the request path (after PREFIX, minus suffix when given),
 * percent-decoded and validated; NULL after replying 400. Caller frees. */
static char *path_name(struct evhttp_request *req, const char *suffix)
{
        const char *uri = evhttp_request_get_uri(req);
        size_t plen = strcspn(uri, "?#"), pre = strlen(PREFIX), slen = suffix ? strlen(suffix) : 0;
        char raw[512], *name;
        size_t n = 0;

        if (plen >= sizeof(raw) || plen < pre + slen ||
            (suffix && memcmp(uri + plen - slen, suffix, slen) != 0)) {
                http_reply_error(req, 404, "not_found", "no such endpoint");
                return NULL;
        }
        memcpy(raw, uri + pre, plen - pre - slen);
        raw[plen - pre - slen] = '\0';
        name = evhttp_uridecode(raw, 0, &n);
        if (!name || strlen(name) != n || !banks_name_valid(name)) {
                http_reply_error(req, 400, "invalid_name",
                                 "a bank name is NAME or ORG/NAME, each part of letters, digits "
                                 "and . _ - (not starting with .), at most 128 characters");
                free(name);
                return NULL;
        }
        return name;
}

/* GET /v1/testbanks */
void route_v1_testbanks(struct evhttp_request *req)
{
        json_t *list = json_array();
        struct banks_info in;

        for (size_t i = 0; banks_info_at(i, &in); i++)
                json_array_append_new(list, info_json(&in));
        reply_json(req, 200, json_pack("{s:o}", "testbanks", list));
}

/* GET /v1/testbanks/NAME */
void route_v1_testbank_get(struct evhttp_request *req)
{
        char *name = path_name(req, NULL);
        struct banks_info in;

        if (!name)
                return;
        if (banks_info(name, &in))
                reply_json(req, 200, info_json(&in));
        else
                http_reply_error(req, 404, "not_found", "no such test bank");
        free(name);
}

static void reply_parse_error(struct evhttp_request *req, const char *code, const struct err *e,
                              size_t line)
{
        json_t *o = json_pack("{s:s, s:s}", "error", code, "message", e->msg);

        if (line)
                json_object_set_new(o, "line", json_integer((json_int_t)line));
        reply_json(req, e->errnum ? 500 : 400, o);
}

/* PUT /v1/testbanks/NAME: the body (JSONL) becomes the bank. */
void route_v1_testbank_put(struct evhttp_request *req)
{
        char *name = path_name(req, NULL);
        struct bank *b;
        struct jsonl_stats st;
        struct err e = {0, ""};
        size_t len;
        const char *body;
        int rc;

        if (!name)
                return;
        body = http_body(req, &len);
        b = bank_new();
        if (!b) {
                http_reply_error(req, 500, "out_of_memory", "out of memory");
                goto out;
        }
        if (jsonl_parse(b, body, len, "body", &st, &e) < 0) {
                reply_parse_error(req, "invalid_jsonl", &e, st.error_line);
                bank_free(b);
                goto out;
        }
        rc = banks_replace(name, b, &e);
        if (rc < 0) {
                bank_free(b);
                reply_store_error(req, rc, &e);
                goto out;
        }
        reply_json(req, 200,
                   json_pack("{s:s, s:I, s:I, s:I}", "name", name, "tests",
                             (json_int_t)bank_count(b), "lines", (json_int_t)st.lines,
                             "duplicates", (json_int_t)st.duplicates));
out:
        free(name);
}

/* Does the body look like {"tests": [...]} (one JSON document with that key)? */
static bool is_tests_object(const char *body, size_t len)
{
        json_t *o = json_loadb(body, len, JSON_ALLOW_NUL, NULL);
        bool yes = json_is_object(o) && json_object_get(o, "tests") != NULL;

        json_decref(o);
        return yes;
}

/* POST /v1/testbanks/NAME/tests: adds tests; answers their hashes. */
void route_v1_testbank_add(struct evhttp_request *req)
{
        char *name = path_name(req, TESTS_SUFFIX);
        struct bank *staging = NULL;
        struct jsonl_stats st;
        struct err e = {0, ""};
        unsigned char *digests = NULL;
        size_t len, added = 0, ndigests;
        const char *body;
        json_t *hashes;
        struct banks_info in;
        int rc;

        if (!name)
                return;
        body = http_body(req, &len);
        staging = bank_new();
        if (!staging) {
                http_reply_error(req, 500, "out_of_memory", "out of memory");
                goto out;
        }
        if (is_tests_object(body, len)) {
                if (jsonl_parse_tests_object(staging, body, len, &st, &digests, &e) < 0) {
                        reply_parse_error(req, "invalid_tests", &e, 0);
                        goto out;
                }
                ndigests = st.lines;
        } else {
                if (jsonl_parse(staging, body, len, "body", &st, &e) < 0) {
                        reply_parse_error(req, "invalid_jsonl", &e, st.error_line);
                        goto out;
                }
                /* JSONL: the distinct tests, in the order they first appear. */
                ndigests = bank_count(staging);
                digests = malloc(ndigests * MD5_DIGEST_LEN + 1);
                if (!digests) {
                        http_reply_error(req, 500, "out_of_memory", "out of memory");
                        goto out;
                }
                for (size_t i = 0; i < ndigests; i++) {
                        const unsigned char *d;
                        size_t tl;
                        bank_at(staging, i, &d, &tl);
                        memcpy(digests + i * MD5_DIGEST_LEN, d, MD5_DIGEST_LEN);
                }
        }
        rc = banks_add(name, staging, &added, &e);
        if (rc < 0) {
                reply_store_error(req, rc, &e);
                goto out;
        }
        hashes = json_array();
        for (size_t i = 0; i < ndigests; i++) {
                char hex[MD5_HEX_LEN + 1];
                md5_hex(digests + i * MD5_DIGEST_LEN, hex);
                json_array_append_new(hashes, json_string(hex));
        }
        banks_info(name, &in);
        reply_json(req, 200,
                   json_pack("{s:s, s:I, s:I, s:o}", "name", name, "added", (json_int_t)added,
                             "tests", (json_int_t)in.tests, "hashes", hashes));
out:
        bank_free(staging);
        free(digests);
        free(name);
}

/* DELETE /v1/testbanks/NAME */
void route_v1_testbank_delete(struct evhttp_request *req)
{
        char *name = path_name(req, NULL);
        struct err e = {0, ""};
        int rc;

        if (!name)
                return;
        rc = banks_delete(name, &e);
        if (rc < 0)
                reply_store_error(req, rc, &e);
        else
                reply_json(req, 200, json_pack("{s:s, s:b}", "name", name, "deleted", 1));
        free(name);
}
