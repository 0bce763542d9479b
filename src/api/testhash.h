/* testhash: the `testhash: [bank, md5]` request field of the compatibility
 * endpoints — the test is looked up in a test bank (bank/store.h) instead of
 * being sent, and appended to the code after "\n\n" as the original did. */
#ifndef CODEEXEC_TESTHASH_H
#define CODEEXEC_TESTHASH_H

#include <jansson.h>
#include <stddef.h>

enum testhash_result {
        TESTHASH_NONE,      /* absent or null: run code as it is */
        TESTHASH_APPENDED,  /* *out = code + "\n\n" + test */
        TESTHASH_INVALID,   /* not an array of two strings */
        TESTHASH_NOT_FOUND, /* unknown bank, malformed or unknown hash */
        TESTHASH_NOMEM,
};

/* The reply text for TESTHASH_NOT_FOUND (the original's wording). */
#define TESTHASH_NOT_FOUND_TEXT "-1\nFailed to get test from test bank"
#define TESTHASH_INVALID_TEXT "1\nInvalid 'testhash': must be [bank, md5] (two strings) or null"

/* Reads root's "testhash". On TESTHASH_APPENDED *out is a malloc'd,
 * NUL-terminated copy of code + "\n\n" + test (the caller frees it) and
 * *out_len its length; otherwise *out is NULL. */
enum testhash_result testhash_apply(json_t *root, const char *code, size_t code_len, char **out,
                                    size_t *out_len);

#endif
