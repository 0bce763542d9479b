/* Unit tests: splitting a separated list into a string array. */
#include <criterion/criterion.h>

#include "util/strv.h"

static void expect_split(const char *s, const char *const *want, size_t n)
{
        char **v = strv_split(s, ',');

        cr_assert_not_null(v);
        cr_assert_eq(strv_len(v), n, "'%s': %zu fields, want %zu", s, strv_len(v), n);
        for (size_t i = 0; i < n; i++)
                cr_assert_str_eq(v[i], want[i], "'%s' field %zu", s, i);
        cr_assert_null(v[n]);
        strv_free(v);
}

Test(strv, split_keeps_empty_fields)
{
        expect_split("", NULL, 0);
        expect_split("numpy", (const char *[]){"numpy"}, 1);
        expect_split("numpy,pandas", (const char *[]){"numpy", "pandas"}, 2);
        expect_split("a,,b", (const char *[]){"a", "", "b"}, 3);
        expect_split(",", (const char *[]){"", ""}, 2);
        expect_split("a,", (const char *[]){"a", ""}, 2);
}
