/* zip: a strict reader of ZIP archives held in memory (PKWARE APPNOTE
 * 6.3), for archives clients send (Judge0's additional_files).
 *
 * Only what such archives need: one disk, no zip64, no encryption, entries
 * stored or deflated. Everything else, and anything inconsistent, is
 * refused with a reason a client can act on; nothing is guessed. */
#ifndef CODEEXEC_UTIL_ZIP_H
#define CODEEXEC_UTIL_ZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct zip_entry {
        char *name; /* a relative path with '/' separators, no trailing '/' */
        unsigned char *data;
        size_t len;
        bool dir;        /* a directory entry ("name/"): no data */
        bool executable; /* made on Unix with an x bit */
};

struct zip_limits {
        size_t max_entries; /* entries in all, directories included */
        uint64_t max_total; /* unpacked bytes in all, as declared and as inflated */
        uint64_t max_entry; /* unpacked bytes of one entry */
        size_t max_name;    /* bytes of one name */
};

/* Reads the archive buf[0..size): every entry checked and unpacked into
 * *out (an array of *n, the caller frees it with zip_free). Refuses
 * (-1, e->msg saying why, *out NULL) an archive that is truncated or
 * inconsistent (its central directory and local headers disagree), spans
 * disks, is zip64, is encrypted, uses a method other than stored (0) or
 * deflate (8), has an entry whose CRC-32 or size does not match, is over a
 * limit (checked on the declared sizes before anything is inflated), or
 * has a name that is empty, absolute, with a ".." or "." or empty
 * component, a backslash or a NUL, or the same as another's; or an entry
 * that is a symbolic link or another special file. */
int zip_read(const void *buf, size_t size, const struct zip_limits *lim, struct zip_entry **out,
             size_t *n, struct err *e);
void zip_free(struct zip_entry *entries, size_t n);

#endif
