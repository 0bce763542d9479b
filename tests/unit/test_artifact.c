/* Unit tests: judge mode's artifact (sandbox/archive.h, artifact.c). The
 * validator against truncated, escaping, oversized and malformed archives;
 * then the real packer, sbx_take_artifact and the unpacker on directories
 * of this machine (no box needed: they take directory descriptors), and
 * what packing and unpacking a 1 MB program costs (printed, not asserted). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/archive.h"
#include "sandbox/sandbox-internal.h"
#include "util/memfd.h"

/* ---- building archives by hand ---- */

struct builder {
        unsigned char *p;
        size_t len, cap;
        uint32_t entries;
};

static void put(struct builder *b, const void *data, size_t n)
{
        if (b->len + n > b->cap) {
                b->cap = (b->len + n) * 2 + 64;
                b->p = realloc(b->p, b->cap);
                cr_assert(b->p);
        }
        if (n) /* memcpy's source may not be NULL even for 0 bytes */
                memcpy(b->p + b->len, data, n);
        b->len += n;
}

static void start(struct builder *b)
{
        struct arc_header h;

        memset(b, 0, sizeof(*b));
        memset(&h, 0, sizeof(h));
        put(b, &h, sizeof(h));
}

static void raw_record(struct builder *b, unsigned type, unsigned mode, const char *name,
                       size_t name_len, const char *data, uint64_t data_len)
{
        unsigned char rec[ARC_RECORD_SIZE] = {0};
        uint16_t m = (uint16_t)mode;
        uint32_t nl = (uint32_t)name_len;

        rec[0] = (unsigned char)type;
        memcpy(rec + 2, &m, 2);
        memcpy(rec + 4, &nl, 4);
        memcpy(rec + 8, &data_len, 8);
        put(b, rec, sizeof(rec));
        put(b, name, name_len);
        put(b, data, (size_t)data_len);
        b->entries++;
}

static void record(struct builder *b, unsigned type, unsigned mode, const char *name,
                   const char *data)
{
        raw_record(b, type, mode, name, strlen(name), data, data ? strlen(data) : 0);
}

/* Fills in the header: records as built, error as given. */
static void finish(struct builder *b, int32_t error)
{
        struct arc_header h;

        memcpy(h.magic, ARC_MAGIC, sizeof(h.magic));
        h.length = b->len - ARC_HEADER_SIZE;
        h.entries = b->entries;
        h.error = error;
        memcpy(b->p, &h, sizeof(h));
}

static int validate(const struct builder *b, size_t len, char *why)
{
        struct err e = {0, ""};
        size_t entries;
        uint64_t bytes;
        int rc = arc_validate(b->p, len, &entries, &bytes, &e);

        if (why)
                snprintf(why, 256, "%s", e.msg);
        return rc;
}

static void expect_invalid(struct builder *b, const char *what)
{
        char why[256];

        finish(b, 0);
        cr_assert_eq(validate(b, b->len, why), -1, "%s: accepted", what);
        cr_assert(why[0], "%s: rejected without a message", what);
        free(b->p);
}

static void one_record_invalid(unsigned type, unsigned mode, const char *name, size_t name_len,
                               const char *data, uint64_t data_len, const char *what)
{
        struct builder b;

        start(&b);
        raw_record(&b, type, mode, name, name_len, data, data_len);
        expect_invalid(&b, what);
}

static void sample(struct builder *b)
{
        start(b);
        record(b, ARC_DIR, 0755, "bin", NULL);
        record(b, ARC_FILE, 0755, "bin/main",
               "\x7f"
               "ELF program bytes");
        record(b, ARC_FILE, 0644, "main.cpp", "int main() {}\n");
        record(b, ARC_SYMLINK, 0777, "bin/link", "main");
        record(b, ARC_FILE, 0600, "empty", NULL);
        finish(b, 0);
}

Test(artifact, valid_archive_counts_entries_and_bytes)
{
        struct builder b;
        struct err e = {0, ""};
        size_t entries;
        uint64_t bytes;

        sample(&b);
        cr_assert_eq(arc_validate(b.p, b.len, &entries, &bytes, &e), 0, "%s", e.msg);
        cr_assert_eq(entries, 5);
        cr_assert_eq(bytes, strlen("\x7f"
                                   "ELF program bytes") +
                                strlen("int main() {}\n"));
        free(b.p);

        start(&b); /* an empty /tmp */
        finish(&b, 0);
        cr_assert_eq(arc_validate(b.p, b.len, &entries, &bytes, &e), 0, "%s", e.msg);
        cr_assert_eq(entries, 0);
        free(b.p);
}

Test(artifact, every_truncation_is_rejected)
{
        struct builder b;

        sample(&b);
        for (size_t cut = 0; cut < b.len; cut++) {
                struct arc_header h;

                /* as stored (the header's length no longer matches) */
                cr_assert_eq(validate(&b, cut, NULL), -1, "cut at %zu accepted", cut);
                /* and with a header claiming exactly what is left */
                if (cut >= ARC_HEADER_SIZE) {
                        unsigned char *copy = malloc(b.len);
                        cr_assert(copy);
                        memcpy(copy, b.p, b.len);
                        memcpy(&h, copy, sizeof(h));
                        h.length = cut - ARC_HEADER_SIZE;
                        memcpy(copy, &h, sizeof(h));
                        {
                                struct err e = {0, ""};
                                size_t n;
                                uint64_t by;
                                cr_assert_eq(arc_validate(copy, cut, &n, &by, &e), -1,
                                             "cut at %zu with a matching length accepted", cut);
                        }
                        free(copy);
                }
        }
        free(b.p);
}

Test(artifact, header_problems_are_rejected)
{
        struct builder b;

        sample(&b);
        b.p[0] = 'X';
        cr_assert_eq(validate(&b, b.len, NULL), -1, "bad magic accepted");
        free(b.p);

        sample(&b);
        finish(&b, EFBIG);
        cr_assert_eq(validate(&b, b.len, NULL), -1, "an archive marked failed accepted");
        free(b.p);

        /* more records than the header counts: bytes left over */
        sample(&b);
        {
                struct arc_header h;
                memcpy(&h, b.p, sizeof(h));
                h.entries--;
                memcpy(b.p, &h, sizeof(h));
        }
        cr_assert_eq(validate(&b, b.len, NULL), -1, "uncounted record accepted");
        free(b.p);

        /* fewer: the header promises one that is not there */
        sample(&b);
        {
                struct arc_header h;
                memcpy(&h, b.p, sizeof(h));
                h.entries++;
                memcpy(b.p, &h, sizeof(h));
        }
        cr_assert_eq(validate(&b, b.len, NULL), -1, "missing record accepted");
        free(b.p);

        start(&b);
        finish(&b, 0);
        {
                struct arc_header h;
                memcpy(&h, b.p, sizeof(h));
                h.entries = ARC_ENTRIES_MAX + 1;
                memcpy(b.p, &h, sizeof(h));
        }
        cr_assert_eq(validate(&b, b.len, NULL), -1, "too many entries accepted");
        free(b.p);
}

Test(artifact, names_that_leave_tmp_or_are_malformed_are_rejected)
{
        static const char *const bad[] = {"../x",  "..",          ".", "a/../b", "a/..", "./a",
                                          "a/./b", "/etc/passwd", "/", "a//b",   "a/",   "//a"};
        char longname[ARC_NAME_MAX + 2], comp[ARC_COMPONENT_MAX + 2], deep[2 * ARC_DEPTH_MAX + 4];

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                cr_assert(!arc_name_ok(bad[i], strlen(bad[i])), "'%s' accepted", bad[i]);
                one_record_invalid(ARC_FILE, 0644, bad[i], strlen(bad[i]), "x", 1, bad[i]);
        }
        cr_assert(!arc_name_ok("", 0));
        one_record_invalid(ARC_FILE, 0644, "", 0, "x", 1, "empty name");
        cr_assert(!arc_name_ok("a\0b", 3));
        one_record_invalid(ARC_FILE, 0644, "a\0b", 3, "x", 1, "NUL in a name");

        memset(comp, 'c', sizeof(comp));
        cr_assert(arc_name_ok(comp, ARC_COMPONENT_MAX));
        cr_assert(!arc_name_ok(comp, ARC_COMPONENT_MAX + 1), "component over 255 accepted");

        memset(longname, 'a', sizeof(longname));
        for (size_t i = 200; i < ARC_NAME_MAX; i += 200)
                longname[i] = '/';
        cr_assert(arc_name_ok(longname, ARC_NAME_MAX));
        cr_assert(!arc_name_ok(longname, ARC_NAME_MAX + 1), "name over the limit accepted");
        one_record_invalid(ARC_FILE, 0644, longname, ARC_NAME_MAX + 1, "x", 1, "long name");

        /* "d/d/.../d": ARC_DEPTH_MAX components pass, one more does not */
        for (size_t i = 0; i < ARC_DEPTH_MAX + 1; i++) {
                deep[2 * i] = 'd';
                deep[2 * i + 1] = '/';
        }
        cr_assert(arc_name_ok(deep, 2 * ARC_DEPTH_MAX - 1));
        cr_assert(!arc_name_ok(deep, 2 * ARC_DEPTH_MAX + 1), "depth over the limit accepted");

        cr_assert(arc_name_ok("a", 1));
        cr_assert(arc_name_ok("..a/b..c/.d", 11));
}

Test(artifact, bad_types_modes_and_data_are_rejected)
{
        static const unsigned types[] = {0, 4, 5, 127, 255};
        char big[ARC_LINK_MAX + 1];

        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
                one_record_invalid(types[i], 0644, "f", 1, "x", 1, "unknown type");
        one_record_invalid(ARC_FILE, 04755, "f", 1, "x", 1, "setuid mode");
        one_record_invalid(ARC_FILE, 01777, "f", 1, "x", 1, "sticky mode");
        one_record_invalid(ARC_FILE, 0xffff, "f", 1, "x", 1, "mode with type bits");
        one_record_invalid(ARC_DIR, 0755, "d", 1, "x", 1, "directory with data");
        one_record_invalid(ARC_SYMLINK, 0777, "l", 1, "", 0, "empty symlink target");
        one_record_invalid(ARC_SYMLINK, 0777, "l", 1, "a\0b", 3, "NUL in a symlink target");
        memset(big, 'x', sizeof(big));
        one_record_invalid(ARC_SYMLINK, 0777, "l", 1, big, sizeof(big), "symlink target too long");
        {
                /* a data length beyond the archive (and one that would wrap) */
                struct builder b;
                start(&b);
                raw_record(&b, ARC_FILE, 0644, "f", 1, "xy", 2);
                {
                        uint64_t huge = UINT64_MAX - 4;
                        memcpy(b.p + ARC_HEADER_SIZE + 8, &huge, 8);
                }
                expect_invalid(&b, "data length past the end");
        }
        {
                struct builder b;
                start(&b);
                raw_record(&b, ARC_FILE, 0644, "f", 1, "xy", 2);
                b.p[ARC_HEADER_SIZE + 1] = 1; /* the zero byte */
                expect_invalid(&b, "non-zero pad");
        }
}

/* ---- the real packer, take and unpacker ---- */

static void write_file(const char *dir, const char *name, const void *data, size_t len, mode_t mode)
{
        char path[512];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
        cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
        cr_assert_eq(write(fd, data, len), (ssize_t)len);
        close(fd);
        cr_assert_eq(chmod(path, mode), 0);
}

static char *read_file(const char *dir, const char *name, size_t *len)
{
        char path[512];
        struct stat st;
        char *data;
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        fd = open(path, O_RDONLY | O_NOFOLLOW);
        cr_assert(fd >= 0, "%s: %s", path, strerror(errno));
        cr_assert_eq(fstat(fd, &st), 0);
        data = malloc((size_t)st.st_size + 1);
        cr_assert(data);
        cr_assert_eq(read(fd, data, (size_t)st.st_size), st.st_size);
        close(fd);
        *len = (size_t)st.st_size;
        return data;
}

static mode_t mode_of(const char *dir, const char *name)
{
        char path[512];
        struct stat st;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        cr_assert_eq(lstat(path, &st), 0, "%s: %s", path, strerror(errno));
        return st.st_mode;
}

static int dirfd_of(const char *dir)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY);

        cr_assert(fd >= 0, "%s: %s", dir, strerror(errno));
        return fd;
}

static void remove_tree(const char *dir)
{
        char cmd[600];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}

/* Under $TMPDIR (TMPDIR=/dev/shm measures on a tmpfs, as a box's /tmp is). */
static char *make_temp_dir(void)
{
        const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        char *d = NULL;

        cr_assert(asprintf(&d, "%s/test_artifact.XXXXXX", base) > 0);

        cr_assert(d && mkdtemp(d), "mkdtemp");
        return d;
}

/* Packs dir as a box's PID 1 would and takes it as the server does. */
static int pack_and_take(const char *dir, uint64_t max, struct sbx_artifact **a, struct err *e)
{
        struct sbx_box box;
        size_t cap;
        int dfd = dirfd_of(dir), rc;

        memset(&box, 0, sizeof(box));
        box.collect_fd = sbx_collect_memfd(max, &cap, e);
        cr_assert(box.collect_fd >= 0, "%s", e->msg);
        arc_pack(dfd, box.collect_fd, cap, max, SBX_OVERLAY_DIR);
        close(dfd);
        rc = sbx_take_artifact(&box, a, e);
        if (box.collect_fd >= 0)
                close(box.collect_fd);
        return rc;
}

static uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

Test(artifact, round_trip_keeps_files_modes_and_links_and_seals)
{
        char *src = make_temp_dir(), *dst = make_temp_dir(), path[512];
        struct sbx_artifact *a = NULL;
        struct err e = {0, ""};
        struct sbx_file own = {.name = "main.cpp", .data = "x", .len = 1};
        char *got, link[64];
        size_t len;
        ssize_t n;
        int dfd;

        write_file(src, "main",
                   "\x7f"
                   "ELF",
                   4, 0755);
        write_file(src, "main.cpp", "int main(){}", 12, 0644);
        snprintf(path, sizeof(path), "%s/pkg", src);
        cr_assert_eq(mkdir(path, 0750), 0);
        snprintf(path, sizeof(path), "%s/pkg/sub", src);
        cr_assert_eq(mkdir(path, 0700), 0);
        write_file(src, "pkg/sub/A.class", "\xca\xfe\xba\xbe", 4, 0600);
        write_file(src, "pkg/empty", "", 0, 0640);
        snprintf(path, sizeof(path), "%s/pkg/link", src);
        cr_assert_eq(symlink("sub/A.class", path), 0);
        snprintf(path, sizeof(path), "%s/escape", src);
        cr_assert_eq(symlink("/etc/passwd", path), 0); /* kept as a link, never followed */
        snprintf(path, sizeof(path), "%s/fifo", src);
        cr_assert_eq(mkfifo(path, 0644), 0); /* not archived */
        snprintf(path, sizeof(path), "%s/" SBX_OVERLAY_DIR, src);
        cr_assert_eq(mkdir(path, 0755), 0); /* not archived */
        write_file(src, SBX_OVERLAY_DIR "/upper", "cache", 5, 0644);

        cr_assert_eq(pack_and_take(src, 1 << 20, &a, &e), 1, "%s", e.msg);
        cr_assert_eq(sbx_artifact_entries(a), 8); /* main main.cpp pkg sub A empty link escape */
        cr_assert_eq(sbx_artifact_bytes(a), 4 + 12 + 4 + 0);
        cr_assert_eq(fcntl(a->fd, F_GET_SEALS),
                     F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
        cr_assert_eq(fcntl(a->fd, F_GETFL) & O_ACCMODE, O_RDONLY);
        cr_assert_eq(write(a->fd, "x", 1), -1, "the artifact's descriptor is writable");

        /* main.cpp is one of the spec's files: left for write_files */
        dfd = dirfd_of(dst);
        cr_assert_eq(arc_unpack(a->fd, a->size, dfd, &own, 1, &e), 0, "%s", e.msg);
        close(dfd);
        got = read_file(dst, "main", &len);
        cr_assert(len == 4 && memcmp(got,
                                     "\x7f"
                                     "ELF",
                                     4) == 0);
        free(got);
        cr_assert_eq(mode_of(dst, "main") & 07777, 0755);
        cr_assert_eq(mode_of(dst, "pkg") & 07777, 0750);
        cr_assert_eq(mode_of(dst, "pkg/sub") & 07777, 0700);
        cr_assert_eq(mode_of(dst, "pkg/sub/A.class") & 07777, 0600);
        cr_assert_eq(mode_of(dst, "pkg/empty") & 07777, 0640);
        got = read_file(dst, "pkg/sub/A.class", &len);
        cr_assert(len == 4 && memcmp(got, "\xca\xfe\xba\xbe", 4) == 0);
        free(got);
        snprintf(path, sizeof(path), "%s/pkg/link", dst);
        n = readlink(path, link, sizeof(link));
        cr_assert(n == 11 && memcmp(link, "sub/A.class", 11) == 0);
        snprintf(path, sizeof(path), "%s/escape", dst);
        n = readlink(path, link, sizeof(link));
        cr_assert(n == 11 && memcmp(link, "/etc/passwd", 11) == 0);
        snprintf(path, sizeof(path), "%s/main.cpp", dst);
        cr_assert_eq(access(path, F_OK), -1, "a spec file's name was unpacked");
        snprintf(path, sizeof(path), "%s/fifo", dst);
        cr_assert_eq(access(path, F_OK), -1, "a fifo was archived");
        snprintf(path, sizeof(path), "%s/" SBX_OVERLAY_DIR, dst);
        cr_assert_eq(access(path, F_OK), -1, "the overlay directory was archived");

        /* shared by reference */
        cr_assert_eq(sbx_artifact_ref(a), a);
        sbx_artifact_unref(a);
        sbx_artifact_unref(a);
        remove_tree(src);
        remove_tree(dst);
        free(src);
        free(dst);
}

/* SandboxFusion's files: an archive the server builds from paths. */
Test(artifact, built_from_paths_makes_parents_once_and_unpacks_nested)
{
        char *dst = make_temp_dir();
        const struct sbx_file files[] = {
            {.name = "dir1/dir2/dir3/secret_flag", .data = "flag", .len = 4},
            {.name = "dir1/dir2/other", .data = "", .len = 0},
            {.name = "top", .data = "t", .len = 1, .executable = true},
            {.name = ".mnt/b", .data = "mnt", .len = 3},
        };
        struct sbx_artifact *a = NULL;
        struct err e = {0, ""};
        struct arc_reader rd;
        struct arc_entry ent;
        const void *map;
        size_t len, size, nfiles = 0, ndirs = 0;
        char *got;
        int dfd;

        cr_assert_eq(sbx_artifact_build(files, 4, &a, &e), 0, "%s", e.msg);
        /* dir1 dir1/dir2 dir1/dir2/dir3 .mnt, and the four files */
        cr_assert_eq(sbx_artifact_entries(a), 8);
        cr_assert_eq(sbx_artifact_bytes(a), 4 + 0 + 1 + 3);
        cr_assert_eq(fcntl(a->fd, F_GET_SEALS),
                     F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
        map = sbx_artifact_map(a, &size, &e);
        cr_assert(map, "%s", e.msg);
        cr_assert_eq(arc_open(&rd, map, size, &e), 0, "%s", e.msg);
        while (arc_next(&rd, &ent, &e) > 0) {
                nfiles += ent.type == ARC_FILE;
                ndirs += ent.type == ARC_DIR;
        }
        cr_assert_eq(nfiles, 4);
        cr_assert_eq(ndirs, 4);
        sbx_artifact_unmap(map, size);

        dfd = dirfd_of(dst);
        cr_assert_eq(arc_unpack(a->fd, a->size, dfd, NULL, 0, &e), 0, "%s", e.msg);
        close(dfd);
        got = read_file(dst, "dir1/dir2/dir3/secret_flag", &len);
        cr_assert(len == 4 && memcmp(got, "flag", 4) == 0);
        free(got);
        got = read_file(dst, ".mnt/b", &len);
        cr_assert(len == 3 && memcmp(got, "mnt", 3) == 0);
        free(got);
        cr_assert_eq(mode_of(dst, "top") & 07777, 0755);
        cr_assert_eq(mode_of(dst, "dir1/dir2") & 07777, 0755);
        sbx_artifact_unref(a);
        remove_tree(dst);
        free(dst);
}

Test(artifact, built_from_paths_refuses_escapes_and_clashes)
{
        const char *bad[] = {"../x", "/etc/passwd", "a/../../x", "a//b", "./a", "", "a/"};
        struct sbx_artifact *a = NULL;
        struct err e = {0, ""};

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct sbx_file f = {.name = bad[i], .data = "x", .len = 1};
                cr_assert_eq(sbx_artifact_build(&f, 1, &a, &e), -1, "'%s' was accepted", bad[i]);
                cr_assert_null(a);
        }
        {
                const struct sbx_file same[] = {{.name = "a", .data = "1", .len = 1},
                                                {.name = "a", .data = "2", .len = 1}};
                const struct sbx_file under[] = {{.name = "a/b", .data = "1", .len = 1},
                                                 {.name = "a", .data = "2", .len = 1}};
                const struct sbx_file over[] = {{.name = "a", .data = "1", .len = 1},
                                                {.name = "a/b/c", .data = "2", .len = 1}};
                const struct sbx_file fine[] = {{.name = "a/b", .data = "1", .len = 1},
                                                {.name = "ab", .data = "2", .len = 1}};
                cr_assert_eq(sbx_artifact_build(same, 2, &a, &e), -1);
                cr_assert_eq(sbx_artifact_build(under, 2, &a, &e), -1);
                cr_assert_eq(sbx_artifact_build(over, 2, &a, &e), -1);
                cr_assert_eq(sbx_artifact_build(fine, 2, &a, &e), 0, "%s", e.msg);
                sbx_artifact_unref(a);
        }
}

Test(artifact, over_the_limit_is_an_error_and_no_archive_is_none)
{
        char *src = make_temp_dir();
        char data[5000];
        struct sbx_artifact *a = NULL;
        struct err e = {0, ""};
        struct sbx_box box;
        size_t cap;

        memset(data, 'z', sizeof(data));
        write_file(src, "big", data, sizeof(data), 0644);
        cr_assert_eq(pack_and_take(src, 4999, &a, &e), -1);
        cr_assert_eq(e.errnum, EFBIG, "%s", e.msg);
        cr_assert_null(a);
        cr_assert_eq(pack_and_take(src, 5000, &a, &e), 1, "%s", e.msg);
        sbx_artifact_unref(a);

        /* PID 1 never archived (a step failed): none, no error */
        memset(&box, 0, sizeof(box));
        box.collect_fd = sbx_collect_memfd(100, &cap, &e);
        cr_assert_eq(sbx_take_artifact(&box, &a, &e), 0);
        close(box.collect_fd);
        box.collect_fd = -1;
        cr_assert_eq(sbx_take_artifact(&box, &a, &e), 0);
        remove_tree(src);
        free(src);
}

Test(artifact, a_memfd_that_cannot_be_sealed_is_copied_into_one_that_is)
{
        char *src = make_temp_dir();
        struct sbx_artifact *a = NULL;
        struct err e = {0, ""};
        struct sbx_box box;
        size_t cap = arc_capacity(1 << 20);
        int dfd = dirfd_of(src);

        write_file(src, "main", "binary", 6, 0755);
        memset(&box, 0, sizeof(box));
        box.collect_fd = memfd_create("unsealable", MFD_CLOEXEC); /* no MFD_ALLOW_SEALING */
        cr_assert(box.collect_fd >= 0);
        cr_assert_eq(ftruncate(box.collect_fd, (off_t)cap), 0);
        cr_assert_eq(arc_pack(dfd, box.collect_fd, cap, 1 << 20, NULL), 0);
        close(dfd);
        cr_assert_eq(sbx_take_artifact(&box, &a, &e), 1, "%s", e.msg);
        cr_assert_eq(fcntl(a->fd, F_GET_SEALS),
                     F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
        cr_assert_eq(a->size, ARC_HEADER_SIZE + ARC_RECORD_SIZE + 4 + 6);
        cr_assert_eq(sbx_artifact_entries(a), 1);
        cr_assert_eq(box.collect_fd, -1);
        sbx_artifact_unref(a);
        remove_tree(src);
        free(src);
}

/* An archive made by hand, unpacked into a fresh directory: 0 or -1. */
static int unpack_crafted(struct builder *b, const char *dst, struct err *e)
{
        int fd, dfd, rc;

        finish(b, 0);
        fd = memfd_with("crafted", b->p, b->len);
        cr_assert(fd >= 0);
        dfd = dirfd_of(dst);
        rc = arc_unpack(fd, b->len, dfd, NULL, 0, e);
        close(dfd);
        close(fd);
        free(b->p);
        return rc;
}

Test(artifact, unpacking_never_writes_through_a_link_or_over_a_file)
{
        char *dst = make_temp_dir(), *outside = make_temp_dir(), path[512];
        struct err e = {0, ""};
        struct builder b;

        /* a link to a directory outside, then a file "through" it */
        start(&b);
        record(&b, ARC_SYMLINK, 0777, "out", outside);
        record(&b, ARC_FILE, 0644, "out/pwned", "x");
        cr_assert_eq(unpack_crafted(&b, dst, &e), -1, "wrote through a symlink");
        snprintf(path, sizeof(path), "%s/pwned", outside);
        cr_assert_eq(access(path, F_OK), -1, "a file appeared outside");

        /* a link, then a file of the same name (would follow it) */
        start(&b);
        snprintf(path, sizeof(path), "%s/pwned2", outside);
        record(&b, ARC_SYMLINK, 0777, "l", path);
        record(&b, ARC_FILE, 0644, "l", "x");
        cr_assert_eq(unpack_crafted(&b, dst, &e), -1, "wrote over a symlink");
        cr_assert_eq(access(path, F_OK), -1, "a file appeared outside");

        /* a file twice: never overwritten */
        start(&b);
        record(&b, ARC_FILE, 0644, "twice", "first");
        record(&b, ARC_FILE, 0644, "twice", "second");
        cr_assert_eq(unpack_crafted(&b, dst, &e), -1, "overwrote a file");

        /* a file whose parent was never made */
        start(&b);
        record(&b, ARC_FILE, 0644, "nodir/f", "x");
        cr_assert_eq(unpack_crafted(&b, dst, &e), -1, "made a missing parent");

        /* an escaping name, caught while unpacking too */
        start(&b);
        record(&b, ARC_FILE, 0644, "../pwned3", "x");
        cr_assert_eq(unpack_crafted(&b, dst, &e), -1);
        remove_tree(dst);
        remove_tree(outside);
        free(dst);
        free(outside);
}

Test(artifact, cost_of_a_one_megabyte_program)
{
        char *src = make_temp_dir(), *dst[5];
        size_t size = 1 << 20;
        char *data = malloc(size);
        struct sbx_artifact *a = NULL;
        struct err e = {0, ""};
        uint64_t t0, pack_ns, unpack_ns = UINT64_MAX;

        cr_assert(data);
        for (size_t i = 0; i < size; i++)
                data[i] = (char)(i * 7);
        write_file(src, "main", data, size, 0755);
        write_file(src, "main.cpp", data, 20000, 0644);
        t0 = now_ns();
        cr_assert_eq(pack_and_take(src, 64 << 20, &a, &e), 1, "%s", e.msg);
        pack_ns = now_ns() - t0;
        for (int i = 0; i < 5; i++) {
                int dfd;
                uint64_t t;
                dst[i] = make_temp_dir();
                dfd = dirfd_of(dst[i]);
                t = now_ns();
                cr_assert_eq(arc_unpack(a->fd, a->size, dfd, NULL, 0, &e), 0, "%s", e.msg);
                t = now_ns() - t;
                unpack_ns = t < unpack_ns ? t : unpack_ns;
                close(dfd);
        }
        {
                size_t len;
                char *got = read_file(dst[4], "main", &len);
                cr_assert(len == size && memcmp(got, data, size) == 0);
                free(got);
        }
        fprintf(stderr,
                "artifact of a 1 MiB program (+20 kB source): pack+take %.0f us, unpack %.0f us "
                "(best of 5) [on %s]\n",
                (double)pack_ns / 1e3, (double)unpack_ns / 1e3, src);
        sbx_artifact_unref(a);
        for (int i = 0; i < 5; i++) {
                remove_tree(dst[i]);
                free(dst[i]);
        }
        remove_tree(src);
        free(src);
        free(data);
}

/* ---- in real boxes (root only: builds namespaces like the server) ---- */

struct box_run {
        int steps_ended, last_exit;
        char out[8192];
        size_t out_len;
        bool setup_error;
        char error[200];
};

/* Waits for the box's PID 1 and collects what it said; output is small, so
 * reading after the end never blocks the box. */
static void wait_box(struct sbx_box *box, struct box_run *r)
{
        struct sbx_msg m;
        siginfo_t info;
        int rc;

        memset(r, 0, sizeof(*r));
        while (waitid((idtype_t)P_PIDFD, (id_t)box->pidfd, &info, WEXITED) < 0 && errno == EINTR)
                ;
        while ((rc = sbx_read_msg(box, &m)) == 1) {
                if (m.type == SBX_MSG_STEP_END) {
                        r->steps_ended++;
                        r->last_exit = WIFEXITED(m.wstatus) ? WEXITSTATUS(m.wstatus) : -1;
                } else if (m.type == SBX_MSG_SETUP_ERROR) {
                        r->setup_error = true;
                        snprintf(r->error, sizeof(r->error), "%s", m.text);
                }
        }
        for (size_t s = 0; s < box->nsteps; s++)
                for (int k = 0; k < 2; k++) { /* stdout, then stderr */
                        ssize_t n;
                        while ((n = read(box->out_fd[s][k], r->out + r->out_len,
                                         sizeof(r->out) - 1 - r->out_len)) > 0)
                                r->out_len += (size_t)n;
                }
        r->out[r->out_len] = '\0';
}

static char *env_path[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", NULL};

static void spec_for(struct sbx_spec *spec, struct sbx_step *step, char *const *argv)
{
        memset(spec, 0, sizeof(*spec));
        memset(step, 0, sizeof(*step));
        step->argv = argv;
        step->timeout_s = 60;
        spec->steps = step;
        spec->nsteps = 1;
        spec->envp = env_path;
        spec->limits.memory_bytes = 512u << 20;
        spec->limits.processes = 64;
        spec->limits.file_bytes = 64u << 20;
        spec->limits.tmpfs_bytes = 64u << 20;
        spec->limits.open_files = 256;
}

static void global_init_once(void)
{
        struct sbx_options opt;
        struct err e = {0, ""};
        const char *base = getenv("CODEEXEC_UID_BASE");

        memset(&opt, 0, sizeof(opt));
        /* without one: a uid range of this process's own, far above the
         * server's default, so that concurrent test runs never share one */
        opt.uid_base = base ? (uid_t)strtoul(base, NULL, 10)
                            : (uid_t)(5000000u + (unsigned)(getpid() % 100000) * 4u);
        opt.max_slots = 1;
        opt.no_cgroups = 1;
        cr_assert_eq(sbx_global_init(&opt, &e), 0, "%s", e.msg);
}

Test(artifact, compile_once_run_in_fresh_boxes)
{
        static const char source[] = "#include <cstdio>\n"
                                     "int main(){int a,b;if(scanf(\"%d %d\",&a,&b)!=2)return 3;"
                                     "printf(\"%d\\n\",a+b);FILE*f=fopen(\"/tmp/left\",\"w\");"
                                     "return f?0:4;}\n";
        char *compile[] = {"/bin/sh", "-c",
                           "g++ -O2 -o main main.cpp && mkdir -p lib/x && echo data > lib/x/f "
                           "&& ln -s lib/x/f link && chmod 0750 lib && echo j > .cache/c/junk",
                           NULL};
        char *run[] = {"/bin/sh", "-c",
                       "ls -l main | cut -c1-10; cat link; ls left 2>&1; ls .cache/c; "
                       "echo 40 2 | ./main",
                       NULL};
        /* a compiler cache, as Go's: an overlay under /tmp, never archived */
        char *cache = make_temp_dir();
        struct sbx_overlay overlay = {.lower = cache, .target = "/tmp/.cache/c"};
        struct sbx_file file = {.name = "main.cpp", .data = source, .len = sizeof(source) - 1};
        struct sbx_artifact *a = NULL;
        struct sbx_spec spec;
        struct sbx_step step;
        struct sbx_box box;
        struct box_run r;
        struct err e = {0, ""};

        if (geteuid() != 0)
                cr_skip_test("needs root, as the server does, to build boxes");
        if (access("/usr/bin/g++", X_OK) != 0)
                cr_skip_test("no g++");
        global_init_once();

        write_file(cache, "cached", "", 0, 0644);
        cr_assert_eq(chmod(cache, 0777), 0); /* as the Go cache, writable in the box */
        spec_for(&spec, &step, compile);
        spec.files = &file;
        spec.nfiles = 1;
        spec.overlays = &overlay;
        spec.noverlays = 1;
        spec.collect_tmp = true;
        spec.collect_max_bytes = spec.limits.tmpfs_bytes;
        cr_assert_eq(sbx_spawn(&spec, &box, &e), 0, "%s", e.msg);
        wait_box(&box, &r);
        cr_assert(!r.setup_error, "%s", r.error);
        cr_assert_eq(r.last_exit, 0, "compile: %s", r.out);
        cr_assert_eq(sbx_take_artifact(&box, &a, &e), 1, "%s", e.msg);
        sbx_release(&box);
        cr_assert_eq(box.collect_fd, -1);
        /* main.cpp main lib lib/x lib/x/f link .cache (and nothing of the
         * compiler's own temporary files, removed when it ended, nor of the
         * overlay) */
        cr_assert_eq(sbx_artifact_entries(a), 7, "%zu entries", sbx_artifact_entries(a));

        for (int i = 0; i < 2; i++) { /* each run sees the artifact, not the last run's files */
                spec_for(&spec, &step, run);
                spec.artifact = a;
                spec.overlays = &overlay;
                spec.noverlays = 1;
                cr_assert_eq(sbx_spawn(&spec, &box, &e), 0, "%s", e.msg);
                wait_box(&box, &r);
                cr_assert(!r.setup_error, "%s", r.error);
                cr_assert_str_eq(r.out,
                                 "-rwxr-xr-x\ndata\nls: cannot access 'left': No such file or "
                                 "directory\ncached\n42\n");
                cr_assert_eq(r.last_exit, 0);
                sbx_release(&box);
        }

        /* a failing step: no artifact, and no error */
        {
                char *fail[] = {"/bin/sh", "-c", "echo x > out; exit 1", NULL};
                struct sbx_artifact *none = NULL;
                spec_for(&spec, &step, fail);
                spec.collect_tmp = true;
                spec.collect_max_bytes = 1 << 20;
                cr_assert_eq(sbx_spawn(&spec, &box, &e), 0, "%s", e.msg);
                wait_box(&box, &r);
                cr_assert_eq(sbx_take_artifact(&box, &none, &e), 0);
                cr_assert_null(none);
                sbx_release(&box);
        }
        /* more than the limit left in /tmp: an error */
        {
                char *big[] = {"/bin/sh", "-c", "head -c 300000 /dev/zero > big", NULL};
                struct sbx_artifact *none = NULL;
                spec_for(&spec, &step, big);
                spec.collect_tmp = true;
                spec.collect_max_bytes = 200000;
                cr_assert_eq(sbx_spawn(&spec, &box, &e), 0, "%s", e.msg);
                wait_box(&box, &r);
                cr_assert_eq(r.last_exit, 0);
                cr_assert_eq(sbx_take_artifact(&box, &none, &e), -1);
                cr_assert_eq(e.errnum, EFBIG, "%s", e.msg);
                sbx_release(&box);
        }
        sbx_artifact_unref(a);
        sbx_global_cleanup();
        remove_tree(cache);
        free(cache);
}
