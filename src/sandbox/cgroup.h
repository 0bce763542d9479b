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
#include <stddef.h>
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
/* Takes down what cg_init() built: kills and removes the box cgroups left,
 * moves the server back into the cgroup it started in (on v2 after taking
 * back the controllers it enabled there) and removes codeexec-<pid>. Never
 * kills the server; what it cannot remove is logged and left for the next
 * server started in the same cgroup. */
void cg_cleanup(void);

/* Pure: the path of the cgroup named by /proc/<pid>/cgroup text: of the v1
 * hierarchy that has controller (e.g. "memory"), or with controller NULL of
 * the v2 hierarchy (the line "0::/path"). Copies it ("/" or "/a/b") to out
 * and returns 0; -1 when there is no such line or the path does not fit. */
int cg_parse_own_path(const char *text, const char *controller, char *out, size_t cap);

/* Pure: where the cgroup own (a path from /proc/self/cgroup) is beneath a
 * cgroupfs mount whose top is the cgroup mount_root (mountinfo's 4th
 * field): own less that prefix, "/" for the top itself. Returns -1 when own
 * is not visible through the mount (outside it, or "/.." paths of a process
 * outside its cgroup namespace) or does not fit. */
int cg_path_in_mount(const char *own, const char *mount_root, char *out, size_t cap);

/* Creates the cgroup of one box with its limits. Returns NULL (and fills e)
 * on failure; with the "none" backend returns a valid empty handle. */
struct cg_box *cg_box_create(uint64_t id, const struct sbx_limits *lim, struct err *e);
/* The handle of box id's cgroup, made by another process of the server (the
 * standby spawner, spawner.c) with cg_box_create: no directory is made and
 * no limit written. NULL when out of memory. */
struct cg_box *cg_box_adopt(uint64_t id);
/* Frees the handle and leaves the cgroup: for the process that made it
 * for another (which adopts it). */
void cg_box_forget(struct cg_box *b);
uint64_t cg_box_id(const struct cg_box *b);
/* A directory fd for clone3(CLONE_INTO_CGROUP), or -1 if not applicable. */
int cg_box_clone_fd(const struct cg_box *b);
/* Moves pid into the box (v1, or v2 when clone3 could not); pid 0 means
 * the calling process, which must be single-threaded (on v1 only the
 * calling thread moves). */
int cg_box_attach(struct cg_box *b, pid_t pid, struct err *e);
/* Opens the box's cgroup.procs (v2: one) or tasks files (v1: one per
 * hierarchy) for writing, into fds[0..max); returns how many (0 without
 * cgroups) or -1. Whoever writes "0" to every one of them moves itself into
 * the box (on v1 the writing thread alone, without waiting for an RCU
 * grace period; see cgroup.c, self_join_file): the
 * kernel checks the permission to move against the credentials and cgroup
 * namespace of the opener (the server), not the writer's. The caller owns
 * the descriptors. */
int cg_box_procs_fds(struct cg_box *b, int *fds, size_t max, struct err *e);
void cg_box_kill(struct cg_box *b);
void cg_box_usage(struct cg_box *b, struct sbx_usage *u);
/* Sets the memory and process limits of an existing box cgroup and
 * restarts its memory peak: for a warm run's cgroup, made before its limits
 * are known. -1 if a limit could not be set (memory: usage above it). */
int cg_box_set_limits(struct cg_box *b, const struct sbx_limits *lim);
/* Whether the box's cgroup may serve another run after this one
 * (cg_box_reset): cgroup v1. (On v2 a reset memory.peak is only seen
 * through the descriptor that reset it.) */
bool cg_box_reusable(const struct cg_box *b);
/* Readies a reusable box cgroup whose run has ended for another run: its
 * CPU time restarts from zero; cg_box_set_limits then counts the memory
 * its earlier runs left charged (at most 1 MiB, as measured here) as the
 * new run's base: whatever a box's PID 1 charges to it before its run
 * starts counts in the run, as in a new cgroup. Unless a zygote waits in
 * it for its run (cg_box_zygote_waits): then the base is what is charged
 * when cg_box_set_limits is called, and the anonymous pages among it (the
 * zygote's) are added to the run's limit.
 * -1 with errno EBUSY while a process is still in it (try again later),
 * another errno when it must be removed instead (an out-of-memory kill
 * on record, more memory left charged, v2). */
int cg_box_reset(struct cg_box *b);
void cg_box_zygote_waits(struct cg_box *b);
/* Removes the box's cgroup and frees the handle; returns -1 with errno EBUSY
 * when the kernel still holds it (the handle stays valid: retry later). */
int cg_box_destroy(struct cg_box *b);

#endif
