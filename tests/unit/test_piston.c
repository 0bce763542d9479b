/* Unit tests: the Piston dialect's versions — what /api/v2/runtimes shows
 * for a toolchain's version line, and which selectors pick a version. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "api/piston.h"

static void semver(const char *line, const char *want)
{
        char *got = piston_semver_of(line);

        if (!want) {
                cr_assert_null(got, "%s -> %s, want none", line, got);
                return;
        }
        cr_assert_not_null(got, "%s -> none, want %s", line, want);
        cr_assert_str_eq(got, want, "%s -> %s, want %s", line, got, want);
        free(got);
}

Test(piston, semver_from_the_probed_version_lines)
{
        semver("Python 3.11.2", "3.11.2");
        semver("g++ (Debian 12.2.0-14+deb12u1) 12.2.0", "12.2.0");
        semver("Mono C# compiler version 6.8.0.105", "6.8.0");
        semver("LDC - the LLVM D compiler (1.30.0):", "1.30.0");
        semver("go version go1.19.8 linux/amd64", "1.19.8");
        semver("v20.20.2", "20.20.2");
        semver("Welcome to Racket v8.7 [cs].", "8.7.0");
        semver("ruby 3.1.2p20 (2022-04-12 revision 4491bb740a) [x86_64-linux-gnu]", "3.1.2");
        semver("GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)", "5.2.15");
        semver("Rscript (R) version 4.2.2 Patched (2022-11-10 r83330)", "4.2.2");
        semver("Version 5.9.3", "5.9.3");
        semver("Luau 0.511", "0.511.0");
}

Test(piston, semver_needs_a_dotted_number)
{
        semver("", NULL);
        semver("no digits here", NULL);
        semver("build 42 of 7", NULL);
        semver("version 7. final", NULL);
        semver("2022 then 1.5", "1.5.0");
}

Test(piston, selectors)
{
        const char *yes[] = {"*",   "3.11.2", "=3.11.2", "v3.11.2", "3",     "3.11",
                             "3.x", "3.11.x", "3.*",     "x",       "X.x.x", "3.11.*"};
        const char *no[] = {"3.11.3", "3.1",         "4", "2.x", "3.11.2.0", "^3.11", "~3.11",
                            ">=3",    "3.11.2 || 4", "",  "3.",  "33",       "3.111"};

        for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
                cr_assert(piston_version_matches(yes[i], "3.11.2"), "%s should select", yes[i]);
        for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
                cr_assert(!piston_version_matches(no[i], "3.11.2"), "%s should not select", no[i]);
}
