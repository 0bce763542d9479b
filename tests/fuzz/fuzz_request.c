/* fuzz_request: libFuzzer target for request decoding (src/api/request.c).
 *
 * The input is an HTTP body as a client sends it. req_parse() must never
 * crash, leak or accept anything but a JSON object; every field getter must
 * classify every field (absent / ok / wrong type) and, when it says ok,
 * hand back a value that keeps its promises: strings are NUL-terminated at
 * the reported length (which may include inner NULs), seconds are in
 * (0, 1e9]. The same checks run on the {"args": {...}} envelope that
 * /py_exec accepts. */
#include <assert.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "api/request.h"

static const char *const fields[] = {"code",    "lang",      "language", "stdin",
                                     "timeout", "json_resp", "testhash", "args",
                                     "files",   "limits",    ""};

static void check_fields(json_t *obj)
{
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
                const char *s = NULL;
                size_t len = 0;
                bool b;
                double d = 0;
                json_t *v = json_object_get(obj, fields[i]);
                enum req_field r = req_string(obj, fields[i], &s, &len);

                assert(r == REQ_ABSENT || r == REQ_OK || r == REQ_WRONG_TYPE);
                assert((r == REQ_ABSENT) == (!v || json_is_null(v)));
                if (r == REQ_OK) {
                        assert(s && s[len] == '\0' && len == json_string_length(v));
                        assert(strlen(s) <= len);
                }
                r = req_bool(obj, fields[i], &b);
                assert(r != REQ_OK || json_is_boolean(v));
                r = req_seconds(obj, fields[i], &d);
                if (r == REQ_OK)
                        assert(json_is_number(v) && d > 0 && d <= 1e9);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        json_t *root = req_parse((const char *)data, size), *args;

        if (!root)
                return 0;
        assert(json_is_object(root));
        check_fields(root);
        args = json_object_get(root, "args");
        if (json_is_object(args))
                check_fields(args);
        json_decref(root);
        return 0;
}
