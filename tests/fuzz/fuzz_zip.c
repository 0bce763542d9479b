/* fuzz_zip: libFuzzer target for the zip reader (src/util/zip.c).
 *
 * The input is the archive, copied to a buffer of its exact size so that
 * a read past the end is an ASan report. Whatever the bytes: no crash, no
 * leak; on success every entry is within the limits (its size, the total,
 * the count), has a name that is relative and free of "..", "." and empty
 * components, and no two names are the same; on failure a message. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *name)
{
        size_t len = strlen(name);

        assert(len > 0 && name[0] != '/' && name[len - 1] != '/');
        assert(!strstr(name, "//") && !strchr(name, '\\'));
        assert(strcmp(name, "..") != 0 && strncmp(name, "../", 3) != 0);
        assert(!strstr(name, "/../") && !(len >= 3 && strcmp(name + len - 3, "/..") == 0));
        assert(strcmp(name, ".") != 0 && strncmp(name, "./", 2) != 0 && !strstr(name, "/./"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const struct zip_limits lim = {
            .max_entries = 16, .max_total = 1 << 16, .max_entry = 1 << 15, .max_name = 255};
        unsigned char *copy = malloc(size ? size : 1);
        struct zip_entry *z = NULL;
        struct err e = {0, ""};
        size_t n = 0, total = 0;

        if (!copy)
                return 0;
        memcpy(copy, data, size);
        if (zip_read(copy, size, &lim, &z, &n, &e) == 0) {
                assert(n <= lim.max_entries);
                for (size_t i = 0; i < n; i++) {
                        check_name(z[i].name);
                        assert(z[i].len <= lim.max_entry && (!z[i].dir || z[i].len == 0));
                        total += z[i].len;
                        for (size_t j = 0; j < i; j++)
                                assert(strcmp(z[i].name, z[j].name) != 0);
                }
                assert(total <= lim.max_total);
                zip_free(z, n);
        } else {
                assert(z == NULL && n == 0 && e.msg[0]);
        }
        free(copy);
        return 0;
}
