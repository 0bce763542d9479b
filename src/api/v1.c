/* v1: the native API — explicit JSON in, explicit JSON out (docs/api.md).
 *
 * GET /v1/languages lists every recipe with its aliases, steps and whether
 * its toolchain is installed. POST /v1/run runs one program and reports both
 * what happened to the process (status) and MultiPL-E's verdict. Errors are
 * {"error": <code>, "message": <text>} with a 4xx/5xx status. */
#define _GNU_SOURCE
#include <event2/http.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../exec/verdict.h"
#include "../http/http.h"
#include "../lang/peers.h"
#include "../util/base64.h"
#include "../util/utf8.h"
#include "common.h"
#include "reply.h"
#include "request.h"
#include "routes.h"
#include "stdins.h"
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
                        json_array_append_new(steps,
                                              json_pack("{s:s, s:o, s:f}", "name", r->steps[s].name,
                                                        "argv", strv_json(r->steps[s].argv),
                                                        "timeout_s", r->steps[s].timeout_s));
                o = json_pack("{s:s, s:s, s:o, s:b, s:s, s:o}", "key", r->key, "name", r->name,
                              "aliases", strv_json(r->aliases), "installed", r->installed,
                              "source_file", r->source_file, "steps", steps);
                if (!r->installed)
                        json_object_set_new(o, "missing", json_string(r->missing));
                json_object_set_new(o, "version",
                                    r->version ? json_string(r->version) : json_null());
                json_object_set_new(o, "peers", peers_names_for(r->key));
                json_array_append_new(list, o);
        }
        reply_json(req, 200, json_pack("{s:o}", "languages", list));
}

/* ---- the result object, written as pieces (api/reply.h) -------------------
 *
 * Each step's output is written in full once, in the first of these places
 * that shows it: runs[i] (with stdins), the top level, compile, steps[i].
 * Elsewhere it is repeated only while the reply's allowance for copies
 * lasts (DUP_ALLOWANCE encoded bytes); past that the field is null and
 * stdout_ref / stderr_ref names where the text is. The run's reply budget
 * (v1_reply_reserve) was charged for each stream once, as it arrived. */

#define DUP_ALLOWANCE (256u * 1024)

struct result_writer {
        struct reply *r;
        const struct job *job;
        size_t dup_left;  /* encoded bytes copies may still take */
        size_t scan_left; /* bytes the copies' cost checks may still read */
        int report;       /* the step the top level describes */
        size_t first_run;
};

/* Where step i's output is written in full. */
static void primary_place(const struct result_writer *w, size_t i, char *place, size_t len)
{
        const struct job *job = w->job;

        if (job->nstdins && i >= w->first_run) {
                snprintf(place, len, "runs[%zu]", i - w->first_run);
        } else if ((int)i == w->report) {
                snprintf(place, len, "top");
        } else if (i == 0 && job->nsteps > 1) {
                snprintf(place, len, "compile");
        } else {
                size_t k = 0;
                for (size_t j = 0; j < i; j++)
                        k += job->steps[j].ran;
                snprintf(place, len, "steps[%zu]", k);
        }
}

/* Writes "<name>":<text of b> (or null with a reference to put in *ref). */
static void write_stream(struct result_writer *w, const char *name, const struct buf *b,
                         size_t step, const char *here, char *ref, size_t reflen)
{
        char place[32];
        size_t cost;

        ref[0] = '\0';
        reply_litf(w->r, "\"%s\":", name);
        primary_place(w, step, place, sizeof(place));
        if (strcmp(place, here) != 0) {
                /* the checks read at most 2 x the allowance in all, so
                 * writing the fields stays cheap however many steps */
                cost = (size_t)-1;
                if (b->len <= w->dup_left && b->len <= w->scan_left) {
                        w->scan_left -= b->len;
                        cost = reply_cost_within(JCOST_JSON, b->data ? b->data : "", b->len,
                                                 w->dup_left);
                }
                if (cost == (size_t)-1) {
                        reply_lit(w->r, "null");
                        snprintf(ref, reflen, "%s", place);
                        return;
                }
                w->dup_left -= cost;
        }
        reply_lit(w->r, "\"");
        reply_text(w->r, JCOST_JSON, b->data ? b->data : "", b->len);
        reply_lit(w->r, "\"");
}

static void write_refs(struct result_writer *w, const char *out_ref, const char *err_ref)
{
        if (out_ref[0])
                reply_litf(w->r, ",\"stdout_ref\":\"%s\"", out_ref);
        if (err_ref[0])
                reply_litf(w->r, ",\"stderr_ref\":\"%s\"", err_ref);
}

/* The fields every step shows (no braces). */
static void write_step_fields(struct result_writer *w, size_t i, const char *here)
{
        const struct step_result *s = &w->job->steps[i];
        char out_ref[32], err_ref[32];

        reply_litf(w->r, "\"exit_code\":%d,", s->exit_code);
        write_stream(w, "stdout", &s->out, i, here, out_ref, sizeof(out_ref));
        reply_lit(w->r, ",");
        write_stream(w, "stderr", &s->err, i, here, err_ref, sizeof(err_ref));
        reply_litf(w->r,
                   ",\"stdout_truncated\":%s,\"stderr_truncated\":%s,\"wall_ms\":%llu,"
                   "\"cpu_ms\":%llu",
                   buf_truncated(&s->out) ? "true" : "false",
                   buf_truncated(&s->err) ? "true" : "false",
                   (unsigned long long)(s->wall_us / 1000), (unsigned long long)(s->cpu_us / 1000));
        write_refs(w, out_ref, err_ref);
}

static bool all_runs_passed(const struct job *job, size_t first)
{
        for (size_t i = first; i < job->nsteps; i++)
                if (!job->steps[i].ran || !verdict_passed_at(job, (int)i))
                        return false;
        return true;
}

static void write_compile(struct result_writer *w)
{
        const struct step_result *c = &w->job->steps[0];
        char out_ref[32], err_ref[32];

        reply_lit(w->r, ",\"compile\":{\"status\":");
        reply_json_str(w->r, !c->ran                                     ? "not_run"
                             : c->timed_out || c->term_signal == SIGXCPU ? "timeout"
                             : c->exit_code != 0                         ? "compile_error"
                                                                         : "ok");
        reply_litf(w->r, ",\"exit_code\":%d,", c->exit_code);
        write_stream(w, "stdout", &c->out, 0, "compile", out_ref, sizeof(out_ref));
        reply_lit(w->r, ",");
        write_stream(w, "stderr", &c->err, 0, "compile", err_ref, sizeof(err_ref));
        reply_litf(w->r, ",\"wall_ms\":%llu", (unsigned long long)(c->wall_us / 1000));
        write_refs(w, out_ref, err_ref);
        reply_lit(w->r, "}");
}

static void write_steps(struct result_writer *w)
{
        const struct job *job = w->job;
        size_t k = 0;
        char here[32];

        reply_lit(w->r, ",\"steps\":[");
        for (size_t i = 0; i < job->nsteps; i++) {
                if (!job->steps[i].ran)
                        continue;
                snprintf(here, sizeof(here), "steps[%zu]", k);
                reply_lit(w->r, k ? ",{" : "{");
                write_step_fields(w, i, here);
                reply_lit(w->r, ",\"name\":");
                reply_json_str(w->r, job->recipe->steps[job_recipe_step(job, i)].name);
                reply_litf(w->r, ",\"timed_out\":%s}", job->steps[i].timed_out ? "true" : "false");
                k++;
        }
        reply_lit(w->r, "]");
}

static void write_runs(struct result_writer *w)
{
        const struct job *job = w->job;
        bool any = false;
        char here[32];

        reply_lit(w->r, ",\"runs\":[");
        for (size_t i = w->first_run; i < job->nsteps; i++) {
                if (!job->steps[i].ran)
                        continue;
                snprintf(here, sizeof(here), "runs[%zu]", i - w->first_run);
                reply_lit(w->r, any ? ",{" : "{");
                write_step_fields(w, i, here);
                reply_litf(w->r, ",\"input\":%zu,\"status\":", i - w->first_run);
                reply_json_str(w->r, verdict_process_status_at(job, (int)i));
                reply_lit(w->r, ",\"verdict\":");
                reply_json_str(w->r, verdict_status_at(job, (int)i));
                reply_litf(w->r, ",\"passed\":%s}",
                           verdict_passed_at(job, (int)i) ? "true" : "false");
                any = true;
        }
        reply_lit(w->r, "]");
}

void v1_write_result(struct reply *r, const struct job *job)
{
        struct result_writer w = {r,
                                  job,
                                  DUP_ALLOWANCE,
                                  2 * DUP_ALLOWANCE,
                                  verdict_report_step(job),
                                  job->recipe->nsteps - 1};
        const struct step_result *top = &job->steps[w.report];
        bool passed = job->nstdins ? all_runs_passed(job, w.first_run) : verdict_passed(job);

        write_step_fields(&w, (size_t)w.report, "top");
        reply_lit(r, ",\"status\":");
        reply_json_str(r, verdict_process_status(job));
        reply_lit(r, ",\"verdict\":");
        reply_json_str(r, verdict_status(job));
        reply_litf(r, ",\"passed\":%s,\"signal\":", passed ? "true" : "false");
        if (top->term_signal)
                reply_litf(r, "%d", top->term_signal);
        else
                reply_lit(r, "null");
        reply_litf(r, ",\"memory_kb\":%llu,\"language\":",
                   (unsigned long long)(job->usage.memory_peak_bytes / 1024));
        reply_json_str(r, job->recipe->key);
        reply_litf(r, ",\"warm\":%s,\"reply_truncated\":%s", job->warm ? "true" : "false",
                   job->budget_cut ? "true" : "false");
        reply_lit(r, ",\"zygote\":");
        if (job->zygote)
                reply_json_str(r, job->zygote);
        else
                reply_lit(r, "null");
        if (job->nstdins)
                write_runs(&w);
        if (job->nsteps > 1) {
                write_compile(&w);
                write_steps(&w);
        }
        reply_litf(r, ",\"total_wall_ms\":%llu,\"queue_ms\":%llu",
                   (unsigned long long)((job->t_done_us - job->t_started_us) / 1000),
                   (unsigned long long)((job->t_started_us - job->t_queued_us) / 1000));
}

size_t v1_reply_reserve(size_t nsteps)
{
        return DUP_ALLOWANCE + 8192 + nsteps * 1024;
}

static void run_done(struct evhttp_request *req, struct job *job, void *arg)
{
        struct http_body body;
        struct reply *r;

        (void)arg;
        if (job->outcome == JOB_SANDBOX_ERROR) {
                http_reply_error(req, 500, "sandbox_error", job->error);
                job_free(job);
                return;
        }
        r = reply_new(job);
        if (!r) {
                http_reply_error(req, 500, "out_of_memory", "out of memory");
                return;
        }
        reply_lit(r, "{");
        v1_write_result(r, job);
        reply_lit(r, "}");
        reply_body(r, &body);
        http_reply_body(req, 200, JSON_TYPE, false, &body);
}

static int bad(struct v1_error *err, int status, const char *code, const char *msg)
{
        err->http_status = status;
        err->code = code;
        snprintf(err->message, sizeof(err->message), "%s", msg);
        return -1;
}

/* limits / compile_limits, each field a positive integer within the
 * server's maxima (docs/api.md). Absent fields stay 0. */
struct v1_limits {
        uint64_t wall_ms, cpu_ms, memory_mb, processes, output_bytes, file_bytes;
};

static int parse_limits(json_t *run, const char *field, struct v1_limits *l, struct v1_error *err)
{
        const struct api_config *cfg = api_config();
        const struct {
                const char *name;
                uint64_t *slot;
                uint64_t max;
        } f[] = {
            {"wall_ms", &l->wall_ms, (uint64_t)cfg->max_timeout_s * 1000},
            {"cpu_ms", &l->cpu_ms, (uint64_t)cfg->max_timeout_s * 1000},
            {"memory_mb", &l->memory_mb, cfg->memory_mb},
            {"processes", &l->processes, cfg->processes},
            {"output_bytes", &l->output_bytes, cfg->output_limit_bytes},
            {"file_bytes", &l->file_bytes, cfg->file_mb << 20},
        };
        json_t *o = json_object_get(run, field), *v;
        const char *k;

        memset(l, 0, sizeof(*l));
        if (!o || json_is_null(o))
                return 0;
        if (!json_is_object(o))
                return bad(err, 400, "invalid_field", "limits must be objects");
        json_object_foreach(o, k, v)
        {
                size_t i;

                for (i = 0; i < sizeof(f) / sizeof(f[0]) && strcmp(f[i].name, k) != 0; i++)
                        ;
                if (i == sizeof(f) / sizeof(f[0])) {
                        snprintf(err->message, sizeof(err->message), "%s.%s: unknown limit", field,
                                 k);
                        err->http_status = 400;
                        err->code = "invalid_field";
                        return -1;
                }
                if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
                    (uint64_t)json_integer_value(v) > f[i].max) {
                        snprintf(err->message, sizeof(err->message),
                                 "%s.%s must be an integer from 1 to %llu (this server's maximum)",
                                 field, k, (unsigned long long)f[i].max);
                        err->http_status = 400;
                        err->code = "invalid_field";
                        return -1;
                }
                *f[i].slot = (uint64_t)json_integer_value(v);
        }
        return 0;
}

static uint64_t larger(uint64_t a, uint64_t b)
{
        return a > b ? a : b;
}

/* Applies limits to the run step and compile_limits to the steps before it.
 * Memory, processes, output and file size are per box, so the larger of the
 * two applies to the whole run. */
static void apply_limits(struct job *job, const struct v1_limits *run, const struct v1_limits *comp)
{
        size_t nrecipe = job->recipe->nsteps, last = nrecipe - 1;
        uint64_t mem = larger(run->memory_mb, comp->memory_mb);
        uint64_t procs = larger(run->processes, comp->processes);
        uint64_t out = larger(run->output_bytes, comp->output_bytes);
        uint64_t fsize = larger(run->file_bytes, comp->file_bytes);

        for (size_t i = 0; i < nrecipe; i++) {
                const struct v1_limits *l = i == last ? run : comp;
                if (l->wall_ms)
                        job->recipe_step_timeout_s[i] = (double)l->wall_ms / 1000.0;
                job->recipe_step_cpu_ms[i] = l->cpu_ms;
        }
        if (mem)
                job->limits.memory_bytes = mem << 20;
        if (procs)
                job->limits.processes = (uint32_t)procs;
        if (out)
                job->output_limit = out;
        if (fsize)
                job->limits.file_bytes = fsize;
}

static int valid_file_name(const char *n, size_t len)
{
        return len > 0 && len < 256 && strlen(n) == len && !strchr(n, '/') && strcmp(n, ".") != 0 &&
               strcmp(n, "..") != 0;
}

/* files: [{name, content, encoding}] — decoded into out[i]. */
struct v1_file {
        const char *name;
        struct buf data;
};

/* A name the sandbox itself uses in /tmp for recipe r: the first component
 * of an overlay's target (e.g. .cache for Go's build cache) and the
 * overlays' own work area (.overlay, mounts.c). A file there would make
 * the box fail to build: the client's mistake, so a 400 here. */
static bool reserved_name(const struct recipe *r, const char *name)
{
        size_t n = strlen(name);

        for (size_t i = 0; i < r->noverlays; i++) {
                const char *t = r->overlays[i].target;

                if (strcmp(name, ".overlay") == 0)
                        return true;
                if (strncmp(t, "/tmp/", 5) == 0 && strncmp(t + 5, name, n) == 0 &&
                    (t[5 + n] == '/' || t[5 + n] == '\0'))
                        return true;
        }
        return false;
}

static int parse_files(json_t *run, const struct recipe *r, struct v1_file **out, size_t *n,
                       struct v1_error *err)
{
        json_t *files = json_object_get(run, "files"), *f;
        size_t i;

        *out = NULL;
        *n = 0;
        if (!files || json_is_null(files))
                return 0;
        if (!json_is_array(files) || json_array_size(files) > 64)
                return bad(err, 400, "invalid_field",
                           "'files' must be an array of at most 64 files");
        *out = calloc(json_array_size(files) + 1, sizeof(**out));
        if (!*out)
                return bad(err, 500, "out_of_memory", "out of memory");
        json_array_foreach(files, i, f)
        {
                const char *name = NULL, *content = NULL, *enc = "utf8";
                size_t nlen = 0, clen = 0, elen = 4;
                struct v1_file *vf = &(*out)[i];

                buf_init(&vf->data, 0);
                *n = i + 1;
                if (!json_is_object(f) || req_string(f, "name", &name, &nlen) != REQ_OK ||
                    !valid_file_name(name, nlen))
                        return bad(err, 400, "invalid_field",
                                   "each file needs a 'name': a plain file name (no '/')");
                if (req_string(f, "content", &content, &clen) != REQ_OK)
                        return bad(err, 400, "invalid_field", "each file needs a string 'content'");
                if (req_string(f, "encoding", &enc, &elen) == REQ_WRONG_TYPE ||
                    (strcmp(enc, "utf8") != 0 && strcmp(enc, "base64") != 0))
                        return bad(err, 400, "invalid_field",
                                   "a file's 'encoding' is utf8 or base64");
                if (reserved_name(r, name)) {
                        snprintf(err->message, sizeof(err->message),
                                 "file name '%.64s' is used by this language's sandbox in /tmp",
                                 name);
                        err->http_status = 400;
                        err->code = "invalid_field";
                        return -1;
                }
                vf->name = name;
                if (strcmp(enc, "base64") == 0 ? base64_decode(&vf->data, content, clen) < 0
                                               : buf_append(&vf->data, content, clen) < 0)
                        return bad(err, 400, "invalid_field",
                                   "a file's content is not valid base64");
                for (size_t j = 0; j < i; j++)
                        if (strcmp((*out)[j].name, name) == 0)
                                return bad(err, 400, "invalid_field",
                                           "two files have the same name");
        }
        return 0;
}

static void free_files(struct v1_file *files, size_t n)
{
        for (size_t i = 0; i < n; i++)
                buf_free(&files[i].data);
        free(files);
}

#define ARG_STRING_MAX (128u * 1024)
#define ARGS_TOTAL_MAX (1024u * 1024)

static int parse_args(json_t *run, struct job *job, struct v1_error *err)
{
        json_t *args = json_object_get(run, "args"), *a;
        size_t i, total = 0;

        if (!args || json_is_null(args))
                return 0;
        if (!json_is_array(args) || json_array_size(args) > 256)
                return bad(err, 400, "invalid_field",
                           "'args' must be an array of at most 256 strings");
        job->args = calloc(json_array_size(args) + 1, sizeof(char *));
        if (!job->args)
                return bad(err, 500, "out_of_memory", "out of memory");
        json_array_foreach(args, i, a)
        {
                if (!json_is_string(a) || strlen(json_string_value(a)) != json_string_length(a))
                        return bad(err, 400, "invalid_field", "'args' must be strings without NUL");
                /* execve's limits (MAX_ARG_STRLEN, a share of ARG_MAX): past
                 * them the box could not start the program (E2BIG) */
                total += json_string_length(a) + 1;
                if (json_string_length(a) >= ARG_STRING_MAX || total > ARGS_TOTAL_MAX)
                        return bad(err, 400, "invalid_field",
                                   "'args': each at most 128 KiB - 1 byte, 1 MiB in all");
                job->args[i] = strdup(json_string_value(a));
                if (!job->args[i])
                        return bad(err, 500, "out_of_memory", "out of memory");
        }
        return 0;
}

struct job *v1_job_from_json(json_t *run, struct v1_error *err)
{
        size_t code_len = 0, lang_len = 0, stdin_len = 0, nfiles = 0, main_file = (size_t)-1;
        const char *code = NULL, *lang = NULL, *in = "";
        double timeout = 0;
        struct v1_limits lim, clim;
        struct v1_file *files = NULL;
        const struct recipe *r;
        struct job *job = NULL;
        enum req_field code_field;
        char msg[512];

        if (!json_is_object(run)) {
                bad(err, 400, "invalid_field", "a run must be a JSON object");
                return NULL;
        }
        if (req_string(run, "language", &lang, &lang_len) != REQ_OK || strlen(lang) != lang_len) {
                bad(err, 400, "invalid_field", "'language' must be a string");
                return NULL;
        }
        code_field = req_string(run, "code", &code, &code_len);
        if (code_field == REQ_WRONG_TYPE) {
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
        if (parse_limits(run, "limits", &lim, err) < 0 ||
            parse_limits(run, "compile_limits", &clim, err) < 0)
                return NULL;
        r = recipes_find(lang);
        if (!r || !r->installed) {
                snprintf(msg, sizeof(msg), "language '%.64s' is %s; installed: %s", lang,
                         r ? "not installed" : "unknown", recipes_installed_list());
                bad(err, 400, r ? "language_not_installed" : "unknown_language", msg);
                return NULL;
        }
        if (parse_files(run, r, &files, &nfiles, err) < 0)
                goto fail;
        /* The program: `code`, else the file named like the language's
         * source file, else the first file. */
        for (size_t i = 0; i < nfiles; i++)
                if (strcmp(files[i].name, r->source_file) == 0)
                        main_file = i;
        if (code_field == REQ_OK && main_file != (size_t)-1) {
                snprintf(msg, sizeof(msg), "a file is named %s, which is where 'code' goes",
                         r->source_file);
                bad(err, 400, "invalid_field", msg);
                goto fail;
        }
        if (code_field != REQ_OK) {
                if (!nfiles) {
                        bad(err, 400, "invalid_field", "give the program as 'code' or in 'files'");
                        goto fail;
                }
                if (main_file == (size_t)-1)
                        main_file = 0;
                code = files[main_file].data.data ? files[main_file].data.data : "";
                code_len = files[main_file].data.len;
        }
        job = job_new(r, code, code_len, in, stdin_len);
        if (!job) {
                bad(err, 500, "out_of_memory", "out of memory");
                goto fail;
        }
        for (size_t i = 0; i < nfiles; i++)
                if (i != main_file &&
                    job_add_file(job, files[i].name, files[i].data.data ? files[i].data.data : "",
                                 files[i].data.len) < 0) {
                        bad(err, 500, "out_of_memory", "out of memory");
                        goto fail;
                }
        if (parse_args(run, job, err) < 0)
                goto fail;
        api_default_limits(job, r);
        apply_limits(job, &lim, &clim);
        job->reply_budget = api_reply_budget(v1_reply_reserve(job->nsteps));
        job->reply_cost = JCOST_JSON;
        /* `timeout` is the run step's wall-time limit (the language's own,
         * MultiPL-E's T, when absent); limits.wall_ms is the same in ms and
         * wins. The whole run's deadline is the sum of the step limits (each
         * run of a multi-input job counted) plus a margin, so a step's own
         * limit always fires first and is reported as that step's timeout. */
        if (timeout > 0 && !lim.wall_ms)
                job->recipe_step_timeout_s[r->nsteps - 1] = api_clamp_timeout(timeout);
        timeout = 2;
        for (size_t i = 0; i < job->nsteps; i++) {
                size_t ri = job_recipe_step(job, i);
                timeout += job->recipe_step_timeout_s[ri] > 0 ? job->recipe_step_timeout_s[ri]
                                                              : r->steps[ri].timeout_s;
        }
        job->deadline_s = api_clamp_timeout(timeout);
        free_files(files, nfiles);
        return job;
fail:
        free_files(files, nfiles);
        job_free(job);
        return NULL;
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
        if (v1_has_stdins(root)) {
                if (!v1_stdins_start(req, root, "{", NULL, NULL, &err))
                        http_reply_error(req, err.http_status, err.code, err.message);
                json_decref(root);
                return;
        }
        job = v1_job_from_json(root, &err);
        if (!job)
                http_reply_error(req, err.http_status, err.code, err.message);
        else
                api_run_job(req, job, run_done, NULL, NULL,
                            "{\"error\":\"busy\",\"message\":\"the run queue is full\"}",
                            JSON_TYPE);
        json_decref(root);
}
