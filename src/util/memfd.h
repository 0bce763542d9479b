/* memfd: an anonymous in-memory file holding given bytes. */
#ifndef CODEEXEC_MEMFD_H
#define CODEEXEC_MEMFD_H

#include <stddef.h>

/* A close-on-exec memfd holding data[0..len), positioned at its start;
 * -1 with errno on failure. Only system calls: a box's PID 1 may call it
 * (see sandbox/init.c). */
int memfd_with(const char *name, const void *data, size_t len);

#endif
