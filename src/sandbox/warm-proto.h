/* warm-proto: what the server and a zygote (the warm Python one, pyzygote/,
 * or judge mode's exec zygote, zygote/execzygote.c) say to each other over
 * the zygote's control socket (SOCK_SEQPACKET).
 *
 * At exec the zygote finds: fd 0 /dev/null, fds 1 and 2 a log pipe read by
 * the server, WARM_FD_CONTROL the control socket, WARM_FD_SECCOMP a memfd
 * with the box's compiled seccomp filter. It reads one warm_config; when the
 * preloads it names are imported it
 * sends one warm_ready. Then, for each run, the server sends one
 * warm_request with the run's descriptors attached (SCM_RIGHTS, in the
 * order of enum warm_req_fd); the run reports on its status socket exactly
 * like a cold box (sbx_msg records), the first record carrying a pidfd of
 * the run's PID 1. The zygote never answers a request on the control
 * socket: everything about a run travels on the run's own channels. */
#ifndef CODEEXEC_WARM_PROTO_H
#define CODEEXEC_WARM_PROTO_H

#include <sched.h>
#include <stdint.h>

#define WARM_MAGIC 0x636f6457u /* "Wdoc" */
#define WARM_FD_CONTROL 3
#define WARM_FD_SECCOMP 4
#define WARM_FD_EXE 5    /* the zygote binary itself, closed by the zygote */
#define WARM_FD_REAPER 6 /* codeexec-pyreaper, what each run's PID 1 becomes */
/* A preloaded zygote (a library, sbx_spec.zygote_preload) finds this as
 * the last variable of its environment: the dynamic loader maps the
 * library from WARM_FD_EXE, left open across the exec. */
#define WARM_PRELOAD_VAR "LD_PRELOAD"
#define WARM_PRELOAD_ENV WARM_PRELOAD_VAR "=/proc/self/fd/5"
_Static_assert(WARM_FD_EXE == 5, "WARM_PRELOAD_ENV names WARM_FD_EXE");
/* What the warm Coq zygote (coqzygote/zygote.c) has already checked: the
 * first lines of every MultiPL-E Coq program. A Coq run is warm only when
 * its program starts with exactly these bytes (exec/warmpool.c). */
#define WARM_COQ_PREFIX                                                                            \
        "Require Import ZArith.\nRequire Import Reals.\nRequire Import Coq.Strings.String.\n"      \
        "Open Scope string_scope.\n"

enum warm_kind { WARM_RUN = 0, WARM_PARK = 1 };

enum warm_req_fd {
        WARM_REQ_STATUS, /* the run's status socket (sbx_msg records) */
        WARM_REQ_STDOUT,
        WARM_REQ_STDERR,
        WARM_REQ_PROGRAM, /* memfd holding the program's source */
        WARM_REQ_STDIN,   /* memfd holding stdin; absent: /dev/null */
        WARM_REQ_NFDS
};
/* After those, ncgroup descriptors: the join files (cg_box_procs_fds, one
 * per hierarchy) of the run's own cgroup, which the run's PID 1 joins before it
 * forks the program. */
#define WARM_REQ_MAX_CGROUP_FDS 4 /* memory, pids, cpuacct, cpu (v1) */
#define WARM_REQ_MAX_FDS (WARM_REQ_NFDS + WARM_REQ_MAX_CGROUP_FDS)

struct warm_request {
        uint32_t magic;
        uint32_t nfds;    /* ncgroup + WARM_REQ_NFDS, or one less without stdin */
        uint32_t ncgroup; /* the last ncgroup descriptors: the run's cgroup */
        /* WARM_PARK: no run; the zygote moves itself into the cgroup
         * attached (nfds == ncgroup), where its next run will be born.
         * WARM_RUN: a run; own_cgroup says the zygote sits in the run's own
         * cgroup already (or the run's PID 1 joins the one attached), so
         * PID 1 makes a cgroup namespace rooted there. */
        uint32_t kind;
        uint32_t own_cgroup;
        double timeout_s;
        uint64_t cpu_ms; /* RLIMIT_CPU, 0 = none */
        uint64_t file_bytes;
        uint64_t tmpfs_bytes;
        uint64_t memory_bytes; /* RLIMIT_DATA when memory_rlimit (no cgroups) */
        uint32_t open_files;
        uint32_t processes;
        uint32_t memory_rlimit;
        char file_name[64]; /* under /tmp */
};

/* The first record on the control socket, from the server: the zygote's
 * argv is exactly python3's (`/usr/bin/python3 /tmp/main.py`), so that a
 * run's /proc/self/cmdline is a cold run's; its settings come here. */
struct warm_config {
        uint32_t magic;
        char preload[508]; /* comma-separated module names */
        /* The CPUs a program may run on: the server's own, as a cold box's
         * program has them. The zygote itself, and each run's PID 1, keep
         * to the one CPU of their slot (slotcpu.c). */
        cpu_set_t program_cpus;
        /* An exec zygote's: the most file bytes its /tmp may hold (the
         * size of the box's tmpfs), for its template (execzygote.c). */
        uint64_t tmp_bytes;
};

struct warm_ready {
        uint32_t magic;
        uint32_t failed_preloads;
        uint64_t rss_kb;
        uint32_t threads; /* in the zygote after its preloads: forking is safe with 1 only */
        uint32_t pad;
        char text[240]; /* the modules that failed to import, or "" */
};

#endif
