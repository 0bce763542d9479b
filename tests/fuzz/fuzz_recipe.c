/* fuzz_recipe: libFuzzer target for the recipe loader (src/lang/recipe.c).
 *
 * recipe_parse() reads an operator's languages/<key>.json. Whatever the
 * text, it must either fail with a NUL-terminated message or return a
 * recipe that keeps the loader's promises (1..RECIPE_MAX_STEPS steps, each
 * with an absolute argv[0], a source file name without '/', a final rule
 * without conditions), free without leaks, and expand its placeholders
 * without overflow. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang/recipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct err e = {0, ""};
        struct recipe *r = recipe_parse((const char *)data, size, NULL, &e);

        if (!r) {
                assert(memchr(e.msg, '\0', sizeof(e.msg)) != NULL);
                return 0;
        }
        assert(r->key && r->source_file && r->nsteps >= 1 && r->nsteps <= RECIPE_MAX_STEPS);
        for (size_t i = 0; i < r->nsteps; i++) {
                assert(r->steps[i].argv && r->steps[i].argv[0]);
                for (char **a = r->steps[i].argv; *a; a++) {
                        char *x = recipe_expand(*a, r->source_file);
                        char *y =
                            recipe_expand(*a, "a/very/long/../name.with.many.dots.and{braces}");
                        free(x);
                        free(y);
                }
        }
        for (char **v = r->env; v && *v; v++)
                free(recipe_expand(*v, r->source_file));
        recipe_free(r);
        return 0;
}
