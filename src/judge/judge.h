/* judge: one submission against a problem's tests — a job of jobs.
 *
 * The program is compiled once, in a box of its own that keeps its /tmp as
 * an artifact (sandbox.h); then every test runs in a fresh box made from
 * that artifact (one-step languages run their source, warm when they can),
 * and its output goes to the checker: a built-in comparator (checker.h), or
 * a checker program compiled once the same way and run in a box of its own
 * per test with input, output and answer files.
 *
 * Fairness: a judge keeps at most as many of its jobs in the scheduler as
 * there are slots, submitting the next test when one ends, so other
 * clients' runs queue behind one round of a judge, never behind all of its
 * tests. A judge whose submission meets a full queue waits for its own next
 * completion (or a short timer) and tries again.
 *
 * The owner (an endpoint) hears of progress through one callback: once when
 * the compiles are decided, once per test as its verdict is final (in index
 * order when stop_on_first_failure, else in completion order), and once at
 * the end. A test runner is one state machine per test (judge.c); an
 * interactive runner (program and interactor over pipes) would be another
 * kind of test job with the same events. */
#ifndef CODEEXEC_JUDGE_H
#define CODEEXEC_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bank/problem.h"
#include "../exec/job.h"
#include "../util/buf.h"
#include "checker.h"

struct event_base;

enum judge_verdict {
        JV_AC,
        JV_WA,
        JV_PE,
        JV_TLE,
        JV_MLE,
        JV_OLE,
        JV_RE,
        JV_CE,
        JV_SE,
        JV_SKIPPED,
        JV_PENDING,
        JV_MAX,
};

const char *judge_verdict_name(enum judge_verdict v);

/* A program the judge runs: the submission or a checker program. tmpl holds
 * its recipe, code, files, arguments and limits (never started itself). */
struct judge_program {
        struct job *tmpl;
        /* compile results, once decided */
        bool compiled; /* compile done (or no compile step) */
        bool compile_failed;
        enum judge_verdict compile_verdict; /* JV_CE, JV_SE or JV_AC */
        struct job *compile_job;            /* kept for the reply; NULL without a compile step */
        struct sbx_artifact *artifact;
        char compile_message[256];
};

/* What the reply shows of one test. */
struct judge_test_result {
        enum judge_verdict verdict;
        bool done;
        int exit_code;
        int term_signal;
        uint64_t wall_us, cpu_us, memory_kb;
        struct buf out, err; /* at most show_output_bytes each */
        bool out_truncated, err_truncated;
        bool out_cut, err_cut; /* cut to show_output_bytes (the program's output was longer) */
        bool warm;
        bool forked;   /* started in the judge's exec zygote (exec/execpool.h) */
        double points; /* a checker program's "points N", or -1 */
        /* the run as /v1/run describes it (verdict.h): process status,
         * the recipe's MultiPL-E verdict and passing; static strings */
        const char *status, *run_verdict;
        bool run_passed;
        char zygote[64];   /* warm: which zygote ran it */
        char message[256]; /* checker's or the judge's words */
};

struct judge_spec {
        struct job *program;     /* template of the submission (owned) */
        struct problem *problem; /* one reference (owned) */
        struct checker_opts checker;
        bool no_checker;             /* /v1/run's stdins: a test passes when its run does */
        struct job *checker_program; /* CHECKER_PROGRAM: its template (owned) */
        bool checker_answer_first;   /* argv "input answer output" */
        bool stop_on_first_failure;
        size_t show_output_bytes;
};

enum judge_event { JUDGE_COMPILED, JUDGE_TEST_DONE, JUDGE_DONE };

struct judge;
typedef void (*judge_event_fn)(struct judge *j, enum judge_event ev, size_t test, void *arg);

struct judge {
        struct judge_spec spec;
        struct judge_program prog, checker;
        struct judge_test_result *results; /* problem->ntests */
        size_t total, passed, finished;
        enum judge_verdict verdict; /* decided at JUDGE_DONE */
        uint64_t t_start_us, t_done_us;
        uint64_t queue_us; /* how long the judge's first box waited for a slot */
        bool any_warm;
        unsigned compiles;              /* compile boxes started */
        size_t test_runs, checker_runs; /* test and checker boxes finished */
        judge_event_fn on_event;
        void *on_event_arg;
        struct judge_private *priv;
};

/* Starts judging (takes ownership of spec's contents). Returns NULL when
 * nothing could be submitted (the queue is full: *busy is set; or out of
 * memory); spec's contents are freed then. */
struct judge *judge_start(struct judge_spec *spec, struct event_base *base, judge_event_fn fn,
                          void *arg, bool *busy);
/* The client is gone: cancel every job; the judge frees itself (no more
 * events). */
void judge_cancel(struct judge *j);
/* Frees a judge after its JUDGE_DONE event. */
void judge_free(struct judge *j);

#endif
