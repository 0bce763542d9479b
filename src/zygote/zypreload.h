/* zypreload: what every zygote that is a library preloaded into an
 * interpreter's own executable (phpzygote/, coqzygote/, octzygote/) does
 * first.
 *
 * The server starts such an interpreter with a cold run's command line and
 * the box's environment plus one last variable, WARM_PRELOAD_ENV
 * (sandbox/warm-proto.h), which makes the dynamic loader map the library.
 * A run must not see that variable: not in the C library's environment,
 * nor in /proc/self/environ, nor in a subprocess's. */
#ifndef CODEEXEC_ZYGOTE_ZYPRELOAD_H
#define CODEEXEC_ZYGOTE_ZYPRELOAD_H

#include <stdbool.h>
#include <stdio.h>

#include "../sandbox/warm-proto.h"

/* Takes the preload's variable out of the environment: unsetenv for the C
 * library's copy, and the kernel's record of where the environment's area
 * ends moved back to where the variable begins (PR_SET_MM_MAP, which needs
 * no privilege), so that /proc/self/environ is a cold run's. Exits
 * (zyrun_die) if the variable is not the environment's last. */
void zypreload_drop_variable(void);

/* A preloaded zygote's set-up, from its constructor: zyrun_start(name),
 * the process renamed `comm` (the interpreter's, as a cold run's, which
 * runs inherit), zypreload_drop_variable, then zyrun_configure(cfg). */
void zypreload_start(const char *name, const char *comm, struct warm_config *cfg);

/* The C library's fopen, for a zygote that defines its own to stop where
 * its interpreter opens the program (phpzygote/, octzygote/): NULL with
 * errno ENOSYS if it cannot be found. */
FILE *zypreload_libc_fopen(const char *path, const char *mode);

/* For such a zygote's fopen: whether this call is its interpreter's
 * fopen(script, "rb") of its script, the first one, where it stops. */
bool zypreload_opens_script(const char *script, const char *path, const char *mode);

/* Whether zypreload_stop_at_script has been called: in the zygote once it
 * serves, and in every run's program. */
bool zypreload_stopped(void);

/* Called by the zygote's fopen when zypreload_opens_script: stops there
 * (zyresume_here; the zygote exits if the interpreter, `holder`, keeps a
 * descriptor open) and returns in each run's program: the run's script,
 * opened afresh with the C library's fopen once `prepare` (NULL: nothing)
 * has put the run's per-process state of the interpreter in place, or
 * reported a failure on status_fd (zyrun_run_error). */
FILE *zypreload_stop_at_script(const char *script, const char *holder,
                               void (*prepare)(int status_fd));

#endif
