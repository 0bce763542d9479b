/* peers: what other executors call our languages.
 *
 * Each API dialect of another executor (SandboxFusion, Piston, Judge0: see
 * docs/compat.md) names languages its own way: "python" and "py", id 71,
 * "cpp" with a version. Those names are data, one file per dialect:
 * languages/peers/<dialect>.json, a JSON object {"languages": [entry, ...]}
 * where every entry is an object with at least "language" (one of our
 * recipe keys) and the dialect's own fields ("name", "id", "version",
 * "aliases", ...), which only that dialect's module reads. */
#ifndef CODEEXEC_LANG_PEERS_H
#define CODEEXEC_LANG_PEERS_H

#include <jansson.h>

#include "../util/err.h"

/* Loads every languages/peers/<dialect>.json below languages_dir (none is fine).
 * An entry naming a language that has no recipe is an error. Call after
 * recipes_load(). */
int peers_load(const char *languages_dir, struct err *e);
/* The entries of dialect (borrowed, a JSON array), or NULL when the dialect
 * has no file. */
json_t *peers_table(const char *dialect);
/* For GET /v1/languages: {"<dialect>": [each entry's "id" or "name"], ...}
 * over the entries naming recipe key; a new reference (an empty object
 * when no dialect names it). */
json_t *peers_names_for(const char *key);
void peers_free(void);

#endif
