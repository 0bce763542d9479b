/* v1: pieces of the native API shared by /v1/run and /v1/batch. */
#ifndef CODEEXEC_V1_H
#define CODEEXEC_V1_H

#include <jansson.h>

#include "../exec/job.h"

struct v1_error {
        int http_status;
        const char *code; /* machine-readable: invalid_field, unknown_language, ... */
        char message[512];
};

/* Validates one run object ({language, code, stdin, timeout, limits}) and
 * builds its job (not yet submitted). NULL with *err filled on bad input. */
struct job *v1_job_from_json(json_t *run, struct v1_error *err);
/* The result object of a finished job (the /v1/run reply). */
json_t *v1_result_json(const struct job *job);

#endif
