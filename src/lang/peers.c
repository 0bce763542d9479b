/* peers: loading languages/peers/<dialect>.json (peers.h). */
#define _GNU_SOURCE
#include "peers.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recipe.h"

struct dialect {
        char *name;
        json_t *entries;
};

static struct dialect *dialects;
static size_t ndialects;

void peers_free(void)
{
        for (size_t i = 0; i < ndialects; i++) {
                free(dialects[i].name);
                json_decref(dialects[i].entries);
        }
        free(dialects);
        dialects = NULL;
        ndialects = 0;
}

/* Checks one dialect's file and keeps its entries. */
static int load_one(const char *path, const char *name, struct err *e)
{
        json_error_t je;
        json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *list, *entry;
        struct dialect *grown;
        size_t i;

        if (!root)
                return err_set(e, 0, "%s:%d: %s", path, je.line, je.text);
        list = json_object_get(root, "languages");
        if (!json_is_array(list)) {
                json_decref(root);
                return err_set(e, 0, "%s: needs a \"languages\" array", path);
        }
        json_array_foreach(list, i, entry)
        {
                const char *key = json_string_value(json_object_get(entry, "language"));

                if (!key || !recipes_find(key) || strcmp(recipes_find(key)->key, key) != 0) {
                        json_decref(root);
                        return err_set(
                            e, 0, "%s: languages[%zu]: \"language\" must be a recipe key", path, i);
                }
        }
        grown = realloc(dialects, (ndialects + 1) * sizeof(*dialects));
        if (!grown) {
                json_decref(root);
                return err_set(e, 0, "out of memory");
        }
        dialects = grown;
        dialects[ndialects].name = strdup(name);
        dialects[ndialects].entries = json_incref(list);
        json_decref(root);
        if (!dialects[ndialects].name) {
                json_decref(list);
                return err_set(e, 0, "out of memory");
        }
        ndialects++;
        return 0;
}

int peers_load(const char *languages_dir, struct err *e)
{
        char dir[4096], path[4096 + 256];
        struct dirent **names = NULL;
        int n, rc = 0;

        snprintf(dir, sizeof(dir), "%s/peers", languages_dir);
        n = scandir(dir, &names, NULL, alphasort);
        if (n < 0)
                return 0; /* no dialect files */
        for (int i = 0; i < n; i++) {
                const char *f = names[i]->d_name;
                size_t len = strlen(f);

                if (rc == 0 && len > 5 && f[0] != '.' && strcmp(f + len - 5, ".json") == 0) {
                        char name[256];

                        snprintf(name, sizeof(name), "%.*s", (int)(len - 5), f);
                        snprintf(path, sizeof(path), "%s/%s", dir, f);
                        rc = load_one(path, name, e);
                }
                free(names[i]);
        }
        free(names);
        return rc;
}

json_t *peers_table(const char *dialect)
{
        for (size_t i = 0; i < ndialects; i++)
                if (strcmp(dialects[i].name, dialect) == 0)
                        return dialects[i].entries;
        return NULL;
}

json_t *peers_names_for(const char *key)
{
        json_t *out = json_object();

        for (size_t d = 0; out && d < ndialects; d++) {
                json_t *names = json_array(), *entry;
                size_t i;

                json_array_foreach(dialects[d].entries, i, entry)
                {
                        json_t *id = json_object_get(entry, "id");

                        if (strcmp(json_string_value(json_object_get(entry, "language")), key) != 0)
                                continue;
                        json_array_append(names, id ? id : json_object_get(entry, "name"));
                }
                if (json_array_size(names))
                        json_object_set_new(out, dialects[d].name, names);
                else
                        json_decref(names);
        }
        return out;
}
