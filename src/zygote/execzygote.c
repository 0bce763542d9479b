/* codeexec-execzygote: judge mode's zygote for one program: each test a
 * box of its own, forked here, that executes the program's run step.
 *
 * Theory of operation. A judge runs the same program, from the same files,
 * with the same command line and environment, once per test; only stdin
 * and the limits change. A cold box per test builds its namespaces, some
 * twenty mounts, its cgroup and its /tmp each time; this zygote builds the
 * box once (the server starts it like a cold test box, sandbox/warm.c
 * sbx_execzygote_spawn, so its /tmp holds exactly what a test's /tmp
 * would: the artifact unpacked and the request's files written, by
 * sandbox/init.c), and each test pays only for a fork into fresh mount,
 * PID and IPC namespaces and a fresh /tmp (zyrun.c).
 *
 * At start it archives its /tmp into a memfd, in the format the artifact
 * came in (sandbox/archive.c), maps it read-only, and unmounts /tmp: the
 * zygote then has no /tmp mount, as zyrun.c expects, and each run's PID 1
 * unpacks that template into the run's own fresh tmpfs (fill_tmp). So
 * nothing one test writes, in /tmp or anywhere, is seen by the next.
 *
 * Its command line is `codeexec-execzygote NARGS ARG... ENV...`: the run
 * step's argv (NARGS of them, the first an absolute path) and environment.
 * Its own environment is empty, so that no variable meant for the program
 * (LD_PRELOAD, LD_LIBRARY_PATH) applies to the zygote, which keeps
 * capabilities in the box's user namespace. The program is executed with
 * every signal at its default, as a cold step is: the zygote handles no
 * signal and ignores only SIGCHLD, which the run's PID 1 resets (zyrun.c),
 * and an exec resets handled ones anyway. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../sandbox/archive.h"
#include "zyrun.h"

static char **run_argv;
static char **run_envp;
static const void *template_map;
static size_t template_size;

/* The box's /tmp into the template, then gone from the zygote. */
static void make_template(uint64_t tmp_bytes)
{
        size_t cap = arc_capacity(tmp_bytes);
        int dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int memfd = memfd_create("template", MFD_CLOEXEC);
        struct arc_header h;
        int rc;

        if (dir < 0 || memfd < 0 || ftruncate(memfd, (off_t)cap) < 0)
                zyrun_die("template");
        rc = arc_pack(dir, memfd, cap, tmp_bytes, NULL);
        if (rc == 0 && pread(memfd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
                rc = errno ? errno : EIO;
        if (rc == 0 && h.error)
                rc = h.error;
        if (rc) {
                errno = rc;
                zyrun_die("archive /tmp");
        }
        template_size = ARC_HEADER_SIZE + h.length;
        if (ftruncate(memfd, (off_t)template_size) < 0)
                zyrun_die("template size");
        template_map = mmap(NULL, template_size, PROT_READ, MAP_SHARED | MAP_POPULATE, memfd, 0);
        if (template_map == MAP_FAILED)
                zyrun_die("map the template");
        close(memfd);
        close(dir);
        if (chdir("/") < 0 || umount2("/tmp", MNT_DETACH) < 0)
                zyrun_die("unmount /tmp");
}

/* The run's PID 1, in the run's fresh /tmp: the template unpacked. */
static int fill_tmp(const struct warm_request *rq, const int *fds, struct err *e)
{
        int dir = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int rc;

        (void)rq;
        (void)fds;
        if (dir < 0)
                return err_set(e, errno, "open /tmp");
        rc = arc_unpack_buf(template_map, template_size, dir, NULL, 0, e);
        close(dir);
        return rc;
}

/* The program's process: the run step, as a cold box's step executes it
 * (init.c exec_step). A failed exec is a set-up error, as in a cold box:
 * the server runs the test again cold, which reports it. */
static _Noreturn void run_exec(const struct warm_request *rq, int status_fd)
{
        struct err e = {0, ""};

        (void)rq;
        execve(run_argv[0], run_argv, run_envp);
        err_set(&e, errno, "exec %s", run_argv[0]);
        zyrun_run_error(status_fd, &e);
}

int main(int argc, char **argv)
{
        static const struct zyrun_hooks hooks = {
            .fill_tmp = fill_tmp,
            .run_program = run_exec,
            .keep_status_fd = true,
            .program_execs = true,
        };
        struct warm_config cfg;
        struct warm_ready ready;
        unsigned long nargs;
        char *end;

        zyrun_start("codeexec-exzyg");
        errno = 0;
        nargs = argc > 2 ? strtoul(argv[1], &end, 10) : 0;
        if (nargs < 1 || *end || nargs > (unsigned long)(argc - 2) || argv[2][0] != '/') {
                errno = EINVAL;
                zyrun_die("command line");
        }
        run_argv = calloc(nargs + 1, sizeof(char *));
        run_envp = calloc((size_t)argc - 2 - nargs + 1, sizeof(char *));
        if (!run_argv || !run_envp)
                zyrun_die("command line");
        for (int i = 2; i < argc; i++) {
                char *copy = strdup(argv[i]);
                if (!copy)
                        zyrun_die("command line");
                if ((unsigned long)(i - 2) < nargs)
                        run_argv[i - 2] = copy;
                else
                        run_envp[(unsigned long)i - 2 - nargs] = copy;
        }
        /* Each run's PID 1 shares this memory: its /proc/1/cmdline reads
         * empty, as a cold box's PID 1's does. */
        memset(argv[0], 0, (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]));
        zyrun_configure(&cfg);
        make_template(cfg.tmp_bytes);
        memset(&ready, 0, sizeof(ready));
        ready.magic = WARM_MAGIC;
        ready.threads = 1;
        if (send(WARM_FD_CONTROL, &ready, sizeof(ready), MSG_NOSIGNAL) != sizeof(ready))
                zyrun_die("ready");
        zyrun_serve(&hooks);
}
