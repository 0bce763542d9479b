/* env: building a box's environment (see env.h). */
#define _GNU_SOURCE
#include "env.h"

#include <stdlib.h>
#include <string.h>

#include "../lang/recipe.h"
#include "../util/strv.h"

extern char **environ;

static const char *const base_env[] = {
    "PATH=/usr/local/bin:/usr/bin:/bin",
    "HOME=/tmp",
    "TMPDIR=/tmp",
    "LANG=C.UTF-8",
    "LC_ALL=C.UTF-8",
    "TZ=Etc/UTC",
    "USER=runner",
    "LOGNAME=runner",
    NULL,
};

static char **passthrough; /* the --pass-env patterns */

void env_set_passthrough(const char *patterns)
{
        strv_free(passthrough);
        passthrough = patterns ? strv_split(patterns, ',') : NULL;
}

static int matches(const char *var)
{
        size_t namelen = strcspn(var, "=");

        for (char **p = passthrough; p && *p; p++) {
                size_t len = strlen(*p);
                if (len && (*p)[len - 1] == '*') {
                        if (namelen >= len - 1 && strncmp(var, *p, len - 1) == 0)
                                return 1;
                } else if (len == namelen && strncmp(var, *p, len) == 0)
                        return 1;
        }
        return 0;
}

/* Puts entry into env (replacing a variable of the same name); -1 when
 * entry is NULL (a copy that failed). */
static int put(char **env, size_t *n, char *entry)
{
        size_t nl;

        if (!entry)
                return -1;
        nl = strcspn(entry, "=");
        for (size_t i = 0; i < *n; i++)
                if (strncmp(env[i], entry, nl) == 0 && env[i][nl] == '=') {
                        free(env[i]);
                        env[i] = entry;
                        return 0;
                }
        env[(*n)++] = entry;
        return 0;
}

char **env_build(char *const *recipe_env, const char *source_file)
{
        size_t cap = 16, n = 0;
        char **env;

        for (char **e = environ; e && *e; e++)
                cap++;
        for (char *const *e = recipe_env; e && *e; e++)
                cap++;
        env = calloc(cap + 1, sizeof(char *));
        if (!env)
                return NULL;
        for (const char *const *e = base_env; *e; e++)
                if (put(env, &n, strdup(*e)) < 0)
                        goto oom;
        for (char **e = environ; e && *e; e++)
                if (matches(*e) && put(env, &n, strdup(*e)) < 0)
                        goto oom;
        for (char *const *e = recipe_env; e && *e; e++)
                if (put(env, &n, recipe_expand(*e, source_file)) < 0)
                        goto oom;
        return env;
oom:
        for (size_t j = 0; j < n; j++)
                free(env[j]);
        free(env);
        return NULL;
}
