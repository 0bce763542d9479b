/* http: evhttp front end (see http.h).
 *
 * Theory of operation. One evhttp instance on the server's event base. Every
 * request gets a context (struct reqctx: request id, start time, endpoint,
 * what ran) kept in a small table keyed by the request pointer, because
 * evhttp requests carry no user pointer. on_request() assigns the id (the
 * client's X-Request-Id if it is sane, else a fresh one, echoed either way),
 * checks the message's framing and auth (constant-time compare of the bearer
 * token; routes marked open, /health and /metrics, are exempt), and
 * dispatches through the route table the api layer handed to http_start()
 * (this file knows no endpoint, job or run: a request that ran something is
 * annotated with http_note_run() for its log line). Edge limits are
 * set on evhttp itself: body size (413 before the body is buffered), header
 * size, read timeout.
 *
 * Every reply goes through http_reply() or the stream functions, which
 * finish the context: one access-log line (JSON, stdout) and the request
 * metrics. Replies to runs are streams (http_stream_*): bodies produced
 * piece by piece as the socket takes them, one piece of about 256 KiB in
 * flight, no read time-out while writing and a write time-out of
 * --reply-timeout; a body with a Content-Length is measured first, a piece
 * per loop turn. A stream owns the connection's close callback from its
 * start to its end. A request waiting for runs is watched: evhttp stops
 * reading a connection while its request is pending (libevent issue #78),
 * so we poll the socket ourselves (MSG_PEEK) and treat EOF as the client
 * hanging up; the connection's close callback then tells the watcher (which
 * cancels its runs), and the context is finished with status 499.
 * Whichever of "reply" and "hang-up" comes first wins and disarms the
 * other, so every request is answered at most once and a cancelled run
 * never touches a freed request. */
#define _GNU_SOURCE
#include "http.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h> /* the request's HTTP version */
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <jansson.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../util/buf.h"
#include "../util/jsontext.h"
#include "../util/log.h"
#include "metrics.h"

struct reqctx {
        struct evhttp_request *req;
        uint64_t t0_us;
        char id[64];
        char method[8];
        char endpoint[48];
        char language[32];
        char verdict[24];
        int64_t queue_ms, run_ms;
        bool warm; /* the run came from a warm Python zygote */
        size_t bytes_in;
};

struct http_watch {
        struct evhttp_request *req;
        struct evhttp_connection *conn;
        struct event *ev_hangup;
        void (*gone)(void *arg);
        void *arg;
};

#define LISTEN_BACKLOG 4096           /* libevent's default (128) drops bursts */
#define MAX_HEADERS_BYTES (64 * 1024) /* a request's headers, all together */

static struct http_options opts;
static const struct http_route *routes;
static size_t nroutes;
static struct evhttp *http;
static struct event_base *http_base;
static struct evhttp_bound_socket *listener;
static size_t nreplies_open; /* streams open (http_replies_open) */
static uint64_t next_request;
static char id_prefix[16];

/* ---- request contexts ---------------------------------------------------- */

static struct reqctx **ctx_slots;
static size_t ctx_cap, ctx_count;

static size_t ctx_hash(const struct evhttp_request *req, size_t cap)
{
        uintptr_t v = (uintptr_t)req;

        v ^= v >> 17;
        v *= 0x9E3779B97F4A7C15ull;
        return (size_t)(v >> 7) & (cap - 1);
}

static int ctx_insert(struct reqctx *c);

static int ctx_grow(void)
{
        struct reqctx **old = ctx_slots;
        size_t oldcap = ctx_cap;

        ctx_cap = ctx_cap ? ctx_cap * 2 : 256;
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        ctx_slots = calloc(ctx_cap, sizeof(*ctx_slots));
        if (!ctx_slots) {
                ctx_slots = old;
                ctx_cap = oldcap;
                return -1;
        }
        ctx_count = 0;
        for (size_t i = 0; i < oldcap; i++)
                if (old[i])
                        ctx_insert(old[i]);
        free(old);
        return 0;
}

static int ctx_insert(struct reqctx *c)
{
        size_t i;

        if ((ctx_count + 1) * 2 > ctx_cap && ctx_grow() < 0)
                return -1;
        for (i = ctx_hash(c->req, ctx_cap); ctx_slots[i]; i = (i + 1) & (ctx_cap - 1))
                ;
        ctx_slots[i] = c;
        ctx_count++;
        return 0;
}

static struct reqctx *ctx_find(const struct evhttp_request *req)
{
        if (!ctx_cap)
                return NULL;
        for (size_t i = ctx_hash(req, ctx_cap); ctx_slots[i]; i = (i + 1) & (ctx_cap - 1))
                if (ctx_slots[i]->req == req)
                        return ctx_slots[i];
        return NULL;
}

static void ctx_remove(struct reqctx *c)
{
        size_t i = ctx_hash(c->req, ctx_cap);

        while (ctx_slots[i] != c)
                i = (i + 1) & (ctx_cap - 1);
        ctx_slots[i] = NULL;
        ctx_count--;
        /* Re-insert the rest of the probe run (linear probing deletion). */
        for (i = (i + 1) & (ctx_cap - 1); ctx_slots[i]; i = (i + 1) & (ctx_cap - 1)) {
                struct reqctx *moved = ctx_slots[i];
                ctx_slots[i] = NULL;
                ctx_count--;
                ctx_insert(moved);
        }
}

static uint64_t now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Writes the access-log line and the request metrics, then forgets c. */
static void ctx_finish(struct reqctx *c, int code)
{
        double secs = (double)(now_us() - c->t0_us) / 1e6;
        struct buf line;
        char ts[32];
        time_t t = time(NULL);
        struct tm tm;

        metrics_request(c->endpoint, code, secs);
        gmtime_r(&t, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        buf_init(&line, 0);
        buf_appendf(&line, "{\"ts\":\"%s\",\"id\":", ts);
        jsontext_serde_string(&line, c->id, strlen(c->id));
        buf_appendf(&line, ",\"method\":\"%s\",\"endpoint\":", c->method);
        jsontext_serde_string(&line, c->endpoint, strlen(c->endpoint));
        buf_appendf(&line, ",\"status\":%d,\"ms\":%.1f,\"bytes_in\":%zu", code, secs * 1000,
                    c->bytes_in);
        if (c->language[0]) {
                buf_appendf(&line, ",\"language\":\"%s\",\"verdict\":\"%s\"", c->language,
                            c->verdict);
                buf_appendf(&line, ",\"queue_ms\":%lld,\"run_ms\":%lld", (long long)c->queue_ms,
                            (long long)c->run_ms);
                if (c->warm)
                        buf_puts(&line, ",\"warm\":true");
        }
        buf_puts(&line, "}\n");
        if (opts.access_log && write(STDOUT_FILENO, line.data, line.len) < 0) {
                /* nowhere better to report it */
        }
        buf_free(&line);
        ctx_remove(c);
        free(c);
}

static void ctx_finish_req(struct evhttp_request *req, int code)
{
        struct reqctx *c = ctx_find(req);

        if (c)
                ctx_finish(c, code);
}

/* ---- replies --------------------------------------------------------------- */

size_t http_replies_open(void)
{
        return nreplies_open;
}

static const char *reason(int code)
{
        switch (code) {
        case 200:
                return "OK";
        case 400:
                return "Bad Request";
        case 401:
                return "Unauthorized";
        case 404:
                return "Not Found";
        case 405:
                return "Method Not Allowed";
        case 413:
                return "Payload Too Large";
        case 500:
                return "Internal Server Error";
        case 503:
                return "Service Unavailable";
        default:
                return "Status";
        }
}

/* See http.h. */
int http_add_header(struct evkeyvalq *headers, const char *name, const char *value)
{
        if (!headers || evhttp_add_header(headers, name, value) < 0) {
                log_error("reply: cannot set the header %.*s", (int)strcspn(name, "\r\n"), name);
                return -1;
        }
        return 0;
}

void http_reply(struct evhttp_request *req, int code, const char *content_type, const char *body,
                size_t len)
{
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);
        struct evbuffer *out = evbuffer_new();

        if (!out || (len && evbuffer_add(out, body, len) < 0)) {
                /* Out of memory: the status alone says the server failed. */
                log_error("reply: out of memory for a %d reply's body: answering 500 without one",
                          code);
                code = 500;
                if (out)
                        evbuffer_free(out);
                out = NULL;
        }
        if (http_add_header(h, "Content-Type", content_type) < 0 ||
            (code == 503 && http_add_header(h, "Retry-After", "1") < 0)) {
                /* not the reply meant: the status alone says the server failed */
                code = 500;
                if (out)
                        evbuffer_free(out);
                out = NULL;
                evhttp_remove_header(h, "Content-Type");
        }
        ctx_finish_req(req, code);
        evhttp_send_reply(req, code, reason(code), out);
        if (out)
                evbuffer_free(out);
}

void http_reply_str(struct evhttp_request *req, int code, const char *content_type,
                    const char *body)
{
        http_reply(req, code, content_type, body, strlen(body));
}

void http_reply_error(struct evhttp_request *req, int status, const char *code, const char *message)
{
        json_t *o = json_pack("{s:s, s:s}", "error", code, "message", message);
        char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

        http_reply_str(req, status, "application/json", text ? text : "{}");
        free(text);
        json_decref(o);
}

/* ---- streamed replies ----------------------------------------------------- */

#define PIECE_BYTES (256u * 1024)        /* one piece handed to the socket */
#define MEASURE_TURN_BYTES (256u * 1024) /* measured per loop turn (counted bodies) */
#define SERVER_TIMEOUT_S 120             /* evhttp's read/write time-outs otherwise */
/* A piece in flight this close to --reply-timeout when the connection
 * closed: the write time-out closed it, not the client. */
#define WRITE_TIMEOUT_SLACK_US 200000u

struct body_node {
        struct http_body body;
        struct body_node *next;
};

struct http_stream {
        struct evhttp_request *req;
        struct evhttp_connection *conn;
        struct event *ev_turn; /* zero-delay timer: the next slice, on a later loop turn */
        struct body_node *head, *tail;
        struct evbuffer *piece;
        int code;
        bool counted;  /* Content-Length: measure first */
        bool started;  /* the status line and headers are on their way */
        bool writing;  /* a piece is in flight */
        bool closed;   /* no more bodies */
        size_t length; /* counted: bytes measured so far */
        uint64_t t_progress_us;
        void (*gone)(void *arg);
        void *gone_arg;
};

static void stream_free(struct http_stream *s)
{
        while (s->head) {
                struct body_node *n = s->head;
                s->head = n->next;
                if (n->body.free)
                        n->body.free(n->body.arg);
                free(n);
        }
        if (s->ev_turn)
                event_free(s->ev_turn);
        if (s->piece)
                evbuffer_free(s->piece);
        free(s);
        nreplies_open--;
}

static void stream_pop(struct http_stream *s)
{
        struct body_node *n = s->head;

        s->head = n->next;
        if (!s->head)
                s->tail = NULL;
        if (n->body.free)
                n->body.free(n->body.arg);
        free(n);
}

/* The next slice on a later loop turn (a zero-delay timer), so that a long
 * reply never keeps the loop from other sockets. */
static void stream_later(struct http_stream *s)
{
        struct timeval now = {0, 0};

        /* Out of memory for the timer: on this turn's active queue instead
         * (allocates nothing; the callback still runs from the loop). */
        if (event_add(s->ev_turn, &now) < 0)
                event_active(s->ev_turn, EV_TIMEOUT, 0);
}

/* The client went away (or read nothing for --reply-timeout: the write
 * time-out failed the connection). libevent is freeing the connection; a
 * request it detached (a reply in progress) is ours to free. */
static void on_stream_close(struct evhttp_connection *conn, void *arg)
{
        struct http_stream *s = arg;
        struct evhttp_request *req = s->req;
        /* a piece waiting all that time: the write time-out, not a hang-up */
        bool slow =
            s->writing && now_us() - s->t_progress_us >=
                              (uint64_t)opts.reply_timeout_s * 1000000u - WRITE_TIMEOUT_SLACK_US;

        (void)conn;
        metrics_reply_aborted(slow);
        log_debug("reply cut off: %s", slow ? "the client read nothing" : "the client went away");
        ctx_finish_req(req, 499);
        if (s->gone)
                s->gone(s->gone_arg);
        if (!evhttp_request_get_connection(req))
                evhttp_send_reply_end(req); /* detached: this frees it */
        stream_free(s);
}

/* A producer failed (out of memory): drop the connection; the close
 * callback cleans up. */
static void stream_fail(struct http_stream *s)
{
        log_error("reply: could not produce the body; closing the connection");
        evhttp_connection_free(s->conn);
}

static void stream_end(struct http_stream *s)
{
        struct evhttp_request *req = s->req;
        struct bufferevent *bev = evhttp_connection_get_bufferevent(s->conn);
        struct timeval rt = {SERVER_TIMEOUT_S, 0}, wt = {(time_t)opts.reply_timeout_s, 0};

        if (bev)
                bufferevent_set_timeouts(bev, &rt, &wt);
        evhttp_connection_set_closecb(s->conn, NULL, NULL);
        ctx_finish_req(req, s->code);
        stream_free(s);
        evhttp_send_reply_end(req);
}

static void on_piece_written(struct evhttp_connection *conn, void *arg);

/* Produces the next piece from the queued bodies and hands it to the
 * socket; ends the reply when the last body is done and no more will come. */
static void stream_write(struct http_stream *s)
{
        while (evbuffer_get_length(s->piece) < PIECE_BYTES && s->head) {
                struct http_body *b = &s->head->body;
                int rc = b->next(b->arg, s->piece, PIECE_BYTES - evbuffer_get_length(s->piece));

                if (rc < 0) {
                        stream_fail(s);
                        return;
                }
                if (rc == 0)
                        stream_pop(s);
        }
        if (evbuffer_get_length(s->piece)) {
                s->writing = true;
                evhttp_send_reply_chunk_with_cb(s->req, s->piece, on_piece_written, s);
                return;
        }
        s->writing = false;
        if (s->closed && !s->head)
                stream_end(s);
}

static void on_piece_written(struct evhttp_connection *conn, void *arg)
{
        struct http_stream *s = arg;

        (void)conn;
        s->t_progress_us = now_us();
        stream_write(s);
}

static void stream_start(struct http_stream *s)
{
        s->started = true;
        s->t_progress_us = now_us();
        evhttp_send_reply_start(s->req, s->code, reason(s->code));
}

/* Counted: measures the body a slice per loop turn, then sends it. */
static void on_stream_turn(evutil_socket_t fd, short what, void *arg)
{
        struct http_stream *s = arg;
        char len[32];

        (void)fd;
        (void)what;
        if (s->started) {
                if (!s->writing)
                        stream_write(s);
                return;
        }
        for (size_t done = 0; done < MEASURE_TURN_BYTES;) {
                struct http_body *b = s->head ? &s->head->body : NULL;
                int rc = b ? b->next(b->arg, s->piece, PIECE_BYTES) : 0;
                size_t n = evbuffer_get_length(s->piece);

                if (rc < 0) {
                        stream_fail(s);
                        return;
                }
                if (evbuffer_drain(s->piece, n) < 0) {
                        stream_fail(s);
                        return;
                }
                s->length += n;
                done += n + 1;
                if (rc == 0) {
                        if (b)
                                b->rewind(b->arg);
                        snprintf(len, sizeof(len), "%zu", s->length);
                        if (http_add_header(evhttp_request_get_output_headers(s->req),
                                            "Content-Length", len) < 0) {
                                /* a counted reply promises its length */
                                stream_fail(s);
                                return;
                        }
                        stream_start(s);
                        stream_write(s);
                        return;
                }
        }
        stream_later(s);
}

struct http_stream *http_stream_open(struct evhttp_request *req, int code, const char *content_type,
                                     bool counted, void (*gone)(void *arg), void *gone_arg)
{
        struct http_stream *s = calloc(1, sizeof(*s));
        struct bufferevent *bev;
        struct timeval wt = {(time_t)opts.reply_timeout_s, 0};

        if (!s)
                return NULL;
        s->req = req;
        s->conn = evhttp_request_get_connection(req);
        s->code = code;
        s->counted = counted;
        s->gone = gone;
        s->gone_arg = gone_arg;
        s->piece = evbuffer_new();
        s->ev_turn = evtimer_new(http_base, on_stream_turn, s);
        nreplies_open++;
        if (!s->piece || !s->ev_turn || !s->conn ||
            http_add_header(evhttp_request_get_output_headers(req), "Content-Type", content_type) <
                0) {
                stream_free(s);
                return NULL;
        }
        evhttp_connection_set_closecb(s->conn, on_stream_close, s);
        /* No read time-out while the reply is written (a batch may run for
         * long between lines); the write time-out cuts off a client that
         * reads nothing. */
        bev = evhttp_connection_get_bufferevent(s->conn);
        if (bev)
                bufferevent_set_timeouts(bev, NULL, &wt);
        if (!counted)
                stream_start(s);
        return s;
}

void http_stream_push(struct http_stream *s, const struct http_body *body)
{
        struct body_node *n = calloc(1, sizeof(*n));

        if (!n) {
                if (body->free)
                        body->free(body->arg);
                return;
        }
        n->body = *body;
        if (s->tail)
                s->tail->next = n;
        else
                s->head = n;
        s->tail = n;
        if (s->started && !s->writing)
                stream_later(s);
}

void http_stream_close(struct http_stream *s)
{
        s->closed = true;
        s->gone = NULL; /* the caller has nothing left to cancel */
        if (!s->started || !s->writing)
                stream_later(s);
}

void http_reply_body(struct evhttp_request *req, int code, const char *content_type, bool counted,
                     const struct http_body *body)
{
        struct http_stream *s;

        /* HTTP/1.0 has no chunks, and evhttp would announce Content-Length: 0
         * to a keep-alive 1.0 client: measure the body instead. */
        if (req->major == 1 && req->minor == 0)
                counted = true;
        s = http_stream_open(req, code, content_type, counted, NULL, NULL);

        if (!s) {
                if (body->free)
                        body->free(body->arg);
                http_reply_str(req, 500, "text/plain; charset=utf-8", "1\nOut of memory");
                return;
        }
        http_stream_push(s, body);
        http_stream_close(s);
}

const char *http_body(struct evhttp_request *req, size_t *len)
{
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        size_t n = evbuffer_get_length(in);
        const char *p = n ? (const char *)evbuffer_pullup(in, -1) : "";

        *len = n;
        return p ? p : "";
}

void http_note_run(struct evhttp_request *req, const struct http_run_note *note)
{
        struct reqctx *c = ctx_find(req);

        if (!c)
                return;
        snprintf(c->language, sizeof(c->language), "%s", note->language);
        snprintf(c->verdict, sizeof(c->verdict), "%s", note->verdict);
        c->queue_ms = note->queue_ms;
        c->run_ms = note->run_ms;
        c->warm = note->warm;
}

/* ---- watching for a client that hangs up ---------------------------------- */

static void on_conn_close(struct evhttp_connection *conn, void *arg)
{
        struct http_watch *w = arg;
        void (*gone)(void *) = w->gone;
        void *gone_arg = w->arg;

        (void)conn;
        ctx_finish_req(w->req, 499);
        w->conn = NULL; /* libevent is freeing it */
        gone(gone_arg); /* must call http_unwatch(w) */
}

static void on_client_readable(evutil_socket_t fd, short what, void *arg)
{
        struct http_watch *w = arg;
        char c;
        ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

        (void)what;
        if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
                return;                  /* a pipelined request: we can no longer tell */
        evhttp_connection_free(w->conn); /* runs on_conn_close */
}

struct http_watch *http_watch(struct evhttp_request *req, void (*gone)(void *arg), void *arg)
{
        struct http_watch *w = calloc(1, sizeof(*w));
        struct bufferevent *bev;
        evutil_socket_t fd;

        if (!w)
                return NULL;
        w->req = req;
        w->conn = evhttp_request_get_connection(req);
        w->gone = gone;
        w->arg = arg;
        evhttp_connection_set_closecb(w->conn, on_conn_close, w);
        bev = evhttp_connection_get_bufferevent(w->conn);
        fd = bev ? bufferevent_getfd(bev) : -1;
        if (fd >= 0) {
                w->ev_hangup =
                    event_new(http_base, fd, EV_READ | EV_PERSIST, on_client_readable, w);
                if (!w->ev_hangup || event_add(w->ev_hangup, NULL) < 0) {
                        log_error("out of memory for a hang-up watch: the run goes on to its end");
                        http_unwatch(w);
                        return NULL;
                }
        }
        return w;
}

void http_unwatch(struct http_watch *w)
{
        if (!w)
                return;
        if (w->ev_hangup)
                event_free(w->ev_hangup);
        if (w->conn)
                evhttp_connection_set_closecb(w->conn, NULL, NULL);
        free(w);
}

/* ---- auth and routing ---------------------------------------------------- */

/* Constant-time string comparison for the token. */
static int token_equal(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        unsigned char diff = (unsigned char)(la != lb);

        for (size_t i = 0; i < la; i++)
                diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
        return diff == 0;
}

static int authorized(struct evhttp_request *req)
{
        const char *h;

        if (!opts.auth_token)
                return 1;
        /* Judge0's clients send the token as X-Auth-Token (its AUTHN_HEADER) */
        h = evhttp_find_header(evhttp_request_get_input_headers(req), "X-Auth-Token");
        if (h && token_equal(h, opts.auth_token))
                return 1;
        h = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
        if (!h)
                return 0;
        if (strncasecmp(h, "Bearer ", 7) == 0 && token_equal(h + 7, opts.auth_token))
                return 1;
        return token_equal(h, opts.auth_token);
}

static const char *method_name(enum evhttp_cmd_type m)
{
        switch (m) {
        case EVHTTP_REQ_GET:
                return "GET";
        case EVHTTP_REQ_POST:
                return "POST";
        case EVHTTP_REQ_HEAD:
                return "HEAD";
        case EVHTTP_REQ_PUT:
                return "PUT";
        case EVHTTP_REQ_DELETE:
                return "DELETE";
        default:
                return "OTHER";
        }
}

/* The client's X-Request-Id if it is short and printable, else a new one. */
static void assign_id(struct evhttp_request *req, struct reqctx *c)
{
        const char *given =
            evhttp_find_header(evhttp_request_get_input_headers(req), "X-Request-Id");
        int ok = given && given[0] && strlen(given) < sizeof(c->id);

        for (const char *p = given; ok && *p; p++)
                ok = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
                     (*p >= 'A' && *p <= 'Z') || strchr("-_.:", *p);
        if (ok)
                snprintf(c->id, sizeof(c->id), "%s", given);
        else
                snprintf(c->id, sizeof(c->id), "%s-%llu", id_prefix,
                         (unsigned long long)++next_request);
        /* without it the reply is still whole (the access log has the id) */
        (void)http_add_header(evhttp_request_get_output_headers(req), "X-Request-Id", c->id);
}

/* Accept failed (out of fds, memory): stop accepting for a moment instead of
 * retrying in a busy loop, and say so once per episode. */
#define ACCEPT_PAUSE_MS 100
static struct event *ev_resume_accept;
static int accept_paused;

static void on_resume_accept(evutil_socket_t fd, short what, void *arg)
{
        (void)fd;
        (void)what;
        (void)arg;
        if (listener)
                evconnlistener_enable(evhttp_bound_socket_get_listener(listener));
        accept_paused = 0;
}

static void on_accept_error(struct evconnlistener *l, void *arg)
{
        struct timeval pause = {0, ACCEPT_PAUSE_MS * 1000};
        int err = EVUTIL_SOCKET_ERROR();

        (void)arg;
        if (!accept_paused)
                log_warn("accept: %s: pausing new connections for %d ms",
                         evutil_socket_error_to_string(err), ACCEPT_PAUSE_MS);
        accept_paused = 1;
        evconnlistener_disable(l);
        if (event_add(ev_resume_accept, &pause) < 0) {
                /* No timer to resume with: keep accepting rather than go deaf. */
                evconnlistener_enable(l);
                accept_paused = 0;
        }
}

/* RFC 9110 5.1: a field name is a token. */
static bool is_token(const char *k)
{
        if (!*k)
                return false;
        for (; *k; k++)
                if (!((*k >= '0' && *k <= '9') || (*k >= 'a' && *k <= 'z') ||
                      (*k >= 'A' && *k <= 'Z') || strchr("!#$%&'*+-.^_`|~", *k)))
                        return false;
        return true;
}

/* RFC 9112 6.3: several Content-Length values, or one beside
 * Transfer-Encoding, make the message's length ambiguous (the root of
 * request smuggling behind a proxy that reads it differently); so does a
 * Content-Length that is not 1*DIGIT (evhttp would take "+5" or " 5"), and
 * a field name that is not a token: RFC 9112 5.1 requires a 400 for
 * whitespace between a name and its colon, which evhttp keeps in the name
 * ("Content-Length : 5" is then no Content-Length at all to evhttp, and the
 * body would be read as the next request). evhttp itself replaces obs-fold
 * line breaks with a space, as RFC 9112 5.2 allows. */
static int ambiguous_length(struct evhttp_request *req)
{
        struct evkeyvalq *h = evhttp_request_get_input_headers(req);
        struct evkeyval *kv;
        int lengths = 0, te = 0;

        for (kv = h->tqh_first; kv; kv = kv->next.tqe_next) {
                if (!is_token(kv->key))
                        return 1;
                if (strcasecmp(kv->key, "Content-Length") == 0) {
                        lengths++;
                        if (!kv->value[0] || strspn(kv->value, "0123456789") != strlen(kv->value))
                                return 1;
                } else if (strcasecmp(kv->key, "Transfer-Encoding") == 0) {
                        te++;
                }
        }
        return lengths > 1 || (lengths && te);
}

static void on_request(struct evhttp_request *req, void *arg)
{
        const char *uri = evhttp_request_get_uri(req);
        enum evhttp_cmd_type method = evhttp_request_get_command(req);
        const struct http_route *found = NULL;
        struct reqctx *c = calloc(1, sizeof(*c));
        char path[256];
        size_t plen = strcspn(uri, "?#");
        int path_known = 0, not_allowed = 0;

        (void)arg;
        if (plen >= sizeof(path))
                plen = sizeof(path) - 1;
        memcpy(path, uri, plen);
        path[plen] = '\0';
        for (size_t i = 0; i < nroutes; i++) {
                const struct http_route *r = &routes[i];
                bool prefix = r->flags & HTTP_ROUTE_PREFIX;

                if (prefix ? strncmp(r->path, path, strlen(r->path)) != 0
                           : strcmp(r->path, path) != 0)
                        continue;
                path_known = 1;
                if (!(r->flags & HTTP_ROUTE_NO_405))
                        not_allowed = 1;
                if (prefix) /* one label for every NAME: bounded metrics */
                        snprintf(path, sizeof(path), "%s*", r->path);
                if (r->method == method ||
                    (method == EVHTTP_REQ_HEAD && r->method == EVHTTP_REQ_GET))
                        found = r;
        }
        if (c) {
                c->req = req;
                c->t0_us = now_us();
                snprintf(c->method, sizeof(c->method), "%s", method_name(method));
                snprintf(c->endpoint, sizeof(c->endpoint), "%s", path_known ? path : "other");
                c->bytes_in = evbuffer_get_length(evhttp_request_get_input_buffer(req));
                assign_id(req, c);
                if (ctx_insert(c) < 0)
                        free(c);
        }
        if (ambiguous_length(req)) {
                if (http_add_header(evhttp_request_get_output_headers(req), "Connection", "close") <
                    0) {
                        http_reply_str(req, 500, "text/plain; charset=utf-8", "Out of memory\n");
                        return;
                }
                http_reply_str(req, 400, "text/plain; charset=utf-8",
                               "malformed header or ambiguous message length (RFC 9112)\n");
                return;
        }
        if (!found) {
                /* The original answered both with an empty body. */
                http_reply(req, not_allowed ? 405 : 404, "text/plain; charset=utf-8", "", 0);
                return;
        }
        if (!(found->flags & HTTP_ROUTE_OPEN) && !authorized(req)) {
                if (http_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
                                    "Bearer") < 0) {
                        http_reply_str(req, 500, "text/plain; charset=utf-8", "Out of memory\n");
                        return;
                }
                /* {"detail"} is what the original client raises verbatim. */
                http_reply_str(req, 401, "application/json",
                               "{\"detail\":\"Unauthorized: missing or wrong token\"}");
                return;
        }
        found->fn(req);
}

int http_start(struct event_base *base, const struct http_options *options,
               const struct http_route *table, size_t ntable, struct err *e)
{
        opts = *options;
        routes = table;
        nroutes = ntable;
        http_base = base;
        snprintf(id_prefix, sizeof(id_prefix), "%x%04x", (unsigned)getpid(),
                 (unsigned)(now_us() & 0xffff));
        http = evhttp_new(base);
        if (!http)
                return err_set(e, ENOMEM, "evhttp_new");
        evhttp_set_max_body_size(http, (ev_ssize_t)opts.max_body_bytes);
        evhttp_set_max_headers_size(http, MAX_HEADERS_BYTES);
        evhttp_set_timeout(http, SERVER_TIMEOUT_S);
        evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                             EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
        evhttp_set_gencb(http, on_request, NULL);
        {
                /* Our own listener, for a deep accept backlog: libevent's
                 * default (128) drops bursts of connections. */
                struct addrinfo hints, *ai = NULL;
                struct evconnlistener *l;
                char port[16];
                int rc;

                memset(&hints, 0, sizeof(hints));
                hints.ai_family = AF_UNSPEC;
                hints.ai_socktype = SOCK_STREAM;
                hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
                snprintf(port, sizeof(port), "%d", opts.port);
                rc = getaddrinfo(opts.ip, port, &hints, &ai);
                if (rc != 0)
                        return err_set(e, 0, "listen on %s:%d: %s", opts.ip, opts.port,
                                       gai_strerror(rc));
                l = evconnlistener_new_bind(base, NULL, NULL,
                                            LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE |
                                                LEV_OPT_CLOSE_ON_EXEC,
                                            LISTEN_BACKLOG, ai->ai_addr, (int)ai->ai_addrlen);
                freeaddrinfo(ai);
                if (!l) {
                        err_set(e, errno, "listen on %s:%d", opts.ip, opts.port);
                        goto fail;
                }
                listener = evhttp_bind_listener(http, l);
                if (!listener) {
                        err_set(e, errno, "listen on %s:%d", opts.ip, opts.port);
                        evconnlistener_free(l);
                        goto fail;
                }
        }
        ev_resume_accept = evtimer_new(base, on_resume_accept, NULL);
        if (!ev_resume_accept) {
                err_set(e, ENOMEM, "listen on %s:%d", opts.ip, opts.port);
                goto fail;
        }
        evconnlistener_set_error_cb(evhttp_bound_socket_get_listener(listener), on_accept_error);
        return 0;
fail:
        evhttp_free(http); /* and its bound socket */
        http = NULL;
        listener = NULL;
        return -1;
}

void http_stop_accepting(void)
{
        if (http && listener) {
                evhttp_del_accept_socket(http, listener);
                listener = NULL;
        }
}
