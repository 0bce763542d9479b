/* verdict: a finished job's MultiPL-E status and its process-level status.
 *
 * verdict_status() applies the recipe's ordered rules to the step results
 * (docs/recipes.md); verdict_process_status() says what happened to the
 * process for the native API: ok, runtime_error, compile_error, timeout,
 * memory_limit, output_limit, internal_error. */
#ifndef CODEEXEC_VERDICT_H
#define CODEEXEC_VERDICT_H

#include "job.h"

/* The step whose exit code and output the reply reports: the last that ran
 * (never negative for a completed job; 0 when none ran). */
int verdict_report_step(const struct job *job);
const char *verdict_status(const struct job *job);
const char *verdict_process_status(const struct job *job);
/* MultiPL-E's notion of passing: status OK and exit code 0. */
int verdict_passed(const struct job *job);

/* The same, seen as if job step `step` (one run of a multi-input job) were
 * the last to run: rules naming the recipe's run step look at it. */
const char *verdict_status_at(const struct job *job, int step);
const char *verdict_process_status_at(const struct job *job, int step);
int verdict_passed_at(const struct job *job, int step);

#endif
