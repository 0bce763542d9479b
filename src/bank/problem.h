/* problem: the stdin/stdout tests of one judge problem, shared by reference.
 *
 * A problem is immutable once built and counted by references: a judge
 * holds one for as long as its tests run, so replacing or deleting a
 * stored problem (problems.h) never pulls tests from under a running judge.
 * Inline tests of a /v1/judge request are an anonymous problem built the
 * same way, so the judge engine knows one shape.
 *
 * The hash is the MD5 of the tests alone, in order, each as
 * "<len(stdin)>:<stdin><len(expected)>:<expected>" (decimal byte lengths):
 * two uploads of the same tests have the same hash whatever their names,
 * checker or limits. */
#ifndef CODEEXEC_BANK_PROBLEM_H
#define CODEEXEC_BANK_PROBLEM_H

#include <stddef.h>
#include <stdint.h>

#include "../util/bulk.h"

struct problem_test {
        char *stdin_data; /* NUL-terminated copy in the bulk; stdin_len excludes the NUL */
        size_t stdin_len;
        char *expected;
        size_t expected_len;
};

struct problem {
        char *name; /* NULL for inline tests */
        struct problem_test *tests;
        size_t ntests, cap;
        uint64_t bytes;   /* stdin and expected bytes of all tests */
        char hash[33];    /* lower-case hex MD5, see above; set by problem_seal ("" until then) */
        char *checker;    /* stored checker object (JSON text) or NULL */
        char *limits;     /* stored per-test limits object (JSON text) or NULL */
        struct bulk bulk; /* the tests' texts, out of every box the server clones (bulk.h) */
        unsigned refs;
};

/* A new, empty problem with one reference (name may be NULL). */
struct problem *problem_new(const char *name);
/* Appends a test (copied). -1 when out of memory. */
int problem_add_test(struct problem *p, const char *in, size_t in_len, const char *expected,
                     size_t expected_len);
/* Computes the hash once all tests are in. Only stored problems need it
 * (names are checked against it, and it is how they are listed): inline
 * tests are never sealed, which spares a judge an MD5 of its megabytes of
 * tests on the event loop (2-3 ms for 1.2 MB). */
void problem_seal(struct problem *p);
struct problem *problem_ref(struct problem *p);
void problem_unref(struct problem *p);

#endif
