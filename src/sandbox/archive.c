/* archive: the artifact format's reader, and PID 1's packer and unpacker
 * (format and rules in archive.h).
 *
 * The packer runs after the box's last step, when every process of the
 * program is gone: it walks /tmp depth first with getdents64, never
 * crossing into another file system (an overlay such as a compiler cache)
 * and never following a symlink (fstatat AT_SYMLINK_NOFOLLOW, openat
 * O_NOFOLLOW), and copies each file with read(2) straight into a shared
 * mapping of the server's memfd. Writing through the mapping keeps
 * RLIMIT_FSIZE (set for the program, inherited by PID 1) out of the way.
 * The header goes last, so an archive cut short by a crash reads as none.
 *
 * The unpacker maps the sealed artifact read-only and, for each record it
 * has validated, opens the entry's parent with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) below /tmp and creates the entry there with O_EXCL
 * and O_NOFOLLOW (mkdirat, symlinkat likewise fail on an existing name): a
 * crafted archive can neither leave /tmp nor write through a link. A file
 * is one write(2) from the mapping. Directories are made owner-writable
 * (mode | 0700) so that their contents can be created. */
#define _GNU_SOURCE
#include "archive.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

bool arc_name_ok(const char *name, size_t len)
{
        size_t start = 0, depth = 0;

        if (len == 0 || len > ARC_NAME_MAX || name[0] == '/' || memchr(name, '\0', len))
                return false;
        while (start <= len) {
                const char *slash = memchr(name + start, '/', len - start);
                size_t end = slash ? (size_t)(slash - name) : len;
                size_t n = end - start;

                if (n == 0 || n > ARC_COMPONENT_MAX || ++depth > ARC_DEPTH_MAX)
                        return false;
                if ((n == 1 && name[start] == '.') ||
                    (n == 2 && name[start] == '.' && name[start + 1] == '.'))
                        return false;
                start = end + 1;
        }
        return true;
}

int arc_open(struct arc_reader *r, const void *buf, size_t size, struct err *e)
{
        struct arc_header h;

        memset(r, 0, sizeof(*r));
        if (size < ARC_HEADER_SIZE)
                return err_set(e, EINVAL, "artifact: %zu bytes, shorter than its header", size);
        memcpy(&h, buf, sizeof(h));
        if (memcmp(h.magic, ARC_MAGIC, sizeof(h.magic)) != 0)
                return err_set(e, EINVAL, "artifact: bad magic");
        if (h.error)
                return err_set(e, h.error, "artifact: the box could not archive /tmp");
        if (h.length != size - ARC_HEADER_SIZE)
                return err_set(e, EINVAL, "artifact: records of %llu bytes in %zu",
                               (unsigned long long)h.length, size - ARC_HEADER_SIZE);
        if (h.entries > ARC_ENTRIES_MAX)
                return err_set(e, EINVAL, "artifact: %u entries, over %u", h.entries,
                               ARC_ENTRIES_MAX);
        r->p = (const unsigned char *)buf + ARC_HEADER_SIZE;
        r->len = size - ARC_HEADER_SIZE;
        r->left = h.entries;
        return 0;
}

int arc_next(struct arc_reader *r, struct arc_entry *out, struct err *e)
{
        uint8_t type, zero;
        uint16_t mode;
        uint32_t name_len;
        uint64_t data_len;
        const unsigned char *p;

        /* an empty entry, never read by a caller that checks for 1 */
        memset(out, 0, sizeof(*out));
        out->name = out->data = "";
        if (r->left == 0) {
                if (r->off != r->len)
                        return err_set(e, EINVAL, "artifact: %zu bytes after the last record",
                                       r->len - r->off);
                return 0;
        }
        if (r->len - r->off < ARC_RECORD_SIZE)
                return err_set(e, EINVAL, "artifact: truncated record header at %zu", r->off);
        p = r->p + r->off;
        type = p[0];
        zero = p[1];
        memcpy(&mode, p + 2, 2);
        memcpy(&name_len, p + 4, 4);
        memcpy(&data_len, p + 8, 8);
        r->off += ARC_RECORD_SIZE;
        if (type != ARC_FILE && type != ARC_DIR && type != ARC_SYMLINK)
                return err_set(e, EINVAL, "artifact: record of unknown type %u", type);
        if (zero != 0 || (mode & ~0777u))
                return err_set(e, EINVAL, "artifact: bad record flags or mode 0%o", mode);
        if (name_len > r->len - r->off || data_len > r->len - r->off - name_len)
                return err_set(e, EINVAL, "artifact: record at %zu runs past the end",
                               r->off - ARC_RECORD_SIZE);
        if (!arc_name_ok((const char *)r->p + r->off, name_len))
                return err_set(e, EINVAL, "artifact: bad name at %zu", r->off - ARC_RECORD_SIZE);
        if (type == ARC_DIR && data_len != 0)
                return err_set(e, EINVAL, "artifact: directory with data");
        if (type == ARC_SYMLINK && (data_len == 0 || data_len > ARC_LINK_MAX ||
                                    memchr(r->p + r->off + name_len, '\0', (size_t)data_len)))
                return err_set(e, EINVAL, "artifact: bad symlink target");
        out->type = (enum arc_type)type;
        out->mode = mode;
        out->name = (const char *)r->p + r->off;
        out->name_len = name_len;
        out->data = (const char *)r->p + r->off + name_len;
        out->data_len = data_len;
        r->off += name_len + (size_t)data_len;
        r->left--;
        return 1;
}

int arc_validate(const void *buf, size_t size, size_t *entries, uint64_t *bytes, struct err *e)
{
        struct arc_reader r;
        struct arc_entry ent = {0};
        int rc;

        *entries = 0;
        *bytes = 0;
        if (arc_open(&r, buf, size, e) < 0)
                return -1;
        while ((rc = arc_next(&r, &ent, e)) == 1) {
                (*entries)++;
                if (ent.type == ARC_FILE)
                        *bytes += ent.data_len;
        }
        return rc;
}

size_t arc_capacity(uint64_t max_data)
{
        return ARC_HEADER_SIZE + (size_t)max_data +
               (size_t)ARC_ENTRIES_MAX * (ARC_RECORD_SIZE + ARC_NAME_MAX + ARC_LINK_MAX);
}

/* ---- packing (PID 1) ---- */

struct packer {
        unsigned char *base;
        size_t cap, off;
        uint64_t data, max_data;
        uint32_t entries;
        dev_t dev;
        const char *skip_top;
        char path[ARC_NAME_MAX + 1];
};

struct dirent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

/* Room for a record of name_len and at most data_max bytes: its header is
 * written, the data is the caller's to fill at *data. */
static int start_record(struct packer *pk, enum arc_type type, mode_t mode, size_t name_len,
                        uint64_t data_max, unsigned char **rec)
{
        if (pk->entries >= ARC_ENTRIES_MAX)
                return ENFILE;
        if (type == ARC_FILE && pk->data + data_max > pk->max_data)
                return EFBIG;
        if (pk->cap - pk->off < ARC_RECORD_SIZE + name_len + data_max)
                return EFBIG;
        *rec = pk->base + pk->off;
        (*rec)[0] = (unsigned char)type;
        (*rec)[1] = 0;
        {
                uint16_t m = (uint16_t)(mode & 0777);
                uint32_t nl = (uint32_t)name_len;
                memcpy(*rec + 2, &m, 2);
                memcpy(*rec + 4, &nl, 4);
        }
        memcpy(*rec + ARC_RECORD_SIZE, pk->path, name_len);
        return 0;
}

static void end_record(struct packer *pk, unsigned char *rec, size_t name_len, uint64_t data_len)
{
        memcpy(rec + 8, &data_len, 8);
        pk->off += ARC_RECORD_SIZE + name_len + (size_t)data_len;
        pk->entries++;
        if (rec[0] == ARC_FILE)
                pk->data += data_len;
}

static int pack_file(struct packer *pk, int dirfd, const char *name, const struct stat *st,
                     size_t plen)
{
        unsigned char *rec, *dst;
        uint64_t got = 0, size = (uint64_t)st->st_size;
        int fd, rc;

        rc = start_record(pk, ARC_FILE, st->st_mode, plen, size, &rec);
        if (rc)
                return rc;
        fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return errno;
        dst = rec + ARC_RECORD_SIZE + plen;
        while (got < size) {
                ssize_t n = read(fd, dst + got, (size_t)(size - got));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        rc = errno;
                        close(fd);
                        return rc;
                }
                if (n == 0)
                        break;
                got += (uint64_t)n;
        }
        close(fd);
        end_record(pk, rec, plen, got);
        return 0;
}

static int pack_dir(struct packer *pk, int dirfd, size_t plen, unsigned depth)
{
        _Alignas(struct dirent64) char buf[4096];
        long n;

        if (depth >= ARC_DEPTH_MAX)
                return ELOOP;
        while ((n = syscall(SYS_getdents64, dirfd, buf, sizeof(buf))) > 0) {
                for (long at = 0; at < n;) {
                        const struct dirent64 *d = (const struct dirent64 *)(buf + at);
                        const char *name = d->d_name;
                        size_t len = strlen(name), nlen = plen + (plen ? 1 : 0) + len;
                        struct stat st;
                        unsigned char *rec;
                        int rc = 0;

                        at += d->d_reclen;
                        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
                            (depth == 0 && pk->skip_top && strcmp(name, pk->skip_top) == 0))
                                continue;
                        if (nlen > ARC_NAME_MAX)
                                return ENAMETOOLONG;
                        if (plen)
                                pk->path[plen] = '/';
                        memcpy(pk->path + nlen - len, name, len);
                        pk->path[nlen] = '\0';
                        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                                return errno;
                        if (st.st_dev != pk->dev)
                                continue; /* a mount point: not the box's /tmp */
                        if (S_ISREG(st.st_mode)) {
                                rc = pack_file(pk, dirfd, name, &st, nlen);
                        } else if (S_ISLNK(st.st_mode)) {
                                rc = start_record(pk, ARC_SYMLINK, 0777, nlen, ARC_LINK_MAX + 1,
                                                  &rec);
                                if (rc == 0) {
                                        ssize_t t = readlinkat(dirfd, name,
                                                               (char *)rec + ARC_RECORD_SIZE + nlen,
                                                               ARC_LINK_MAX + 1);
                                        if (t <= 0 || t > (ssize_t)ARC_LINK_MAX)
                                                return t < 0 ? errno : ENAMETOOLONG;
                                        end_record(pk, rec, nlen, (uint64_t)t);
                                }
                        } else if (S_ISDIR(st.st_mode)) {
                                int fd;
                                rc = start_record(pk, ARC_DIR, st.st_mode, nlen, 0, &rec);
                                if (rc)
                                        return rc;
                                end_record(pk, rec, nlen, 0);
                                fd = openat(dirfd, name,
                                            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                                if (fd < 0)
                                        return errno;
                                rc = pack_dir(pk, fd, nlen, depth + 1);
                                close(fd);
                        } /* fifos, sockets, devices: not part of a program */
                        if (rc)
                                return rc;
                }
        }
        return n < 0 ? errno : 0;
}

int arc_pack(int dirfd, int memfd, size_t cap, uint64_t max_data, const char *skip_top)
{
        struct packer pk;
        struct arc_header h;
        struct stat st;
        int rc;

        memset(&pk, 0, sizeof(pk));
        memset(&h, 0, sizeof(h));
        memcpy(h.magic, ARC_MAGIC, sizeof(h.magic));
        if (fstat(dirfd, &st) < 0) {
                rc = errno;
                goto fail;
        }
        pk.base = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
        if (pk.base == MAP_FAILED) {
                rc = errno;
                goto fail;
        }
        pk.cap = cap;
        pk.off = ARC_HEADER_SIZE;
        pk.max_data = max_data;
        pk.dev = st.st_dev;
        pk.skip_top = skip_top;
        rc = pack_dir(&pk, dirfd, 0, 0);
        h.error = rc;
        if (rc == 0) {
                h.length = pk.off - ARC_HEADER_SIZE;
                h.entries = pk.entries;
        }
        memcpy(pk.base, &h, sizeof(h));
        munmap(pk.base, cap);
        return rc;
fail:
        h.error = rc;
        if (pwrite(memfd, &h, sizeof(h), 0) != (ssize_t)sizeof(h))
                return rc;
        return rc;
}

/* ---- unpacking (PID 1) ---- */

struct unpacker {
        int dirfd;
        int parent_fd; /* the last entry's parent directory, or -1 */
        char parent[ARC_NAME_MAX + 1];
        size_t parent_len;
};

/* The directory an entry goes in, beneath dirfd, reached through no
 * symlink; kept for the next entry (siblings come together). */
static int open_parent(struct unpacker *u, const char *name, size_t len, struct err *e)
{
        struct open_how how;
        int fd;

        if (len == 0)
                return u->dirfd;
        if (u->parent_fd >= 0 && len == u->parent_len && memcmp(u->parent, name, len) == 0)
                return u->parent_fd;
        if (u->parent_fd >= 0)
                close(u->parent_fd);
        u->parent_fd = -1;
        memcpy(u->parent, name, len);
        u->parent[len] = '\0';
        memset(&how, 0, sizeof(how));
        how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
        how.resolve =
            RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
        fd = (int)syscall(SYS_openat2, u->dirfd, u->parent, &how, sizeof(how));
        if (fd < 0)
                return err_set(e, errno, "artifact: /tmp/%s", u->parent);
        u->parent_fd = fd;
        u->parent_len = len;
        return fd;
}

static bool skipped(const struct arc_entry *ent, const struct sbx_file *skip, size_t nskip)
{
        const char *slash = memchr(ent->name, '/', ent->name_len);
        size_t first = slash ? (size_t)(slash - ent->name) : ent->name_len;

        for (size_t i = 0; i < nskip; i++)
                if (strlen(skip[i].name) == first && memcmp(skip[i].name, ent->name, first) == 0)
                        return true;
        return false;
}

static bool is_dir(int dirfd, const char *name)
{
        struct stat st;

        return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static int unpack_entry(struct unpacker *u, const struct arc_entry *ent, struct err *e)
{
        char leaf[ARC_COMPONENT_MAX + 1], target[ARC_LINK_MAX + 1];
        const char *slash = memrchr(ent->name, '/', ent->name_len);
        size_t plen = slash ? (size_t)(slash - ent->name) : 0;
        size_t llen = slash ? ent->name_len - plen - 1 : ent->name_len;
        int pfd = open_parent(u, ent->name, plen, e), fd;
        uint64_t off = 0;

        if (pfd < 0)
                return -1;
        memcpy(leaf, ent->name + ent->name_len - llen, llen);
        leaf[llen] = '\0';
        switch (ent->type) {
        case ARC_DIR:
                /* An existing directory is fine: the recipe's overlay
                 * targets are made before the archive is unpacked. */
                if (mkdirat(pfd, leaf, ent->mode | 0700) < 0 &&
                    !(errno == EEXIST && is_dir(pfd, leaf)))
                        return err_set(e, errno, "artifact: mkdir /tmp/%.*s", (int)ent->name_len,
                                       ent->name);
                return 0;
        case ARC_SYMLINK:
                memcpy(target, ent->data, (size_t)ent->data_len);
                target[ent->data_len] = '\0';
                if (symlinkat(target, pfd, leaf) < 0)
                        return err_set(e, errno, "artifact: symlink /tmp/%.*s", (int)ent->name_len,
                                       ent->name);
                return 0;
        case ARC_FILE:
                fd = openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                            ent->mode);
                if (fd < 0)
                        return err_set(e, errno, "artifact: create /tmp/%.*s", (int)ent->name_len,
                                       ent->name);
                while (off < ent->data_len) {
                        ssize_t n = write(fd, ent->data + off, (size_t)(ent->data_len - off));
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0) {
                                int saved = n < 0 ? errno : ENOSPC;
                                close(fd);
                                return err_set(e, saved, "artifact: write /tmp/%.*s",
                                               (int)ent->name_len, ent->name);
                        }
                        off += (uint64_t)n;
                }
                close(fd);
                return 0;
        }
        return err_set(e, EINVAL, "artifact: record of unknown type");
}

int arc_unpack_buf(const void *buf, size_t size, int dirfd, const struct sbx_file *skip,
                   size_t nskip, struct err *e)
{
        struct unpacker u = {.dirfd = dirfd, .parent_fd = -1};
        struct arc_reader r;
        struct arc_entry ent = {0};
        mode_t old_mask;
        int rc;

        old_mask = umask(0); /* modes exactly as archived */
        rc = arc_open(&r, buf, size, e);
        while (rc == 0) {
                int got = arc_next(&r, &ent, e);
                if (got <= 0) {
                        rc = got;
                        break;
                }
                if (!skipped(&ent, skip, nskip) && unpack_entry(&u, &ent, e) < 0)
                        rc = -1;
        }
        umask(old_mask);
        if (u.parent_fd >= 0)
                close(u.parent_fd);
        return rc;
}

int arc_unpack(int fd, size_t size, int dirfd, const struct sbx_file *skip, size_t nskip,
               struct err *e)
{
        void *map = mmap(NULL, size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
        int rc;

        if (map == MAP_FAILED)
                return err_set(e, errno, "artifact: mmap");
        rc = arc_unpack_buf(map, size, dirfd, skip, nskip, e);
        munmap(map, size);
        return rc;
}
