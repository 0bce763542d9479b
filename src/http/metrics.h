/* metrics: counters, gauges and histograms for GET /metrics (Prometheus
 * text format 0.0.4). All updates happen on the event loop thread. */
#ifndef CODEEXEC_METRICS_H
#define CODEEXEC_METRICS_H

#include <jansson.h>
#include <stdbool.h>

#include "../util/buf.h"

/* One finished HTTP request (code 499: the client went away first). */
void metrics_request(const char *endpoint, int code, double seconds);
/* One finished run. */
void metrics_run(const char *language, const char *verdict, const char *status, double run_s,
                 double queue_s);
void metrics_sandbox_failure(void);
/* One finished judge: its verdict and the boxes it ran. */
void metrics_judge(const char *language, const char *verdict, unsigned compiles, size_t test_runs,
                   size_t checker_runs);
/* A streamed reply cut off: the client read nothing for --reply-timeout
 * (slow_client), or went away. */
void metrics_reply_aborted(bool slow_client);
/* A run whose output was cut to fit --reply-limit. */
void metrics_reply_budget_cut(void);
/* The console's status (GET /v1/status): gauges, totals, runs by verdict,
 * per-language run-time percentiles from the histograms' buckets; NULL
 * when out of memory. */
json_t *metrics_status_json(void);
/* Appends the whole exposition, gauges read from the scheduler. */
void metrics_render(struct buf *out);

#endif
