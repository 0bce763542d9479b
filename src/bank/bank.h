/* bank: one test bank in memory — test texts keyed by the MD5 of their text.
 *
 * A bank is an insertion-ordered array of entries plus an open-addressing
 * index keyed by the 16-byte digest, so a look-up is one probe sequence and
 * a bank can be written back out in the order it was read. A bank is a plain
 * value: the registry (store.h) decides which bank a name means. */
#ifndef CODEEXEC_BANK_H
#define CODEEXEC_BANK_H

#include <stddef.h>

#include "../util/err.h"
#include "../util/md5.h"

struct bank;

enum bank_add_result { BANK_ADDED = 0, BANK_DUPLICATE = 1 };

struct bank *bank_new(void);
void bank_free(struct bank *b);
size_t bank_count(const struct bank *b);

/* Adds a copy of text under digest. Returns BANK_ADDED, BANK_DUPLICATE when
 * the same text is already there (nothing changes), or -1 with e set when
 * the digest is already taken by a different text (errnum 0) or memory ran
 * out (ENOMEM). On -1 the bank is unchanged. */
int bank_add(struct bank *b, const unsigned char digest[MD5_DIGEST_LEN], const char *text,
             size_t len, struct err *e);

/* The text stored under digest (NUL-terminated, may contain NULs; its length
 * in *len), or NULL. Valid until the bank is freed. */
const char *bank_find(const struct bank *b, const unsigned char digest[MD5_DIGEST_LEN],
                      size_t *len);

/* Entry i in insertion order (i < bank_count). */
const char *bank_at(const struct bank *b, size_t i, const unsigned char **digest, size_t *len);

/* Makes room for n more entries so that bank_merge cannot fail; -1 on ENOMEM. */
int bank_reserve(struct bank *b, size_t n);
/* Moves every entry of src that dst lacks into dst (dst must have been
 * reserved for bank_count(src) more); src is left empty. Entries whose
 * digest dst already holds are dropped (check conflicts first with
 * bank_conflict). Returns the number moved. */
size_t bank_merge(struct bank *dst, struct bank *src);
/* The first entry of src whose digest dst holds with a different text, as
 * its index in src, or -1 when there is none. */
long bank_conflict(const struct bank *dst, const struct bank *src);

#endif
