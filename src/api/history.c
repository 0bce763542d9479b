/* history: the last runs and sandbox errors (see history.h).
 *
 * Theory of operation. An entry is built once, when its run finishes, as
 * the JSON object GET /v1/history/<id> returns, its texts already cut to
 * HISTORY_CODE_BYTES / HISTORY_TEXT_BYTES and repaired to UTF-8; a listing
 * is that object without "request" and "result". The entries sit in a ring
 * of api_config()->history slots, allocated on the first record; ids count
 * up from 1 and are never reused, so a stale id is a 404, never another
 * run. The memory is bounded by the slots times the cut texts. */
#define _GNU_SOURCE
#include "history.h"

#include <event2/http.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../exec/job.h"
#include "../exec/verdict.h"
#include "../judge/judge.h"
#include "../util/buf.h"
#include "../util/utf8.h"
#include "common.h"

struct slot {
        json_t *entry; /* NULL: empty */
};

static struct slot *ring;
static size_t ring_size; /* slots allocated (api_config()->history) */
static size_t next_slot; /* where the next entry goes */
static uint64_t next_id = 1;
static json_t *errors[HISTORY_ERRORS]; /* newest at errors[0] */

static double now_unix(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* p[0..n) cut to cap bytes, as a JSON string; *cut says whether it was. */
static json_t *text_json(const char *p, size_t n, size_t cap, int *cut)
{
        struct buf clean;
        json_t *s;

        *cut = n > cap;
        buf_init(&clean, 0);
        if (p && utf8_append_lossy(&clean, p, n > cap ? cap : n) < 0) {
                buf_free(&clean);
                return NULL;
        }
        s = json_stringn(clean.data ? clean.data : "", clean.len);
        buf_free(&clean);
        return s;
}

static const char *request_path(struct evhttp_request *req)
{
        const struct evhttp_uri *uri = req ? evhttp_request_get_evhttp_uri(req) : NULL;
        const char *path = uri ? evhttp_uri_get_path(uri) : NULL;

        return path && *path ? path : "/";
}

static json_t *request_json(const struct job *job, const char *endpoint)
{
        json_t *args = json_array();
        int code_cut, stdin_cut;
        json_t *code = text_json(job->code, job->code_len, HISTORY_CODE_BYTES, &code_cut);
        json_t *in = text_json(job->stdin_data, job->stdin_len, HISTORY_TEXT_BYTES, &stdin_cut);

        for (size_t i = 0; args && job->args && job->args[i]; i++) {
                int cut;

                json_array_append_new(
                    args, text_json(job->args[i], strlen(job->args[i]), HISTORY_TEXT_BYTES, &cut));
        }
        return json_pack("{s:s, s:s, s:o*, s:b, s:o*, s:b, s:o*, s:I}", "endpoint", endpoint,
                         "language", job->recipe->key, "code", code, "code_truncated", code_cut,
                         "stdin", in, "stdin_truncated", stdin_cut, "args", args, "stdins",
                         (json_int_t)job->nstdins);
}

static json_t *result_json(const struct job *job)
{
        const struct step_result *st = job->last_step >= 0 ? &job->steps[job->last_step] : NULL;
        int out_cut = 0, err_cut = 0;
        json_t *out = st ? text_json(st->out.data, st->out.len, HISTORY_TEXT_BYTES, &out_cut)
                         : json_string("");
        json_t *err = st ? text_json(st->err.data, st->err.len, HISTORY_TEXT_BYTES, &err_cut)
                         : json_string("");

        if (st && (buf_truncated(&st->out)))
                out_cut = 1;
        if (st && (buf_truncated(&st->err)))
                err_cut = 1;
        return json_pack("{s:o*, s:b, s:o*, s:b, s:s}", "stdout", out, "stdout_truncated", out_cut,
                         "stderr", err, "stderr_truncated", err_cut, "error",
                         job->outcome == JOB_SANDBOX_ERROR ? job->error : "");
}

static void record_error(const struct job *job)
{
        json_t *e = json_pack("{s:f, s:s, s:s}", "time", now_unix(), "language", job->recipe->key,
                              "message", job->error);

        if (!e)
                return;
        json_decref(errors[HISTORY_ERRORS - 1]);
        for (size_t i = HISTORY_ERRORS - 1; i > 0; i--)
                errors[i] = errors[i - 1];
        errors[0] = e;
}

/* Puts entry (a new reference, or NULL: nothing) in the ring under the
 * next id. */
static void keep(json_t *entry)
{
        size_t want = api_config()->history;

        if (!entry || !want)
                goto drop;
        if (!ring) {
                ring = calloc(want, sizeof(*ring));
                if (!ring)
                        goto drop;
                ring_size = want;
        }
        next_id++;
        json_decref(ring[next_slot].entry);
        ring[next_slot].entry = entry;
        next_slot = (next_slot + 1) % ring_size;
        return;
drop:
        json_decref(entry);
}

void history_record(struct evhttp_request *req, const struct job *job)
{
        size_t want = api_config()->history;
        const struct step_result *st;
        const char *verdict, *status;
        json_t *entry;

        if (job->outcome == JOB_SANDBOX_ERROR)
                record_error(job);
        if (!want)
                return;
        st = job->last_step >= 0 ? &job->steps[job->last_step] : NULL;
        verdict = job->outcome == JOB_SANDBOX_ERROR ? "SandboxError" : verdict_status(job);
        status = job->outcome == JOB_SANDBOX_ERROR ? "SandboxError" : verdict_process_status(job);
        entry = json_pack(
            "{s:I, s:f, s:s, s:s, s:s, s:s, s:s, s:o, s:f, s:f, s:I, s:b, s:o*, s:o*}", "id",
            (json_int_t)next_id, "time", now_unix(), "kind", "run", "endpoint", request_path(req),
            "language", job->recipe->key, "verdict", verdict, "status", status, "exit_code",
            st && st->ran ? json_integer(st->exit_code) : json_null(), "run_ms",
            (double)(job->t_done_us - job->t_started_us) / 1000.0, "queue_ms",
            (double)(job->t_started_us - job->t_queued_us) / 1000.0, "memory_bytes",
            (json_int_t)job->usage.memory_peak_bytes, "warm", job->warm, "request",
            request_json(job, request_path(req)), "result", result_json(job));
        keep(entry);
}

/* --- judges ---------------------------------------------------------- */

/* The test whose verdict is the judge's (the lowest index neither AC nor
 * SKIPPED), or SIZE_MAX. */
static size_t deciding_test(const struct judge *j)
{
        for (size_t t = 0; t < j->total; t++)
                if (j->results[t].verdict != JV_AC && j->results[t].verdict != JV_SKIPPED)
                        return t;
        return SIZE_MAX;
}

static json_t *judge_request_json(const struct judge *j, const char *endpoint)
{
        const struct job *p = j->spec.program;
        json_t *r = request_json(p, endpoint);
        const char *checker = j->spec.no_checker ? "none" : checker_kind_name(j->spec.checker.kind);

        if (r && (json_object_set_new(r, "tests", json_integer((json_int_t)j->total)) < 0 ||
                  json_object_set_new(r, "problem",
                                      j->spec.problem && j->spec.problem->name
                                          ? json_string(j->spec.problem->name)
                                          : json_null()) < 0 ||
                  json_object_set_new(r, "checker", json_string(checker)) < 0)) {
                json_decref(r);
                return NULL;
        }
        return r;
}

/* What the console shows of a judge's outcome: the tests by verdict, and
 * the output of what decided the verdict (the failed compile's, else the
 * deciding test's), cut like a run's. */
static json_t *judge_result_json(const struct judge *j)
{
        const struct judge_program *failed = j->prog.compile_failed      ? &j->prog
                                             : j->checker.compile_failed ? &j->checker
                                                                         : NULL;
        const struct job *cj = failed ? failed->compile_job : NULL;
        const struct step_result *cs = cj && cj->last_step >= 0 ? &cj->steps[cj->last_step] : NULL;
        size_t t = failed ? SIZE_MAX : deciding_test(j);
        const struct judge_test_result *r = t != SIZE_MAX ? &j->results[t] : NULL;
        const struct buf *out = cs ? &cs->out : r ? &r->out : NULL;
        const struct buf *err = cs ? &cs->err : r ? &r->err : NULL;
        size_t counts[JV_MAX] = {0};
        json_t *by = json_object();
        int out_cut = 0, err_cut = 0;
        json_t *o =
            text_json(out ? out->data : "", out ? out->len : 0, HISTORY_TEXT_BYTES, &out_cut);
        json_t *e =
            text_json(err ? err->data : "", err ? err->len : 0, HISTORY_TEXT_BYTES, &err_cut);
        const char *message = failed ? failed->compile_message : r ? r->message : "";

        for (size_t k = 0; k < j->total; k++)
                counts[j->results[k].verdict < JV_MAX ? j->results[k].verdict : JV_SE]++;
        for (int v = 0; by && v < JV_MAX; v++)
                if (counts[v] && json_object_set_new(by, judge_verdict_name((enum judge_verdict)v),
                                                     json_integer((json_int_t)counts[v])) < 0) {
                        json_decref(by);
                        by = NULL;
                }
        if (r) {
                out_cut |= r->out_truncated;
                err_cut |= r->err_truncated;
        } else if (cs) {
                out_cut |= buf_truncated(&cs->out);
                err_cut |= buf_truncated(&cs->err);
        }
        return json_pack("{s:o*, s:b, s:o*, s:b, s:s, s:o*, s:o, s:s?}", "stdout", o,
                         "stdout_truncated", out_cut, "stderr", e, "stderr_truncated", err_cut,
                         "error", message, "verdicts", by, "test",
                         r ? json_integer((json_int_t)t) : json_null(), "compile",
                         failed ? (failed == &j->prog ? "program" : "checker") : NULL);
}

void history_record_judge(struct evhttp_request *req, const struct judge *j)
{
        uint64_t memory_kb = 0;
        json_t *entry;

        if (!api_config()->history || !j->spec.program)
                return;
        for (size_t t = 0; t < j->total; t++)
                if (j->results[t].memory_kb > memory_kb)
                        memory_kb = j->results[t].memory_kb;
        entry = json_pack(
            "{s:I, s:f, s:s, s:s, s:s, s:s, s:n, s:n, s:I, s:I, s:f, s:f, s:I, s:b, s:o*, s:o*}",
            "id", (json_int_t)next_id, "time", now_unix(), "kind", "judge", "endpoint",
            request_path(req), "language", j->spec.program->recipe->key, "verdict",
            judge_verdict_name(j->verdict), "status", "exit_code", "passed", (json_int_t)j->passed,
            "total", (json_int_t)j->total, "run_ms",
            (double)(j->t_done_us - j->t_start_us) / 1000.0, "queue_ms",
            (double)j->queue_us / 1000.0, "memory_bytes", (json_int_t)memory_kb * 1024, "warm",
            j->any_warm, "request", judge_request_json(j, request_path(req)), "result",
            judge_result_json(j));
        keep(entry);
}

/* The i-th newest entry (0: the newest), or NULL. */
static json_t *nth_newest(size_t i)
{
        if (!ring || i >= ring_size)
                return NULL;
        return ring[(next_slot + ring_size - 1 - i) % ring_size].entry;
}

static int field_is(json_t *entry, const char *key, const char *want)
{
        const char *v = json_string_value(json_object_get(entry, key));

        return !want || !*want || (v && strcmp(v, want) == 0);
}

json_t *history_list(const char *language, const char *verdict, size_t limit)
{
        json_t *list = json_array();
        json_t *e;

        for (size_t i = 0; list && (e = nth_newest(i)) && json_array_size(list) < limit; i++) {
                json_t *summary;

                if (!field_is(e, "language", language) || !field_is(e, "verdict", verdict))
                        continue;
                summary = json_copy(e);
                if (!summary)
                        break;
                json_object_del(summary, "request");
                json_object_del(summary, "result");
                json_array_append_new(list, summary);
        }
        return list;
}

json_t *history_get(uint64_t id)
{
        json_t *e;

        for (size_t i = 0; (e = nth_newest(i)); i++)
                if ((uint64_t)json_integer_value(json_object_get(e, "id")) == id)
                        return json_incref(e);
        return NULL;
}

json_t *history_errors(void)
{
        json_t *list = json_array();

        for (size_t i = 0; list && i < HISTORY_ERRORS && errors[i]; i++)
                json_array_append(list, errors[i]);
        return list;
}

size_t history_count(void)
{
        size_t n = 0;

        for (size_t i = 0; i < ring_size; i++)
                n += ring[i].entry != NULL;
        return n;
}

size_t history_capacity(void)
{
        return api_config()->history;
}

void history_free(void)
{
        for (size_t i = 0; i < ring_size; i++)
                json_decref(ring[i].entry);
        free(ring);
        ring = NULL;
        ring_size = next_slot = 0;
        for (size_t i = 0; i < HISTORY_ERRORS; i++) {
                json_decref(errors[i]);
                errors[i] = NULL;
        }
}
