/* routes: the HTTP endpoints' handlers, listed in the route table
 * (routes.c). Each handler validates its request and either replies at
 * once (bad input, /health) or submits a job (api_run_job). */
#ifndef CODEEXEC_ROUTES_H
#define CODEEXEC_ROUTES_H

struct evhttp_request;

/* Compatibility endpoints (legacy.c): byte-compatible with code_exec_server. */
void route_health(struct evhttp_request *req);
void route_py_exec(struct evhttp_request *req);
void route_any_exec(struct evhttp_request *req);

/* The web console (console.c): GET / (the page), GET /console/NAME (its
 * assets), GET /v1/status, GET /v1/history and GET /v1/history/ID. */
void route_console_page(struct evhttp_request *req);
void route_console_asset(struct evhttp_request *req);
void route_v1_status(struct evhttp_request *req);
void route_v1_history(struct evhttp_request *req);
void route_v1_history_get(struct evhttp_request *req);

/* Native API (v1.c). */
void route_v1_languages(struct evhttp_request *req);
void route_v1_run(struct evhttp_request *req);
void route_v1_batch(struct evhttp_request *req);

/* Judge mode (judge.c): POST /v1/judge. */
void route_v1_judge(struct evhttp_request *req);

/* Coverage (coverage.c): /py_coverage (compatibility) and /v1/coverage. */
void route_py_coverage(struct evhttp_request *req);
void route_v1_coverage(struct evhttp_request *req);

/* Test banks (testbanks.c): GET /v1/testbanks, and GET/PUT/DELETE
 * /v1/testbanks/NAME, POST /v1/testbanks/NAME/tests. */
void route_v1_testbanks(struct evhttp_request *req);
void route_v1_testbank_get(struct evhttp_request *req);
void route_v1_testbank_put(struct evhttp_request *req);
void route_v1_testbank_add(struct evhttp_request *req);
void route_v1_testbank_delete(struct evhttp_request *req);

/* Judge problems (problems.c): GET /v1/problems, and GET/PUT/DELETE
 * /v1/problems/NAME, POST /v1/problems/NAME/tests. */
void route_v1_problems(struct evhttp_request *req);
void route_v1_problem_get(struct evhttp_request *req);
void route_v1_problem_put(struct evhttp_request *req);
void route_v1_problem_add(struct evhttp_request *req);
void route_v1_problem_delete(struct evhttp_request *req);
/* Piston v2 (piston.c): every method on every path under /api/v2/
 * (POST execute, GET runtimes; anything else Piston's 404). */
void route_piston(struct evhttp_request *req);

/* Judge0 CE (judge0.c): /submissions, /languages, /statuses, /about,
 * /config_info. */
void route_judge0_create(struct evhttp_request *req);
void route_judge0_batch_create(struct evhttp_request *req);
void route_judge0_show(struct evhttp_request *req);
void route_judge0_languages(struct evhttp_request *req);
void route_judge0_language(struct evhttp_request *req);
void route_judge0_statuses(struct evhttp_request *req);
void route_judge0_about(struct evhttp_request *req);
void route_judge0_config_info(struct evhttp_request *req);

/* SandboxFusion's API (sandboxfusion.c): POST /run_code, POST /run_jupyter,
 * GET /v1/ping. */
void route_sf_run_code(struct evhttp_request *req);
void route_sf_run_jupyter(struct evhttp_request *req);
void route_sf_ping(struct evhttp_request *req);

#endif
