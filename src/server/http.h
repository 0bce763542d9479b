/* http: the evhttp front end — listening, routing, auth, limits at the edge,
 * and the glue that ties a pending HTTP request to a job.
 *
 * Handlers never block: they validate, submit a job and return; the reply is
 * sent from the job's completion callback. If the client disconnects first,
 * the job is cancelled (its box killed) and no reply is attempted. */
#ifndef CODEEXEC_HTTP_H
#define CODEEXEC_HTTP_H

#include <stddef.h>

#include "../exec/job.h"
#include "config.h"

struct evhttp_request;
struct event_base;

/* Sends a complete reply. */
void http_reply(struct evhttp_request *req, int code, const char *content_type, const char *body,
                size_t len);
/* Sends a complete reply whose body is a NUL-terminated string. */
void http_reply_str(struct evhttp_request *req, int code, const char *content_type,
                    const char *body);
/* Sends a JSON error for the native API: {"error": code, "message": ...}. */
void http_reply_error(struct evhttp_request *req, int status, const char *code,
                      const char *message);

/* The request body as a contiguous buffer (may contain NULs). */
const char *http_body(struct evhttp_request *req, size_t *len);

typedef void (*http_job_reply_fn)(struct evhttp_request *req, struct job *job, void *arg);

/* Submits job for req. When it finishes, fn(req, job, arg) sends the reply;
 * the job is freed afterwards (and arg with free_arg). When the queue is
 * full, replies 503 with busy_body (legacy text or JSON) and frees the job. */
void http_run_job(struct evhttp_request *req, struct job *job, http_job_reply_fn fn, void *arg,
                  void (*free_arg)(void *), const char *busy_body, const char *busy_type);

/* Records what a request ran, for the access log and the run metrics. */
void http_note_job(struct evhttp_request *req, const struct job *job);

/* A chunked reply: start, any number of chunks, end. */
void http_stream_start(struct evhttp_request *req, const char *content_type);
void http_stream_chunk(struct evhttp_request *req, const char *data, size_t len);
void http_stream_end(struct evhttp_request *req);

/* Watches req's client: if it hangs up before the reply, gone(arg) is called
 * once (the request is then invalid) and must call http_unwatch(). Call
 * http_unwatch() before replying otherwise. */
struct http_watch;
struct http_watch *http_watch(struct evhttp_request *req, void (*gone)(void *arg), void *arg);
void http_unwatch(struct http_watch *w);

/* Starts listening; returns -1 with a message on failure. */
int http_start(struct event_base *base, const struct config *cfg, struct err *e);
/* Stops accepting new connections (graceful shutdown). */
void http_stop_accepting(void);
/* Requests waiting for a reply. */
size_t http_pending(void);

const struct config *http_config(void);

#endif
