/* zyrun: a zygote's side of the warm-run protocol (sandbox/warm-proto.h):
 * reading its configuration, then one box per run request, forked from the
 * zygote. Shared by the warm Python zygote (pyzygote/zygote.c) and the exec
 * zygote (zygote/execzygote.c); what differs between them is what the run's
 * /tmp holds and what the program is, given as hooks. zyrun.c says how a
 * run's box is built. */
#ifndef CODEEXEC_ZYGOTE_ZYRUN_H
#define CODEEXEC_ZYGOTE_ZYRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "../sandbox/warm-proto.h"
#include "../util/err.h"

struct zyrun_hooks {
        /* Around the clone of each run's PID 1, in the zygote (either may be
         * NULL). */
        void (*before_fork)(void);
        void (*after_fork)(void);
        /* In the run's PID 1, with the run's fresh /tmp as its working
         * directory: puts the program there. It shares the zygote's memory:
         * system calls only, no allocation, nothing but its own stack
         * written. 0, or -1 with e set. */
        int (*fill_tmp)(const struct warm_request *rq, const int *fds, struct err *e);
        /* In the program's process, once it is the box user with its
         * limits, stdio, seccomp filter and no capability left, every
         * signal unblocked and every other descriptor closed (but the run's
         * status socket, close-on-exec, with keep_status_fd; status_fd is
         * -1 otherwise): runs the program, never returns. */
        void (*run_program)(const struct warm_request *rq, int status_fd);
        bool keep_status_fd;
        /* run_program executes a program: the program's process is then a
         * vfork-style child of the run's PID 1 (sharing its memory until
         * the exec, so that no page table is copied for it) and starts
         * without waiting for PID 1 to become the reaper. */
        bool program_execs;
};

/* Prints "NAME: what: strerror(errno)" and exits 1 (the server then starts
 * another zygote). */
_Noreturn void zyrun_die(const char *what);

/* Names the zygote (messages; its process name is the name cut to 15
 * bytes, as the kernel cuts its binary's name at exec, so that one name
 * serves from the exec on), makes it non-dumpable and
 * ends it with the server; closes WARM_FD_EXE. Call first. */
void zyrun_start(const char *name);

/* Reads the server's warm_config from the control socket into *cfg, and
 * with it the CPUs of programs, the oom_score_adj they get and the box's
 * seccomp filter. Exits if any of that fails. */
void zyrun_configure(struct warm_config *cfg);

/* Serves run and park requests until the server closes the control
 * socket, then exits 0. */
_Noreturn void zyrun_serve(const struct zyrun_hooks *hooks);

/* For a hook in the run's PID 1 or program: reports a set-up failure to
 * the server on the run's status socket (a sandbox error) and exits 127. */
_Noreturn void zyrun_run_error(int status_fd, const struct err *e);

/* A fill_tmp hook: the program's source, from its memfd, into the run's
 * /tmp under the request's file name (never through a link, never over a
 * file). */
int zyrun_write_program(const struct warm_request *rq, const int *fds, struct err *e);

/* Calls fn(fd, arg) for each descriptor the zygote's interpreter holds:
 * every open one above stdio but the protocol's (the control socket, the
 * reaper), which zyrun closes in each run's program. Exits if
 * /proc/self/fd cannot be read. */
void zyrun_each_private_fd(void (*fn)(int fd, void *arg), void *arg);

/* Completes `ready` (the magic, the zygote's resident memory and its
 * threads, waiting up to 2 s for ending ones to go) and sends it: the
 * zygote is ready. Forking is only safe with one thread: the server
 * refuses a zygote with more (warmpool.c). Exits if the send fails. */
void zyrun_send_ready(struct warm_ready *ready);

#endif
