/* strv: NULL-terminated string arrays (see strv.h). */
#include "strv.h"

#include <stdlib.h>
#include <string.h>

void strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

char **strv_dup(char *const *v)
{
        size_t n = 0;
        char **out;

        while (v && v[n])
                n++;
        out = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; out && i < n; i++) {
                out[i] = strdup(v[i]);
                if (!out[i]) {
                        strv_free(out);
                        return NULL;
                }
        }
        return out;
}
