/* piston: the Piston v2 dialect — POST /api/v2/execute and GET
 * /api/v2/runtimes, shaped as engineer-man/piston 3.1.1 answers them
 * (docs/compat.md, "Piston v2").
 *
 * Theory of operation. Languages are data: languages/peers/piston.json
 * (lang/peers.h) names, for each of our recipes that Piston has a package
 * for, Piston's language name and aliases, the version to show until the
 * toolchain's own has been probed, "runtime" where Piston lists one, and
 * "recipe" where Piston runs the toolchain differently from our recipe of
 * it: an internal recipe (languages/internal/), loaded by piston_init.
 * A request is checked in Piston's order, with Piston's messages (400
 * {"message": ...}), and becomes an ordinary job: the first utf8 file is
 * the program, the other files are written beside it; stdin gets Piston's
 * trailing newline; run_timeout and compile_timeout are the wall-time
 * limits of the recipe's last step and of the steps before it. It runs
 * through api_run_job. Two job options give Piston's output rules:
 * stop_on_overflow (a chunk that does not fit within its stream's cap,
 * --piston-output-max, is dropped and the box killed: status OL or EL) and
 * record_order (the arrival order of the two streams, from which "output"
 * interleaves them). The steps' results become Piston's stage objects: the
 * steps before the last are the "compile" stage, the last is "run"; a
 * failed compile stage is "run" too, as Piston answers its old clients.
 * Every path under /api/v2/ comes here (one prefix route per method), so
 * that an unknown one gets Piston's 404 body, not the transport's. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <event2/http.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../exec/job.h"
#include "../http/http.h"
#include "../lang/peers.h"
#include "../util/base64.h"
#include "../util/buf.h"
#include "../util/jsonfast.h"
#include "common.h"
#include "piston.h"
#include "reply.h"
#include "routes.h"

#define JSON_TYPE "application/json; charset=utf-8"
#define PREFIX "/api/v2/"
/* Piston's output_max_size default: bytes kept per stream and stage (the
 * server's is --piston-output-max). */
#define DEFAULT_OUTPUT_MAX 1024
/* Piston's defaults, in ms, for limits a request leaves out (or sets to 0). */
#define RUN_TIMEOUT_MS 3000
#define COMPILE_TIMEOUT_MS 10000
#define MAX_FILES 64
#define MIN_MEMORY (1u << 20)

static void reply_json(struct evhttp_request *req, int code, json_t *o)
{
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

        if (s)
                http_reply(req, code, JSON_TYPE, s, strlen(s));
        else
                http_reply(req, 500, JSON_TYPE, "", 0);
        free(s);
        json_decref(o);
}

/* Piston's error body: {"message": msg}. */
static void reply_message(struct evhttp_request *req, int code, const char *msg)
{
        reply_json(req, code, json_pack("{s:s}", "message", msg));
}

/* ---- the language table ------------------------------------------------- */

/* See piston.h. */
char *piston_semver_of(const char *line)
{
        const char *p = line;
        struct buf out;
        int parts = 0;

        for (; *p; p++) {
                size_t n = strspn(p, "0123456789");
                if (n && p[n] == '.' && isdigit((unsigned char)p[n + 1]))
                        break;
                if (n)
                        p += n - 1;
        }
        if (!*p)
                return NULL;
        buf_init(&out, 0);
        while (parts < 3 && isdigit((unsigned char)*p)) {
                size_t n = strspn(p, "0123456789");
                if ((parts && buf_append(&out, ".", 1) < 0) || buf_append(&out, p, n) < 0) {
                        buf_free(&out);
                        return NULL;
                }
                parts++;
                p += n;
                if (*p != '.')
                        break;
                p++;
        }
        while (parts++ < 3)
                if (buf_append(&out, ".0", 2) < 0) {
                        buf_free(&out);
                        return NULL;
                }
        if (buf_append(&out, "", 1) < 0) {
                buf_free(&out);
                return NULL;
        }
        return out.data;
}

/* own[i]: the internal recipe entry i runs with ("recipe"), or NULL. */
static struct recipe **own;
static size_t nown;

int piston_init(const char *languages_dir, struct err *e)
{
        own = api_internal_recipes("piston", languages_dir, &nown, e);
        return own ? 0 : -1;
}

/* One installed language of the table. */
struct runtime {
        const struct recipe *recipe; /* what the job runs */
        json_t *entry;               /* borrowed from the peers table */
        const char *name;            /* Piston's language name */
        char version[128];           /* what we report */
        char fallback[64];           /* the table's version, also accepted */
};

static bool runtime_at(size_t i, struct runtime *rt)
{
        json_t *table = peers_table("piston"), *e = json_array_get(table, i);
        const char *key = json_string_value(json_object_get(e, "language"));
        const char *name = json_string_value(json_object_get(e, "name"));
        const char *fallback = json_string_value(json_object_get(e, "version"));
        const struct recipe *toolchain;
        char *probed;

        if (!e || !key || !name)
                return false;
        /* the version and "installed" are the toolchain's, the recipe's key */
        toolchain = recipes_find(key);
        if (!toolchain || !toolchain->installed)
                return false;
        rt->recipe = i < nown && own[i] ? own[i] : toolchain;
        rt->entry = e;
        rt->name = name;
        snprintf(rt->fallback, sizeof(rt->fallback), "%s", fallback ? fallback : "0.0.0");
        probed = toolchain->version ? piston_semver_of(toolchain->version) : NULL;
        snprintf(rt->version, sizeof(rt->version), "%s", probed ? probed : rt->fallback);
        free(probed);
        return rt->recipe->installed;
}

/* One number of a version selector against one of a version: "x", "X"
 * and "*" match anything. */
static bool part_matches(const char *sel, size_t slen, const char *ver, size_t vlen)
{
        if (slen == 1 && strchr("xX*", sel[0]))
                return true;
        return slen == vlen && memcmp(sel, ver, slen) == 0;
}

/* See piston.h. Piston matches SemVer ranges; these are the forms its
 * clients send. Numbers the selector leaves out match anything. */
bool piston_version_matches(const char *sel, const char *version)
{
        if (*sel == '=')
                sel++;
        if (*sel == 'v')
                sel++;
        if (!*sel)
                return false;
        for (int part = 0; part < 3 && *sel; part++) {
                size_t slen = strcspn(sel, "."), vlen = strcspn(version, ".");

                if (slen == 0 || !part_matches(sel, slen, version, vlen))
                        return false;
                sel += slen;
                version += vlen;
                if (*sel == '.' && !*++sel)
                        return false; /* a trailing dot */
                if (*version == '.')
                        version++;
        }
        return *sel == '\0';
}

static bool runtime_named(const struct runtime *rt, const char *language)
{
        json_t *aliases = json_object_get(rt->entry, "aliases"), *a;
        size_t i;

        if (strcmp(rt->name, language) == 0)
                return true;
        json_array_foreach(aliases, i, a)
        {
                if (json_is_string(a) && strcmp(json_string_value(a), language) == 0)
                        return true;
        }
        return false;
}

/* The installed runtime that language (name or alias) and version select. */
static bool runtime_find(const char *language, const char *version, struct runtime *out)
{
        size_t n = json_array_size(peers_table("piston"));

        for (size_t i = 0; i < n; i++) {
                struct runtime rt;

                if (!runtime_at(i, &rt) || !runtime_named(&rt, language))
                        continue;
                if (piston_version_matches(version, rt.version) ||
                    piston_version_matches(version, rt.fallback)) {
                        *out = rt;
                        return true;
                }
        }
        return false;
}

/* GET /api/v2/runtimes */
static void piston_runtimes(struct evhttp_request *req)
{
        json_t *list = json_array();
        size_t n = json_array_size(peers_table("piston"));

        for (size_t i = 0; list && i < n; i++) {
                struct runtime rt;
                json_t *aliases, *o, *runtime;

                if (!runtime_at(i, &rt))
                        continue;
                aliases = json_object_get(rt.entry, "aliases");
                aliases = json_is_array(aliases) ? json_incref(aliases) : json_array();
                o = json_pack("{s:s, s:s, s:o}", "language", rt.name, "version", rt.version,
                              "aliases", aliases);
                runtime = json_object_get(rt.entry, "runtime");
                if (o && json_is_string(runtime))
                        json_object_set(o, "runtime", runtime);
                if (!o || json_array_append_new(list, o) < 0) {
                        json_decref(list);
                        list = NULL;
                }
        }
        reply_json(req, 200, list);
}

/* ---- the request --------------------------------------------------------- */

struct piston_error {
        int status;
        char message[256];
};

static int fail(struct piston_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct piston_error *err, int status, const char *fmt, ...)
{
        va_list ap;

        err->status = status;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        return -1;
}

/* JavaScript's truthiness, which decides whether Piston looks at a limit. */
static bool js_truthy(json_t *v)
{
        if (!v || json_is_null(v) || json_is_false(v))
                return false;
        if (json_is_number(v))
                return json_number_value(v) != 0;
        if (json_is_string(v))
                return json_string_length(v) > 0;
        return true;
}

/* The request's limits, in Piston's units (ms, bytes); 0 = the default. */
struct piston_limits {
        double timeout[2], cpu_time[2], memory[2]; /* [0] compile, [1] run */
};

/* Piston checks memory_limit, timeout, cpu_time, each for compile then run:
 * a value that is absent or falsy takes the default; one that is not a
 * number, or above the configured limit, or negative, is a 400. Our
 * configured limits are the server's maxima. A negative memory limit is
 * what Piston's clients send for "no limit" (-1): the server's default. */
static int parse_limits(json_t *body, struct piston_limits *l, struct piston_error *err)
{
        const struct api_config *cfg = api_config();
        static const char *const types[2] = {"compile", "run"};
        static const char *const kinds[3] = {"memory_limit", "timeout", "cpu_time"};
        double maxima[3] = {(double)(cfg->memory_mb << 20), (double)cfg->max_timeout_s * 1000,
                            (double)cfg->max_timeout_s * 1000};
        double *slots[3] = {l->memory, l->timeout, l->cpu_time};

        memset(l, 0, sizeof(*l));
        for (int k = 0; k < 3; k++)
                for (int t = 0; t < 2; t++) {
                        char name[32];
                        json_t *v;
                        double x;

                        snprintf(name, sizeof(name), "%s_%s", types[t], kinds[k]);
                        v = json_object_get(body, name);
                        if (!js_truthy(v))
                                continue;
                        if (!json_is_number(v))
                                return fail(err, 400, "If specified, %s must be a number", name);
                        x = json_number_value(v);
                        if (x > maxima[k])
                                return fail(err, 400,
                                            "%s cannot exceed the configured limit of %.0f", name,
                                            maxima[k]);
                        if (x < 0 && k != 0)
                                return fail(err, 400, "%s must be non-negative", name);
                        slots[k][t] = x > 0 ? x : 0;
                }
        return 0;
}

static int hex_value(char c)
{
        return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

/* Appends the bytes of Node's Buffer.from(s, "hex"): pairs of hex digits,
 * up to the first pair that is not one. */
static int hex_decode(struct buf *out, const char *s, size_t len)
{
        for (size_t i = 0; i + 1 < len; i += 2) {
                char c;

                if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]))
                        break;
                c = (char)(hex_value(s[i]) << 4 | hex_value(s[i + 1]));
                if (buf_append(out, &c, 1) < 0)
                        return -1;
        }
        return 0;
}

/* A file name we can write: Piston's names may hold directories; our box
 * takes plain names (docs/compat.md). Nor may a file take a name the box
 * itself uses in /tmp for recipe r: the overlays' work area (.overlay) and
 * the first component of an overlay's target (Go's .cache). */
static bool writable_name(const struct recipe *r, const char *n)
{
        size_t len = strlen(n);

        return n[0] && len < 256 && !strchr(n, '/') && strcmp(n, ".") != 0 &&
               strcmp(n, "..") != 0 && !api_reserved_in_tmp(r, n);
}

/* Adds files (all but the program, files[main]) to job. */
static int add_files(struct job *job, json_t *files, size_t main, struct piston_error *err)
{
        const struct recipe *r = job->recipe;
        json_t *f;
        size_t i;

        json_array_foreach(files, i, f)
        {
                const char *enc = json_string_value(json_object_get(f, "encoding"));
                const char *name = json_string_value(json_object_get(f, "name"));
                json_t *content = json_object_get(f, "content");
                char fallback[32];
                struct buf data;
                int rc;

                if (i == main)
                        continue;
                if (!name || !name[0]) {
                        snprintf(fallback, sizeof(fallback), "file%zu.code", i);
                        name = fallback;
                }
                if (!writable_name(r, name))
                        return fail(err, 400, "files[%zu].name must be a plain file name", i);
                if (strcmp(name, r->source_file) == 0)
                        return fail(err, 400,
                                    "files[%zu].name: %s is where this runtime's program goes", i,
                                    r->source_file);
                for (size_t j = 0; j < job->nextra_files; j++)
                        if (strcmp(job->extra_files[j].name, name) == 0)
                                return fail(err, 400, "files[%zu].name: two files are named %.64s",
                                            i, name);
                buf_init(&data, 0);
                if (enc && strcmp(enc, "base64") == 0) {
                        if (base64_decode(&data, json_string_value(content),
                                          json_string_length(content)) < 0) {
                                buf_free(&data);
                                return fail(err, 400, "files[%zu].content is not valid base64", i);
                        }
                        rc = 0;
                } else if (enc && strcmp(enc, "hex") == 0) {
                        rc = hex_decode(&data, json_string_value(content),
                                        json_string_length(content));
                } else {
                        rc = buf_append(&data, json_string_value(content),
                                        json_string_length(content));
                }
                if (rc < 0 || job_add_file(job, name, data.data ? data.data : "", data.len) < 0) {
                        buf_free(&data);
                        return fail(err, 500, "out of memory");
                }
                buf_free(&data);
        }
        return 0;
}

static bool is_utf8_file(json_t *f)
{
        const char *enc = json_string_value(json_object_get(f, "encoding"));

        /* Piston reads an unknown encoding as utf8 */
        return !enc || (strcmp(enc, "base64") != 0 && strcmp(enc, "hex") != 0);
}

static int set_args(struct job *job, json_t *args, struct piston_error *err)
{
        json_t *a;
        size_t i, total = 0;

        if (!args || json_is_null(args))
                return 0;
        if (!json_is_array(args) || json_array_size(args) > 256)
                return fail(err, 400, "args must be an array of at most 256 strings");
        job->args = calloc(json_array_size(args) + 1, sizeof(char *));
        if (!job->args)
                return fail(err, 500, "out of memory");
        json_array_foreach(args, i, a)
        {
                if (!json_is_string(a) || strlen(json_string_value(a)) != json_string_length(a))
                        return fail(err, 400, "args[%zu] must be a string without NUL", i);
                total += json_string_length(a) + 1;
                if (json_string_length(a) >= 128 * 1024 || total > 1024 * 1024)
                        return fail(err, 400, "args: each at most 128 KiB, 1 MiB in all");
                job->args[i] = strdup(json_string_value(a));
                if (!job->args[i])
                        return fail(err, 500, "out of memory");
        }
        return 0;
}

/* Piston's output_max_size: --piston-output-max, within --output-limit. */
static size_t output_max(void)
{
        const struct api_config *cfg = api_config();
        size_t max = cfg->piston_output_max ? cfg->piston_output_max : DEFAULT_OUTPUT_MAX;

        return cfg->output_limit_bytes && cfg->output_limit_bytes < max ? cfg->output_limit_bytes
                                                                        : max;
}

/* Limits and Piston's output rules on a new job. */
static void apply_limits(struct job *job, const struct piston_limits *l)
{
        size_t last = job->recipe->nsteps - 1;
        double deadline = 2;
        double mem = l->memory[0] > l->memory[1] ? l->memory[0] : l->memory[1];

        api_default_limits(job, job->recipe);
        for (size_t i = 0; i <= last; i++) {
                int t = i == last ? 1 : 0;
                double ms =
                    l->timeout[t] > 0 ? l->timeout[t] : (t ? RUN_TIMEOUT_MS : COMPILE_TIMEOUT_MS);

                job->recipe_step_timeout_s[i] = api_clamp_timeout(ms / 1000.0);
                job->recipe_step_cpu_ms[i] = (uint64_t)l->cpu_time[t];
                deadline += job->recipe_step_timeout_s[i];
        }
        job->deadline_s = api_clamp_timeout(deadline);
        /* memory is the box's, both stages': the larger request applies; at
         * least MIN_MEMORY, without which the box itself could not start
         * (a failure that would be the sandbox's, not the program's) */
        if (mem > 0)
                job->limits.memory_bytes = mem > MIN_MEMORY ? (uint64_t)mem : MIN_MEMORY;
        job->output_limit = output_max();
        job->stop_on_overflow = true;
        job->record_order = true;
        /* "output" repeats stdout and stderr: they get half the reply */
        job->reply_budget = api_reply_budget(8192) / 2;
        job->reply_cost = JCOST_JSON;
}

static struct job *job_from_request(json_t *body, struct runtime *rt, struct piston_error *err)
{
        json_t *language = json_object_get(body, "language");
        json_t *version = json_object_get(body, "version");
        json_t *files = json_object_get(body, "files"), *f, *stdin_v, *main_file = NULL;
        struct piston_limits limits;
        struct buf in;
        struct job *job;
        size_t i, main = 0;

        if (!js_truthy(language) || !json_is_string(language)) {
                fail(err, 400, "language is required as a string");
                return NULL;
        }
        if (!js_truthy(version) || !json_is_string(version)) {
                fail(err, 400, "version is required as a string");
                return NULL;
        }
        if (!json_is_array(files)) {
                fail(err, 400, "files is required as an array");
                return NULL;
        }
        json_array_foreach(files, i, f)
        {
                if (!json_is_string(json_object_get(f, "content"))) {
                        fail(err, 400, "files[%zu].content is required as a string", i);
                        return NULL;
                }
        }
        if (!runtime_find(json_string_value(language), json_string_value(version), rt)) {
                fail(err, 400, "%.100s-%.100s runtime is unknown", json_string_value(language),
                     json_string_value(version));
                return NULL;
        }
        json_array_foreach(files, i, f)
        {
                if (is_utf8_file(f)) {
                        main_file = f;
                        main = i;
                        break;
                }
        }
        if (!main_file) {
                fail(err, 400, "files must include at least one utf8 encoded file");
                return NULL;
        }
        if (json_array_size(files) > MAX_FILES) {
                fail(err, 400, "files may hold at most %d files", MAX_FILES);
                return NULL;
        }
        if (parse_limits(body, &limits, err) < 0)
                return NULL;
        stdin_v = json_object_get(body, "stdin");
        if (stdin_v && !json_is_null(stdin_v) && !json_is_string(stdin_v)) {
                fail(err, 400, "stdin must be a string");
                return NULL;
        }
        /* Piston ends stdin with a newline when it has none */
        buf_init(&in, 0);
        if ((json_is_string(stdin_v) &&
             buf_append(&in, json_string_value(stdin_v), json_string_length(stdin_v)) < 0) ||
            ((in.len == 0 || in.data[in.len - 1] != '\n') && buf_append(&in, "\n", 1) < 0)) {
                buf_free(&in);
                fail(err, 500, "out of memory");
                return NULL;
        }
        f = json_object_get(main_file, "content");
        job = job_new(rt->recipe, json_string_value(f), json_string_length(f), in.data, in.len);
        buf_free(&in);
        if (!job) {
                fail(err, 500, "out of memory");
                return NULL;
        }
        if (add_files(job, files, main, err) < 0 ||
            set_args(job, json_object_get(body, "args"), err) < 0) {
                job_free(job);
                return NULL;
        }
        apply_limits(job, &limits);
        return job;
}

/* ---- the reply -----------------------------------------------------------
 *
 * Written as pieces (api/reply.h): program output is encoded only while the
 * reply is sent, straight from the job's buffers, so a server whose
 * --piston-output-max is large never holds a reply whole. */

static const char *signal_name(int sig, char *buf, size_t len)
{
        const char *abbrev = sigabbrev_np(sig);

        if (abbrev)
                snprintf(buf, len, "SIG%s", abbrev);
        else
                snprintf(buf, len, "SIG%d", sig);
        return buf;
}

/* A JSON string or null. */
static void write_str_or_null(struct reply *r, const char *s)
{
        if (s)
                reply_json_str(r, s);
        else
                reply_lit(r, "null");
}

/* "output": the kept pieces of both streams, in the order they arrived;
 * each piece is repaired on its own, as Piston decodes each chunk. */
static int reply_piece(void *r, const char *data, size_t len)
{
        reply_text(r, JCOST_JSON, data, len);
        return 0;
}

static void write_interleaved(struct reply *r, const struct step_result *st)
{
        (void)job_each_piece(st, reply_piece, r);
}

/* Piston's stage object for job step i. */
static void write_stage(struct reply *r, const struct job *job, size_t i)
{
        const struct step_result *st = &job->steps[i];
        const char *status = NULL, *signame = NULL;
        char message[64] = "", sigbuf[32];

        if (st->overflow) {
                status = st->overflow == 1 ? "OL" : "EL";
                snprintf(message, sizeof(message), "%s length exceeded",
                         st->overflow == 1 ? "stdout" : "stderr");
        } else if (st->timed_out) {
                status = "TO";
                snprintf(message, sizeof(message), "Time limit exceeded (wall clock)");
        } else if (st->term_signal == SIGXCPU) {
                status = "TO";
                snprintf(message, sizeof(message), "Time limit exceeded");
        } else if (st->term_signal) {
                status = "SG";
                signame = signal_name(st->term_signal, sigbuf, sizeof(sigbuf));
                snprintf(message, sizeof(message), "Caught fatal signal %d", st->term_signal);
        } else if (st->exit_code != 0) {
                status = "RE";
                snprintf(message, sizeof(message), "Exited with error status %d", st->exit_code);
        }
        /* Piston reports SIGKILL for what it stopped itself */
        if (status && (strcmp(status, "TO") == 0 || status[1] == 'L'))
                signame = "SIGKILL";
        reply_lit(r, "{\"stdout\":\"");
        reply_text(r, JCOST_JSON, st->out.data, st->out.len);
        reply_lit(r, "\",\"stderr\":\"");
        reply_text(r, JCOST_JSON, st->err.data, st->err.len);
        if (!status || strcmp(status, "RE") == 0)
                reply_litf(r, "\",\"code\":%d,\"signal\":", st->exit_code);
        else
                reply_lit(r, "\",\"code\":null,\"signal\":");
        write_str_or_null(r, signame);
        reply_lit(r, ",\"output\":\"");
        write_interleaved(r, st);
        reply_litf(
            r, "\",\"memory\":%llu,\"message\":", (unsigned long long)job->usage.memory_peak_bytes);
        write_str_or_null(r, status ? message : NULL);
        reply_lit(r, ",\"status\":");
        write_str_or_null(r, status);
        reply_litf(r, ",\"cpu_time\":%llu,\"wall_time\":%llu}",
                   (unsigned long long)(st->cpu_us / 1000),
                   (unsigned long long)(st->wall_us / 1000));
}

/* A stage failed unless it ran, was not stopped, and exited 0. */
static bool stage_failed(const struct step_result *st)
{
        return !st->ran || st->overflow || st->timed_out || st->term_signal || st->exit_code != 0;
}

struct reply_arg {
        char name[64], version[128];
};

static void execute_done(struct evhttp_request *req, struct job *job, void *arg)
{
        const struct reply_arg *a = arg;
        size_t last = job->recipe->nsteps - 1, compile = 0;
        bool has_compile = last > 0, compile_failed = false;
        struct http_body body;
        struct reply *r = reply_new(job); /* owns job from here */

        if (!r) {
                reply_message(req, 500, "out of memory");
                return;
        }
        reply_lit(r, "{\"language\":");
        reply_json_str(r, a->name);
        reply_lit(r, ",\"version\":");
        reply_json_str(r, a->version);
        reply_lit(r, ",\"run\":");
        if (job->outcome == JOB_SANDBOX_ERROR) {
                /* isolate's "XX": the box broke, not the program */
                reply_lit(r, "{\"stdout\":\"\",\"stderr\":\"\",\"code\":null,\"signal\":null,"
                             "\"output\":\"\",\"memory\":null,\"message\":");
                reply_json_str(r, job->error);
                reply_lit(r, ",\"status\":\"XX\",\"cpu_time\":0,\"wall_time\":0}}");
        } else {
                /* the compile stage: the steps before the last, shown by the
                 * first that failed, else by the last of them; a failed one
                 * is the run stage too */
                if (has_compile) {
                        compile = last - 1;
                        for (size_t i = 0; i < last; i++)
                                if (stage_failed(&job->steps[i])) {
                                        compile = i;
                                        break;
                                }
                        compile_failed = stage_failed(&job->steps[compile]);
                }
                write_stage(r, job, compile_failed ? compile : last);
                if (has_compile) {
                        reply_lit(r, ",\"compile\":");
                        write_stage(r, job, compile);
                }
                reply_lit(r, "}");
        }
        if (reply_failed(r)) {
                reply_free(r);
                reply_message(req, 500, "out of memory");
                return;
        }
        reply_body(r, &body);
        http_reply_body(req, 200, JSON_TYPE, true, &body);
}

static json_t *parse_body(const char *body, size_t len, struct piston_error *err)
{
        json_error_t jerr;
        json_t *root;
        size_t sp = 0;

        while (sp < len && strchr(" \t\r\n", body[sp]))
                sp++;
        if (sp == len) /* express leaves req.body {} for an empty body */
                return json_object();
        root = jsonfast_loadb(body, len, JSON_ALLOW_NUL, &jerr);
        if (!root) {
                fail(err, 400, "SyntaxError: %s (line %d, column %d)", jerr.text, jerr.line,
                     jerr.column);
                return NULL;
        }
        if (!json_is_object(root) && !json_is_array(root)) {
                /* body-parser's strict mode takes objects and arrays only */
                json_decref(root);
                fail(err, 400, "SyntaxError: the body is neither a JSON object nor an array");
                return NULL;
        }
        return root;
}

/* POST /api/v2/execute. Any Content-Type: the npm piston-client sends none
 * (Piston itself would answer 415; docs/compat.md). */
static void piston_execute(struct evhttp_request *req)
{
        size_t len;
        const char *body = http_body(req, &len);
        struct piston_error err = {400, ""};
        json_t *root = parse_body(body, len, &err);
        struct reply_arg *arg;
        struct runtime rt;
        struct job *job;

        if (!root) {
                /* express's error handler: the stack, and no message */
                reply_json(req, 400, json_pack("{s:s}", "stack", err.message));
                return;
        }
        job = json_is_object(root) ? job_from_request(root, &rt, &err) : NULL;
        if (!json_is_object(root))
                fail(&err, 400, "language is required as a string");
        json_decref(root);
        if (!job) {
                reply_message(req, err.status, err.message);
                return;
        }
        arg = calloc(1, sizeof(*arg));
        if (!arg) {
                job_free(job);
                reply_message(req, 500, "out of memory");
                return;
        }
        snprintf(arg->name, sizeof(arg->name), "%s", rt.name);
        snprintf(arg->version, sizeof(arg->version), "%s", rt.version);
        api_run_job(req, job, execute_done, arg, free, "{\"message\":\"the run queue is full\"}",
                    JSON_TYPE);
}

/* Every method on every path under /api/v2/. */
void route_piston(struct evhttp_request *req)
{
        const char *uri = evhttp_request_get_uri(req);
        enum evhttp_cmd_type method = evhttp_request_get_command(req);
        const char *rest = uri + strlen(PREFIX);
        size_t n = strcspn(rest, "?#");

        /* express routes ignore one trailing slash */
        if (n && rest[n - 1] == '/')
                n--;
        if (method == EVHTTP_REQ_POST && n == 7 && strncmp(rest, "execute", 7) == 0)
                piston_execute(req);
        else if ((method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD) && n == 8 &&
                 strncmp(rest, "runtimes", 8) == 0)
                piston_runtimes(req);
        else
                reply_message(req, 404, "Not Found");
}
