/* judge (api): POST /v1/judge — a submission against stdin/stdout tests.
 *
 * Theory of operation. The request is read into a judge_spec: the program
 * as a /v1/run object would give it (v1_job_from_json: language, code,
 * files, limits, compile_limits), the tests inline or by a stored
 * problem's name, the checker (a built-in's name or object, or a checker
 * program, itself a /v1/run-like object), and the flags. The engine
 * (src/judge/judge.c) runs it; this file turns its events into the reply:
 * one JSON object at the end, or NDJSON lines as verdicts arrive when the
 * client asked to stream. Each test's result is encoded once, when it is
 * final, so the reply is a list of short pieces, never built whole. */
#define _GNU_SOURCE
#include <event2/http.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bank/problems.h"
#include "../exec/verdict.h"
#include "../http/http.h"
#include "../http/metrics.h"
#include "../judge/judge.h"
#include "../util/jsontext.h"
#include "common.h"
#include "history.h"
#include "reply.h"
#include "request.h"
#include "routes.h"
#include "judge_item.h"
#include "tests_json.h"
#include "v1.h"

#define JSON_TYPE "application/json"
#define NDJSON_TYPE "application/x-ndjson"
#define SHOW_OUTPUT_DEFAULT 4096
#define SHOW_OUTPUT_MAX (1u << 20)
/* What one shown byte may cost encoded (a control byte is \u00XX). */
#define SHOWN_BYTE_COST 6

struct judge_reply {
        struct evhttp_request *req;
        struct http_stream *stream; /* stream: true */
        struct http_watch *watch;   /* a /v1/judge reply in one piece */
        /* a /v1/batch item: done(done_arg, body) gets the line */
        void (*done)(void *arg, struct http_body *body);
        void *done_arg;
        char *prefix;     /* what the object starts with: "{" or "{\"index\":N," */
        char **test_json; /* not streamed: each test's object, by index */
        char *compile_json;
        struct judge *judge;
        size_t total; /* tests, for test_json once the judge is gone */
};

static int refuse(struct v1_error *err, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int refuse(struct v1_error *err, int status, const char *code, const char *fmt, ...)
{
        va_list ap;

        err->http_status = status;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        return -1;
}

/* --- request --------------------------------------------------------- */

static int parse_float_mode(const char *s, enum checker_float_mode *m)
{
        if (strcmp(s, "abs_or_rel") == 0)
                *m = CHECKER_ABS_OR_REL;
        else if (strcmp(s, "abs") == 0)
                *m = CHECKER_ABS;
        else if (strcmp(s, "rel") == 0)
                *m = CHECKER_REL;
        else
                return -1;
        return 0;
}

static int parse_eps(json_t *c, const char *name, double *out, struct v1_error *err)
{
        json_t *v = json_object_get(c, name);

        if (!v || json_is_null(v))
                return 0;
        if (!json_is_number(v) || !(json_number_value(v) >= 0) || json_number_value(v) > 1e9)
                return refuse(err, 400, "invalid_field",
                              "checker.%s must be a number from 0 to 1e9", name);
        *out = json_number_value(v);
        return 0;
}

/* checker: a name, or {"type": name, params...}, or {"type": "program", ...}. */
static int parse_checker(json_t *c, struct judge_spec *s, struct v1_error *err)
{
        const char *type;
        int kind;

        checker_opts_default(&s->checker, CHECKER_LINES_RSTRIP);
        if (!c || json_is_null(c))
                return 0;
        if (json_is_string(c))
                type = json_string_value(c);
        else if (json_is_object(c) && json_is_string(json_object_get(c, "type")))
                type = json_string_value(json_object_get(c, "type"));
        else
                return refuse(err, 400, "invalid_field",
                              "'checker' must be a checker's name or an object with a 'type'");
        kind = checker_kind_parse(type);
        if (kind < 0)
                return refuse(err, 400, "invalid_field",
                              "unknown checker '%.64s' (exact, rstrip_newlines, lines_rstrip, "
                              "lines_strip_decimal, sandboxfusion, tokens, tokens_float, program)",
                              type);
        checker_opts_default(&s->checker, (enum checker_kind)kind);
        if (!json_is_object(c)) {
                if (kind == CHECKER_PROGRAM)
                        return refuse(err, 400, "invalid_field",
                                      "a 'program' checker is an object with its language "
                                      "and code");
                return 0;
        }
        if (kind == CHECKER_PROGRAM) {
                json_t *order = json_object_get(c, "argv_order");
                struct v1_error cerr;

                if (order && !json_is_null(order)) {
                        if (!json_is_string(order))
                                return refuse(err, 400, "invalid_field",
                                              "checker.argv_order must be a string");
                        if (strcmp(json_string_value(order), "input answer output") == 0)
                                s->checker_answer_first = true;
                        else if (strcmp(json_string_value(order), "input output answer") != 0)
                                return refuse(err, 400, "invalid_field",
                                              "checker.argv_order is \"input output answer\" or "
                                              "\"input answer output\"");
                }
                s->checker_program = v1_job_from_json(c, &cerr);
                if (!s->checker_program)
                        return refuse(err, cerr.http_status, cerr.code, "checker: %s",
                                      cerr.message);
                return 0;
        }
        {
                json_t *ci = json_object_get(c, "case_insensitive");
                json_t *lines = json_object_get(c, "keep_line_breaks");
                json_t *mode = json_object_get(c, "float_mode");

                if (ci && !json_is_null(ci)) {
                        if (!json_is_boolean(ci))
                                return refuse(err, 400, "invalid_field",
                                              "checker.case_insensitive must be a boolean");
                        s->checker.case_insensitive = json_is_true(ci);
                }
                if (lines && !json_is_null(lines)) {
                        if (!json_is_boolean(lines))
                                return refuse(err, 400, "invalid_field",
                                              "checker.keep_line_breaks must be a boolean");
                        s->checker.keep_line_breaks = json_is_true(lines);
                }
                if (mode && !json_is_null(mode) &&
                    (!json_is_string(mode) ||
                     parse_float_mode(json_string_value(mode), &s->checker.float_mode) < 0))
                        return refuse(err, 400, "invalid_field",
                                      "checker.float_mode is abs_or_rel, abs or rel");
        }
        if (parse_eps(c, "abs_eps", &s->checker.abs_eps, err) < 0 ||
            parse_eps(c, "rel_eps", &s->checker.rel_eps, err) < 0)
                return -1;
        return 0;
}

static int parse_flag(json_t *root, const char *name, bool *out, struct v1_error *err)
{
        if (req_bool(root, name, out) == REQ_WRONG_TYPE)
                return refuse(err, 400, "invalid_field", "'%s' must be a boolean", name);
        return 0;
}

/* A stored problem's checker or limits (JSON text) under the request's. */
static json_t *stored_json(const char *text)
{
        return text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
}

/* The problem: inline tests, or a stored one by name (and hash). The
 * request's checker and limits win over the stored problem's. */
static int parse_problem(json_t *root, struct judge_spec *s, json_t **checker, json_t **limits,
                         struct v1_error *err)
{
        json_t *tests = json_object_get(root, "tests"), *name = json_object_get(root, "problem");
        json_t *hash = json_object_get(root, "problem_hash");

        if ((!tests || json_is_null(tests)) == (!name || json_is_null(name)))
                return refuse(err, 400, "invalid_field",
                              "give the tests as 'tests' or a stored problem's name as "
                              "'problem' (one of the two)");
        if (tests && !json_is_null(tests)) {
                s->problem = problem_new(NULL);
                if (!s->problem)
                        return refuse(err, 500, "out_of_memory", "out of memory");
                return tests_from_json(tests, s->problem, s->program->output_limit, err);
        }
        if (!json_is_string(name))
                return refuse(err, 400, "invalid_field", "'problem' must be a problem's name");
        s->problem = problems_get(json_string_value(name));
        if (!s->problem)
                return refuse(err, 404, "unknown_problem", "no problem named '%.128s'",
                              json_string_value(name));
        if (hash && !json_is_null(hash) &&
            (!json_is_string(hash) || strcasecmp(json_string_value(hash), s->problem->hash) != 0))
                return refuse(err, 409, "problem_changed",
                              "problem '%.128s' has hash %s, not the 'problem_hash' given",
                              json_string_value(name), s->problem->hash);
        for (size_t i = 0; i < s->problem->ntests; i++)
                if (s->problem->tests[i].expected_len > s->program->output_limit)
                        return refuse(err, 400, "invalid_field",
                                      "test %zu of problem '%.128s' expects %zu bytes, over the "
                                      "%zu bytes of output kept (limits.output_bytes)",
                                      i, json_string_value(name), s->problem->tests[i].expected_len,
                                      s->program->output_limit);
        if (!json_object_get(root, "checker"))
                *checker = stored_json(s->problem->checker);
        if (!json_object_get(root, "limits"))
                *limits = stored_json(s->problem->limits);
        return 0;
}

/* The fields a judge takes (docs/judge.md's table): the program's as
 * /v1/run reads them (v1_job_from_json), then the judge's own. Anything
 * else is refused, as /v1/problems does, so a misspelt field
 * ("stop_on_first_fail", "checkers") is an error, not a silent default. */
static const char *const judge_fields[] = {
    "language",       "code",
    "files",          "args",
    "timeout",        "limits",
    "compile_limits", "tests",
    "problem",        "problem_hash",
    "checker",        "stop_on_first_failure",
    "stream",         "show_output_bytes",
};
#define NJUDGE_FIELDS (sizeof(judge_fields) / sizeof(judge_fields[0]))

static bool is_judge_field(const char *key)
{
        for (size_t i = 0; i < NJUDGE_FIELDS; i++)
                if (strcmp(key, judge_fields[i]) == 0)
                        return true;
        return false;
}

/* 400 for the first field a judge does not take, naming those it does:
 * unknown field 'x' (a judge is {"language", "code", ...}). */
static int refuse_unknown_fields(json_t *root, struct v1_error *err)
{
        char list[400];
        size_t n = 0;
        const char *key;
        json_t *v;

        json_object_foreach(root, key, v)
        {
                if (is_judge_field(key))
                        continue;
                for (size_t i = 0; i < NJUDGE_FIELDS && n < sizeof(list); i++) {
                        int w = snprintf(list + n, sizeof(list) - n, "%s\"%s\"", i ? ", " : "",
                                         judge_fields[i]);

                        n += w > 0 ? (size_t)w : 0;
                }
                return refuse(err, 400, "invalid_field", "unknown field '%.64s' (a judge is {%s})",
                              key, n ? list : "");
        }
        return 0;
}

static void spec_clear(struct judge_spec *s)
{
        job_free(s->program);
        job_free(s->checker_program);
        problem_unref(s->problem);
        memset(s, 0, sizeof(*s));
}

/* The whole request into s; -1 with err. */
static int parse_request(json_t *root, struct judge_spec *s, struct v1_error *err)
{
        json_t *show = json_object_get(root, "show_output_bytes");
        json_t *checker = NULL, *limits = NULL;
        int rc = -1;

        memset(s, 0, sizeof(*s));
        s->show_output_bytes = SHOW_OUTPUT_DEFAULT;
        if (json_object_get(root, "stdin") || json_object_get(root, "stdins"))
                return refuse(err, 400, "invalid_field",
                              "a judge takes its inputs from 'tests' (or 'problem'), not "
                              "'stdin' or 'stdins'");
        if (refuse_unknown_fields(root, err) < 0)
                return -1;
        if (parse_flag(root, "stop_on_first_failure", &s->stop_on_first_failure, err) < 0)
                return -1;
        if (show && !json_is_null(show)) {
                if (!json_is_integer(show) || json_integer_value(show) < 0 ||
                    json_integer_value(show) > SHOW_OUTPUT_MAX)
                        return refuse(err, 400, "invalid_field",
                                      "'show_output_bytes' must be an integer from 0 to %u",
                                      SHOW_OUTPUT_MAX);
                s->show_output_bytes = (size_t)json_integer_value(show);
        }
        s->program = v1_job_from_json(root, err);
        if (!s->program)
                return -1;
        if (parse_problem(root, s, &checker, &limits, err) < 0)
                goto out;
        if (limits) {
                /* a stored problem's limits: the program's, as if sent */
                json_t *copy = json_deep_copy(root);

                if (!copy || json_object_set(copy, "limits", limits) < 0) {
                        json_decref(copy);
                        refuse(err, 500, "out_of_memory", "out of memory");
                        goto out;
                }
                job_free(s->program);
                s->program = v1_job_from_json(copy, err);
                json_decref(copy);
                if (!s->program) {
                        snprintf(err->message + strlen(err->message),
                                 sizeof(err->message) - strlen(err->message),
                                 " (in the stored problem's limits)");
                        goto out;
                }
        }
        if (parse_checker(checker ? checker : json_object_get(root, "checker"), s, err) < 0)
                goto out;
        rc = 0;
out:
        json_decref(checker);
        json_decref(limits);
        return rc;
}

/* --- reply ----------------------------------------------------------- */

static json_t *text_json(const struct buf *b)
{
        return api_text_json(b);
}

static json_t *ms(uint64_t us)
{
        return json_integer((json_int_t)(us / 1000));
}

/* A compile's object: null without a compile step. */
static json_t *compile_json(const struct judge_program *p)
{
        const struct job *job = p->compile_job;
        const struct step_result *s;
        const char *status;

        if (!p->tmpl || p->tmpl->recipe->nsteps < 2)
                return json_null();
        if (!job)
                return json_pack("{s:s, s:s}", "status", "not_run", "message", p->compile_message);
        s = &job->steps[verdict_report_step(job)];
        status = p->compile_verdict == JV_AC                     ? "ok"
                 : p->compile_verdict == JV_SE                   ? "internal_error"
                 : s->timed_out || job->outcome == JOB_TIMED_OUT ? "timeout"
                                                                 : "compile_error";
        return json_pack("{s:s, s:i, s:o, s:o, s:b, s:b, s:o, s:o, s:s*}", "status", status,
                         "exit_code", s->exit_code, "stdout", text_json(&s->out), "stderr",
                         text_json(&s->err), "stdout_truncated", buf_truncated(&s->out),
                         "stderr_truncated", buf_truncated(&s->err), "wall_ms", ms(s->wall_us),
                         "cpu_ms", ms(s->cpu_us), "message",
                         p->compile_message[0] ? p->compile_message : NULL);
}

static json_t *test_json(const struct judge *j, size_t t)
{
        const struct judge_test_result *r = &j->results[t];
        bool ran = r->verdict != JV_SKIPPED && r->verdict != JV_PENDING;
        json_t *o = json_pack("{s:I, s:s}", "index", (json_int_t)t, "verdict",
                              judge_verdict_name(r->verdict));

        if (!o)
                return NULL;
        json_object_set_new(o, "wall_ms", ran ? ms(r->wall_us) : json_null());
        json_object_set_new(o, "cpu_ms", ran ? ms(r->cpu_us) : json_null());
        json_object_set_new(o, "memory_kb",
                            ran ? json_integer((json_int_t)r->memory_kb) : json_null());
        /* a box stopped at its wall limit has no exit code (the job's -1) */
        json_object_set_new(o, "exit_code",
                            ran && !r->term_signal && !(r->verdict == JV_TLE && r->exit_code < 0)
                                ? json_integer(r->exit_code)
                                : json_null());
        json_object_set_new(o, "signal",
                            ran && r->term_signal ? json_integer(r->term_signal) : json_null());
        json_object_set_new(o, "stdout", ran ? text_json(&r->out) : json_null());
        json_object_set_new(o, "stdout_truncated", json_boolean(ran && r->out_truncated));
        json_object_set_new(o, "stderr", ran ? text_json(&r->err) : json_null());
        json_object_set_new(o, "stderr_truncated", json_boolean(ran && r->err_truncated));
        json_object_set_new(o, "checker_message",
                            ran && r->message[0] ? json_string(r->message) : json_null());
        if (r->points >= 0)
                json_object_set_new(o, "points", json_real(r->points));
        json_object_set_new(o, "warm", json_boolean(ran && r->warm));
        json_object_set_new(o, "forked", json_boolean(ran && r->forked));
        return o;
}

static char *dump(json_t *o)
{
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;

        json_decref(o);
        return s;
}

static int put_null_or_int(struct buf *b, const char *key, bool present, long long v)
{
        return present ? buf_appendf(b, ",\"%s\":%lld", key, v)
                       : buf_appendf(b, ",\"%s\":null", key);
}

static int put_output(struct buf *b, const char *key, bool ran, const struct buf *out,
                      bool truncated)
{
        if (buf_appendf(b, ",\"%s\":", key) < 0 ||
            (ran ? jsontext_jansson_string(b, out->data ? out->data : "", out->len)
                 : buf_puts(b, "null")) < 0)
                return -1;
        return buf_appendf(b, ",\"%s_truncated\":%s", key, ran && truncated ? "true" : "false");
}

/* A test's object as text: what dump(test_json()) gives, byte for byte,
 * written directly (jansson's encoder, a character at a time through a
 * callback, was an eighth of the server's CPU in a 100-test judge). A
 * checker's message or points take the jansson path. */
static char *test_text(const struct judge *j, size_t t)
{
        const struct judge_test_result *r = &j->results[t];
        bool ran = r->verdict != JV_SKIPPED && r->verdict != JV_PENDING;
        bool exited = ran && !r->term_signal && !(r->verdict == JV_TLE && r->exit_code < 0);
        struct buf b;

        if (r->points >= 0 || (ran && r->message[0]))
                return dump(test_json(j, t));
        buf_init(&b, 0);
        if (buf_appendf(&b, "{\"index\":%zu,\"verdict\":\"%s\"", t,
                        judge_verdict_name(r->verdict)) < 0 ||
            put_null_or_int(&b, "wall_ms", ran, (long long)(r->wall_us / 1000)) < 0 ||
            put_null_or_int(&b, "cpu_ms", ran, (long long)(r->cpu_us / 1000)) < 0 ||
            put_null_or_int(&b, "memory_kb", ran, (long long)r->memory_kb) < 0 ||
            put_null_or_int(&b, "exit_code", exited, r->exit_code) < 0 ||
            put_null_or_int(&b, "signal", ran && r->term_signal, r->term_signal) < 0 ||
            put_output(&b, "stdout", ran, &r->out, r->out_truncated) < 0 ||
            put_output(&b, "stderr", ran, &r->err, r->err_truncated) < 0 ||
            buf_appendf(&b, ",\"checker_message\":null,\"warm\":%s,\"forked\":%s}",
                        ran && r->warm ? "true" : "false",
                        ran && r->forked ? "true" : "false") < 0) {
                buf_free(&b);
                return NULL;
        }
        return b.data;
}

static void push_line(struct judge_reply *jr, char *text)
{
        struct reply *r = reply_new(NULL);
        struct http_body body;

        if (!r || !text) {
                reply_free(r);
                free(text);
                return;
        }
        reply_lit(r, text);
        reply_lit(r, "\n");
        free(text);
        reply_body(r, &body);
        http_stream_push(jr->stream, &body);
}

static void judge_reply_free(struct judge_reply *jr)
{
        for (size_t t = 0; jr->test_json && t < jr->total; t++)
                free(jr->test_json[t]);
        free(jr->test_json);
        free(jr->compile_json);
        free(jr->prefix);
        free(jr);
}

static void note(struct judge_reply *jr)
{
        const struct judge *j = jr->judge;
        struct http_run_note n = {
            .language = j->prog.tmpl->recipe->key,
            .verdict = judge_verdict_name(j->verdict),
            .queue_ms = (int64_t)(j->queue_us / 1000),
            .run_ms = (int64_t)((j->t_done_us - j->t_start_us) / 1000),
            .warm = j->any_warm,
        };

        if (!jr->done)
                http_note_run(jr->req, &n);
        history_record_judge(jr->req, j);
        metrics_judge(n.language, n.verdict, j->compiles, j->test_runs, j->checker_runs);
}

static char *summary_fields(const struct judge *j)
{
        char *s = NULL;

        if (asprintf(&s,
                     "\"verdict\":\"%s\",\"passed\":%zu,\"total\":%zu,\"language\":\"%s\","
                     "\"total_wall_ms\":%llu,\"queue_ms\":%llu",
                     judge_verdict_name(j->verdict), j->passed, j->total, j->prog.tmpl->recipe->key,
                     (unsigned long long)((j->t_done_us - j->t_start_us) / 1000),
                     (unsigned long long)(j->queue_us / 1000)) < 0)
                return NULL;
        return s;
}

static char *checker_json(const struct judge *j)
{
        json_t *o = json_pack("{s:s}", "type", checker_kind_name(j->spec.checker.kind));

        if (o && j->spec.checker.kind == CHECKER_PROGRAM)
                json_object_set_new(o, "compile", compile_json(&j->checker));
        return dump(o);
}

/* The one-object result, from the pieces kept: prefix, fields, "}". NULL
 * when out of memory. */
static struct reply *whole_result(struct judge_reply *jr)
{
        const struct judge *j = jr->judge;
        struct reply *r = reply_new(NULL);
        char *head = summary_fields(j), *checker = checker_json(j);

        if (!r || !head || !checker || !jr->compile_json) {
                reply_free(r);
                free(head);
                free(checker);
                return NULL;
        }
        reply_lit(r, jr->prefix);
        reply_lit(r, head);
        reply_lit(r, ",\"compile\":");
        reply_lit(r, jr->compile_json);
        reply_lit(r, ",\"checker\":");
        reply_lit(r, checker);
        reply_lit(r, ",\"tests\":[");
        for (size_t t = 0; t < j->total; t++) {
                char *text = jr->test_json[t] ? NULL : test_text(j, t);

                if (t)
                        reply_lit(r, ",");
                reply_lit(r, jr->test_json[t] ? jr->test_json[t] : text ? text : "null");
                free(text);
        }
        reply_lit(r, "]}");
        free(head);
        free(checker);
        if (reply_failed(r)) {
                reply_free(r);
                return NULL;
        }
        return r;
}

static void reply_whole(struct judge_reply *jr)
{
        struct reply *r = whole_result(jr);
        struct http_body body;

        if (jr->done) {
                if (r)
                        reply_lit(r, "\n");
                if (r)
                        reply_body(r, &body);
                jr->done(jr->done_arg, r ? &body : NULL);
                return;
        }
        if (!r) {
                http_reply_error(jr->req, 500, "out_of_memory", "out of memory");
                return;
        }
        reply_body(r, &body);
        http_reply_body(jr->req, 200, JSON_TYPE, false, &body);
}

static void on_event(struct judge *j, enum judge_event ev, size_t t, void *arg)
{
        struct judge_reply *jr = arg;

        switch (ev) {
        case JUDGE_COMPILED: {
                json_t *c = compile_json(&j->prog);

                if (jr->stream) {
                        json_t *o = json_pack("{s:s, s:o}", "event", "compile", "compile", c);

                        if (o && j->spec.checker.kind == CHECKER_PROGRAM)
                                json_object_set_new(o, "checker_compile",
                                                    compile_json(&j->checker));
                        push_line(jr, dump(o));
                } else {
                        jr->compile_json = dump(c);
                }
                break;
        }
        case JUDGE_TEST_DONE: {
                char *text = test_text(j, t);

                if (jr->stream) {
                        /* {"event":"test", then the test's fields */
                        char *line = NULL;

                        if (text && asprintf(&line, "{\"event\":\"test\",%s", text + 1) < 0)
                                line = NULL;
                        free(text);
                        push_line(jr, line);
                } else {
                        free(jr->test_json[t]);
                        jr->test_json[t] = text;
                }
                break;
        }
        case JUDGE_DONE:
                note(jr);
                if (jr->stream) {
                        char *head = summary_fields(j), *line = NULL;

                        if (head && asprintf(&line, "{\"event\":\"done\",%s}", head) < 0)
                                line = NULL;
                        free(head);
                        push_line(jr, line);
                        http_stream_close(jr->stream);
                } else {
                        /* a test cut by stop_on_first_failure after it was
                         * encoded says SKIPPED now */
                        for (size_t k = 0; k < j->total; k++)
                                if (j->results[k].verdict == JV_SKIPPED) {
                                        free(jr->test_json[k]);
                                        jr->test_json[k] = NULL;
                                }
                        if (jr->watch)
                                http_unwatch(jr->watch);
                        jr->watch = NULL;
                        reply_whole(jr);
                }
                judge_free(j);
                judge_reply_free(jr);
                break;
        }
}

/* The client went away. */
static void on_gone(void *arg)
{
        struct judge_reply *jr = arg;

        if (jr->watch) {
                http_unwatch(jr->watch);
                jr->watch = NULL;
        }
        judge_cancel(jr->judge);
        judge_reply_free(jr);
}

/* Reads request and starts its judge; NULL with err set (the request is
 * the caller's). */
static struct judge_reply *start(struct evhttp_request *req, json_t *request, bool stream,
                                 const char *prefix, struct v1_error *err)
{
        struct judge_spec spec;
        struct judge_reply *jr;
        size_t total, budget_show;
        bool busy;

        if (parse_request(request, &spec, err) < 0 || !spec.problem) {
                spec_clear(&spec);
                return NULL;
        }
        /* shown output stays within the reply budget, all tests together */
        total = spec.problem->ntests;
        budget_show = (size_t)(api_reply_budget(64 * 1024 + total * 512) /
                               (2u * SHOWN_BYTE_COST * (total ? total : 1)));
        if (spec.show_output_bytes > budget_show)
                spec.show_output_bytes = budget_show;
        jr = calloc(1, sizeof(*jr));
        if (jr && !stream)
                jr->test_json = calloc(total ? total : 1, sizeof(char *));
        if (jr)
                jr->prefix = strdup(prefix);
        if (!jr || (!stream && !jr->test_json) || !jr->prefix) {
                if (jr)
                        judge_reply_free(jr);
                spec_clear(&spec);
                refuse(err, 500, "out_of_memory", "out of memory");
                return NULL;
        }
        jr->req = req;
        jr->total = total;
        jr->judge =
            judge_start(&spec, evhttp_connection_get_base(evhttp_request_get_connection(req)),
                        on_event, jr, &busy);
        if (!jr->judge) {
                judge_reply_free(jr);
                if (busy)
                        refuse(err, 503, "busy", "the run queue is full");
                else
                        refuse(err, 500, "out_of_memory", "out of memory");
                return NULL;
        }
        return jr;
}

struct judge_reply *api_judge_item(struct evhttp_request *req, json_t *item, size_t index,
                                   void (*done)(void *arg, struct http_body *body), void *arg,
                                   struct v1_error *err)
{
        char prefix[48];
        struct judge_reply *jr;

        snprintf(prefix, sizeof(prefix), "{\"index\":%zu,", index);
        jr = start(req, item, false, prefix, err);
        if (jr) {
                jr->done = done;
                jr->done_arg = arg;
        }
        return jr;
}

void api_judge_item_cancel(struct judge_reply *jr)
{
        judge_cancel(jr->judge);
        judge_reply_free(jr);
}

int api_judge_check_checker(json_t *checker, struct v1_error *err)
{
        struct judge_spec s;
        int rc;

        memset(&s, 0, sizeof(s));
        rc = parse_checker(checker, &s, err);
        spec_clear(&s);
        return rc;
}

bool api_is_judge(json_t *item)
{
        return json_is_object(item) &&
               (json_object_get(item, "tests") || json_object_get(item, "problem"));
}

void route_v1_judge(struct evhttp_request *req)
{
        size_t len;
        const char *body = http_body(req, &len);
        json_t *root = req_parse(body, len);
        struct v1_error err;
        struct judge_reply *jr;
        bool stream = false;

        if (!root) {
                http_reply_error(req, 400, "invalid_json", "the body is not a JSON object");
                return;
        }
        if (parse_flag(root, "stream", &stream, &err) < 0 ||
            !(jr = start(req, root, stream, "{", &err))) {
                json_decref(root);
                http_reply_error(req, err.http_status, err.code, err.message);
                return;
        }
        json_decref(root);
        /* events come from the loop, never from judge_start itself */
        if (stream)
                jr->stream = http_stream_open(req, 200, NDJSON_TYPE, false, on_gone, jr);
        else
                jr->watch = http_watch(req, on_gone, jr);
        if (!jr->stream && !jr->watch) {
                judge_cancel(jr->judge);
                judge_reply_free(jr);
                http_reply_error(req, 500, "out_of_memory", "out of memory");
        }
}
