/* piston: the Piston v2 dialect (POST /api/v2/execute, GET /api/v2/runtimes;
 * the handler is in routes.h). */
#ifndef CODEEXEC_PISTON_H
#define CODEEXEC_PISTON_H

#include "../util/err.h"

/* Loads the internal recipes that entries of languages/peers/piston.json
 * name with "recipe" (from <languages_dir>/internal/<name>.json), for the
 * languages Piston runs differently from our recipe of the same toolchain.
 * Call at start-up, after peers_load(). A missing or invalid file is an
 * error; one whose tools are absent loads, and its language is not listed. */
int piston_init(const char *languages_dir, struct err *e);

#endif
