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

#endif
