/* request: reading the JSON bodies of the compatibility endpoints.
 *
 * The body is parsed strictly (RFC 8259, duplicate keys rejected, NUL
 * allowed inside strings). Unknown fields are ignored, as the original did.
 * Each getter distinguishes "absent or null" from "present with the wrong
 * type", so that a bad field gets a message naming it. */
#ifndef CODEEXEC_REQUEST_H
#define CODEEXEC_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum req_field { REQ_ABSENT, REQ_OK, REQ_WRONG_TYPE };

/* NULL when the text is not a JSON object. */
json_t *req_parse(const char *body, size_t len);
enum req_field req_string(json_t *obj, const char *name, const char **out, size_t *len);
enum req_field req_bool(json_t *obj, const char *name, bool *out);
/* A positive number of seconds (integer or real). */
enum req_field req_seconds(json_t *obj, const char *name, double *out);

#endif
