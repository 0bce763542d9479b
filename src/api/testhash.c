/* testhash: resolving a request's testhash field (see testhash.h).
 *
 * Theory of operation. A pure look-up on the event-loop thread: the hash is
 * parsed as 32 hex digits and probed in the named bank's table (O(1)); the
 * test text is copied after the code into a fresh buffer that the caller
 * hands to job_new (which copies it again). A malformed hash is reported as
 * "not found", as an unknown one: either way the bank has no such test. */
#include "testhash.h"

#include <stdlib.h>
#include <string.h>

#include "../bank/store.h"

/* See testhash.h. */
enum testhash_result testhash_apply(json_t *root, const char *code, size_t code_len, char **out,
                                    size_t *out_len)
{
        json_t *th = json_object_get(root, "testhash"), *bank, *hash;
        unsigned char digest[MD5_DIGEST_LEN];
        const char *test;
        size_t test_len = 0;
        char *buf;

        *out = NULL;
        *out_len = 0;
        if (!th || json_is_null(th))
                return TESTHASH_NONE;
        bank = json_array_get(th, 0);
        hash = json_array_get(th, 1);
        if (!json_is_array(th) || json_array_size(th) != 2 || !json_is_string(bank) ||
            !json_is_string(hash))
                return TESTHASH_INVALID;
        if (strlen(json_string_value(bank)) != json_string_length(bank) ||
            md5_parse_hex(json_string_value(hash), json_string_length(hash), digest) < 0)
                return TESTHASH_NOT_FOUND;
        test = banks_lookup(json_string_value(bank), digest, &test_len);
        if (!test)
                return TESTHASH_NOT_FOUND;
        buf = malloc(code_len + 2 + test_len + 1);
        if (!buf)
                return TESTHASH_NOMEM;
        memcpy(buf, code, code_len);
        memcpy(buf + code_len, "\n\n", 2);
        memcpy(buf + code_len + 2, test, test_len);
        buf[code_len + 2 + test_len] = '\0';
        *out = buf;
        *out_len = code_len + 2 + test_len;
        return TESTHASH_APPENDED;
}
