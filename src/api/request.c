/* request: strict JSON body parsing helpers (see request.h). */
#include "request.h"

#include "../util/jsonfast.h"

json_t *req_parse(const char *body, size_t len)
{
        json_error_t jerr;
        json_t *root = jsonfast_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);

        if (root && !json_is_object(root)) {
                json_decref(root);
                return NULL;
        }
        return root;
}

enum req_field req_string(json_t *obj, const char *name, const char **out, size_t *len)
{
        json_t *v = json_object_get(obj, name);

        if (!v || json_is_null(v))
                return REQ_ABSENT;
        if (!json_is_string(v))
                return REQ_WRONG_TYPE;
        *out = json_string_value(v);
        *len = json_string_length(v);
        return REQ_OK;
}

enum req_field req_bool(json_t *obj, const char *name, bool *out)
{
        json_t *v = json_object_get(obj, name);

        if (!v || json_is_null(v))
                return REQ_ABSENT;
        if (!json_is_boolean(v))
                return REQ_WRONG_TYPE;
        *out = json_is_true(v);
        return REQ_OK;
}

enum req_field req_seconds(json_t *obj, const char *name, double *out)
{
        json_t *v = json_object_get(obj, name);

        if (!v || json_is_null(v))
                return REQ_ABSENT;
        if (!json_is_number(v) || json_number_value(v) <= 0 || json_number_value(v) > 1e9)
                return REQ_WRONG_TYPE;
        *out = json_number_value(v);
        return REQ_OK;
}
