/* recipe: loading and validating language recipes (see recipe.h).
 *
 * Theory of operation. Each languages/<key>.json is parsed with jansson,
 * strictly: unknown fields, wrong types, relative executables, an empty step
 * list, a verdict list whose last rule has conditions, or a rule naming an
 * unknown step are all errors that stop start-up with the file name. A
 * recipe is "installed" when every path in `requires` is an executable file;
 * an uninstalled recipe stays listed so that requests for it get a clear
 * answer. A recipe is "installed" when each path in `requires` is a regular
 * file that is executable or readable (a jar, a test library). */
#define _GNU_SOURCE
#include "recipe.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/buf.h"
#include "../util/strv.h"

static struct recipe **registry;
static size_t nregistry;
static char *installed_list;
static bool use_caches = true; /* recipes_use_caches() */

static const char *const statuses[] = {"OK",        "Exception",        "SyntaxError",
                                       "Timeout",   "AssertionError",   "ReferenceError",
                                       "TypeError", "CompilationError", "VerificationError",
                                       NULL};

void recipe_free(struct recipe *r)
{
        if (!r)
                return;
        free(r->key);
        free(r->name);
        strv_free(r->aliases);
        free(r->source_file);
        free(r->source_prefix);
        free(r->source_suffix);
        strv_free(r->requires);
        strv_free(r->version_argv);
        strv_free(r->env);
        strv_free(r->binds);
        for (size_t i = 0; i < r->noverlays; i++) {
                free(r->overlays[i].lower);
                free(r->overlays[i].target);
        }
        free(r->overlays);
        for (size_t i = 0; i < r->nsteps; i++) {
                free(r->steps[i].name);
                strv_free(r->steps[i].argv);
                strv_free(r->steps[i].plain_argv);
                free(r->steps[i].cached_when);
        }
        for (size_t i = 0; i < r->nrules; i++) {
                free(r->rules[i].stdout_contains);
                free(r->rules[i].stderr_contains);
                free(r->rules[i].output_contains);
                free(r->rules[i].status);
        }
        free(r->rules);
        free(r->notes);
        free(r->version);
        free(r);
}

static int get_string(json_t *obj, const char *field, bool required, char **out, struct err *e)
{
        json_t *v = json_object_get(obj, field);

        if (!v) {
                if (required)
                        return err_set(e, 0, "missing \"%s\"", field);
                return 0;
        }
        if (!json_is_string(v))
                return err_set(e, 0, "\"%s\" must be a string", field);
        *out = strndup(json_string_value(v), json_string_length(v));
        return *out ? 0 : err_set(e, ENOMEM, "%s", field);
}

static int get_strv(json_t *obj, const char *field, bool required, bool nonempty, char ***out,
                    struct err *e)
{
        json_t *v = json_object_get(obj, field), *item;
        size_t i;

        if (!v) {
                if (required)
                        return err_set(e, 0, "missing \"%s\"", field);
                return 0;
        }
        if (!json_is_array(v))
                return err_set(e, 0, "\"%s\" must be an array of strings", field);
        if (nonempty && json_array_size(v) == 0)
                return err_set(e, 0, "\"%s\" must not be empty", field);
        *out = calloc(json_array_size(v) + 1, sizeof(char *));
        if (!*out)
                return err_set(e, ENOMEM, "%s", field);
        json_array_foreach(v, i, item)
        {
                if (!json_is_string(item))
                        return err_set(e, 0, "\"%s\"[%zu] must be a string", field, i);
                (*out)[i] = strdup(json_string_value(item));
                if (!(*out)[i])
                        return err_set(e, ENOMEM, "%s", field);
        }
        return 0;
}

static int check_fields(json_t *obj, const char *const *allowed, const char *what, struct err *e)
{
        const char *k;
        json_t *v;

        json_object_foreach(obj, k, v)
        {
                bool ok = false;
                for (const char *const *a = allowed; *a; a++)
                        ok = ok || strcmp(*a, k) == 0;
                if (!ok)
                        return err_set(e, 0, "unknown field \"%s\" in %s", k, what);
        }
        return 0;
}

static int parse_limits(json_t *v, struct recipe_limits *l, struct err *e)
{
        static const char *const allowed[] = {"memory_mb", "processes", "file_mb",
                                              "tmpfs_mb",  "output_kb", NULL};
        const char *k;
        json_t *x;

        if (!v)
                return 0;
        if (!json_is_object(v) || check_fields(v, allowed, "limits", e) < 0)
                return e->msg[0] ? -1 : err_set(e, 0, "\"limits\" must be an object");
        json_object_foreach(v, k, x)
        {
                if (!json_is_integer(x) || json_integer_value(x) <= 0)
                        return err_set(e, 0, "limits.%s must be a positive integer", k);
                uint64_t n = (uint64_t)json_integer_value(x);
                if (strcmp(k, "memory_mb") == 0)
                        l->memory_mb = n;
                else if (strcmp(k, "processes") == 0)
                        l->processes = (uint32_t)n;
                else if (strcmp(k, "file_mb") == 0)
                        l->file_mb = n;
                else if (strcmp(k, "tmpfs_mb") == 0)
                        l->tmpfs_mb = n;
                else
                        l->output_kb = n;
        }
        return 0;
}

static int parse_step(json_t *v, struct recipe_step *st, struct err *e)
{
        static const char *const allowed[] = {"name",      "argv",  "cached_argv", "cached_when",
                                              "timeout_s", "stdin", "continue",    NULL};
        char **cached = NULL;
        char *when = NULL;
        json_t *t;

        if (!json_is_object(v))
                return err_set(e, 0, "a step must be an object");
        if (check_fields(v, allowed, "step", e) < 0 ||
            get_string(v, "name", true, &st->name, e) < 0 ||
            get_strv(v, "argv", true, true, &st->argv, e) < 0)
                return -1;
        if (st->argv[0][0] != '/' && strncmp(st->argv[0], "{", 1) != 0)
                return err_set(e, 0, "step \"%s\": argv[0] must be an absolute path", st->name);
        if (get_strv(v, "cached_argv", false, true, &cached, e) < 0) {
                strv_free(cached);
                return -1;
        }
        if (cached && cached[0][0] != '/') {
                strv_free(cached);
                return err_set(e, 0, "step \"%s\": cached_argv[0] must be an absolute path",
                               st->name);
        }
        if (get_string(v, "cached_when", false, &when, e) < 0) {
                strv_free(cached);
                return -1;
        }
        if (when && (!cached || when[0] != '/')) {
                strv_free(cached);
                free(when);
                return err_set(e, 0,
                               "step \"%s\": cached_when must be an absolute path, with "
                               "cached_argv",
                               st->name);
        }
        /* The cached form replaces argv only when caches are on; either way
         * the rest of the server sees one argv (recipe_step_argv picks the
         * plain one when cached_when is missing). */
        if (cached && use_caches) {
                if (when)
                        st->plain_argv = st->argv;
                else
                        strv_free(st->argv);
                st->argv = cached;
                st->cached_when = when;
        } else {
                strv_free(cached);
                free(when);
        }
        t = json_object_get(v, "timeout_s");
        if (!json_is_number(t) || json_number_value(t) <= 0 || json_number_value(t) > 3600)
                return err_set(e, 0, "step \"%s\": timeout_s must be a number in (0, 3600]",
                               st->name);
        st->timeout_s = json_number_value(t);
        t = json_object_get(v, "stdin");
        if (t && !json_is_boolean(t))
                return err_set(e, 0, "step \"%s\": stdin must be a boolean", st->name);
        st->stdin = t && json_is_true(t);
        t = json_object_get(v, "continue");
        if (t && !json_is_boolean(t))
                return err_set(e, 0, "step \"%s\": continue must be a boolean", st->name);
        st->keep_going = t && json_is_true(t);
        return 0;
}

static int get_tristate(json_t *v, const char *field, int *out, struct err *e)
{
        json_t *t = json_object_get(v, field);

        *out = -1;
        if (!t)
                return 0;
        if (!json_is_boolean(t))
                return err_set(e, 0, "rule: \"%s\" must be a boolean", field);
        *out = json_is_true(t);
        return 0;
}

static int parse_rule(const struct recipe *r, json_t *v, struct verdict_rule *rule, struct err *e)
{
        static const char *const allowed[] = {"step",
                                              "timeout",
                                              "exit",
                                              "stdout_contains",
                                              "stderr_contains",
                                              "output_contains",
                                              "stdout_empty",
                                              "stderr_empty",
                                              "status",
                                              NULL};
        json_t *t;
        char *step = NULL;
        bool known = false;

        if (!json_is_object(v))
                return err_set(e, 0, "a verdict rule must be an object");
        if (check_fields(v, allowed, "verdict rule", e) < 0 ||
            get_string(v, "status", true, &rule->status, e) < 0 ||
            get_string(v, "step", false, &step, e) < 0 ||
            get_string(v, "stdout_contains", false, &rule->stdout_contains, e) < 0 ||
            get_string(v, "stderr_contains", false, &rule->stderr_contains, e) < 0 ||
            get_string(v, "output_contains", false, &rule->output_contains, e) < 0 ||
            get_tristate(v, "timeout", &rule->timeout, e) < 0 ||
            get_tristate(v, "stdout_empty", &rule->stdout_empty, e) < 0 ||
            get_tristate(v, "stderr_empty", &rule->stderr_empty, e) < 0) {
                free(step);
                return -1;
        }
        for (const char *const *s = statuses; *s; s++)
                known = known || strcmp(*s, rule->status) == 0;
        if (!known) {
                free(step);
                return err_set(e, 0, "unknown status \"%s\"", rule->status);
        }
        rule->step = -1;
        if (step) {
                for (size_t i = 0; i < r->nsteps; i++)
                        if (strcmp(r->steps[i].name, step) == 0)
                                rule->step = (int)i;
                if (rule->step < 0) {
                        err_set(e, 0, "rule names unknown step \"%s\"", step);
                        free(step);
                        return -1;
                }
                free(step);
        }
        t = json_object_get(v, "exit");
        rule->exit_kind = RULE_EXIT_ANY;
        if (t) {
                if (json_is_integer(t)) {
                        rule->exit_kind = RULE_EXIT_EQ;
                        rule->exit_value = (int)json_integer_value(t);
                } else if (json_is_string(t) && strcmp(json_string_value(t), "zero") == 0)
                        rule->exit_kind = RULE_EXIT_ZERO;
                else if (json_is_string(t) && strcmp(json_string_value(t), "nonzero") == 0)
                        rule->exit_kind = RULE_EXIT_NONZERO;
                else
                        return err_set(e, 0,
                                       "rule: exit must be \"zero\", \"nonzero\" or an integer");
        }
        return 0;
}

bool recipe_rule_unconditional(const struct verdict_rule *r)
{
        return r->step < 0 && r->timeout < 0 && r->exit_kind == RULE_EXIT_ANY &&
               !r->stdout_contains && !r->stderr_contains && !r->output_contains &&
               r->stdout_empty < 0 && r->stderr_empty < 0;
}

static int parse_env(json_t *v, struct recipe *r, struct err *e)
{
        const char *k;
        json_t *x;
        size_t i = 0;

        if (!v)
                return 0;
        if (!json_is_object(v))
                return err_set(e, 0, "\"env\" must be an object of strings");
        r->env = calloc(json_object_size(v) + 1, sizeof(char *));
        if (!r->env)
                return err_set(e, ENOMEM, "env");
        json_object_foreach(v, k, x)
        {
                if (!json_is_string(x) || !k[0] || strchr(k, '='))
                        return err_set(e, 0, "env.%s must be a string with a valid name", k);
                if (asprintf(&r->env[i++], "%s=%s", k, json_string_value(x)) < 0)
                        return err_set(e, ENOMEM, "env");
        }
        return 0;
}

static int parse_overlays(json_t *v, struct recipe *r, struct err *e)
{
        static const char *const allowed[] = {"lower", "target", NULL};
        json_t *item;
        size_t i;

        if (!v)
                return 0;
        if (!json_is_array(v) || json_array_size(v) > 8)
                return err_set(e, 0, "\"overlays\" must be an array of at most 8 objects");
        r->overlays = calloc(json_array_size(v), sizeof(*r->overlays));
        if (!r->overlays)
                return err_set(e, ENOMEM, "overlays");
        json_array_foreach(v, i, item)
        {
                struct recipe_overlay *o = &r->overlays[i];

                if (!json_is_object(item) || check_fields(item, allowed, "overlay", e) < 0)
                        return e->msg[0] ? -1 : err_set(e, 0, "an overlay must be an object");
                r->noverlays = i + 1;
                if (get_string(item, "lower", true, &o->lower, e) < 0 ||
                    get_string(item, "target", true, &o->target, e) < 0)
                        return -1;
                if (o->lower[0] != '/' || strstr(o->lower, ".."))
                        return err_set(e, 0, "overlay lower \"%s\" is not a clean absolute path",
                                       o->lower);
                if (strncmp(o->target, "/tmp/", 5) != 0 || strstr(o->target, "..") ||
                    strchr(o->lower, ',') || strchr(o->target, ','))
                        return err_set(e, 0,
                                       "overlay target \"%s\" must be a clean path under /tmp/",
                                       o->target);
        }
        return 0;
}

static void check_installed(struct recipe *r)
{
        r->installed = true;
        for (char **p = r->requires; p && *p; p++) {
                struct stat st;
                /* an executable, or a data file the toolchain needs (a jar) */
                if (stat(*p, &st) < 0 || !S_ISREG(st.st_mode) ||
                    (access(*p, X_OK) < 0 && access(*p, R_OK) < 0)) {
                        r->installed = false;
                        snprintf(r->missing, sizeof(r->missing), "%s", *p);
                        return;
                }
        }
}

struct recipe *recipe_parse(const char *text, size_t len, const char *expect_key, struct err *e)
{
        static const char *const allowed[] = {
            "key",      "name",         "aliases", "source_file", "source_prefix", "source_suffix",
            "requires", "version_argv", "env",     "binds",       "limits",        "steps",
            "overlays", "verdict",      "notes",   NULL};
        json_error_t jerr;
        json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr), *v, *item;
        struct recipe *r = calloc(1, sizeof(*r));
        size_t i;

        if (!r) {
                json_decref(root);
                err_set(e, ENOMEM, "recipe");
                return NULL;
        }
        if (!root) {
                err_set(e, 0, "invalid JSON at line %d: %s", jerr.line, jerr.text);
                goto fail;
        }
        if (!json_is_object(root)) {
                err_set(e, 0, "a recipe must be a JSON object");
                goto fail;
        }
        if (check_fields(root, allowed, "recipe", e) < 0 ||
            get_string(root, "key", true, &r->key, e) < 0 ||
            get_string(root, "name", true, &r->name, e) < 0 ||
            get_strv(root, "aliases", false, false, &r->aliases, e) < 0 ||
            get_string(root, "source_file", true, &r->source_file, e) < 0 ||
            get_string(root, "source_prefix", false, &r->source_prefix, e) < 0 ||
            get_string(root, "source_suffix", false, &r->source_suffix, e) < 0 ||
            get_strv(root, "requires", false, false, &r->requires, e) < 0 ||
            get_strv(root, "version_argv", false, true, &r->version_argv, e) < 0 ||
            get_strv(root, "binds", false, false, &r->binds, e) < 0 ||
            get_string(root, "notes", false, &r->notes, e) < 0 ||
            parse_env(json_object_get(root, "env"), r, e) < 0 ||
            parse_overlays(json_object_get(root, "overlays"), r, e) < 0 ||
            parse_limits(json_object_get(root, "limits"), &r->limits, e) < 0)
                goto fail;
        if (!use_caches) {
                for (size_t k = 0; k < r->noverlays; k++) {
                        free(r->overlays[k].lower);
                        free(r->overlays[k].target);
                }
                free(r->overlays);
                r->overlays = NULL;
                r->noverlays = 0;
        }
        if (expect_key && strcmp(r->key, expect_key) != 0) {
                err_set(e, 0, "key \"%s\" does not match the file name", r->key);
                goto fail;
        }
        if (!r->source_file[0] || strchr(r->source_file, '/') || r->source_file[0] == '.') {
                err_set(e, 0, "source_file must be a plain file name");
                goto fail;
        }
        for (char **p = r->requires; p && *p; p++)
                if ((*p)[0] != '/') {
                        err_set(e, 0, "requires: \"%s\" is not an absolute path", *p);
                        goto fail;
                }
        for (char **p = r->binds; p && *p; p++)
                if ((*p)[0] != '/' || strstr(*p, "..")) {
                        err_set(e, 0, "binds: \"%s\" is not a clean absolute path", *p);
                        goto fail;
                }
        v = json_object_get(root, "steps");
        if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > RECIPE_MAX_STEPS) {
                err_set(e, 0, "\"steps\" must be an array of 1 to %d steps", RECIPE_MAX_STEPS);
                goto fail;
        }
        json_array_foreach(v, i, item)
        {
                r->nsteps = i + 1; /* so that recipe_free() frees a half-parsed step too */
                if (parse_step(item, &r->steps[i], e) < 0)
                        goto fail;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(r->steps[j].name, r->steps[i].name) == 0) {
                                err_set(e, 0, "duplicate step name \"%s\"", r->steps[i].name);
                                goto fail;
                        }
        }
        v = json_object_get(root, "verdict");
        if (!json_is_array(v) || json_array_size(v) == 0) {
                err_set(e, 0, "\"verdict\" must be a non-empty array of rules");
                goto fail;
        }
        r->rules = calloc(json_array_size(v), sizeof(*r->rules));
        if (!r->rules) {
                err_set(e, ENOMEM, "rules");
                goto fail;
        }
        json_array_foreach(v, i, item)
        {
                r->nrules = i + 1;
                if (parse_rule(r, item, &r->rules[i], e) < 0) {
                        err_wrap(e, "verdict[%zu]", i);
                        goto fail;
                }
        }
        if (!recipe_rule_unconditional(&r->rules[r->nrules - 1])) {
                err_set(e, 0, "the last verdict rule must have no condition");
                goto fail;
        }
        json_decref(root);
        check_installed(r);
        return r;
fail:
        json_decref(root);
        recipe_free(r);
        return NULL;
}

static int by_key(const void *a, const void *b)
{
        return strcmp((*(struct recipe *const *)a)->key, (*(struct recipe *const *)b)->key);
}

static char *read_all(const char *path, size_t *len)
{
        FILE *f = fopen(path, "re");
        struct buf b;
        char chunk[4096];
        size_t n;

        if (!f)
                return NULL;
        buf_init(&b, 0);
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                buf_append(&b, chunk, n);
        (void)fclose(f);
        *len = b.len;
        if (!b.data)
                return calloc(1, 1);
        return b.data;
}

char *const *recipe_step_argv(const struct recipe_step *st)
{
        if (st->cached_when && access(st->cached_when, F_OK) != 0)
                return st->plain_argv;
        return st->argv;
}

void recipes_use_caches(bool on)
{
        use_caches = on;
}

int recipes_load(const char *dir, struct err *e)
{
        DIR *d = opendir(dir);
        struct dirent *de;
        struct buf list;

        if (!d)
                return err_set(e, errno, "open languages directory %s", dir);
        while ((de = readdir(d))) {
                size_t nl = strlen(de->d_name), len;
                char path[4096], key[256];
                char *text;
                struct recipe *r, **grown;

                if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0 || nl - 5 >= sizeof(key))
                        continue;
                snprintf(key, sizeof(key), "%.*s", (int)(nl - 5), de->d_name);
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                text = read_all(path, &len);
                if (!text) {
                        closedir(d);
                        return err_set(e, errno, "read %s", path);
                }
                r = recipe_parse(text, len, key, e);
                free(text);
                if (!r) {
                        closedir(d);
                        return err_wrap(e, "%s", path);
                }
                /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
                grown = realloc(registry, (nregistry + 1) * sizeof(*registry));
                if (!grown) {
                        recipe_free(r);
                        closedir(d);
                        return err_set(e, ENOMEM, "recipes");
                }
                registry = grown;
                registry[nregistry++] = r;
        }
        closedir(d);
        /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
        qsort(registry, nregistry, sizeof(*registry), by_key);
        /* Keys and aliases must be unique across recipes. */
        for (size_t i = 0; i < nregistry; i++)
                for (size_t j = 0; j < nregistry; j++) {
                        if (i == j)
                                continue;
                        if (strcasecmp(registry[i]->key, registry[j]->key) == 0 && i < j)
                                return err_set(e, 0, "duplicate language key %s", registry[i]->key);
                        for (char **a = registry[j]->aliases; a && *a; a++)
                                if (strcasecmp(*a, registry[i]->key) == 0)
                                        return err_set(e, 0, "alias %s of %s is another key", *a,
                                                       registry[j]->key);
                }
        buf_init(&list, 0);
        for (size_t i = 0; i < nregistry; i++)
                if (registry[i]->installed)
                        buf_appendf(&list, "%s%s", list.len ? ", " : "", registry[i]->key);
        free(installed_list);
        installed_list = list.data ? list.data : strdup("");
        return 0;
}

const struct recipe *recipes_find(const char *name)
{
        for (size_t i = 0; i < nregistry; i++) {
                if (strcasecmp(registry[i]->key, name) == 0)
                        return registry[i];
        }
        for (size_t i = 0; i < nregistry; i++)
                for (char **a = registry[i]->aliases; a && *a; a++)
                        if (strcasecmp(*a, name) == 0)
                                return registry[i];
        return NULL;
}

size_t recipes_count(void)
{
        return nregistry;
}

const struct recipe *recipes_at(size_t i)
{
        return i < nregistry ? registry[i] : NULL;
}

const char *recipes_installed_list(void)
{
        return installed_list ? installed_list : "";
}

char *recipe_expand(const char *s, const char *source_file)
{
        struct buf b;
        const char *dot = strrchr(source_file, '.');
        int baselen = dot ? (int)(dot - source_file) : (int)strlen(source_file);

        buf_init(&b, 0);
        while (*s) {
                /* the text up to the next brace as it is, in one append (a
                 * compile step's shell script is kilobytes, expanded for
                 * every run) */
                const char *brace = strchr(s, '{');
                size_t plain = brace ? (size_t)(brace - s) : strlen(s);

                if (plain) {
                        buf_append(&b, s, plain);
                        s += plain;
                        continue;
                }
                if (strncmp(s, "{src}", 5) == 0) {
                        buf_appendf(&b, "/tmp/%s", source_file);
                        s += 5;
                } else if (strncmp(s, "{stem}", 6) == 0) {
                        buf_appendf(&b, "/tmp/%.*s", baselen, source_file);
                        s += 6;
                } else if (strncmp(s, "{dir}", 5) == 0) {
                        buf_puts(&b, "/tmp");
                        s += 5;
                } else if (strncmp(s, "{name}", 6) == 0) {
                        buf_appendf(&b, "%s", source_file);
                        s += 6;
                } else if (strncmp(s, "{base}", 6) == 0) {
                        buf_appendf(&b, "%.*s", baselen, source_file);
                        s += 6;
                } else {
                        buf_append(&b, s, 1);
                        s++;
                }
        }
        return b.data ? b.data : strdup("");
}

void recipes_set_version(const char *key, const char *version)
{
        for (size_t i = 0; i < nregistry; i++)
                if (strcmp(registry[i]->key, key) == 0) {
                        free(registry[i]->version);
                        /* NULL (out of memory) reads as "not probed" */
                        registry[i]->version = strdup(version);
                }
}

struct recipe *recipe_version_probe(const struct recipe *r)
{
        struct recipe *p;

        if (!r->version_argv)
                return NULL;
        p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        p->key = strdup(r->key);
        p->name = strdup(r->name);
        p->source_file = strdup(r->source_file);
        p->env = strv_dup(r->env);
        p->binds = strv_dup(r->binds);
        /* no overlays: a version probe needs no warm cache */
        p->limits = r->limits;
        p->steps[0].name = strdup("version");
        p->steps[0].argv = strv_dup(r->version_argv);
        p->steps[0].timeout_s = 60;
        p->nsteps = 1;
        p->rules = calloc(1, sizeof(*p->rules));
        if (p->rules) {
                p->rules[0].status = strdup("OK");
                p->rules[0].step = -1;
                p->rules[0].timeout = p->rules[0].stdout_empty = p->rules[0].stderr_empty = -1;
                p->nrules = 1;
        }
        p->installed = true;
        if (!p->key || !p->name || !p->source_file || !p->env || !p->binds || !p->steps[0].name ||
            !p->steps[0].argv || !p->rules || !p->rules[0].status) {
                recipe_free(p);
                return NULL;
        }
        return p;
}
