/* bank: the in-memory test table (see bank.h).
 *
 * Theory of operation. Entries (digest, text, length) live in a
 * growable array in insertion order; `slots` is a power-of-two open-address
 * table of entry indexes + 1 (0 = empty), probed linearly from the first 8
 * bytes of the digest — MD5 output is already uniform, so no further hashing
 * is needed. The table is kept at most half full and rebuilt when it would
 * pass that. Nothing is ever removed from a bank: replacing a bank means
 * building a new one and swapping it in the registry. The texts are in the
 * bank's bulk (util/bulk.h: out of every box the server clones), freed
 * with the bank; a merge moves them with the entries. */
#include "bank.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/bulk.h"

struct entry {
        unsigned char digest[MD5_DIGEST_LEN];
        size_t len;
        const char *text; /* in the bulk of the bank that has the entry */
};

struct bank {
        struct entry *entries;
        size_t n, cap;
        uint32_t *slots;
        size_t nslots; /* power of two, or 0 */
        struct bulk texts;
};

/* Creates an empty bank; NULL on ENOMEM. */
struct bank *bank_new(void)
{
        return calloc(1, sizeof(struct bank));
}

/* Frees the bank and every text in it (NULL is fine). */
void bank_free(struct bank *b)
{
        if (!b)
                return;
        bulk_free(&b->texts);
        free(b->entries);
        free(b->slots);
        free(b);
}

/* Number of distinct tests. */
size_t bank_count(const struct bank *b)
{
        return b ? b->n : 0;
}

static size_t slot_of(const unsigned char *digest, size_t nslots)
{
        uint64_t h;

        memcpy(&h, digest, sizeof(h));
        return (size_t)(h & (nslots - 1));
}

/* Index of the entry with digest, or -1; *slot gets where it is or would go. */
static long lookup(const struct bank *b, const unsigned char *digest, size_t *slot)
{
        size_t i;

        if (!b->nslots)
                return -1;
        for (i = slot_of(digest, b->nslots);; i = (i + 1) & (b->nslots - 1)) {
                uint32_t s = b->slots[i];
                if (s == 0) {
                        if (slot)
                                *slot = i;
                        return -1;
                }
                if (memcmp(b->entries[s - 1].digest, digest, MD5_DIGEST_LEN) == 0) {
                        if (slot)
                                *slot = i;
                        return (long)(s - 1);
                }
        }
}

static int rebuild(struct bank *b, size_t nslots)
{
        uint32_t *slots = calloc(nslots, sizeof(*slots));

        if (!slots)
                return -1;
        free(b->slots);
        b->slots = slots;
        b->nslots = nslots;
        for (size_t e = 0; e < b->n; e++) {
                size_t i = slot_of(b->entries[e].digest, nslots);
                while (slots[i])
                        i = (i + 1) & (nslots - 1);
                slots[i] = (uint32_t)(e + 1);
        }
        return 0;
}

/* Room for n more entries without allocating; -1 on ENOMEM (bank unchanged). */
int bank_reserve(struct bank *b, size_t n)
{
        size_t want = b->n + n, nslots = b->nslots ? b->nslots : 16;

        if (want >= UINT32_MAX / 2)
                return -1;
        if (want > b->cap) {
                size_t cap = b->cap ? b->cap : 64;
                struct entry *grown;
                while (cap < want)
                        cap *= 2;
                grown = realloc(b->entries, cap * sizeof(*grown));
                if (!grown)
                        return -1;
                b->entries = grown;
                b->cap = cap;
        }
        while (want * 2 > nslots)
                nslots *= 2;
        if (nslots != b->nslots && rebuild(b, nslots) < 0)
                return -1;
        return 0;
}

/* Appends an entry known to be absent, into a reserved bank. */
static void insert(struct bank *b, const unsigned char *digest, const char *text, size_t len,
                   size_t slot)
{
        struct entry *en = &b->entries[b->n];

        memcpy(en->digest, digest, MD5_DIGEST_LEN);
        en->text = text;
        en->len = len;
        b->slots[slot] = (uint32_t)(b->n + 1);
        b->n++;
}

/* See bank.h: BANK_ADDED, BANK_DUPLICATE, or -1 (conflict or ENOMEM). */
int bank_add(struct bank *b, const unsigned char digest[MD5_DIGEST_LEN], const char *text,
             size_t len, struct err *e)
{
        size_t slot = 0;
        long at = lookup(b, digest, &slot);
        char *copy, hex[MD5_HEX_LEN + 1];

        if (at >= 0) {
                const struct entry *en = &b->entries[at];
                if (en->len == len && memcmp(en->text, text, len) == 0)
                        return BANK_DUPLICATE;
                md5_hex(digest, hex);
                return err_set(e, 0, "hash %s is already taken by a different test", hex);
        }
        if (b->n + 1 > b->cap || (b->n + 1) * 2 > b->nslots) {
                if (bank_reserve(b, 1) < 0)
                        return err_set(e, ENOMEM, "test bank");
                lookup(b, digest, &slot);
        }
        copy = bulk_copy(&b->texts, text, len);
        if (!copy)
                return err_set(e, ENOMEM, "test bank");
        insert(b, digest, copy, len, slot);
        return BANK_ADDED;
}

/* The text under digest, or NULL. */
const char *bank_find(const struct bank *b, const unsigned char digest[MD5_DIGEST_LEN], size_t *len)
{
        long at = b ? lookup(b, digest, NULL) : -1;

        if (at < 0)
                return NULL;
        *len = b->entries[at].len;
        return b->entries[at].text;
}

/* Entry i in insertion order; NULL when i is out of range. */
const char *bank_at(const struct bank *b, size_t i, const unsigned char **digest, size_t *len)
{
        if (i >= b->n)
                return NULL;
        *digest = b->entries[i].digest;
        *len = b->entries[i].len;
        return b->entries[i].text;
}

/* The first src entry that conflicts with dst, or -1. */
long bank_conflict(const struct bank *dst, const struct bank *src)
{
        for (size_t i = 0; i < src->n; i++) {
                long at = lookup(dst, src->entries[i].digest, NULL);
                if (at >= 0 &&
                    (dst->entries[at].len != src->entries[i].len ||
                     memcmp(dst->entries[at].text, src->entries[i].text, src->entries[i].len) != 0))
                        return (long)i;
        }
        return -1;
}

/* Moves src's new entries into a reserved dst; returns how many. */
size_t bank_merge(struct bank *dst, struct bank *src)
{
        size_t moved = 0;

        for (size_t i = 0; i < src->n; i++) {
                size_t slot = 0;
                if (lookup(dst, src->entries[i].digest, &slot) >= 0)
                        continue; /* its text goes with src's others, unused */
                insert(dst, src->entries[i].digest, src->entries[i].text, src->entries[i].len,
                       slot);
                moved++;
        }
        bulk_take(&dst->texts, &src->texts);
        src->n = 0;
        if (src->nslots)
                memset(src->slots, 0, src->nslots * sizeof(*src->slots));
        return moved;
}
