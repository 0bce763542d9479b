/* zyresume: serving runs from an interpreter's own frame (see zyresume.h).
 *
 * Theory of operation. The zygote calls zyresume_here deep in the
 * interpreter's stack; setjmp records that frame and zyrun_serve never
 * returns. A run's program process is a fork of the run's PID 1, itself a
 * vfork-style clone sharing the zygote's memory while the zygote waits in
 * clone (zyrun.c): its memory is a copy of the zygote's as it was then,
 * frames included, and it runs on PID 1's stack. The program hook there
 * calls the caller's hook and longjmps to the recorded frame, on the
 * zygote's (copied) main stack, which lies above PID 1's mmap'ed stack:
 * a jump upwards, as _FORTIFY_SOURCE's longjmp check requires. From there
 * zyresume_here returns into the interpreter with the program's process
 * being, to the interpreter, the zygote that just got past that point.
 * The thread's TLS is the zygote's main thread's, as it is for every zyrun
 * program process. */
#define _GNU_SOURCE
#include "zyresume.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static jmp_buf resume_frame;
static const char *resume_program;
static zyresume_hook resume_hook;

static _Noreturn void resume(const struct warm_request *rq, int status_fd)
{
        struct err e = {0, ""};
        char path[80];

        snprintf(path, sizeof(path), "/tmp/%s", rq->file_name);
        if (strcmp(path, resume_program) != 0) {
                err_set(&e, EINVAL, "the program is %s, this zygote's %s", path, resume_program);
                zyrun_run_error(status_fd, &e);
        }
        resume_hook(rq, status_fd);
        longjmp(resume_frame, 1);
}

static const char *refusing; /* zyresume_refuse_private_fds's holder */

static _Noreturn void refuse_private_fd(int fd, void *unused)
{
        char what[128];

        (void)fd;
        (void)unused;
        snprintf(what, sizeof(what), "%s kept a descriptor open at its script", refusing);
        errno = 0;
        zyrun_die(what);
}

void zyresume_refuse_private_fds(const char *holder)
{
        refusing = holder;
        zyrun_each_private_fd(refuse_private_fd, NULL);
}

void zyresume_here(const char *program, zyresume_hook hook)
{
        static const struct zyrun_hooks hooks = {
            .fill_tmp = zyrun_write_program,
            .run_program = resume,
            .keep_status_fd = true,
        };
        struct warm_ready ready;

        resume_program = program;
        resume_hook = hook;
        if (setjmp(resume_frame) != 0)
                return; /* the program's process */
        /* The zygote's own /tmp goes, as an exec zygote's does: each run
         * mounts its own there. */
        if (chdir("/") < 0 || umount2("/tmp", MNT_DETACH) < 0)
                zyrun_die("unmount the zygote's /tmp");
        fflush(NULL);
        memset(&ready, 0, sizeof(ready));
        zyrun_send_ready(&ready);
        zyrun_serve(&hooks);
}
