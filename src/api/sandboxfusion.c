/* sandboxfusion: SandboxFusion's API (bytedance/SandboxFusion) over our jobs.
 *
 * Theory of operation. POST /run_code and POST /run_jupyter take
 * SandboxFusion's request bodies and answer in its shapes (docs/compat.md):
 * a request that fails its schema gets FastAPI's 422 body
 * {"detail": [{type, loc, msg, input}, ...]}; every request that passes it
 * gets 200 with status Success, Failed or SandboxError. Language names are
 * data (languages/peers/sandboxfusion.json, lang/peers.h): a name of
 * SandboxFusion's list that maps to no installed recipe is a SandboxError,
 * as SandboxFusion answers for a language it lists but cannot run.
 *
 * A request becomes one job (as v1.c does): the recipe's steps before the
 * last are the compile stage (compile_result), the last the run stage
 * (run_result). Files with paths ("dir/sub/file") travel to the box as an
 * artifact built here (sbx_artifact_build), unpacked under /tmp, the run's
 * directory, by the box's PID 1, which creates every entry beneath /tmp
 * without following symlinks. fetch_files makes the box archive its /tmp
 * after the run, whether or not the steps passed (job->collect_always);
 * the requested regular files are read from that archive, never from a
 * path of the host, so a symlink the program planted is returned as
 * nothing. Absolute paths name the box's /tmp ("/tmp/x") or its /mnt,
 * which for such a request is a directory inside the box's /tmp
 * (job->mnt_in_tmp); any other absolute path or a ".." component is
 * refused (files) or absent (fetch_files).
 *
 * /run_jupyter runs a driver (our own Python, SF_JUPYTER_DRIVER below) as
 * the program of a Python job: it reads the cells as JSON on stdin,
 * executes them in order in one namespace and prints one JSON document of
 * per-cell results, which the reply passes on. */
#define _GNU_SOURCE
#include <event2/http.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../http/http.h"
#include "../lang/peers.h"
#include "../sandbox/archive.h"
#include "../util/base64.h"
#include "../util/jsonfast.h"
#include "common.h"
#include "routes.h"

#define JSON_TYPE "application/json"
#define SF_FILES_MAX 4096
#define SF_BUSY "{\"detail\":\"the run queue is full; try again later\"}"

/* SandboxFusion's RunCodeRequest.language: the names its schema accepts
 * (a request naming another is a 422). Which of them run here is data. */
static const char *const sf_languages[] = {
    "python",  "cpp",        "nodejs", "go",         "go_test",       "java",
    "php",     "csharp",     "bash",   "typescript", "sql",           "rust",
    "cuda",    "lua",        "R",      "perl",       "D_ut",          "ruby",
    "scala",   "julia",      "pytest", "junit",      "kotlin_script", "jest",
    "verilog", "python_gpu", "lean",   "swift",      "racket",        NULL};

/* ---- FastAPI's 422 ------------------------------------------------------- */

struct sf_errors {
        json_t *detail; /* the list of pydantic errors */
        json_t *body;   /* the request, for "missing" errors' input */
};

/* Adds one error: loc is ["body", field] (plus key when not NULL, or index
 * when key is NULL and index >= 0); input is borrowed. */
static void sf_error(struct sf_errors *er, const char *type, const char *field, const char *key,
                     long index, const char *msg, json_t *input, json_t *ctx)
{
        json_t *loc = json_pack("[s]", "body"), *o;

        if (field)
                json_array_append_new(loc, json_string(field));
        if (key)
                json_array_append_new(loc, json_string(key));
        else if (index >= 0)
                json_array_append_new(loc, json_integer(index));
        o = json_pack("{s:s, s:o, s:s, s:O}", "type", type, "loc", loc, "msg", msg, "input",
                      input ? input : json_null());
        if (o && ctx)
                json_object_set_new(o, "ctx", ctx);
        else
                json_decref(ctx);
        json_array_append_new(er->detail, o);
}

static void reply_json(struct evhttp_request *req, int code, json_t *o)
{
        char *s =
            o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) : NULL;

        if (s)
                http_reply(req, code, JSON_TYPE, s, strlen(s));
        else
                http_reply_str(req, 500, JSON_TYPE, "{\"detail\":\"out of memory\"}");
        free(s);
        json_decref(o);
}

static void reply_422(struct evhttp_request *req, struct sf_errors *er)
{
        reply_json(req, 422, json_pack("{s:O}", "detail", er->detail));
}

/* The body as JSON, or NULL after replying FastAPI's 422 for a body that
 * is not JSON, or not an object. */
static json_t *sf_parse(struct evhttp_request *req)
{
        size_t len;
        const char *body = http_body(req, &len);
        json_error_t je;
        json_t *root = jsonfast_loadb(body ? body : "", len, JSON_ALLOW_NUL, &je);
        struct sf_errors er = {json_array(), NULL};

        if (!root) {
                json_t *loc = json_pack("[s,i]", "body", (json_int_t)je.position);
                json_array_append_new(er.detail, json_pack("{s:s, s:o, s:s, s:{}, s:{s:s}}", "type",
                                                           "json_invalid", "loc", loc, "msg",
                                                           "JSON decode error", "input", "ctx",
                                                           "error", je.text));
        } else if (!json_is_object(root)) {
                json_array_append_new(
                    er.detail,
                    json_pack("{s:s, s:[s], s:s, s:O}", "type", "model_attributes_type", "loc",
                              "body", "msg",
                              "Input should be a valid dictionary or object to extract fields "
                              "from",
                              "input", root));
                json_decref(root);
                root = NULL;
        }
        if (!root)
                reply_422(req, &er);
        json_decref(er.detail);
        return root;
}

/* ---- the fields, as pydantic checks them (lax mode) ------------------------ */

static void need_string(struct sf_errors *er, const char *field, bool nullable)
{
        json_t *v = json_object_get(er->body, field);

        if (!v && !nullable)
                sf_error(er, "missing", field, NULL, -1, "Field required", er->body, NULL);
        else if (v && !json_is_string(v) && !(nullable && json_is_null(v)))
                sf_error(er, "string_type", field, NULL, -1, "Input should be a valid string", v,
                         NULL);
}

/* A float field: numbers, booleans and numeric strings pass. */
static double get_float(struct sf_errors *er, const char *field, double dflt)
{
        json_t *v = json_object_get(er->body, field);
        char *end;
        double d;

        if (!v)
                return dflt;
        if (json_is_number(v))
                return json_number_value(v);
        if (json_is_boolean(v))
                return json_is_true(v) ? 1 : 0;
        if (json_is_string(v)) {
                d = strtod(json_string_value(v), &end);
                if (end != json_string_value(v) && *end == '\0')
                        return d;
                sf_error(er, "float_parsing", field, NULL, -1,
                         "Input should be a valid number, unable to parse string as a number", v,
                         NULL);
                return dflt;
        }
        sf_error(er, "float_type", field, NULL, -1, "Input should be a valid number", v, NULL);
        return dflt;
}

static long long get_int(struct sf_errors *er, const char *field, long long dflt)
{
        json_t *v = json_object_get(er->body, field);
        char *end;
        long long n;

        if (!v)
                return dflt;
        if (json_is_integer(v))
                return json_integer_value(v);
        if (json_is_boolean(v))
                return json_is_true(v) ? 1 : 0;
        if (json_is_real(v)) {
                double d = json_real_value(v);
                if (d == (double)(long long)d)
                        return (long long)d;
                sf_error(er, "int_from_float", field, NULL, -1,
                         "Input should be a valid integer, got a number with a fractional part", v,
                         NULL);
                return dflt;
        }
        if (json_is_string(v)) {
                n = strtoll(json_string_value(v), &end, 10);
                if (end != json_string_value(v) && *end == '\0')
                        return n;
                sf_error(er, "int_parsing", field, NULL, -1,
                         "Input should be a valid integer, unable to parse string as an integer", v,
                         NULL);
                return dflt;
        }
        sf_error(er, "int_type", field, NULL, -1, "Input should be a valid integer", v, NULL);
        return dflt;
}

/* language: one of sf_languages. */
static void need_language(struct sf_errors *er)
{
        json_t *v = json_object_get(er->body, "language");
        char expected[1024];
        size_t off = 0;

        if (!v) {
                sf_error(er, "missing", "language", NULL, -1, "Field required", er->body, NULL);
                return;
        }
        for (size_t i = 0; json_is_string(v) && sf_languages[i]; i++)
                if (strcmp(json_string_value(v), sf_languages[i]) == 0)
                        return;
        for (size_t i = 0; sf_languages[i] && off < sizeof(expected); i++) {
                int n = snprintf(expected + off, sizeof(expected) - off, "%s'%s'",
                                 i == 0                ? ""
                                 : sf_languages[i + 1] ? ", "
                                                       : " or ",
                                 sf_languages[i]);
                off += n > 0 ? (size_t)n : 0;
        }
        {
                char msg[1100];
                snprintf(msg, sizeof(msg), "Input should be %s", expected);
                sf_error(er, "literal_error", "language", NULL, -1, msg, v,
                         json_pack("{s:s}", "expected", expected));
        }
}

/* files: an object of path -> base64 string or null. */
static void need_files(struct sf_errors *er)
{
        json_t *v = json_object_get(er->body, "files"), *f;
        const char *k;

        if (!v)
                return;
        if (!json_is_object(v)) {
                sf_error(er, "dict_type", "files", NULL, -1, "Input should be a valid dictionary",
                         v, NULL);
                return;
        }
        json_object_foreach(v, k, f)
        {
                if (!json_is_string(f) && !json_is_null(f))
                        sf_error(er, "string_type", "files", k, -1,
                                 "Input should be a valid string", f, NULL);
        }
}

static void need_string_list(struct sf_errors *er, const char *field)
{
        json_t *v = json_object_get(er->body, field), *f;
        size_t i;

        if (!v)
                return;
        if (!json_is_array(v)) {
                sf_error(er, "list_type", field, NULL, -1, "Input should be a valid list", v, NULL);
                return;
        }
        json_array_foreach(v, i, f)
        {
                if (!json_is_string(f))
                        sf_error(er, "string_type", field, NULL, (long)i,
                                 "Input should be a valid string", f, NULL);
        }
}

/* ---- paths in the box ------------------------------------------------------ */

/* Where path (a request's files key or fetch_files entry) is in the box,
 * as a name relative to /tmp, into out: relative paths are the run's
 * directory's (/tmp), "/tmp/..." is the same, "/mnt/..." is the box's /mnt,
 * kept under /tmp/.mnt. Sets *mnt for the latter. -1 for any other path,
 * a ".." component, or a name the archive cannot hold. "." and empty
 * components are dropped. */
static int box_path(const char *path, char *out, size_t cap, bool *mnt)
{
        const char *p = path;
        size_t len = 0;

        *mnt = false;
        if (strncmp(p, "/tmp/", 5) == 0) {
                p += 5;
        } else if (strncmp(p, "/mnt/", 5) == 0) {
                p += 5;
                *mnt = true;
                len = (size_t)snprintf(out, cap, ".mnt");
        } else if (p[0] == '/') {
                return -1;
        }
        while (*p) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t)(slash - p) : strlen(p);

                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return -1;
                if (n > 0 && !(n == 1 && p[0] == '.')) {
                        if (len + n + 2 > cap)
                                return -1;
                        if (len)
                                out[len++] = '/';
                        memcpy(out + len, p, n);
                        len += n;
                }
                p += n + (slash ? 1 : 0);
        }
        out[len] = '\0';
        if (*mnt && len == 4)
                return -1; /* /mnt itself is not a file */
        return len > 0 && arc_name_ok(out, len) ? 0 : -1;
}

/* ---- base64 out ------------------------------------------------------------ */

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="; /* [64]: padding */

/* The standard, padded base64 of data[0..len) as a new JSON string. */
static json_t *b64_json(const unsigned char *data, size_t len)
{
        size_t olen = (len + 2) / 3 * 4, o = 0;
        char *s = malloc(olen + 1);
        json_t *j;

        if (!s)
                return NULL;
        for (size_t i = 0; i < len; i += 3) {
                uint32_t v = (uint32_t)data[i] << 16;
                size_t left = len - i;

                if (left > 1)
                        v |= (uint32_t)data[i + 1] << 8;
                if (left > 2)
                        v |= data[i + 2];
                s[o++] = b64_alphabet[(v >> 18) & 63];
                s[o++] = b64_alphabet[(v >> 12) & 63];
                s[o++] = b64_alphabet[left > 1 ? (v >> 6) & 63 : 64];
                s[o++] = b64_alphabet[left > 2 ? v & 63 : 64];
        }
        j = json_stringn(s, olen);
        free(s);
        return j;
}

/* ---- request to job --------------------------------------------------------- */

/* What the reply needs besides the job. */
struct sf_run {
        bool compile_result; /* the recipe's steps before the last are the compile stage */
        bool jupyter;
        json_t *fetch; /* fetch_files (a reference), or NULL */
};

static void sf_run_free(void *arg)
{
        struct sf_run *run = arg;

        if (run) {
                json_decref(run->fetch);
                free(run);
        }
}

/* The peers entry of SandboxFusion's language name, or NULL. */
static json_t *peer_entry(const char *name)
{
        json_t *table = peers_table("sandboxfusion"), *e;
        size_t i;

        json_array_foreach(table, i, e)
        {
                if (strcmp(json_string_value(json_object_get(e, "name")) ?: "", name) == 0)
                        return e;
        }
        return NULL;
}

/* msg: "language 'L' <why>; available: <the names that run here>". */
static void available_names(char *msg, size_t cap, const char *why, const char *language)
{
        json_t *table = peers_table("sandboxfusion"), *e;
        size_t i, off;
        int n = snprintf(msg, cap, "language '%.64s' %s; available:", language, why);

        off = n > 0 && (size_t)n < cap ? (size_t)n : cap - 1;
        json_array_foreach(table, i, e)
        {
                const struct recipe *r =
                    recipes_find(json_string_value(json_object_get(e, "language")));
                if (!r || !r->installed || off + 1 >= cap)
                        continue;
                n = snprintf(msg + off, cap - off, " %s",
                             json_string_value(json_object_get(e, "name")));
                off = n > 0 && off + (size_t)n < cap ? off + (size_t)n : cap - 1;
        }
}

/* A contained failure before anything ran: 200, SandboxError. */
static void reply_sandbox_error(struct evhttp_request *req, const char *message, bool jupyter)
{
        json_t *o = json_pack("{s:s, s:s}", "status", "SandboxError", "message", message);

        if (jupyter) {
                json_object_set_new(o, "driver", json_null());
                json_object_set_new(o, "cells", json_array());
        } else {
                json_object_set_new(o, "compile_result", json_null());
                json_object_set_new(o, "run_result", json_null());
        }
        json_object_set_new(o, "executor_pod_name", json_null());
        json_object_set_new(o, "files", json_object());
        reply_json(req, 200, o);
}

/* A timeout of the request, in seconds, as a step's limit: at least 1 ms,
 * at most the server's maximum. Zero or less (SandboxFusion then times out
 * at once) is a nanosecond: the box's PID 1 finds its deadline past at its
 * first look and the step timed out, however fast it was (0 itself would
 * mean "the recipe's own limit"). */
static double step_timeout(double s)
{
        if (!(s > 0))
                return 1e-9;
        return api_clamp_timeout(s < 0.001 ? 0.001 : s);
}

/* files into the job: an artifact of the decoded files (restored under
 * /tmp with their directories). 0, or -1 with msg set. */
static int restore_files(struct job *job, json_t *files, bool *mnt, char *msg, size_t cap)
{
        size_t max = json_object_size(files), n = 0, total = 0;
        struct sbx_file *list = NULL;
        struct buf *data = NULL;
        const char *k;
        json_t *v;
        struct err e = {0, ""};
        int rc = -1;

        if (max > SF_FILES_MAX) {
                snprintf(msg, cap, "files: more than %d files", SF_FILES_MAX);
                return -1;
        }
        list = calloc(max, sizeof(*list));
        data = calloc(max, sizeof(*data));
        if (!list || !data) {
                snprintf(msg, cap, "out of memory");
                goto out;
        }
        json_object_foreach(files, k, v)
        {
                char name[ARC_NAME_MAX + 1];
                bool in_mnt;

                if (json_is_null(v) || strstr(k, "IGNORE_THIS_FILE"))
                        continue;
                if (box_path(k, name, sizeof(name), &in_mnt) < 0 ||
                    api_reserved_in_tmp(job->recipe, name)) {
                        snprintf(msg, cap,
                                 "files: '%.200s' is not a path this sandbox can write: use a "
                                 "relative path without '..', or one under /tmp or /mnt",
                                 k);
                        goto out;
                }
                *mnt = *mnt || in_mnt;
                buf_init(&data[n], 0);
                list[n].name = strdup(name);
                n++;
                if (!list[n - 1].name ||
                    base64_decode(&data[n - 1], json_string_value(v), json_string_length(v)) < 0) {
                        snprintf(msg, cap, "files: '%.200s' is not valid base64", k);
                        goto out;
                }
                list[n - 1].data = data[n - 1].data ? data[n - 1].data : "";
                list[n - 1].len = data[n - 1].len;
                total += data[n - 1].len;
                if (total > job->limits.tmpfs_bytes) {
                        snprintf(msg, cap, "files: more than the box's /tmp holds (%llu MiB)",
                                 (unsigned long long)(job->limits.tmpfs_bytes >> 20));
                        goto out;
                }
        }
        rc = 0;
        if (n && sbx_artifact_build(list, n, &job->artifact_in, &e) < 0) {
                snprintf(msg, cap, "files: %s", e.msg);
                rc = -1;
        }
out:
        for (size_t i = 0; i < n; i++) {
                free((char *)list[i].name);
                buf_free(&data[i]);
        }
        free(list);
        free(data);
        return rc;
}

/* The job for a request that passed the schema, or NULL with msg set (a
 * SandboxError reply). */
static struct job *sf_job(json_t *body, const char *language, const char *code, size_t code_len,
                          const char *in, size_t in_len, double compile_timeout, double run_timeout,
                          long long memory_mb, struct sf_run *run, char *msg, size_t cap)
{
        json_t *entry = peer_entry(language), *files = json_object_get(body, "files");
        json_t *fetch = json_object_get(body, "fetch_files"), *f;
        const struct recipe *r = NULL;
        struct job *job;
        bool mnt = false;
        double deadline = 2;
        size_t i;

        if (entry)
                r = recipes_find(json_string_value(json_object_get(entry, "language")));
        if (!r || !r->installed) {
                available_names(msg, cap,
                                r ? "is not installed on this server"
                                  : "is not supported by this server",
                                language);
                return NULL;
        }
        run->compile_result = !json_is_false(json_object_get(entry, "compile_result"));
        job = job_new(r, code, code_len, in, in_len);
        if (!job) {
                snprintf(msg, cap, "out of memory");
                return NULL;
        }
        api_default_limits(job, r);
        if (memory_mb > 0 && (uint64_t)memory_mb < api_config()->memory_mb)
                job->limits.memory_bytes = (uint64_t)memory_mb << 20;
        if (files && json_object_size(files) && restore_files(job, files, &mnt, msg, cap) < 0) {
                job_free(job);
                return NULL;
        }
        json_array_foreach(fetch, i, f)
        {
                char name[ARC_NAME_MAX + 1];
                bool in_mnt;

                if (box_path(json_string_value(f), name, sizeof(name), &in_mnt) == 0)
                        mnt = mnt || in_mnt;
        }
        if (fetch && json_array_size(fetch)) {
                job->collect_artifact = true;
                job->collect_always = true;
                run->fetch = json_incref(fetch);
        }
        job->mnt_in_tmp = mnt;
        for (size_t s = 0; s < r->nsteps; s++) {
                job->recipe_step_timeout_s[s] =
                    step_timeout(s + 1 < r->nsteps ? compile_timeout : run_timeout);
                deadline += job->recipe_step_timeout_s[s];
        }
        job->deadline_s = api_clamp_timeout(deadline);
        job->reply_budget = api_reply_budget(64 * 1024);
        job->reply_cost = JCOST_JSON;
        return job;
}

/* ---- the reply --------------------------------------------------------------- */

/* A CommandRunResult of job steps [from, to), or null when none ran. */
static json_t *stage_json(const struct job *job, size_t from, size_t to)
{
        struct buf out, err;
        bool ran = false, tle = false;
        int code = 0;
        uint64_t wall = 0;
        json_t *o;

        buf_init(&out, 0);
        buf_init(&err, 0);
        for (size_t i = from; i < to; i++) {
                const struct step_result *s = &job->steps[i];
                if (!s->ran)
                        continue;
                ran = true;
                tle = tle || s->timed_out;
                code = s->exit_code;
                wall += s->wall_us;
                if (buf_append(&out, s->out.data ? s->out.data : "", s->out.len) < 0 ||
                    buf_append(&err, s->err.data ? s->err.data : "", s->err.len) < 0)
                        break;
        }
        if (!ran) {
                buf_free(&out);
                buf_free(&err);
                return json_null();
        }
        o = json_pack("{s:s, s:f, s:o, s:o, s:o}", "status", tle ? "TimeLimitExceeded" : "Finished",
                      "execution_time", (double)wall / 1e6, "return_code",
                      tle ? json_null() : json_integer(code), "stdout", api_text_json(&out),
                      "stderr", api_text_json(&err));
        buf_free(&out);
        buf_free(&err);
        return o;
}

/* Failed when a stage timed out or exited non-zero. */
static bool stage_failed(json_t *stage)
{
        json_t *rc = json_object_get(stage, "return_code");

        if (json_is_null(stage))
                return false;
        return strcmp(json_string_value(json_object_get(stage, "status")), "Finished") != 0 ||
               (json_is_integer(rc) && json_integer_value(rc) != 0);
}

/* The fetched files: each requested path that is a regular file in the
 * box's archived /tmp, base64, while the reply's limit lasts. */
static json_t *fetched_json(const struct job *job, json_t *fetch)
{
        json_t *out = json_object(), *f;
        size_t i, size = 0, left = api_config()->reply_limit_bytes;
        const void *map;
        struct err e = {0, ""};

        if (!out || !fetch || !job->artifact_out)
                return out;
        map = sbx_artifact_map(job->artifact_out, &size, &e);
        if (!map)
                return out;
        json_array_foreach(fetch, i, f)
        {
                char name[ARC_NAME_MAX + 1];
                struct arc_reader rd;
                struct arc_entry ent;
                bool mnt;

                if (box_path(json_string_value(f), name, sizeof(name), &mnt) < 0 ||
                    arc_open(&rd, map, size, &e) < 0)
                        continue;
                while (arc_next(&rd, &ent, &e) > 0) {
                        if (ent.type != ARC_FILE || ent.name_len != strlen(name) ||
                            memcmp(ent.name, name, ent.name_len) != 0)
                                continue;
                        if ((ent.data_len + 2) / 3 * 4 < left) {
                                left -= (ent.data_len + 2) / 3 * 4;
                                json_object_set_new(
                                    out, json_string_value(f),
                                    b64_json((const unsigned char *)ent.data, ent.data_len));
                        }
                        break;
                }
        }
        sbx_artifact_unmap(map, size);
        return out;
}

static json_t *jupyter_cells(const struct job *job, bool *ok);
static void sf_done(struct evhttp_request *req, struct job *job, void *arg)
{
        struct sf_run *run = arg;
        size_t last = job->nsteps - 1;
        json_t *o, *compile, *result;
        const char *status;

        if (job->outcome == JOB_SANDBOX_ERROR) {
                reply_sandbox_error(req, job->error, run->jupyter);
                job_free(job);
                return;
        }
        compile = run->compile_result && last > 0 ? stage_json(job, 0, last) : json_null();
        result =
            run->compile_result ? stage_json(job, last, last + 1) : stage_json(job, 0, job->nsteps);
        status = stage_failed(compile) || stage_failed(result) ? "Failed" : "Success";
        if (run->jupyter) {
                bool ok = false;
                json_t *cells = jupyter_cells(job, &ok);
                if (!ok)
                        status = "Failed";
                if (json_is_object(result)) /* its stdout is the cells' document */
                        json_object_set_new(result, "stdout", json_string(""));
                o = json_pack("{s:s, s:s, s:o, s:o}", "status", status, "message", "", "driver",
                              result, "cells", cells);
                json_decref(compile);
        } else {
                o = json_pack("{s:s, s:s, s:o, s:o}", "status", status, "message", "",
                              "compile_result", compile, "run_result", result);
        }
        if (o) {
                json_object_set_new(o, "executor_pod_name", json_null());
                json_object_set_new(o, "files", fetched_json(job, run->fetch));
        }
        reply_json(req, 200, o);
        job_free(job);
}

void route_sf_run_code(struct evhttp_request *req)
{
        json_t *body = sf_parse(req), *v;
        struct sf_errors er = {json_array(), body};
        struct sf_run *run;
        struct job *job;
        double compile_timeout, run_timeout;
        long long memory_mb;
        char msg[512];

        if (!body) {
                json_decref(er.detail);
                return;
        }
        need_string(&er, "code", false);
        need_language(&er);
        compile_timeout = get_float(&er, "compile_timeout", 10);
        run_timeout = get_float(&er, "run_timeout", 10);
        memory_mb = get_int(&er, "memory_limit_MB", -1);
        need_string(&er, "stdin", true);
        need_files(&er);
        need_string_list(&er, "fetch_files");
        if (json_array_size(er.detail)) {
                reply_422(req, &er);
                goto out;
        }
        run = calloc(1, sizeof(*run));
        if (!run) {
                http_reply_str(req, 500, JSON_TYPE, "{\"detail\":\"out of memory\"}");
                goto out;
        }
        v = json_object_get(body, "stdin");
        job = sf_job(body, json_string_value(json_object_get(body, "language")),
                     json_string_value(json_object_get(body, "code")),
                     json_string_length(json_object_get(body, "code")),
                     json_is_string(v) ? json_string_value(v) : "",
                     json_is_string(v) ? json_string_length(v) : 0, compile_timeout, run_timeout,
                     memory_mb, run, msg, sizeof(msg));
        if (!job) {
                reply_sandbox_error(req, msg, false);
                sf_run_free(run);
                goto out;
        }
        api_run_job(req, job, sf_done, run, sf_run_free, SF_BUSY, JSON_TYPE);
out:
        json_decref(er.detail);
        json_decref(body);
}

void route_sf_ping(struct evhttp_request *req)
{
        http_reply_str(req, 200, JSON_TYPE, "\"pong\"");
}

/* ---- /run_jupyter ------------------------------------------------------------ */

/* The driver: reads {"cells": [...], "cell_timeout": s} on stdin, runs the
 * cells in order in one namespace (each cell's stdout and stderr captured,
 * the value of a final expression shown as text/plain, each matplotlib
 * figure as image/png, an exception as ename/evalue/traceback without the
 * driver's frames), and writes {"cells": [...]} to the descriptor its
 * stdout was, which the cells' own fd 1 no longer is. */
static const char sf_jupyter_driver[] =
    "import ast, base64, io, json, linecache, os, signal, sys, traceback\n"
    "DRIVER = sys._getframe().f_code.co_filename\n"
    "req = json.loads(sys.stdin.read() or \"{}\")\n"
    "out_fd = os.dup(1)\n"
    "null = os.open(\"/dev/null\", os.O_RDWR)\n"
    "os.dup2(null, 0)\n"
    "os.environ.setdefault(\"MPLBACKEND\", \"Agg\")\n"
    "ns = {\"__name__\": \"__main__\", \"__builtins__\": __builtins__}\n"
    "limit = float(req.get(\"cell_timeout\") or 0)\n"
    "def on_alarm(signum, frame):\n"
    "    raise TimeoutError(\"the cell ran longer than cell_timeout (%g s)\" % limit)\n"
    "signal.signal(signal.SIGALRM, on_alarm)\n"
    "def figures():\n"
    "    plt = sys.modules.get(\"matplotlib.pyplot\")\n"
    "    if plt is None:\n"
    "        return []\n"
    "    shown = []\n"
    "    for num in plt.get_fignums():\n"
    "        fig = plt.figure(num)\n"
    "        png = io.BytesIO()\n"
    "        fig.savefig(png, format=\"png\")\n"
    "        shown.append({\"text/plain\": repr(fig), \"image/png\": "
    "base64.b64encode(png.getvalue()).decode()})\n"
    "    plt.close(\"all\")\n"
    "    return shown\n"
    "def run_cell(i, src):\n"
    "    cell = {\"stdout\": \"\", \"stderr\": \"\", \"display\": [], \"error\": []}\n"
    "    so, se = io.StringIO(), io.StringIO()\n"
    "    sys.stdout, sys.stderr = so, se\n"
    "    try:\n"
    "        if limit > 0:\n"
    "            signal.setitimer(signal.ITIMER_REAL, limit)\n"
    "        name = \"<cell-%d>\" % (i + 1)\n"
    "        linecache.cache[name] = (len(src), None, src.splitlines(True), name)\n"
    "        tree = compile(src, name, \"exec\", ast.PyCF_ONLY_AST)\n"
    "        last = None\n"
    "        if tree.body and isinstance(tree.body[-1], ast.Expr):\n"
    "            last = ast.Expression(tree.body.pop().value)\n"
    "        exec(compile(tree, name, \"exec\"), ns)\n"
    "        if last is not None:\n"
    "            value = eval(compile(last, name, \"eval\"), ns)\n"
    "            if value is not None:\n"
    "                ns[\"_\"] = value\n"
    "                cell[\"display\"].append({\"text/plain\": repr(value)})\n"
    "    except BaseException as e:\n"
    "        tb = e.__traceback__\n"
    "        while tb is not None and tb.tb_frame.f_code.co_filename == DRIVER:\n"
    "            tb = tb.tb_next\n"
    "        mine = '  File \"%s\"' % DRIVER\n"
    "        lines = [t for t in traceback.format_exception(type(e), e, tb) if not "
    "t.startswith(mine)]\n"
    "        cell[\"error\"].append({\"ename\": type(e).__name__, \"evalue\": str(e), "
    "\"traceback\": lines})\n"
    "    finally:\n"
    "        signal.setitimer(signal.ITIMER_REAL, 0)\n"
    "        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__\n"
    "    try:\n"
    "        cell[\"display\"].extend(figures())\n"
    "    except Exception as e:\n"
    "        cell[\"error\"].append({\"ename\": type(e).__name__, \"evalue\": str(e), "
    "\"traceback\": []})\n"
    "    cell[\"stdout\"], cell[\"stderr\"] = so.getvalue(), se.getvalue()\n"
    "    return cell\n"
    "os.dup2(null, 1)\n"
    "cells = [run_cell(i, src) for i, src in enumerate(req.get(\"cells\", []))]\n"
    "text = json.dumps({\"cells\": cells}).encode()\n"
    "while text:\n"
    "    text = text[os.write(out_fd, text):]\n";

/* The driver's per-cell results, or [] with *ok false when it did not
 * finish or its document is not what it writes. */
static json_t *jupyter_cells(const struct job *job, bool *ok)
{
        const struct step_result *s = &job->steps[job->nsteps - 1];
        json_t *doc, *cells;

        *ok = false;
        if (!s->ran || s->timed_out || s->exit_code != 0 || buf_truncated(&s->out))
                return json_array();
        doc = json_loadb(s->out.data ? s->out.data : "", s->out.len, 0, NULL);
        cells = json_object_get(doc, "cells");
        if (!json_is_array(cells)) {
                json_decref(doc);
                return json_array();
        }
        json_incref(cells);
        json_decref(doc);
        *ok = true;
        return cells;
}

void route_sf_run_jupyter(struct evhttp_request *req)
{
        json_t *body = sf_parse(req), *kernel, *in = NULL;
        struct sf_errors er = {json_array(), body};
        struct sf_run *run;
        struct job *job;
        double cell_timeout, total_timeout;
        long long memory_mb;
        char msg[512], *text = NULL;

        if (!body) {
                json_decref(er.detail);
                return;
        }
        if (!json_object_get(body, "cells"))
                sf_error(&er, "missing", "cells", NULL, -1, "Field required", body, NULL);
        else
                need_string_list(&er, "cells");
        cell_timeout = get_float(&er, "cell_timeout", 0);
        total_timeout = get_float(&er, "total_timeout", 45);
        memory_mb = get_int(&er, "memory_limit_MB", -1);
        kernel = json_object_get(body, "kernel");
        if (kernel &&
            !(json_is_string(kernel) && strcmp(json_string_value(kernel), "python3") == 0))
                sf_error(&er, "literal_error", "kernel", NULL, -1, "Input should be 'python3'",
                         kernel, json_pack("{s:s}", "expected", "'python3'"));
        need_files(&er);
        need_string_list(&er, "fetch_files");
        if (json_array_size(er.detail)) {
                reply_422(req, &er);
                goto out;
        }
        run = calloc(1, sizeof(*run));
        in = json_pack("{s:O, s:f}", "cells", json_object_get(body, "cells"), "cell_timeout",
                       cell_timeout > 0 ? cell_timeout : 0.0);
        text = in ? json_dumps(in, JSON_COMPACT) : NULL;
        if (!run || !text) {
                free(run);
                http_reply_str(req, 500, JSON_TYPE, "{\"detail\":\"out of memory\"}");
                goto out;
        }
        run->jupyter = true;
        job = sf_job(body, "python", sf_jupyter_driver, sizeof(sf_jupyter_driver) - 1, text,
                     strlen(text), total_timeout, total_timeout, memory_mb, run, msg, sizeof(msg));
        if (!job) {
                reply_sandbox_error(req, msg, true);
                sf_run_free(run);
                goto out;
        }
        run->compile_result = false;
        api_run_job(req, job, sf_done, run, sf_run_free, SF_BUSY, JSON_TYPE);
out:
        free(text);
        json_decref(in);
        json_decref(er.detail);
        json_decref(body);
}
