/* zip: a strict reader of in-memory ZIP archives (zip.h).
 *
 * Theory of operation. The end of central directory record (EOCD) is found
 * by scanning back from the end for its signature where its comment length
 * makes it end exactly at the archive's end. Its counts and offsets must
 * describe one disk and a central directory that lies before it; zip64
 * markers (0xFFFF / 0xFFFFFFFF fields, a zip64 locator) are refused. The
 * central directory is walked twice: first every header is checked (bounds,
 * flags, method, type, name) and the declared unpacked sizes are summed
 * against the limits, so that nothing is inflated from an archive that
 * would be refused; then each entry's local header is checked against its
 * central one (the same name, the data before the central directory), and
 * its data is copied (stored) or inflated (raw deflate, zlib) into a buffer
 * of exactly the declared size, which must be filled exactly, by a stream
 * that ends exactly at the compressed size, with the declared CRC-32. The
 * input is never written; every read is bounds-checked first. */
#define _GNU_SOURCE
#include "zip.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define SIG_EOCD 0x06054b50u
#define SIG_ZIP64_LOCATOR 0x07064b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_LOCAL 0x04034b50u
#define EOCD_SIZE 22u
#define ZIP64_LOCATOR_SIZE 20u
#define CENTRAL_SIZE 46u
#define LOCAL_SIZE 30u
#define FLAG_ENCRYPTED 0x0001u
#define FLAG_STRONG_ENCRYPTION 0x0040u
#define FLAG_MASKED_HEADERS 0x2000u
#define MADE_BY_UNIX 3
#define MSDOS_DIR_ATTR 0x10u

static uint16_t get16(const unsigned char *p)
{
        return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static uint32_t get32(const unsigned char *p)
{
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One central directory header, parsed. */
struct central {
        uint16_t made_by, flags, method, name_len, extra_len, comment_len;
        uint32_t crc, csize, usize, ext_attr, local_off;
        const char *name;
};

/* The EOCD's offset: the last signature whose comment ends the archive. */
static int find_eocd(const unsigned char *p, size_t size, size_t *at, struct err *e)
{
        size_t lowest = size > EOCD_SIZE + 0xFFFFu ? size - EOCD_SIZE - 0xFFFFu : 0;

        if (size < EOCD_SIZE)
                return err_set(e, 0, "not a zip archive: %zu bytes, shorter than its end record",
                               size);
        for (size_t i = size - EOCD_SIZE + 1; i-- > lowest;)
                if (get32(p + i) == SIG_EOCD && i + EOCD_SIZE + get16(p + i + 20) == size) {
                        *at = i;
                        return 0;
                }
        return err_set(e, 0,
                       "not a zip archive (no end of central directory record), or "
                       "truncated");
}

static int parse_central(const unsigned char *p, size_t off, size_t end, struct central *c,
                         struct err *e)
{
        memset(c, 0, sizeof(*c));
        if (end - off < CENTRAL_SIZE || get32(p + off) != SIG_CENTRAL)
                return err_set(e, 0, "the central directory is truncated or corrupt");
        c->made_by = get16(p + off + 4);
        c->flags = get16(p + off + 8);
        c->method = get16(p + off + 10);
        c->crc = get32(p + off + 16);
        c->csize = get32(p + off + 20);
        c->usize = get32(p + off + 24);
        c->name_len = get16(p + off + 28);
        c->extra_len = get16(p + off + 30);
        c->comment_len = get16(p + off + 32);
        c->ext_attr = get32(p + off + 38);
        c->local_off = get32(p + off + 42);
        c->name = (const char *)p + off + CENTRAL_SIZE;
        if ((size_t)c->name_len + c->extra_len + c->comment_len > end - off - CENTRAL_SIZE)
                return err_set(e, 0, "the central directory is truncated or corrupt");
        return 0;
}

/* A name as a client may give one: relative, '/'-separated, no "." or ".."
 * or empty component (a directory's one trailing '/' aside), no '\\' (a
 * Windows separator would mean something else here) and no NUL. */
static bool name_ok(const char *name, size_t len, bool dir)
{
        size_t start = 0;

        if (dir)
                len--; /* its trailing '/' */
        if (len == 0 || name[0] == '/' || memchr(name, '\0', len) || memchr(name, '\\', len))
                return false;
        while (start <= len) {
                const char *slash = memchr(name + start, '/', len - start);
                size_t stop = slash ? (size_t)(slash - name) : len;
                size_t n = stop - start;

                if (n == 0 || (n == 1 && name[start] == '.') ||
                    (n == 2 && name[start] == '.' && name[start + 1] == '.'))
                        return false;
                start = stop + 1;
        }
        return true;
}

/* The first pass's checks of one entry; its kind in *dir, *exec. */
static int check_central(const struct central *c, const struct zip_limits *lim, bool *dir,
                         bool *exec, struct err *e)
{
        unsigned mode = c->made_by >> 8 == MADE_BY_UNIX ? c->ext_attr >> 16 : 0;
        size_t shown = c->name_len < 100 ? c->name_len : 100;

        if (c->flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS))
                return err_set(e, 0, "'%.*s' is encrypted: encrypted archives are not supported",
                               (int)shown, c->name);
        if (c->csize == 0xFFFFFFFFu || c->usize == 0xFFFFFFFFu || c->local_off == 0xFFFFFFFFu)
                return err_set(e, 0, "zip64 archives are not supported");
        if (c->method != 0 && c->method != 8)
                return err_set(e, 0,
                               "'%.*s' uses compression method %u: only stored (0) and deflate "
                               "(8) are supported",
                               (int)shown, c->name, c->method);
        if (c->name_len > lim->max_name)
                return err_set(e, 0, "an entry's name is longer than %zu bytes", lim->max_name);
        *dir = (c->name_len && c->name[c->name_len - 1] == '/') || (mode && S_ISDIR(mode)) ||
               (c->made_by >> 8 != MADE_BY_UNIX && (c->ext_attr & MSDOS_DIR_ATTR));
        if (mode && S_ISLNK(mode))
                return err_set(e, 0, "'%.*s' is a symbolic link: links are not supported",
                               (int)shown, c->name);
        /* no type bits (zipfile's writestr, some tools): a plain file */
        if ((mode & S_IFMT) && !S_ISREG(mode) && !S_ISDIR(mode))
                return err_set(e, 0, "'%.*s' is not a regular file or a directory", (int)shown,
                               c->name);
        if (*dir && (c->name_len == 0 || c->name[c->name_len - 1] != '/' || c->usize))
                return err_set(e, 0, "'%.*s': a directory entry must end in '/' and hold nothing",
                               (int)shown, c->name);
        if (!name_ok(c->name, c->name_len, *dir))
                return err_set(e, 0,
                               "'%.*s' is not a name this server unpacks: use relative paths "
                               "without '..', '.', '\\\\' or empty components",
                               (int)shown, c->name);
        if (c->method == 0 && c->csize != c->usize)
                return err_set(e, 0, "'%.*s' is stored with two different sizes", (int)shown,
                               c->name);
        if (c->usize > lim->max_entry)
                return err_set(e, 0, "'%.*s' unpacks to %u bytes, more than %llu", (int)shown,
                               c->name, c->usize, (unsigned long long)lim->max_entry);
        *exec = mode && (mode & 0111);
        return 0;
}

/* Copies or inflates an entry's csize bytes at data into a buffer of its
 * usize bytes and checks its CRC-32. */
static int unpack(const unsigned char *data, const struct central *c, struct zip_entry *z,
                  struct err *e)
{
        size_t shown = c->name_len < 100 ? c->name_len : 100;
        z_stream s;
        int rc;

        z->data = malloc(c->usize ? c->usize : 1);
        if (!z->data)
                return err_set(e, ENOMEM, "unpacking '%.*s'", (int)shown, c->name);
        z->len = c->usize;
        if (c->method == 0) {
                memcpy(z->data, data, c->usize);
        } else {
                memset(&s, 0, sizeof(s));
                if (inflateInit2(&s, -MAX_WBITS) != Z_OK)
                        return err_set(e, ENOMEM, "unpacking '%.*s'", (int)shown, c->name);
                s.next_in = (unsigned char *)data; /* zlib does not write it */
                s.avail_in = c->csize;
                s.next_out = z->data;
                s.avail_out = c->usize;
                rc = inflate(&s, Z_FINISH);
                inflateEnd(&s);
                if (rc == Z_MEM_ERROR)
                        return err_set(e, ENOMEM, "unpacking '%.*s'", (int)shown, c->name);
                if (rc != Z_STREAM_END || s.avail_out || s.avail_in)
                        return err_set(e, 0,
                                       "'%.*s' does not inflate to its declared %u bytes from "
                                       "its %u (corrupt or truncated)",
                                       (int)shown, c->name, c->usize, c->csize);
        }
        if (crc32(0L, z->data, (uInt)c->usize) != c->crc)
                return err_set(e, 0, "'%.*s' fails its CRC-32 check (corrupt)", (int)shown,
                               c->name);
        return 0;
}

/* The second pass: entry c's local header and data, unpacked into z. */
static int read_entry(const unsigned char *p, size_t cd_off, const struct central *c,
                      struct zip_entry *z, struct err *e)
{
        size_t off = c->local_off, data;
        size_t shown = c->name_len < 100 ? c->name_len : 100;

        if (off > cd_off || cd_off - off < LOCAL_SIZE || get32(p + off) != SIG_LOCAL)
                return err_set(e, 0, "'%.*s': its local header is missing or corrupt", (int)shown,
                               c->name);
        data = off + LOCAL_SIZE + get16(p + off + 26) + get16(p + off + 28);
        if (get16(p + off + 26) != c->name_len || data > cd_off ||
            memcmp(p + off + LOCAL_SIZE, c->name, c->name_len) != 0 ||
            get16(p + off + 8) != c->method)
                return err_set(e, 0, "'%.*s': its local header disagrees with the central one",
                               (int)shown, c->name);
        if (cd_off - data < c->csize)
                return err_set(e, 0, "'%.*s': its data runs past the archive (truncated)",
                               (int)shown, c->name);
        z->name = strndup(c->name, c->name_len - (z->dir ? 1 : 0));
        if (!z->name)
                return err_set(e, ENOMEM, "unpacking");
        if (z->dir)
                return 0;
        return unpack(p + data, c, z, e);
}

void zip_free(struct zip_entry *entries, size_t n)
{
        if (!entries)
                return;
        for (size_t i = 0; i < n; i++) {
                free(entries[i].name);
                free(entries[i].data);
        }
        free(entries);
}

/* Whether the first n entries of z hold name (or name as a directory). */
static bool duplicate(const struct zip_entry *z, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(z[i].name, name) == 0)
                        return true;
        return false;
}

int zip_read(const void *buf, size_t size, const struct zip_limits *lim, struct zip_entry **out,
             size_t *n, struct err *e)
{
        const unsigned char *p = buf;
        size_t eocd = 0, cd_off, cd_size, count, off;
        uint64_t total = 0;
        struct zip_entry *z;

        *out = NULL;
        *n = 0;
        if (find_eocd(p, size, &eocd, e) < 0)
                return -1;
        count = get16(p + eocd + 10);
        cd_size = get32(p + eocd + 12);
        cd_off = get32(p + eocd + 16);
        if (eocd >= ZIP64_LOCATOR_SIZE && get32(p + eocd - ZIP64_LOCATOR_SIZE) == SIG_ZIP64_LOCATOR)
                return err_set(e, 0, "zip64 archives are not supported");
        if (count == 0xFFFFu || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu)
                return err_set(e, 0, "zip64 archives are not supported");
        if (get16(p + eocd + 4) || get16(p + eocd + 6) || get16(p + eocd + 8) != count)
                return err_set(e, 0, "archives split over several disks are not supported");
        if (cd_off > eocd || cd_size != eocd - cd_off)
                return err_set(e, 0,
                               "the central directory is not where the end record says "
                               "(truncated or corrupt)");
        if (count > lim->max_entries)
                return err_set(e, 0, "%zu entries, more than %zu", count, lim->max_entries);

        /* pass 1: every header, and the declared sizes against the limits */
        off = cd_off;
        for (size_t i = 0; i < count; i++) {
                struct central c;
                bool dir, exec;

                if (parse_central(p, off, eocd, &c, e) < 0 ||
                    check_central(&c, lim, &dir, &exec, e) < 0)
                        return -1;
                total += c.usize;
                if (total > lim->max_total)
                        return err_set(e, 0, "the entries unpack to more than %llu bytes in all",
                                       (unsigned long long)lim->max_total);
                off += CENTRAL_SIZE + c.name_len + c.extra_len + c.comment_len;
        }
        if (off != eocd)
                return err_set(e, 0, "the central directory holds more than its %zu entries",
                               count);

        /* pass 2: each entry's local header and data */
        z = calloc(count + 1, sizeof(*z));
        if (!z)
                return err_set(e, ENOMEM, "unpacking");
        off = cd_off;
        for (size_t i = 0; i < count; i++) {
                struct central c;
                bool exec = false;

                (void)parse_central(p, off, eocd, &c, e); /* checked in pass 1 */
                (void)check_central(&c, lim, &z[i].dir, &exec, e);
                z[i].executable = exec;
                if (read_entry(p, cd_off, &c, &z[i], e) < 0) {
                        zip_free(z, i + 1);
                        return -1;
                }
                if (duplicate(z, i, z[i].name)) {
                        err_set(e, 0, "two entries are named '%.100s'", z[i].name);
                        zip_free(z, i + 1);
                        return -1;
                }
                off += CENTRAL_SIZE + c.name_len + c.extra_len + c.comment_len;
        }
        *out = z;
        *n = count;
        return 0;
}
