/* strv: NULL-terminated string arrays (see strv.h). */
#define _GNU_SOURCE
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
        size_t n = strv_len(v);
        char **out = calloc(n + 1, sizeof(char *));

        for (size_t i = 0; out && i < n; i++) {
                out[i] = strdup(v[i]);
                if (!out[i]) {
                        strv_free(out);
                        return NULL;
                }
        }
        return out;
}

char **strv_split(const char *s, char sep)
{
        size_t n = *s ? 1 : 0, i = 0;
        char **out;

        for (const char *p = s; *p; p++)
                n += *p == sep;
        out = calloc(n + 1, sizeof(char *));
        for (const char *p = s; out && i < n; i++) {
                size_t len = strcspn(p, (char[]){sep, '\0'});
                out[i] = strndup(p, len);
                if (!out[i]) {
                        strv_free(out);
                        return NULL;
                }
                p += len + (p[len] == sep);
        }
        return out;
}

size_t strv_len(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}
