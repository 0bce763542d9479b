/* console: the web console's endpoints — the page at GET /, its assets
 * under GET /console/, and the JSON it polls: GET /v1/status and
 * GET /v1/history[/<id>].
 *
 * Theory of operation. The page and its bundle are bytes compiled into the
 * binary (console.h), so the console works offline and needs nothing
 * beside the binary; they are open routes, like /health: without a token
 * the page can only ask for one. Everything the page shows comes from the
 * native API (GET /v1/languages, POST /v1/run, POST /v1/judge) and the two
 * JSON routes here, which need the token when the server has one: the
 * status reads the metrics registry (metrics_status_json) and the process's
 * memory; the history reads history.c's ring, whose entries hold code and
 * output. */
#define _GNU_SOURCE
#include "console.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../http/http.h"
#include "../http/metrics.h"
#include "common.h"
#include "history.h"
#include "routes.h"

#define JSON_TYPE "application/json"
#define HISTORY_LIST_MAX 1000

static void reply_json(struct evhttp_request *req, int code, json_t *o)
{
        char *s =
            o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) : NULL;

        if (!s)
                http_reply_error(req, 500, "internal", "out of memory");
        else
                http_reply(req, code, JSON_TYPE, s, strlen(s));
        free(s);
        json_decref(o);
}

static const struct console_asset *asset(const char *name)
{
        for (size_t i = 0; i < console_nassets; i++)
                if (strcmp(console_assets[i].name, name) == 0)
                        return &console_assets[i];
        return NULL;
}

static void reply_asset(struct evhttp_request *req, const char *name)
{
        const struct console_asset *a = asset(name);
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);

        if (!a) {
                http_reply_str(req, 404, "text/plain; charset=utf-8", "Not Found");
                return;
        }
        /* The assets change only with the binary; the page is small. */
        if (http_add_header(h, "Cache-Control", "no-cache") < 0 ||
            http_add_header(h, "X-Content-Type-Options", "nosniff") < 0) {
                http_reply_str(req, 500, "text/plain; charset=utf-8", "Out of memory");
                return;
        }
        http_reply(req, 200, a->content_type, (const char *)a->data, a->len);
}

void route_console_page(struct evhttp_request *req)
{
        reply_asset(req, "index.html");
}

void route_console_asset(struct evhttp_request *req)
{
        const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
        const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
        const char *name = path ? path + strlen("/console/") : "";

        /* The table's names are plain; anything else (.., %, /) is not one. */
        if (!path || strlen(path) < strlen("/console/") || strchr(name, '/')) {
                http_reply_str(req, 404, "text/plain; charset=utf-8", "Not Found");
                return;
        }
        reply_asset(req, name);
}

/* The server's resident memory in bytes (/proc/self/statm: size, then
 * resident pages), 0 if unknown. */
static unsigned long long rss_bytes(void)
{
        char line[128];
        const char *p;
        FILE *f = fopen("/proc/self/statm", "re");

        if (!f)
                return 0;
        p = fgets(line, sizeof(line), f);
        (void)fclose(f);
        if (!p || !(p = strchr(line, ' ')))
                return 0;
        return strtoull(p + 1, NULL, 10) * (unsigned long long)sysconf(_SC_PAGESIZE);
}

void route_v1_status(struct evhttp_request *req)
{
        json_t *o = metrics_status_json();

        if (o) {
                json_object_set_new(o, "time", json_real((double)time(NULL)));
                json_object_set_new(o, "memory_rss_bytes", json_integer((json_int_t)rss_bytes()));
                json_object_set_new(o, "requests_waiting",
                                    json_integer((json_int_t)api_requests_waiting()));
                json_object_set_new(o, "history",
                                    json_pack("{s:I, s:I}", "kept", (json_int_t)history_count(),
                                              "capacity", (json_int_t)history_capacity()));
                json_object_set_new(o, "recent_errors", history_errors());
        }
        reply_json(req, 200, o);
}

/* A query parameter of req, or NULL. */
static const char *query_param(struct evkeyvalq *q, const char *key)
{
        const char *v = evhttp_find_header(q, key);

        return v && *v ? v : NULL;
}

void route_v1_history(struct evhttp_request *req)
{
        const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
        const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
        struct evkeyvalq q;
        size_t limit = HISTORY_LIST_MAX;
        const char *lim;
        json_t *list;

        /* parses into q after initialising it, also when the query is empty */
        if (evhttp_parse_query_str(query ? query : "", &q) < 0) {
                evhttp_clear_headers(&q);
                http_reply_error(req, 400, "invalid_query", "the query string could not be parsed");
                return;
        }
        lim = query_param(&q, "limit");
        if (lim) {
                char *end;
                unsigned long n = strtoul(lim, &end, 10);

                /* strtoul would take "-1" and " 1" */
                if (*lim < '0' || *lim > '9' || *end || n == 0) {
                        evhttp_clear_headers(&q);
                        http_reply_error(req, 400, "invalid_field",
                                         "'limit' must be a positive integer");
                        return;
                }
                if (n < limit)
                        limit = n;
        }
        list = history_list(query_param(&q, "language"), query_param(&q, "verdict"), limit);
        evhttp_clear_headers(&q);
        reply_json(
            req, 200,
            list ? json_pack("{s:I, s:o}", "capacity", (json_int_t)history_capacity(), "runs", list)
                 : NULL);
}

void route_v1_history_get(struct evhttp_request *req)
{
        const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
        const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
        const char *id_text = path ? path + strlen("/v1/history/") : "";
        char *end;
        unsigned long long id;
        json_t *e;

        if (!path || strlen(path) <= strlen("/v1/history/") || *id_text < '0' || *id_text > '9') {
                http_reply_error(req, 404, "not_found", "no such run in the history");
                return;
        }
        id = strtoull(id_text, &end, 10);
        e = *end ? NULL : history_get(id);
        if (!e) {
                http_reply_error(req, 404, "not_found", "no such run in the history");
                return;
        }
        reply_json(req, 200, e);
}
