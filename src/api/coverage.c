/* coverage: POST /py_coverage (compatibility) and POST /v1/coverage (native):
 * statement coverage of a Python program, measured by coverage.py.
 *
 * Theory of operation. The work is an ordinary job driven by the internal
 * recipe languages/internal/python-coverage.json (loaded once by
 * coverage_init, kept out of the language registry so /v1/languages does not
 * list it): step "run" runs the program under `coverage run` with the
 * request's timeout, and only if it exits 0 does step "report" print the
 * JSON report on its stdout, inside the same box. The server parses that
 * stdout and never reads a file from the box (the program could have
 * replaced the data file with anything, including a symlink). The figure
 * is totals.percent_covered_display, the very string `coverage report`
 * prints in its Cover column (coverage.py rounds half to even, and never
 * shows 0 or 100 for a total strictly between them), as an integer; -1 when
 * the program fails, times out, or the report cannot be had. */
#define _GNU_SOURCE
#include <errno.h>
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bank/files.h"
#include "../http/http.h"
#include "../util/log.h"
#include "../util/utf8.h"
#include "common.h"
#include "coverage.h"
#include "reply.h"
#include "request.h"
#include "routes.h"

#define TEXT "text/plain; charset=utf-8"
#define JSON_TYPE "application/json"
#define RUN_STEP 0
#define REPORT_STEP 1
#define BUSY_JSON "{\"error\":\"busy\",\"message\":\"the run queue is full\"}"

static struct recipe *cov_recipe;
static char cov_error[300] = "coverage is not set up";

/* See coverage.h. */
int coverage_init(const char *languages_dir, struct err *e)
{
        char path[4096];
        size_t len;
        char *text;

        snprintf(path, sizeof(path), "%s/internal/python-coverage.json", languages_dir);
        text = bankfile_read(path, &len, e);
        if (!text && e->errnum == ENOENT) {
                /* A languages directory without the coverage recipe (an
                 * operator's own set): coverage is off, the rest works. */
                snprintf(cov_error, sizeof(cov_error),
                         "coverage is not available on this server (no %s)", path);
                log_warn("%s", cov_error);
                return 0;
        }
        if (!text)
                return -1;
        cov_recipe = recipe_parse(text, len, "python-coverage", e);
        free(text);
        if (!cov_recipe)
                return err_wrap(e, "%s", path);
        if (cov_recipe->nsteps != 2)
                return err_set(e, 0, "%s: expected the steps run and report", path);
        if (!cov_recipe->installed)
                snprintf(cov_error, sizeof(cov_error),
                         "coverage is not available on this server (%s is missing)",
                         cov_recipe->missing);
        return 0;
}

/* What a finished coverage job measured. */
struct cov_result {
        const char *status; /* ok, runtime_error, timeout, report_error */
        int coverage;       /* -1 unless ok */
        json_t *report;     /* the parsed report (ok only) */
};

static int parse_display(const char *s)
{
        char *end;
        long v;

        errno = 0;
        v = s ? strtol(s, &end, 10) : -1;
        if (!s || end == s || *end || errno || v < 0 || v > 100)
                return -1;
        return (int)v;
}

static void measure(const struct job *job, struct cov_result *res)
{
        const struct step_result *run = &job->steps[RUN_STEP], *rep = &job->steps[REPORT_STEP];
        json_t *totals;

        res->coverage = -1;
        res->report = NULL;
        if (job->outcome == JOB_TIMED_OUT || run->timed_out) {
                res->status = "timeout";
                return;
        }
        if (!run->finished || run->exit_code != 0) {
                res->status = "runtime_error";
                return;
        }
        res->status = "report_error";
        if (!rep->finished || rep->timed_out || rep->exit_code != 0 || buf_truncated(&rep->out))
                return;
        res->report = json_loadb(rep->out.data ? rep->out.data : "", rep->out.len, 0, NULL);
        totals = json_object_get(res->report, "totals");
        res->coverage =
            parse_display(json_string_value(json_object_get(totals, "percent_covered_display")));
        if (res->coverage >= 0)
                res->status = "ok";
}

/* Starts a coverage job for code; replies itself (and returns -1) when it
 * cannot. legacy selects the bare "-1" error replies of /py_coverage. */
static int submit(struct evhttp_request *req, const char *code, size_t code_len, const char *in,
                  size_t in_len, double timeout, api_job_reply_fn fn, bool legacy)
{
        struct job *job;

        if (!cov_recipe || !cov_recipe->installed) {
                if (legacy)
                        http_reply_str(req, 500, TEXT, "{\"coverage\":-1}");
                else
                        http_reply_error(req, 500, "coverage_unavailable", cov_error);
                return -1;
        }
        job = job_new(cov_recipe, code, code_len, in, in_len);
        if (!job) {
                if (legacy)
                        http_reply_str(req, 500, TEXT, "{\"coverage\":-1}");
                else
                        http_reply_error(req, 500, "out_of_memory", "out of memory");
                return -1;
        }
        api_default_limits(job, cov_recipe);
        timeout = api_clamp_timeout(timeout);
        job->recipe_step_timeout_s[RUN_STEP] = timeout;
        /* the program's output is shown; the report's is parsed, never cut */
        job->reply_budget = api_reply_budget(65536);
        job->reply_cost = JCOST_JSON;
        job->budget_exempt[REPORT_STEP] = true;
        job->deadline_s = timeout + cov_recipe->steps[REPORT_STEP].timeout_s + 2; /* backstop */
        api_run_job(req, job, fn, NULL, NULL, legacy ? "{\"coverage\":-1}" : BUSY_JSON,
                    legacy ? TEXT : JSON_TYPE);
        return 0;
}

static void py_coverage_reply(struct evhttp_request *req, struct job *job)
{
        struct cov_result res;
        char body[32];

        if (job->outcome == JOB_SANDBOX_ERROR) {
                log_error("job %llu: coverage: sandbox error: %s", (unsigned long long)job->id,
                          job->error);
                http_reply_str(req, 500, TEXT, "{\"coverage\":-1}");
                return;
        }
        measure(job, &res);
        json_decref(res.report);
        /* serde's compact form, as the original: {"coverage":85} */
        snprintf(body, sizeof(body), "{\"coverage\":%d}", res.coverage);
        http_reply_str(req, 200, TEXT, body);
}

static void py_coverage_done(struct evhttp_request *req, struct job *job, void *arg)
{
        (void)arg;
        py_coverage_reply(req, job);
        job_free(job);
}

/* POST /py_coverage {code, timeout}: {"coverage":N}; an invalid body gets the
 * bare text -1, as the original. testhash is ignored, as the original did. */
void route_py_coverage(struct evhttp_request *req)
{
        size_t len, code_len = 0;
        const char *body = http_body(req, &len), *code = NULL;
        double timeout = api_config()->default_timeout_s;
        json_t *root = req_parse(body, len);

        if (!root || req_string(root, "code", &code, &code_len) != REQ_OK ||
            req_seconds(root, "timeout", &timeout) == REQ_WRONG_TYPE) {
                http_reply_str(req, 200, TEXT, "-1");
                json_decref(root);
                return;
        }
        submit(req, code, code_len, "", 0, timeout, py_coverage_done, true);
        json_decref(root);
}

static json_t *copy_or_empty(json_t *v)
{
        return v ? json_deep_copy(v) : json_array();
}

/* The per-file detail of a report: [{file, num_statements, covered_lines,
 * missing_lines, percent_covered, coverage}] */
static json_t *files_json(json_t *report)
{
        json_t *files = json_object_get(report, "files"), *out = json_array(), *f;
        const char *name;

        json_object_foreach(files, name, f)
        {
                json_t *sum = json_object_get(f, "summary");
                json_array_append_new(
                    out,
                    json_pack("{s:s, s:O?, s:o, s:o, s:O?, s:i}", "file", name, "num_statements",
                              json_object_get(sum, "num_statements"), "covered_lines",
                              copy_or_empty(json_object_get(f, "executed_lines")), "missing_lines",
                              copy_or_empty(json_object_get(f, "missing_lines")), "percent_covered",
                              json_object_get(sum, "percent_covered"), "coverage",
                              parse_display(json_string_value(
                                  json_object_get(sum, "percent_covered_display")))));
        }
        return out;
}

/* Owns job (the reply writes the program's output from it, as the client
 * reads, and frees it). */
static void v1_coverage_reply(struct evhttp_request *req, struct job *job)
{
        const struct step_result *run = &job->steps[RUN_STEP];
        const struct buf *report_err = &job->steps[REPORT_STEP].err;
        struct cov_result res;
        struct http_body body;
        struct reply *r;
        json_t *o, *totals, *main_file;
        char *s;

        if (job->outcome == JOB_SANDBOX_ERROR) {
                http_reply_error(req, 500, "sandbox_error", job->error);
                job_free(job);
                return;
        }
        measure(job, &res);
        totals = json_object_get(res.report, "totals");
        main_file = json_object_get(json_object_get(res.report, "files"), cov_recipe->source_file);
        o = json_pack("{s:s, s:i, s:O?, s:O?, s:o, s:o, s:o}", "status", res.status, "coverage",
                      res.coverage, "percent_covered",
                      res.coverage >= 0 ? json_object_get(totals, "percent_covered") : NULL,
                      "num_statements",
                      res.coverage >= 0 ? json_object_get(totals, "num_statements") : NULL,
                      "covered_lines", copy_or_empty(json_object_get(main_file, "executed_lines")),
                      "missing_lines", copy_or_empty(json_object_get(main_file, "missing_lines")),
                      "files", res.coverage >= 0 ? files_json(res.report) : json_array());
        json_object_set_new(o, "exit_code", run->ran ? json_integer(run->exit_code) : json_null());
        json_decref(res.report);
        s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        r = s ? reply_new(job) : NULL;
        if (!r) {
                if (!s)
                        job_free(job);
                free(s);
                http_reply_error(req, 500, "out_of_memory", "out of memory");
                return;
        }
        /* the detail (bounded by the program's size), then the program's
         * output, written from the job as the client reads */
        reply_litn(r, s, strlen(s) - 1); /* without its closing brace */
        free(s);
        reply_lit(r, ",\"stdout\":\"");
        reply_text(r, JCOST_JSON, run->out.data, run->out.len);
        reply_lit(r, "\",\"stderr\":\"");
        reply_text(r, JCOST_JSON, run->err.data, run->err.len);
        reply_litf(r, "\",\"stdout_truncated\":%s,\"stderr_truncated\":%s",
                   buf_truncated(&run->out) ? "true" : "false",
                   buf_truncated(&run->err) ? "true" : "false");
        if (!strcmp(res.status, "report_error")) {
                reply_lit(r, ",\"report_stderr\":\"");
                reply_text(r, JCOST_JSON, report_err->data, report_err->len);
                reply_lit(r, "\"");
        }
        reply_litf(r, ",\"wall_ms\":%llu}", (unsigned long long)(run->wall_us / 1000));
        reply_body(r, &body);
        http_reply_body(req, 200, JSON_TYPE, false, &body);
}

static void v1_coverage_done(struct evhttp_request *req, struct job *job, void *arg)
{
        (void)arg;
        v1_coverage_reply(req, job);
}

/* POST /v1/coverage {code, timeout?, stdin?}: the figure plus line detail. */
void route_v1_coverage(struct evhttp_request *req)
{
        size_t len, code_len = 0, in_len = 0;
        const char *body = http_body(req, &len), *code = NULL, *in = "";
        double timeout = api_config()->default_timeout_s;
        json_t *root = req_parse(body, len);

        if (!root) {
                http_reply_error(req, 400, "invalid_json", "the body is not a JSON object");
                return;
        }
        if (req_string(root, "code", &code, &code_len) != REQ_OK)
                http_reply_error(req, 400, "invalid_field", "'code' must be a string");
        else if (req_string(root, "stdin", &in, &in_len) == REQ_WRONG_TYPE)
                http_reply_error(req, 400, "invalid_field", "'stdin' must be a string");
        else if (req_seconds(root, "timeout", &timeout) == REQ_WRONG_TYPE)
                http_reply_error(req, 400, "invalid_field", "'timeout' must be a positive number");
        else
                submit(req, code, code_len, in, in_len, timeout, v1_coverage_done, false);
        json_decref(root);
}
