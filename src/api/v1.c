/* v1: the native API — explicit JSON in, explicit JSON out (docs/api.md).
 *
 * GET /v1/languages lists every recipe with its aliases, steps and whether
 * its toolchain is installed. POST /v1/run runs one program and reports both
 * what happened to the process (status) and MultiPL-E's verdict. Errors are
 * {"error": <code>, "message": <text>} with a 4xx/5xx status. */
#define _GNU_SOURCE
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../exec/verdict.h"
#include "../server/http.h"
#include "../util/utf8.h"
#include "common.h"
#include "request.h"
#include "routes.h"
#include "v1.h"

#define JSON_TYPE "application/json"

static void reply_json(struct evhttp_request *req, int code, json_t *o)
{
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

        http_reply(req, code, JSON_TYPE, s ? s : "{}", s ? strlen(s) : 2);
        free(s);
        json_decref(o);
}

static json_t *strv_json(char **v)
{
        json_t *a = json_array();

        for (char **p = v; p && *p; p++)
                json_array_append_new(a, json_string(*p));
        return a;
}

void route_v1_languages(struct evhttp_request *req)
{
        json_t *list = json_array();

        for (size_t i = 0; i < recipes_count(); i++) {
                const struct recipe *r = recipes_at(i);
                json_t *steps = json_array();
                json_t *o;

                for (size_t s = 0; s < r->nsteps; s++)
                        json_array_append_new(steps, json_pack("{s:s, s:o, s:f}", "name",
                                                               r->steps[s].name, "argv",
                                                               strv_json(r->steps[s].argv),
                                                               "timeout_s", r->steps[s].timeout_s));
                o = json_pack("{s:s, s:s, s:o, s:b, s:s, s:o}", "key", r->key, "name", r->name,
                              "aliases", strv_json(r->aliases), "installed", r->installed,
                              "source_file", r->source_file, "steps", steps);
                if (!r->installed)
                        json_object_set_new(o, "missing", json_string(r->missing));
                json_object_set_new(o, "version", r->version ? json_string(r->version) : json_null());
                json_array_append_new(list, o);
        }
        reply_json(req, 200, json_pack("{s:o}", "languages", list));
}

static json_t *step_json(const struct step_result *r)
{
        return json_pack("{s:i, s:o, s:o, s:b, s:b, s:I, s:I}", "exit_code", r->exit_code, "stdout",
                         api_text_json(&r->out), "stderr", api_text_json(&r->err), "stdout_truncated",
                         buf_truncated(&r->out), "stderr_truncated", buf_truncated(&r->err),
                         "wall_ms", (json_int_t)(r->wall_us / 1000), "cpu_ms",
                         (json_int_t)(r->cpu_us / 1000));
}

json_t *v1_result_json(const struct job *job)
{
        int idx = verdict_report_step(job);
        const struct step_result *r = &job->steps[idx];
        json_t *o = step_json(r);

        json_object_set_new(o, "status", json_string(verdict_process_status(job)));
        json_object_set_new(o, "verdict", json_string(verdict_status(job)));
        json_object_set_new(o, "passed", json_boolean(verdict_passed(job)));
        json_object_set_new(o, "signal", r->term_signal ? json_integer(r->term_signal) : json_null());
        json_object_set_new(o, "memory_kb",
                            json_integer((json_int_t)(job->usage.memory_peak_bytes / 1024)));
        json_object_set_new(o, "language", json_string(job->recipe->key));
        if (job->nsteps > 1) {
                json_t *steps = json_array();
                for (size_t i = 0; i < job->nsteps; i++) {
                        json_t *s;
                        if (!job->steps[i].ran)
                                continue;
                        s = step_json(&job->steps[i]);
                        json_object_set_new(s, "name", json_string(job->recipe->steps[i].name));
                        json_object_set_new(s, "timed_out", json_boolean(job->steps[i].timed_out));
                        json_array_append_new(steps, s);
                }
                json_object_set_new(o, "steps", steps);
        }
        json_object_set_new(o, "total_wall_ms",
                            json_integer((json_int_t)((job->t_done_us - job->t_started_us) / 1000)));
        json_object_set_new(o, "queue_ms",
                            json_integer((json_int_t)((job->t_started_us - job->t_queued_us) / 1000)));
        return o;
}

static void run_done(struct evhttp_request *req, struct job *job, void *arg)
{
        (void)arg;
        if (job->outcome == JOB_SANDBOX_ERROR) {
                http_reply_error(req, 500, "sandbox_error", job->error);
                return;
        }
        reply_json(req, 200, v1_result_json(job));
}

static int bad(struct v1_error *err, int status, const char *code, const char *msg)
{
        err->http_status = status;
        err->code = code;
        snprintf(err->message, sizeof(err->message), "%s", msg);
        return -1;
}

struct job *v1_job_from_json(json_t *run, struct v1_error *err)
{
        size_t code_len = 0, lang_len = 0, stdin_len = 0;
        const char *code = NULL, *lang = NULL, *in = "";
        double timeout = http_config()->default_timeout_s;
        const struct recipe *r;
        struct job *job;
        char msg[512];

        if (!json_is_object(run)) {
                bad(err, 400, "invalid_field", "a run must be a JSON object");
                return NULL;
        }
        if (req_string(run, "language", &lang, &lang_len) != REQ_OK || strlen(lang) != lang_len) {
                bad(err, 400, "invalid_field", "'language' must be a string");
                return NULL;
        }
        if (req_string(run, "code", &code, &code_len) != REQ_OK) {
                bad(err, 400, "invalid_field", "'code' must be a string");
                return NULL;
        }
        if (req_string(run, "stdin", &in, &stdin_len) == REQ_WRONG_TYPE) {
                bad(err, 400, "invalid_field", "'stdin' must be a string");
                return NULL;
        }
        if (req_seconds(run, "timeout", &timeout) == REQ_WRONG_TYPE) {
                bad(err, 400, "invalid_field", "'timeout' must be a positive number of seconds");
                return NULL;
        }
        r = recipes_find(lang);
        if (!r || !r->installed) {
                snprintf(msg, sizeof(msg), "language '%.64s' is %s; installed: %s", lang,
                         r ? "not installed" : "unknown", recipes_installed_list());
                bad(err, 400, r ? "language_not_installed" : "unknown_language", msg);
                return NULL;
        }
        job = job_new(r, code, code_len, in, stdin_len);
        if (!job) {
                bad(err, 500, "out_of_memory", "out of memory");
                return NULL;
        }
        api_default_limits(job, r);
        job->deadline_s = api_clamp_timeout(timeout);
        return job;
}

void route_v1_run(struct evhttp_request *req)
{
        size_t len;
        const char *body = http_body(req, &len);
        json_t *root = req_parse(body, len);
        struct v1_error err;
        struct job *job;

        if (!root) {
                http_reply_error(req, 400, "invalid_json", "the body is not a JSON object");
                return;
        }
        job = v1_job_from_json(root, &err);
        if (!job)
                http_reply_error(req, err.http_status, err.code, err.message);
        else
                http_run_job(req, job, run_done, NULL, NULL,
                             "{\"error\":\"busy\",\"message\":\"the run queue is full\"}",
                             JSON_TYPE);
        json_decref(root);
}
