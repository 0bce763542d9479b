/* tests_json: reading a tests array (tests_json.h). */
#include "tests_json.h"

#include <stdio.h>

static int refuse(struct v1_error *err, int status, const char *code, const char *msg)
{
        err->http_status = status;
        err->code = code;
        snprintf(err->message, sizeof(err->message), "%s", msg);
        return -1;
}

int tests_from_json(json_t *arr, struct problem *p, size_t max_expected, struct v1_error *err)
{
        json_t *t;
        size_t i;

        if (!json_is_array(arr) || json_array_size(arr) == 0)
                return refuse(err, 400, "invalid_field",
                              "'tests' must be a non-empty array of {\"stdin\", \"expected\"}");
        json_array_foreach(arr, i, t)
        {
                json_t *in = json_object_get(t, "stdin"), *ans = json_object_get(t, "expected");

                if (!json_is_object(t) || (in && !json_is_null(in) && !json_is_string(in)) ||
                    !json_is_string(ans)) {
                        err->http_status = 400;
                        err->code = "invalid_field";
                        snprintf(err->message, sizeof(err->message),
                                 "tests[%zu] must be an object with a string 'expected' and "
                                 "a string (or absent) 'stdin'",
                                 i);
                        return -1;
                }
                if (json_string_length(ans) > max_expected) {
                        err->http_status = 400;
                        err->code = "invalid_field";
                        snprintf(err->message, sizeof(err->message),
                                 "tests[%zu].expected is %zu bytes, over the %zu bytes of output "
                                 "this server keeps (limits.output_bytes, --output-limit)",
                                 i, json_string_length(ans), max_expected);
                        return -1;
                }
                if (problem_add_test(p, json_is_string(in) ? json_string_value(in) : "",
                                     json_is_string(in) ? json_string_length(in) : 0,
                                     json_string_value(ans), json_string_length(ans)) < 0)
                        return refuse(err, 500, "out_of_memory", "out of memory");
        }
        return 0;
}
