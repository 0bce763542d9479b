/* job: one run of a program, from admission to verdict.
 *
 * A job owns its inputs (code, stdin, limits) and, once started, its box and
 * the libevent events watching it. The scheduler (sched.h) decides when it
 * starts; the job tells its owner it is done through on_done, exactly once,
 * unless it was cancelled first. States: QUEUED -> RUNNING -> DONE, or
 * QUEUED/RUNNING -> CANCELLED (the client went away). */
#ifndef CODEEXEC_JOB_H
#define CODEEXEC_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "../lang/recipe.h"
#include "../sandbox/sandbox.h"
#include "../util/buf.h"
#include "../util/jsoncost.h"

struct event_base;
struct job;

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_CANCELLED, JOB_STATE_MAX };

/* What happened to a run, server-side. */
enum job_outcome {
        JOB_COMPLETED,     /* the steps ran; see the step results */
        JOB_TIMED_OUT,     /* the whole run passed its deadline */
        JOB_SANDBOX_ERROR, /* the box could not be built: a server error */
};

/* A run of output that arrived on one stream: len bytes kept from stdout
 * (stream 0) or stderr (stream 1). With job->record_order, a step's pieces
 * in arrival order say how its two streams interleaved. */
struct out_piece {
        uint32_t stream;
        uint32_t len;
};

struct step_result {
        bool ran, finished, timed_out;
        /* job->stop_on_overflow: the stream (1 stdout, 2 stderr) whose chunk
         * overflowed its cap and ended the run; 0 when none did */
        int overflow;
        int exit_code; /* -1 on timeout, -signal when killed by one */
        int term_signal;
        uint64_t wall_us, cpu_us;
        uint64_t t_start_us; /* server clock, when PID 1 said the step started */
        struct buf out, err;
        struct out_piece *order; /* job->record_order: kept pieces, in arrival order */
        size_t norder, order_cap;
};

typedef void (*job_done_fn)(struct job *job, void *arg);

struct job {
        uint64_t id;
        enum job_state state;
        enum job_outcome outcome;
        const struct recipe *recipe;

        /* inputs (owned) */
        char *code;
        size_t code_len;
        char *stdin_data;
        size_t stdin_len;
        /* Time limits, most specific first: recipe_step_timeout_s[i] (> 0)
         * is recipe step i's; else every_step_timeout_s (> 0) replaces each
         * step's recipe limit; deadline_s bounds the whole run from the
         * box's start. "Recipe step" is a step of the language's recipe; a
         * job step (steps[] below) is one run of one, several per recipe
         * step with stdins. */
        double deadline_s;
        double every_step_timeout_s;
        double recipe_step_timeout_s[RECIPE_MAX_STEPS];
        uint64_t recipe_step_cpu_ms[RECIPE_MAX_STEPS]; /* > 0: RLIMIT_CPU of recipe step i */
        /* Several inputs: the recipe's last step runs once per input, after
         * the compile steps ran once (job steps nsteps-1 .. are those runs). */
        char **stdins;
        size_t *stdin_lens;
        size_t nstdins;
        /* With stdins: a run that fails (a non-zero exit, a signal, its time
         * limit) ends the job, the later inputs not run (Judge0's
         * number_of_runs); by default every input runs. */
        bool stdins_stop_at_failure;
        struct sbx_limits limits;
        size_t output_limit; /* bytes kept per stream */
        /* > 0: what every stream's kept output may cost in the reply, all
         * together, encoded as reply_cost says (util/jsoncost.h). Charged as
         * output arrives: later streams get what earlier ones left. */
        uint64_t reply_budget;
        enum jcost_mode reply_cost;
        bool budget_exempt[SBX_MAX_STEPS]; /* steps the server reads, never shown whole */
        struct sbx_file *extra_files;      /* written beside the program (owned) */
        size_t nextra_files;
        char **args; /* appended to the last step's argv (owned) */
        /* Extra compiler options (owned; Judge0's compiler_options): put
         * into every recipe step but the last, before its last "{src}"
         * argument (where compilers take options), or at its end when it
         * has none. */
        char **compile_args;
        /* Judge mode: compile once (a job of the compile steps with
         * collect_artifact, which leaves artifact_out when they all pass),
         * then one job per test (the run step, from artifact_in). The recipe
         * steps run are [first_step, first_step + step_count), set with
         * job_select_steps (default: all; stdins apply to the range's last
         * step). Both artifacts are owned references. A test job whose
         * zygote_key is set (the judge's program, never dereferenced) runs
         * in that program's exec zygote for its slot (exec/execpool.h). */
        size_t first_step, step_count;
        bool collect_artifact; /* /tmp archived, up to the box's tmpfs size */
        bool collect_always;   /* ... even after a failing step (files to fetch) */
        bool mnt_in_tmp;       /* the box's /mnt is a directory in its /tmp (sbx_spec) */
        struct sbx_artifact *artifact_in;
        struct sbx_artifact *artifact_out; /* NULL when a step failed (!collect_always) */
        const void *zygote_key;
        /* Piston's output rules (api/piston.c), off by default: record how
         * the streams interleaved (steps[i].order); and a chunk that does
         * not fit whole within its stream's cap is dropped whole and ends
         * the run at once (the box is killed; the step that was running
         * reports SIGKILL and steps[i].overflow), nothing after it kept. */
        bool record_order;
        bool stop_on_overflow;
        /* The last recipe step's stderr goes into its stdout pipe: one
         * stream in write order (Judge0's redirect_stderr_to_stdout). */
        bool merge_stderr;

        /* results */
        struct step_result steps[SBX_MAX_STEPS];
        size_t nsteps; /* job steps: the recipe's, its last once per input */
        int last_step; /* index of the last job step that ran, -1 if none */
        struct sbx_usage usage;
        char error[256]; /* JOB_SANDBOX_ERROR: what broke */
        bool budget_cut; /* output was dropped because reply_budget ran out */
        uint64_t t_queued_us, t_started_us, t_done_us;

        bool warm;           /* ran in a warm Python zygote (exec/warmpool.h) */
        char *zygote;        /* warm: which one (warmpool_zygote_name), owned; else NULL */
        bool in_exec_zygote; /* started in its judge's exec zygote (exec/execpool.h) */
        bool background;     /* a housekeeping job (sched_submit_background) */
        job_done_fn on_done;
        void *on_done_arg;

        struct job_private *priv; /* events, box, slot */
        struct job *next;         /* scheduler queue link */
};

/* Creates a job for recipe; takes ownership of nothing (copies code/stdin). */
struct job *job_new(const struct recipe *recipe, const char *code, size_t code_len,
                    const char *stdin_data, size_t stdin_len);
void job_free(struct job *job);

/* Runs the recipe's last step once per input (copied); at most
 * SBX_MAX_STEPS - (recipe steps - 1) inputs. Returns -1 on bad count / OOM. */
int job_set_stdins(struct job *job, char *const *inputs, const size_t *lens, size_t n);
/* Runs recipe steps [first, first + count) only (1 <= count); -1 when out
 * of the recipe's range or over SBX_MAX_STEPS with the stdins set. */
int job_select_steps(struct job *job, size_t first, size_t count);
/* The recipe step that job step i runs. */
size_t job_recipe_step(const struct job *job, size_t i);

/* Step st's output as its two streams arrived (job->record_order): calls
 * piece(ctx, ...) with each recorded piece in order, then with whatever the
 * record missed (it could not grow), stdout before stderr. Stops at the
 * first piece that returns -1, and returns -1 then. */
int job_each_piece(const struct step_result *st,
                   int (*piece)(void *ctx, const char *data, size_t len), void *ctx);

/* Adds a file beside the program (copied). Returns -1 when out of memory. */
int job_add_file(struct job *job, const char *name, const char *data, size_t len);

/* Builds the box and starts watching it (called by the scheduler). On
 * failure the job completes with JOB_SANDBOX_ERROR (on_done still runs,
 * from the event loop). */
void job_start(struct job *job, struct event_base *base, unsigned slot);

/* The client is gone: kill the box if running. on_done will not be called;
 * the job frees itself when its box is gone (or at once if queued). */
void job_cancel(struct job *job);

unsigned job_slot(const struct job *job);
uint64_t job_now_us(void);

#endif
