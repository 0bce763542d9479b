/* memfd: an anonymous in-memory file holding given bytes (see memfd.h). */
#define _GNU_SOURCE
#include "memfd.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

int memfd_with(const char *name, const void *data, size_t len)
{
        int fd = memfd_create(name, MFD_CLOEXEC);
        size_t off = 0;

        if (fd < 0)
                return -1;
        while (off < len) {
                ssize_t n = write(fd, (const char *)data + off, len - off);
                if (n <= 0) {
                        int saved = n < 0 ? errno : EIO;
                        close(fd);
                        errno = saved;
                        return -1;
                }
                off += (size_t)n;
        }
        if (lseek(fd, 0, SEEK_SET) < 0) {
                int saved = errno;
                close(fd);
                errno = saved;
                return -1;
        }
        return fd;
}
