/* strv: NULL-terminated arrays of malloc'd strings (argv, envp, lists). */
#ifndef CODEEXEC_STRV_H
#define CODEEXEC_STRV_H

/* Frees every string and the array; NULL is fine. */
void strv_free(char **v);
/* A deep copy (NULL in, an empty array out); NULL only when out of memory. */
char **strv_dup(char *const *v);

#endif
