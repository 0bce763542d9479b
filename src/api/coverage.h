/* coverage: statement coverage of Python programs (/py_coverage,
 * /v1/coverage), run as a two-step job of the internal recipe
 * languages/internal/python-coverage.json. */
#ifndef CODEEXEC_COVERAGE_H
#define CODEEXEC_COVERAGE_H

#include "../util/err.h"

/* Loads the internal recipe from <languages_dir>/internal/ (start-up). A
 * missing or invalid file is an error; a recipe whose tools are not
 * installed loads, and the endpoints then answer that coverage is
 * unavailable. */
int coverage_init(const char *languages_dir, struct err *e);

#endif
