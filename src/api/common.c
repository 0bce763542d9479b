/* common: shared request-to-job helpers (see common.h).
 *
 * Theory of operation. The options main handed down (api_init) live here,
 * read by every endpoint. A request that runs one job is a struct pending:
 * the job's completion callback, the watch on the client and the
 * endpoint's reply function. Whichever of "the job finished" and "the
 * client hung up" comes first disarms the other: a finished job unwatches
 * the client and replies; a client gone cancels the job (its box is
 * killed, its completion never reported) and frees the pending. */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bank/files.h"
#include "../exec/sched.h"
#include "../exec/verdict.h"
#include "../http/http.h"
#include "../http/metrics.h"
#include "../lang/peers.h"
#include "history.h"
#include "../util/log.h"
#include "../util/utf8.h"

static struct api_config config;

void api_init(const struct api_config *c)
{
        config = *c;
}

const struct api_config *api_config(void)
{
        return &config;
}

void api_recipe_limits(const struct recipe *r, struct sbx_limits *lim)
{
        const struct api_config *cfg = api_config();

        memset(lim, 0, sizeof(*lim));
        lim->memory_bytes = (r->limits.memory_mb ? r->limits.memory_mb : cfg->memory_mb) << 20;
        lim->processes = r->limits.processes ? r->limits.processes : cfg->processes;
        lim->file_bytes = (r->limits.file_mb ? r->limits.file_mb : cfg->file_mb) << 20;
        lim->tmpfs_bytes = (r->limits.tmpfs_mb ? r->limits.tmpfs_mb : cfg->tmpfs_mb) << 20;
        lim->open_files = cfg->open_files;
}

void api_default_limits(struct job *job, const struct recipe *r)
{
        const struct api_config *cfg = api_config();

        api_recipe_limits(r, &job->limits);
        job->output_limit =
            r->limits.output_kb ? r->limits.output_kb << 10 : cfg->output_limit_bytes;
}

uint64_t api_reply_budget(size_t reserve)
{
        size_t limit = api_config()->reply_limit_bytes;

        return limit > reserve + 65536 ? limit - reserve : 65536;
}

double api_clamp_timeout(double seconds)
{
        const struct api_config *cfg = api_config();

        return seconds > cfg->max_timeout_s ? cfg->max_timeout_s : seconds;
}

json_t *api_text_json(const struct buf *b)
{
        struct buf clean;
        json_t *s;

        buf_init(&clean, 0);
        utf8_append_lossy(&clean, b->data ? b->data : "", b->len);
        s = json_stringn(clean.data ? clean.data : "", clean.len);
        buf_free(&clean);
        return s;
}

/* ---- one request, one job ------------------------------------------------- */

struct pending {
        struct job *job;
        struct http_watch *watch;
        api_job_reply_fn fn;
        void *arg;
        void (*free_arg)(void *);
        struct evhttp_request *req;
};

static size_t npending;

size_t api_requests_waiting(void)
{
        return npending;
}

void api_count_job(const struct job *job)
{
        const char *verdict = job->outcome == JOB_SANDBOX_ERROR ? "" : verdict_status(job);
        double run_s = (double)(job->t_done_us - job->t_started_us) / 1e6;
        double queue_s = (double)(job->t_started_us - job->t_queued_us) / 1e6;

        if (job->outcome == JOB_SANDBOX_ERROR)
                metrics_sandbox_failure();
        if (job->budget_cut)
                metrics_reply_budget_cut();
        metrics_run(job->recipe->key, verdict, verdict_process_status(job), run_s, queue_s);
}

void api_note_job(struct evhttp_request *req, const struct job *job)
{
        struct http_run_note note = {
            .language = job->recipe->key,
            .verdict = job->outcome == JOB_SANDBOX_ERROR ? "" : verdict_status(job),
            .queue_ms = (int64_t)((job->t_started_us - job->t_queued_us) / 1000),
            .run_ms = (int64_t)((job->t_done_us - job->t_started_us) / 1000),
            .warm = job->warm,
        };

        api_count_job(job);
        http_note_run(req, &note);
        history_record(req, job);
}

static void pending_free(struct pending *p)
{
        http_unwatch(p->watch);
        if (p->free_arg)
                p->free_arg(p->arg);
        free(p);
        npending--;
}

static void on_pending_gone(void *arg)
{
        struct pending *p = arg;

        log_debug("job %llu: client went away, cancelling", (unsigned long long)p->job->id);
        job_cancel(p->job);
        pending_free(p);
}

static void on_job_done(struct job *job, void *arg)
{
        struct pending *p = arg;

        http_unwatch(p->watch);
        p->watch = NULL;
        api_note_job(p->req, job);
        p->fn(p->req, job, p->arg); /* owns job now */
        pending_free(p);
}

void api_run_job(struct evhttp_request *req, struct job *job, api_job_reply_fn fn, void *arg,
                 void (*free_arg)(void *), const char *busy_body, const char *busy_type)
{
        struct pending *p = calloc(1, sizeof(*p));

        if (!p) {
                job_free(job);
                if (free_arg)
                        free_arg(arg);
                http_reply_str(req, 500, "text/plain; charset=utf-8", "1\nOut of memory");
                return;
        }
        p->req = req;
        p->job = job;
        p->fn = fn;
        p->arg = arg;
        p->free_arg = free_arg;
        npending++;
        job->on_done = on_job_done;
        job->on_done_arg = p;
        if (sched_submit(job) < 0) {
                http_reply_str(req, 503, busy_type, busy_body);
                job_free(job);
                pending_free(p);
                return;
        }
        p->watch = http_watch(req, on_pending_gone, p);
}

struct recipe **api_internal_recipes(const char *dialect, const char *languages_dir, size_t *n,
                                     struct err *e)
{
        json_t *table = peers_table(dialect), *entry;
        struct recipe **own;
        size_t i;

        *n = json_array_size(table);
        own = calloc(*n + 1, sizeof(struct recipe *));
        if (!own) {
                err_set(e, ENOMEM, "%s", dialect);
                return NULL;
        }
        json_array_foreach(table, i, entry)
        {
                const char *name = json_string_value(json_object_get(entry, "recipe"));
                char path[4096];
                size_t len;
                char *text;

                if (!name)
                        continue;
                if (!name[0] || strchr(name, '/') || name[0] == '.') {
                        err_set(e, 0, "%s.json: languages[%zu]: bad \"recipe\"", dialect, i);
                        goto fail;
                }
                snprintf(path, sizeof(path), "%s/internal/%s.json", languages_dir, name);
                text = bankfile_read(path, &len, e);
                if (!text)
                        goto fail;
                own[i] = recipe_parse(text, len, name, e);
                free(text);
                if (!own[i]) {
                        err_wrap(e, "%s", path);
                        goto fail;
                }
        }
        return own;
fail:
        for (size_t k = 0; k < *n; k++)
                recipe_free(own[k]);
        free(own);
        return NULL;
}

bool api_reserved_in_tmp(const struct recipe *r, const char *name)
{
        size_t n = strcspn(name, "/");

        if (n == 8 && strncmp(name, ".overlay", 8) == 0)
                return true;
        for (size_t i = 0; i < r->noverlays; i++) {
                const char *t = r->overlays[i].target;
                if (strncmp(t, "/tmp/", 5) == 0 && strncmp(t + 5, name, n) == 0 &&
                    (t[5 + n] == '/' || t[5 + n] == '\0'))
                        return true;
        }
        return false;
}
