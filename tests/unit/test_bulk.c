/* Unit tests: bulk copies stay intact as chunks grow and move between
 * bulks, and a forked child gets none of them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/bulk.h"

/* Text i of n: its length varies, its bytes name it. */
static size_t text_len(size_t i)
{
        return (i * 7919) % 5000;
}

static void fill(char *buf, size_t i)
{
        for (size_t k = 0; k < text_len(i); k++)
                buf[k] = (char)('a' + (i + k) % 26);
}

static void check_copy(const char *s, size_t i)
{
        char want[5000];

        fill(want, i);
        cr_assert(memcmp(s, want, text_len(i)) == 0, "copy %zu changed", i);
        cr_assert_eq(s[text_len(i)], '\0', "copy %zu is not NUL-terminated", i);
}

Test(bulk, copies_survive_growth_and_a_move)
{
        enum { N = 4000 }; /* ~10 MB: every chunk size up to the largest */
        static const char *copies[N];
        struct bulk a = {0}, b = {0};
        char buf[5000];
        char *big = malloc(9u << 20), *big_copy;

        for (size_t i = 0; i < N; i++) {
                fill(buf, i);
                copies[i] = bulk_copy(i % 2 ? &a : &b, buf, text_len(i));
                cr_assert_not_null(copies[i]);
        }
        /* larger than any chunk: a chunk of its own */
        memset(big, 'z', 9u << 20);
        big_copy = bulk_copy(&b, big, 9u << 20);
        cr_assert_not_null(big_copy);
        cr_assert(memcmp(big_copy, big, 9u << 20) == 0);
        cr_assert(bulk_copy(&a, "", 0) && *bulk_copy(&a, "", 0) == '\0');

        bulk_take(&a, &b); /* b's copies now live as long as a */
        cr_assert_null(b.head);
        fill(buf, 1);
        cr_assert_not_null(bulk_copy(&a, buf, text_len(1)));
        for (size_t i = 0; i < N; i++)
                check_copy(copies[i], i);
        cr_assert(memcmp(big_copy, big, 9u << 20) == 0);
        bulk_free(&a);
        cr_assert_null(a.head);
        bulk_free(&b); /* empty: nothing */
        free(big);
}

/* Whether the page holding p is mapped (msync fails with ENOMEM on a
 * range that is not: no fault, which a sanitizer would report). */
static bool mapped(const void *p)
{
        uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);

        return msync((void *)((uintptr_t)p / page * page), page, MS_ASYNC) == 0;
}

Test(bulk, a_forked_child_gets_none_of_it)
{
        struct bulk b = {0};
        const char *secret = bulk_copy(&b, "stored tests", 12);
        int status;
        pid_t pid;

        cr_assert_not_null(secret);
        cr_assert(mapped(secret));
        pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0)
                _exit(mapped(secret) ? 1 : errno == ENOMEM ? 0 : 2);
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the child has the parent's bulk (status %d)", status);
        cr_assert_str_eq(secret, "stored tests"); /* the parent still has it */
        bulk_free(&b);
}
