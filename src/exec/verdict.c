/* verdict: applying a recipe's rules to a job's results (see verdict.h). */
#define _GNU_SOURCE
#include "verdict.h"

#include <signal.h>
#include <string.h>

int verdict_report_step(const struct job *job)
{
        return job->last_step >= 0 ? job->last_step : 0;
}

static int contains(const struct buf *b, const char *needle)
{
        if (!needle[0])
                return 1;
        return b->len && memmem(b->data, b->len, needle, strlen(needle)) != NULL;
}

static int rule_matches(const struct job *job, const struct verdict_rule *rule, int view)
{
        int run_step = (int)job->recipe->nsteps - 1;
        int idx = rule->step < 0 || rule->step == run_step ? view : rule->step;
        const struct step_result *r;

        if (idx < 0 || (size_t)idx >= job->nsteps)
                return recipe_rule_unconditional(rule);
        r = &job->steps[idx];
        if (!r->ran)
                return 0;
        if (rule->timeout >= 0 && (int)r->timed_out != rule->timeout)
                return 0;
        switch (rule->exit_kind) {
        case RULE_EXIT_ANY:
                break;
        case RULE_EXIT_ZERO:
                if (r->timed_out || r->exit_code != 0)
                        return 0;
                break;
        case RULE_EXIT_NONZERO:
                if (!r->timed_out && r->exit_code == 0)
                        return 0;
                break;
        case RULE_EXIT_EQ:
                if (r->exit_code != rule->exit_value)
                        return 0;
                break;
        }
        if (rule->stdout_contains && !contains(&r->out, rule->stdout_contains))
                return 0;
        if (rule->stderr_contains && !contains(&r->err, rule->stderr_contains))
                return 0;
        if (rule->output_contains && !contains(&r->out, rule->output_contains) &&
            !contains(&r->err, rule->output_contains))
                return 0;
        if (rule->stdout_empty >= 0 && (r->out.len == 0) != rule->stdout_empty)
                return 0;
        if (rule->stderr_empty >= 0 && (r->err.len == 0) != rule->stderr_empty)
                return 0;
        return 1;
}

const char *verdict_status_at(const struct job *job, int step)
{
        const struct recipe *rc = job->recipe;

        if (job->outcome == JOB_TIMED_OUT && step == job->last_step)
                return "Timeout";
        for (size_t i = 0; i < rc->nrules; i++)
                if (rule_matches(job, &rc->rules[i], step))
                        return rc->rules[i].status;
        return "Exception";
}

const char *verdict_status(const struct job *job)
{
        return verdict_status_at(job, job->last_step);
}

const char *verdict_process_status_at(const struct job *job, int step)
{
        int idx = step >= 0 ? step : 0;
        const struct step_result *r = &job->steps[idx];

        if (job->outcome == JOB_SANDBOX_ERROR)
                return "internal_error";
        if ((job->outcome == JOB_TIMED_OUT && step == job->last_step) || r->timed_out ||
            r->term_signal == SIGXCPU)
                return "timeout"; /* wall limit, or the CPU limit (RLIMIT_CPU) */
        if (job->usage.oom_killed && r->exit_code != 0)
                return "memory_limit";
        if (job_recipe_step(job, (size_t)idx) + 1 < job->recipe->nsteps && r->exit_code != 0)
                return "compile_error";
        if (r->exit_code != 0)
                return "runtime_error";
        if (buf_truncated(&r->out) || buf_truncated(&r->err))
                return "output_limit";
        return "ok";
}

const char *verdict_process_status(const struct job *job)
{
        return verdict_process_status_at(job, verdict_report_step(job));
}

int verdict_passed_at(const struct job *job, int step)
{
        int idx = step >= 0 ? step : 0;

        return job->outcome == JOB_COMPLETED && strcmp(verdict_status_at(job, step), "OK") == 0 &&
               job->steps[idx].exit_code == 0;
}

int verdict_passed(const struct job *job)
{
        return verdict_passed_at(job, job->last_step);
}
