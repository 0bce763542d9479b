/* piston: the Piston v2 dialect (POST /api/v2/execute, GET /api/v2/runtimes;
 * the handler is in routes.h). */
#ifndef CODEEXEC_PISTON_H
#define CODEEXEC_PISTON_H

#include <stdbool.h>

#include "../util/err.h"

/* Loads the internal recipes that entries of languages/peers/piston.json
 * name with "recipe" (from <languages_dir>/internal/<name>.json), for the
 * languages Piston runs differently from our recipe of the same toolchain.
 * Call at start-up, after peers_load(). A missing or invalid file is an
 * error; one whose tools are absent loads, and its language is not listed. */
int piston_init(const char *languages_dir, struct err *e);

/* The version Piston's API shows for a toolchain's version line: its first
 * run of numbers joined by dots (at least two), cut to three and padded to
 * three with ".0" ("g++ (Debian 12.2.0-14) 12.2.0" -> "12.2.0", "Welcome
 * to Racket v8.7" -> "8.7.0"). A new string the caller frees; NULL when the
 * line has none (or out of memory). */
char *piston_semver_of(const char *line);
/* Whether a request's version selector picks version (x.y.z): "*", an exact
 * version, or a partial one ("3", "3.11", "3.x", "3.*"), with an optional
 * leading "=" or "v". SemVer ranges (^, ~, >=, ||) select nothing. */
bool piston_version_matches(const char *sel, const char *version);

#endif
