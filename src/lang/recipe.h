/* recipe: language recipes loaded from languages/<key>.json (docs/recipes.md).
 *
 * A recipe says how to compile and run a language and how to turn the
 * result into a MultiPL-E status. The registry is loaded once at start-up
 * and read-only afterwards; look-ups return pointers valid for the life of
 * the process. */
#ifndef CODEEXEC_RECIPE_H
#define CODEEXEC_RECIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

#define RECIPE_MAX_STEPS 4

enum rule_exit { RULE_EXIT_ANY, RULE_EXIT_ZERO, RULE_EXIT_NONZERO, RULE_EXIT_EQ };

struct recipe_step {
        char *name;
        char **argv; /* NULL-terminated, may hold placeholders */
        /* With caches on and a cached_when path: argv is the cached form,
         * run only while that path exists; plain_argv otherwise. */
        char **plain_argv;
        char *cached_when;
        double timeout_s;
        bool stdin;
        bool keep_going;
};

struct verdict_rule {
        int step;    /* recipe step index, or -1 = the last job step that ran */
        int timeout; /* -1 = not tested, else 0/1 */
        enum rule_exit exit_kind;
        int exit_value;
        char *stdout_contains, *stderr_contains, *output_contains;
        int stdout_empty, stderr_empty; /* -1 = not tested */
        char *status;
};

struct recipe_overlay {
        char *lower, *target;
};

struct recipe_limits {
        uint64_t memory_mb, file_mb, tmpfs_mb, output_kb;
        uint32_t processes;
};

struct recipe {
        char *key, *name;
        char **aliases;
        char *source_file, *source_prefix, *source_suffix;
        char **requires;
        char **version_argv;
        char **env; /* "NAME=value", may hold placeholders */
        char **binds;
        struct recipe_overlay *overlays;
        size_t noverlays;
        struct recipe_limits limits; /* 0 = server default */
        struct recipe_step steps[RECIPE_MAX_STEPS];
        size_t nsteps;
        struct verdict_rule *rules;
        size_t nrules;
        char *notes;
        bool installed;
        char missing[256]; /* the first required tool that is absent */
        char *version;     /* first line of version_argv's output, once probed */
};

/* The argv to run for step st now: its cached form unless that depends on
 * a cache path (cached_when) that is missing at this moment. */
char *const *recipe_step_argv(const struct recipe_step *st);
/* Whether recipes parsed from now on use their install-time caches (a
 * step's cached_argv, the recipe's overlays); on by default. Off gives the
 * plain toolchain commands (--no-language-caches, the differential test). */
void recipes_use_caches(bool on);
/* Loads every *.json in dir. Fails (with the file and reason in e) on the
 * first invalid recipe: a broken recipe is an operator error to fix, not
 * something to run with. */
int recipes_load(const char *dir, struct err *e);
/* Parses one recipe from JSON text (used by the loader and the fuzzer). */
struct recipe *recipe_parse(const char *text, size_t len, const char *expect_key, struct err *e);
void recipe_free(struct recipe *r);

/* Key or alias, case-insensitive; NULL when unknown. */
const struct recipe *recipes_find(const char *name);
size_t recipes_count(void);
const struct recipe *recipes_at(size_t i);
/* "cpp, java, ..." of the installed languages, for error messages. */
const char *recipes_installed_list(void);

/* True when a verdict rule has no condition (the catch-all last rule). */
bool recipe_rule_unconditional(const struct verdict_rule *r);

/* Records the probed toolchain version of the recipe with this key. */
void recipes_set_version(const char *key, const char *version);
/* A one-step recipe that runs r's version_argv in r's environment (NULL when
 * r has none); the caller frees it with recipe_free(). */
struct recipe *recipe_version_probe(const struct recipe *r);

/* Expands {src} {stem} {dir} {name} {base} in s for a source file name;
 * returns a malloc'd string. */
char *recipe_expand(const char *s, const char *source_file);

#endif
