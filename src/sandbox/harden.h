/* harden: what a box's PID 1 and its programs give up, in one place (see
 * harden.c). Linked into codeexec (the cold box's PID 1, init.c) and
 * codeexec-pyzygote (a warm run's PID 1 and its program, run_box); the
 * reaper's descriptor numbers are read by codeexec-pyreaper too. */
#ifndef CODEEXEC_HARDEN_H
#define CODEEXEC_HARDEN_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

/* Inside the box: the program's uid and gid. */
#define SBX_BOX_UID 1000
#define SBX_BOX_GID 1000
/* PID 1's real gid inside the box (host gid --uid-base - 1): PID 1 and the
 * program share a uid but not their gids, so that the program cannot
 * prlimit(2) PID 1 (the kernel allows that between processes whose uids
 * and gids all match). PID 1 creates files with its effective gid, 1000. */
#define SBX_PID1_GID 1001

/* A box's /tmp: SBX_TMP_INODES inodes, owned by the box user; its /dev/shm
 * a quarter of /tmp's size (plus a page) and SBX_SHM_INODES inodes. */
#define SBX_TMP_INODES 65536u
#define SBX_SHM_INODES 1024u

/* What a warm run's PID 1 hands codeexec-pyreaper: the run's status socket,
 * and the write end of the pipe the program waits on until the reaper has
 * made itself non-dumpable (pyzygote/reaper_main.c). */
#define SBX_REAPER_FD_STATUS 3
#define SBX_REAPER_FD_READY 4

/* The resource limits a program runs under; 0 = none. */
struct harden_rlimits {
        uint64_t file_bytes; /* RLIMIT_FSIZE */
        uint64_t open_files; /* RLIMIT_NOFILE */
        uint64_t processes;  /* RLIMIT_NPROC */
        uint64_t data_bytes; /* RLIMIT_DATA (no memory cgroup) */
        uint64_t cpu_ms;     /* RLIMIT_CPU, in whole seconds rounded up */
};

/* The box user's uid in all three places (a cold PID 1, from host root). */
int harden_box_uids(struct err *e);
/* Real gid SBX_PID1_GID, effective and saved the box user's: PID 1's. */
int harden_pid1_gids(struct err *e);
/* The box user's gid in all three places: a program's (and a zygote's). */
int harden_box_gids(struct err *e);

/* Mounts a box's /tmp (and its /dev/shm) of `tmpfs_bytes` at `target`. */
int harden_mount_tmp(const char *target, uint64_t tmpfs_bytes, struct err *e);
int harden_mount_shm(const char *target, uint64_t tmpfs_bytes, struct err *e);

/* RLIMIT_CORE 0, and the box-wide limits of l (file size, open files,
 * processes), inherited by every process of the box. */
int harden_rlimits_box(const struct harden_rlimits *l, struct err *e);
/* The limits of one program only (data, CPU seconds): set in the process
 * that executes it, not in PID 1 (which may need more memory). */
int harden_rlimits_step(const struct harden_rlimits *l, struct err *e);

/* Makes the process (its memory, /proc files) dumpable or not. */
int harden_dumpable(int on, struct err *e);

/* The box's seccomp deny-list, compiled by the server (sandbox/seccomp.c)
 * as two filters that every box's processes run under, stacked: together
 * they decide every call exactly as one filter with all the rules would
 * (each rule is in one of them, and the kernel takes the stricter answer).
 * The split is where a zygote needs it: `zygote` has every rule but those
 * a warm run's PID 1 still needs to build the run (mount, umount2,
 * unshare, clone with CLONE_NEWNS, NEWPID or NEWIPC), which are `run`'s.
 * A zygote loads its filter once and each run's PID 1 adds only the small
 * one: loading the whole list cost a run ~0.115 ms of CPU, the run's part
 * ~0.065 ms (what any filter's load costs: its allocation, the JIT, the
 * action cache's pass over every syscall number). A cold box loads both,
 * so that a program sees the same two filters (Seccomp_filters in
 * /proc/self/status) wherever it runs. */
struct harden_filters {
        struct sock_fprog zygote;
        struct sock_fprog run;
};

/* Every capability of the bounding, permitted, effective, inheritable and
 * ambient sets, then no_new_privs, then both filters: afterwards the
 * caller has what a program has. The last thing a process does before it
 * executes a program. */
int harden_drop_privileges(const struct harden_filters *filters, struct err *e);
/* Its two halves, for a process whose filter is loaded before it forks the
 * program (the filter is inherited; a warm run's PID 1, zygote/zyrun.c):
 * no_new_privs and a filter; every capability and no_new_privs. */
int harden_load_filter(const struct sock_fprog *filter, struct err *e);
/* no_new_privs and both filters, zygote's first. */
int harden_load_filters(const struct harden_filters *filters, struct err *e);
int harden_drop_caps(struct err *e);
/* Empties the bounding set (CAP_SETPCAP needed), keeping the other sets: a
 * zygote's, once, so that harden_drop_caps in each of its runs' processes
 * (copies of it) skips the sixty-odd prctl calls that drop it. */
int harden_drop_bounding(struct err *e);

/* Keeps only caps[0..n) (each < 32) in the permitted, effective and
 * inheritable sets and the bounding set, and raises them as ambient so that
 * they survive an exec; sets no_new_privs (a warm zygote's PID 1). */
int harden_keep_caps(const int *caps, size_t n, struct err *e);

/* The filters as the server hands them to a zygote (a memfd on
 * WARM_FD_SECCOMP): this header, then zygote_len instructions, then
 * run_len. */
#define HARDEN_FILTER_PAIR_MAGIC 0x5a706353u /* "ScpZ" */
struct harden_filter_pair {
        uint32_t magic;
        uint16_t zygote_len;
        uint16_t run_len;
};

/* Reads the pair from fd into the two buffers (room for max instructions
 * each) and points the programs at them; fd stays open. */
int harden_seccomp_read_pair(int fd, struct sock_filter *zygote_buf, struct sock_filter *run_buf,
                             size_t max, struct sock_fprog *zygote, struct sock_fprog *run,
                             struct err *e);

#endif
