/* Unit tests: the console's status from the metrics registry
 * (metrics_status_json, http/metrics.c): per-language run-time percentiles
 * interpolated in the histogram's buckets, runs by verdict summed over the
 * process statuses, and the gauges of a server that runs nothing. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "http/metrics.h"

static json_t *language(json_t *status, const char *key)
{
        size_t i;
        json_t *l;

        json_array_foreach(json_object_get(status, "languages"), i, l)
        {
                if (strcmp(json_string_value(json_object_get(l, "language")), key) == 0)
                        return l;
        }
        return NULL;
}

static double num(json_t *o, const char *key)
{
        return json_number_value(json_object_get(o, key));
}

Test(console_status, percentiles_verdicts_and_gauges)
{
        json_t *s, *py, *cpp;

        /* python: 90 runs of 20 ms (bucket 10..25 ms), 10 of 2 s (1..2.5 s) */
        for (int i = 0; i < 90; i++)
                metrics_run("python", "OK", "ok", 0.020, 0.0);
        for (int i = 0; i < 10; i++)
                metrics_run("python", "Exception", "runtime_error", 2.0, 0.0);
        metrics_run("cpp", "Exception", "compile_error", 0.003, 0.0);

        s = metrics_status_json();
        cr_assert_not_null(s);
        py = language(s, "python");
        cpp = language(s, "cpp");
        cr_assert(py && cpp);
        cr_expect_eq(json_integer_value(json_object_get(py, "runs")), 100);
        /* rank 50 of the 90 in (10, 25]: 10 + 15 * 50/90 */
        cr_expect_float_eq(num(py, "p50_ms"), 10 + 15.0 * 50 / 90, 1e-6);
        /* rank 95: 5 of the 10 in (1000, 2500] */
        cr_expect_float_eq(num(py, "p95_ms"), 1000 + 1500.0 * 5 / 10, 1e-6);
        cr_expect_float_eq(num(py, "mean_ms"), (90 * 20.0 + 10 * 2000.0) / 100, 1e-6);
        cr_expect(num(cpp, "p99_ms") > 0 && num(cpp, "p99_ms") <= 5);

        cr_expect_eq(json_integer_value(json_object_get(s, "runs_total")), 101);
        cr_expect_eq(
            json_integer_value(json_object_get(json_object_get(s, "runs_by_verdict"), "OK")), 90);
        /* two statuses, one verdict: summed */
        cr_expect_eq(
            json_integer_value(json_object_get(json_object_get(s, "runs_by_verdict"), "Exception")),
            11);
        cr_expect_eq(json_integer_value(json_object_get(s, "running")), 0);
        cr_expect_eq(json_integer_value(json_object_get(s, "queued")), 0);
        cr_expect_str_eq(json_string_value(json_object_get(s, "warm_python")), "off");
        json_decref(s);
}

Test(console_status, past_the_last_bucket_is_the_last_bound)
{
        json_t *s, *l;

        metrics_run("slow", "Timeout", "timeout", 90.0, 0.0);
        s = metrics_status_json();
        l = language(s, "slow");
        cr_assert_not_null(l);
        cr_expect_float_eq(num(l, "p50_ms"), 60000, 1e-6);
        cr_expect_float_eq(num(l, "mean_ms"), 90000, 1e-6);
        json_decref(s);
}
