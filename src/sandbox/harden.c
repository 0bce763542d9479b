/* harden: credentials, tmpfs, rlimits, capabilities, no_new_privs and
 * seccomp of a box's processes (see harden.h).
 *
 * Theory of operation. A box has two kinds of PID 1 that must end up
 * equally tight: the cold box's (init.c, a raw clone3() copy of the
 * server) and a warm Python run's (zygote/zyrun.c run_box, a
 * vfork-style child sharing the zygote's memory), each with a program
 * below it. Both take their ids, their /tmp and /dev/shm, their rlimits and
 * their last privileges from here, so the two cannot drift. Each function
 * is a short list of system calls: it allocates nothing, touches no stdio
 * stream and takes no lock (a lock held by another thread at the clone
 * would stay held forever in the copy), and reports a failure in the
 * caller's struct err (err_set formats into that fixed buffer only).
 * Credentials change through raw system calls: glibc's setresuid() first
 * signals every thread it knows of, and in a clone of a threaded server
 * those threads do not exist. */
#define _GNU_SOURCE
#include "harden.h"

#include <errno.h>
#include <stdbool.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Capabilities are numbered below 64 (capset's two 32-bit words);
 * PR_CAPBSET_DROP of one the kernel does not know fails with EINVAL. */
#define CAP_SLOTS 64

int harden_box_uids(struct err *e)
{
        if (syscall(SYS_setresuid, SBX_BOX_UID, SBX_BOX_UID, SBX_BOX_UID) < 0)
                return err_set(e, errno, "setresuid %d", SBX_BOX_UID);
        return 0;
}

int harden_pid1_gids(struct err *e)
{
        if (syscall(SYS_setresgid, SBX_PID1_GID, SBX_BOX_GID, SBX_BOX_GID) < 0)
                return err_set(e, errno, "setresgid %d", SBX_PID1_GID);
        return 0;
}

int harden_box_gids(struct err *e)
{
        if (syscall(SYS_setresgid, SBX_BOX_GID, SBX_BOX_GID, SBX_BOX_GID) < 0)
                return err_set(e, errno, "setresgid %d", SBX_BOX_GID);
        return 0;
}

int harden_mount_tmp(const char *target, uint64_t tmpfs_bytes, struct err *e)
{
        char opts[128];

        snprintf(opts, sizeof(opts), "size=%llu,nr_inodes=%u,mode=0755,uid=%d,gid=%d",
                 (unsigned long long)tmpfs_bytes, SBX_TMP_INODES, SBX_BOX_UID, SBX_BOX_GID);
        if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
                return err_set(e, errno, "mount %s", target);
        return 0;
}

int harden_mount_shm(const char *target, uint64_t tmpfs_bytes, struct err *e)
{
        char opts[96];

        snprintf(opts, sizeof(opts), "size=%llu,nr_inodes=%u,mode=1777",
                 (unsigned long long)(tmpfs_bytes / 4 + 4096), SBX_SHM_INODES);
        if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
                return err_set(e, errno, "mount %s", target);
        return 0;
}

static int set_limit(int resource, const char *name, rlim_t soft, rlim_t hard, struct err *e)
{
        struct rlimit r = {soft, hard};

        if (setrlimit(resource, &r) < 0)
                return err_set(e, errno, "setrlimit %s", name);
        return 0;
}

int harden_rlimits_box(const struct harden_rlimits *l, struct err *e)
{
        if (set_limit(RLIMIT_CORE, "RLIMIT_CORE", 0, 0, e) < 0 ||
            (l->file_bytes &&
             set_limit(RLIMIT_FSIZE, "RLIMIT_FSIZE", l->file_bytes, l->file_bytes, e) < 0) ||
            (l->open_files &&
             set_limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", l->open_files, l->open_files, e) < 0) ||
            (l->processes &&
             set_limit(RLIMIT_NPROC, "RLIMIT_NPROC", l->processes, l->processes, e) < 0))
                return -1;
        return 0;
}

int harden_rlimits_step(const struct harden_rlimits *l, struct err *e)
{
        /* Without a memory cgroup, RLIMIT_DATA (private writable memory per
         * process) is the closest rlimit; RLIMIT_AS would break the JVM, V8
         * and Go, which reserve far more address space than they use. */
        if (l->data_bytes &&
            set_limit(RLIMIT_DATA, "RLIMIT_DATA", l->data_bytes, l->data_bytes, e) < 0)
                return -1;
        /* Whole seconds, rounded up; the hard limit a second later turns
         * the soft limit's SIGXCPU into a SIGKILL. */
        if (l->cpu_ms) {
                rlim_t s = (rlim_t)((l->cpu_ms + 999) / 1000);
                if (set_limit(RLIMIT_CPU, "RLIMIT_CPU", s, s + 1, e) < 0)
                        return -1;
        }
        return 0;
}

int harden_dumpable(int on, struct err *e)
{
        if (prctl(PR_SET_DUMPABLE, on ? 1 : 0, 0, 0, 0) < 0)
                return err_set(e, errno, on ? "dumpable" : "non-dumpable");
        return 0;
}

/* Set by harden_drop_bounding in a zygote: its copies (each run's PID 1
 * and program) find the bounding set empty already. */
static bool bounding_empty;

int harden_drop_bounding(struct err *e)
{
        for (int cap = 0; cap < CAP_SLOTS; cap++)
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                        return err_set(e, errno, "drop bounding cap %d", cap);
        bounding_empty = true;
        return 0;
}

/* The bounding set down to what data[0].permitted holds, then the
 * permitted, effective and inheritable sets to data's. */
static int set_caps(struct __user_cap_data_struct data[2], struct err *e)
{
        struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};

        for (int cap = 0; !bounding_empty && cap < CAP_SLOTS; cap++) {
                if (cap < 32 && (data[0].permitted & (1u << cap)))
                        continue;
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                        return err_set(e, errno, "drop bounding cap %d", cap);
        }
        if (syscall(SYS_capset, &hdr, data) < 0)
                return err_set(e, errno, "capset");
        return 0;
}

static int no_new_privs(struct err *e)
{
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return err_set(e, errno, "no_new_privs");
        return 0;
}

int harden_drop_caps(struct err *e)
{
        struct __user_cap_data_struct data[2];

        memset(data, 0, sizeof(data));
        if (set_caps(data, e) < 0)
                return -1;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return err_set(e, errno, "clear ambient caps");
        return no_new_privs(e);
}

int harden_load_filter(const struct sock_fprog *filter, struct err *e)
{
        if (!filter || !filter->filter)
                return err_set(e, EINVAL, "seccomp filter not prepared");
        if (no_new_privs(e) < 0)
                return -1;
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, filter, 0, 0) < 0)
                return err_set(e, errno, "seccomp");
        return 0;
}

int harden_load_filters(const struct harden_filters *filters, struct err *e)
{
        if (!filters)
                return err_set(e, EINVAL, "seccomp filter not prepared");
        if (harden_load_filter(&filters->zygote, e) < 0)
                return -1;
        return harden_load_filter(&filters->run, e);
}

int harden_drop_privileges(const struct harden_filters *filters, struct err *e)
{
        if (!filters)
                return err_set(e, EINVAL, "seccomp filter not prepared");
        if (harden_drop_caps(e) < 0)
                return -1;
        return harden_load_filters(filters, e);
}

int harden_keep_caps(const int *caps, size_t n, struct err *e)
{
        struct __user_cap_data_struct data[2];

        memset(data, 0, sizeof(data));
        for (size_t i = 0; i < n; i++) {
                if (caps[i] < 0 || caps[i] >= 32)
                        return err_set(e, EINVAL, "cap %d", caps[i]);
                data[0].effective |= 1u << caps[i];
                data[0].permitted |= 1u << caps[i];
                data[0].inheritable |= 1u << caps[i];
        }
        if (set_caps(data, e) < 0)
                return -1;
        for (size_t i = 0; i < n; i++)
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, caps[i], 0, 0) < 0)
                        return err_set(e, errno, "ambient cap %d", caps[i]);
        return no_new_privs(e);
}

int harden_seccomp_read_pair(int fd, struct sock_filter *zygote_buf, struct sock_filter *run_buf,
                             size_t max, struct sock_fprog *zygote, struct sock_fprog *run,
                             struct err *e)
{
        struct harden_filter_pair head;
        struct stat st;
        size_t want, insn = sizeof(struct sock_filter);
        ssize_t got;

        if (fstat(fd, &st) < 0)
                return err_set(e, errno, "seccomp memfd");
        got = pread(fd, &head, sizeof(head), 0);
        if (got != (ssize_t)sizeof(head) || head.magic != HARDEN_FILTER_PAIR_MAGIC ||
            head.zygote_len == 0 || head.run_len == 0 || head.zygote_len > max ||
            head.run_len > max)
                return err_set(e, EINVAL, "seccomp memfd: not a filter pair");
        want = sizeof(head) + ((size_t)head.zygote_len + head.run_len) * insn;
        if (st.st_size < 0 || (size_t)st.st_size != want)
                return err_set(e, EINVAL, "seccomp memfd of %lld bytes", (long long)st.st_size);
        if (pread(fd, zygote_buf, head.zygote_len * insn, sizeof(head)) !=
                (ssize_t)(head.zygote_len * insn) ||
            pread(fd, run_buf, head.run_len * insn,
                  (off_t)(sizeof(head) + head.zygote_len * insn)) != (ssize_t)(head.run_len * insn))
                return err_set(e, EIO, "read seccomp filters");
        zygote->len = head.zygote_len;
        zygote->filter = zygote_buf;
        run->len = head.run_len;
        run->filter = run_buf;
        return 0;
}
