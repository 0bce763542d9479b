/* job: running one program in a box and collecting its results.
 *
 * Theory of operation. job_start() turns the recipe into a sandbox spec
 * (argv and env placeholders expanded, the code wrapped in the recipe's
 * prefix and suffix) and spawns the box. Then libevent watches, all
 * non-blocking: the pidfd of the box's PID 1 (readable when it exits), the
 * status socket (step start and end records), one pipe per stream per step
 * (drained as data arrives into capped buffers, so a program never stalls on
 * a full pipe; bytes past the cap, or past what the reply budget has left,
 * are counted and dropped; at most 1 MiB per pipe per loop turn; with
 * record_order, which stream each kept piece came from, in arrival order;
 * with stop_on_overflow, a chunk past the cap kills the box), and a deadline
 * timer for the whole run. The job is finished when PID 1 has exited and
 * every pipe and the status socket reached EOF, or a short drain grace after
 * PID 1's exit has passed. Then the box is released, the slot returned to the
 * scheduler, and on_done called — unless the client cancelled, in which case
 * the job frees itself. */
#define _GNU_SOURCE
#include "job.h"

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../util/log.h"
#include "../util/strv.h"
#include "env.h"
#include "execpool.h"
#include "sched.h"
#include "warmpool.h"

#define DRAIN_GRACE_S 2.0
/* Output is read in chunks, at most OUTPUT_READS_PER_TURN per pipe per loop
 * turn (1 MiB). */
#define OUTPUT_CHUNK_BYTES 65536
#define OUTPUT_READS_PER_TURN 16
/* The deadline of a job that sets none (background jobs, version probes). */
#define NO_DEADLINE_S 3600.0

struct job_private {
        struct event_base *base;
        unsigned slot;
        bool started;
        struct sbx_box box;
        struct event *ev_pidfd, *ev_status, *ev_timer, *ev_drain, *ev_done;
        struct event *ev_out[SBX_MAX_STEPS][2];
        int open_streams;
        bool exited, status_eof, finished;
        bool cold_only;      /* a warm attempt failed: this job runs cold */
        bool overflowed;     /* stop_on_overflow fired: the box is being killed */
        pid_t zygote_pid;    /* the warm zygote the run was sent to */
        bool exec_zygote;    /* ... an exec zygote (execpool.h) */
        siginfo_t init_exit; /* how the box's PID 1 ended */
        /* memory the spec points into while the box is being built */
        char **argv[SBX_MAX_STEPS];
        char **envp;
        char *source;
        size_t source_len;
        struct sbx_file *files; /* the program, then the request's extra files */
        struct sbx_overlay *overlays;
        /* the reply budget (job->reply_budget) left, and each stream's meter */
        uint64_t budget_left;
        struct jcost_meter meter[SBX_MAX_STEPS][2];
};

static uint64_t next_job_id;

uint64_t job_now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

struct job *job_new(const struct recipe *recipe, const char *code, size_t code_len,
                    const char *stdin_data, size_t stdin_len)
{
        struct job *job = calloc(1, sizeof(*job));

        if (!job)
                return NULL;
        job->priv = calloc(1, sizeof(*job->priv));
        job->code = malloc(code_len + 1);
        job->stdin_data = malloc(stdin_len + 1);
        if (!job->priv || !job->code || !job->stdin_data) {
                job_free(job);
                return NULL;
        }
        memcpy(job->code, code, code_len);
        job->code[code_len] = '\0';
        job->code_len = code_len;
        if (stdin_len)
                memcpy(job->stdin_data, stdin_data, stdin_len);
        job->stdin_len = stdin_len;
        job->recipe = recipe;
        job->id = ++next_job_id;
        job->last_step = -1;
        job->nsteps = recipe->nsteps;
        job->step_count = recipe->nsteps;
        job->t_queued_us = job_now_us();
        for (size_t i = 0; i < SBX_MAX_STEPS; i++) {
                buf_init(&job->steps[i].out, 0);
                buf_init(&job->steps[i].err, 0);
        }
        return job;
}

static void free_spec_memory(struct job_private *p)
{
        for (size_t i = 0; i < SBX_MAX_STEPS; i++) {
                strv_free(p->argv[i]);
                p->argv[i] = NULL;
        }
        strv_free(p->envp);
        p->envp = NULL;
        free(p->source);
        p->source = NULL;
        free(p->files);
        p->files = NULL;
        free(p->overlays);
        p->overlays = NULL;
}

static void free_events(struct job_private *p)
{
        struct event **all[] = {&p->ev_pidfd, &p->ev_status, &p->ev_timer, &p->ev_drain,
                                &p->ev_done};

        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
                if (*all[i]) {
                        event_free(*all[i]);
                        *all[i] = NULL;
                }
        for (size_t s = 0; s < SBX_MAX_STEPS; s++)
                for (int k = 0; k < 2; k++)
                        if (p->ev_out[s][k]) {
                                event_free(p->ev_out[s][k]);
                                p->ev_out[s][k] = NULL;
                        }
}

void job_free(struct job *job)
{
        if (!job)
                return;
        if (job->priv) {
                free_events(job->priv);
                free_spec_memory(job->priv);
                free(job->priv);
        }
        for (size_t i = 0; i < SBX_MAX_STEPS; i++) {
                buf_free(&job->steps[i].out);
                buf_free(&job->steps[i].err);
                free(job->steps[i].order);
        }
        for (size_t i = 0; i < job->nextra_files; i++) {
                free((char *)job->extra_files[i].name);
                free((char *)job->extra_files[i].data);
        }
        free(job->extra_files);
        strv_free(job->args);
        strv_free(job->compile_args);
        strv_free(job->stdins);
        free(job->stdin_lens);
        free(job->code);
        free(job->stdin_data);
        free(job->zygote);
        sbx_artifact_unref(job->artifact_in);
        sbx_artifact_unref(job->artifact_out);
        free(job);
}

/* The last recipe step the job runs: the one stdins apply to. */
static size_t last_recipe_step(const struct job *job)
{
        return job->first_step + job->step_count - 1;
}

size_t job_recipe_step(const struct job *job, size_t i)
{
        size_t last = last_recipe_step(job);

        return job->first_step + i < last ? job->first_step + i : last;
}

int job_select_steps(struct job *job, size_t first, size_t count)
{
        size_t runs = job->nstdins ? job->nstdins : 1;

        if (count == 0 || first >= job->recipe->nsteps || count > job->recipe->nsteps - first ||
            count - 1 + runs > SBX_MAX_STEPS)
                return -1;
        job->first_step = first;
        job->step_count = count;
        job->nsteps = count - 1 + runs;
        return 0;
}

int job_set_stdins(struct job *job, char *const *inputs, const size_t *lens, size_t n)
{
        size_t compile = job->step_count - 1;

        if (n == 0 || compile + n > SBX_MAX_STEPS || job->stdins)
                return -1;
        job->stdins = calloc(n + 1, sizeof(char *));
        job->stdin_lens = calloc(n, sizeof(size_t));
        if (!job->stdins || !job->stdin_lens)
                return -1;
        for (size_t i = 0; i < n; i++) {
                job->stdins[i] = malloc(lens[i] + 1);
                if (!job->stdins[i])
                        return -1;
                memcpy(job->stdins[i], inputs[i], lens[i]);
                job->stdin_lens[i] = lens[i];
        }
        job->nstdins = n;
        job->nsteps = compile + n;
        return 0;
}

int job_add_file(struct job *job, const char *name, const char *data, size_t len)
{
        struct sbx_file *grown =
            realloc(job->extra_files, (job->nextra_files + 1) * sizeof(*grown));
        char *n, *d;

        if (!grown)
                return -1;
        job->extra_files = grown;
        n = strdup(name);
        d = malloc(len + 1);
        if (!n || !d) {
                free(n);
                free(d);
                return -1;
        }
        memcpy(d, data, len);
        grown[job->nextra_files].name = n;
        grown[job->nextra_files].data = d;
        grown[job->nextra_files].len = len;
        grown[job->nextra_files].executable = false;
        job->nextra_files++;
        return 0;
}

unsigned job_slot(const struct job *job)
{
        return job->priv->slot;
}

static void finish(struct job *job);

/* An event of a running box could not be armed (out of memory): the job
 * ends as a sandbox error, its box killed and released by finish(). */
static void fail_watch(struct job *job, const char *what)
{
        if (job->outcome != JOB_SANDBOX_ERROR) {
                job->outcome = JOB_SANDBOX_ERROR;
                snprintf(job->error, sizeof(job->error), "cannot watch the box: %s", what);
        }
        finish(job);
}

static void maybe_finish(struct job *job)
{
        struct job_private *p = job->priv;

        if (p->exited && p->status_eof && p->open_streams == 0)
                finish(job);
}

static void on_drain_timeout(evutil_socket_t fd, short what, void *arg)
{
        (void)fd;
        (void)what;
        /* PID 1 is gone but a pipe is still open: something in the box is
         * slow to die. Finish with what we have. */
        finish(arg);
}

/* PID 1 is gone: usage is final; give the pipes a short grace to drain. */
static void box_exited(struct job *job)
{
        struct job_private *p = job->priv;
        struct timeval grace = {(time_t)DRAIN_GRACE_S, 0};

        p->exited = true;
        sbx_usage(&p->box, &job->usage);
        p->ev_drain = event_new(p->base, -1, 0, on_drain_timeout, job);
        if (!p->ev_drain || event_add(p->ev_drain, &grace) < 0) {
                /* Without the grace timer a pipe held open would hold the
                 * job forever: end it now. */
                fail_watch(job, "the drain timer");
                return;
        }
        maybe_finish(job);
}

static void on_pidfd(evutil_socket_t fd, short what, void *arg)
{
        struct job *job = arg;
        struct job_private *p = job->priv;
        siginfo_t info;

        (void)what;
        memset(&info, 0, sizeof(info));
        while (waitid((idtype_t)P_PIDFD, (id_t)fd, &info, WEXITED) < 0 && errno == EINTR)
                ;
        p->init_exit = info;
        box_exited(job);
}

static void record_step_end(struct job *job, const struct sbx_msg *m)
{
        struct step_result *r;

        if (m->step >= job->nsteps)
                return;
        r = &job->steps[m->step];
        r->finished = true;
        r->timed_out = m->timed_out != 0;
        r->wall_us = m->wall_us;
        r->cpu_us = m->cpu_us;
        if (r->timed_out)
                r->exit_code = -1;
        else if (WIFEXITED(m->wstatus))
                r->exit_code = WEXITSTATUS(m->wstatus);
        else if (WIFSIGNALED(m->wstatus)) {
                r->term_signal = WTERMSIG(m->wstatus);
                r->exit_code = -r->term_signal;
        }
}

static void on_status(evutil_socket_t fd, short what, void *arg)
{
        struct job *job = arg;
        struct job_private *p = job->priv;
        struct sbx_msg m;
        int rc;

        (void)what;
        (void)fd;
        while ((rc = sbx_read_msg(&p->box, &m)) == 1) {
                switch ((enum sbx_msg_type)m.type) {
                case SBX_MSG_STEP_START:
                        if (m.step < job->nsteps) {
                                job->steps[m.step].ran = true;
                                job->steps[m.step].t_start_us = job_now_us();
                                job->last_step = (int)m.step;
                        }
                        break;
                case SBX_MSG_STEP_END:
                        record_step_end(job, &m);
                        break;
                case SBX_MSG_SETUP_ERROR:
                        if (job->outcome != JOB_TIMED_OUT) {
                                job->outcome = JOB_SANDBOX_ERROR;
                                snprintf(job->error, sizeof(job->error), "%.200s", m.text);
                        }
                        break;
                }
        }
        if (rc == 0 || (rc < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                event_del(p->ev_status);
                p->status_eof = true;
                /* A warm run's PID 1 is not our child: the end of its status
                 * socket is the end of the box. */
                if (p->box.warm && !p->exited) {
                        box_exited(job);
                        return;
                }
                maybe_finish(job);
        }
}

/* Notes that len more bytes of stream k arrived (job->record_order): they
 * extend the last piece when it is of the same stream. Pieces are never
 * more than the bytes kept, so this is bounded by the output caps. */
static void record_piece(struct job *job, struct step_result *r, size_t k, size_t len)
{
        struct out_piece *last = r->order && r->norder ? &r->order[r->norder - 1] : NULL;

        if (last && last->stream == k && (uint64_t)last->len + len <= UINT32_MAX) {
                last->len += (uint32_t)len;
                return;
        }
        if (!r->order || r->norder == r->order_cap) {
                size_t cap = r->order_cap ? 2 * r->order_cap : 16;
                struct out_piece *grown = realloc(r->order, cap * sizeof(*grown));

                if (!grown) {
                        log_error("job %llu: out of memory for the output's order",
                                  (unsigned long long)job->id);
                        return;
                }
                r->order = grown;
                r->order_cap = cap;
        }
        r->order[r->norder].stream = (uint32_t)k;
        r->order[r->norder].len = (uint32_t)len;
        r->norder++;
}

/* Keeps what fits of n new bytes of step s's stream k: within the stream's
 * own cap, then within what is left of the reply budget (bytes past the cap
 * cost nothing: they are dropped anyway). Everything not kept is counted as
 * dropped, so the stream says it was truncated. */
static void keep_output(struct job *job, size_t s, size_t k, struct buf *b, const char *chunk,
                        size_t n)
{
        struct job_private *p = job->priv;
        size_t room = !b->limit ? n : b->len < b->limit ? b->limit - b->len : 0;
        size_t offer = n < room ? n : room, keep = offer;

        if (job->stop_on_overflow && (p->overflowed || offer < n)) {
                /* Piston's rule: the chunk that does not fit is dropped
                 * whole, and the run ends there. */
                if (!p->overflowed) {
                        p->overflowed = true;
                        job->steps[s].overflow = (int)k + 1;
                        sbx_kill(&p->box);
                }
                b->dropped += n;
                return;
        }
        if (job->reply_budget && offer && !job->budget_exempt[s]) {
                keep = jcost_fit(&p->meter[s][k], job->reply_cost, chunk, offer, &p->budget_left);
                if (keep < offer)
                        job->budget_cut = true;
        }
        if (buf_append(b, chunk, keep) < 0)
                log_error("job %llu: out of memory for output", (unsigned long long)job->id);
        else if (keep && job->record_order)
                record_piece(job, &job->steps[s], k, keep);
        b->dropped += n - keep;
}

static void on_output(evutil_socket_t fd, short what, void *arg)
{
        struct job *job = arg;
        struct job_private *p = job->priv;
        char chunk[OUTPUT_CHUNK_BYTES];
        size_t s, k;

        (void)what;
        for (s = 0; s < SBX_MAX_STEPS; s++)
                for (k = 0; k < 2; k++)
                        if (p->box.out_fd[s][k] == fd)
                                goto found;
        return;
found:
        /* A bounded number of reads per turn: a program writing as fast as
         * it can must not keep the loop from everyone else (the event fires
         * again). */
        for (int turn = 0; turn < OUTPUT_READS_PER_TURN; turn++) {
                ssize_t n = read(fd, chunk, sizeof(chunk));
                struct buf *b = k == 0 ? &job->steps[s].out : &job->steps[s].err;

                if (n > 0) {
                        keep_output(job, s, k, b, chunk, (size_t)n);
                        continue;
                }
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return;
                if (n < 0 && errno == EINTR)
                        continue;
                /* EOF or error: this stream is done. */
                event_del(p->ev_out[s][k]);
                close(fd);
                p->box.out_fd[s][k] = -1;
                p->open_streams--;
                maybe_finish(job);
                return;
        }
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
        struct job *job = arg;

        (void)fd;
        (void)what;
        if (job->outcome == JOB_COMPLETED)
                job->outcome = JOB_TIMED_OUT;
        sbx_kill(&job->priv->box);
}

static void on_done_event(evutil_socket_t fd, short what, void *arg)
{
        struct job *job = arg;

        (void)fd;
        (void)what;
        if (job->state == JOB_CANCELLED) {
                job_free(job);
                return;
        }
        job->state = JOB_DONE;
        if (job->on_done)
                job->on_done(job, job->on_done_arg);
}

/* Steps that started but never reported their end: either the whole run
 * passed its deadline (the server killed the box: report them as timed
 * out, with the time they had), or the box's PID 1 died under them, which
 * is the sandbox's failure, never the program's. */
static void settle_unfinished_steps(struct job *job)
{
        struct job_private *p = job->priv;
        bool any_ran = false;

        for (size_t i = 0; i < job->nsteps; i++) {
                struct step_result *r = &job->steps[i];

                any_ran = any_ran || r->ran;
                if (!r->ran || r->finished)
                        continue;
                r->wall_us = job->t_done_us - r->t_start_us;
                if (job->outcome == JOB_TIMED_OUT) {
                        r->timed_out = true;
                        r->exit_code = -1;
                        if (job->nsteps == 1)
                                r->cpu_us = job->usage.cpu_us;
                } else if (p->overflowed || job->usage.oom_killed) {
                        /* Killed for output past its cap (stop_on_overflow),
                         * or by the kernel's OOM killer, which chose PID 1 in
                         * the box's own cgroup, holding nothing but the run:
                         * the run exhausted its memory. Neither is the
                         * sandbox's failure, nor run again cold. */
                        r->term_signal = SIGKILL;
                        r->exit_code = -SIGKILL;
                } else if (job->outcome == JOB_COMPLETED && job->state != JOB_CANCELLED) {
                        job->outcome = JOB_SANDBOX_ERROR;
                        snprintf(job->error, sizeof(job->error),
                                 "the box ended during step %zu (PID 1 %s %d)", i,
                                 p->init_exit.si_code == CLD_EXITED ? "exited with"
                                                                    : "killed by signal",
                                 p->init_exit.si_status);
                }
        }
        /* The deadline passed before the first step began: the box never
         * finished its set-up, which is no verdict on the program. */
        if (!any_ran && job->outcome == JOB_TIMED_OUT && job->state != JOB_CANCELLED) {
                job->outcome = JOB_SANDBOX_ERROR;
                snprintf(job->error, sizeof(job->error),
                         "the box did not finish its set-up before the deadline");
        }
        if (!any_ran && job->outcome == JOB_COMPLETED && job->state != JOB_CANCELLED) {
                job->outcome = JOB_SANDBOX_ERROR;
                snprintf(job->error, sizeof(job->error),
                         "the box ended before running anything (PID 1 %s %d)",
                         p->init_exit.si_code == CLD_EXITED ? "exited with" : "killed by signal",
                         p->init_exit.si_status);
        }
}

/* The slot goes back to the scheduler, and the owner hears of the end from
 * a fresh callback, so that it may free the job. */
static void hand_back(struct job *job)
{
        struct job_private *p = job->priv;

        sched_job_finished(job, p->slot);
        p->ev_done = event_new(p->base, -1, 0, on_done_event, job);
        if (!p->ev_done) {
                /* Out of memory: tell the owner now. Every caller returns
                 * at once, touching the job no more. */
                log_error("job %llu: out of memory: reporting its end at once",
                          (unsigned long long)job->id);
                on_done_event(-1, 0, job);
                return;
        }
        event_active(p->ev_done, 0, 0);
}

/* A warm run broke for a reason that was not the program's (its zygote died
 * or could not build the run's box): run it again, cold, in the same slot,
 * as if nothing had happened. */
static void rerun_cold(struct job *job)
{
        struct job_private *p = job->priv;

        log_warn("job %llu: warm run failed (%s); running it cold", (unsigned long long)job->id,
                 job->error);
        if (p->exec_zygote) {
                execpool_broken(p->slot, p->zygote_pid);
                execpool_count(true);
        } else {
                warmpool_broken(p->slot, p->zygote_pid);
                warmpool_count(job->recipe, true);
        }
        p->exec_zygote = false;
        free_events(p);
        sbx_release(&p->box);
        for (size_t i = 0; i < SBX_MAX_STEPS; i++) {
                struct step_result *r = &job->steps[i];
                buf_free(&r->out);
                buf_free(&r->err);
                free(r->order);
                memset(r, 0, sizeof(*r));
        }
        job->outcome = JOB_COMPLETED;
        job->error[0] = '\0';
        job->budget_cut = false;
        job->last_step = -1;
        job->warm = false;
        job->in_exec_zygote = false;
        free(job->zygote);
        job->zygote = NULL;
        memset(&job->usage, 0, sizeof(job->usage));
        p->open_streams = 0;
        p->exited = p->status_eof = p->finished = false;
        p->overflowed = false;
        p->cold_only = true;
        job_start(job, p->base, p->slot);
}

/* A compile job's artifact: an invalid one, or none although every step
 * passed, is the sandbox's failure. */
static void take_artifact(struct job *job)
{
        struct err e = {0, ""};
        bool passed = job->outcome == JOB_COMPLETED;
        int rc = sbx_take_artifact(&job->priv->box, &job->artifact_out, &e);

        for (size_t i = 0; i < job->nsteps; i++)
                passed = passed && job->steps[i].finished && !job->steps[i].timed_out &&
                         job->steps[i].exit_code == 0;
        if (rc == 0 && passed)
                err_set(&e, EIO, "the box left no artifact");
        else if (rc >= 0 || job->outcome != JOB_COMPLETED)
                return;
        job->outcome = JOB_SANDBOX_ERROR;
        snprintf(job->error, sizeof(job->error), "%s", e.msg);
}

static void finish(struct job *job)
{
        struct job_private *p = job->priv;

        if (p->finished)
                return;
        p->finished = true;
        job->t_done_us = job_now_us();
        if (!p->exited) {
                sbx_kill(&p->box);
                /* reap synchronously: PID 1 was SIGKILLed and dies at once */
                while (waitid((idtype_t)P_PIDFD, (id_t)p->box.pidfd, &p->init_exit, WEXITED) < 0 &&
                       errno == EINTR)
                        ;
                sbx_usage(&p->box, &job->usage);
        }
        settle_unfinished_steps(job);
        if (job->collect_artifact && job->state != JOB_CANCELLED)
                take_artifact(job);
        if (p->box.warm && job->outcome == JOB_SANDBOX_ERROR && job->state != JOB_CANCELLED) {
                rerun_cold(job);
                return;
        }
        if (job->outcome == JOB_SANDBOX_ERROR)
                log_error("job %llu: sandbox: %s", (unsigned long long)job->id, job->error);
        free_events(p);
        sbx_release(&p->box);
        hand_back(job);
}

static void fail_start(struct job *job, const struct err *e)
{
        struct job_private *p = job->priv;

        job->outcome = JOB_SANDBOX_ERROR;
        snprintf(job->error, sizeof(job->error), "%s", e->msg);
        log_error("job %llu: sandbox: %s", (unsigned long long)job->id, e->msg);
        p->finished = true;
        job->t_done_us = job_now_us();
        hand_back(job);
}

/* The step's argv with placeholders expanded, plus extra (the request's
 * args, for the last step) appended verbatim and opts (compile options, for
 * the steps before it) put before the last "{src}" argument, else at the
 * end. */
static char **expand_argv(char *const *argv, const char *source_file, char *const *extra,
                          char *const *opts)
{
        size_t n = 0, m = 0, k = 0, at, j = 0;
        char **out;

        while (argv[n])
                n++;
        while (extra && extra[m])
                m++;
        while (opts && opts[k])
                k++;
        for (at = n; at > 1 && strcmp(argv[at - 1], "{src}") != 0; at--)
                ;
        if (at <= 1)
                at = n;
        else
                at--;
        out = calloc(n + m + k + 1, sizeof(char *));
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (i == at)
                        for (size_t o = 0; o < k; o++)
                                out[j++] = strdup(opts[o]);
                out[j++] = recipe_expand(argv[i], source_file);
        }
        if (at == n)
                for (size_t o = 0; o < k; o++)
                        out[j++] = strdup(opts[o]);
        for (size_t i = 0; i < m; i++)
                out[j++] = strdup(extra[i]);
        for (size_t i = 0; i < j; i++)
                if (!out[i]) {
                        strv_free(out);
                        return NULL;
                }
        return out;
}

int job_each_piece(const struct step_result *st,
                   int (*piece)(void *ctx, const char *data, size_t len), void *ctx)
{
        const struct buf *b[2] = {&st->out, &st->err};
        size_t off[2] = {0, 0};

        for (size_t i = 0; i < st->norder; i++) {
                size_t k = st->order[i].stream ? 1 : 0, n = st->order[i].len;

                if (n > b[k]->len - off[k])
                        n = b[k]->len - off[k];
                if (n && piece(ctx, b[k]->data + off[k], n) < 0)
                        return -1;
                off[k] += n;
        }
        for (int k = 0; k < 2; k++)
                if (b[k]->len > off[k] && piece(ctx, b[k]->data + off[k], b[k]->len - off[k]) < 0)
                        return -1;
        return 0;
}

/* Starts the run in the slot's warm Python zygote when it fits one: the
 * Python recipe, one step, no extra files or arguments. */
static bool start_warm(struct job *job, const struct sbx_spec *spec)
{
        struct job_private *p = job->priv;
        struct sbx_box *zygote;
        struct err e = {0, ""};
        const char *name;

        if (p->cold_only || job->nsteps != 1 || job->nextra_files || (job->args && job->args[0]) ||
            (job->compile_args && job->compile_args[0]) || job->background ||
            job->collect_artifact || job->artifact_in || job->mnt_in_tmp)
                return false;
        zygote = warmpool_get(p->slot, job->recipe, job->code, job->code_len);
        if (!zygote)
                return false;
        if (sbx_warm_run(zygote, spec, &p->box, &e) < 0) {
                if (e.errnum == EBUSY) /* limits the zygote cannot take: cold, quietly */
                        return false;
                log_warn("job %llu: warm start: %s; running cold", (unsigned long long)job->id,
                         e.msg);
                warmpool_broken(p->slot, zygote->pid);
                warmpool_count(job->recipe, true);
                return false;
        }
        job->warm = true;
        p->zygote_pid = zygote->pid;
        name = warmpool_zygote_name(p->slot, zygote->pid);
        free(job->zygote);
        job->zygote = name ? strdup(name) : NULL;
        if (name && !job->zygote) /* the run goes on; its reply names no zygote */
                log_warn("job %llu: out of memory for the zygote's name",
                         (unsigned long long)job->id);
        warmpool_count(job->recipe, false);
        return true;
}

/* Starts a judge test in its program's exec zygote for the slot
 * (execpool.h), when the job names one and its box is one step that
 * collects nothing. */
static bool start_in_exec_zygote(struct job *job, const struct sbx_spec *spec)
{
        struct job_private *p = job->priv;
        struct sbx_box *zygote;
        struct err e = {0, ""};

        if (p->cold_only || !job->zygote_key || spec->nsteps != 1 || job->background ||
            job->collect_artifact || job->mnt_in_tmp)
                return false;
        zygote = execpool_get(job->zygote_key, p->slot, spec);
        if (!zygote)
                return false;
        if (sbx_warm_run(zygote, spec, &p->box, &e) < 0) {
                if (e.errnum == EBUSY) /* limits the zygote cannot take: cold, quietly */
                        return false;
                log_warn("job %llu: start in the judge zygote: %s; running cold",
                         (unsigned long long)job->id, e.msg);
                execpool_broken(p->slot, zygote->pid);
                execpool_count(true);
                return false;
        }
        /* not "warm": the program starts fresh, as in a cold box */
        job->in_exec_zygote = true;
        p->zygote_pid = zygote->pid;
        p->exec_zygote = true;
        execpool_count(false);
        return true;
}

/* Arms the events of a started box: its PID 1's pidfd (a warm run's
 * arrives later; its status socket's end stands for it), the status
 * socket, every output pipe and the deadline. */
static void watch_box(struct job *job, struct event_base *base)
{
        struct job_private *p = job->priv;
        double d = job->deadline_s > 0 ? job->deadline_s : NO_DEADLINE_S;
        struct timeval tv;

        if (!p->box.warm) {
                p->ev_pidfd = event_new(base, p->box.pidfd, EV_READ, on_pidfd, job);
                if (!p->ev_pidfd || event_add(p->ev_pidfd, NULL) < 0) {
                        fail_watch(job, "its PID 1");
                        return;
                }
        }
        p->ev_status = event_new(base, p->box.status_fd, EV_READ | EV_PERSIST, on_status, job);
        if (!p->ev_status || event_add(p->ev_status, NULL) < 0) {
                fail_watch(job, "the status socket");
                return;
        }
        for (size_t s = 0; s < p->box.nsteps; s++)
                for (int k = 0; k < 2; k++) {
                        p->ev_out[s][k] = event_new(base, p->box.out_fd[s][k], EV_READ | EV_PERSIST,
                                                    on_output, job);
                        if (!p->ev_out[s][k] || event_add(p->ev_out[s][k], NULL) < 0) {
                                fail_watch(job, "an output pipe");
                                return;
                        }
                        p->open_streams++;
                }
        p->ev_timer = evtimer_new(base, on_deadline, job);
        tv.tv_sec = (time_t)d;
        tv.tv_usec = (suseconds_t)((d - (double)tv.tv_sec) * 1e6);
        if (!p->ev_timer || event_add(p->ev_timer, &tv) < 0)
                fail_watch(job, "the deadline timer");
}

void job_start(struct job *job, struct event_base *base, unsigned slot)
{
        struct job_private *p = job->priv;
        const struct recipe *r = job->recipe;
        struct sbx_step steps[SBX_MAX_STEPS];
        struct sbx_spec spec;
        struct err e = {0, ""};
        size_t pre = r->source_prefix ? strlen(r->source_prefix) : 0;
        size_t suf = r->source_suffix ? strlen(r->source_suffix) : 0;

        p->base = base;
        p->slot = slot;
        p->started = true;
        job->state = JOB_RUNNING;
        job->t_started_us = job_now_us();

        p->source_len = pre + job->code_len + suf;
        p->source = malloc(p->source_len + 1);
        p->envp = env_build(r->env, r->source_file);
        if (!p->source || !p->envp) {
                err_set(&e, ENOMEM, "job %llu", (unsigned long long)job->id);
                fail_start(job, &e);
                return;
        }
        memcpy(p->source, r->source_prefix ? r->source_prefix : "", pre);
        memcpy(p->source + pre, job->code, job->code_len);
        memcpy(p->source + pre + job->code_len, r->source_suffix ? r->source_suffix : "", suf);

        memset(steps, 0, sizeof(steps));
        for (size_t i = 0; i < r->nsteps; i++) {
                p->argv[i] = expand_argv(recipe_step_argv(&r->steps[i]), r->source_file,
                                         i + 1 == r->nsteps ? job->args : NULL,
                                         i + 1 == r->nsteps ? NULL : job->compile_args);
                if (!p->argv[i]) {
                        err_set(&e, ENOMEM, "argv");
                        fail_start(job, &e);
                        return;
                }
        }
        for (size_t i = 0; i < job->nsteps; i++) {
                size_t ri = job_recipe_step(job, i);
                const struct recipe_step *rs = &r->steps[ri];

                steps[i].argv = p->argv[ri];
                steps[i].timeout_s = job->recipe_step_timeout_s[ri] > 0
                                         ? job->recipe_step_timeout_s[ri]
                                     : job->every_step_timeout_s > 0 ? job->every_step_timeout_s
                                                                     : rs->timeout_s;
                steps[i].cpu_ms = job->recipe_step_cpu_ms[ri];
                steps[i].keep_going = rs->keep_going;
                steps[i].stderr_to_stdout = job->merge_stderr && ri == last_recipe_step(job);
                if (job->nstdins && ri == last_recipe_step(job)) {
                        /* one run per input: each independent of the others */
                        size_t input = i - (ri - job->first_step);
                        steps[i].stdin_data = job->stdins[input];
                        steps[i].stdin_len = job->stdin_lens[input];
                        steps[i].keep_going = !job->stdins_stop_at_failure;
                } else if (rs->stdin) {
                        steps[i].stdin_data = job->stdin_data;
                        steps[i].stdin_len = job->stdin_len;
                }
        }
        p->files = calloc(job->nextra_files + 1, sizeof(*p->files));
        if (!p->files) {
                err_set(&e, ENOMEM, "files");
                fail_start(job, &e);
                return;
        }
        p->files[0].name = r->source_file;
        p->files[0].data = p->source;
        p->files[0].len = p->source_len;
        for (size_t i = 0; i < job->nextra_files; i++)
                p->files[i + 1] = job->extra_files[i];

        memset(&spec, 0, sizeof(spec));
        spec.files = p->files;
        spec.nfiles = job->nextra_files + 1;
        spec.steps = steps;
        spec.nsteps = job->nsteps;
        spec.envp = p->envp;
        spec.binds = (const char *const *)r->binds;
        p->overlays = calloc(r->noverlays + 1, sizeof(*p->overlays));
        if (!p->overlays) {
                err_set(&e, ENOMEM, "overlays");
                fail_start(job, &e);
                return;
        }
        for (size_t i = 0; i < r->noverlays; i++) {
                p->overlays[i].lower = r->overlays[i].lower;
                p->overlays[i].target = r->overlays[i].target;
        }
        spec.overlays = p->overlays;
        spec.noverlays = r->noverlays;
        spec.limits = job->limits;
        spec.slot = slot;
        spec.collect_tmp = job->collect_artifact;
        spec.collect_always = job->collect_always;
        spec.mnt_in_tmp = job->mnt_in_tmp;
        spec.collect_max_bytes = job->limits.tmpfs_bytes;
        spec.artifact = job->artifact_in;

        for (size_t i = 0; i < SBX_MAX_STEPS; i++) {
                job->steps[i].out.limit = job->output_limit;
                job->steps[i].err.limit = job->output_limit;
        }
        p->budget_left = job->reply_budget;
        memset(p->meter, 0, sizeof(p->meter));
        if (!start_warm(job, &spec) && !start_in_exec_zygote(job, &spec) &&
            sbx_spawn(&spec, &p->box, &e) < 0) {
                fail_start(job, &e);
                return;
        }
        /* The box has its own copy of the spec now. */
        free_spec_memory(p);
        watch_box(job, base);
}

void job_cancel(struct job *job)
{
        struct job_private *p = job->priv;

        if (job->state == JOB_QUEUED) {
                sched_remove_queued(job);
                job_free(job);
                return;
        }
        if (job->state == JOB_DONE) {
                job_free(job);
                return;
        }
        job->state = JOB_CANCELLED;
        if (p->started && !p->finished)
                sbx_kill(&p->box);
}
