/* archive: the format of a judge artifact (a box's /tmp, see sandbox.h), its
 * validator, and PID 1's halves: packing /tmp into it, unpacking it.
 *
 * Format (host byte order: it never leaves the machine). A 24-byte header:
 *
 *   char     magic[8]   "CXART01\n"
 *   uint64_t length     bytes of records after the header
 *   uint32_t entries    how many records
 *   int32_t  error      0; else the errno that made the packer give up
 *                       (EFBIG: over the size limit), and nothing is valid
 *
 * then `entries` records, back to back, no padding:
 *
 *   uint8_t  type       ARC_FILE, ARC_DIR or ARC_SYMLINK
 *   uint8_t  zero
 *   uint16_t mode       permission bits only (& 0777: exec bits kept, never
 *                       setuid/setgid/sticky)
 *   uint32_t name_len   1..ARC_NAME_MAX
 *   uint64_t data_len   a file's bytes; a symlink's target (1..ARC_LINK_MAX);
 *                       0 for a directory
 *   name bytes          a path relative to /tmp: no leading or trailing '/',
 *                       no empty, "." or ".." component, no NUL, at most
 *                       ARC_DEPTH_MAX components of at most 255 bytes
 *   data bytes
 *
 * A directory's record comes before its contents (the packer walks depth
 * first), so unpacking in order always finds an entry's parent made.
 * Nothing in an archive is trusted: the server validates it whole once it
 * is sealed (artifact.c), and each box's PID 1 validates each record again
 * as it unpacks, creating every entry relative to /tmp, beneath it, without
 * following any symlink and never over an existing file.
 *
 * The packer and unpacker run in a box's PID 1: system calls only, no
 * allocation (see init.c). */
#ifndef CODEEXEC_SANDBOX_ARCHIVE_H
#define CODEEXEC_SANDBOX_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "sandbox.h"

#define ARC_MAGIC "CXART01\n"
#define ARC_HEADER_SIZE 24u
#define ARC_RECORD_SIZE 16u
#define ARC_NAME_MAX 1024u
#define ARC_COMPONENT_MAX 255u
#define ARC_DEPTH_MAX 32u
#define ARC_LINK_MAX 4095u
#define ARC_ENTRIES_MAX 65536u /* a box's /tmp has SBX_TMP_INODES inodes */

enum arc_type { ARC_FILE = 1, ARC_DIR = 2, ARC_SYMLINK = 3 };

struct arc_header {
        char magic[8];
        uint64_t length;
        uint32_t entries;
        int32_t error;
};

struct arc_entry {
        enum arc_type type;
        unsigned mode;
        const char *name; /* not NUL-terminated */
        size_t name_len;
        const char *data;
        uint64_t data_len;
};

/* Walks records of an archive held in memory. */
struct arc_reader {
        const unsigned char *p;
        size_t len, off;
        uint32_t left; /* records still expected */
};

/* Checks the header of buf[0..size) (its length must fill size exactly)
 * and starts r on its records. -1 with e set when it is not a complete,
 * error-free archive. */
int arc_open(struct arc_reader *r, const void *buf, size_t size, struct err *e);
/* The next record into *out: 1, 0 at the end (every record read, nothing
 * left over), -1 with e set when it is invalid. */
int arc_next(struct arc_reader *r, struct arc_entry *out, struct err *e);
/* A whole archive: 0 with its entry count and file bytes, or -1. */
int arc_validate(const void *buf, size_t size, size_t *entries, uint64_t *bytes, struct err *e);
/* One name, as arc_next checks it. */
bool arc_name_ok(const char *name, size_t len);

/* The memfd size an archive of at most max_data file bytes may need. */
size_t arc_capacity(uint64_t max_data);

/* PID 1: archives the directory dirfd (its own file system only; top-level
 * entries named skip_top are left out) into memfd, which is cap bytes long,
 * through a shared mapping (RLIMIT_FSIZE does not apply to it). Always
 * leaves a header, with error set when it gave up. Returns 0 or an errno. */
int arc_pack(int dirfd, int memfd, size_t cap, uint64_t max_data, const char *skip_top);

/* PID 1: unpacks the archive in fd (size bytes) into the directory dirfd,
 * leaving out entries whose first component is the name of one of
 * skip[0..nskip) (the spec's own files win). */
int arc_unpack(int fd, size_t size, int dirfd, const struct sbx_file *skip, size_t nskip,
               struct err *e);
/* The same from an archive already in memory (the exec zygote's template,
 * zygote/execzygote.c). */
int arc_unpack_buf(const void *buf, size_t size, int dirfd, const struct sbx_file *skip,
                   size_t nskip, struct err *e);

#endif
