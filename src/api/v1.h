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
struct reply;
/* Writes the fields of a finished job's result object (the /v1/run reply,
 * without its braces) to r, which owns job. */
void v1_write_result(struct reply *r, const struct job *job);
/* Bytes of a /v1 result that are not program output (fields, and the
 * allowance for repeated short outputs), for a run of nsteps steps. */
size_t v1_reply_reserve(size_t nsteps);

#endif
