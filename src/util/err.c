/* err: fixed-buffer error reporting (see err.h). */
#define _GNU_SOURCE
#include "err.h"

#include <stdio.h>
#include <string.h>

int err_set(struct err *e, int errnum, const char *fmt, ...)
{
        va_list ap;
        size_t n;

        if (!e)
                return -1;
        e->errnum = errnum;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
        if (errnum) {
                n = strlen(e->msg);
                /* strerrordesc_np: no locale look-up, no lock, no allocation,
                 * so a sandbox's PID 1 may call this (see init.c). */
                const char *desc = strerrordesc_np(errnum);
                if (desc)
                        snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", desc);
                else
                        snprintf(e->msg + n, sizeof(e->msg) - n, ": error %d", errnum);
        }
        return -1;
}

int err_wrap(struct err *e, const char *fmt, ...)
{
        char old[sizeof(e->msg)];
        va_list ap;
        int n;

        if (!e)
                return -1;
        memcpy(old, e->msg, sizeof(old));
        va_start(ap, fmt);
        n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < sizeof(e->msg) - 2) {
                size_t room = sizeof(e->msg) - (size_t)n;
                e->msg[n] = ':';
                e->msg[n + 1] = ' ';
                memcpy(e->msg + n + 2, old, room - 2);
                e->msg[sizeof(e->msg) - 1] = '\0';
        }
        return -1;
}
