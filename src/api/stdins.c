/* stdins: /v1/run (and /v1/batch items) with several inputs, on the judge
 * engine.
 *
 * Theory of operation. A run with "stdins" is a judge without a checker:
 * the program is compiled once and each input runs in a fresh box of its
 * own from the compiled artifact (one-step languages run their source,
 * warm where they can), any number of inputs, fairly beside other clients
 * (src/judge/judge.h). The reply keeps /v1/run's shape: "runs" holds each
 * input's result and is where its output is written in full; the top level
 * describes the last input and repeats its output, and "steps" lists the
 * compile steps and the runs, each copy written only while the reply's
 * allowance for copies lasts (else null and a reference, as in v1.c). The
 * output shown per input is bounded so that all inputs together fit the
 * reply budget (--reply-limit); an input cut for it says so
 * (reply_truncated). */
#define _GNU_SOURCE
#include <event2/http.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../exec/verdict.h"
#include "../http/http.h"
#include "../judge/judge.h"
#include "common.h"
#include "reply.h"
#include "stdins.h"

#define JSON_TYPE "application/json"
/* Encoded bytes that copies of outputs may take in one reply (v1.c's). */
#define COPY_ALLOWANCE (256u * 1024)
/* What one shown byte may cost encoded (a control byte is \u00XX). */
#define SHOWN_BYTE_COST 6

struct stdins_reply {
        struct evhttp_request *req;
        struct http_watch *watch;
        void (*done)(void *arg, struct http_body *body); /* a batch line */
        void *done_arg;
        char *prefix;
        struct judge *judge;
        size_t copy_left;
        bool shown_cut; /* some input's output was cut to fit the budget */
};

bool v1_has_stdins(json_t *run)
{
        json_t *v = json_object_get(run, "stdins");

        return v && !json_is_null(v);
}

/* --- request --------------------------------------------------------- */

static int refuse(struct v1_error *err, int status, const char *code, const char *msg)
{
        err->http_status = status;
        err->code = code;
        snprintf(err->message, sizeof(err->message), "%s", msg);
        return -1;
}

static int parse(json_t *run, struct judge_spec *s, struct v1_error *err)
{
        json_t *list = json_object_get(run, "stdins"), *v, *in = json_object_get(run, "stdin");
        size_t i, n;
        uint64_t budget;

        memset(s, 0, sizeof(*s));
        if (in && !json_is_null(in) && (!json_is_string(in) || json_string_length(in) > 0))
                return refuse(err, 400, "invalid_field", "give 'stdin' or 'stdins', not both");
        if (!json_is_array(list) || json_array_size(list) == 0)
                return refuse(err, 400, "invalid_field",
                              "'stdins' must be a non-empty array of strings");
        s->program = v1_job_from_json(run, err);
        if (!s->program)
                return -1;
        s->problem = problem_new(NULL);
        if (!s->problem)
                return refuse(err, 500, "out_of_memory", "out of memory");
        json_array_foreach(list, i, v)
        {
                if (!json_is_string(v))
                        return refuse(err, 400, "invalid_field", "'stdins' must be strings");
                if (problem_add_test(s->problem, json_string_value(v), json_string_length(v), "",
                                     0) < 0)
                        return refuse(err, 500, "out_of_memory", "out of memory");
        }
        s->no_checker = true;
        checker_opts_default(&s->checker, CHECKER_EXACT);
        /* every input's two streams, and the compile's, within the budget */
        n = s->problem->ntests;
        budget = api_reply_budget(COPY_ALLOWANCE + 8192 + (n + 4) * 1024);
        s->show_output_bytes = (size_t)(budget / (2u * SHOWN_BYTE_COST * (n + 1)));
        if (s->show_output_bytes > s->program->output_limit)
                s->show_output_bytes = s->program->output_limit;
        return 0;
}

/* --- reply ----------------------------------------------------------- */

static void write_text(struct reply *r, const struct buf *b)
{
        reply_lit(r, "\"");
        reply_text(r, JCOST_JSON, b->data ? b->data : "", b->len);
        reply_lit(r, "\"");
}

/* "name": a copy of b while the allowance lasts, else null (*ref = place). */
static void write_copy(struct stdins_reply *sr, struct reply *r, const char *name,
                       const struct buf *b, const char *place, const char **ref)
{
        size_t cost =
            b->len <= sr->copy_left
                ? reply_cost_within(JCOST_JSON, b->data ? b->data : "", b->len, sr->copy_left)
                : (size_t)-1;

        reply_litf(r, "\"%s\":", name);
        *ref = NULL;
        if (cost == (size_t)-1) {
                reply_lit(r, "null");
                *ref = place;
                return;
        }
        sr->copy_left -= cost;
        write_text(r, b);
}

static void write_refs(struct reply *r, const char *out_ref, const char *err_ref)
{
        if (out_ref)
                reply_litf(r, ",\"stdout_ref\":\"%s\"", out_ref);
        if (err_ref)
                reply_litf(r, ",\"stderr_ref\":\"%s\"", err_ref);
}

static const struct step_result *compile_step(const struct judge *j)
{
        const struct job *c = j->prog.compile_job;

        return c ? &c->steps[verdict_report_step(c)] : NULL;
}

static const char *compile_status(const struct step_result *c)
{
        return !c->ran                                     ? "not_run"
               : c->timed_out || c->term_signal == SIGXCPU ? "timeout"
               : c->exit_code != 0                         ? "compile_error"
                                                           : "ok";
}

/* An input's process status; output cut to fit the reply budget is an
 * output_limit, as output past --output-limit is (docs/api.md). */
static const char *run_status(const struct judge_test_result *x)
{
        return (x->out_cut || x->err_cut) && strcmp(x->status, "ok") == 0 ? "output_limit"
                                                                          : x->status;
}

/* Fields of input t's result as shown (no braces); place names where its
 * output is in full, copy says whether this is a copy. */
static void write_run_fields(struct stdins_reply *sr, struct reply *r, size_t t, bool copy)
{
        const struct judge_test_result *x = &sr->judge->results[t];
        char place[32];
        const char *out_ref = NULL, *err_ref = NULL;

        snprintf(place, sizeof(place), "runs[%zu]", t);
        reply_litf(r, "\"exit_code\":%d,", x->exit_code);
        if (copy) {
                write_copy(sr, r, "stdout", &x->out, place, &out_ref);
                reply_lit(r, ",");
                write_copy(sr, r, "stderr", &x->err, place, &err_ref);
        } else {
                reply_lit(r, "\"stdout\":");
                write_text(r, &x->out);
                reply_lit(r, ",\"stderr\":");
                write_text(r, &x->err);
        }
        reply_litf(r,
                   ",\"stdout_truncated\":%s,\"stderr_truncated\":%s,\"wall_ms\":%llu,"
                   "\"cpu_ms\":%llu",
                   x->out_truncated ? "true" : "false", x->err_truncated ? "true" : "false",
                   (unsigned long long)(x->wall_us / 1000), (unsigned long long)(x->cpu_us / 1000));
        if (copy)
                write_refs(r, out_ref, err_ref);
}

static void write_compile(struct stdins_reply *sr, struct reply *r, bool top)
{
        const struct step_result *c = compile_step(sr->judge);

        if (!top)
                reply_lit(r, ",\"compile\":{\"status\":");
        else
                reply_lit(r, "\"status\":");
        reply_json_str(r, compile_status(c));
        reply_litf(r, ",\"exit_code\":%d,\"stdout\":", c->exit_code);
        write_text(r, &c->out);
        reply_lit(r, ",\"stderr\":");
        write_text(r, &c->err);
        reply_litf(r, ",\"wall_ms\":%llu", (unsigned long long)(c->wall_us / 1000));
        if (!top)
                reply_lit(r, "}");
}

static void write_steps(struct stdins_reply *sr, struct reply *r)
{
        const struct judge *j = sr->judge;
        const struct job *c = j->prog.compile_job;
        const struct recipe *rc = j->prog.tmpl->recipe;
        size_t k = 0;

        reply_lit(r, ",\"steps\":[");
        for (size_t i = 0; c && i < c->nsteps; i++) {
                const struct step_result *s = &c->steps[i];
                const char *out_ref, *err_ref;

                if (!s->ran)
                        continue;
                reply_litf(r, "%s{\"exit_code\":%d,", k ? "," : "", s->exit_code);
                write_copy(sr, r, "stdout", &s->out, "compile", &out_ref);
                reply_lit(r, ",");
                write_copy(sr, r, "stderr", &s->err, "compile", &err_ref);
                reply_litf(r,
                           ",\"stdout_truncated\":%s,\"stderr_truncated\":%s,\"wall_ms\":%llu,"
                           "\"cpu_ms\":%llu",
                           buf_truncated(&s->out) ? "true" : "false",
                           buf_truncated(&s->err) ? "true" : "false",
                           (unsigned long long)(s->wall_us / 1000),
                           (unsigned long long)(s->cpu_us / 1000));
                write_refs(r, out_ref, err_ref);
                reply_lit(r, ",\"name\":");
                reply_json_str(r, rc->steps[job_recipe_step(c, i)].name);
                reply_litf(r, ",\"timed_out\":%s}", s->timed_out ? "true" : "false");
                k++;
        }
        for (size_t t = 0; t < j->total; t++) {
                if (j->results[t].verdict == JV_SKIPPED)
                        continue;
                reply_lit(r, k ? ",{" : "{");
                write_run_fields(sr, r, t, true);
                reply_lit(r, ",\"name\":");
                reply_json_str(r, rc->steps[rc->nsteps - 1].name);
                reply_litf(r, ",\"timed_out\":%s}",
                           j->results[t].verdict == JV_TLE ? "true" : "false");
                k++;
        }
        reply_lit(r, "]");
}

/* The /v1/run result object: prefix, fields, "}". */
static struct reply *write_result(struct stdins_reply *sr)
{
        const struct judge *j = sr->judge;
        const bool compiled = j->prog.tmpl->recipe->nsteps > 1;
        const bool failed = j->prog.compile_failed;
        const struct judge_test_result *last = failed ? NULL : &j->results[j->total - 1];
        struct reply *r = reply_new(NULL);
        uint64_t mem = 0;
        bool passed = !failed, warm = false;
        const char *zygote = NULL;

        if (!r)
                return NULL;
        sr->copy_left = COPY_ALLOWANCE;
        for (size_t t = 0; !failed && t < j->total; t++) {
                const struct judge_test_result *x = &j->results[t];

                passed &= x->run_passed;
                mem = x->memory_kb > mem ? x->memory_kb : mem;
                warm |= x->warm;
                if (x->zygote[0] && !zygote)
                        zygote = x->zygote;
                sr->shown_cut |= x->out_cut || x->err_cut;
        }
        reply_lit(r, sr->prefix);
        if (failed) {
                /* the compile failed: the top level is the compile step */
                const struct job *c = j->prog.compile_job;

                write_compile(sr, r, true);
                reply_lit(r, ",\"stdout_truncated\":false,\"stderr_truncated\":false,\"verdict\":");
                reply_json_str(r, verdict_status(c));
                reply_litf(r, ",\"passed\":false,\"signal\":null,\"memory_kb\":%llu",
                           (unsigned long long)(c->usage.memory_peak_bytes / 1024));
        } else {
                write_run_fields(sr, r, j->total - 1, true);
                reply_lit(r, ",\"status\":");
                reply_json_str(r, run_status(last));
                reply_lit(r, ",\"verdict\":");
                reply_json_str(r, last->run_verdict);
                reply_litf(r, ",\"passed\":%s,\"signal\":", passed ? "true" : "false");
                if (last->term_signal)
                        reply_litf(r, "%d", last->term_signal);
                else
                        reply_lit(r, "null");
                reply_litf(r, ",\"memory_kb\":%llu", (unsigned long long)mem);
        }
        reply_lit(r, ",\"language\":");
        reply_json_str(r, j->prog.tmpl->recipe->key);
        reply_litf(r, ",\"warm\":%s,\"reply_truncated\":%s,\"zygote\":", warm ? "true" : "false",
                   sr->shown_cut ? "true" : "false");
        if (zygote)
                reply_json_str(r, zygote);
        else
                reply_lit(r, "null");
        reply_lit(r, ",\"runs\":[");
        for (size_t t = 0; !failed && t < j->total; t++) {
                const struct judge_test_result *x = &j->results[t];

                reply_lit(r, t ? ",{" : "{");
                write_run_fields(sr, r, t, false);
                reply_litf(r, ",\"input\":%zu,\"status\":", t);
                reply_json_str(r, run_status(x));
                reply_lit(r, ",\"verdict\":");
                reply_json_str(r, x->run_verdict);
                reply_litf(r, ",\"passed\":%s}", x->run_passed ? "true" : "false");
        }
        reply_lit(r, "]");
        if (compiled) {
                write_compile(sr, r, false);
                write_steps(sr, r);
        }
        reply_litf(r, ",\"total_wall_ms\":%llu,\"queue_ms\":%llu}",
                   (unsigned long long)((j->t_done_us - j->t_start_us) / 1000),
                   (unsigned long long)(j->queue_us / 1000));
        if (reply_failed(r)) {
                reply_free(r);
                return NULL;
        }
        return r;
}

static void stdins_reply_free(struct stdins_reply *sr)
{
        free(sr->prefix);
        free(sr);
}

/* A box could not be built for one of the runs (or the compile): the
 * whole request is a sandbox error, as a single run's would be. */
static const char *sandbox_error(const struct judge *j)
{
        if (j->prog.compile_verdict == JV_SE && j->prog.compiled && j->prog.compile_failed)
                return j->prog.compile_message[0] ? j->prog.compile_message : "sandbox error";
        for (size_t t = 0; t < j->total; t++)
                if (j->results[t].verdict == JV_SE)
                        return j->results[t].message[0] ? j->results[t].message : "sandbox error";
        return NULL;
}

static void free_judge(void *j)
{
        judge_free(j);
}

/* Sends the result; the reply points into the judge's buffers and owns it
 * from then on: true when it took the judge. */
static bool finish(struct stdins_reply *sr)
{
        struct judge *j = sr->judge;
        const char *se = sandbox_error(j);
        struct reply *r = se ? NULL : write_result(sr);
        struct http_body body;
        struct http_run_note n = {
            .language = j->prog.tmpl->recipe->key,
            .verdict = j->prog.compile_failed || !j->total ? "SyntaxError"
                                                           : j->results[j->total - 1].run_verdict,
            .run_ms = (int64_t)((j->t_done_us - j->t_start_us) / 1000),
            .warm = j->any_warm,
        };

        if (r)
                reply_own(r, j, free_judge);
        if (sr->done) {
                if (se) {
                        json_t *o =
                            json_pack("{s:s, s:s}", "error", "sandbox_error", "message", se);
                        char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

                        json_decref(o);
                        r = reply_new(NULL);
                        if (r) {
                                reply_lit(r, sr->prefix);
                                reply_lit(r, text ? text + 1 : "}");
                        }
                        free(text);
                }
                if (r) {
                        reply_lit(r, "\n");
                        reply_body(r, &body);
                }
                sr->done(sr->done_arg, r ? &body : NULL);
                return r && !se;
        }
        if (n.verdict)
                http_note_run(sr->req, &n);
        if (se) {
                http_reply_error(sr->req, 500, "sandbox_error", se);
                return false;
        }
        if (!r) {
                http_reply_error(sr->req, 500, "out_of_memory", "out of memory");
                return false;
        }
        reply_body(r, &body);
        http_reply_body(sr->req, 200, JSON_TYPE, false, &body);
        return true;
}

static void on_event(struct judge *j, enum judge_event ev, size_t t, void *arg)
{
        struct stdins_reply *sr = arg;

        (void)t;
        if (ev != JUDGE_DONE)
                return;
        if (sr->watch)
                http_unwatch(sr->watch);
        sr->watch = NULL;
        if (!finish(sr))
                judge_free(j);
        stdins_reply_free(sr);
}

static void on_gone(void *arg)
{
        struct stdins_reply *sr = arg;

        if (sr->watch)
                http_unwatch(sr->watch);
        judge_cancel(sr->judge);
        stdins_reply_free(sr);
}

struct stdins_reply *v1_stdins_start(struct evhttp_request *req, json_t *run, const char *prefix,
                                     void (*done)(void *arg, struct http_body *body), void *arg,
                                     struct v1_error *err)
{
        struct judge_spec spec;
        struct stdins_reply *sr;
        bool busy;

        if (parse(run, &spec, err) < 0) {
                job_free(spec.program);
                problem_unref(spec.problem);
                return NULL;
        }
        sr = calloc(1, sizeof(*sr));
        if (!sr || !(sr->prefix = strdup(prefix))) {
                free(sr);
                job_free(spec.program);
                problem_unref(spec.problem);
                refuse(err, 500, "out_of_memory", "out of memory");
                return NULL;
        }
        sr->req = req;
        sr->done = done;
        sr->done_arg = arg;
        sr->judge =
            judge_start(&spec, evhttp_connection_get_base(evhttp_request_get_connection(req)),
                        on_event, sr, &busy);
        if (!sr->judge) {
                stdins_reply_free(sr);
                refuse(err, busy ? 503 : 500, busy ? "busy" : "out_of_memory",
                       busy ? "the run queue is full" : "out of memory");
                return NULL;
        }
        if (!done && !(sr->watch = http_watch(req, on_gone, sr))) {
                judge_cancel(sr->judge);
                stdins_reply_free(sr);
                refuse(err, 500, "out_of_memory", "out of memory");
                return NULL;
        }
        return sr;
}

void v1_stdins_cancel(struct stdins_reply *sr)
{
        judge_cancel(sr->judge);
        stdins_reply_free(sr);
}
