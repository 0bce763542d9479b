/* Unit tests: a box's mount namespace held past its PID 1 and torn down on
 * the reclaim thread (sandbox/reclaim.c). The held fd must be the box's own
 * namespace, never the server's, and every fd handed over must end up
 * closed: by the thread, or at once when max_pending are already waiting. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/reclaim.h"

/* A child in a mount namespace of its own, stopped until killed. */
static pid_t child_in_own_mntns(void)
{
        int p[2];
        char c;
        pid_t pid;

        cr_assert_eq(pipe(p), 0);
        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                close(p[0]);
                if (unshare(CLONE_NEWNS) < 0)
                        _exit(1);
                (void)!write(p[1], "r", 1);
                pause();
                _exit(0);
        }
        close(p[1]);
        cr_assert_eq(read(p[0], &c, 1), 1, "the child could not unshare its mount namespace");
        close(p[0]);
        return pid;
}

static ino_t ns_ino(const char *path)
{
        struct stat st;

        cr_assert_eq(stat(path, &st), 0, "%s", path);
        return st.st_ino;
}

static void end_child(pid_t pid)
{
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

Test(reclaim, holds_the_boxs_own_namespace_until_the_thread_drops_it)
{
        char path[64];
        struct stat st;
        pid_t pid = child_in_own_mntns();
        int fd;

        sbx_reclaim_init(4);
        fd = sbx_reclaim_hold(pid);
        cr_assert_geq(fd, 0);
        snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
        cr_assert_eq(fstat(fd, &st), 0);
        cr_assert_eq(st.st_ino, ns_ino(path));
        cr_assert_neq(st.st_ino, ns_ino("/proc/self/ns/mnt"));
        cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC, "a held namespace must not leak into an exec");
        end_child(pid);
        /* still held after its last process is gone */
        cr_assert_eq(fstat(fd, &st), 0);
        sbx_reclaim_drop(fd);
        sbx_reclaim_cleanup(); /* joins the thread: everything handed over is closed */
        cr_assert_eq(fcntl(fd, F_GETFD), -1);
        cr_assert_eq(errno, EBADF);
}

Test(reclaim, closes_at_once_beyond_max_pending)
{
        pid_t pid = child_in_own_mntns();
        int fd;

        sbx_reclaim_init(0);
        fd = sbx_reclaim_hold(pid);
        cr_assert_geq(fd, 0);
        end_child(pid);
        sbx_reclaim_drop(fd);
        cr_assert_eq(fcntl(fd, F_GETFD), -1, "over max_pending: the caller closes it");
        cr_assert_eq(errno, EBADF);
        sbx_reclaim_drop(-1); /* ignored */
        sbx_reclaim_cleanup();
}
