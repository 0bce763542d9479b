/* problem: building, sealing and sharing a problem's tests (problem.h). */
#include "problem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/bulk.h"
#include "../util/md5.h"

struct problem *problem_new(const char *name)
{
        struct problem *p = calloc(1, sizeof(*p));

        if (!p)
                return NULL;
        if (name && !(p->name = strdup(name))) {
                free(p);
                return NULL;
        }
        p->refs = 1;
        return p;
}

int problem_add_test(struct problem *p, const char *in, size_t in_len, const char *expected,
                     size_t expected_len)
{
        struct problem_test *t;

        if (p->ntests == p->cap) {
                size_t cap = p->cap ? p->cap * 2 : 16;
                struct problem_test *tests = realloc(p->tests, cap * sizeof(*tests));

                if (!tests)
                        return -1;
                p->tests = tests;
                p->cap = cap;
        }
        t = &p->tests[p->ntests];
        /* (a copy made before a failure stays in the bulk until the end) */
        t->stdin_data = bulk_copy(&p->bulk, in, in_len);
        t->expected = t->stdin_data ? bulk_copy(&p->bulk, expected, expected_len) : NULL;
        if (!t->stdin_data || !t->expected)
                return -1;
        t->stdin_len = in_len;
        t->expected_len = expected_len;
        p->ntests++;
        p->bytes += in_len + expected_len;
        return 0;
}

/* Feeds "<len>:<bytes>" of one field to the digest. */
static void hash_field(struct md5_ctx *c, const char *data, size_t len)
{
        char head[32];
        int n = snprintf(head, sizeof(head), "%zu:", len);

        md5_update(c, head, (size_t)n);
        md5_update(c, data, len);
}

void problem_seal(struct problem *p)
{
        struct md5_ctx c;
        unsigned char digest[MD5_DIGEST_LEN];

        md5_init(&c);
        for (size_t i = 0; i < p->ntests; i++) {
                hash_field(&c, p->tests[i].stdin_data, p->tests[i].stdin_len);
                hash_field(&c, p->tests[i].expected, p->tests[i].expected_len);
        }
        md5_final(&c, digest);
        md5_hex(digest, p->hash);
}

struct problem *problem_ref(struct problem *p)
{
        p->refs++;
        return p;
}

void problem_unref(struct problem *p)
{
        if (!p || --p->refs > 0)
                return;
        bulk_free(&p->bulk);
        free(p->tests);
        free(p->name);
        free(p->checker);
        free(p->limits);
        free(p);
}
