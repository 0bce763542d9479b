/* warm: the server's half of warm Python zygotes (see sandbox.h and
 * pyzygote/zygote.c).
 *
 * Theory of operation. A zygote is an ordinary box (sbx_spawn) whose PID 1
 * executes the codeexec-pyzygote binary instead of running steps; its
 * status socket is the control channel and its step-0 pipes its log. It
 * lives in a cgroup of its own with the server's default limits, which
 * keeps the charges of its start-up. Each run gets a cgroup to itself with
 * exactly the run's limits, beside the zygote's: the program's memory,
 * processes and CPU are counted and limited there alone, so nothing a
 * previous run left charged (page cache, dentries) raises a run's limit or
 * its memory_kb, and an out-of-memory kill there can only pick a process of
 * the run. On v1 that cgroup may be a finished run's, kept for the purpose
 * (below, and cg_box_reset for what makes it as good as a fresh one).
 *
 * Moving a whole process between cgroups waits for an RCU grace period
 * (5-10 ms here), so the run is born in its cgroup instead: the zygote
 * "parks" in the cgroup of its next run ahead of time. After each run's
 * request, the server creates the next run's cgroup and sends the zygote a
 * WARM_PARK record with that cgroup's join files (cg_box_procs_fds; opened
 * here: the kernel checks the permission to move against the opener, the
 * server); the zygote moves itself there while the run goes on. On v1
 * these are `tasks` files, which move the zygote's thread (it has one)
 * without the grace period. The run then only gets its limits written.
 * For a few milliseconds after a run starts, the zygote is still in the
 * run's cgroup: it never counts for the run's OOM kills (its oom_score_adj
 * is -1000, set here; the program cannot lower a process's below -1000 nor
 * touch another's), and a warm run's cgroup is never killed as a whole
 * (the run's PID 1 ends the run; the cgroup is kept or removed once empty).
 * Without a parked cgroup (cgroups off, a failed park) the run's PID 1
 * joins a fresh cgroup itself.
 *
 * sbx_warm_run creates the run's channels exactly as sbx_spawn does (status
 * pair, stdout/stderr pipes) plus memfds with the program and its stdin,
 * and hands them to the zygote in one SCM_RIGHTS message; the rest arrives
 * on the run's status socket.
 *
 * Judge mode's exec zygote (zygote/execzygote.c, sbx_execzygote_spawn) is
 * served the same way, with three differences: its box is built with the
 * test's files and artifact in /tmp (its template), so a run sends no
 * program (a /dev/null descriptor stands in); its command line carries the
 * run step and environment; and it never parks: it stays suspended while
 * its run goes on (zyrun.c), so each run's PID 1 joins the run's cgroup
 * itself, a kept one when there is one. */
#define _GNU_SOURCE
#include "sandbox-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/log.h"
#include "../util/memfd.h"
#include "../util/procmaps.h"
#include "../util/scm.h"
#include "cgroup.h"
#include "warm-proto.h"

/* Threads of the interpreter (BLAS pools) and a run's own PID 1 and
 * forker, on top of the run's process limit. */
#define ZYGOTE_EXTRA_PIDS 64
/* The most variables a preloaded zygote's box environment has. */
#define ZYGOTE_MAX_ENV 256

_Static_assert(WARM_REQ_MAX_FDS <= SCM_MAX_FDS, "a run's descriptors fit one record");

/* The zygote binaries by runtime and the reaper (O_PATH), opened once at
 * start-up by sbx_warm_init; -1 without. */
static int zygote_fd[SBX_WARM_RUNTIMES] = {[0 ... SBX_WARM_RUNTIMES - 1] = -1};
static int reaper_fd = -1;
/* Each zygote's command line: exactly a cold run's (languages/python.json,
 * languages/racket.json; R's is what Rscript executes for languages/r.json's
 * step, OCaml's what the kernel makes of /usr/bin/ocaml's `#!` line), so
 * that a run's /proc/self/cmdline is a cold run's. R's, OCaml's and PHP's
 * zygotes also get a /tmp of their own: R's start-up makes its session
 * directory there, the toplevel wants to see its script there (PHP's needs
 * none; it has one as zyresume_here expects; Coq's starts with the prefix
 * there; Octave's lists its working directory, /tmp, before it opens its
 * script). PHP's, Coq's and Octave's zygotes are libraries preloaded into
 * /usr/bin/php, /usr/bin/coqc and /usr/bin/octave-cli. Coq's environment
 * also has what its recipe's cached_argv adds with env(1)
 * (languages/v.json): glibc's malloc then asks for huge pages, which make
 * the zygote's ~370 MB heap cheap to fork. */
static const struct {
        const char *name, *title;
        char *const argv[8];
        bool own_tmp;
        bool preload;          /* the zygote is a library preloaded into argv[0] */
        const char *extra_env; /* a preloaded zygote's variable beyond the box's */
} runtimes[SBX_WARM_RUNTIMES] = {
    {"python", "Python", {"/usr/bin/python3", "/tmp/main.py", NULL}, false, false, NULL},
    {"racket", "Racket", {"/usr/bin/racket", "/tmp/main.rkt", NULL}, false, false, NULL},
    {"r",
     "R",
     {"/usr/lib/R/bin/exec/R", "--no-echo", "--no-restore", "--file=/tmp/main.r", NULL},
     true,
     false,
     NULL},
    {"ocaml",
     "OCaml",
     {"/usr/bin/ocamlrun", "/usr/bin/ocaml", "/tmp/main.ml", NULL},
     true,
     false,
     NULL},
    {"php", "PHP", {"/usr/bin/php", "/tmp/main.php", NULL}, true, true, NULL},
    {"coq",
     "Coq",
     {"/usr/bin/coqc", "-noglob", "/tmp/main.v", NULL},
     true,
     true,
     "GLIBC_TUNABLES=glibc.malloc.hugetlb=1"},
    {"octave",
     "Octave",
     {"/usr/bin/octave-cli", "-q", "-f", "-W", "-H", "/tmp/codeexec_main.m", NULL},
     true,
     true,
     NULL},
};

const char *sbx_warm_runtime_name(enum sbx_warm_runtime rt)
{
        return runtimes[rt].name;
}

const char *sbx_warm_runtime_title(enum sbx_warm_runtime rt)
{
        return runtimes[rt].title;
}

/* codeexec-execzygote (O_PATH); -1 without exec zygotes. */
static int execzygote_fd = -1;
/* /dev/null, read-only: the program descriptor of an exec zygote's run. */
static int devnull_fd = -1;

void sbx_execzygote_init(const char *execzygote_path, const char *reaper_path)
{
        if (!execzygote_path || !reaper_path)
                return;
        execzygote_fd = open(execzygote_path, O_PATH | O_CLOEXEC);
        if (reaper_fd < 0)
                reaper_fd = open(reaper_path, O_PATH | O_CLOEXEC);
        devnull_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (execzygote_fd < 0 || reaper_fd < 0 || devnull_fd < 0) {
                log_warn("judge zygotes off: %s, %s: %s", execzygote_path, reaper_path,
                         strerror(errno));
                if (execzygote_fd >= 0)
                        close(execzygote_fd);
                execzygote_fd = -1;
        }
}

bool sbx_execzygote_available(void)
{
        return execzygote_fd >= 0;
}

void sbx_warm_init(const char *const zygote_paths[SBX_WARM_RUNTIMES], const char *reaper_path)
{
        if (!reaper_path)
                return;
        for (int rt = 0; rt < SBX_WARM_RUNTIMES; rt++) {
                if (!zygote_paths[rt])
                        continue;
                zygote_fd[rt] = open(zygote_paths[rt], O_PATH | O_CLOEXEC);
                if (zygote_fd[rt] >= 0 && reaper_fd < 0)
                        reaper_fd = open(reaper_path, O_PATH | O_CLOEXEC);
                if (zygote_fd[rt] < 0 || reaper_fd < 0) {
                        log_warn("warm %s off: %s, %s: %s", runtimes[rt].name, zygote_paths[rt],
                                 reaper_path, strerror(errno));
                        if (zygote_fd[rt] >= 0)
                                close(zygote_fd[rt]);
                        zygote_fd[rt] = -1;
                }
        }
}

bool sbx_warm_available(enum sbx_warm_runtime rt)
{
        return rt < SBX_WARM_RUNTIMES && zygote_fd[rt] >= 0 && reaper_fd >= 0;
}

int sbx_zygote_replaced(const struct sbx_box *zygote, enum sbx_warm_runtime rt, char *what,
                        size_t n)
{
        struct stat own;

        /* Its own binary (or preloaded library) is the file the server
         * opened at start-up, replaced or not since: not what it means. */
        if (rt >= SBX_WARM_RUNTIMES || zygote_fd[rt] < 0 || fstat(zygote_fd[rt], &own) < 0)
                return -1;
        return procmaps_replaced(zygote->pid, own.st_dev, own.st_ino, what, n);
}

static void log_warn_once_oom(int errnum)
{
        static bool said;

        if (!said)
                log_warn("warm python: cannot set the zygotes' oom_score_adj (%s): a run that "
                         "exhausts its memory in its first milliseconds may have its zygote "
                         "killed instead",
                         strerror(errnum));
        said = true;
}

/* Starts zygote box z (PID 1 executes z->zygote_fd) and queues cfg for it. */
static int start_zygote_box(const struct sbx_spec *z, struct warm_config *cfg,
                            bool never_oom_killed, struct sbx_box *zygote, struct err *e)
{
        cfg->magic = WARM_MAGIC;
        /* The zygote, PID 1 of its box, keeps to its slot's CPU (slotcpu.c);
         * its programs get the server's CPUs, as a cold box's do. */
        if (sched_getaffinity(0, sizeof(cfg->program_cpus), &cfg->program_cpus) < 0)
                CPU_ZERO(&cfg->program_cpus); /* the zygote then leaves the program's as is */
        if (sbx_spawn(z, zygote, e) < 0)
                return -1;
        /* Never the OOM killer's choice, and so neither are the runs' PID 1s
         * forked from it; each program raises its own to 0 (zyrun.c), and
         * no process can lower its own below -1000 or touch another's. Needs
         * CAP_SYS_RESOURCE: without it the zygote keeps the server's. (An
         * exec zygote keeps the server's, which its programs inherit, as
         * cold ones have it: they cannot set theirs before their exec, see
         * zyrun.c, and it never sits in a run's cgroup.) */
        if (never_oom_killed) {
                char path[64];
                int fd;
                snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)zygote->pid);
                fd = open(path, O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, "-1000", 5) != 5)
                        log_warn_once_oom(errno);
                if (fd >= 0)
                        close(fd);
        }
        /* Queued on the socket: the zygote reads it first thing. */
        if (send(zygote->status_fd, cfg, sizeof(*cfg), MSG_NOSIGNAL | MSG_DONTWAIT) !=
            (ssize_t)sizeof(*cfg)) {
                err_set(e, errno, "configure the zygote");
                /* Nobody else knows of this box: end it here, all of it
                 * (reaped, descriptors closed, cgroup removed). SIGKILL ends
                 * PID 1 at once, so the wait is short. */
                sbx_kill(zygote);
                while (waitid((idtype_t)P_PIDFD, (id_t)zygote->pidfd, NULL, WEXITED) < 0 &&
                       errno == EINTR)
                        ;
                sbx_release(zygote);
                return -1;
        }
        return 0;
}

int sbx_zygote_spawn(const struct sbx_spec *spec, enum sbx_warm_runtime rt, const char *preload,
                     struct sbx_box *zygote, struct err *e)
{
        /* A preloaded zygote's environment: the box's, its extra variable,
         * then its preload. */
        char *envp[ZYGOTE_MAX_ENV + 3];
        struct warm_config cfg;
        struct sbx_step step;
        struct sbx_spec z = *spec;

        if (!sbx_warm_available(rt))
                return err_set(e, ENOENT, "no zygote binary");
        if (runtimes[rt].preload) {
                size_t n = 0;
                for (; spec->envp && spec->envp[n]; n++) {
                        if (n == ZYGOTE_MAX_ENV)
                                return err_set(e, E2BIG, "the box's environment is too long");
                        envp[n] = spec->envp[n];
                }
                if (runtimes[rt].extra_env)
                        envp[n++] = (char *)runtimes[rt].extra_env;
                envp[n] = (char *)WARM_PRELOAD_ENV;
                envp[n + 1] = NULL;
                z.envp = envp;
        }
        memset(&step, 0, sizeof(step));
        step.argv = (char **)runtimes[rt].argv;
        step.timeout_s = 1e9;
        z.steps = &step;
        z.nsteps = 1;
        z.files = NULL;
        z.nfiles = 0;
        z.zygote = true;
        z.zygote_tmp = runtimes[rt].own_tmp;
        z.collect_tmp = false;
        z.artifact = NULL;
        z.zygote_preload = runtimes[rt].preload;
        z.zygote_fd = zygote_fd[rt];
        z.reaper_fd = reaper_fd;
        z.limits.processes = spec->limits.processes + ZYGOTE_EXTRA_PIDS;
        memset(&cfg, 0, sizeof(cfg));
        if (snprintf(cfg.preload, sizeof(cfg.preload), "%s", preload ? preload : "") >=
            (int)sizeof(cfg.preload))
                return err_set(e, E2BIG, "--python-preload is too long");
        return start_zygote_box(&z, &cfg, true, zygote, e);
}

/* The most arguments and variables an exec zygote's command line carries. */
#define EXECZYGOTE_MAX_STRINGS 4096

int sbx_execzygote_spawn(const struct sbx_spec *spec, struct sbx_box *zygote, struct err *e)
{
        const struct sbx_step *st = &spec->steps[0];
        char *no_env[] = {NULL};
        char nargs_text[16];
        struct warm_config cfg;
        struct sbx_step step;
        struct sbx_spec z = *spec;
        size_t nargs = 0, nenv = 0, n = 0;
        char **argv;
        int rc;

        if (execzygote_fd < 0)
                return err_set(e, ENOENT, "no exec zygote binary");
        if (spec->nsteps != 1 || spec->collect_tmp || spec->mnt_in_tmp || spec->noverlays)
                return err_set(e, EINVAL, "an exec zygote runs one step, nothing collected");
        while (st->argv[nargs])
                nargs++;
        while (spec->envp && spec->envp[nenv])
                nenv++;
        if (nargs < 1 || st->argv[0][0] != '/' || nargs + nenv > EXECZYGOTE_MAX_STRINGS)
                return err_set(e, EINVAL, "an exec zygote's command line");
        argv = calloc(nargs + nenv + 3, sizeof(char *));
        if (!argv)
                return err_set(e, ENOMEM, "exec zygote");
        snprintf(nargs_text, sizeof(nargs_text), "%zu", nargs);
        argv[n++] = "codeexec-execzygote";
        argv[n++] = nargs_text;
        for (size_t i = 0; i < nargs; i++)
                argv[n++] = st->argv[i];
        for (size_t i = 0; i < nenv; i++)
                argv[n++] = spec->envp[i];
        memset(&step, 0, sizeof(step));
        step.argv = argv;
        step.timeout_s = 1e9;
        z.steps = &step;
        z.nsteps = 1;
        z.envp = no_env;
        z.zygote = true;
        z.zygote_tmp = true;
        z.zygote_fd = execzygote_fd;
        z.reaper_fd = reaper_fd;
        z.limits.processes = spec->limits.processes + ZYGOTE_EXTRA_PIDS;
        memset(&cfg, 0, sizeof(cfg));
        cfg.tmp_bytes = spec->limits.tmpfs_bytes;
        rc = start_zygote_box(&z, &cfg, false, zygote, e);
        free(argv);
        if (rc == 0)
                zygote->exec_zygote = true;
        return rc;
}

int sbx_zygote_ready(struct sbx_box *zygote, struct sbx_zygote_info *info, struct err *e)
{
        union {
                struct warm_ready ready;
                struct sbx_msg failed; /* what PID 1 sends if it cannot exec */
        } u;
        ssize_t n = recv(zygote->status_fd, &u, sizeof(u), MSG_DONTWAIT);

        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return 0;
        if (n == (ssize_t)sizeof(u.ready) && u.ready.magic == WARM_MAGIC) {
                memset(info, 0, sizeof(*info));
                info->rss_kb = u.ready.rss_kb;
                info->failed_preloads = u.ready.failed_preloads;
                info->threads = u.ready.threads;
                u.ready.text[sizeof(u.ready.text) - 1] = '\0';
                snprintf(info->failed, sizeof(info->failed), "%s", u.ready.text);
                return 1;
        }
        if (n == (ssize_t)sizeof(u.failed) && u.failed.type == SBX_MSG_SETUP_ERROR) {
                u.failed.text[sizeof(u.failed.text) - 1] = '\0';
                return err_set(e, u.failed.errnum, "%s", u.failed.text);
        }
        return err_set(e, n < 0 ? errno : EPROTO, "zygote ended before it was ready");
}

int sbx_zygote_park(struct sbx_box *zygote, const struct sbx_limits *lim, struct err *e)
{
        struct warm_request rq;
        int fds[WARM_REQ_MAX_CGROUP_FDS];
        struct cg_box *cg;
        int n;
        ssize_t sent;

        if (!cg_enabled() || zygote->next_cg)
                return 0;
        cg = sbx_reuse_cgroup();
        if (cg)
                cg_box_zygote_waits(cg);
        else
                cg = sbx_new_cgroup(lim, e);
        if (!cg)
                return -1;
        n = cg_box_procs_fds(cg, fds, WARM_REQ_MAX_CGROUP_FDS, e);
        if (n <= 0) {
                sbx_remove_cgroup(&cg); /* made or kept here: no process in it */
                return n < 0 ? -1 : 0;
        }
        memset(&rq, 0, sizeof(rq));
        rq.magic = WARM_MAGIC;
        rq.kind = WARM_PARK;
        rq.nfds = rq.ncgroup = (uint32_t)n;
        sent = scm_send(zygote->status_fd, &rq, sizeof(rq), fds, (size_t)n,
                        MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent != (ssize_t)sizeof(rq))
                err_set(e, errno, "park the zygote");
        for (int i = 0; i < n; i++)
                close(fds[i]);
        if (sent != (ssize_t)sizeof(rq)) {
                sbx_remove_cgroup(&cg); /* made or kept here: no process in it */
                return -1;
        }
        zygote->next_cg = cg;
        return 0;
}

int sbx_warm_run(struct sbx_box *zygote, const struct sbx_spec *spec, struct sbx_box *box,
                 struct err *e)
{
        const struct sbx_step *st = &spec->steps[0];
        struct warm_request rq;
        int status[2] = {-1, -1}, out[2][2] = {{-1, -1}, {-1, -1}};
        int fds[WARM_REQ_MAX_FDS];
        int cgfds[WARM_REQ_MAX_CGROUP_FDS];
        int program = -1, in = -1, ncg = 0, rc = -1;
        bool parked = false;

        /* An exec zygote's runs find their files in its template
         * (execzygote.c): the spec it was started with. */
        bool exec = zygote->exec_zygote;

        if (spec->nsteps != 1 ||
            (!exec && (spec->nfiles != 1 || strlen(spec->files[0].name) >= sizeof(rq.file_name))))
                return err_set(e, EINVAL, "a warm run is one step and one file");
        if (spec->collect_tmp || (spec->artifact && !exec) || spec->mnt_in_tmp) /* cold only */
                return err_set(e, EBUSY, "a warm run neither collects nor unpacks an artifact");
        memset(box, 0, sizeof(*box));
        box->pidfd = box->status_fd = box->collect_fd = box->mntns_fd = -1;
        memset(box->out_fd, -1, sizeof(box->out_fd));
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, status) < 0 ||
            pipe2(out[0], O_CLOEXEC) < 0 || pipe2(out[1], O_CLOEXEC) < 0) {
                err_set(e, errno, "warm run channels");
                goto out;
        }
        program = exec ? fcntl(devnull_fd, F_DUPFD_CLOEXEC, 0)
                       : memfd_with("program", spec->files[0].data, spec->files[0].len);
        if (program < 0) {
                err_set(e, errno, "program memfd");
                goto out;
        }
        if (st->stdin_data && st->stdin_len) {
                in = memfd_with("stdin", st->stdin_data, st->stdin_len);
                if (in < 0) {
                        err_set(e, errno, "stdin memfd");
                        goto out;
                }
        }

        if (zygote->next_cg && cg_box_set_limits(zygote->next_cg, &spec->limits) == 0) {
                /* The zygote waits in this run's cgroup: born there. */
                box->cg = zygote->next_cg;
                zygote->next_cg = NULL;
                parked = true;
        } else {
                /* An exec zygote never parks: it stays suspended while its
                 * run goes on (zyrun.c), and so out of the run's cgroup,
                 * which the run's PID 1 joins first thing. */
                box->cg = exec ? sbx_reuse_cgroup_with(&spec->limits) : NULL;
                if (!box->cg)
                        box->cg = sbx_new_cgroup(&spec->limits, e);
                if (!box->cg)
                        goto out;
                ncg = cg_box_procs_fds(box->cg, cgfds, WARM_REQ_MAX_CGROUP_FDS, e);
                if (ncg < 0) {
                        ncg = 0;
                        goto out;
                }
        }

        memset(&rq, 0, sizeof(rq));
        rq.magic = WARM_MAGIC;
        rq.kind = WARM_RUN;
        rq.own_cgroup = cg_enabled();
        rq.ncgroup = (uint32_t)ncg;
        rq.nfds = (in >= 0 ? WARM_REQ_NFDS : WARM_REQ_STDIN) + rq.ncgroup;
        rq.timeout_s = st->timeout_s;
        rq.cpu_ms = st->cpu_ms;
        rq.file_bytes = spec->limits.file_bytes;
        rq.tmpfs_bytes = spec->limits.tmpfs_bytes;
        rq.memory_bytes = spec->limits.memory_bytes;
        rq.open_files = spec->limits.open_files;
        rq.processes = spec->limits.processes;
        rq.memory_rlimit = !cg_enabled();
        snprintf(rq.file_name, sizeof(rq.file_name), "%s", exec ? "-" : spec->files[0].name);
        fds[WARM_REQ_STATUS] = status[1];
        fds[WARM_REQ_STDOUT] = out[0][1];
        fds[WARM_REQ_STDERR] = st->stderr_to_stdout ? out[0][1] : out[1][1];
        fds[WARM_REQ_PROGRAM] = program;
        fds[WARM_REQ_STDIN] = in;
        for (int i = 0; i < ncg; i++)
                fds[rq.nfds - rq.ncgroup + (uint32_t)i] = cgfds[i];

        box->warm = true;

        /* A SEQPACKET record this small goes out whole or not at all. */
        if (scm_send(zygote->status_fd, &rq, sizeof(rq), fds, rq.nfds,
                     MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)sizeof(rq)) {
                err_set(e, errno, "send the run to the zygote");
                goto out;
        }

        box->status_fd = status[0];
        status[0] = -1;
        fcntl(box->status_fd, F_SETFL, O_NONBLOCK);
        box->nsteps = 1;
        for (int k = 0; k < 2; k++) {
                box->out_fd[0][k] = out[k][0];
                out[k][0] = -1;
                fcntl(box->out_fd[0][k], F_SETFL, O_NONBLOCK);
        }
        rc = 0;
        /* The next run's cgroup, while this one runs. If that fails, the
         * next run's PID 1 joins one itself. */
        if (!exec) {
                struct err pe = {0, ""};
                (void)sbx_zygote_park(zygote, &spec->limits, &pe);
        }
out:
        for (int i = 0; i < 2; i++) {
                if (status[i] >= 0)
                        close(status[i]);
                for (int k = 0; k < 2; k++)
                        if (out[i][k] >= 0)
                                close(out[i][k]);
        }
        if (program >= 0)
                close(program);
        if (in >= 0)
                close(in);
        for (int i = 0; i < ncg; i++)
                close(cgfds[i]);
        if (rc < 0) {
                if (parked) { /* the zygote is still in it: not ours to end */
                        zygote->next_cg = box->cg;
                        box->cg = NULL;
                }
                box->warm = false;
                sbx_release(box);
        }
        return rc;
}
