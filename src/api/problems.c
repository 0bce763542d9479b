/* problems: the problem-store endpoints of the native API (docs/api.md).
 *
 *   GET    /v1/problems               list: [{name, tests, bytes, hash}]
 *   GET    /v1/problems/NAME          one problem's entry, with checker and limits
 *   PUT    /v1/problems/NAME          body {"tests", "checker", "limits"}: stores
 *                                     (or replaces) the problem, 201
 *   POST   /v1/problems/NAME/tests    body {"tests"}: appends tests, 200
 *   DELETE /v1/problems/NAME          removes the problem
 *
 * Theory of operation. As for the test banks (testbanks.c): the loop only
 * copies an upload's body; the worker thread (bank/worker.h) parses the
 * copy and builds a fresh problem from it (tests_from_json); back on the
 * loop the checker and limits are checked (check_spec) and kept as JSON
 * text, and the store queues the change (bank/problems.h), which writes the
 * problem's file on the worker thread too and swaps it in on the loop
 * before the reply goes out. A judge holding the old problem keeps it. If
 * the client hangs up meanwhile, the change still completes and only the
 * reply is dropped; any failure leaves the stored problem as it was.
 * Errors: 400 invalid_json / invalid_field / invalid_name, 404
 * unknown_problem, 507 insufficient_storage (--problems-mb), 500
 * state_error when the state directory cannot be written. */
#define _GNU_SOURCE
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bank/problems.h"
#include "../bank/worker.h"
#include "../http/http.h"
#include "../util/jsonfast.h"
#include "common.h"
#include "judge_item.h"
#include "pathname.h"
#include "routes.h"
#include "tests_json.h"

#define JSON_TYPE "application/json"
#define PREFIX "/v1/problems/"
#define TESTS_SUFFIX "/tests"

enum op_kind { PUT, APPEND, DELETE };

static void reply_json(struct evhttp_request *req, int code, json_t *o)
{
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

        if (s)
                http_reply(req, code, JSON_TYPE, s, strlen(s));
        else
                http_reply_error(req, 500, "out_of_memory", "out of memory");
        free(s);
        json_decref(o);
}

/* {name, tests, bytes, hash}: a problem's entry in replies. */
static json_t *entry_json(const struct problem *p)
{
        return json_pack("{s:s, s:I, s:I, s:s}", "name", p->name, "tests", (json_int_t)p->ntests,
                         "bytes", (json_int_t)p->bytes, "hash", p->hash);
}

/* A stored checker or limits text as a JSON value (null when absent). */
static json_t *stored_json(const char *text)
{
        json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;

        return v ? v : json_null();
}

/* GET /v1/problems */
void route_v1_problems(struct evhttp_request *req)
{
        json_t *list = json_array();

        for (size_t i = 0; i < problems_count(); i++)
                json_array_append_new(list, entry_json(problems_at(i)));
        reply_json(req, 200, json_pack("{s:o}", "problems", list));
}

static void reply_unknown(struct evhttp_request *req, const char *name)
{
        char msg[256];

        snprintf(msg, sizeof(msg), "no problem named %s", name);
        http_reply_error(req, 404, "unknown_problem", msg);
}

/* GET /v1/problems/NAME */
void route_v1_problem_get(struct evhttp_request *req)
{
        char *name = api_path_name(req, PREFIX, NULL);
        struct problem *p;
        json_t *o;

        if (!name)
                return;
        p = problems_get(name);
        if (!p) {
                reply_unknown(req, name);
        } else {
                o = entry_json(p);
                if (o) {
                        json_object_set_new(o, "checker", stored_json(p->checker));
                        json_object_set_new(o, "limits", stored_json(p->limits));
                }
                reply_json(req, 200, o);
                problem_unref(p);
        }
        free(name);
}

/* Checks the checker and limits of a PUT (either may be NULL) before they
 * are stored; 0, or -1 with err set (400). The checker is read exactly as
 * /v1/judge reads it (an unknown name or a checker program in an unknown
 * language is refused now, not at the first judge); the limits' fields are
 * checked against the server's maxima when a judge uses them. */
static int check_spec(json_t *checker, json_t *limits, struct v1_error *err)
{
        err->http_status = 400;
        err->code = "invalid_field";
        if (checker && !json_is_null(checker) && api_judge_check_checker(checker, err) < 0)
                return -1;
        err->http_status = 400;
        err->code = "invalid_field";
        if (limits && !json_is_object(limits)) {
                snprintf(err->message, sizeof(err->message), "'limits' must be an object");
                return -1;
        }
        return 0;
}

/* A mutation in flight: what its reply needs. req is NULL once the client
 * has gone (the mutation still completes). */
struct pending {
        struct evhttp_request *req;
        struct http_watch *watch;
        struct event_base *base;
        char *name;
        enum op_kind kind;
};

static void unwatch(struct pending *p)
{
        http_unwatch(p->watch);
        p->watch = NULL;
}

static void on_client_gone(void *arg)
{
        struct pending *p = arg;

        unwatch(p);
        p->req = NULL;
}

static struct pending *pending_new(struct evhttp_request *req, char *name, enum op_kind kind)
{
        struct pending *p = calloc(1, sizeof(*p));

        if (!p) {
                free(name);
                http_reply_error(req, 500, "out_of_memory", "out of memory");
                return NULL;
        }
        p->req = req;
        p->base = evhttp_connection_get_base(evhttp_request_get_connection(req));
        p->name = name;
        p->kind = kind;
        p->watch = http_watch(req, on_client_gone, p);
        return p;
}

static void pending_free(struct pending *p)
{
        unwatch(p);
        free(p->name);
        free(p);
}

/* Replies (unless the client is gone) and frees p. */
static void finish_error(struct pending *p, int status, const char *code, const char *msg)
{
        if (p->req) {
                unwatch(p);
                http_reply_error(p->req, status, code, msg);
        }
        pending_free(p);
}

static void store_done(int rc, const struct err *e, const struct problem *stored, void *arg)
{
        struct pending *p = arg;

        if (rc < 0) {
                switch ((enum problems_error)rc) {
                case PROBLEMS_ENOTFOUND:
                        finish_error(p, 404, "unknown_problem", e->msg);
                        return;
                case PROBLEMS_EFULL:
                        finish_error(p, 507, "insufficient_storage", e->msg);
                        return;
                case PROBLEMS_EIO:
                default:
                        finish_error(p, 500, "state_error", e->msg);
                        return;
                }
        }
        if (p->req) {
                unwatch(p);
                if (p->kind == DELETE)
                        reply_json(p->req, 200,
                                   json_pack("{s:s, s:b}", "name", p->name, "deleted", 1));
                else
                        reply_json(p->req, p->kind == PUT ? 201 : 200, entry_json(stored));
        }
        pending_free(p);
}

/* Parsing an upload on the worker thread: the body is a private copy and
 * the problem a fresh one, so the request may go away meanwhile. */
struct parse_item {
        struct worker_item item; /* first */
        struct pending *p;
        char *body;
        size_t len, max_expected;
        struct problem *prob;
        json_t *checker, *limits; /* PUT, when given (references) */
        int rc;
        struct v1_error err;
};

static int refuse(struct parse_item *pi, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(struct parse_item *pi, const char *code, const char *fmt, ...)
{
        va_list ap;

        pi->err.http_status = 400;
        pi->err.code = code;
        va_start(ap, fmt);
        vsnprintf(pi->err.message, sizeof(pi->err.message), fmt, ap);
        va_end(ap);
        return pi->rc = -1;
}

/* The body's fields: "tests", and for a PUT "checker" and "limits". */
static int take_fields(struct parse_item *pi, json_t *root)
{
        const char *key;
        json_t *v;

        json_object_foreach(root, key, v)
        {
                if (!strcmp(key, "tests"))
                        continue;
                if (pi->p->kind == PUT && !strcmp(key, "checker")) {
                        pi->checker = json_is_null(v) ? NULL : json_incref(v);
                } else if (pi->p->kind == PUT && !strcmp(key, "limits")) {
                        pi->limits = json_is_null(v) ? NULL : json_incref(v);
                } else if (pi->p->kind == APPEND) {
                        return refuse(pi, "invalid_field",
                                      "unknown field '%s': POST .../tests takes {\"tests\"} only "
                                      "(PUT the problem to change its checker or limits)",
                                      key);
                } else {
                        return refuse(pi, "invalid_field",
                                      "unknown field '%s' (a problem is {\"tests\", \"checker\", "
                                      "\"limits\"})",
                                      key);
                }
        }
        return 0;
}

static void parse_work(struct worker_item *it)
{
        struct parse_item *pi = (struct parse_item *)it;
        json_error_t je;
        json_t *root =
            jsonfast_loadb(pi->body, pi->len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);

        if (!root) {
                refuse(pi, "invalid_json", "the body is not valid JSON: %s", je.text);
                return;
        }
        if (!json_is_object(root)) {
                refuse(pi, "invalid_json", "the body is not a JSON object");
        } else if (take_fields(pi, root) == 0) {
                pi->prob = problem_new(pi->p->name);
                if (!pi->prob) {
                        pi->err = (struct v1_error){500, "out_of_memory", "out of memory"};
                        pi->rc = -1;
                } else if (tests_from_json(json_object_get(root, "tests"), pi->prob,
                                           pi->max_expected, &pi->err) < 0) {
                        pi->rc = -1;
                } else if (pi->p->kind == PUT) {
                        problem_seal(pi->prob); /* an append's result is sealed whole */
                }
        }
        json_decref(root);
}

/* Keeps a checker or limits value as JSON text in *out; -1 when out of
 * memory. */
static int keep_text(json_t *v, char **out)
{
        if (!v)
                return 0;
        *out = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
        return *out ? 0 : -1;
}

static void parse_done(struct worker_item *it)
{
        struct parse_item *pi = (struct parse_item *)it;
        struct pending *p = pi->p;
        struct problem *prob = pi->prob;
        struct err e = {0, ""};
        int rc;

        free(pi->body);
        if (pi->rc == 0 && check_spec(pi->checker, pi->limits, &pi->err) < 0)
                pi->rc = -1;
        if (pi->rc == 0 && (keep_text(pi->checker, &prob->checker) < 0 ||
                            keep_text(pi->limits, &prob->limits) < 0)) {
                pi->err = (struct v1_error){500, "out_of_memory", "out of memory"};
                pi->rc = -1;
        }
        json_decref(pi->checker);
        json_decref(pi->limits);
        if (pi->rc < 0) {
                problem_unref(prob);
                finish_error(p, pi->err.http_status, pi->err.code, pi->err.message);
                free(pi);
                return;
        }
        free(pi);
        rc = p->kind == PUT ? problems_put(p->base, prob, store_done, p, &e)
                            : problems_append(p->base, p->name, prob, store_done, p, &e);
        if (rc < 0)
                finish_error(p, 500, "state_error", e.msg);
}

/* PUT and POST: copies the body and queues its parsing. */
static void upload(struct evhttp_request *req, enum op_kind kind)
{
        char *name = api_path_name(req, PREFIX, kind == APPEND ? TESTS_SUFFIX : NULL);
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        struct pending *p;
        struct parse_item *pi;
        struct err e = {0, ""};

        if (!name || !(p = pending_new(req, name, kind)))
                return;
        pi = calloc(1, sizeof(*pi));
        if (pi) {
                pi->len = evbuffer_get_length(in);
                pi->body = malloc(pi->len + 1);
        }
        if (!pi || !pi->body) {
                free(pi);
                finish_error(p, 500, "out_of_memory", "out of memory");
                return;
        }
        if (evbuffer_copyout(in, pi->body, pi->len) != (ev_ssize_t)pi->len) {
                free(pi->body);
                free(pi);
                finish_error(p, 500, "internal_error", "cannot read the request body");
                return;
        }
        pi->p = p;
        pi->max_expected = api_config()->output_limit_bytes;
        pi->item.work = parse_work;
        pi->item.done = parse_done;
        if (worker_submit(p->base, &pi->item, &e) < 0) {
                free(pi->body);
                free(pi);
                finish_error(p, 500, "state_error", e.msg);
        }
}

/* PUT /v1/problems/NAME: the body becomes the problem. */
void route_v1_problem_put(struct evhttp_request *req)
{
        upload(req, PUT);
}

/* POST /v1/problems/NAME/tests: appends tests. */
void route_v1_problem_add(struct evhttp_request *req)
{
        upload(req, APPEND);
}

/* DELETE /v1/problems/NAME */
void route_v1_problem_delete(struct evhttp_request *req)
{
        char *name = api_path_name(req, PREFIX, NULL);
        struct pending *p;
        struct err e = {0, ""};

        if (!name || !(p = pending_new(req, name, DELETE)))
                return;
        if (problems_delete(p->base, name, store_done, p, &e) < 0)
                finish_error(p, 500, "state_error", e.msg);
}
