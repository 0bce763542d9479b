/* sandbox-internal: what the sandbox's own files share; not for callers. */
#ifndef CODEEXEC_SANDBOX_INTERNAL_H
#define CODEEXEC_SANDBOX_INTERNAL_H

#include "harden.h" /* SBX_BOX_UID, SBX_BOX_GID, SBX_PID1_GID */
#include "sandbox.h"

struct buf;

#define SBX_STAGE_DIR "/run/codeexec-stage" /* mount point used to build the root */
/* Under /tmp: the upper and work directories of the recipe's overlays
 * (mounts.c), never part of a judge artifact (archive.c). */
#define SBX_OVERLAY_DIR ".overlay"

/* Everything PID 1 needs; lives in PID 1's (copy-on-write) memory. */
struct child_ctx {
        const struct sbx_spec *spec;
        int status_fd;               /* child end of the status socket */
        int sync_fd;                 /* read end: parent writes 1 byte when set up */
        int out_w[SBX_MAX_STEPS][2]; /* write ends of the step output pipes */
        struct cg_box *cg;           /* to join, when clone3 could not place us */
        int memory_rlimit;           /* no cgroup: limit memory with RLIMIT_DATA */
        int collect_fd;              /* spec->collect_tmp: the memfd to archive /tmp into */
        size_t collect_cap;          /* its size */
        /* A standby box (standby.c): spec holds only what the box is built
         * from (binds, overlays, mnt_in_tmp, limits, slot); PID 1 builds it
         * and then waits on status_fd for the run (struct standby_run). */
        bool standby;
        /* a standby's: the server's comm, given back for the run (read at
         * the start of PID 1 when empty) */
        char name[16];
        /* cloned by the spawner (spawner.c) as the server's child */
        bool clone_parent;

        /* Start-up state of the server's, copied here by sbx_spawn so that
         * PID 1 reads no other file's globals. */
        const struct harden_filters *seccomp; /* the compiled deny-list (seccomp.c) */
        const struct buf *zygote_seccomp;     /* the same, as a zygote reads it */
        char *argv_area;                      /* the server's argv strings, wiped in the box */
        size_t argv_len;
};

/* A judge artifact (artifact.c): a sealed memfd holding a validated archive
 * (archive.h), shared read-only by the boxes it is unpacked in. */
struct sbx_artifact {
        unsigned refs;
        int fd; /* read-only, sealed */
        size_t size;
        size_t entries;
        uint64_t bytes;
};

/* A memfd for spec->collect_tmp: sealable, cap = arc_capacity(max_data)
 * bytes long (sparse). -1 with e set on failure. */
int sbx_collect_memfd(uint64_t max_data, size_t *cap, struct err *e);

/* Opens the warm Python binaries (warm.c), at start-up; without them
 * (NULL paths, or not found) warm Python is off. */
void sbx_warm_init(const char *const zygote_paths[SBX_WARM_RUNTIMES], const char *reaper_path);
void sbx_execzygote_init(const char *execzygote_path, const char *reaper_path);
/* Keeps the cgroup of a released box to serve another (cgpool.c): true
 * if taken. sbx_reuse_cgroup gives one back, reset and ready for a new
 * box (NULL when none is); sbx_cgroups_reused counts those, and
 * sbx_cgroups_kept says how many wait; sbx_cgpool_cleanup drops them, at
 * shutdown. */
bool sbx_keep_cgroup(struct cg_box *cg);
struct cg_box *sbx_reuse_cgroup(void);
/* The same with lim set on it (a new box's limits); NULL when none is
 * kept or the limits could not be set (that one is removed). */
struct cg_box *sbx_reuse_cgroup_with(const struct sbx_limits *lim);
uint64_t sbx_cgroups_reused(void);
size_t sbx_cgroups_kept(void);
void sbx_cgpool_cleanup(void);
/* Has a released box's cgroup removed, off the event loop where the
 * spawner runs (spawn.c); *cg becomes NULL. */
void sbx_remove_cgroup(struct cg_box **cg);

/* Starts PID 1 with ctx in a new cgroup with limits lim, in slot's
 * namespaces: makes the box's status socket and sync pipe (ctx gets the
 * child's ends), clones, writes the id maps and lets it go. 0 with
 * box->pid, pidfd, mntns_fd, status_fd (non-blocking) and cg set, or -1
 * with e set and nothing left (the child killed and reaped). spawn.c. */
int sbx_start_pid1(struct child_ctx *ctx, const struct sbx_limits *lim, unsigned slot,
                   struct sbx_box *box, struct err *e);
/* The same in the cgroup cg, which it takes: on failure it is removed,
 * except when ctx->clone_parent and the child was cloned: then the killed
 * child is left in box->pid and box->pidfd and cg in box->cg. */
int sbx_start_pid1_in(struct child_ctx *ctx, struct cg_box *cg, unsigned slot, struct sbx_box *box,
                      struct err *e);
/* One stdout/stderr pipe pair per step (out[step][stream][end], close-on-
 * exec, the rest -1); -1 with e set and nothing left open. */
int sbx_out_pipes(size_t nsteps, int out[SBX_MAX_STEPS][2][2], struct err *e);
void sbx_close_out_pipes(int out[SBX_MAX_STEPS][2][2]);
/* After PID 1 has its write ends: closes them here and gives box the read
 * ends (non-blocking). */
void sbx_box_take_out_pipes(struct sbx_box *box, size_t nsteps, int out[SBX_MAX_STEPS][2][2]);

/* Standby boxes (standby.c): one PID 1 per slot started ahead, built up to
 * where it needs its run. */
void sbx_standby_init(unsigned slots, bool enabled, bool spawner);
/* Starts spec's run in the slot's standby box when there is one that fits
 * (same binds, overlays, /mnt and /tmp size, alive): 0 with box filled as sbx_spawn
 * fills it; -1 when there is none or it could not take the run (then
 * discarded): the caller starts a cold box. */
int sbx_standby_run(const struct sbx_spec *spec, struct sbx_box *box);
/* Starts a standby box for the slot of spec, built for runs like it, unless
 * the slot has one; failures are only logged. */
void sbx_standby_prepare(const struct sbx_spec *spec);
/* Counts a box started cold, for sbx_get_stats. */
void sbx_standby_count_cold(void);
/* From the server's tick: reaps discarded standbys, discards idle ones. */
void sbx_standby_tick(void);
/* At shutdown: kills and reaps every standby, removes their cgroups. */
void sbx_standby_cleanup(void);

/* A standby's comm while it waits (15 characters at most). */
#define STANDBY_COMM "codeexec-wait"

/* The first record a standby's PID 1 receives: its run. Attached: the spec
 * image (specimage.h), then the collect memfd if has_collect, then the
 * artifact's fd if has_artifact. Then records of up to SCM_MAX_FDS output
 * pipe write ends each (body: a uint32_t count), 2 per step in step order,
 * stdout first. */
#define STANDBY_RUN_MAGIC 0x52756e21u /* "Run!" */
struct standby_run {
        uint32_t magic;
        uint32_t nsteps;
        uint32_t has_collect;
        uint32_t has_artifact;
        uint64_t spec_size;
        uint64_t collect_cap;
};

/* A box's cgroup (cgroup.h) with the next box id. */
struct cg_box *sbx_new_cgroup(const struct sbx_limits *lim, struct err *e);
/* The next box id (every cgroup is named by one). */
uint64_t sbx_take_box_id(void);

/* The standby spawner (spawner.c): a small process, forked from the server
 * at start-up, that clones standby boxes as the server's children so that
 * the server's event loop does not. */
struct spawned {
        unsigned slot;
        uint64_t box_id;
        bool ok; /* else msg says why; pidfd >= 0: a killed box to reap */
        char msg[sizeof(((struct err *)0)->msg)];
        pid_t pid;
        int pidfd, status_fd, mntns_fd; /* the server's now; -1 when absent */
};
/* Forks the spawner; false (logged) when it could not be started. */
bool sbx_spawner_start(void);
bool sbx_spawner_up(void);
/* Asks for a standby box built from key (binds, overlays, mnt_in_tmp,
 * limits, slot) in the cgroup box_id; -1 when the request could not be
 * sent (the spawner is then down: boxes are cloned here). */
int sbx_spawner_request(const struct sbx_spec *key, uint64_t box_id, bool cgroup_exists);
/* Asks the spawner to remove the cgroup box_id of a released box (trying
 * again while the kernel holds it): -1 when it could not be asked. */
int sbx_spawner_remove(uint64_t box_id);
/* The next answer, waiting up to timeout_ms: 1 with *out filled, 0 none
 * yet, -1 the spawner has gone (then down). */
int sbx_spawner_answer(struct spawned *out, int timeout_ms);
/* Stops the spawner once the requests sent are answered (collect them
 * with sbx_spawner_answer until -1) and reaps it. */
void sbx_spawner_stop(void);
void sbx_spawner_reap(void);

/* PID 1 of a box: never returns. */
_Noreturn void sbx_child_main(struct child_ctx *c);

/* Builds the box's root file system and pivots into it (mounts.c). */
int sbx_mount_root(const struct sbx_spec *spec, struct err *e);
/* Makes the root read-only once files are written (mounts.c). */
int sbx_seal_root(struct err *e);

/* Compiles the seccomp deny-list to BPF, once, in the server (seccomp.c). */
int sbx_seccomp_prepare(struct err *e);
/* The compiled deny-list, for harden_drop_privileges(); NULL before
 * sbx_seccomp_prepare. */
const struct harden_filters *sbx_seccomp_filter(void);
/* The deny-list as a zygote reads it (harden.h's struct harden_filter_pair
 * and both filters); NULL before sbx_seccomp_prepare. */
const struct buf *sbx_seccomp_zygote_blob(void);
/* A memfd holding blob, for a zygote to read at start-up; only system
 * calls. */
int sbx_seccomp_memfd(const struct buf *blob, struct err *e);

#endif
