/* scm: one record over a Unix socket with file descriptors attached
 * (SCM_RIGHTS), for the server and the warm Python zygote alike. */
#ifndef CODEEXEC_SCM_H
#define CODEEXEC_SCM_H

#include <stddef.h>
#include <sys/types.h>

#define SCM_MAX_FDS 12 /* descriptors one record may carry */

/* Sends buf[0..len) with fds[0..nfds) attached (nfds <= SCM_MAX_FDS);
 * returns what sendmsg(2) returns. Only system calls: a box's PID 1 may
 * call it. */
ssize_t scm_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds, int flags);

/* Receives one record into buf[0..len); the descriptors that came with it
 * go to fds[0..*nfds) (close-on-exec; any beyond maxfds are closed).
 * *msg_flags gets the record's flags (MSG_TRUNC, MSG_CTRUNC). Returns what
 * recvmsg(2) returns. */
ssize_t scm_recv(int sock, void *buf, size_t len, int *fds, size_t maxfds, size_t *nfds,
                 int *msg_flags);

#endif
