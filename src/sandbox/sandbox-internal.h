/* sandbox-internal: what the sandbox's own files share; not for callers. */
#ifndef CODEEXEC_SANDBOX_INTERNAL_H
#define CODEEXEC_SANDBOX_INTERNAL_H

#include "harden.h" /* SBX_BOX_UID, SBX_BOX_GID, SBX_PID1_GID */
#include "sandbox.h"

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

        /* Start-up state of the server's, copied here by sbx_spawn so that
         * PID 1 reads no other file's globals. */
        const struct sock_fprog *seccomp; /* the compiled deny-list (seccomp.c) */
        char *argv_area;                  /* the server's argv strings, wiped in the box */
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
void sbx_warm_init(const char *zygote_path, const char *reaper_path);

/* A box's cgroup (cgroup.h) with the next box id. */
struct cg_box *sbx_new_cgroup(const struct sbx_limits *lim, struct err *e);

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
const struct sock_fprog *sbx_seccomp_filter(void);
/* A memfd holding the compiled deny-list f (struct sock_filter[]), for a
 * warm box's zygote to install in each run; only system calls. */
int sbx_seccomp_memfd(const struct sock_fprog *f, struct err *e);

#endif
