/* Unit tests: the box environment is clean but for the pass-through list. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "exec/env.h"

static const char *find(char **env, const char *name)
{
        size_t n = strlen(name);

        for (char **e = env; *e; e++)
                if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
                        return *e + n + 1;
        return NULL;
}

Test(env, clean_with_passthrough_and_recipe_overrides)
{
        char *recipe_env[] = {"HOME=/tmp/home", "SRC={src}", NULL};
        char **env;

        setenv("CODEEXEC_SECRET_TOKEN", "hunter2", 1);
        setenv("OPENBLAS_CORETYPE", "Haswell", 1);
        env_set_passthrough("OPENBLAS_*,EXACT");
        env = env_build(recipe_env, "main.py");
        cr_assert_null(find(env, "CODEEXEC_SECRET_TOKEN"));
        cr_assert_str_eq(find(env, "OPENBLAS_CORETYPE"), "Haswell");
        cr_assert_str_eq(find(env, "HOME"), "/tmp/home");
        cr_assert_str_eq(find(env, "SRC"), "/tmp/main.py");
        cr_assert_str_eq(find(env, "PATH"), "/usr/local/bin:/usr/bin:/bin");
        for (char **e = env; *e; e++)
                free(*e);
        free(env);
}
