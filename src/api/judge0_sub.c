/* judge0_sub: Judge0 submissions — the store, a finished run's Judge0
 * status, and the attributes as Judge0's serializer writes them (judge0.h).
 *
 * Theory of operation. Every accepted submission is kept in memory: a hash
 * of tokens and a list in creation order. A submission's job runs apart
 * (not owned) until it finishes; then the submission owns it, and it counts
 * against --judge0-keep-mb (the oldest finished submissions are dropped to
 * make room) and --judge0-ttl (after it finished). Both bounds are applied
 * whenever a submission is stored or looked up, so an idle server holds what
 * it held; submissions still queued or running are never dropped (their
 * number is bounded by the run queue).
 *
 * A run's status follows Judge0's determine_status (isolate_job.rb); the
 * expected_output comparison is the lines_rstrip checker (Judge0's strip
 * rule); texts are base64 as Ruby's encode64 writes them (a newline every
 * 60 characters and at the end). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "../judge/checker.h"
#include "common.h"
#include "judge0.h"

#define NBUCKETS 4096
#define SUB_OVERHEAD 1024 /* bytes a submission costs beyond its texts */

const char *const j0_status_names[ST_COUNT + 1] = {
    "",
    "In Queue",
    "Processing",
    "Accepted",
    "Wrong Answer",
    "Time Limit Exceeded",
    "Compilation Error",
    "Runtime Error (SIGSEGV)",
    "Runtime Error (SIGXFSZ)",
    "Runtime Error (SIGFPE)",
    "Runtime Error (SIGABRT)",
    "Runtime Error (NZEC)",
    "Runtime Error (Other)",
    "Internal Error",
    "Exec Format Error",
};

/* ---- the submission store ------------------------------------------------- */

static struct j0_sub *buckets[NBUCKETS];
static struct j0_sub *oldest, *newest;
static uint64_t stored_bytes;

static unsigned token_hash(const char *t)
{
        unsigned h = 2166136261u;

        for (; *t; t++)
                h = (h ^ (unsigned char)*t) * 16777619u;
        return h % NBUCKETS;
}

void j0_sub_free(struct j0_sub *s)
{
        if (s->done)
                job_free(s->job);
        free(s->expected);
        free(s->compiler_options);
        free(s->command_line_arguments);
        free(s->additional_files);
        free(s);
}

static void store_unlink(struct j0_sub *s)
{
        struct j0_sub **pp = &buckets[token_hash(s->token)];

        while (*pp && *pp != s)
                pp = &(*pp)->hnext;
        if (*pp)
                *pp = s->hnext;
        if (s->prev)
                s->prev->next = s->next;
        else
                oldest = s->next;
        if (s->next)
                s->next->prev = s->prev;
        else
                newest = s->prev;
        if (s->done)
                stored_bytes -= s->bytes;
}

void j0_store_drop(struct j0_sub *s)
{
        store_unlink(s);
        j0_sub_free(s);
}

static bool expired(const struct j0_sub *s, const struct timeval *now)
{
        return s->done && now->tv_sec - s->finished_at.tv_sec >= (time_t)api_config()->judge0_ttl_s;
}

/* Drops expired submissions, then the oldest finished ones while the store
 * holds more than --judge0-keep-mb (keep: one that must stay). */
void j0_store_trim(const struct j0_sub *keep)
{
        struct timeval now;
        struct j0_sub *s = oldest, *next;

        gettimeofday(&now, NULL);
        for (; s; s = next) {
                next = s->next;
                if (s != keep && s->done &&
                    (expired(s, &now) || stored_bytes > api_config()->judge0_keep_bytes))
                        j0_store_drop(s);
        }
}

void j0_store_add(struct j0_sub *s)
{
        unsigned h = token_hash(s->token);

        s->hnext = buckets[h];
        buckets[h] = s;
        s->prev = newest;
        s->next = NULL;
        if (newest)
                newest->next = s;
        else
                oldest = s;
        newest = s;
}

struct j0_sub *j0_store_find(const char *token)
{
        struct timeval now;
        struct j0_sub *s;

        for (s = buckets[token_hash(token)]; s; s = s->hnext)
                if (strcmp(s->token, token) == 0)
                        break;
        gettimeofday(&now, NULL);
        if (s && expired(s, &now)) {
                j0_store_drop(s);
                s = NULL;
        }
        return s;
}

/* A UUID v4 (RFC 9562) from the kernel's CSPRNG. */
int j0_new_token(char out[37])
{
        unsigned char b[16];
        size_t got = 0;

        while (got < sizeof(b)) {
                ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
                if (n < 0 && errno != EINTR)
                        return -1;
                if (n > 0)
                        got += (size_t)n;
        }
        b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
        b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
        snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                 b[13], b[14], b[15]);
        return 0;
}

/* ---- a finished run as a Judge0 status ------------------------------------ */

/* Whether the language has a compile step (the recipe's steps before its
 * last; a job step count says nothing: number_of_runs adds run steps). */
static bool has_compile(const struct job *job)
{
        return job->recipe->nsteps > 1;
}

static bool compile_failed(const struct job *job)
{
        const struct step_result *c = &job->steps[0];

        return has_compile(job) && c->ran && (c->timed_out || c->exit_code != 0);
}

/* The job step of the first run: the runs are the job's last
 * number_of_runs steps (job_set_stdins, one per run). */
static size_t first_run(const struct j0_sub *s)
{
        size_t runs = s->number_of_runs > 1 ? (size_t)s->number_of_runs : 1;

        return s->job->nsteps - runs;
}

/* The run shown, or NULL if it never ran. */
static const struct step_result *run_step(const struct j0_sub *s)
{
        const struct step_result *r = &s->job->steps[s->shown_run];

        return r->ran ? r : NULL;
}

/* One run's status (r NULL: it never ran); its message in s. */
static int run_status(struct j0_sub *s, const struct step_result *r)
{
        const struct job *job = s->job;
        uint64_t cpu_limit_us = (uint64_t)(s->cpu_time_limit * 1e6);
        struct checker_opts co;
        char msg[16];

        s->message[0] = '\0';
        if (job->outcome == JOB_TIMED_OUT || !r || r->timed_out || r->term_signal == SIGXCPU ||
            r->cpu_us > cpu_limit_us) {
                snprintf(s->message, sizeof(s->message), "Time limit exceeded");
                return ST_TLE;
        }
        if (buf_truncated(&r->out) || buf_truncated(&r->err)) {
                snprintf(s->message, sizeof(s->message), "Output limit exceeded");
                return ST_SIGXFSZ;
        }
        if (r->term_signal) {
                snprintf(s->message, sizeof(s->message), "Caught fatal signal %d", r->term_signal);
                switch (r->term_signal) {
                case SIGSEGV:
                        return ST_SIGSEGV;
                case SIGXFSZ:
                        return ST_SIGXFSZ;
                case SIGFPE:
                        return ST_SIGFPE;
                case SIGABRT:
                        return ST_SIGABRT;
                default:
                        return ST_OTHER;
                }
        }
        if (r->exit_code != 0) {
                snprintf(s->message, sizeof(s->message), "Exited with error status %d",
                         r->exit_code);
                return ST_NZEC;
        }
        if (!s->has_expected)
                return ST_ACCEPTED;
        checker_opts_default(&co, CHECKER_LINES_RSTRIP);
        return checker_compare(&co, r->out.data ? r->out.data : "", r->out.len,
                               s->expected ? s->expected : "", s->expected_len, msg,
                               sizeof(msg)) == CHECK_AC
                   ? ST_ACCEPTED
                   : ST_WRONG;
}

/* Judge0's loop over number_of_runs (isolate_job.rb): each run judged in
 * turn, stopping at the first that is not Accepted; that run (or the last)
 * is the one shown, its CPU time averaged with the runs before it. */
static int judge_status(struct j0_sub *s)
{
        const struct job *job = s->job;
        size_t first = first_run(s);
        uint64_t total_us = 0;
        int st = ST_ACCEPTED;

        s->message[0] = '\0';
        s->shown_run = job->nsteps - 1;
        s->avg_cpu_us = 0;
        if (job->outcome == JOB_SANDBOX_ERROR) {
                snprintf(s->message, sizeof(s->message), "%.90s", job->error);
                return ST_INTERNAL;
        }
        if (compile_failed(job))
                return ST_COMPILE;
        for (size_t i = first; i < job->nsteps; i++) {
                const struct step_result *r = job->steps[i].ran ? &job->steps[i] : NULL;

                s->shown_run = i;
                st = run_status(s, r);
                total_us += r ? r->cpu_us : 0;
                s->avg_cpu_us = total_us / (i - first + 1);
                if (st != ST_ACCEPTED)
                        break;
        }
        return st;
}

/* The job is over: the submission owns it, judged and counted in the store. */
void j0_sub_finish(struct j0_sub *s, struct job *job)
{
        s->job = job;
        s->done = true;
        gettimeofday(&s->finished_at, NULL);
        s->status = judge_status(s);
        s->bytes = SUB_OVERHEAD + job->code_len + job->stdin_len + s->expected_len +
                   s->additional_files_len;
        for (size_t i = 0; i < job->nsteps; i++)
                s->bytes += job->steps[i].out.len + job->steps[i].err.len;
        stored_bytes += s->bytes;
        j0_store_trim(s);
}

/* ---- rendering ------------------------------------------------------------ */

const char *const j0_field_names[F_COUNT] = {
    "source_code",
    "language_id",
    "stdin",
    "expected_output",
    "stdout",
    "status_id",
    "created_at",
    "finished_at",
    "time",
    "memory",
    "stderr",
    "token",
    "number_of_runs",
    "cpu_time_limit",
    "cpu_extra_time",
    "wall_time_limit",
    "memory_limit",
    "stack_limit",
    "max_processes_and_or_threads",
    "enable_per_process_and_thread_time_limit",
    "enable_per_process_and_thread_memory_limit",
    "max_file_size",
    "compile_output",
    "exit_code",
    "exit_signal",
    "message",
    "wall_time",
    "compiler_options",
    "command_line_arguments",
    "redirect_stderr_to_stdout",
    "callback_url",
    "additional_files",
    "enable_network",
    "status",
    "language",
};

const field_set j0_default_fields =
    FIELD_BIT(F_TOKEN) | FIELD_BIT(F_TIME) | FIELD_BIT(F_MEMORY) | FIELD_BIT(F_STDOUT) |
    FIELD_BIT(F_STDERR) | FIELD_BIT(F_COMPILE_OUTPUT) | FIELD_BIT(F_MESSAGE) | FIELD_BIT(F_STATUS);

/* Ruby's Base64.encode64: a newline after every 60 characters and at the end. */
static int base64_ruby(struct buf *out, const unsigned char *p, size_t n)
{
        static const char abc[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        size_t col = 0;

        for (size_t i = 0; i < n; i += 3) {
                unsigned v = (unsigned)p[i] << 16;
                char q[5];

                if (i + 1 < n)
                        v |= (unsigned)p[i + 1] << 8;
                if (i + 2 < n)
                        v |= p[i + 2];
                q[0] = abc[(v >> 18) & 63];
                q[1] = abc[(v >> 12) & 63];
                q[2] = (char)(i + 1 < n ? abc[(v >> 6) & 63] : '=');
                q[3] = (char)(i + 2 < n ? abc[v & 63] : '=');
                q[4] = '\n';
                col += 4;
                if (buf_append(out, q, col == 60 ? 5 : 4) < 0)
                        return -1;
                if (col == 60)
                        col = 0;
        }
        return col ? buf_append(out, "\n", 1) : 0;
}

/* A text attribute: null when empty (Judge0 stores no empty document),
 * base64 when asked, else the text itself; *bad when it is not UTF-8. */
static json_t *text_json(const char *p, size_t n, bool b64, bool *bad)
{
        struct buf b;
        json_t *s;

        if (!p || !n)
                return json_null();
        if (!b64) {
                s = json_stringn(p, n);
                if (!s)
                        *bad = true;
                return s ? s : json_null();
        }
        buf_init(&b, 0);
        s = base64_ruby(&b, (const unsigned char *)p, n) < 0 ? NULL : json_stringn(b.data, b.len);
        buf_free(&b);
        return s ? s : json_null();
}

/* A decimal as Rails writes a BigDecimal column: "0.05", "1.0". */
static json_t *decimal_json(double v)
{
        char s[64];
        size_t n;

        snprintf(s, sizeof(s), "%.3f", v);
        n = strlen(s);
        while (n > 2 && s[n - 1] == '0' && s[n - 2] != '.')
                s[--n] = '\0';
        return json_string(s);
}

static json_t *time_json(const struct timeval *tv)
{
        struct tm tm;
        char s[64];

        if (!tv->tv_sec)
                return json_null();
        gmtime_r(&tv->tv_sec, &tm);
        snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)(tv->tv_usec / 1000));
        return json_string(s);
}

static json_t *opt_string(const char *s)
{
        return s ? json_string(s) : json_null();
}

/* What the compile step printed (both streams), or Judge0's words for a
 * compile that ran out of time. */
static json_t *compile_json(const struct job *job, bool b64, bool *bad)
{
        const struct step_result *c = &job->steps[0];
        struct buf both;
        json_t *v;

        if (!has_compile(job) || !c->ran)
                return json_null();
        if (c->timed_out)
                return text_json("Compilation time limit exceeded.", 32, b64, bad);
        buf_init(&both, 0);
        if (buf_append(&both, c->out.data ? c->out.data : "", c->out.len) < 0 ||
            buf_append(&both, c->err.data ? c->err.data : "", c->err.len) < 0) {
                buf_free(&both);
                return json_null();
        }
        v = text_json(both.data, both.len, b64, bad);
        buf_free(&both);
        return v;
}

static json_t *field_json(const struct j0_sub *s, enum field f, bool b64, bool *bad)
{
        const struct job *job = s->job;
        const struct step_result *r = s->done && s->status != ST_COMPILE ? run_step(s) : NULL;
        int status = s->done                            ? s->status
                     : job && job->state == JOB_RUNNING ? ST_PROCESSING
                                                        : ST_QUEUE;

        if (!job)
                return json_null();
        switch (f) {
        case F_SOURCE_CODE:
                return text_json(job->code, job->code_len, b64, bad);
        case F_LANGUAGE_ID:
                return json_integer(s->lang->id);
        case F_STDIN:
                return text_json(job->stdin_data, job->stdin_len, b64, bad);
        case F_EXPECTED_OUTPUT:
                return s->has_expected ? text_json(s->expected, s->expected_len, b64, bad)
                                       : json_null();
        case F_STDOUT:
                /* with redirect_stderr_to_stdout, both streams: the run
                 * step wrote them into one pipe (job->merge_stderr) */
                return r ? text_json(r->out.data, r->out.len, b64, bad) : json_null();
        case F_STATUS_ID:
                return json_integer(status);
        case F_CREATED_AT:
                return time_json(&s->created_at);
        case F_FINISHED_AT:
                return s->done ? time_json(&s->finished_at) : json_null();
        case F_TIME:
                return r ? decimal_json((double)s->avg_cpu_us / 1e6) : json_null();
        case F_MEMORY:
                return r ? json_integer((json_int_t)(job->usage.memory_peak_bytes / 1024))
                         : json_null();
        case F_STDERR:
                return r && !s->redirect_stderr ? text_json(r->err.data, r->err.len, b64, bad)
                                                : json_null();
        case F_TOKEN:
                return json_string(s->token);
        case F_NUMBER_OF_RUNS:
                return json_integer(s->number_of_runs);
        case F_CPU_TIME_LIMIT:
                return decimal_json(s->cpu_time_limit);
        case F_CPU_EXTRA_TIME:
                return decimal_json(s->cpu_extra_time);
        case F_WALL_TIME_LIMIT:
                return decimal_json(s->wall_time_limit);
        case F_MEMORY_LIMIT:
                return json_integer(s->memory_limit);
        case F_STACK_LIMIT:
                return json_integer(s->stack_limit);
        case F_MAX_PROCESSES:
                return json_integer(s->max_processes);
        case F_PER_PROCESS_TIME:
        case F_PER_PROCESS_MEMORY:
        case F_ENABLE_NETWORK:
                return json_false();
        case F_MAX_FILE_SIZE:
                return json_integer(s->max_file_size);
        case F_COMPILE_OUTPUT:
                return s->done ? compile_json(job, b64, bad) : json_null();
        case F_EXIT_CODE:
                return r && !r->term_signal && !r->timed_out ? json_integer(r->exit_code)
                                                             : json_null();
        case F_EXIT_SIGNAL:
                return r && r->term_signal ? json_integer(r->term_signal) : json_null();
        case F_MESSAGE:
                return s->done && s->message[0]
                           ? text_json(s->message, strlen(s->message), b64, bad)
                           : json_null();
        case F_WALL_TIME:
                return r ? decimal_json((double)r->wall_us / 1e6) : json_null();
        case F_COMPILER_OPTIONS:
                return opt_string(s->compiler_options);
        case F_COMMAND_LINE_ARGUMENTS:
                return opt_string(s->command_line_arguments);
        case F_REDIRECT_STDERR:
                return json_boolean(s->redirect_stderr);
        case F_ADDITIONAL_FILES:
                return text_json(s->additional_files, s->additional_files_len, b64, bad);
        case F_CALLBACK_URL:
                return json_null();
        case F_STATUS:
                return json_pack("{s:i, s:s}", "id", status, "description",
                                 j0_status_names[status]);
        case F_LANGUAGE:
                return json_pack("{s:I, s:o}", "id", (json_int_t)s->lang->id, "name",
                                 j0_lang_name(s->lang));
        case F_COUNT:
                break;
        }
        return json_null();
}

/* The submission as Judge0 shows it; *bad when a text is not UTF-8 (and
 * base64 was not asked for). */
json_t *j0_sub_json(const struct j0_sub *s, field_set fields, bool b64, bool *bad)
{
        json_t *o = json_object();

        for (int f = 0; o && f < F_COUNT; f++)
                if (fields & FIELD_BIT(f))
                        json_object_set_new(o, j0_field_names[f], field_json(s, f, b64, bad));
        return o;
}
