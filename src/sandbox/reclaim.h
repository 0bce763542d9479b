/* reclaim: a finished box's mount namespace, torn down off the run's path
 * (see reclaim.c). */
#ifndef CODEEXEC_RECLAIM_H
#define CODEEXEC_RECLAIM_H

#include <sys/types.h>

/* Starts the thread that tears down released mount namespaces; at most
 * max_pending wait for it at a time (more are torn down by the caller).
 * Without the thread (it could not start), every teardown is the caller's. */
void sbx_reclaim_init(unsigned max_pending);

/* A reference to the mount namespace of the box whose PID 1 is pid (the
 * caller's child, not yet reaped): an fd to hand to sbx_reclaim_drop once
 * the box has ended, or -1 (then PID 1's exit tears it down, as without). */
int sbx_reclaim_hold(pid_t pid);

/* The same for a process that is not the caller's child (a warm run's PID
 * 1, a child of its zygote), named by its pidfd: -1 when it already exited
 * or the reference could not be taken. */
int sbx_reclaim_hold_pidfd(int pidfd);

/* Drops the reference fd (from sbx_reclaim_hold; -1 is ignored): on the
 * thread, or here when the thread is absent or has max_pending waiting. */
void sbx_reclaim_drop(int fd);

/* Stops the thread once it has dropped what it holds (at shutdown). */
void sbx_reclaim_cleanup(void);

#endif
