/* routes: the route table, every endpoint of the server in one place.
 *
 * Theory of operation. The table is data handed to the HTTP transport at
 * start-up (main: http_start(..., api_routes())); the transport matches
 * method and path, applies auth to every route not marked open, and calls
 * the handler. The handlers live beside their reply formats (legacy.c,
 * v1.c, batch.c, judge.c, coverage.c, testbanks.c, problems.c, piston.c,
 * judge0.c); the web console's page and JSON are in console.c; only
 * /metrics, which renders the metrics registry as it is, lives here. Adding
 * an endpoint is a row here and a handler (docs/architecture.md). */
#include <event2/http.h>

#include "../http/http.h"
#include "../http/metrics.h"
#include "../util/buf.h"
#include "api.h"
#include "routes.h"

/* GET /metrics: the Prometheus exposition. */
static void route_metrics(struct evhttp_request *req)
{
        struct buf out;

        buf_init(&out, 0);
        metrics_render(&out);
        http_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", out.data ? out.data : "",
                   out.len);
        buf_free(&out);
}

/* {method, path, handler, HTTP_ROUTE_* flags (http.h)}. Among routes of
 * one path, the last whose method matches wins. POST / is the original
 * client's auth-gateway form of /py_exec; GET / is the web console's page,
 * open like its assets (the page asks for the token; /v1/status and
 * /v1/history need it). The original client's liveness check (GET /) takes
 * a 200 as alive, as it took the 404 before; any other method on / is
 * still a 404. */
static const struct http_route routes[] = {
    {EVHTTP_REQ_GET, "/health", route_health, HTTP_ROUTE_OPEN},
    {EVHTTP_REQ_GET, "/metrics", route_metrics, HTTP_ROUTE_OPEN},
    {EVHTTP_REQ_POST, "/py_exec", route_py_exec, 0},
    {EVHTTP_REQ_POST, "/", route_py_exec, HTTP_ROUTE_NO_405},
    {EVHTTP_REQ_GET, "/", route_console_page, HTTP_ROUTE_OPEN | HTTP_ROUTE_NO_405},
    {EVHTTP_REQ_GET, "/console/", route_console_asset, HTTP_ROUTE_OPEN | HTTP_ROUTE_PREFIX},
    {EVHTTP_REQ_GET, "/v1/status", route_v1_status, 0},
    {EVHTTP_REQ_GET, "/v1/history", route_v1_history, 0},
    {EVHTTP_REQ_GET, "/v1/history/", route_v1_history_get, HTTP_ROUTE_PREFIX},
    {EVHTTP_REQ_POST, "/any_exec", route_any_exec, 0},
    {EVHTTP_REQ_GET, "/v1/languages", route_v1_languages, 0},
    {EVHTTP_REQ_POST, "/v1/run", route_v1_run, 0},
    {EVHTTP_REQ_POST, "/v1/batch", route_v1_batch, 0},
    {EVHTTP_REQ_POST, "/v1/judge", route_v1_judge, 0},
    {EVHTTP_REQ_POST, "/py_coverage", route_py_coverage, 0},
    {EVHTTP_REQ_POST, "/v1/coverage", route_v1_coverage, 0},
    {EVHTTP_REQ_GET, "/v1/testbanks", route_v1_testbanks, 0},
    {EVHTTP_REQ_GET, "/v1/testbanks/", route_v1_testbank_get, HTTP_ROUTE_PREFIX},
    {EVHTTP_REQ_PUT, "/v1/testbanks/", route_v1_testbank_put, HTTP_ROUTE_PREFIX},
    {EVHTTP_REQ_POST, "/v1/testbanks/", route_v1_testbank_add, HTTP_ROUTE_PREFIX},
    {EVHTTP_REQ_DELETE, "/v1/testbanks/", route_v1_testbank_delete, HTTP_ROUTE_PREFIX},
    {EVHTTP_REQ_GET, "/v1/problems", route_v1_problems, 0},
    {EVHTTP_REQ_GET, "/v1/problems/", route_v1_problem_get, HTTP_ROUTE_PREFIX},
    {EVHTTP_REQ_PUT, "/v1/problems/", route_v1_problem_put, HTTP_ROUTE_PREFIX},
    {EVHTTP_REQ_POST, "/v1/problems/", route_v1_problem_add, HTTP_ROUTE_PREFIX},
    {EVHTTP_REQ_DELETE, "/v1/problems/", route_v1_problem_delete, HTTP_ROUTE_PREFIX},
    /* Piston v2 (piston.c) */
    {EVHTTP_REQ_GET, "/api/v2/", route_piston, HTTP_ROUTE_PREFIX | HTTP_ROUTE_NO_405},
    {EVHTTP_REQ_POST, "/api/v2/", route_piston, HTTP_ROUTE_PREFIX | HTTP_ROUTE_NO_405},
    {EVHTTP_REQ_PUT, "/api/v2/", route_piston, HTTP_ROUTE_PREFIX | HTTP_ROUTE_NO_405},
    {EVHTTP_REQ_DELETE, "/api/v2/", route_piston, HTTP_ROUTE_PREFIX | HTTP_ROUTE_NO_405},
    /* Judge0 CE (judge0.c); /submissions/batch's POST row comes before the
     * prefix, which relabels the path once it matches */
    {EVHTTP_REQ_POST, "/submissions", route_judge0_create, 0},
    {EVHTTP_REQ_POST, "/submissions/batch", route_judge0_batch_create, 0},
    {EVHTTP_REQ_GET, "/submissions/", route_judge0_show, HTTP_ROUTE_PREFIX},
    {EVHTTP_REQ_GET, "/languages", route_judge0_languages, 0},
    {EVHTTP_REQ_GET, "/languages/", route_judge0_language, HTTP_ROUTE_PREFIX},
    {EVHTTP_REQ_GET, "/statuses", route_judge0_statuses, 0},
    {EVHTTP_REQ_GET, "/about", route_judge0_about, 0},
    {EVHTTP_REQ_GET, "/config_info", route_judge0_config_info, 0},
    /* SandboxFusion (sandboxfusion.c) */
    {EVHTTP_REQ_POST, "/run_code", route_sf_run_code, 0},
    {EVHTTP_REQ_POST, "/run_jupyter", route_sf_run_jupyter, 0},
    {EVHTTP_REQ_GET, "/v1/ping", route_sf_ping, 0},
};

const struct http_route *api_routes(size_t *n)
{
        *n = sizeof(routes) / sizeof(routes[0]);
        return routes;
}
