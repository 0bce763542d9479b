/* zyresume: a zygote that is an interpreter stopped in its own frame.
 *
 * Some interpreters cannot be driven from outside to run a file the way
 * their command does (R's read-eval loop reading its --file=, the OCaml
 * toplevel's script mode), but stop by themselves at a point every run
 * passes through before reading a byte of the program: the zygote's
 * interposed fopen or open of the program's path. Called there,
 * zyresume_here says the zygote is ready and serves runs (zyrun.c), and in
 * each run's program process (a copy of the zygote, its box ready) it
 * calls the hook and then returns, into the interpreter, which goes on as
 * a cold one would. */
#ifndef CODEEXEC_ZYGOTE_ZYRESUME_H
#define CODEEXEC_ZYGOTE_ZYRESUME_H

#include "zyrun.h"

/* In the program's process, before zyresume_here returns there (the run's
 * program already checked to be the zygote's): puts what the run needs
 * afresh in place (the program's file, descriptors, per-process state of
 * the interpreter) and closes status_fd, or reports a failure on it
 * (zyrun_run_error). */
typedef void (*zyresume_hook)(const struct warm_request *rq, int status_fd);

/* In the zygote: unmounts its own /tmp (a zygote of this kind has one,
 * sandbox/warm.c: the interpreter's start-up wants it), flushes stdio,
 * sends ready (zyrun_send_ready) and serves runs; never returns there.
 * Returns in each run's program process, once the run's program is found
 * to be `program` (the script path the interpreter was started with, in
 * /tmp; a run of another file fails as a sandbox error) and `hook` has run.
 * The caller's frame and those above it must stay as they are until then:
 * call it from the interposed function itself, or from a function it calls
 * and returns from in each run (zypreload_stop_at_script). */
void zyresume_here(const char *program, zyresume_hook hook);

/* Exits the zygote (zyrun_die, naming `holder`) if the interpreter holds
 * a descriptor of its own (zyrun_each_private_fd): a run could not be
 * given a fresh copy of it. For the caller of zyresume_here. */
void zyresume_refuse_private_fds(const char *holder);

#endif
