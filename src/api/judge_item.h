/* judge_item: what other endpoints use of /v1/judge (api/judge.c): a judge
 * as one item of /v1/batch, and the checker validation of /v1/problems. */
#ifndef CODEEXEC_API_JUDGE_ITEM_H
#define CODEEXEC_API_JUDGE_ITEM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "v1.h"

struct evhttp_request;
struct http_body;
struct judge_reply;

/* A batch item is a judge when it has "tests" or "problem". */
bool api_is_judge(json_t *item);
/* Starts the judge of batch item index; when it ends, done(arg, body) gets
 * its NDJSON line ({"index": index, ...the /v1/judge result}), or NULL
 * when out of memory. NULL with err set on a bad item or a full queue. */
struct judge_reply *api_judge_item(struct evhttp_request *req, json_t *item, size_t index,
                                   void (*done)(void *arg, struct http_body *body), void *arg,
                                   struct v1_error *err);
/* The batch's client went away. */
void api_judge_item_cancel(struct judge_reply *jr);
/* Validates a checker as /v1/judge reads it (a name, an object, or a
 * checker program); 0, or -1 with err set. */
int api_judge_check_checker(json_t *checker, struct v1_error *err);

#endif
