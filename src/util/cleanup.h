/* cleanup: scope-bound ownership of heap memory and file descriptors.
 *
 * `_cleanup_free_ char *p` frees p when it leaves scope; `_cleanup_close_ int
 * fd` closes fd (if >= 0). Ownership is handed out explicitly with
 * steal_ptr(&p) / take_fd(&fd), which return the value and disarm the guard. */
#ifndef CODEEXEC_CLEANUP_H
#define CODEEXEC_CLEANUP_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
        free(*(void **)p);
}

static inline void cleanup_closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}

#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))

static inline void *steal_ptr_impl(void **pp)
{
        void *p = *pp;
        *pp = NULL;
        return p;
}
#define steal_ptr(pp) steal_ptr_impl((void **)(pp))

static inline int take_fd(int *fd)
{
        int v = *fd;
        *fd = -1;
        return v;
}

#endif
