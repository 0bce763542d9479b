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

/* Seals the memfd fd (whose archive is size bytes: it is cut to that),
 * validates the archive whole and wraps it in a new artifact (one
 * reference). On success fd belongs to the artifact; on failure it is
 * still the caller's (*fdp may have been replaced by a sealed copy). */
static int seal_and_wrap(int *fdp, size_t size, struct sbx_artifact **out, struct err *e)
{
        struct sbx_artifact *a;
        void *map;
        int fd = *fdp;

        if (ftruncate(fd, (off_t)size) < 0 || fcntl(fd, F_ADD_SEALS, ALL_SEALS) < 0) {
                int copy = sealed_copy(fd, size, e);
                if (copy < 0)
                        return -1;
                close(fd);
                fd = *fdp = copy;
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
        *out = a;
        return 1;
}

int sbx_take_artifact(struct sbx_box *box, struct sbx_artifact **out, struct err *e)
{
        struct arc_header h;
        struct stat st;
        int fd = box->collect_fd, rc;
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
        rc = seal_and_wrap(&box->collect_fd, ARC_HEADER_SIZE + (size_t)h.length, out, e);
        if (rc > 0)
                box->collect_fd = -1;
        return rc;
}

/* Appends one record at *off of map (the caller sized map for it). */
static void put_record(unsigned char *map, size_t *off, enum arc_type type, unsigned mode,
                       const char *name, size_t name_len, const char *data, uint64_t data_len)
{
        uint16_t m = (uint16_t)(mode & 0777);
        uint32_t nl = (uint32_t)name_len;

        map[*off] = (unsigned char)type;
        map[*off + 1] = 0;
        memcpy(map + *off + 2, &m, 2);
        memcpy(map + *off + 4, &nl, 4);
        memcpy(map + *off + 8, &data_len, 8);
        memcpy(map + *off + ARC_RECORD_SIZE, name, name_len);
        if (data_len)
                memcpy(map + *off + ARC_RECORD_SIZE + name_len, data, (size_t)data_len);
        *off += ARC_RECORD_SIZE + name_len + (size_t)data_len;
}

/* Whether the first len bytes of files[0..n) name a directory record
 * already written: some earlier file has that prefix followed by '/'. */
static bool dir_written(const struct sbx_file *files, size_t n, const char *name, size_t len)
{
        for (size_t i = 0; i < n; i++)
                if (strlen(files[i].name) > len && files[i].name[len] == '/' &&
                    memcmp(files[i].name, name, len) == 0)
                        return true;
        return false;
}

/* Walks files in order, writing each one's missing parent directories and
 * then the file into map (when map is NULL, only counts: *size, *entries). */
static void lay_out(const struct sbx_file *files, size_t n, unsigned char *map, size_t *size,
                    uint32_t *entries)
{
        size_t off = ARC_HEADER_SIZE;

        *entries = 0;
        for (size_t i = 0; i < n; i++) {
                const char *name = files[i].name;
                size_t len = strlen(name);

                for (const char *s = strchr(name, '/'); s; s = strchr(s + 1, '/')) {
                        size_t dlen = (size_t)(s - name);
                        if (dir_written(files, i, name, dlen))
                                continue;
                        if (map)
                                put_record(map, &off, ARC_DIR, 0755, name, dlen, NULL, 0);
                        else
                                off += ARC_RECORD_SIZE + dlen;
                        (*entries)++;
                }
                if (map)
                        put_record(map, &off, ARC_FILE, files[i].executable ? 0755 : 0644, name,
                                   len, files[i].data, files[i].len);
                else
                        off += ARC_RECORD_SIZE + len + files[i].len;
                (*entries)++;
        }
        *size = off;
}

int sbx_artifact_build(const struct sbx_file *files, size_t n, struct sbx_artifact **out,
                       struct err *e)
{
        struct arc_header h;
        unsigned char *map;
        uint32_t entries;
        size_t size;
        int fd, rc;

        *out = NULL;
        for (size_t i = 0; i < n; i++) {
                size_t len = strlen(files[i].name);
                if (!arc_name_ok(files[i].name, len))
                        return err_set(e, EINVAL, "'%.200s' is not a relative path", files[i].name);
                for (size_t j = 0; j < i; j++) {
                        size_t lj = strlen(files[j].name), k = len < lj ? len : lj;
                        /* the same name, or one a directory of the other */
                        if (memcmp(files[i].name, files[j].name, k) == 0 &&
                            (len == lj || (len > lj ? files[i].name[k] : files[j].name[k]) == '/'))
                                return err_set(e, EEXIST, "'%.200s' clashes with '%.200s'",
                                               files[i].name, files[j].name);
                }
        }
        lay_out(files, n, NULL, &size, &entries);
        if (entries > ARC_ENTRIES_MAX)
                return err_set(e, E2BIG, "%u entries, over %u", entries, ARC_ENTRIES_MAX);
        fd = memfd_create("artifact", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return err_set(e, errno, "artifact memfd");
        if (ftruncate(fd, (off_t)size) < 0) {
                err_set(e, errno, "artifact memfd of %zu bytes", size);
                close(fd);
                return -1;
        }
        map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED) {
                err_set(e, errno, "artifact: mmap");
                close(fd);
                return -1;
        }
        memset(&h, 0, sizeof(h));
        memcpy(h.magic, ARC_MAGIC, sizeof(h.magic));
        h.length = size - ARC_HEADER_SIZE;
        h.entries = entries;
        memcpy(map, &h, sizeof(h));
        lay_out(files, n, map, &size, &entries);
        munmap(map, size);
        rc = seal_and_wrap(&fd, size, out, e);
        if (rc < 0)
                close(fd);
        return rc < 0 ? -1 : 0;
}

const void *sbx_artifact_map(const struct sbx_artifact *a, size_t *size, struct err *e)
{
        void *map = mmap(NULL, a->size, PROT_READ, MAP_SHARED, a->fd, 0);

        if (map == MAP_FAILED) {
                err_set(e, errno, "artifact: mmap");
                return NULL;
        }
        *size = a->size;
        return map;
}

void sbx_artifact_unmap(const void *map, size_t size)
{
        munmap((void *)map, size);
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
