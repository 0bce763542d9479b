/* stdins: a /v1/run with several inputs ("stdins"), run on the judge
 * engine: compile once, each input in a fresh box (api/stdins.c). */
#ifndef CODEEXEC_API_STDINS_H
#define CODEEXEC_API_STDINS_H

#include <jansson.h>
#include <stdbool.h>

#include "v1.h"

struct evhttp_request;
struct http_body;
struct stdins_reply;

/* The run object has "stdins". */
bool v1_has_stdins(json_t *run);
/* Starts it. Without done, replies to req itself (the /v1/run reply, which
 * starts with prefix "{"); with done, hands done(arg, body) the object as
 * an NDJSON line starting with prefix (a /v1/batch item), NULL body when
 * out of memory. NULL with err set on bad input or a full queue. */
struct stdins_reply *v1_stdins_start(struct evhttp_request *req, json_t *run, const char *prefix,
                                     void (*done)(void *arg, struct http_body *body), void *arg,
                                     struct v1_error *err);
/* A batch's client went away. */
void v1_stdins_cancel(struct stdins_reply *sr);

#endif
