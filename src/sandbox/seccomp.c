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
 * The filter is installed by PID 1 after it dropped its privileges, with
 * no_new_privs set (harden.c), and is inherited by every step.
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

#include "../util/memfd.h"

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

static struct sock_fprog compiled; /* set by sbx_seccomp_prepare */

static int add_rules(scmp_filter_ctx ctx)
{
        int rc = 0;

        for (int i = 0; denied[i] && rc == 0; i++) {
                int nr = seccomp_syscall_resolve_name(denied[i]);
                if (nr == __NR_SCMP_ERROR)
                        continue; /* not on this architecture */
                rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
        }
        if (rc == 0)
                rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]) && rc == 0; i++)
                rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                      SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
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

/* Compiles the rules to BPF through a memfd (libseccomp 2.5 exports only
 * to a file descriptor). */
int sbx_seccomp_prepare(struct err *e)
{
        scmp_filter_ctx ctx;
        int fd, rc;
        off_t size;
        struct sock_filter *prog = NULL;

        if (compiled.filter)
                return 0;
        ctx = seccomp_init(SCMP_ACT_ALLOW);
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
        rc = add_rules(ctx);
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
        compiled.len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
        compiled.filter = prog;
        return 0;
}

const struct sock_fprog *sbx_seccomp_filter(void)
{
        return compiled.filter ? &compiled : NULL;
}

int sbx_seccomp_memfd(const struct sock_fprog *f, struct err *e)
{
        int fd;

        if (!f)
                return err_set(e, EINVAL, "seccomp filter not prepared");
        fd = memfd_with("seccomp-bpf", f->filter, (size_t)f->len * sizeof(struct sock_filter));
        return fd < 0 ? err_set(e, errno, "memfd for seccomp") : fd;
}
