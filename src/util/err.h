/* err: the one error convention of codeexec.
 *
 * A function that can fail returns a negative value and fills the
 * caller-supplied struct err; on success it leaves it untouched. The message
 * buffer is fixed so that error paths never allocate. See
 * docs/error-handling.md. */
#ifndef CODEEXEC_ERR_H
#define CODEEXEC_ERR_H

#include <stdarg.h>

struct err {
        int errnum;    /* errno value, 0 when not an OS error */
        char msg[256]; /* human-readable, includes strerror when errnum != 0 */
};

/* Sets e from errnum and a printf-style message; returns -1 so callers can
 * write `return err_set(e, errno, "open %s", path);`. */
int err_set(struct err *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Prefixes the message already in e with more context; returns -1. */
int err_wrap(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
