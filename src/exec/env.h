/* env: the clean environment a box's processes start with.
 *
 * Base variables (PATH, HOME=/tmp, TMPDIR, LANG, LC_ALL, TZ, USER), then the
 * server's own variables matching the operator's pass-through patterns
 * (default OPENBLAS_*: host-specific BLAS tuning), then the recipe's env.
 * Later entries replace earlier ones with the same name. Nothing else of the
 * server's environment (tokens, paths) ever reaches a program. */
#ifndef CODEEXEC_ENV_H
#define CODEEXEC_ENV_H

/* patterns: comma-separated names, a trailing '*' matches a prefix. */
void env_set_passthrough(const char *patterns);
/* A malloc'd NULL-terminated envp; recipe_env entries may hold placeholders. */
char **env_build(char *const *recipe_env, const char *source_file);

#endif
