/* http: evhttp front end (see http.h).
 *
 * Theory of operation. One evhttp instance on the server's event base. Every
 * request goes through on_request(): auth (constant-time compare of the
 * bearer token, /health exempt), then the route table. Edge limits are set
 * on evhttp itself (body size -> 413 before the body is buffered, header
 * size, connection timeout while reading). A request that starts a job is
 * tracked by a struct pending tied to its connection's close callback: the
 * first of "job done" and "connection closed" wins; the other side is
 * disarmed, so every request is answered at most once and a cancelled job
 * never touches a freed request. */
#define _GNU_SOURCE
#include "http.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../api/routes.h"
#include "../exec/sched.h"
#include "../util/log.h"

struct pending {
        struct evhttp_request *req;
        struct evhttp_connection *conn;
        struct event *ev_hangup; /* watches the socket for the client's FIN */
        struct job *job;
        http_job_reply_fn fn;
        void *arg;
        void (*free_arg)(void *);
};

static const struct config *cfg;
static struct evhttp *http;
static struct event_base *http_base;
static struct evhttp_bound_socket *listener;
static size_t npending;

const struct config *http_config(void)
{
        return cfg;
}

size_t http_pending(void)
{
        return npending;
}

void http_reply(struct evhttp_request *req, int code, const char *content_type, const char *body,
                size_t len)
{
        struct evbuffer *out = evbuffer_new();
        const char *reason = code == 200   ? "OK"
                             : code == 400 ? "Bad Request"
                             : code == 401 ? "Unauthorized"
                             : code == 404 ? "Not Found"
                             : code == 405 ? "Method Not Allowed"
                             : code == 413 ? "Payload Too Large"
                             : code == 500 ? "Internal Server Error"
                             : code == 503 ? "Service Unavailable"
                                           : "Status";

        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", content_type);
        if (out && len)
                evbuffer_add(out, body, len);
        evhttp_send_reply(req, code, reason, out);
        if (out)
                evbuffer_free(out);
}

void http_reply_str(struct evhttp_request *req, int code, const char *content_type, const char *body)
{
        http_reply(req, code, content_type, body, strlen(body));
}

void http_reply_error(struct evhttp_request *req, int status, const char *code, const char *message)
{
        json_t *o = json_pack("{s:s, s:s}", "error", code, "message", message);
        char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

        if (status == 503)
                evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
        http_reply(req, status, "application/json", text ? text : "{}", text ? strlen(text) : 2);
        free(text);
        json_decref(o);
}

const char *http_body(struct evhttp_request *req, size_t *len)
{
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        size_t n = evbuffer_get_length(in);
        const char *p = n ? (const char *)evbuffer_pullup(in, -1) : "";

        *len = n;
        return p ? p : "";
}

static void pending_free(struct pending *p)
{
        if (p->ev_hangup)
                event_free(p->ev_hangup);
        if (p->free_arg)
                p->free_arg(p->arg);
        free(p);
        npending--;
}

static void on_conn_close(struct evhttp_connection *conn, void *arg)
{
        struct pending *p = arg;

        (void)conn;
        log_debug("job %llu: client went away, cancelling", (unsigned long long)p->job->id);
        job_cancel(p->job);
        pending_free(p);
}

/* evhttp stops reading a connection while its request is pending (libevent
 * issue #78), so a client that hangs up would go unnoticed until the reply.
 * We watch the socket ourselves: EOF or an error means the client is gone,
 * and freeing the connection runs on_conn_close, which cancels the run. Bytes
 * (a pipelined request) just end the watch. */
static void on_client_readable(evutil_socket_t fd, short what, void *arg)
{
        struct pending *p = arg;
        char c;
        ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

        (void)what;
        if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
                return;
        evhttp_connection_free(p->conn); /* calls on_conn_close */
}

static void on_job_done(struct job *job, void *arg)
{
        struct pending *p = arg;

        if (p->ev_hangup) {
                event_free(p->ev_hangup);
                p->ev_hangup = NULL;
        }
        evhttp_connection_set_closecb(p->conn, NULL, NULL);
        p->fn(p->req, job, p->arg);
        job_free(job);
        pending_free(p);
}

void http_run_job(struct evhttp_request *req, struct job *job, http_job_reply_fn fn, void *arg,
                  void (*free_arg)(void *), const char *busy_body, const char *busy_type)
{
        struct pending *p = calloc(1, sizeof(*p));

        if (!p) {
                job_free(job);
                if (free_arg)
                        free_arg(arg);
                http_reply_str(req, 500, "text/plain; charset=utf-8", "1\nOut of memory");
                return;
        }
        p->req = req;
        p->conn = evhttp_request_get_connection(req);
        p->job = job;
        p->fn = fn;
        p->arg = arg;
        p->free_arg = free_arg;
        npending++;
        job->on_done = on_job_done;
        job->on_done_arg = p;
        if (sched_submit(job) < 0) {
                evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
                http_reply(req, 503, busy_type, busy_body, strlen(busy_body));
                job_free(job);
                pending_free(p);
                return;
        }
        evhttp_connection_set_closecb(p->conn, on_conn_close, p);
        {
                struct bufferevent *bev = evhttp_connection_get_bufferevent(p->conn);
                evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
                if (fd >= 0) {
                        p->ev_hangup = event_new(http_base, fd, EV_READ, on_client_readable, p);
                        if (p->ev_hangup)
                                event_add(p->ev_hangup, NULL);
                }
        }
}

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

        if (!cfg->auth_token)
                return 1;
        h = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
        if (!h)
                return 0;
        if (strncasecmp(h, "Bearer ", 7) == 0 && token_equal(h + 7, cfg->auth_token))
                return 1;
        return token_equal(h, cfg->auth_token);
}

struct route {
        enum evhttp_cmd_type method;
        const char *path;
        void (*fn)(struct evhttp_request *req);
        int open; /* no auth needed */
};

static const struct route routes[] = {
    {EVHTTP_REQ_GET, "/health", route_health, 1},
    {EVHTTP_REQ_POST, "/py_exec", route_py_exec, 0},
    {EVHTTP_REQ_POST, "/", route_py_exec, 0}, /* the original client's auth-gateway form */
    {EVHTTP_REQ_POST, "/any_exec", route_any_exec, 0},
    {EVHTTP_REQ_GET, "/v1/languages", route_v1_languages, 0},
    {EVHTTP_REQ_POST, "/v1/run", route_v1_run, 0},
};

static void on_request(struct evhttp_request *req, void *arg)
{
        const char *uri = evhttp_request_get_uri(req);
        enum evhttp_cmd_type method = evhttp_request_get_command(req);
        char path[256];
        size_t plen = strcspn(uri, "?#");
        int path_known = 0;

        (void)arg;
        if (plen >= sizeof(path))
                plen = sizeof(path) - 1;
        memcpy(path, uri, plen);
        path[plen] = '\0';
        for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
                if (strcmp(routes[i].path, path) != 0)
                        continue;
                path_known = 1;
                if (routes[i].method != method &&
                    !(method == EVHTTP_REQ_HEAD && routes[i].method == EVHTTP_REQ_GET))
                        continue;
                if (!routes[i].open && !authorized(req)) {
                        evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
                                          "Bearer");
                        /* {"detail"} is what the original client raises verbatim. */
                        http_reply(req, 401, "application/json",
                                   "{\"detail\":\"Unauthorized: missing or wrong token\"}", 48);
                        return;
                }
                routes[i].fn(req);
                return;
        }
        if (path_known) {
                http_reply_str(req, 405, "text/plain; charset=utf-8", "");
                return;
        }
        http_reply_str(req, 404, "text/plain; charset=utf-8", "");
}

int http_start(struct event_base *base, const struct config *config, struct err *e)
{
        cfg = config;
        http_base = base;
        http = evhttp_new(base);
        if (!http)
                return err_set(e, ENOMEM, "evhttp_new");
        evhttp_set_max_body_size(http, (ev_ssize_t)cfg->max_body_bytes);
        evhttp_set_max_headers_size(http, 64 * 1024);
        evhttp_set_timeout(http, 120);
        evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                             EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
        evhttp_set_gencb(http, on_request, NULL);
        listener = evhttp_bind_socket_with_handle(http, cfg->ip, (ev_uint16_t)cfg->port);
        if (!listener)
                return err_set(e, errno, "listen on %s:%d", cfg->ip, cfg->port);
        return 0;
}

void http_stop_accepting(void)
{
        if (http && listener) {
                evhttp_del_accept_socket(http, listener);
                listener = NULL;
        }
}
