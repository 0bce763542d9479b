/* judge0: the Judge0 CE dialect's endpoints — /submissions, /languages,
 * /statuses, /about, /config_info — over the same jobs as the native API
 * (docs/compat.md#judge0). The submissions themselves (the store, a run's
 * status, the attributes) are judge0_sub.c.
 *
 * Theory of operation. A create request is validated as Judge0's model
 * validates it (422 {"<attr>": ["message", ...]} with Rails' wording) and
 * becomes a submission with an unguessable token and a job. Its job is
 * either waited for by the request (wait=true: api_run_job; the client's
 * hang-up cancels it and drops the submission) or runs on its own
 * (sched_submit with our completion callback); either way the finished job
 * moves into the submission. Other error bodies are Judge0's: 400
 * {"error": "..."}, 503 {"error": "queue is full"}, and Rails'
 * {"status": 404|400, "error": ...} for an unknown token or an unreadable
 * body. Language ids are data: languages/peers/judge0.json (lang/peers.h).
 *
 * Options become job fields: compiler_options the compile steps' extra
 * arguments (job->compile_args), number_of_runs the run step repeated over
 * as many copies of the stdin (job_set_stdins, stopping at a failing run),
 * redirect_stderr_to_stdout one pipe for the run step's two streams, so
 * that they keep the order of the writes (job->merge_stderr), and
 * additional_files, a zip read by util/zip.h, an artifact unpacked in the
 * box's /tmp (job->artifact_in). */
#define _GNU_SOURCE
#include <errno.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "../exec/sched.h"
#include "../http/http.h"
#include "../lang/peers.h"
#include "../sandbox/archive.h"
#include "../util/base64.h"
#include "../util/strv.h"
#include "../util/zip.h"
#include "common.h"
#include "request.h"
#include "judge0.h"
#include "routes.h"

#define JSON_TYPE "application/json; charset=utf-8"
#define BATCH_MAX 20     /* Judge0's MAX_SUBMISSION_BATCH_SIZE */
#define ARGS_MAX_LEN 512 /* compiler_options, command_line_arguments */
/* additional_files: entries of one zip (sbx_artifact_build compares every
 * pair of names) */
#define ZIP_ENTRIES_MAX 1024
#define NOT_UTF8_ONE                                                                               \
        "some attributes for this submission cannot be converted to UTF-8, use "                   \
        "base64_encoded=true "                                                                     \
        "query parameter"
#define NOT_UTF8_MANY                                                                              \
        "some attributes for one or more submissions cannot be converted to UTF-8, use "           \
        "base64_encoded=true query parameter"

/* ---- statuses and languages ----------------------------------------------- */

static struct j0_lang *langs;
static size_t nlangs;
static bool langs_loaded;

/* A recipe like r but writing the program to source_file ({src}, {base}
 * follow): Judge0's Java is `public class Main` in Main.java. Lives as long
 * as the process. */
static const struct recipe *recipe_renamed(const struct recipe *r, const char *source_file)
{
        struct recipe *copy;

        if (!source_file || strcmp(source_file, r->source_file) == 0)
                return r;
        copy = malloc(sizeof(*copy));
        if (!copy)
                return r;
        *copy = *r;
        copy->source_file = strdup(source_file);
        if (!copy->source_file) {
                free(copy);
                return r;
        }
        return copy;
}

/* Internal recipes by table index (judge0_init), NULL where none. */
static struct recipe **own;
static size_t nown;

int judge0_init(const char *languages_dir, struct err *e)
{
        own = api_internal_recipes("judge0", languages_dir, &nown, e);
        return own ? 0 : -1;
}

static void langs_load(void)
{
        json_t *table = peers_table("judge0"), *e;
        size_t i;

        langs_loaded = true;
        if (!table)
                return;
        langs = calloc(json_array_size(table) + 1, sizeof(*langs));
        if (!langs)
                return;
        json_array_foreach(table, i, e)
        {
                const struct recipe *r =
                    recipes_find(json_string_value(json_object_get(e, "language")));
                json_t *id = json_object_get(e, "id");
                const char *name = json_string_value(json_object_get(e, "name"));

                if (!r || !json_is_integer(id) || !name)
                        continue;
                langs[nlangs].id = json_integer_value(id);
                langs[nlangs].name = name;
                langs[nlangs].base = r;
                langs[nlangs].recipe =
                    i < nown && own[i]
                        ? own[i]
                        : recipe_renamed(r, json_string_value(json_object_get(e, "source_file")));
                langs[nlangs].multi_file = json_is_true(json_object_get(e, "multi_file"));
                nlangs++;
        }
}

static const struct j0_lang *lang_by_id(long long id)
{
        if (!langs_loaded)
                langs_load();
        for (size_t i = 0; i < nlangs; i++)
                if (langs[i].id == id)
                        return &langs[i];
        return NULL;
}

/* The first dotted number in a version line: "Python 3.11.2" -> 3.11.2,
 * "g++ (Debian 12.2.0-14) 12.2.0" -> 12.2.0, "v18.19.0" -> 18.19.0. */
static size_t version_number(const char *v, const char **start)
{
        for (const char *p = v; p && *p; p++) {
                size_t n = 0, dots = 0;

                if (*p < '0' || *p > '9' || (p > v && p[-1] >= '0' && p[-1] <= '9'))
                        continue;
                while ((p[n] >= '0' && p[n] <= '9') ||
                       (p[n] == '.' && p[n + 1] >= '0' && p[n + 1] <= '9' && ++dots))
                        n++;
                if (dots) {
                        *start = p;
                        return n;
                }
        }
        return 0;
}

/* The entry's name with {version} replaced by the installed toolchain's
 * version (dropped, with the space before it, while none is known). */
json_t *j0_lang_name(const struct j0_lang *l)
{
        const char *at = l->name ? strstr(l->name, "{version}") : NULL, *num = NULL, *post;
        size_t nlen = version_number(l->base ? l->base->version : NULL, &num);
        size_t pre;
        char out[256];

        if (!at)
                return json_string(l->name ? l->name : "");
        pre = (size_t)(at - l->name);
        post = at + strlen("{version}");
        if (!nlen) { /* "Lua ({version})" -> "Lua", "C# (Mono {version})" -> "C# (Mono)" */
                if (pre >= 2 && l->name[pre - 1] == '(' && *post == ')') {
                        pre -= 2;
                        post++;
                } else if (pre && l->name[pre - 1] == ' ') {
                        pre--;
                }
        }
        snprintf(out, sizeof(out), "%.*s%.*s%s", (int)pre, l->name, (int)nlen, nlen ? num : "",
                 post);
        return json_string(out);
}

/* ---- replies -------------------------------------------------------------- */

static void reply_json(struct evhttp_request *req, int code, json_t *o)
{
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

        if (!s)
                http_reply_str(req, 500, JSON_TYPE, "{\"error\":\"out of memory\"}");
        else
                http_reply(req, code, JSON_TYPE, s, strlen(s));
        free(s);
        json_decref(o);
}

static void reply_error(struct evhttp_request *req, int code, const char *msg)
{
        reply_json(req, code, json_pack("{s:s}", "error", msg));
}

/* What Rails answers for a record it cannot find or a body it cannot parse. */
static void reply_rails(struct evhttp_request *req, int code)
{
        reply_json(req, code,
                   json_pack("{s:i, s:s}", "status", code, "error",
                             code == 404 ? "Not Found" : "Bad Request"));
}

/* ---- the query string ----------------------------------------------------- */

struct query {
        struct evkeyvalq kv;
        bool ok;
};

static void query_open(struct evhttp_request *req, struct query *q)
{
        const char *uri = evhttp_request_get_uri(req);
        const char *qs = strchr(uri, '?');

        TAILQ_INIT(&q->kv);
        q->ok = evhttp_parse_query_str(qs ? qs + 1 : "", &q->kv) == 0;
}

static const char *query_get(struct query *q, const char *name)
{
        return q->ok ? evhttp_find_header(&q->kv, name) : NULL;
}

static void query_close(struct query *q)
{
        evhttp_clear_headers(&q->kv);
}

static bool query_true(struct query *q, const char *name)
{
        const char *v = query_get(q, name);

        return v && strcmp(v, "true") == 0;
}

/* `fields`: comma-separated names or "*"; absent or empty, the defaults.
 * -1 after replying 400 with the names not known. */
static int parse_fields(struct evhttp_request *req, struct query *q, field_set *out)
{
        const char *v = query_get(q, "fields");
        char *copy, *tok, *save = NULL;
        struct buf bad;
        int rc = 0;

        *out = j0_default_fields;
        if (!v || !*v)
                return 0;
        copy = strdup(v);
        if (!copy) {
                reply_error(req, 500, "out of memory");
                return -1;
        }
        buf_init(&bad, 0);
        *out = 0;
        for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                int f;

                while (*tok == ' ')
                        tok++;
                if (strcmp(tok, "*") == 0) {
                        *out = ~(field_set)0;
                        continue;
                }
                for (f = 0; f < F_COUNT && strcmp(j0_field_names[f], tok) != 0; f++)
                        ;
                if (f < F_COUNT)
                        *out |= FIELD_BIT(f);
                else
                        buf_appendf(&bad, "%s%s", bad.len ? ", " : "", tok);
        }
        if (bad.len) {
                char msg[1024];

                snprintf(msg, sizeof(msg), "invalid fields: [%.900s]", bad.data);
                reply_error(req, 400, msg);
                rc = -1;
        } else if (!*out) {
                *out = j0_default_fields;
        }
        buf_free(&bad);
        free(copy);
        return rc;
}

/* ---- a create request ----------------------------------------------------- */

/* 422's body: {"<attr>": ["message", ...]}, in the order found. */
static void invalid(json_t *errors, const char *attr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void invalid(json_t *errors, const char *attr, const char *fmt, ...)
{
        json_t *list = json_object_get(errors, attr);
        char msg[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (!list) {
                list = json_array();
                json_object_set_new(errors, attr, list);
        }
        json_array_append_new(list, json_string(msg));
}

/* A number given as a JSON number or a numeric string (Rails accepts
 * both); 0 absent or null, 1 found, -1 not a number. */
static int number_field(json_t *o, const char *name, double *out)
{
        json_t *v = json_object_get(o, name);
        char *end;

        if (!v || json_is_null(v))
                return 0;
        if (json_is_number(v)) {
                *out = json_number_value(v);
                return isfinite(*out) ? 1 : -1;
        }
        if (!json_is_string(v) || !json_string_length(v))
                return -1;
        errno = 0;
        *out = strtod(json_string_value(v), &end);
        return *end || errno || !isfinite(*out) ? -1 : 1;
}

/* A limit: absent -> def; else in (0, max] or a 422 message (Rails'
 * numericality wording; a maximum shown as Ruby shows it: 300.0, 512000). */
static double limit_field(json_t *o, json_t *errors, const char *name, double def, double max,
                          bool integer, bool *given)
{
        double v = def;
        int rc = number_field(o, name, &v);

        if (given)
                *given = rc == 1;
        if (rc < 0) {
                invalid(errors, name, "is not a number");
                return def;
        }
        if (rc == 0)
                return def;
        if (integer && v != floor(v))
                invalid(errors, name, "must be an integer");
        else if (v <= 0)
                invalid(errors, name, "must be greater than 0");
        else if (v > max)
                invalid(errors, name,
                        integer ? "must be less than or equal to %.0f"
                                : "must be less than or equal to %.1f",
                        max);
        return v;
}

/* A string field, base64-decoded when asked; 0 absent, 1 found, -1 bad. */
static int text_field(json_t *o, const char *name, bool b64, struct buf *out)
{
        const char *s = NULL;
        size_t n = 0;
        enum req_field k = req_string(o, name, &s, &n);

        if (k == REQ_ABSENT)
                return 0;
        if (k == REQ_WRONG_TYPE)
                return -1;
        if (!b64)
                return buf_append(out, s, n) < 0 ? -1 : 1;
        /* Ruby's decode64 reads what clients send: line breaks anywhere */
        return base64_decode(out, s, n) < 0 ? -1 : 1;
}

static bool blank(const char *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!strchr(" \t\r\n\v\f", p[i]) || !p[i])
                        return false;
        return true;
}

/* command_line_arguments as a shell would split them: blanks separate,
 * '...' and "..." quote, a backslash escapes. NULL when out of memory. */
static char **split_args(const char *s)
{
        char **argv = calloc(strlen(s) / 2 + 2, sizeof(char *));
        size_t n = 0;

        if (!argv)
                return NULL;
        while (*s) {
                struct buf a;
                char quote = 0;
                bool ok = true;

                while (*s == ' ' || *s == '\t' || *s == '\n')
                        s++;
                if (!*s)
                        break;
                buf_init(&a, 0);
                for (; *s && (quote || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
                        if (!quote && (*s == '\'' || *s == '"')) {
                                quote = *s;
                        } else if (quote && *s == quote) {
                                quote = 0;
                        } else {
                                if (*s == '\\' && quote != '\'' && s[1])
                                        s++;
                                if (buf_append(&a, s, 1) < 0)
                                        ok = false;
                        }
                }
                argv[n++] = a.data ? a.data : strdup("");
                if (!argv[n - 1] || !ok) {
                        strv_free(argv);
                        return NULL;
                }
        }
        return argv;
}

/* What a create request asks for: its submission (not yet stored) and its
 * job (not yet submitted). */
struct create {
        struct j0_sub *sub;
        struct job *job;
};

static void create_free(struct create *c)
{
        if (c->sub)
                j0_sub_free(c->sub);
        job_free(c->job);
        c->sub = NULL;
        c->job = NULL;
}

static char *dup_field(json_t *o, const char *name, json_t *errors)
{
        const char *s = NULL;
        size_t n = 0;
        enum req_field k = req_string(o, name, &s, &n);

        if (k == REQ_ABSENT)
                return NULL;
        if (k == REQ_WRONG_TYPE || strlen(s) != n) {
                invalid(errors, name, "is invalid");
                return NULL;
        }
        if (n > ARGS_MAX_LEN)
                invalid(errors, name, "is too long (maximum is %d characters)", ARGS_MAX_LEN);
        return strdup(s);
}

/* An option Judge0 has and this server cannot honour: given as true (or
 * any non-null value for the text ones), a 422 on it. */
static void refuse_option(json_t *o, json_t *errors, const char *name, const char *msg)
{
        json_t *v = json_object_get(o, name);

        if (v && !json_is_null(v) && !json_is_false(v))
                invalid(errors, name, "%s", msg);
}

/* additional_files: the zip's files put beside the program (under the
 * box's /tmp, the steps' directory) before the first step, as Judge0
 * unzips it into its box. Its directories are made as files need them;
 * an entry named as the program's source file is left out (Judge0's
 * `unzip -n` keeps the source). Each file is bounded by the run's largest
 * file, all of them by the box's /tmp, their number by ZIP_ENTRIES_MAX.
 * 0; -1 with a 422 message in errors; -2 out of memory. */
static int unpack_files(const struct j0_sub *s, struct job *job, json_t *errors)
{
        const struct zip_limits lim = {
            .max_entries = ZIP_ENTRIES_MAX,
            .max_total = job->limits.tmpfs_bytes,
            .max_entry = job->limits.file_bytes,
            .max_name = ARC_NAME_MAX,
        };
        struct zip_entry *z = NULL;
        struct sbx_file *files = NULL;
        struct err e = {0, ""};
        size_t n = 0, nfiles = 0;
        int rc = -1;

        if (zip_read(s->additional_files, s->additional_files_len, &lim, &z, &n, &e) < 0) {
                if (e.errnum == ENOMEM)
                        return -2;
                invalid(errors, "additional_files", "%s", e.msg);
                return -1;
        }
        files = calloc(n + 1, sizeof(*files));
        if (!files) {
                zip_free(z, n);
                return -2;
        }
        for (size_t i = 0; i < n; i++) {
                if (z[i].dir || strcmp(z[i].name, job->recipe->source_file) == 0)
                        continue;
                if (!arc_name_ok(z[i].name, strlen(z[i].name)) ||
                    api_reserved_in_tmp(job->recipe, z[i].name)) {
                        invalid(errors, "additional_files",
                                "'%.100s' is not a file name this language's box can hold",
                                z[i].name);
                        goto done;
                }
                files[nfiles].name = z[i].name;
                files[nfiles].data = (const char *)z[i].data;
                files[nfiles].len = z[i].len;
                files[nfiles].executable = z[i].executable;
                nfiles++;
        }
        rc = 0;
        if (nfiles && sbx_artifact_build(files, nfiles, &job->artifact_in, &e) < 0) {
                rc = e.errnum == ENOMEM ? -2 : -1;
                if (rc == -1)
                        invalid(errors, "additional_files", "%s", e.msg);
        }
done:
        free(files);
        zip_free(z, n);
        return rc;
}

/* number_of_runs > 1: the compile steps once, then the run step n times
 * with the same stdin (the job's stdins, one job step per run). */
static int set_runs(struct job *job, const struct buf *in, size_t n)
{
        char *inputs[20];
        size_t lens[20];

        if (n > sizeof(inputs) / sizeof(inputs[0]))
                return -1;
        for (size_t i = 0; i < n; i++) {
                inputs[i] = in->data ? in->data : (char *)"";
                lens[i] = in->len;
        }
        return job_set_stdins(job, inputs, lens, n);
}

/* Validates one submission object and builds its submission and job.
 * Returns 0, or -1 with *errors (a new object) holding the 422 body, or -2
 * when out of memory. */
static int create_from_json(json_t *o, bool b64, struct create *c, json_t **errors)
{
        const struct api_config *cfg = api_config();
        struct buf code, in, expected, zip;
        double id = 0, max_s = cfg->max_timeout_s;
        const struct j0_lang *lang = NULL;
        struct j0_sub *s;
        bool project;
        int rc, k;

        memset(c, 0, sizeof(*c));
        *errors = json_object();
        s = calloc(1, sizeof(*s));
        if (!*errors || !s) {
                free(s);
                return -2;
        }
        c->sub = s;
        buf_init(&code, 0);
        buf_init(&in, 0);
        buf_init(&expected, 0);
        buf_init(&zip, 0);
        if (!json_is_object(o)) {
                invalid(*errors, "source_code", "can't be blank");
                invalid(*errors, "language_id", "can't be blank");
                goto out;
        }
        /* Judge0's Multi-file program needs no source_code (the zip is the
         * program) */
        project = number_field(o, "language_id", &id) == 1 && id == floor(id) &&
                  (lang = lang_by_id((long long)id)) && lang->multi_file;
        lang = NULL;
        k = text_field(o, "source_code", b64, &code);
        if (k < 0)
                invalid(*errors, "source_code", "is invalid");
        else if ((k == 0 || blank(code.data, code.len)) && !project)
                invalid(*errors, "source_code", "can't be blank");
        k = number_field(o, "language_id", &id);
        if (k == 0) {
                invalid(*errors, "language_id", "can't be blank");
        } else if (k < 0 || id != floor(id) || !(lang = lang_by_id((long long)id))) {
                json_t *v = json_object_get(o, "language_id");
                char shown[64];

                if (json_is_string(v))
                        snprintf(shown, sizeof(shown), "%.40s", json_string_value(v));
                else
                        snprintf(shown, sizeof(shown), "%.0f", id);
                invalid(*errors, "language_id", "language with id %s doesn't exist", shown);
                lang = NULL;
        } else if (!lang->recipe->installed) {
                json_t *name = j0_lang_name(lang);
                invalid(*errors, "language_id",
                        "language %s is archived and cannot be used anymore",
                        json_string_value(name) ? json_string_value(name) : "");
                json_decref(name);
                lang = NULL;
        }
        if (text_field(o, "stdin", b64, &in) < 0)
                invalid(*errors, "stdin", "is invalid");
        k = text_field(o, "expected_output", b64, &expected);
        if (k < 0)
                invalid(*errors, "expected_output", "is invalid");
        s->has_expected = k == 1;
        s->number_of_runs = (long long)limit_field(o, *errors, "number_of_runs", 1, 20, true, NULL);
        s->cpu_time_limit = limit_field(o, *errors, "cpu_time_limit", 5, max_s, false, NULL);
        s->cpu_extra_time = limit_field(o, *errors, "cpu_extra_time", 1, max_s, false, NULL);
        s->wall_time_limit = limit_field(o, *errors, "wall_time_limit", 10, max_s, false, NULL);
        s->memory_limit =
            (long long)limit_field(o, *errors, "memory_limit", (double)(cfg->memory_mb << 10),
                                   (double)(cfg->memory_mb << 10), true, &s->limits_memory);
        s->stack_limit = (long long)limit_field(o, *errors, "stack_limit", 64000,
                                                (double)(cfg->memory_mb << 10), true, NULL);
        s->max_processes =
            (long long)limit_field(o, *errors, "max_processes_and_or_threads", cfg->processes,
                                   cfg->processes, true, &s->limits_procs);
        refuse_option(o, *errors, "enable_per_process_and_thread_time_limit",
                      "this option cannot be enabled");
        refuse_option(o, *errors, "enable_per_process_and_thread_memory_limit",
                      "this option cannot be enabled");
        s->max_file_size =
            (long long)limit_field(o, *errors, "max_file_size", (double)(cfg->file_mb << 10),
                                   (double)(cfg->file_mb << 10), true, &s->limits_fsize);
        refuse_option(o, *errors, "enable_network", "this option cannot be enabled");
        refuse_option(o, *errors, "callback_url", "is not supported by this server");
        k = text_field(o, "additional_files", true, &zip); /* base64 whatever the query says */
        if (k < 0)
                invalid(*errors, "additional_files", "is invalid");
        else if (project && (k == 0 || !zip.len))
                invalid(*errors, "additional_files", "can't be blank");
        s->compiler_options = dup_field(o, "compiler_options", *errors);
        s->command_line_arguments = dup_field(o, "command_line_arguments", *errors);
        if (req_bool(o, "redirect_stderr_to_stdout", &s->redirect_stderr) == REQ_WRONG_TYPE)
                invalid(*errors, "redirect_stderr_to_stdout", "is invalid");
        if (json_object_size(*errors) || !lang)
                goto out;

        s->lang = lang;
        s->expected = expected.data;
        s->expected_len = expected.len;
        buf_init(&expected, 0);
        s->additional_files = zip.data;
        s->additional_files_len = zip.len;
        buf_init(&zip, 0);
        c->job = job_new(lang->recipe, code.data ? code.data : "", code.len, in.data ? in.data : "",
                         in.len);
        if (!c->job)
                goto oom;
        if (s->command_line_arguments && !(c->job->args = split_args(s->command_line_arguments)))
                goto oom;
        /* Judge0 puts them into its compile_cmd; a language without one
         * ignores them */
        if (s->compiler_options && lang->recipe->nsteps > 1 && !lang->multi_file &&
            !(c->job->compile_args = split_args(s->compiler_options)))
                goto oom;
        if (s->number_of_runs > 1 && set_runs(c->job, &in, (size_t)s->number_of_runs) < 0)
                goto oom;
        c->job->stdins_stop_at_failure = true; /* Judge0 stops at a failing run */
        /* stdout is both streams, in the order they were written */
        c->job->merge_stderr = s->redirect_stderr;
        api_default_limits(c->job, lang->recipe);
        if (s->limits_memory)
                c->job->limits.memory_bytes = (uint64_t)s->memory_limit << 10;
        if (s->limits_procs)
                c->job->limits.processes = (uint32_t)s->max_processes;
        if (s->limits_fsize) {
                /* isolate gives the program's output the same bound */
                c->job->limits.file_bytes = (uint64_t)s->max_file_size << 10;
                c->job->output_limit = (size_t)s->max_file_size << 10;
        }
        /* what fields=* shows: the limits the run has */
        s->memory_limit = (long long)(c->job->limits.memory_bytes >> 10);
        s->max_processes = c->job->limits.processes;
        s->max_file_size = (long long)(c->job->limits.file_bytes >> 10);
        {
                size_t last = lang->recipe->nsteps - 1;
                double total = 2;

                c->job->recipe_step_timeout_s[last] = s->wall_time_limit;
                c->job->recipe_step_cpu_ms[last] =
                    (uint64_t)ceil((s->cpu_time_limit + s->cpu_extra_time) * 1000);
                for (size_t i = 0; i < last; i++)
                        total += lang->recipe->steps[i].timeout_s;
                /* each run has the wall limit, and a moment to start */
                c->job->deadline_s = total + (double)s->number_of_runs * s->wall_time_limit +
                                     0.5 * (double)(s->number_of_runs - 1);
        }
        c->job->reply_budget = 0;
        if (s->additional_files_len) {
                rc = unpack_files(s, c->job, *errors);
                if (rc == -2)
                        goto oom;
                if (rc < 0)
                        goto out;
        }
        gettimeofday(&s->created_at, NULL);
        if (j0_new_token(s->token) < 0)
                goto oom;
        json_decref(*errors);
        *errors = NULL;
        buf_free(&code);
        buf_free(&in);
        return 0;
oom:
        rc = -2;
        goto done;
out:
        rc = -1;
done:
        buf_free(&code);
        buf_free(&in);
        buf_free(&expected);
        buf_free(&zip);
        create_free(c);
        if (rc == -2) {
                json_decref(*errors);
                *errors = NULL;
        }
        return rc;
}

/* ---- running ---------------------------------------------------------------- */

/* A submission no request waits for: the job ends here. */
static void async_done(struct job *job, void *arg)
{
        api_count_job(job);
        j0_sub_finish(arg, job);
}

/* Submits c's job on its own and stores c's submission, which it returns
 * (c is emptied); NULL (c untouched) when the queue is full. */
static struct j0_sub *start_async(struct create *c)
{
        struct j0_sub *s = c->sub;

        c->job->on_done = async_done;
        c->job->on_done_arg = s;
        if (sched_submit(c->job) < 0)
                return NULL;
        s->job = c->job;
        j0_store_add(s);
        j0_store_trim(s);
        c->sub = NULL;
        c->job = NULL;
        return s;
}

struct waiting {
        struct j0_sub *sub;
        field_set fields;
        bool b64;
};

static void waiting_free(void *arg)
{
        struct waiting *w = arg;

        /* the client hung up, or the queue was full: nothing to keep */
        if (!w->sub->done)
                j0_store_drop(w->sub);
        free(w);
}

static void wait_done(struct evhttp_request *req, struct job *job, void *arg)
{
        struct waiting *w = arg;
        bool bad = false;
        json_t *o;

        j0_sub_finish(w->sub, job);
        o = j0_sub_json(w->sub, w->fields, w->b64, &bad);
        if (bad) {
                json_decref(o);
                o = json_pack("{s:s, s:s}", "token", w->sub->token, "error", NOT_UTF8_ONE);
        }
        reply_json(req, 201, o);
}

void route_judge0_create(struct evhttp_request *req)
{
        struct query q;
        size_t len;
        const char *body = http_body(req, &len);
        json_t *root, *errors = NULL;
        struct create c;
        struct j0_sub *s;
        field_set fields;
        bool b64, wait;
        int rc;

        query_open(req, &q);
        b64 = query_true(&q, "base64_encoded");
        wait = query_true(&q, "wait");
        rc = parse_fields(req, &q, &fields);
        query_close(&q);
        if (rc < 0)
                return;
        root = req_parse(body, len);
        if (!root) {
                reply_rails(req, 400);
                return;
        }
        rc = create_from_json(root, b64, &c, &errors);
        json_decref(root);
        if (rc == -2) {
                reply_error(req, 500, "out of memory");
                return;
        }
        if (rc < 0) {
                reply_json(req, 422, errors);
                return;
        }
        if (wait) {
                struct waiting *w = calloc(1, sizeof(*w));

                if (!w) {
                        create_free(&c);
                        reply_error(req, 500, "out of memory");
                        return;
                }
                w->sub = c.sub;
                w->fields = fields;
                w->b64 = b64;
                c.sub->job = c.job;
                j0_store_add(c.sub);
                j0_store_trim(NULL);
                api_run_job(req, c.job, wait_done, w, waiting_free, "{\"error\":\"queue is full\"}",
                            JSON_TYPE);
                return;
        }
        s = start_async(&c);
        if (!s) {
                create_free(&c);
                reply_error(req, 503, "queue is full");
                return;
        }
        reply_json(req, 201, json_pack("{s:s}", "token", s->token));
}

/* ---- reading submissions ---------------------------------------------------- */

static void batch_show(struct evhttp_request *req, struct query *q, field_set fields, bool b64)
{
        const char *v = query_get(q, "tokens");
        char **tokens = strv_split(v ? v : "", ',');
        json_t *list = json_array();
        size_t n = 0;
        bool bad = false;

        for (size_t i = 0; tokens && tokens[i]; i++)
                n += tokens[i][0] != '\0';
        if (!tokens || !list) {
                reply_error(req, 500, "out of memory");
        } else if (n > BATCH_MAX) {
                reply_error(req, 400,
                            "number of submissions in a batch should be less than or equal to 20");
        } else if (n == 0) {
                reply_error(req, 400, "there should be at least one submission in a batch");
        } else {
                for (size_t i = 0; tokens[i]; i++) {
                        struct j0_sub *s;

                        if (!tokens[i][0])
                                continue;
                        s = j0_store_find(tokens[i]);
                        json_array_append_new(list,
                                              s ? j0_sub_json(s, fields, b64, &bad) : json_null());
                }
                if (bad)
                        reply_error(req, 400, NOT_UTF8_MANY);
                else
                        reply_json(req, 200, json_pack("{s:O}", "submissions", list));
        }
        json_decref(list);
        strv_free(tokens);
}

/* GET /submissions/TOKEN and GET /submissions/batch?tokens=... */
void route_judge0_show(struct evhttp_request *req)
{
        const char *uri = evhttp_request_get_uri(req);
        const char *name = uri + strlen("/submissions/");
        size_t nlen = strcspn(name, "?#");
        char token[64];
        struct query q;
        field_set fields;
        bool b64, bad = false;
        struct j0_sub *s;
        json_t *o;

        query_open(req, &q);
        b64 = query_true(&q, "base64_encoded");
        if (parse_fields(req, &q, &fields) < 0) {
                query_close(&q);
                return;
        }
        if (nlen == 5 && strncmp(name, "batch", 5) == 0) {
                batch_show(req, &q, fields, b64);
                query_close(&q);
                return;
        }
        query_close(&q);
        s = NULL;
        if (nlen < sizeof(token)) {
                memcpy(token, name, nlen);
                token[nlen] = '\0';
                s = j0_store_find(token);
        }
        if (!s) {
                reply_rails(req, 404);
                return;
        }
        o = j0_sub_json(s, fields, b64, &bad);
        if (bad) {
                json_decref(o);
                reply_error(req, 400, NOT_UTF8_ONE);
                return;
        }
        reply_json(req, 200, o);
}

/* POST /submissions/batch: {"submissions": [...]}, each created without
 * waiting; its token or its 422 hash, in order. */
void route_judge0_batch_create(struct evhttp_request *req)
{
        size_t len, n, i;
        const char *body = http_body(req, &len);
        json_t *root, *list, *item, *out;
        struct query q;
        bool b64, any = false;

        query_open(req, &q);
        b64 = query_true(&q, "base64_encoded");
        query_close(&q);
        root = req_parse(body, len);
        if (!root) {
                reply_rails(req, 400);
                return;
        }
        list = json_object_get(root, "submissions");
        n = json_is_array(list) ? json_array_size(list) : 0;
        if (n > BATCH_MAX) {
                reply_error(req, 400,
                            "number of submissions in a batch should be less than or equal to 20");
                json_decref(root);
                return;
        }
        if (n == 0) {
                reply_error(req, 400, "there should be at least one submission in a batch");
                json_decref(root);
                return;
        }
        if (sched_queued() + n > sched_max_queue() + sched_max_running() - sched_running()) {
                reply_error(req, 503, "queue is full");
                json_decref(root);
                return;
        }
        out = json_array();
        json_array_foreach(list, i, item)
        {
                struct create c;
                json_t *errors = NULL;
                int rc = create_from_json(item, b64, &c, &errors);

                struct j0_sub *s = rc == 0 ? start_async(&c) : NULL;

                if (s) {
                        json_array_append_new(out, json_pack("{s:s}", "token", s->token));
                        any = true;
                } else if (rc == -1) {
                        json_array_append_new(out, errors);
                } else {
                        create_free(&c);
                        json_array_append_new(
                            out, json_pack("{s:s}", "error",
                                           rc == 0 ? "queue is full" : "out of memory"));
                }
        }
        json_decref(root);
        reply_json(req, any ? 201 : 422, out);
}

/* ---- languages, statuses, about ---------------------------------------------- */

static json_t *lang_list(bool all)
{
        json_t *list = json_array();

        if (!langs_loaded)
                langs_load();
        for (size_t i = 0; i < nlangs; i++) {
                const struct j0_lang *l = &langs[i];
                json_t *o;

                if (!l->recipe || (!all && !l->recipe->installed))
                        continue;
                o = json_pack("{s:I, s:o}", "id", (json_int_t)l->id, "name", j0_lang_name(l));
                if (all)
                        json_object_set_new(o, "is_archived", json_boolean(!l->recipe->installed));
                json_array_append_new(list, o);
        }
        return list;
}

void route_judge0_languages(struct evhttp_request *req)
{
        reply_json(req, 200, lang_list(false));
}

/* A step's argv as one command line, placeholders filled in. */
static json_t *command_json(const struct recipe *r, size_t step)
{
        struct buf b;
        json_t *s;

        buf_init(&b, 0);
        for (char **a = r->steps[step].argv; a && *a; a++) {
                char *x = recipe_expand(*a, r->source_file);

                buf_appendf(&b, "%s%s", a == r->steps[step].argv ? "" : " ", x ? x : "");
                free(x);
        }
        s = json_stringn(b.data ? b.data : "", b.len);
        buf_free(&b);
        return s;
}

/* GET /languages/ID and GET /languages/all. */
void route_judge0_language(struct evhttp_request *req)
{
        const char *uri = evhttp_request_get_uri(req);
        const char *rest = uri + strlen("/languages/");
        size_t n = strcspn(rest, "?#");
        const struct j0_lang *l = NULL;
        char *end;
        long long id;

        if (n == 3 && strncmp(rest, "all", 3) == 0) {
                reply_json(req, 200, lang_list(true));
                return;
        }
        errno = 0;
        id = strtoll(rest, &end, 10);
        if (n && end == rest + n && !errno)
                l = lang_by_id(id);
        if (!l) {
                reply_rails(req, 404);
                return;
        }
        reply_json(req, 200,
                   json_pack("{s:I, s:o, s:b, s:s, s:o, s:o}", "id", (json_int_t)l->id, "name",
                             j0_lang_name(l), "is_archived", !l->recipe->installed, "source_file",
                             l->recipe->source_file, "compile_cmd",
                             l->recipe->nsteps > 1 ? command_json(l->recipe, 0) : json_null(),
                             "run_cmd", command_json(l->recipe, l->recipe->nsteps - 1)));
}

void route_judge0_statuses(struct evhttp_request *req)
{
        json_t *list = json_array();

        for (int i = 1; i <= ST_COUNT; i++)
                json_array_append_new(
                    list, json_pack("{s:i, s:s}", "id", i, "description", j0_status_names[i]));
        reply_json(req, 200, list);
}

void route_judge0_about(struct evhttp_request *req)
{
        reply_json(req, 200,
                   json_pack("{s:s, s:s, s:s, s:s}", "version", "1.13.1", "homepage",
                             "https://judge0.com", "source_code",
                             "https://github.com/judge0/judge0", "maintainer",
                             "codeexec (a Judge0 CE 1.13.1-compatible API; docs/compat.md)"));
}

/* GET /config_info: Judge0's configuration keys (judge0-python reads them
 * all when a client is made), with this server's values. */
void route_judge0_config_info(struct evhttp_request *req)
{
        const struct api_config *cfg = api_config();
        double max_s = cfg->max_timeout_s;
        json_int_t mem_kb = (json_int_t)cfg->memory_mb * 1024;
        json_int_t file_kb = (json_int_t)cfg->file_mb * 1024;
        json_t *o = json_object();
        const struct {
                const char *name;
                json_t *value;
        } keys[] = {
            {"maintenance_mode", json_false()},
            {"enable_wait_result", json_true()},
            {"enable_compiler_options", json_true()},
            {"allowed_languages_for_compile_options", json_array()},
            {"enable_command_line_arguments", json_true()},
            {"enable_submission_delete", json_false()},
            {"enable_callbacks", json_false()},
            {"callbacks_max_tries", json_integer(0)},
            {"callbacks_timeout", json_real(0)},
            {"enable_additional_files", json_true()},
            {"max_queue_size", json_integer((json_int_t)sched_max_queue())},
            {"cpu_time_limit", json_real(5)},
            {"max_cpu_time_limit", json_real(max_s)},
            {"cpu_extra_time", json_real(1)},
            {"max_cpu_extra_time", json_real(max_s)},
            {"wall_time_limit", json_real(10)},
            {"max_wall_time_limit", json_real(max_s)},
            {"memory_limit", json_integer(mem_kb)},
            {"max_memory_limit", json_integer(mem_kb)},
            {"stack_limit", json_integer(64000)},
            {"max_stack_limit", json_integer(mem_kb)},
            {"max_processes_and_or_threads", json_integer(cfg->processes)},
            {"max_max_processes_and_or_threads", json_integer(cfg->processes)},
            {"enable_per_process_and_thread_time_limit", json_false()},
            {"allow_enable_per_process_and_thread_time_limit", json_false()},
            {"enable_per_process_and_thread_memory_limit", json_false()},
            {"allow_enable_per_process_and_thread_memory_limit", json_false()},
            {"max_file_size", json_integer(file_kb)},
            {"max_max_file_size", json_integer(file_kb)},
            {"number_of_runs", json_integer(1)},
            {"max_number_of_runs", json_integer(20)},
            {"redirect_stderr_to_stdout", json_false()},
            {"max_extract_size", json_integer((json_int_t)cfg->tmpfs_mb * 1024)},
            {"enable_batched_submissions", json_true()},
            {"max_submission_batch_size", json_integer(BATCH_MAX)},
            {"submission_cache_duration", json_real(0)},
            {"use_docs_as_homepage", json_false()},
            {"allow_enable_network", json_false()},
            {"enable_network", json_false()},
        };

        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                if (o)
                        json_object_set_new(o, keys[i].name, keys[i].value);
                else
                        json_decref(keys[i].value);
        reply_json(req, 200, o);
}
