/* routes: the HTTP endpoints. Each handler validates its request and either
 * replies at once (bad input, /health) or submits a job (http_run_job). */
#ifndef CODEEXEC_ROUTES_H
#define CODEEXEC_ROUTES_H

struct evhttp_request;

/* Compatibility endpoints (legacy.c): byte-compatible with code_exec_server. */
void route_health(struct evhttp_request *req);
void route_py_exec(struct evhttp_request *req);
void route_any_exec(struct evhttp_request *req);

/* Native API (v1.c). */
void route_v1_languages(struct evhttp_request *req);
void route_v1_run(struct evhttp_request *req);
void route_v1_batch(struct evhttp_request *req);

#endif
