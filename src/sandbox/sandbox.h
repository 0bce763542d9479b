/* sandbox: run a list of steps inside one fresh, isolated box.
 *
 * sbx_spawn() clones a process into new user, PID, mount, IPC, UTS and
 * network namespaces and places it in a per-run cgroup. That process is the
 * box's PID 1 (see init.c): it builds the box's file system, drops every
 * privilege, writes the program's files into a fresh tmpfs at /tmp, then runs
 * the steps one after the other, each as its own process tree, and reports
 * over a SOCK_SEQPACKET status channel. When PID 1 exits, the kernel kills
 * every process left in the box, so nothing outlives a run.
 *
 * Nothing here blocks: the caller (exec/job.c) watches the returned pidfd,
 * the status socket and the per-step output pipes in its event loop.
 *
 * A step here is one process tree the box runs, exec/job.h's "job step";
 * the sandbox knows nothing of recipes and their steps. */
#ifndef CODEEXEC_SANDBOX_H
#define CODEEXEC_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../util/err.h"

/* compile steps plus one run per input of a multi-input run */
#define SBX_MAX_STEPS 40

struct sbx_file {
        const char *name; /* a plain file name, no '/' (sbx_artifact_build: a path) */
        const char *data;
        size_t len;
        bool executable;
};

struct sbx_step {
        char *const *argv;      /* argv[0] absolute */
        double timeout_s;       /* wall time for this step, measured inside the box */
        uint64_t cpu_ms;        /* RLIMIT_CPU for this step; 0 = none */
        const char *stdin_data; /* the step's input; NULL = /dev/null */
        size_t stdin_len;
        bool keep_going; /* run the next step even if this one fails */
        /* The step's stderr is its stdout pipe: one stream, in the order
         * of the writes (Judge0's redirect_stderr_to_stdout). */
        bool stderr_to_stdout;
};

/* A directory under /tmp whose contents start as a copy-on-write view of a
 * read-only host directory (a warm compiler cache): writes stay in the box. */
struct sbx_overlay {
        const char *lower;  /* host directory, read-only; skipped if absent */
        const char *target; /* absolute path under /tmp */
};

struct sbx_limits {
        uint64_t memory_bytes; /* cgroup memory limit of the whole box */
        uint32_t processes;    /* cgroup pids limit (threads count) */
        uint64_t file_bytes;   /* RLIMIT_FSIZE */
        uint64_t tmpfs_bytes;  /* size of /tmp */
        uint32_t open_files;   /* RLIMIT_NOFILE */
};

struct sbx_spec {
        const struct sbx_file *files;
        size_t nfiles;
        const struct sbx_step *steps;
        size_t nsteps;
        char *const *envp;
        const char *const *binds; /* extra read-only host paths; NULL-terminated or NULL */
        const struct sbx_overlay *overlays;
        size_t noverlays;
        struct sbx_limits limits;
        unsigned slot; /* 0..max_running-1: selects the box's host uid */
        /* A warm box (see warm.c): instead of running steps, PID 1 executes
         * this binary (an fd opened by the server) with steps[0].argv, keeping
         * the capabilities it needs to build one box per run inside. */
        bool zygote;
        /* An exec zygote's box (warm.c sbx_execzygote_spawn): /tmp is
         * built as a cold box's, files and artifact in it, before the exec. */
        bool zygote_tmp;
        /* A zygote that is a library preloaded into the interpreter: PID 1
         * executes steps[0].argv[0] itself, with LD_PRELOAD naming
         * zygote_fd (phpzygote/zygote.c), instead of executing zygote_fd. */
        bool zygote_preload;
        int zygote_fd;
        int reaper_fd; /* passed to the zygote as WARM_FD_REAPER */
        /* Judge mode: compile once, run each test in a fresh box. With
         * collect_tmp, once every step has exited 0 PID 1 archives /tmp (the
         * box's own tmpfs only: regular files, directories and symlinks, not
         * other mounts) for sbx_take_artifact, up to collect_max_bytes of
         * file contents (archive.c). With artifact, PID 1 unpacks it into
         * /tmp before writing files (which win over an archived file of the
         * same name, and over everything beneath it). Both need a cold box:
         * sbx_warm_run refuses them with EBUSY. */
        bool collect_tmp;
        bool collect_always; /* collect_tmp after failing steps too (fetching files) */
        uint64_t collect_max_bytes;
        const struct sbx_artifact *artifact;
        /* The box's /mnt is a symlink to SBX_MNT_DIR, a directory in /tmp
         * that PID 1 makes after the files (SandboxFusion's clients write
         * and fetch absolute paths such as /mnt/b). Cold boxes only. */
        bool mnt_in_tmp;
};

#define SBX_MNT_DIR ".mnt"

/* What the caller gets back: fds it must watch and eventually release. */
struct sbx_box {
        pid_t pid;
        int pidfd;
        int status_fd;                /* SOCK_SEQPACKET, messages below */
        int out_fd[SBX_MAX_STEPS][2]; /* read ends: [step][0]=stdout, [1]=stderr */
        size_t nsteps;
        struct cg_box *cg;
        /* A run of a warm zygote (warm.c): the server is not its parent and
         * its pidfd arrives with the first status record; cg is the run's own
         * cgroup, which its PID 1 joins before the program starts. */
        bool warm;
        bool kill_on_pidfd; /* killed before the pidfd arrived: kill it on arrival */
        /* A zygote's: the cgroup it has moved into, where its next run will
         * be born (warm.c), or NULL. */
        struct cg_box *next_cg;
        bool exec_zygote; /* a zygote from sbx_execzygote_spawn */
        int collect_fd;   /* spec.collect_tmp: the memfd PID 1 archives /tmp into */
        /* A cold box's mount namespace, held so that PID 1's exit does not
         * wait for its teardown (reclaim.c); -1 if none. */
        int mntns_fd;
};

enum sbx_msg_type {
        SBX_MSG_STEP_START = 1,
        SBX_MSG_STEP_END = 2,
        SBX_MSG_SETUP_ERROR = 3, /* the box could not be built: a server error */
};

struct sbx_msg {
        uint32_t type;
        uint32_t step;
        int32_t errnum;     /* SETUP_ERROR */
        int32_t wstatus;    /* STEP_END: waitpid status of the step's main process */
        uint32_t timed_out; /* STEP_END: stopped by its wall limit */
        uint32_t pad;
        uint64_t wall_us; /* STEP_END */
        uint64_t cpu_us;  /* STEP_END: user+sys of the step's reaped processes */
        char text[200];   /* SETUP_ERROR: what failed */
};

struct sbx_usage {
        uint64_t memory_peak_bytes;
        uint64_t cpu_us;
        bool oom_killed;
};

/* The runtimes with warm zygotes (warm.c): each has its zygote binary,
 * started with a cold run's command line. */
enum sbx_warm_runtime {
        SBX_WARM_PYTHON,
        SBX_WARM_RACKET,
        SBX_WARM_R,
        SBX_WARM_OCAML,
        SBX_WARM_PHP,
        SBX_WARM_COQ,
        SBX_WARM_OCTAVE,
        SBX_WARM_RUNTIMES
};

struct sbx_options {
        uid_t uid_base; /* host uid of slot 0; slot i gets uid_base + i */
        unsigned max_slots;
        int no_cgroups;  /* force the rlimits-only fallback */
        char *argv_area; /* the server's argv strings, wiped in each box */
        size_t argv_len;
        /* Each warm runtime's zygote binary (codeexec-pyzygote,
         * codeexec-rktzygote, codeexec-rzygote, codeexec-mlzygote,
         * codeexec-phpzygote.so, codeexec-coqzygote.so); NULL: that
         * one is never warm. */
        const char *zygote_paths[SBX_WARM_RUNTIMES];
        const char *reaper_path;     /* codeexec-pyreaper, needed with it */
        const char *execzygote_path; /* codeexec-execzygote; NULL: no judge zygotes */
        bool no_standby;             /* never start a slot's next box ahead (standby.c) */
        bool no_spawner;             /* the server clones standby boxes itself (spawner.c) */
};

/* How boxes were started, for metrics. */
struct sbx_stats {
        uint64_t cold_boxes;         /* built after their run arrived */
        uint64_t standby_boxes;      /* runs given a box built ahead */
        uint64_t standbys_started;   /* boxes built ahead */
        uint64_t standbys_discarded; /* built ahead and not used (did not fit, idle, died) */
        uint64_t standbys_spawned;   /* of those started, cloned by the spawner (spawner.c) */
        uint64_t spawner_waits;      /* runs that waited for the spawner's answer */
        uint64_t spawner_wait_us;    /* how long, in all */
        uint64_t cgroups_reused;     /* box cgroups served again instead of made (cgpool.c) */
        uint64_t cgroups_kept;       /* finished boxes' cgroups waiting to be (empty) */
};
void sbx_get_stats(struct sbx_stats *out);

/* Detects the cgroup setup, creates the server's cgroups beneath its own and
 * the box staging directory. Call once at start-up. */
int sbx_global_init(const struct sbx_options *opt, struct err *e);
/* Removes what sbx_global_init created (and leftovers of earlier crashed
 * servers under the same parent). */
void sbx_global_cleanup(void);
/* Whether sbx_global_init found the runtime's zygote binary (and the
 * reaper every warm run's PID 1 becomes). */
bool sbx_warm_available(enum sbx_warm_runtime rt);
/* "python", "racket", "r", "ocaml", "php", "coq" or "octave": the runtime's name in logs,
 * /v1/status keys and metric names. */
const char *sbx_warm_runtime_name(enum sbx_warm_runtime rt);
/* "Python", "Racket", "R", "OCaml", "PHP", "Coq" or "Octave": in /health headers
 * (X-Codeexec-Warm-...) and metric help texts. */
const char *sbx_warm_runtime_title(enum sbx_warm_runtime rt);
/* "cgroup v2", "cgroup v1" or "rlimits only"; for /health and start-up. */
const char *sbx_limits_mode(void);

/* Starts a box. On success fills box (caller owns every fd in it and must
 * call sbx_release) and returns 0. */
int sbx_spawn(const struct sbx_spec *spec, struct sbx_box *box, struct err *e);

/* Kills the whole box now (idempotent). */
void sbx_kill(struct sbx_box *box);

/* Reads one status message from box->status_fd; returns 1 with *m
 * filled, 0 on EOF, -1 on EAGAIN or error. A pidfd passed with a warm run's
 * first record becomes box->pidfd (and kills the run if it was killed
 * before). */
int sbx_read_msg(struct sbx_box *box, struct sbx_msg *m);

/* Resource usage of the whole box, read from its cgroup (zeros without). */
void sbx_usage(struct sbx_box *box, struct sbx_usage *u);

/* Closes the fds still open in box and removes its cgroup (retrying later if
 * the kernel still holds it). PID 1 must have exited. */
void sbx_release(struct sbx_box *box);

/* Warm Python (warm.c). A zygote is a long-lived box per slot whose PID 1
 * is a pre-started interpreter; sbx_zygote_spawn starts one (spec gives the
 * slot, the run's environment, binds and limits; it is watched like any box:
 * its pidfd, its status_fd as the control socket, out_fd[0] as its log).
 * sbx_zygote_ready reads its one ready record (1: ready, 0: not yet, -1:
 * failed). sbx_warm_run starts one run in it, filling box as sbx_spawn
 * would. */
struct sbx_zygote_info {
        uint64_t rss_kb;
        unsigned failed_preloads;
        unsigned threads; /* the zygote's threads once ready (1: safe to fork) */
        char failed[240];
};
int sbx_zygote_spawn(const struct sbx_spec *spec, enum sbx_warm_runtime rt, const char *preload,
                     struct sbx_box *zygote, struct err *e);
int sbx_zygote_ready(struct sbx_box *zygote, struct sbx_zygote_info *info, struct err *e);
/* Moves a ready zygote into a fresh cgroup (limits lim, until a run sets
 * its own), where its next run is born: called when it is ready, then by
 * sbx_warm_run after each run. 0 without cgroups or when already parked. */
int sbx_zygote_park(struct sbx_box *zygote, const struct sbx_limits *lim, struct err *e);
/* Whether the zygote of runtime rt maps a file that has been replaced on
 * disk since (a package upgrade of its toolchain: util/procmaps.h): 1 with
 * the file's path in what, 0, or -1 (its maps could not be read). */
int sbx_zygote_replaced(const struct sbx_box *zygote, enum sbx_warm_runtime rt, char *what,
                        size_t n);
int sbx_warm_run(struct sbx_box *zygote, const struct sbx_spec *spec, struct sbx_box *box,
                 struct err *e);

/* Judge mode's exec zygote (zygote/execzygote.c): a box built as spec's
 * (a test of a judged program: one step, its files and artifact), whose
 * PID 1 forks a box per run that executes spec's step. Watched and served
 * as a warm Python zygote is (sbx_zygote_ready, sbx_warm_run, where each
 * run's spec gives its stdin and limits; its files, step and environment
 * are this one's). Runs may be sent before it is ready: they wait on its
 * control socket. */
int sbx_execzygote_spawn(const struct sbx_spec *spec, struct sbx_box *zygote, struct err *e);
bool sbx_execzygote_available(void);

/* Judge mode's compiled program: an immutable archive of a box's /tmp,
 * validated by the server (relative names, no "..", bounded count and size)
 * and kept in a sealed memfd, shared by reference between the boxes of the
 * tests it runs. */
struct sbx_artifact;
/* After PID 1 of a box spawned with collect_tmp exited: 1 and *out (one
 * reference) when it left a valid archive, 0 when it left none (a step
 * failed), -1 with e set when the archive is invalid or too large. */
int sbx_take_artifact(struct sbx_box *box, struct sbx_artifact **out, struct err *e);
struct sbx_artifact *sbx_artifact_ref(struct sbx_artifact *a);
void sbx_artifact_unref(struct sbx_artifact *a);
uint64_t sbx_artifact_bytes(const struct sbx_artifact *a); /* archived file bytes */
/* An artifact made by the server from files (names: relative paths, each
 * as arc_name_ok() checks, none the same as another or a directory of
 * another; parent directories are added): 0 and *out (one reference), or
 * -1 with e set. For requests whose files have nested paths. */
int sbx_artifact_build(const struct sbx_file *files, size_t n, struct sbx_artifact **out,
                       struct err *e);
/* The archive of a, mapped read-only (archive.h's reader walks it): its
 * address and *size, or NULL with e set. Unmap with sbx_artifact_unmap. */
const void *sbx_artifact_map(const struct sbx_artifact *a, size_t *size, struct err *e);
void sbx_artifact_unmap(const void *map, size_t size);
size_t sbx_artifact_entries(const struct sbx_artifact *a);

/* Retries removing cgroups that were still busy at release, reaps and
 * discards standby boxes; returns how many cgroups are still busy. Call
 * from a timer. */
size_t sbx_retry_releases(void);

#endif
