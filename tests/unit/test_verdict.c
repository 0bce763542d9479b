/* Unit tests: verdict.c's process status and the per-input views of a job
 * with several stdins, on the shipped Python and C++ recipes (the rules
 * that users' verdicts actually come from), read from languages/. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/verdict.h"
#include "lang/recipe.h"

static struct recipe *load(const char *key)
{
        char path[256], *text;
        struct err e = {0, ""};
        struct recipe *r;
        FILE *f;
        long n;

        snprintf(path, sizeof(path), "languages/%s.json", key);
        f = fopen(path, "r");
        cr_assert_not_null(f, "%s (run from the repository's root)", path);
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        rewind(f);
        text = malloc((size_t)n + 1);
        cr_assert_not_null(text);
        cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
        fclose(f);
        r = recipe_parse(text, (size_t)n, key, &e);
        free(text);
        cr_assert_not_null(r, "%s: %s", key, e.msg);
        return r;
}

/* Marks job step i as having run to exit code rc. */
static void ran(struct job *j, int i, int rc)
{
        j->steps[i].ran = j->steps[i].finished = true;
        j->steps[i].exit_code = rc;
        j->last_step = i;
}

Test(verdict, python_exit_codes_and_stderr)
{
        struct recipe *r = load("python");
        struct job *j = job_new(r, "", 0, "", 0);

        ran(j, 0, 0);
        cr_assert_str_eq(verdict_status(j), "OK");
        cr_assert_str_eq(verdict_process_status(j), "ok");
        cr_assert(verdict_passed(j));

        ran(j, 0, 1);
        buf_puts(&j->steps[0].err, "  File \"main.py\", line 1\nSyntaxError: invalid syntax\n");
        cr_assert_str_eq(verdict_status(j), "SyntaxError");
        cr_assert_str_eq(verdict_process_status(j), "runtime_error");
        cr_assert(!verdict_passed(j));

        buf_free(&j->steps[0].err);
        buf_puts(&j->steps[0].err, "AssertionError\n");
        cr_assert_str_eq(verdict_status(j), "Exception"); /* Python's recipe has no assert rule */
        job_free(j);
        recipe_free(r);
}

Test(verdict, process_status_order)
{
        struct recipe *r = load("python");
        struct job *j = job_new(r, "", 0, "", 0);

        /* killed by the memory limit: only when the program did not exit 0 */
        ran(j, 0, -SIGKILL);
        j->steps[0].term_signal = SIGKILL;
        j->usage.oom_killed = true;
        cr_assert_str_eq(verdict_process_status(j), "memory_limit");
        cr_assert_str_eq(verdict_status(j), "Exception");
        ran(j, 0, 0);
        j->steps[0].term_signal = 0;
        cr_assert_str_eq(verdict_process_status(j), "ok");
        j->usage.oom_killed = false;

        /* RLIMIT_CPU ends a program with SIGXCPU: a time-out for the native API */
        ran(j, 0, -SIGXCPU);
        j->steps[0].term_signal = SIGXCPU;
        cr_assert_str_eq(verdict_process_status(j), "timeout");
        j->steps[0].term_signal = 0;

        /* a truncated stream on a passing run is an output limit, not a failure */
        ran(j, 0, 0);
        buf_init(&j->steps[0].out, 4);
        buf_append(&j->steps[0].out, "123456", 6);
        cr_assert(buf_truncated(&j->steps[0].out));
        cr_assert_str_eq(verdict_process_status(j), "output_limit");
        cr_assert_str_eq(verdict_status(j), "OK");

        /* the sandbox broke: whatever the steps say */
        j->outcome = JOB_SANDBOX_ERROR;
        cr_assert_str_eq(verdict_process_status(j), "internal_error");
        cr_assert(!verdict_passed(j));
        job_free(j);
        recipe_free(r);
}

Test(verdict, compile_failure_is_a_compile_error)
{
        struct recipe *r = load("cpp");
        struct job *j = job_new(r, "", 0, "", 0);

        cr_assert_eq(r->nsteps, 2);
        ran(j, 0, 1);
        buf_puts(&j->steps[0].err, "main.cpp:1:1: error: expected unqualified-id\n");
        cr_assert_str_eq(verdict_status(j), "SyntaxError"); /* MultiPL-E eval_cpp */
        cr_assert_str_eq(verdict_process_status(j), "compile_error");
        cr_assert_eq(verdict_report_step(j), 0);
        cr_assert(!verdict_passed(j));
        job_free(j);
        recipe_free(r);
}

Test(verdict, each_input_of_a_multi_stdin_job_is_judged_on_its_own)
{
        struct recipe *r = load("cpp");
        struct job *j = job_new(r, "", 0, "", 0);
        char *inputs[] = {"1\n", "2\n", "3\n"};
        size_t lens[] = {2, 2, 2};

        cr_assert_eq(job_set_stdins(j, inputs, lens, 3), 0);
        /* job steps: 0 compile, 1..3 one run each (recipe step 1) */
        cr_assert_eq(job_recipe_step(j, 0), 0);
        cr_assert_eq(job_recipe_step(j, 3), 1);
        ran(j, 0, 0);
        ran(j, 1, 0);
        ran(j, 2, 3);
        ran(j, 3, 0);
        cr_assert_str_eq(verdict_status_at(j, 1), "OK");
        cr_assert(verdict_passed_at(j, 1));
        cr_assert_str_eq(verdict_status_at(j, 2), "Exception");
        cr_assert_str_eq(verdict_process_status_at(j, 2), "runtime_error");
        cr_assert(!verdict_passed_at(j, 2));
        cr_assert(verdict_passed_at(j, 3));
        /* the job as a whole is seen as its last step */
        cr_assert(verdict_passed(j));

        /* the whole job hit its deadline during input 3: only that input is a Timeout */
        j->outcome = JOB_TIMED_OUT;
        j->steps[3].exit_code = -1;
        cr_assert_str_eq(verdict_status_at(j, 3), "Timeout");
        cr_assert_str_eq(verdict_process_status_at(j, 3), "timeout");
        cr_assert_str_eq(verdict_status_at(j, 1), "OK");
        cr_assert(!verdict_passed_at(j, 1)); /* a timed-out job passes nothing */
        job_free(j);
        recipe_free(r);
}
