/* legacy: /health, /py_exec and /any_exec, byte-compatible with the
 * original code_exec_server (docs/compat.md).
 *
 * /py_exec answers "0\n<stdout>" when the program exits 0, "1\n<stderr>"
 * otherwise, "1\nTimeout" when it passes its time limit; with json_resp,
 * {"status": 0|1, "output": <same text>}. /any_exec answers "0\n" followed by
 * MultiPL-E's result dict as Python's json.dumps prints it (and print's
 * newline), or "1\nTimeout" when the whole run passes `timeout`. Output that
 * is not UTF-8 is repaired with U+FFFD, as the original's
 * String::from_utf8_lossy did. A `testhash: [bank, md5]` on either endpoint
 * appends that test from a test bank (testhash.h) to the code after "\n\n";
 * an unknown bank or hash answers "-1\nFailed to get test from test bank". */
#define _GNU_SOURCE
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../exec/sched.h"
#include "../exec/verdict.h"
#include "../exec/warmpool.h"
#include "../sandbox/sandbox.h"
#include "../http/http.h"
#include "../util/jsontext.h"
#include "../util/utf8.h"
#include "common.h"
#include "reply.h"
#include "request.h"
#include "routes.h"
#include "testhash.h"

#define TEXT "text/plain; charset=utf-8"

void route_health(struct evhttp_request *req)
{
        /* The body stays the original's "OK"; how runs are limited (cgroup
         * v2, v1, or rlimits only) is announced in a header. */
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);
        bool ok = http_add_header(h, "X-Codeexec-Limits", sbx_limits_mode()) == 0;

        /* X-Codeexec-Warm-Python, -Racket ...: each warm runtime's pool */
        for (int rt = 0; ok && rt < SBX_WARM_RUNTIMES; rt++) {
                char name[48], warm[160];
                snprintf(name, sizeof(name), "X-Codeexec-Warm-%s", sbx_warm_runtime_title(rt));
                warmpool_describe(rt, warm, sizeof(warm));
                ok = http_add_header(h, name, warm) == 0;
        }
        if (!ok) {
                http_reply_str(req, 500, TEXT, "Out of memory");
                return;
        }
        http_reply_str(req, 200, TEXT, "OK");
}

/* Options of a /py_exec request that shape its reply. */
struct py_reply_opts {
        bool json_resp;
        bool envelope; /* the gateway form: {"args": {...}} in, SUCCESS/result out */
};

/* Sends a /py_exec reply: the text "<status>\n<output>", or with json_resp
 * serde's {"output":...,"status":N} (sorted keys, compact), always as
 * text/plain with status 200 unless code says otherwise, as the original. */
static void reply_py(struct evhttp_request *req, int code, const struct py_reply_opts *opts,
                     const char *text, size_t len)
{
        struct buf o, env;
        const char *nl = memchr(text, '\n', len);

        if (!opts->json_resp && !opts->envelope) {
                http_reply(req, code, TEXT, text, len);
                return;
        }
        buf_init(&o, 0);
        buf_puts(&o, "{\"output\":");
        jsontext_serde_string(&o, nl ? nl + 1 : "", nl ? len - (size_t)(nl + 1 - text) : 0);
        buf_appendf(&o, ",\"status\":%ld}", strtol(text, NULL, 10));
        if (!opts->envelope) {
                http_reply(req, code, TEXT, o.data, o.len);
                buf_free(&o);
                return;
        }
        /* The gateway's shape that the original client's auth mode expects. */
        buf_init(&env, 0);
        buf_puts(&env, "{\"result\":{\"result\":");
        jsontext_serde_string(&env, o.data, o.len);
        buf_puts(&env, "},\"status\":\"SUCCESS\"}");
        http_reply(req, code, "application/json", env.data, env.len);
        buf_free(&env);
        buf_free(&o);
}

static void reply_py_text(struct evhttp_request *req, int code, bool json_resp, const char *text,
                          size_t len)
{
        struct py_reply_opts opts = {json_resp, false};

        reply_py(req, code, &opts, text, len);
}

static void py_exec_done(struct evhttp_request *req, struct job *job, void *arg)
{
        struct py_reply_opts *opts = arg;
        const struct step_result *r = &job->steps[0];
        const struct buf *shown;
        struct http_body body;
        struct reply *rep;
        struct buf out;
        int status;

        if (job->outcome == JOB_SANDBOX_ERROR || job->outcome == JOB_TIMED_OUT || r->timed_out) {
                buf_init(&out, 0);
                if (job->outcome == JOB_SANDBOX_ERROR)
                        buf_appendf(&out, "1\nInternal error: the sandbox failed: %s", job->error);
                else
                        buf_puts(&out, "1\nTimeout");
                reply_py(req, job->outcome == JOB_SANDBOX_ERROR ? 500 : 200, opts, out.data,
                         out.len);
                buf_free(&out);
                job_free(job);
                return;
        }
        status = r->exit_code == 0 ? 0 : 1;
        shown = status == 0 ? &r->out : &r->err;
        if ((buf_truncated(&r->out) || buf_truncated(&r->err)) &&
            http_add_header(evhttp_request_get_output_headers(req), "X-Codeexec-Truncated",
                            "true") < 0) {
                reply_py(req, 500, opts, "1\nOut of memory", strlen("1\nOut of memory"));
                job_free(job);
                return;
        }
        /* The same bytes reply_py() builds, written from the output as the
         * client reads (with a Content-Length, as the original). */
        rep = reply_new(job);
        if (!rep) {
                reply_py(req, 500, opts, "1\nOut of memory", strlen("1\nOut of memory"));
                return;
        }
        if (opts->envelope) {
                reply_lit(rep, "{\"result\":{\"result\":\"{\\\"output\\\":\\\"");
                reply_text(rep, JCOST_JSON_NESTED, shown->data, shown->len);
                reply_litf(rep, "\\\",\\\"status\\\":%d}\"},\"status\":\"SUCCESS\"}", status);
        } else if (opts->json_resp) {
                reply_lit(rep, "{\"output\":\"");
                reply_text(rep, JCOST_JSON, shown->data, shown->len);
                reply_litf(rep, "\",\"status\":%d}", status);
        } else {
                reply_litf(rep, "%d\n", status);
                reply_text(rep, JCOST_TEXT, shown->data, shown->len);
        }
        reply_body(rep, &body);
        http_reply_body(req, 200, opts->envelope ? "application/json" : TEXT, true, &body);
}

static void py_exec_object(struct evhttp_request *req, json_t *root, bool envelope)
{
        size_t code_len = 0, stdin_len = 0;
        const char *code = NULL, *in = "";
        const struct recipe *python = recipes_find("python");
        struct py_reply_opts *opts;
        double timeout = api_config()->default_timeout_s;
        bool json_resp = false;
        struct job *job;
        char msg[160];
        char *with_test = NULL;
        size_t with_test_len = 0;

        if (req_bool(root, "json_resp", &json_resp) == REQ_WRONG_TYPE) {
                reply_py_text(req, 200, false, "1\nInvalid 'json_resp': must be a boolean",
                              strlen("1\nInvalid 'json_resp': must be a boolean"));
                goto out;
        }
        switch (req_string(root, "code", &code, &code_len)) {
        case REQ_OK:
                break;
        case REQ_ABSENT:
                reply_py_text(req, 200, json_resp, "1\nMissing field 'code' (a string)",
                              strlen("1\nMissing field 'code' (a string)"));
                goto out;
        case REQ_WRONG_TYPE:
                reply_py_text(req, 200, json_resp, "1\nInvalid 'code': must be a string",
                              strlen("1\nInvalid 'code': must be a string"));
                goto out;
        }
        if (req_seconds(root, "timeout", &timeout) == REQ_WRONG_TYPE) {
                snprintf(msg, sizeof(msg),
                         "1\nInvalid 'timeout': must be a positive number of seconds");
                reply_py_text(req, 200, json_resp, msg, strlen(msg));
                goto out;
        }
        if (req_string(root, "stdin", &in, &stdin_len) == REQ_WRONG_TYPE) {
                reply_py_text(req, 200, json_resp, "1\nInvalid 'stdin': must be a string or null",
                              strlen("1\nInvalid 'stdin': must be a string or null"));
                goto out;
        }
        switch (testhash_apply(root, code, code_len, &with_test, &with_test_len)) {
        case TESTHASH_NONE:
                break;
        case TESTHASH_APPENDED:
                code = with_test;
                code_len = with_test_len;
                break;
        case TESTHASH_INVALID:
                reply_py_text(req, 200, json_resp, TESTHASH_INVALID_TEXT,
                              strlen(TESTHASH_INVALID_TEXT));
                goto out;
        case TESTHASH_NOT_FOUND: /* always the text: "-1" is neither status (docs/compat.md §5) */
                reply_py_text(req, 200, false, TESTHASH_NOT_FOUND_TEXT,
                              strlen(TESTHASH_NOT_FOUND_TEXT));
                goto out;
        case TESTHASH_NOMEM:
                reply_py_text(req, 500, json_resp, "1\nOut of memory", strlen("1\nOut of memory"));
                goto out;
        }
        if (!python || !python->installed) {
                reply_py_text(req, 500, json_resp, "1\nPython is not installed on this server",
                              strlen("1\nPython is not installed on this server"));
                goto out;
        }
        timeout = api_clamp_timeout(timeout);
        job = job_new(python, code, code_len, in, stdin_len);
        opts = calloc(1, sizeof(*opts));
        if (!job || !opts) {
                job_free(job);
                free(opts);
                reply_py_text(req, 500, json_resp, "1\nOut of memory", strlen("1\nOut of memory"));
                goto out;
        }
        opts->json_resp = json_resp;
        opts->envelope = envelope;
        api_default_limits(job, python);
        job->reply_budget = api_reply_budget(512);
        job->reply_cost = envelope ? JCOST_JSON_NESTED : json_resp ? JCOST_JSON : JCOST_TEXT;
        job->every_step_timeout_s = timeout;
        job->deadline_s = timeout + 2; /* PID 1 enforces `timeout`; this is the backstop */
        api_run_job(req, job, py_exec_done, opts, free,
                    json_resp ? "{\"output\":\"Server busy: the run queue is full\",\"status\":1}"
                              : "1\nServer busy: the run queue is full",
                    TEXT);
out:
        free(with_test);
}

/* {"args": {...}}: the request form of the original client's auth mode. */
static json_t *envelope_args(json_t *root)
{
        json_t *args = json_object_get(root, "args");

        return json_object_size(root) == 1 && json_is_object(args) ? args : NULL;
}

void route_py_exec(struct evhttp_request *req)
{
        size_t len;
        const char *body = http_body(req, &len);
        json_t *root = req_parse(body, len), *args;

        if (!root) {
                http_reply_str(req, 200, TEXT, "1\nInvalid JSON input");
                return;
        }
        args = envelope_args(root);
        py_exec_object(req, args ? args : root, args != NULL);
        json_decref(root);
}

static void any_exec_done(struct evhttp_request *req, struct job *job, void *arg)
{
        const struct step_result *r = &job->steps[verdict_report_step(job)];
        struct http_body body;
        struct reply *rep;
        struct buf out;

        (void)arg;
        if (job->outcome == JOB_SANDBOX_ERROR) {
                buf_init(&out, 0);
                buf_appendf(&out, "1\nInternal error: the sandbox failed: %s", job->error);
                http_reply(req, 500, TEXT, out.data, out.len);
                buf_free(&out);
                job_free(job);
                return;
        }
        if (job->outcome == JOB_TIMED_OUT) {
                http_reply_str(req, 200, TEXT, "1\nTimeout");
                job_free(job);
                return;
        }
        /* MultiPL-E's dict as Python's json.dumps prints it, written from
         * the output as the client reads (with a Content-Length). */
        rep = reply_new(job);
        if (!rep) {
                http_reply_str(req, 500, TEXT, "1\nOut of memory");
                return;
        }
        reply_lit(rep, "0\n{\"status\": ");
        reply_json_str(rep, verdict_status(job));
        reply_litf(rep, ", \"exit_code\": %d, \"stdout\": \"", r->exit_code);
        reply_text(rep, JCOST_JSON_ASCII, r->out.data, r->out.len);
        reply_lit(rep, "\", \"stderr\": \"");
        reply_text(rep, JCOST_JSON_ASCII, r->err.data, r->err.len);
        reply_lit(rep, "\"}\n");
        reply_body(rep, &body);
        http_reply_body(req, 200, TEXT, true, &body);
}

void route_any_exec(struct evhttp_request *req)
{
        size_t len, code_len = 0, lang_len = 0;
        const char *body = http_body(req, &len), *code = NULL, *lang = NULL;
        double timeout = api_config()->default_timeout_s;
        json_t *root = req_parse(body, len);
        const struct recipe *r;
        struct job *job;
        struct buf msg;
        char *with_test = NULL;
        size_t with_test_len = 0;

        if (!root) {
                http_reply_str(req, 200, TEXT, "1\nInvalid JSON input");
                return;
        }
        buf_init(&msg, 0);
        if (req_string(root, "code", &code, &code_len) != REQ_OK) {
                buf_appendf(&msg, "1\n%s 'code' (a string)",
                            json_object_get(root, "code") ? "Invalid" : "Missing field");
                goto bad;
        }
        if (req_string(root, "lang", &lang, &lang_len) == REQ_ABSENT) {
                lang = "python"; /* the original defaulted to Python too */
                lang_len = 6;
        }
        if (!lang || strlen(lang) != lang_len) {
                buf_appendf(&msg, "1\n%s 'lang' (a language key such as python or cpp)",
                            json_object_get(root, "lang") ? "Invalid" : "Missing field");
                goto bad;
        }
        if (req_seconds(root, "timeout", &timeout) == REQ_WRONG_TYPE) {
                buf_appendf(&msg, "1\nInvalid 'timeout': must be a positive number of seconds");
                goto bad;
        }
        switch (testhash_apply(root, code, code_len, &with_test, &with_test_len)) {
        case TESTHASH_NONE:
                break;
        case TESTHASH_APPENDED: /* codeexec extension: the original refused testhash here */
                code = with_test;
                code_len = with_test_len;
                break;
        case TESTHASH_INVALID:
                buf_puts(&msg, TESTHASH_INVALID_TEXT);
                goto bad;
        case TESTHASH_NOT_FOUND:
                buf_puts(&msg, TESTHASH_NOT_FOUND_TEXT);
                goto bad;
        case TESTHASH_NOMEM:
                http_reply_str(req, 500, TEXT, "1\nOut of memory");
                goto out;
        }
        r = recipes_find(lang);
        if (!r) {
                buf_appendf(&msg, "1\nUnknown language '%.64s'. Installed languages: %s", lang,
                            recipes_installed_list());
                goto bad;
        }
        if (!r->installed) {
                buf_appendf(
                    &msg,
                    "1\nLanguage '%s' (%s) is not installed on this server (%s is missing). "
                    "Installed languages: %s",
                    r->key, r->name, r->missing, recipes_installed_list());
                goto bad;
        }
        job = job_new(r, code, code_len, "", 0);
        if (!job) {
                http_reply_str(req, 500, TEXT, "1\nOut of memory");
                goto out;
        }
        api_default_limits(job, r);
        job->reply_budget = api_reply_budget(512);
        job->reply_cost = JCOST_JSON_ASCII;
        job->deadline_s = api_clamp_timeout(timeout);
        api_run_job(req, job, any_exec_done, NULL, NULL, "1\nServer busy: the run queue is full",
                    TEXT);
        goto out;
bad:
        http_reply(req, 200, TEXT, msg.data, msg.len);
out:
        buf_free(&msg);
        free(with_test);
        json_decref(root);
}
