/* metrics: Prometheus exposition (see metrics.h).
 *
 * Theory of operation. Labelled counters live in small append-only tables
 * (label string -> value); the label sets are bounded by the route table,
 * the HTTP status codes we send, and the languages x verdicts, so the tables
 * stay small. Histograms use fixed buckets suited to run times (5 ms to
 * 60 s). Gauges (queue length, running boxes, slots) are read from the
 * scheduler at render time. Each language also has its own run-time
 * histogram, not exported to Prometheus (the exposition's series stay as
 * they were) but read by the console's status (metrics_status_json), which
 * turns its buckets into percentiles. */
#define _GNU_SOURCE
#include "metrics.h"

#include "../exec/execpool.h"
#include "../exec/warmpool.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../exec/sched.h"
#include "../sandbox/sandbox.h"

struct counter {
        char *labels;
        uint64_t value;
};

struct counter_table {
        struct counter *items;
        size_t n;
};

static const double bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

struct histogram {
        uint64_t buckets[NBOUNDS];
        uint64_t count;
        double sum;
};

/* One language's run times (the console's latency table). */
struct lang_hist {
        char *language;
        struct histogram h;
};

static struct counter_table requests, runs, judges;
static struct lang_hist *lang_hists;
static size_t nlang_hists;
static uint64_t judge_compiles, judge_test_runs, judge_checker_runs;
static struct histogram run_seconds, queue_seconds, request_seconds;
static uint64_t sandbox_failures;
static uint64_t replies_aborted_slow, replies_aborted_gone, replies_budget_cut;

static void count(struct counter_table *t, const char *labels)
{
        struct counter *grown;

        for (size_t i = 0; i < t->n; i++)
                if (strcmp(t->items[i].labels, labels) == 0) {
                        t->items[i].value++;
                        return;
                }
        grown = realloc(t->items, (t->n + 1) * sizeof(*t->items));
        if (!grown)
                return;
        t->items = grown;
        t->items[t->n].labels = strdup(labels);
        t->items[t->n].value = t->items[t->n].labels ? 1 : 0;
        if (t->items[t->n].labels)
                t->n++;
}

static void observe(struct histogram *h, double v)
{
        for (size_t i = 0; i < NBOUNDS; i++)
                if (v <= bounds[i])
                        h->buckets[i]++;
        h->count++;
        h->sum += v;
}

/* Label values come from our own tables (routes, recipe keys, statuses),
 * but escape them anyway. */
static void label_value(char *out, size_t cap, const char *v)
{
        size_t j = 0;

        for (size_t i = 0; v[i] && j + 2 < cap; i++) {
                if (v[i] == '"' || v[i] == '\\' || v[i] == '\n')
                        out[j++] = '\\';
                out[j++] = (char)(v[i] == '\n' ? 'n' : v[i]);
        }
        out[j] = '\0';
}

void metrics_request(const char *endpoint, int code, double seconds)
{
        char ep[96], labels[160];

        label_value(ep, sizeof(ep), endpoint);
        snprintf(labels, sizeof(labels), "endpoint=\"%s\",code=\"%d\"", ep, code);
        count(&requests, labels);
        observe(&request_seconds, seconds);
}

static void observe_language(const char *language, double v)
{
        struct lang_hist *grown;

        for (size_t i = 0; i < nlang_hists; i++)
                if (strcmp(lang_hists[i].language, language) == 0) {
                        observe(&lang_hists[i].h, v);
                        return;
                }
        grown = realloc(lang_hists, (nlang_hists + 1) * sizeof(*lang_hists));
        if (!grown)
                return;
        lang_hists = grown;
        memset(&lang_hists[nlang_hists], 0, sizeof(*lang_hists));
        lang_hists[nlang_hists].language = strdup(language);
        if (!lang_hists[nlang_hists].language)
                return;
        observe(&lang_hists[nlang_hists].h, v);
        nlang_hists++;
}

void metrics_run(const char *language, const char *verdict, const char *status, double run_s,
                 double queue_s)
{
        char l[64], v[64], s[64], labels[256];

        label_value(l, sizeof(l), language);
        label_value(v, sizeof(v), verdict);
        label_value(s, sizeof(s), status);
        snprintf(labels, sizeof(labels), "language=\"%s\",verdict=\"%s\",status=\"%s\"", l, v, s);
        count(&runs, labels);
        observe(&run_seconds, run_s);
        observe(&queue_seconds, queue_s);
        observe_language(language, run_s);
}

void metrics_judge(const char *language, const char *verdict, unsigned compiles, size_t test_runs,
                   size_t checker_runs)
{
        char l[64], v[32], labels[160];

        label_value(l, sizeof(l), language);
        label_value(v, sizeof(v), verdict);
        snprintf(labels, sizeof(labels), "language=\"%s\",verdict=\"%s\"", l, v);
        count(&judges, labels);
        judge_compiles += compiles;
        judge_test_runs += test_runs;
        judge_checker_runs += checker_runs;
}

void metrics_sandbox_failure(void)
{
        sandbox_failures++;
}

void metrics_reply_aborted(bool slow_client)
{
        if (slow_client)
                replies_aborted_slow++;
        else
                replies_aborted_gone++;
}

void metrics_reply_budget_cut(void)
{
        replies_budget_cut++;
}

static void render_counters(struct buf *out, const char *name, const char *help,
                            const struct counter_table *t)
{
        buf_appendf(out, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
        for (size_t i = 0; i < t->n; i++)
                buf_appendf(out, "%s{%s} %llu\n", name, t->items[i].labels,
                            (unsigned long long)t->items[i].value);
}

static void render_histogram(struct buf *out, const char *name, const char *help,
                             const struct histogram *h)
{
        buf_appendf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
        for (size_t i = 0; i < NBOUNDS; i++)
                buf_appendf(out, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i],
                            (unsigned long long)h->buckets[i]);
        buf_appendf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n", name,
                    (unsigned long long)h->count, name, h->sum, name, (unsigned long long)h->count);
}

/* How the sandbox started its boxes (sandbox/standby.c). */
static void render_box_starts(struct buf *out)
{
        struct sbx_stats st;

        sbx_get_stats(&st);
        buf_appendf(out,
                    "# HELP codeexec_boxes_started_total Cold boxes by how they were started: "
                    "built when the run arrived, or built ahead (a standby).\n"
                    "# TYPE codeexec_boxes_started_total counter\n"
                    "codeexec_boxes_started_total{how=\"cold\"} %llu\n"
                    "codeexec_boxes_started_total{how=\"standby\"} %llu\n"
                    "# HELP codeexec_standby_boxes_discarded_total Boxes built ahead and not "
                    "used: they did not fit the next run, waited too long or died.\n"
                    "# TYPE codeexec_standby_boxes_discarded_total counter\n"
                    "codeexec_standby_boxes_discarded_total %llu\n"
                    "# HELP codeexec_standby_boxes_spawned_total Boxes built ahead that the "
                    "spawner process cloned, off the server's event loop.\n"
                    "# TYPE codeexec_standby_boxes_spawned_total counter\n"
                    "codeexec_standby_boxes_spawned_total %llu\n"
                    "# HELP codeexec_standby_spawner_waits_total Runs whose standby box the "
                    "spawner had not announced yet when they started (the loop waits up to "
                    "10 ms).\n"
                    "# TYPE codeexec_standby_spawner_waits_total counter\n"
                    "codeexec_standby_spawner_waits_total %llu\n"
                    "# HELP codeexec_standby_spawner_wait_seconds_total Time those runs waited.\n"
                    "# TYPE codeexec_standby_spawner_wait_seconds_total counter\n"
                    "codeexec_standby_spawner_wait_seconds_total %.6f\n"
                    "# HELP codeexec_box_cgroups_reused_total Boxes and warm runs given the "
                    "cgroup of a finished one, reset, instead of a new one (cgroup v1).\n"
                    "# TYPE codeexec_box_cgroups_reused_total counter\n"
                    "codeexec_box_cgroups_reused_total %llu\n"
                    "# HELP codeexec_box_cgroups_kept Cgroups of finished boxes kept to serve "
                    "the next ones: empty, and the only box cgroups that are.\n"
                    "# TYPE codeexec_box_cgroups_kept gauge\n"
                    "codeexec_box_cgroups_kept %llu\n",
                    (unsigned long long)st.cold_boxes, (unsigned long long)st.standby_boxes,
                    (unsigned long long)st.standbys_discarded,
                    (unsigned long long)st.standbys_spawned, (unsigned long long)st.spawner_waits,
                    (double)st.spawner_wait_us / 1e6, (unsigned long long)st.cgroups_reused,
                    (unsigned long long)st.cgroups_kept);
}

void metrics_render(struct buf *out)
{
        warmpool_metrics(out);
        execpool_metrics(out);
        render_box_starts(out);
        render_counters(out, "codeexec_http_requests_total",
                        "HTTP requests by endpoint and status.", &requests);
        render_histogram(out, "codeexec_http_request_duration_seconds",
                         "Time from request to reply.", &request_seconds);
        render_counters(out, "codeexec_runs_total",
                        "Finished runs by language, MultiPL-E verdict and process status.", &runs);
        render_histogram(out, "codeexec_run_duration_seconds",
                         "Wall time of runs, sandbox start to finish.", &run_seconds);
        render_histogram(out, "codeexec_queue_wait_seconds", "Time runs waited for a slot.",
                         &queue_seconds);
        render_counters(out, "codeexec_judges_total",
                        "Finished judge requests by language and verdict.", &judges);
        buf_appendf(out,
                    "# HELP codeexec_judge_boxes_total Boxes judges ran: compiles (the "
                    "submission's and a checker program's), test runs, checker runs.\n"
                    "# TYPE codeexec_judge_boxes_total counter\n"
                    "codeexec_judge_boxes_total{kind=\"compile\"} %llu\n"
                    "codeexec_judge_boxes_total{kind=\"test\"} %llu\n"
                    "codeexec_judge_boxes_total{kind=\"checker\"} %llu\n",
                    (unsigned long long)judge_compiles, (unsigned long long)judge_test_runs,
                    (unsigned long long)judge_checker_runs);
        buf_appendf(out,
                    "# HELP codeexec_sandbox_failures_total Boxes that could not be built.\n"
                    "# TYPE codeexec_sandbox_failures_total counter\n"
                    "codeexec_sandbox_failures_total %llu\n",
                    (unsigned long long)sandbox_failures);
        buf_appendf(out,
                    "# HELP codeexec_replies_aborted_total Streamed replies cut off before "
                    "their end: the client read nothing for --reply-timeout (slow_client) or "
                    "went away (hangup).\n"
                    "# TYPE codeexec_replies_aborted_total counter\n"
                    "codeexec_replies_aborted_total{reason=\"slow_client\"} %llu\n"
                    "codeexec_replies_aborted_total{reason=\"hangup\"} %llu\n"
                    "# HELP codeexec_replies_budget_cut_total Runs whose output was cut to fit "
                    "--reply-limit.\n"
                    "# TYPE codeexec_replies_budget_cut_total counter\n"
                    "codeexec_replies_budget_cut_total %llu\n",
                    (unsigned long long)replies_aborted_slow,
                    (unsigned long long)replies_aborted_gone,
                    (unsigned long long)replies_budget_cut);
        buf_appendf(out,
                    "# HELP codeexec_queue_length Runs waiting for a slot.\n"
                    "# TYPE codeexec_queue_length gauge\ncodeexec_queue_length %zu\n"
                    "# HELP codeexec_running Boxes running requests' programs now.\n"
                    "# TYPE codeexec_running gauge\ncodeexec_running %zu\n"
                    "# HELP codeexec_background_running Boxes running start-up probes now.\n"
                    "# TYPE codeexec_background_running gauge\ncodeexec_background_running %zu\n"
                    "# HELP codeexec_background_started_total Boxes started for start-up probes.\n"
                    "# TYPE codeexec_background_started_total counter\n"
                    "codeexec_background_started_total %llu\n"
                    "# HELP codeexec_slots Boxes that may run at once (--max-running).\n"
                    "# TYPE codeexec_slots gauge\ncodeexec_slots %u\n"
                    "# HELP codeexec_queue_capacity Runs that may wait (--max-queue).\n"
                    "# TYPE codeexec_queue_capacity gauge\ncodeexec_queue_capacity %zu\n",
                    sched_queued(), sched_running(), sched_background_running(),
                    (unsigned long long)sched_background_started(), sched_max_running(),
                    sched_max_queue());
        buf_appendf(out,
                    "# HELP codeexec_info Build and sandbox facts.\n# TYPE codeexec_info gauge\n"
                    "codeexec_info{limits=\"%s\"} 1\n",
                    sbx_limits_mode());
}

/* The q-quantile of h, interpolated linearly inside its bucket as
 * Prometheus's histogram_quantile does; past the last bound, that bound. */
static double quantile(const struct histogram *h, double q)
{
        double rank = q * (double)h->count, lo = 0, below = 0;

        if (!h->count)
                return 0;
        for (size_t i = 0; i < NBOUNDS; i++) {
                double in = (double)h->buckets[i] - below;

                if ((double)h->buckets[i] >= rank && in > 0)
                        return lo + (bounds[i] - lo) * ((rank - below) / in);
                lo = bounds[i];
                below = (double)h->buckets[i];
        }
        return bounds[NBOUNDS - 1];
}

static uint64_t table_sum(const struct counter_table *t, const char *must_contain)
{
        uint64_t n = 0;

        for (size_t i = 0; i < t->n; i++)
                if (!must_contain || strstr(t->items[i].labels, must_contain))
                        n += t->items[i].value;
        return n;
}

json_t *metrics_status_json(void)
{
        json_t *langs = json_array(), *verdicts = json_object(), *o;

        if (!langs || !verdicts) {
                json_decref(langs);
                json_decref(verdicts);
                return NULL;
        }
        for (size_t i = 0; i < nlang_hists; i++) {
                const struct histogram *h = &lang_hists[i].h;

                json_array_append_new(
                    langs, json_pack("{s:s, s:I, s:f, s:f, s:f, s:f}", "language",
                                     lang_hists[i].language, "runs", (json_int_t)h->count,
                                     "mean_ms", h->count ? h->sum * 1000 / (double)h->count : 0.0,
                                     "p50_ms", quantile(h, 0.5) * 1000, "p95_ms",
                                     quantile(h, 0.95) * 1000, "p99_ms", quantile(h, 0.99) * 1000));
        }
        /* runs by verdict: the labels are language="..",verdict="..",status=".." */
        for (size_t i = 0; i < runs.n; i++) {
                const char *v = strstr(runs.items[i].labels, "verdict=\"");
                const char *end;
                char name[64];
                json_t *old;

                if (!v)
                        continue;
                v += strlen("verdict=\"");
                end = strchr(v, '"');
                if (!end || (size_t)(end - v) >= sizeof(name))
                        continue;
                memcpy(name, v, (size_t)(end - v));
                name[end - v] = '\0';
                old = json_object_get(verdicts, name);
                json_object_set_new(verdicts, name,
                                    json_integer((old ? json_integer_value(old) : 0) +
                                                 (json_int_t)runs.items[i].value));
        }
        o = json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:f, s:f}", "running",
            (json_int_t)sched_running(), "queued", (json_int_t)sched_queued(), "slots",
            (json_int_t)sched_max_running(), "queue_capacity", (json_int_t)sched_max_queue(),
            "background_running", (json_int_t)sched_background_running(), "requests_total",
            (json_int_t)table_sum(&requests, NULL), "runs_total", (json_int_t)run_seconds.count,
            "judges_total", (json_int_t)table_sum(&judges, NULL), "sandbox_failures_total",
            (json_int_t)sandbox_failures, "runs_by_verdict", verdicts, "languages", langs,
            "run_p50_ms", quantile(&run_seconds, 0.5) * 1000, "queue_p95_ms",
            quantile(&queue_seconds, 0.95) * 1000);
        /* "warm_python", "warm_racket" ...: each warm runtime's pool */
        for (int rt = 0; o && rt < SBX_WARM_RUNTIMES; rt++) {
                char key[32], warm[256];
                snprintf(key, sizeof(key), "warm_%s", sbx_warm_runtime_name(rt));
                warmpool_describe(rt, warm, sizeof(warm));
                if (json_object_set_new(o, key, json_string(warm)) < 0) {
                        json_decref(o);
                        o = NULL;
                }
        }
        return o;
}
