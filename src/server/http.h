/* http: the evhttp front end — listening, routing, auth, limits at the edge,
 * and the glue that ties a pending HTTP request to a job.
 *
 * Handlers never block: they validate, submit a job and return; the reply is
 * sent from the job's completion callback. If the client disconnects first,
 * the job is cancelled (its box killed) and no reply is attempted. */
#ifndef CODEEXEC_HTTP_H
#define CODEEXEC_HTTP_H

#include <stdbool.h>
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

/* Sends the reply for a finished job; owns job from then on (frees it, or
 * hands it to a reply body that frees it when written). */
typedef void (*http_job_reply_fn)(struct evhttp_request *req, struct job *job, void *arg);

/* Submits job for req. When it finishes, fn(req, job, arg) sends the reply
 * (arg is freed with free_arg afterwards). When the queue is full, replies
 * 503 with busy_body (legacy text or JSON) and frees the job. */
void http_run_job(struct evhttp_request *req, struct job *job, http_job_reply_fn fn, void *arg,
                  void (*free_arg)(void *), const char *busy_body, const char *busy_type);

/* Records what a request ran, for the access log and the run metrics. */
void http_note_job(struct evhttp_request *req, const struct job *job);

/* A reply body produced piece by piece while it is written, so that no
 * reply is ever built whole and no piece holds the loop for long. */
struct evbuffer;
struct http_body {
        /* Appends the next piece (about max bytes at most) to out; returns 1
         * while more follows, 0 after the last piece, -1 on failure. */
        int (*next)(void *arg, struct evbuffer *out, size_t max);
        /* Back to the first piece, for a second pass. */
        void (*rewind)(void *arg);
        void (*free)(void *arg);
        void *arg;
};

/* A streamed reply. Bodies pushed to it are written in order, one piece at
 * a time, the next piece only once the previous one has left for the
 * socket (back-pressure: a slow reader costs one piece). A client that
 * reads nothing for --reply-timeout seconds is disconnected. With
 * counted, the single body is produced twice: once to measure it (in
 * slices, one per loop turn) for a Content-Length, once to send it;
 * otherwise the reply is chunked and starts at once. If the client goes
 * away first, gone(gone_arg) is called once and the stream is freed. */
struct http_stream;
struct http_stream *http_stream_open(struct evhttp_request *req, int code, const char *content_type,
                                     bool counted, void (*gone)(void *arg), void *gone_arg);
/* Queues body (owned from now on, freed with body->free). */
void http_stream_push(struct http_stream *s, const struct http_body *body);
/* No more bodies: the reply ends once the queued ones are written. s is
 * invalid afterwards. */
void http_stream_close(struct http_stream *s);
/* open + push + close: one body as the whole reply. */
void http_reply_body(struct evhttp_request *req, int code, const char *content_type, bool counted,
                     const struct http_body *body);

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

#endif
