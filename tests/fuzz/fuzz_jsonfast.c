/* fuzz_jsonfast: libFuzzer target, differential, for src/util/jsonfast.c.
 *
 * The promise of jsonfast is that it declines rather than disagrees with
 * jansson: for every input and every flag set the server uses, when
 * jsonfast_decode() returns a value, json_loadb() must accept the same
 * bytes and return an equal value, encoded to the same text (so integers
 * stay integers, reals the same double, keys in the same order, strings the
 * same bytes with their NULs). And jsonfast_loadb() must always agree with
 * json_loadb() on accepting. */
#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/jsonfast.h"

static const size_t flag_sets[] = {
        0,
        JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
        JSON_ALLOW_NUL,
        JSON_DECODE_ANY,
        JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES,
};

static void same(json_t *a, json_t *b)
{
        size_t flags = JSON_ENCODE_ANY | JSON_COMPACT;
        size_t na = json_dumpb(a, NULL, 0, flags), nb = json_dumpb(b, NULL, 0, flags);
        char *ta = malloc(na + 1), *tb = malloc(nb + 1);

        assert(json_equal(a, b));
        assert(na == nb && ta && tb);
        assert(json_dumpb(a, ta, na, flags) == na && json_dumpb(b, tb, nb, flags) == nb);
        assert(memcmp(ta, tb, na) == 0);
        free(ta);
        free(tb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        for (size_t i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
                json_error_t e;
                json_t *fast = jsonfast_decode((const char *)data, size, flag_sets[i]);
                json_t *ref = json_loadb((const char *)data, size, flag_sets[i], &e);
                json_t *both = jsonfast_loadb((const char *)data, size, flag_sets[i], &e);

                assert(!fast || ref);
                assert(!ref == !both);
                if (fast)
                        same(fast, ref);
                if (ref)
                        same(both, ref);
                json_decref(fast);
                json_decref(ref);
                json_decref(both);
        }
        return 0;
}
