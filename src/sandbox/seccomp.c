/* seccomp: the deny-list every process in a box runs under.
 *
 * Theory of operation. Test programs need ordinary POSIX: files, pipes,
 * threads, fork, exec, sockets on loopback (which does not exist in the
 * box's network namespace anyway). They never need to debug other processes,
 * mount, load kernel code, create namespaces, or reach kernel interfaces with
 * a history of privilege escalations. Those calls fail with EPERM (ENOSYS for
 * clone3, so that libc falls back to clone(), whose flags can be inspected;
 * EAFNOSUPPORT for exotic socket families). Calls from another ABI (i386
 * int 0x80, x32) kill the process: the filter only speaks the native ABI.
 * The list is compiled as two filters, stacked in every box, which
 * together decide each call as one filter with every rule would (harden.h,
 * struct harden_filters): a zygote loads the larger once and each of its
 * runs only the few rules its PID 1 needs to break first. A cold box's PID
 * 1 installs both after it dropped its privileges, with no_new_privs set
 * (harden.c), and every step inherits them.
 *
 * The filter is compiled once, at start-up, by the server (libseccomp
 * allocates while it compiles) and PID 1 only loads the finished BPF with
 * prctl(). PID 1 is a raw clone3() copy of a server that may have another
 * thread (the test-bank worker): a lock that thread held at the moment of
 * the clone stays held forever in the copy, so PID 1 must not call malloc
 * or anything else that may take a libc lock. */
#define _GNU_SOURCE
#include "sandbox-internal.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "../util/buf.h"
#include "../util/memfd.h"
#include "harden.h"

static const char *const denied[] = {
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "pidfd_getfd",
    "kcmp",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsmount",
    "fsconfig",
    "fspick",
    "mount_setattr",
    "swapon",
    "swapoff",
    "reboot",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "acct",
    "quotactl",
    "quotactl_fd",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "unshare",
    "setns",
    "open_by_handle_at",
    "name_to_handle_at",
    "lookup_dcookie",
    "syslog",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "vhangup",
    "fanotify_init",
    "uselib",
    "nfsservctl",
    "iopl",
    "ioperm",
    "landlock_create_ruleset",
    "landlock_add_rule",
    "landlock_restrict_self",
    "modify_ldt", /* x86 LDT: a history of kernel bugs; Docker's profile denies it too */
    NULL,
};

/* Socket families a test program has no business with: everything but
 * AF_UNIX (1), AF_INET (2), AF_INET6 (10) and AF_NETLINK (16), i.e. the
 * families below AF_PACKET listed here, and AF_PACKET (17) and every family
 * after it. */
static const int denied_families[] = {AF_AX25,   AF_IPX,     AF_APPLETALK, AF_NETROM,
                                      AF_BRIDGE, AF_ATMPVC,  AF_X25,       AF_ROSE,
                                      AF_DECnet, AF_NETBEUI, AF_SECURITY,  AF_KEY};
#define FIRST_DENIED_FAMILY_ABOVE AF_PACKET
_Static_assert(AF_UNIX == 1 && AF_INET == 2 && AF_AX25 == 3 && AF_X25 == 9 && AF_INET6 == 10 &&
                   AF_ROSE == 11 && AF_KEY == 15 && AF_NETLINK == 16 && AF_PACKET == 17,
               "the families between the allowed ones are all listed");

static const unsigned long ns_flags[] = {CLONE_NEWNS,     CLONE_NEWUTS, CLONE_NEWIPC,
                                         CLONE_NEWUSER,   CLONE_NEWPID, CLONE_NEWNET,
                                         CLONE_NEWCGROUP, CLONE_NEWTIME};

/* Terminal injection: pushing bytes into a terminal's input queue. */
static const unsigned long denied_ioctls[] = {TIOCSTI, TIOCLINUX};

/* The deny-list is compiled as two filters that every box stacks
 * (harden.h's struct harden_filters): the run's PID 1 in a zygote needs
 * only these of the denied calls (its new namespaces and mounts,
 * zygote/zyrun.c), so they are all the run's filter holds, and the
 * zygote's holds everything else. */
enum rules { RULES_ZYGOTE, RULES_RUN };
static const char *const run_only[] = {"mount", "umount2", "unshare", NULL};
static const unsigned long run_only_ns_flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC;

static struct harden_filters compiled; /* set by sbx_seccomp_prepare */
static struct buf zygote_blob;         /* the same as a zygote reads them (harden.h) */

static bool in_part(enum rules part, bool run_only_rule)
{
        return (part == RULES_RUN) == run_only_rule;
}

static bool is_run_only(const char *name)
{
        for (int i = 0; run_only[i]; i++)
                if (strcmp(run_only[i], name) == 0)
                        return true;
        return false;
}

static int add_rules(scmp_filter_ctx ctx, enum rules part)
{
        int rc = 0;

        for (int i = 0; denied[i] && rc == 0; i++) {
                int nr = seccomp_syscall_resolve_name(denied[i]);
                if (nr == __NR_SCMP_ERROR || !in_part(part, is_run_only(denied[i])))
                        continue; /* not on this architecture, or the other filter's */
                rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
        }
        if (rc == 0 && in_part(part, false))
                rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]) && rc == 0; i++)
                if (in_part(part, (ns_flags[i] & run_only_ns_flags) != 0))
                        rc =
                            seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                             SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
        if (!in_part(part, false))
                return rc;
        for (size_t i = 0; i < sizeof(denied_families) / sizeof(denied_families[0]) && rc == 0; i++)
                rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                                      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)denied_families[i]));
        if (rc == 0)
                rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1,
                                      SCMP_A0(SCMP_CMP_GE, FIRST_DENIED_FAMILY_ABOVE));
        for (size_t i = 0; i < sizeof(denied_ioctls) / sizeof(denied_ioctls[0]) && rc == 0; i++)
                rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                                      SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, denied_ioctls[i]));
        return rc;
}

/* Compiles one part of the rules to BPF through a memfd (libseccomp 2.5
 * exports only to a file descriptor) into a malloc'd program. */
static int compile(enum rules part, struct sock_fprog *out, struct err *e)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        struct sock_filter *prog = NULL;
        off_t size;
        int fd, rc;

        if (!ctx)
                return err_set(e, ENOMEM, "seccomp_init");
        fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
        if (fd < 0) {
                seccomp_release(ctx);
                return err_set(e, errno, "memfd for seccomp");
        }
        /* A binary tree on the syscall number instead of a chain: the
         * kernel, when PID 1 loads the filter, works out for every syscall
         * whether the filter always allows it (the seccomp action cache),
         * running the filter once per number, with interrupts off; down a
         * chain of ~70 tests that was half of the ~120 us the load cost,
         * and a box is set up per test of a judge. Same decisions. An
         * older libseccomp without the attribute gives the chain. */
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        rc = add_rules(ctx, part);
        if (rc == 0)
                rc = seccomp_export_bpf(ctx, fd);
        seccomp_release(ctx);
        size = rc == 0 ? lseek(fd, 0, SEEK_END) : -1;
        if (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0 ||
            size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
                rc = rc ? rc : -EINVAL;
        else if (!(prog = malloc((size_t)size)))
                rc = -ENOMEM;
        else if (pread(fd, prog, (size_t)size, 0) != size)
                rc = -EIO;
        close(fd);
        if (rc != 0) {
                free(prog);
                return err_set(e, -rc, "seccomp filter");
        }
        out->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
        out->filter = prog;
        return 0;
}

int sbx_seccomp_prepare(struct err *e)
{
        struct harden_filters f = {{0, NULL}, {0, NULL}};
        struct harden_filter_pair head;

        if (compiled.zygote.filter)
                return 0;
        if (compile(RULES_ZYGOTE, &f.zygote, e) < 0 || compile(RULES_RUN, &f.run, e) < 0)
                goto fail;
        memset(&head, 0, sizeof(head));
        head.magic = HARDEN_FILTER_PAIR_MAGIC;
        head.zygote_len = f.zygote.len;
        head.run_len = f.run.len;
        if (buf_append(&zygote_blob, &head, sizeof(head)) < 0 ||
            buf_append(&zygote_blob, f.zygote.filter, f.zygote.len * sizeof(*f.zygote.filter)) <
                0 ||
            buf_append(&zygote_blob, f.run.filter, f.run.len * sizeof(*f.run.filter)) < 0) {
                err_set(e, ENOMEM, "seccomp filters");
                goto fail;
        }
        compiled = f;
        return 0;
fail:
        free(f.zygote.filter);
        free(f.run.filter);
        buf_free(&zygote_blob);
        return -1;
}

const struct harden_filters *sbx_seccomp_filter(void)
{
        return compiled.zygote.filter ? &compiled : NULL;
}

const struct buf *sbx_seccomp_zygote_blob(void)
{
        return zygote_blob.len ? &zygote_blob : NULL;
}

int sbx_seccomp_memfd(const struct buf *blob, struct err *e)
{
        int fd;

        if (!blob)
                return err_set(e, EINVAL, "seccomp filter not prepared");
        fd = memfd_with("seccomp-bpf", blob->data, blob->len);
        return fd < 0 ? err_set(e, errno, "memfd for seccomp") : fd;
}
