/* artifact: judge mode's compiled program, server side (see sandbox.h).
 *
 * sbx_spawn() gives a collect_tmp box a fresh memfd (sealable, sized for
 * the largest archive it may hold, sparse); its PID 1 archives /tmp into it
 * (archive.c). Once PID 1 has exited nothing else holds it, and
 * sbx_take_artifact() cuts it to the archive's length, seals it
 * (F_SEAL_SHRINK, GROW, WRITE, SEAL: immutable from then on, whoever holds
 * it) and only then validates it whole, so what was checked is what every
 * box will read. Should sealing fail (a mapping left writable, or a memfd
 * made without MFD_ALLOW_SEALING), the archive is copied into a new memfd
 * that is sealed instead. The artifact keeps a read-only descriptor of it,
 * counted by reference: the judge's test jobs each hold one while their
 * box may still be unpacking it. */
#define _GNU_SOURCE
#include "sandbox-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"

#define ALL_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)

int sbx_collect_memfd(uint64_t max_data, size_t *cap, struct err *e)
{
        int fd = memfd_create("artifact", MFD_CLOEXEC | MFD_ALLOW_SEALING);

        *cap = arc_capacity(max_data);
        if (fd < 0)
                return err_set(e, errno, "artifact memfd");
        if (ftruncate(fd, (off_t)*cap) < 0) {
                err_set(e, errno, "artifact memfd of %zu bytes", *cap);
                close(fd);
                return -1;
        }
        return fd;
}

/* A sealed copy of fd's first size bytes, or -1. */
static int sealed_copy(int fd, size_t size, struct err *e)
{
        int copy = memfd_create("artifact", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        off_t in = 0, out = 0;

        if (copy < 0)
                return err_set(e, errno, "artifact copy");
        while ((size_t)in < size) {
                ssize_t n = copy_file_range(fd, &in, copy, &out, size - (size_t)in, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        err_set(e, n < 0 ? errno : EIO, "artifact copy");
                        close(copy);
                        return -1;
                }
        }
        if (fcntl(copy, F_ADD_SEALS, ALL_SEALS) < 0) {
                err_set(e, errno, "seal the artifact");
                close(copy);
                return -1;
        }
        return copy;
}

/* A read-only descriptor of the same memfd (the seals make it immutable
 * anyway), or fd itself if /proc cannot give one. */
static int read_only(int fd)
{
        char path[64];
        int ro;

        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        ro = open(path, O_RDONLY | O_CLOEXEC);
        if (ro < 0)
                return fd;
        close(fd);
        return ro;
}

int sbx_take_artifact(struct sbx_box *box, struct sbx_artifact **out, struct err *e)
{
        struct arc_header h;
        struct stat st;
        struct sbx_artifact *a;
        size_t size;
        void *map;
        int fd = box->collect_fd;
        ssize_t n;

        *out = NULL;
        if (fd < 0)
                return 0;
        memset(&h, 0, sizeof(h));
        n = pread(fd, &h, sizeof(h), 0);
        if (n != (ssize_t)sizeof(h) || fstat(fd, &st) < 0)
                return err_set(e, n < 0 ? errno : EIO, "artifact: read its header");
        if (h.magic[0] == '\0')
                return 0; /* PID 1 did not archive: a step failed */
        if (memcmp(h.magic, ARC_MAGIC, sizeof(h.magic)) != 0)
                return err_set(e, EINVAL, "artifact: bad magic");
        if (h.error == EFBIG)
                return err_set(e, EFBIG, "the files left in /tmp exceed the artifact's limit");
        if (h.error)
                return err_set(e, h.error, "the box could not archive /tmp");
        if (st.st_size < (off_t)ARC_HEADER_SIZE ||
            h.length > (uint64_t)st.st_size - ARC_HEADER_SIZE)
                return err_set(e, EINVAL, "artifact: %llu bytes of records in a %lld-byte memfd",
                               (unsigned long long)h.length, (long long)st.st_size);
        size = ARC_HEADER_SIZE + (size_t)h.length;
        if (ftruncate(fd, (off_t)size) < 0 || fcntl(fd, F_ADD_SEALS, ALL_SEALS) < 0) {
                int copy = sealed_copy(fd, size, e);
                if (copy < 0)
                        return -1;
                close(fd);
                fd = box->collect_fd = copy;
        }
        map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED)
                return err_set(e, errno, "artifact: mmap");
        a = calloc(1, sizeof(*a));
        if (!a) {
                munmap(map, size);
                return err_set(e, ENOMEM, "artifact");
        }
        if (arc_validate(map, size, &a->entries, &a->bytes, e) < 0) {
                munmap(map, size);
                free(a);
                return -1;
        }
        munmap(map, size);
        a->refs = 1;
        a->size = size;
        a->fd = read_only(fd);
        box->collect_fd = -1;
        *out = a;
        return 1;
}

struct sbx_artifact *sbx_artifact_ref(struct sbx_artifact *a)
{
        if (a)
                a->refs++;
        return a;
}

void sbx_artifact_unref(struct sbx_artifact *a)
{
        if (!a || --a->refs > 0)
                return;
        close(a->fd);
        free(a);
}

uint64_t sbx_artifact_bytes(const struct sbx_artifact *a)
{
        return a->bytes;
}

size_t sbx_artifact_entries(const struct sbx_artifact *a)
{
        return a->entries;
}
