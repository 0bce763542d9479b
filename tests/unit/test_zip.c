/* Unit tests: the zip reader (util/zip.h). Archives come from Python's
 * zipfile (a real producer: stored, deflated, directories, Unix modes,
 * symlinks, zip64) and from a small writer here that makes the hostile
 * ones zipfile will not (".." names, lying sizes, bad CRCs, truncation). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/buf.h"
#include "util/zip.h"

static const struct zip_limits LIM = {
    .max_entries = 64, .max_total = 1 << 20, .max_entry = 1 << 20, .max_name = 255};

/* ---- archives from Python's zipfile --------------------------------------- */

/* The bytes a Python snippet writes to the zip file `z` (a ZipFile opened
 * for writing on a buffer). */
static void py_zip(struct buf *out, const char *body)
{
        char cmd[4096];
        char chunk[4096];
        size_t n;
        FILE *f;

        snprintf(cmd, sizeof(cmd),
                 "/usr/bin/python3 -c 'import io, sys, zipfile\n"
                 "b = io.BytesIO()\n"
                 "z = zipfile.ZipFile(b, \"w\")\n"
                 "%s\n"
                 "z.close()\n"
                 "sys.stdout.buffer.write(b.getvalue())'",
                 body);
        f = popen(cmd, "r");
        cr_assert(f);
        buf_init(out, 0);
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                cr_assert_eq(buf_append(out, chunk, n), 0);
        cr_assert_eq(pclose(f), 0, "python failed: %s", body);
}

static int read_zip(const struct buf *b, const struct zip_limits *lim, struct zip_entry **z,
                    size_t *n, struct err *e)
{
        return zip_read(b->data, b->len, lim, z, n, e);
}

static void refused(const struct buf *b, const char *why)
{
        struct zip_entry *z = NULL;
        struct err e = {0, ""};
        size_t n = 99;

        cr_assert_eq(read_zip(b, &LIM, &z, &n, &e), -1, "accepted; wanted: %s", why);
        cr_assert_null(z);
        cr_assert_eq(n, 0);
        cr_assert(strstr(e.msg, why), "message '%s' does not say '%s'", e.msg, why);
}

Test(zip, stored_deflated_directories_and_modes)
{
        struct zip_entry *z;
        struct err e = {0, ""};
        struct buf b;
        size_t n;

        py_zip(&b, "z.writestr(\"compile\", \"gcc main.c\\n\")\n"
                   "z.writestr(zipfile.ZipInfo(\"src/\"), \"\")\n"
                   "z.writestr(\"src/big.txt\", \"abc\" * 10000, zipfile.ZIP_DEFLATED)\n"
                   "i = zipfile.ZipInfo(\"run\"); i.external_attr = 0o100755 << 16\n"
                   "z.writestr(i, \"./a.out\\n\")\n"
                   "z.writestr(\"empty\", \"\")");
        cr_assert_eq(read_zip(&b, &LIM, &z, &n, &e), 0, "%s", e.msg);
        cr_assert_eq(n, 5);
        cr_assert_str_eq(z[0].name, "compile");
        cr_assert_eq(z[0].len, 11);
        cr_assert(memcmp(z[0].data, "gcc main.c\n", 11) == 0);
        cr_assert(!z[0].dir && !z[0].executable);
        cr_assert_str_eq(z[1].name, "src");
        cr_assert(z[1].dir);
        cr_assert_str_eq(z[2].name, "src/big.txt");
        cr_assert_eq(z[2].len, 30000);
        cr_assert(memcmp(z[2].data + 29997, "abc", 3) == 0);
        cr_assert_str_eq(z[3].name, "run");
        cr_assert(z[3].executable);
        cr_assert_str_eq(z[4].name, "empty");
        cr_assert_eq(z[4].len, 0);
        zip_free(z, n);
        buf_free(&b);
}

Test(zip, an_empty_archive_has_no_entries)
{
        struct zip_entry *z;
        struct err e = {0, ""};
        struct buf b;
        size_t n;

        py_zip(&b, "pass");
        cr_assert_eq(read_zip(&b, &LIM, &z, &n, &e), 0, "%s", e.msg);
        cr_assert_eq(n, 0);
        zip_free(z, n);
        buf_free(&b);
}

Test(zip, refuses_symlinks_zip64_other_methods_and_duplicates)
{
        struct buf b;

        py_zip(&b, "i = zipfile.ZipInfo(\"link\"); i.create_system = 3\n"
                   "i.external_attr = 0o120777 << 16\n"
                   "z.writestr(i, \"/etc/passwd\")");
        refused(&b, "symbolic link");
        buf_free(&b);

        py_zip(&b, "i = zipfile.ZipInfo(\"fifo\"); i.create_system = 3\n"
                   "i.external_attr = 0o010644 << 16\n"
                   "z.writestr(i, \"\")");
        refused(&b, "not a regular file");
        buf_free(&b);

        py_zip(&b, "z.writestr(\"a\", \"x\" * 100, zipfile.ZIP_BZIP2)");
        refused(&b, "compression method 12");
        buf_free(&b);

        py_zip(&b, "import warnings; warnings.simplefilter(\"ignore\")\n"
                   "z.writestr(\"a\", \"1\"); z.writestr(\"a\", \"2\")");
        refused(&b, "two entries are named 'a'");
        buf_free(&b);

        /* zipfile writes zip64 records for what passes ZIP64_LIMIT when it
         * closes: with the limit at 0, the end records and 0xFFFFFFFF sizes */
        py_zip(&b, "z.writestr(\"big\", \"x\"); zipfile.ZIP64_LIMIT = 0");
        refused(&b, "zip64");
        buf_free(&b);
}

Test(zip, refuses_names_that_leave_the_directory)
{
        static const char *const names[] = {"../evil", "a/../../evil", "/etc/passwd", "a//b",
                                            "./a",     "a\\\\b",       "dir/."};
        struct buf b;
        char body[256];

        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                snprintf(body, sizeof(body),
                         "z.writestr(zipfile.ZipInfo(\"x\"), \"1\")\n"
                         "z.filelist[-1].filename = \"%s\"",
                         names[i]);
                py_zip(&b, body);
                refused(&b, "is not a name this server unpacks");
                buf_free(&b);
        }
}

Test(zip, limits_are_checked_before_anything_is_inflated)
{
        struct zip_limits few = LIM, small = LIM, one = LIM;
        struct zip_entry *z = NULL;
        struct err e = {0, ""};
        struct buf b;
        size_t n;

        py_zip(&b, "for i in range(3): z.writestr(str(i), \"0\" * 1000, zipfile.ZIP_DEFLATED)");
        few.max_entries = 2;
        cr_assert_eq(read_zip(&b, &few, &z, &n, &e), -1);
        cr_assert(strstr(e.msg, "3 entries, more than 2"), "%s", e.msg);
        small.max_total = 2999;
        cr_assert_eq(read_zip(&b, &small, &z, &n, &e), -1);
        cr_assert(strstr(e.msg, "more than 2999 bytes in all"), "%s", e.msg);
        one.max_entry = 999;
        cr_assert_eq(read_zip(&b, &one, &z, &n, &e), -1);
        cr_assert(strstr(e.msg, "unpacks to 1000 bytes, more than 999"), "%s", e.msg);
        small.max_total = 3000;
        cr_assert_eq(read_zip(&b, &small, &z, &n, &e), 0, "%s", e.msg);
        zip_free(z, n);
        buf_free(&b);
}

/* ---- hostile archives made by hand ---------------------------------------- */

static void put16(struct buf *b, unsigned v)
{
        unsigned char p[2] = {(unsigned char)v, (unsigned char)(v >> 8)};

        cr_assert_eq(buf_append(b, p, 2), 0);
}

static void put32(struct buf *b, uint32_t v)
{
        put16(b, v & 0xFFFF);
        put16(b, v >> 16);
}

/* One deflated entry: name, content, with what the headers declare
 * overridable (usize_lie, crc_lie when nonzero; local_name when given). */
struct hand {
        const char *name, *content, *local_name;
        uint32_t usize_lie, crc_lie;
        uint16_t flags;
};

static void hand_zip(struct buf *b, const struct hand *h)
{
        unsigned char packed[4096];
        size_t clen = strlen(h->content);
        uLongf plen;
        z_stream s;
        uint32_t crc = (uint32_t)crc32(0L, (const Bytef *)h->content, (uInt)clen);
        uint32_t usize = h->usize_lie ? h->usize_lie : (uint32_t)clen;
        const char *lname = h->local_name ? h->local_name : h->name;
        size_t cd;

        memset(&s, 0, sizeof(s));
        cr_assert_eq(deflateInit2(&s, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
        s.next_in = (Bytef *)(uintptr_t)h->content;
        s.avail_in = (uInt)clen;
        s.next_out = packed;
        s.avail_out = sizeof(packed);
        cr_assert_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
        plen = sizeof(packed) - s.avail_out;
        deflateEnd(&s);
        if (h->crc_lie)
                crc = h->crc_lie;

        buf_init(b, 0);
        put32(b, 0x04034b50);
        put16(b, 20);
        put16(b, h->flags);
        put16(b, 8);
        put32(b, 0);
        put32(b, crc);
        put32(b, (uint32_t)plen);
        put32(b, usize);
        put16(b, (unsigned)strlen(lname));
        put16(b, 0);
        cr_assert_eq(buf_append(b, lname, strlen(lname)), 0);
        cr_assert_eq(buf_append(b, packed, plen), 0);
        cd = b->len;
        put32(b, 0x02014b50);
        put16(b, 3 << 8 | 20);
        put16(b, 20);
        put16(b, h->flags);
        put16(b, 8);
        put32(b, 0);
        put32(b, crc);
        put32(b, (uint32_t)plen);
        put32(b, usize);
        put16(b, (unsigned)strlen(h->name));
        put16(b, 0);
        put16(b, 0);
        put16(b, 0);
        put16(b, 0);
        put32(b, 0100644u << 16);
        put32(b, 0);
        cr_assert_eq(buf_append(b, h->name, strlen(h->name)), 0);
        put32(b, 0x06054b50);
        put16(b, 0);
        put16(b, 0);
        put16(b, 1);
        put16(b, 1);
        put32(b, (uint32_t)(b->len - cd - 12));
        put32(b, (uint32_t)cd);
        put16(b, 0);
}

/* The archive h describes is refused, saying why. */
static void hand_refused(const struct hand *h, const char *why)
{
        struct buf b;

        hand_zip(&b, h);
        refused(&b, why);
        buf_free(&b);
}

Test(zip, the_hand_writer_makes_valid_archives)
{
        struct hand h = {.name = "hello.txt", .content = "hello, zip\n"};
        struct zip_entry *z;
        struct err e = {0, ""};
        struct buf b;
        size_t n;

        hand_zip(&b, &h);
        cr_assert_eq(read_zip(&b, &LIM, &z, &n, &e), 0, "%s", e.msg);
        cr_assert_eq(n, 1);
        cr_assert_str_eq(z[0].name, "hello.txt");
        cr_assert_eq(z[0].len, 11);
        cr_assert(memcmp(z[0].data, "hello, zip\n", 11) == 0);
        zip_free(z, n);
        buf_free(&b);
}

Test(zip, refuses_lies_and_damage)
{
        struct hand h = {.name = "a.txt", .content = "some text, some text, some text\n"};
        struct buf b;

        h.crc_lie = 0x12345678;
        hand_refused(&h, "fails its CRC-32 check");

        /* declares more than it inflates to, then less */
        h.crc_lie = 0;
        h.usize_lie = 1000;
        hand_refused(&h, "does not inflate to its declared 1000 bytes");
        h.usize_lie = 5;
        hand_refused(&h, "does not inflate to its declared 5 bytes");

        /* a huge declared size: refused before any allocation */
        h.usize_lie = 0xFFFFFFF0u;
        hand_refused(&h, "more than 1048576");
        h.usize_lie = 0;

        h.flags = 1;
        hand_refused(&h, "is encrypted");
        h.flags = 0;

        h.name = "../../etc/cron.d/x";
        hand_refused(&h, "is not a name this server unpacks");

        h.name = "a.txt";
        h.local_name = "b.txt";
        hand_refused(&h, "disagrees with the central one");
        h.local_name = NULL;

        /* every truncation of a valid archive is refused, none crashes */
        hand_zip(&b, &h);
        for (size_t cut = 0; cut < b.len; cut++) {
                struct zip_entry *z = NULL;
                struct err e = {0, ""};
                size_t n;

                cr_assert_eq(zip_read(b.data, cut, &LIM, &z, &n, &e), -1, "accepted %zu bytes",
                             cut);
        }
        /* and every one-byte corruption is refused or reads the same */
        for (size_t at = 0; at < b.len; at++) {
                struct zip_entry *z = NULL;
                struct err e = {0, ""};
                size_t n;

                b.data[at] ^= 0x5a;
                if (zip_read(b.data, b.len, &LIM, &z, &n, &e) == 0) {
                        cr_assert_eq(n, 1);
                        cr_assert_eq(z[0].len, strlen(h.content), "byte %zu", at);
                        cr_assert(memcmp(z[0].data, h.content, z[0].len) == 0, "byte %zu", at);
                        zip_free(z, n);
                }
                b.data[at] ^= 0x5a;
        }
        buf_free(&b);

        buf_init(&b, 0);
        cr_assert_eq(buf_append(&b, "PK\x05\x06", 4), 0);
        refused(&b, "not a zip archive");
        buf_free(&b);
}
