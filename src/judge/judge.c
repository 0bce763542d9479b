/* judge: the engine of judge mode (judge.h).
 *
 * Theory of operation. judge_start() submits the compile jobs (the
 * submission's and, for a checker program, the checker's) and arms a kick
 * event; from then on everything happens in job completion callbacks and in
 * advance(), which is idempotent: it submits what may run (checks first,
 * then new tests, never more than `window` jobs of this judge in the
 * scheduler), emits the verdicts that are final, and ends the judge when
 * every test is decided and no job of it is left.
 *
 * Submitting is linear in the tests over the whole judge: new tests are
 * taken from a cursor (next_test) and tests whose checker is due from a
 * FIFO of their indices (check_queue), so advance() never rescans the
 * tests it has already started.
 *
 * Each test moves WAITING -> RUNNING (its program's box) -> CHECKING (the
 * checker program's box, only for CHECKER_PROGRAM) -> FINAL. A built-in
 * checker runs on the event loop as the run ends (linear in the output,
 * which --output-limit bounds). */
#define _GNU_SOURCE
#include "judge.h"

#include <event2/event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../exec/execpool.h"
#include "../exec/sched.h"
#include "../exec/verdict.h"
#include "../util/log.h"

/* Names of the checker program's three files in its /tmp. */
#define CHECK_INPUT "input.txt"
#define CHECK_OUTPUT "output.txt"
#define CHECK_ANSWER "answer.txt"
/* When the queue was full and none of our jobs is left to wake us. */
#define RETRY_US 20000
/* A judge of this many tests or more runs them in exec zygotes: fewer
 * would pay for starting one per slot and gain little. */
#define ZYGOTE_MIN_TESTS 3
/* Slack between the steps' own limits and a job's deadline, so that a step's
 * limit always fires first and is reported as its timeout. */
#define DEADLINE_SLACK_S 2.0

enum test_phase { T_WAITING, T_RUNNING, T_NEED_CHECK, T_CHECKING, T_FINAL };

/* What a job's completion callback needs to find its place. */
struct task {
        struct judge *j;
        size_t test; /* TASK_COMPILE_* for compile jobs */
};
#define TASK_COMPILE_PROGRAM SIZE_MAX
#define TASK_COMPILE_CHECKER (SIZE_MAX - 1)

struct judge_private {
        struct event_base *base;
        struct event *kick;
        struct task *tasks; /* one per test */
        struct task compile_task[2];
        struct job *compile_job[2]; /* in the scheduler, for judge_cancel */
        enum test_phase *phase;
        struct job **job;   /* per test: its job in the scheduler, or NULL */
        struct buf *output; /* per test: the program's whole stdout, while checking */
        /* tests in T_NEED_CHECK, oldest first: [check_head, check_tail); a
         * test enters once, so n slots suffice; an entry whose test became
         * final meanwhile (skipped) is dropped when it reaches the head */
        size_t *check_queue;
        size_t check_head, check_tail;
        size_t next_test; /* the next test to start */
        size_t inflight;  /* jobs of this judge in the scheduler */
        size_t window;
        size_t compiling;     /* compile jobs not yet done */
        size_t first_failure; /* stop_on_first_failure: lowest failed index */
        size_t next_emit;     /* stop_on_first_failure: emission is in index order */
        bool compiled_sent, done_sent, stopped;
        bool queue_known; /* j->queue_us is set */
};

static const char *const verdict_names[JV_MAX] = {
    [JV_AC] = "AC",   [JV_WA] = "WA",           [JV_PE] = "PE",           [JV_TLE] = "TLE",
    [JV_MLE] = "MLE", [JV_OLE] = "OLE",         [JV_RE] = "RE",           [JV_CE] = "CE",
    [JV_SE] = "SE",   [JV_SKIPPED] = "SKIPPED", [JV_PENDING] = "PENDING",
};

const char *judge_verdict_name(enum judge_verdict v)
{
        return v < JV_MAX ? verdict_names[v] : "SE";
}

static void advance(struct judge *j);

static void schedule_advance(struct judge *j, uint64_t after_us)
{
        struct timeval tv = {.tv_sec = (time_t)(after_us / 1000000),
                             .tv_usec = (suseconds_t)(after_us % 1000000)};

        if (evtimer_add(j->priv->kick, &tv) < 0)
                log_error("judge: cannot arm its timer");
}

/* A copy of the inputs of a template job, with stdin in. The copy runs the
 * recipe steps [first, first + count). */
static struct job *job_from_template(const struct job *t, const char *in, size_t in_len,
                                     size_t first, size_t count)
{
        struct job *job = job_new(t->recipe, t->code, t->code_len, in, in_len);
        double deadline = DEADLINE_SLACK_S;

        if (!job)
                return NULL;
        for (size_t i = 0; i < t->nextra_files; i++)
                if (job_add_file(job, t->extra_files[i].name, t->extra_files[i].data,
                                 t->extra_files[i].len) < 0)
                        goto fail;
        if (t->args) {
                size_t n = 0;

                while (t->args[n])
                        n++;
                job->args = calloc(n + 1, sizeof(char *));
                if (!job->args)
                        goto fail;
                for (size_t i = 0; i < n; i++)
                        if (!(job->args[i] = strdup(t->args[i])))
                                goto fail;
        }
        job->limits = t->limits;
        job->output_limit = t->output_limit;
        job->every_step_timeout_s = t->every_step_timeout_s;
        memcpy(job->recipe_step_timeout_s, t->recipe_step_timeout_s,
               sizeof(job->recipe_step_timeout_s));
        memcpy(job->recipe_step_cpu_ms, t->recipe_step_cpu_ms, sizeof(job->recipe_step_cpu_ms));
        if (job_select_steps(job, first, count) < 0)
                goto fail;
        for (size_t i = first; i < first + count; i++)
                deadline += job->recipe_step_timeout_s[i] > 0 ? job->recipe_step_timeout_s[i]
                                                              : t->recipe->steps[i].timeout_s;
        job->deadline_s = deadline;
        return job;
fail:
        job_free(job);
        return NULL;
}

/* Appends one more argument to job's argv tail. */
static int job_push_arg(struct job *job, const char *arg)
{
        size_t n = 0;
        char **args;

        while (job->args && job->args[n])
                n++;
        args = realloc(job->args, (n + 2) * sizeof(char *));
        if (!args)
                return -1;
        job->args = args;
        args[n + 1] = NULL;
        return (args[n] = strdup(arg)) ? 0 : -1;
}

static bool has_compile_step(const struct judge_program *p)
{
        return p->tmpl && p->tmpl->recipe->nsteps > 1;
}

/* A job that runs program p (its run step, from its artifact when it was
 * compiled) with stdin in. */
static struct job *program_run_job(const struct judge_program *p, const char *in, size_t in_len)
{
        size_t n = p->tmpl->recipe->nsteps;
        struct job *job = job_from_template(p->tmpl, in, in_len, n - 1, 1);

        if (job && p->artifact)
                job->artifact_in = sbx_artifact_ref(p->artifact);
        return job;
}

static void on_job_done(struct job *job, void *arg);

/* Submits job for task; false when the queue is full (job freed). */
static bool submit(struct judge *j, struct job *job, struct task *task)
{
        job->on_done = on_job_done;
        job->on_done_arg = task;
        if (sched_submit(job) < 0) {
                job_free(job);
                return false;
        }
        j->priv->inflight++;
        return true;
}

/* --- compiling ------------------------------------------------------- */

static void compile_decided(struct judge *j, struct judge_program *p, struct job *job)
{
        size_t last = p->tmpl->recipe->nsteps - 1;

        p->compiled = true;
        p->compile_job = job;
        p->compile_verdict = JV_AC;
        if (job->outcome == JOB_SANDBOX_ERROR) {
                p->compile_verdict = JV_SE;
                snprintf(p->compile_message, sizeof(p->compile_message), "%s", job->error);
        } else if (job->last_step < 0 || (size_t)job->last_step + 1 < last ||
                   !verdict_passed_at(job, job->last_step) ||
                   job->steps[job->last_step].exit_code != 0 ||
                   job->steps[job->last_step].timed_out || job->outcome == JOB_TIMED_OUT) {
                p->compile_verdict = JV_CE;
        } else if (!job->artifact_out) {
                p->compile_verdict = JV_SE;
                snprintf(p->compile_message, sizeof(p->compile_message),
                         "the compile steps left no program to run");
        } else {
                p->artifact = job->artifact_out;
                job->artifact_out = NULL;
        }
        p->compile_failed = p->compile_verdict != JV_AC;
        (void)j;
}

static bool start_compile(struct judge *j, struct judge_program *p, struct task *task)
{
        struct job *job;

        if (!has_compile_step(p)) {
                p->compiled = true;
                return true;
        }
        job = job_from_template(p->tmpl, "", 0, 0, p->tmpl->recipe->nsteps - 1);
        if (!job)
                return false;
        job->collect_artifact = true;
        if (!submit(j, job, task))
                return false;
        j->priv->compile_job[task->test == TASK_COMPILE_PROGRAM ? 0 : 1] = job;
        j->priv->compiling++;
        j->compiles++;
        return true;
}

/* --- tests ----------------------------------------------------------- */

static void keep_shown(struct judge *j, struct buf *dst, bool *truncated, bool *cut,
                       const struct buf *src)
{
        size_t n = src->len < j->spec.show_output_bytes ? src->len : j->spec.show_output_bytes;

        buf_init(dst, 0);
        if (n && buf_append(dst, src->data, n) < 0)
                log_error("judge: out of memory keeping a test's output");
        *cut = n < src->len;
        *truncated = buf_truncated(src) || *cut;
}

/* A test's verdict is final. */
static void finish_test(struct judge *j, size_t t, enum judge_verdict v)
{
        struct judge_private *p = j->priv;

        j->results[t].verdict = v;
        j->results[t].done = true;
        p->phase[t] = T_FINAL;
        buf_free(&p->output[t]);
        j->finished++;
        if (v == JV_AC)
                j->passed++;
        if (j->spec.stop_on_first_failure && v != JV_AC && v != JV_SKIPPED &&
            t < p->first_failure) {
                /* everything after it is skipped: cancel what runs. Past the
                 * previous first failure all is skipped already, so only up
                 * to it (which becomes skipped too): linear over the judge */
                size_t end = p->first_failure < j->total ? p->first_failure + 1 : j->total;

                p->first_failure = t;
                for (size_t k = t + 1; k < end; k++) {
                        if (p->phase[k] == T_FINAL) {
                                if (j->results[k].verdict == JV_AC)
                                        j->passed--;
                                j->results[k].verdict = JV_SKIPPED;
                                continue;
                        }
                        if (p->job[k]) {
                                job_cancel(p->job[k]);
                                p->job[k] = NULL;
                                p->inflight--;
                        }
                        j->results[k].verdict = JV_SKIPPED;
                        j->results[k].done = true;
                        p->phase[k] = T_FINAL;
                        buf_free(&p->output[k]);
                        j->finished++;
                }
                p->next_test = j->total;
        }
        if (!j->spec.stop_on_first_failure)
                j->on_event(j, JUDGE_TEST_DONE, t, j->on_event_arg);
}

/* A checker's word as a test verdict (a checker's failure is the judge's). */
static enum judge_verdict from_check(enum check_verdict c)
{
        switch (c) {
        case CHECK_AC:
                return JV_AC;
        case CHECK_WA:
                return JV_WA;
        case CHECK_PE:
                return JV_PE;
        default:
                return JV_SE;
        }
}

/* What the run of test t's program says, before any checker. */
static enum judge_verdict run_verdict(const struct job *job)
{
        const char *st;

        if (job->outcome == JOB_SANDBOX_ERROR)
                return JV_SE;
        st = verdict_process_status(job);
        if (strcmp(st, "timeout") == 0)
                return JV_TLE;
        if (strcmp(st, "memory_limit") == 0)
                return JV_MLE;
        if (strcmp(st, "runtime_error") == 0 || strcmp(st, "compile_error") == 0)
                return JV_RE;
        if (strcmp(st, "output_limit") == 0)
                return buf_truncated(&job->steps[verdict_report_step(job)].out) ? JV_OLE : JV_AC;
        if (strcmp(st, "ok") == 0)
                return JV_AC;
        return JV_SE;
}

static void run_done(struct judge *j, size_t t, struct job *job)
{
        struct judge_test_result *r = &j->results[t];
        const struct step_result *s = &job->steps[verdict_report_step(job)];
        const struct problem_test *test = &j->spec.problem->tests[t];
        enum judge_verdict v = run_verdict(job);

        r->exit_code = s->exit_code;
        r->term_signal = s->term_signal;
        r->wall_us = s->wall_us;
        r->cpu_us = s->cpu_us;
        r->memory_kb = job->usage.memory_peak_bytes / 1024;
        r->warm = job->warm;
        r->forked = job->in_exec_zygote;
        j->any_warm |= job->warm;
        r->status =
            job->outcome == JOB_SANDBOX_ERROR ? "internal_error" : verdict_process_status(job);
        r->run_verdict = job->outcome == JOB_SANDBOX_ERROR ? "SandboxError" : verdict_status(job);
        r->run_passed = verdict_passed(job);
        if (job->zygote)
                snprintf(r->zygote, sizeof(r->zygote), "%s", job->zygote);
        keep_shown(j, &r->out, &r->out_truncated, &r->out_cut, &s->out);
        keep_shown(j, &r->err, &r->err_truncated, &r->err_cut, &s->err);
        if (v == JV_SE)
                snprintf(r->message, sizeof(r->message), "%s", job->error);
        if (v != JV_AC || j->spec.no_checker) {
                finish_test(j, t, v);
                return;
        }
        if (j->spec.checker.kind == CHECKER_PROGRAM) {
                /* keep the whole output for the checker's box */
                struct buf *o = &j->priv->output[t];

                buf_init(o, 0);
                if (buf_append(o, s->out.data ? s->out.data : "", s->out.len) < 0) {
                        snprintf(r->message, sizeof(r->message), "out of memory");
                        finish_test(j, t, JV_SE);
                        return;
                }
                j->priv->phase[t] = T_NEED_CHECK;
                j->priv->check_queue[j->priv->check_tail++] = t;
                return;
        }
        finish_test(j, t,
                    from_check(checker_compare(&j->spec.checker, s->out.data ? s->out.data : "",
                                               s->out.len, test->expected, test->expected_len,
                                               r->message, sizeof(r->message))));
}

static struct job *checker_job(struct judge *j, size_t t)
{
        const struct problem_test *test = &j->spec.problem->tests[t];
        const struct buf *out = &j->priv->output[t];
        struct job *job = program_run_job(&j->checker, "", 0);
        const char *order[3] = {"/tmp/" CHECK_INPUT, "/tmp/" CHECK_OUTPUT, "/tmp/" CHECK_ANSWER};

        if (!job)
                return NULL;
        if (j->spec.checker_answer_first) {
                order[1] = "/tmp/" CHECK_ANSWER;
                order[2] = "/tmp/" CHECK_OUTPUT;
        }
        if (job_add_file(job, CHECK_INPUT, test->stdin_data, test->stdin_len) < 0 ||
            job_add_file(job, CHECK_OUTPUT, out->data ? out->data : "", out->len) < 0 ||
            job_add_file(job, CHECK_ANSWER, test->expected, test->expected_len) < 0 ||
            job_push_arg(job, order[0]) < 0 || job_push_arg(job, order[1]) < 0 ||
            job_push_arg(job, order[2]) < 0) {
                job_free(job);
                return NULL;
        }
        return job;
}

static void check_done(struct judge *j, size_t t, struct job *job)
{
        struct judge_test_result *r = &j->results[t];
        const struct step_result *s = &job->steps[verdict_report_step(job)];
        const struct buf *words = s->err.len ? &s->err : &s->out;
        enum judge_verdict v;
        double points = -1;

        snprintf(r->message, sizeof(r->message), "%.*s", (int)words->len,
                 words->data ? words->data : "");
        r->message[strcspn(r->message, "\n")] = '\0';
        if (job->outcome != JOB_COMPLETED) {
                snprintf(r->message, sizeof(r->message), "the checker %s",
                         job->outcome == JOB_TIMED_OUT ? "ran out of time" : "could not run");
                finish_test(j, t, JV_SE);
                return;
        }
        if (s->timed_out) {
                snprintf(r->message, sizeof(r->message), "the checker ran out of time");
                finish_test(j, t, JV_SE);
                return;
        }
        v = from_check(checker_program_verdict(
            s->exit_code, s->term_signal, words->data ? words->data : "", words->len, &points));
        r->points = points;
        finish_test(j, t, v);
}

static void on_job_done(struct job *job, void *arg)
{
        struct task *task = arg;
        struct judge *j = task->j;
        struct judge_private *p = j->priv;

        p->inflight--;
        if (!p->queue_known && job->t_started_us >= job->t_queued_us) {
                /* the first box of the judge: how long it waited for a slot */
                j->queue_us = job->t_started_us - job->t_queued_us;
                p->queue_known = true;
        }
        if (task->test == TASK_COMPILE_PROGRAM || task->test == TASK_COMPILE_CHECKER) {
                p->compiling--;
                p->compile_job[task->test == TASK_COMPILE_PROGRAM ? 0 : 1] = NULL;
                compile_decided(j, task->test == TASK_COMPILE_PROGRAM ? &j->prog : &j->checker,
                                job);
        } else {
                size_t t = task->test;

                p->job[t] = NULL;
                if (p->phase[t] == T_RUNNING) {
                        j->test_runs++;
                        run_done(j, t, job);
                } else if (p->phase[t] == T_CHECKING) {
                        j->checker_runs++;
                        check_done(j, t, job);
                }
                job_free(job);
        }
        advance(j);
}

/* --- driving --------------------------------------------------------- */

/* Both compiles are decided: the event, and every test skipped if one
 * failed. */
static void compiles_decided(struct judge *j)
{
        struct judge_private *p = j->priv;
        bool failed = j->prog.compile_failed || j->checker.compile_failed;

        p->compiled_sent = true;
        if (failed) {
                for (size_t t = 0; t < j->total; t++) {
                        j->results[t].verdict = JV_SKIPPED;
                        j->results[t].done = true;
                        p->phase[t] = T_FINAL;
                }
                j->finished = j->total;
                p->next_test = j->total;
                p->next_emit = j->total;
                p->stopped = true;
        }
        j->on_event(j, JUDGE_COMPILED, 0, j->on_event_arg);
        /* every test's (skipped) verdict, as if each had been decided */
        for (size_t t = 0; failed && t < j->total; t++)
                j->on_event(j, JUDGE_TEST_DONE, t, j->on_event_arg);
}

static enum judge_verdict overall(const struct judge *j)
{
        if (j->prog.compile_failed)
                return j->prog.compile_verdict;
        if (j->checker.compile_failed)
                return JV_SE;
        for (size_t t = 0; t < j->total; t++)
                if (j->results[t].verdict != JV_AC && j->results[t].verdict != JV_SKIPPED)
                        return j->results[t].verdict;
        return JV_AC;
}

/* Submits what may run now; false when the queue refused a job. */
static bool submit_ready(struct judge *j)
{
        struct judge_private *p = j->priv;

        /* checks first: their tests are nearly done */
        while (p->check_head < p->check_tail && p->inflight < p->window) {
                size_t t = p->check_queue[p->check_head];
                struct job *job;

                if (p->phase[t] != T_NEED_CHECK) { /* skipped since */
                        p->check_head++;
                        continue;
                }
                job = checker_job(j, t);
                if (!job) {
                        snprintf(j->results[t].message, sizeof(j->results[t].message),
                                 "out of memory");
                        p->check_head++;
                        finish_test(j, t, JV_SE);
                        continue;
                }
                p->phase[t] = T_CHECKING;
                p->job[t] = job;
                if (!submit(j, job, &p->tasks[t])) {
                        /* stays at the head for the next try */
                        p->job[t] = NULL;
                        p->phase[t] = T_NEED_CHECK;
                        return false;
                }
                p->check_head++;
        }
        while (p->next_test < j->total && p->inflight < p->window) {
                size_t t = p->next_test;
                const struct problem_test *test = &j->spec.problem->tests[t];
                struct job *job = program_run_job(&j->prog, test->stdin_data, test->stdin_len);

                /* every test runs the same program from the same files:
                 * forked from its exec zygote (exec/execpool.h) */
                if (job && j->total >= ZYGOTE_MIN_TESTS)
                        job->zygote_key = &j->prog;
                if (!job) {
                        snprintf(j->results[t].message, sizeof(j->results[t].message),
                                 "out of memory");
                        p->next_test++;
                        finish_test(j, t, JV_SE);
                        continue;
                }
                p->phase[t] = T_RUNNING;
                p->job[t] = job;
                if (!submit(j, job, &p->tasks[t])) {
                        p->job[t] = NULL;
                        p->phase[t] = T_WAITING;
                        return false;
                }
                p->next_test++;
        }
        return true;
}

static void advance(struct judge *j)
{
        struct judge_private *p = j->priv;

        if (p->done_sent)
                return;
        if (!p->compiled_sent) {
                if (p->compiling > 0)
                        return;
                compiles_decided(j);
        }
        if (!p->stopped && !submit_ready(j) && p->inflight == 0)
                schedule_advance(j, RETRY_US); /* queue full and nothing of ours to wake us */
        if (j->spec.stop_on_first_failure)
                while (p->next_emit < j->total && j->results[p->next_emit].done)
                        j->on_event(j, JUDGE_TEST_DONE, p->next_emit++, j->on_event_arg);
        if (j->finished == j->total && p->inflight == 0) {
                p->done_sent = true;
                execpool_forget(&j->prog);
                j->verdict = overall(j);
                j->t_done_us = job_now_us();
                j->on_event(j, JUDGE_DONE, 0, j->on_event_arg);
        }
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
        (void)fd;
        (void)what;
        advance(arg);
}

/* --- life ------------------------------------------------------------ */

static void spec_free(struct judge_spec *s)
{
        job_free(s->program);
        job_free(s->checker_program);
        problem_unref(s->problem);
        memset(s, 0, sizeof(*s));
}

void judge_free(struct judge *j)
{
        struct judge_private *p;

        if (!j)
                return;
        execpool_forget(&j->prog);
        p = j->priv;
        if (p) {
                if (p->kick)
                        event_free(p->kick);
                for (size_t t = 0; p->output && t < j->total; t++)
                        buf_free(&p->output[t]);
                free(p->output);
                free(p->tasks);
                free(p->check_queue);
                free(p->phase);
                free(p->job);
                free(p);
        }
        for (size_t t = 0; j->results && t < j->total; t++) {
                buf_free(&j->results[t].out);
                buf_free(&j->results[t].err);
        }
        free(j->results);
        job_free(j->prog.compile_job);
        job_free(j->checker.compile_job);
        sbx_artifact_unref(j->prog.artifact);
        sbx_artifact_unref(j->checker.artifact);
        spec_free(&j->spec);
        free(j);
}

void judge_cancel(struct judge *j)
{
        struct judge_private *p = j->priv;

        /* compile jobs and test jobs still in the scheduler free themselves */
        for (size_t t = 0; t < j->total; t++)
                if (p->job[t])
                        job_cancel(p->job[t]);
        for (size_t k = 0; k < 2; k++)
                if (p->compile_job[k])
                        job_cancel(p->compile_job[k]);
        judge_free(j);
}

struct judge *judge_start(struct judge_spec *spec, struct event_base *base, judge_event_fn fn,
                          void *arg, bool *busy)
{
        struct judge *j = calloc(1, sizeof(*j));
        struct judge_private *p = calloc(1, sizeof(*p));
        size_t n = spec->problem ? spec->problem->ntests : 0;

        *busy = false;
        if (!j || !p) {
                free(j);
                free(p);
                spec_free(spec);
                return NULL;
        }
        j->spec = *spec;
        memset(spec, 0, sizeof(*spec));
        j->priv = p;
        j->total = n;
        j->on_event = fn;
        j->on_event_arg = arg;
        j->t_start_us = job_now_us();
        j->prog.tmpl = j->spec.program;
        j->checker.tmpl = j->spec.checker_program;
        p->base = base;
        p->window = sched_max_running() ? sched_max_running() : 1;
        p->first_failure = SIZE_MAX;
        /* (at least one of each: a problem has tests, but never calloc 0) */
        j->results = calloc(n + 1, sizeof(*j->results));
        p->tasks = calloc(n + 1, sizeof(*p->tasks));
        p->phase = calloc(n + 1, sizeof(*p->phase));
        p->job = calloc(n + 1, sizeof(struct job *));
        p->output = calloc(n + 1, sizeof(*p->output));
        p->check_queue = calloc(n + 1, sizeof(*p->check_queue));
        p->kick = evtimer_new(base, on_kick, j);
        if (!j->results || !p->tasks || !p->phase || !p->job || !p->output || !p->check_queue ||
            !p->kick)
                goto fail;
        for (size_t t = 0; t < n; t++) {
                p->tasks[t].j = j;
                p->tasks[t].test = t;
                j->results[t].verdict = JV_PENDING;
                j->results[t].points = -1;
        }
        p->compile_task[0] = (struct task){j, TASK_COMPILE_PROGRAM};
        p->compile_task[1] = (struct task){j, TASK_COMPILE_CHECKER};
        if (!start_compile(j, &j->prog, &p->compile_task[0])) {
                *busy = true;
                goto fail;
        }
        if (j->checker.tmpl && !start_compile(j, &j->checker, &p->compile_task[1])) {
                /* the submission's compile is in the scheduler: let it run
                 * and fail the checker's as a judge failure */
                j->checker.compiled = true;
                j->checker.compile_failed = true;
                j->checker.compile_verdict = JV_SE;
                snprintf(j->checker.compile_message, sizeof(j->checker.compile_message),
                         "the run queue is full");
        }
        schedule_advance(j, 0);
        return j;
fail:
        if (p->compiling) {
                /* cannot happen: the first compile is the first submission */
                log_error("judge: start failed with a compile in flight");
        }
        judge_free(j);
        return NULL;
}
