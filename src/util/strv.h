/* strv: NULL-terminated arrays of malloc'd strings (argv, envp, lists). */
#ifndef CODEEXEC_STRV_H
#define CODEEXEC_STRV_H

#include <stddef.h>

/* Frees every string and the array; NULL is fine. */
void strv_free(char **v);
/* A deep copy (NULL in, an empty array out); NULL only when out of memory. */
char **strv_dup(char *const *v);
/* The fields of s between the separators, empty ones included ("" gives an
 * empty array); NULL only when out of memory. */
char **strv_split(const char *s, char sep);
/* The number of strings in v. */
size_t strv_len(char *const *v);

#endif
