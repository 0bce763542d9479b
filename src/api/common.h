/* common: what the compatibility and native endpoints share when they turn a
 * request into a job. */
#ifndef CODEEXEC_API_COMMON_H
#define CODEEXEC_API_COMMON_H

#include <jansson.h>

struct evhttp_request;

#include "../exec/job.h"
#include "../lang/recipe.h"
#include "api.h"

/* The options handed down by api_init(). */
const struct api_config *api_config(void);
/* The default limits of a run of recipe r (server flags, recipe overrides). */
void api_recipe_limits(const struct recipe *r, struct sbx_limits *lim);
/* Sets the job's limits from the recipe's defaults and the server's. */
void api_default_limits(struct job *job, const struct recipe *r);
/* Program output as a JSON string (invalid UTF-8 repaired with U+FFFD). */
json_t *api_text_json(const struct buf *b);
/* The reply budget of a job (job->reply_budget): --reply-limit less
 * reserve bytes for what is not program output (never below 64 KiB). */
uint64_t api_reply_budget(size_t reserve);
/* Caps a requested timeout at --max-timeout. */
double api_clamp_timeout(double seconds);

/* The internal recipes (languages/internal/NAME.json) the entries of a
 * peer dialect's table name ("recipe"), by entry index, NULL where an entry
 * names none; *n entries. NULL with e set when one is bad or unreadable. */
struct recipe **api_internal_recipes(const char *dialect, const char *languages_dir, size_t *n,
                                     struct err *e);

/* Whether a path name's first component is one recipe r's sandbox uses in
 * the box's /tmp (an overlay's directory, the overlays' work area): a
 * client's file there would make the box fail to build. */
bool api_reserved_in_tmp(const struct recipe *r, const char *name);

/* Sends the reply for a finished job; owns job from then on (frees it, or
 * hands it to a reply body that frees it when written). */
typedef void (*api_job_reply_fn)(struct evhttp_request *req, struct job *job, void *arg);

/* Submits job for req. When it finishes, fn(req, job, arg) sends the reply
 * (arg is freed with free_arg afterwards). When the queue is full, replies
 * 503 with busy_body (legacy text or JSON) and frees the job. If the client
 * hangs up first, the job is cancelled and arg freed; no reply is sent. */
void api_run_job(struct evhttp_request *req, struct job *job, api_job_reply_fn fn, void *arg,
                 void (*free_arg)(void *), const char *busy_body, const char *busy_type);

/* Records what req ran: the run metrics and the request's access-log line. */
void api_note_job(struct evhttp_request *req, const struct job *job);
/* The run metrics alone, for a job no request waits for (a Judge0
 * submission made without wait=true). */
void api_count_job(const struct job *job);

#endif
