/* testbanks: the test-bank endpoints of the native API (docs/api.md).
 *
 *   GET    /v1/testbanks              list: [{name, tests, read_only, source}]
 *   GET    /v1/testbanks/NAME         one bank's entry
 *   PUT    /v1/testbanks/NAME         body JSONL: replaces (or creates) the bank
 *   POST   /v1/testbanks/NAME/tests   body {"tests": [...]} or JSONL: adds tests,
 *                                     answers their hashes
 *   DELETE /v1/testbanks/NAME         removes an uploaded bank
 *
 * Theory of operation. The loop only copies an upload's body (bounded by
 * --max-body); the worker thread (bank/worker.h) parses the copy into a
 * fresh staging bank, and only a complete, valid staging bank reaches the
 * store, which queues the change: its file is written on the worker thread
 * too (temporary file, fsync, rename), then the served bank changes on the
 * loop and the reply goes out (op_done). If the client hangs
 * up meanwhile, the change still completes and only the reply is dropped.
 * Any failure leaves the served bank as it was. Client errors are
 * 400 with the 1-based line ("line") of the first bad JSONL line, 409 for a
 * --testbank bank (read-only), 404 for an unknown bank, 500 when the state
 * directory cannot be written. */
#define _GNU_SOURCE
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../bank/jsonl.h"
#include "../bank/store.h"
#include "../bank/worker.h"
#include "../http/http.h"
#include "../util/jsonfast.h"
#include "../util/log.h"
#include "pathname.h"
#include "routes.h"

#define JSON_TYPE "application/json"
#define PREFIX "/v1/testbanks/"
#define TESTS_SUFFIX "/tests"

static double now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

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
        char *name = api_path_name(req, PREFIX, NULL);
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

static struct event_base *loop_of(struct evhttp_request *req)
{
        return evhttp_connection_get_base(evhttp_request_get_connection(req));
}

/* A mutation waiting for the store: what its reply needs. req is NULL once
 * the client has gone (the mutation still completes). */
struct pending_op {
        struct evhttp_request *req; /* NULL once the client hung up */
        struct http_watch *watch;
        char *name;
        struct jsonl_stats st;
        unsigned char *digests; /* POST: the hashes to answer, in order */
        size_t ndigests;
        double t0, t1;
        double parse_cpu_ms;
        int kind; /* 0 PUT, 1 POST, 2 DELETE */
};

/* Stops watching the client (before a reply, or when it is gone). */
static void unwatch(struct pending_op *p)
{
        http_unwatch(p->watch);
        p->watch = NULL;
}

/* The client hung up: the operation still completes (the bank changes or
 * not as a whole), but nobody is told. */
static void on_client_gone(void *arg)
{
        struct pending_op *p = arg;

        unwatch(p);
        p->req = NULL;
}

static struct pending_op *pending_new(struct evhttp_request *req, char *name, int kind)
{
        struct pending_op *p = calloc(1, sizeof(*p));

        if (!p)
                return NULL;
        p->req = req;
        p->name = name;
        p->kind = kind;
        p->t0 = now_ms();
        return p;
}

static void pending_free(struct pending_op *p)
{
        unwatch(p);
        free(p->name);
        free(p->digests);
        free(p);
}

/* Submits the armed operation; on a queueing failure replies 500. */
static void pending_submit(struct pending_op *p, int rc, const struct err *e)
{
        if (rc < 0) {
                unwatch(p);
                http_reply_error(p->req, 500, "state_error", e->msg);
                pending_free(p);
        }
}

static void op_done(int rc, const struct err *e, size_t added, void *arg)
{
        struct pending_op *p = arg;
        struct evhttp_request *req = p->req;
        struct banks_info in;
        json_t *hashes;

        if (p->kind == 0 && rc == 0)
                log_info("test bank %s: %zu lines uploaded (parsed in %.1f ms, %.1f ms of CPU, and "
                         "persisted in %.1f ms, on the worker thread)",
                         p->name, p->st.lines, p->t1 - p->t0, p->parse_cpu_ms, now_ms() - p->t1);
        if (!req) {
                pending_free(p);
                return;
        }
        unwatch(p);
        if (rc < 0) {
                reply_store_error(req, rc, e);
        } else if (p->kind == 2) {
                reply_json(req, 200, json_pack("{s:s, s:b}", "name", p->name, "deleted", 1));
        } else if (!banks_info(p->name, &in)) {
                http_reply_error(req, 500, "state_error", "the bank vanished");
        } else if (p->kind == 0) {
                reply_json(req, 200,
                           json_pack("{s:s, s:I, s:I, s:I}", "name", p->name, "tests",
                                     (json_int_t)in.tests, "lines", (json_int_t)p->st.lines,
                                     "duplicates", (json_int_t)p->st.duplicates));
        } else {
                hashes = json_array();
                for (size_t i = 0; i < p->ndigests; i++) {
                        char hex[MD5_HEX_LEN + 1];
                        md5_hex(p->digests + i * MD5_DIGEST_LEN, hex);
                        json_array_append_new(hashes, json_string(hex));
                }
                reply_json(req, 200,
                           json_pack("{s:s, s:I, s:I, s:o}", "name", p->name, "added",
                                     (json_int_t)added, "tests", (json_int_t)in.tests, "hashes",
                                     hashes));
        }
        pending_free(p);
}

/* Does the body look like {"tests": [...]} (one JSON document with that key)? */
static bool is_tests_object(const char *body, size_t len)
{
        json_t *o = jsonfast_loadb(body, len, JSON_ALLOW_NUL, NULL);
        bool yes = json_is_object(o) && json_object_get(o, "tests") != NULL;

        json_decref(o);
        return yes;
}

/* Parsing an upload on the worker thread: the body is a private copy, so
 * the request may go away meanwhile. */
struct parse_item {
        struct worker_item item; /* first */
        struct pending_op *p;
        char *body;
        size_t len;
        struct bank *staging;
        const char *code; /* the error code of a parse failure */
        int rc;
        struct err e;
        struct event_base *loop_base;
};

static void parse_body(struct parse_item *pi, struct pending_op *p);

static void parse_work(struct worker_item *it)
{
        struct parse_item *pi = (struct parse_item *)it;
        struct pending_op *p = pi->p;
        struct timespec c0, c1;

        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
        parse_body(pi, p);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
        p->parse_cpu_ms =
            (double)(c1.tv_sec - c0.tv_sec) * 1e3 + (double)(c1.tv_nsec - c0.tv_nsec) / 1e6;
}

static void parse_body(struct parse_item *pi, struct pending_op *p)
{
        pi->staging = bank_new();
        if (!pi->staging) {
                pi->rc = err_set(&pi->e, ENOMEM, "upload");
                return;
        }
        if (p->kind == 1 && is_tests_object(pi->body, pi->len)) {
                pi->code = "invalid_tests";
                pi->rc = jsonl_parse_tests_object(pi->staging, pi->body, pi->len, &p->st,
                                                  &p->digests, &pi->e);
                p->ndigests = p->st.lines;
                return;
        }
        pi->code = "invalid_jsonl";
        pi->rc = jsonl_parse(pi->staging, pi->body, pi->len, "body", &p->st, &pi->e);
        if (pi->rc < 0 || p->kind != 1)
                return;
        /* POST as JSONL: the distinct tests, in the order they first appear. */
        p->ndigests = bank_count(pi->staging);
        p->digests = malloc(p->ndigests * MD5_DIGEST_LEN + 1);
        if (!p->digests) {
                pi->rc = err_set(&pi->e, ENOMEM, "upload");
                return;
        }
        for (size_t i = 0; i < p->ndigests; i++) {
                const unsigned char *d;
                size_t tl;
                bank_at(pi->staging, i, &d, &tl);
                memcpy(p->digests + i * MD5_DIGEST_LEN, d, MD5_DIGEST_LEN);
        }
}

static void parse_done(struct worker_item *it)
{
        struct parse_item *pi = (struct parse_item *)it;
        struct pending_op *p = pi->p;
        struct err e = {0, ""};
        struct bank *staging = pi->staging;
        int rc;

        free(pi->body);
        p->t1 = now_ms();
        if (pi->rc < 0) {
                if (p->req) {
                        unwatch(p);
                        reply_parse_error(p->req, pi->code ? pi->code : "invalid_jsonl", &pi->e,
                                          p->st.error_line);
                }
                bank_free(staging);
                pending_free(p);
                free(pi);
                return;
        }
        rc = p->kind == 0 ? banks_replace(pi->loop_base, p->name, staging, op_done, p, &e)
                          : banks_add(pi->loop_base, p->name, staging, op_done, p, &e);
        free(pi);
        pending_submit(p, rc, &e);
}

/* PUT and POST: copies the body and queues its parsing. */
static void upload(struct evhttp_request *req, int kind)
{
        char *name = api_path_name(req, PREFIX, kind == 1 ? TESTS_SUFFIX : NULL);
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        struct pending_op *p;
        struct parse_item *pi;
        struct err e = {0, ""};

        if (!name)
                return;
        p = pending_new(req, name, kind);
        if (!p) {
                free(name);
                http_reply_error(req, 500, "out_of_memory", "out of memory");
                return;
        }
        pi = calloc(1, sizeof(*pi));
        if (pi) {
                pi->len = evbuffer_get_length(in);
                pi->body = malloc(pi->len + 1);
        }
        if (!pi || !pi->body) {
                free(pi);
                pending_free(p);
                http_reply_error(req, 500, "out_of_memory", "out of memory");
                return;
        }
        if (evbuffer_copyout(in, pi->body, pi->len) != (ev_ssize_t)pi->len) {
                free(pi->body);
                free(pi);
                pending_free(p);
                http_reply_error(req, 500, "internal_error", "cannot read the request body");
                return;
        }
        pi->p = p;
        pi->loop_base = loop_of(req);
        pi->item.work = parse_work;
        pi->item.done = parse_done;
        p->watch = http_watch(req, on_client_gone, p);
        if (worker_submit(pi->loop_base, &pi->item, &e) < 0) {
                free(pi->body);
                free(pi);
                pending_submit(p, -1, &e);
        }
}

/* PUT /v1/testbanks/NAME: the body (JSONL) becomes the bank. */
void route_v1_testbank_put(struct evhttp_request *req)
{
        upload(req, 0);
}

/* POST /v1/testbanks/NAME/tests: adds tests; answers their hashes. */
void route_v1_testbank_add(struct evhttp_request *req)
{
        upload(req, 1);
}

/* DELETE /v1/testbanks/NAME */
void route_v1_testbank_delete(struct evhttp_request *req)
{
        char *name = api_path_name(req, PREFIX, NULL);
        struct pending_op *p;
        struct err e = {0, ""};

        if (!name)
                return;
        p = pending_new(req, name, 2);
        if (!p) {
                free(name);
                http_reply_error(req, 500, "out_of_memory", "out of memory");
                return;
        }
        p->watch = http_watch(req, on_client_gone, p);
        pending_submit(p, banks_delete(loop_of(req), name, op_done, p, &e), &e);
}
