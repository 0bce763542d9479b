/* api: the endpoints' face to the layer above (main). The endpoints never
 * reach up for the server's options: what they need is handed down once,
 * at start-up, as a struct api_config (docs/architecture.md). */
#ifndef CODEEXEC_API_H
#define CODEEXEC_API_H

#include <stddef.h>
#include <stdint.h>

struct http_route;

/* The server options the endpoints apply: a run's default limits, the
 * maxima a request may ask for, and the reply and batch bounds. */
struct api_config {
        unsigned default_timeout_s; /* a compatibility request without timeout */
        unsigned max_timeout_s;     /* requested timeouts are capped here */
        uint64_t memory_mb;         /* default and maximum per run */
        uint32_t processes;
        uint64_t file_mb;
        uint64_t tmpfs_mb;
        uint32_t open_files;
        size_t output_limit_bytes;  /* per stream, default and maximum */
        size_t piston_output_max;   /* Piston dialect: per stream and stage */
        size_t reply_limit_bytes;   /* the encoded reply to one run (--reply-limit) */
        size_t max_batch;           /* runs in one /v1/batch request */
        uint64_t judge0_keep_bytes; /* Judge0 results kept, in all (judge0_sub.c) */
        unsigned judge0_ttl_s;      /* how long a finished one is kept */
        size_t history;             /* runs the console's History keeps (0: off) */
};

/* Copies c; called once, before the first request (and before anything
 * asks for a recipe's limits, e.g. the warm pool). */
void api_init(const struct api_config *c);

/* The route table (routes.c), for http_start(): every endpoint, its
 * method, path and whether it needs the auth token. *n is its length. */
const struct http_route *api_routes(size_t *n);

/* Requests whose run is queued or running (their reply not yet begun). */
size_t api_requests_waiting(void);

#endif
