/* cgroup: per-box resource limits and accounting, behind one interface with
 * three backends — cgroup v2, cgroup v1 (memory, pids, cpuacct hierarchies)
 * and none (rlimits only) — chosen at start-up by cg_init().
 *
 * All cgroups are created beneath the cgroup the server was started in, in a
 * directory named codeexec-<server pid>, one box-<id> per run, and removed
 * when the run is released. Directories left by a server that died are
 * removed at the next start. */
#ifndef CODEEXEC_CGROUP_H
#define CODEEXEC_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../util/err.h"
#include "sandbox.h"

struct cg_box;

/* Detects the usable backend and prepares the server's parent cgroup.
 * Never fails hard: without a usable hierarchy it selects "rlimits only"
 * and says why in *why (a static string, NULL when a cgroup backend works). */
int cg_init(const char **why);
/* Selects the rlimits-only fallback without looking at cgroups. */
void cg_disable(const char **why);
const char *cg_mode(void);
bool cg_enabled(void);
void cg_cleanup(void);

/* Creates the cgroup of one box with its limits. Returns NULL (and fills e)
 * on failure; with the "none" backend returns a valid empty handle. */
struct cg_box *cg_box_create(uint64_t id, const struct sbx_limits *lim, struct err *e);
/* A directory fd for clone3(CLONE_INTO_CGROUP), or -1 if not applicable. */
int cg_box_clone_fd(const struct cg_box *b);
/* Moves pid into the box (v1, or v2 when clone3 could not); pid 0 means
 * the calling process. */
int cg_box_attach(struct cg_box *b, pid_t pid, struct err *e);
/* Opens the box's cgroup.procs (one per hierarchy: v2 one, v1 up to three)
 * for writing, into fds[0..max); returns how many (0 without cgroups) or -1.
 * Whoever writes "0" to every one of them moves itself into the box: the
 * kernel checks the permission to move against the credentials and cgroup
 * namespace of the opener (the server), not the writer's. The caller owns
 * the descriptors. */
int cg_box_procs_fds(const struct cg_box *b, int *fds, size_t max, struct err *e);
void cg_box_kill(struct cg_box *b);
void cg_box_usage(struct cg_box *b, struct sbx_usage *u);
/* Sets the memory and process limits of an existing box cgroup and
 * restarts its memory peak: for a warm run's cgroup, made before its limits
 * are known. -1 if a limit could not be set (memory: usage above it). */
int cg_box_set_limits(struct cg_box *b, const struct sbx_limits *lim);
/* Removes the box's cgroup and frees the handle; returns -1 with errno EBUSY
 * when the kernel still holds it (the handle stays valid: retry later). */
int cg_box_destroy(struct cg_box *b);

#endif
