/* http: the evhttp front end, transport only — listening, the generic HTTP
 * rules at the edge (auth, body and header limits, message framing), the
 * access log, streamed replies, and dispatch through a route table that the
 * layer above hands to http_start(). It knows no endpoint and no job.
 *
 * Handlers never block: they validate, start their work and return; the
 * reply is sent later. If the client disconnects first, a watched request
 * (http_watch) reports it and no reply is attempted. */
#ifndef CODEEXEC_HTTP_H
#define CODEEXEC_HTTP_H

#include <event2/http.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

struct event_base;

/* Route flags. */
enum {
        HTTP_ROUTE_OPEN = 1 << 0,   /* answered without the auth token */
        HTTP_ROUTE_PREFIX = 1 << 1, /* path is a prefix (ends in '/'); the handler
                                     * parses the rest; metrics and the access
                                     * log label every match "path*" */
        HTTP_ROUTE_NO_405 = 1 << 2, /* other methods on this path are a 404 */
};

/* One endpoint. A GET route also answers HEAD. A request for a path that
 * some route has, with a method none of them has, is a 405 (a 404 if every
 * route of that path has HTTP_ROUTE_NO_405); no such path, 404. */
struct http_route {
        enum evhttp_cmd_type method;
        const char *path;
        void (*fn)(struct evhttp_request *req);
        unsigned flags; /* HTTP_ROUTE_* */
};

/* What the transport applies to every request. The strings must outlive
 * the server. */
struct http_options {
        const char *ip;
        int port;
        const char *auth_token;   /* NULL: no auth */
        size_t max_body_bytes;    /* larger bodies get 413 before they are read */
        unsigned reply_timeout_s; /* a client that reads nothing this long is cut off */
        bool access_log;          /* one JSON line per request on stdout */
};

/* Adds a header to headers (a request's output headers); 0, or -1 when
 * libevent refused it (out of memory, or a value that would break the
 * header block), which is logged. A caller that cannot do without the
 * header answers 500 (http_reply does so for its own headers). */
int http_add_header(struct evkeyvalq *headers, const char *name, const char *value);

/* Sends a complete reply; 500 without a body if the body or its headers
 * cannot be set. */
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

/* What a request ran, for its access-log line (the strings are copied,
 * cut to the line's field sizes). */
struct http_run_note {
        const char *language;
        const char *verdict;
        int64_t queue_ms, run_ms;
        bool warm; /* the run came from a warm Python zygote */
};
void http_note_run(struct evhttp_request *req, const struct http_run_note *note);

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

/* Starts listening with opts (copied), dispatching to the nroutes routes
 * (kept: they must outlive the server); returns -1 with a message on
 * failure. */
int http_start(struct event_base *base, const struct http_options *opts,
               const struct http_route *routes, size_t nroutes, struct err *e);
/* Stops accepting new connections (graceful shutdown). */
void http_stop_accepting(void);
/* Replies being written (streams open). */
size_t http_replies_open(void);

#endif
