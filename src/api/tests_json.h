/* tests_json: a judge problem's tests as JSON, for /v1/judge and
 * /v1/problems alike: [{"stdin": "...", "expected": "..."}, ...]. */
#ifndef CODEEXEC_API_TESTS_JSON_H
#define CODEEXEC_API_TESTS_JSON_H

#include <jansson.h>

#include "../bank/problem.h"
#include "v1.h"

/* Appends the tests of arr (a JSON array, at least one test) to p. An
 * expected answer longer than max_expected bytes is refused: no program's
 * output could be compared with it in full. 0, or -1 with err set (400 for
 * the client's mistakes, naming the test). */
int tests_from_json(json_t *arr, struct problem *p, size_t max_expected, struct v1_error *err);

#endif
