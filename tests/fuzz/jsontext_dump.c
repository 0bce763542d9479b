/* jsontext_dump: the response encoders as a filter, for
 * jsontext_vs_python.py. Reads records (4-byte little-endian length, bytes)
 * from stdin; for each writes three records: the Python-style literal, the
 * serde-style literal and the lossy UTF-8 repair of the bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/jsontext.h"
#include "util/buf.h"
#include "util/utf8.h"

static int put(const struct buf *b)
{
        uint32_t n = (uint32_t)b->len;
        unsigned char h[4] = {n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >> 24};

        return fwrite(h, 1, 4, stdout) == 4 && (n == 0 || fwrite(b->data, 1, n, stdout) == n) ? 0
                                                                                              : -1;
}

int main(void)
{
        unsigned char h[4];

        while (fread(h, 1, 4, stdin) == 4) {
                uint32_t n = h[0] | (h[1] << 8) | (h[2] << 16) | ((uint32_t)h[3] << 24);
                char *data = malloc(n ? n : 1);
                struct buf py, serde, lossy;

                if (!data || fread(data, 1, n, stdin) != n)
                        return 2;
                buf_init(&py, 0);
                buf_init(&serde, 0);
                buf_init(&lossy, 0);
                if (jsontext_py_string(&py, data, n) < 0 ||
                    jsontext_serde_string(&serde, data, n) < 0 ||
                    utf8_append_lossy(&lossy, data, n) < 0 || put(&py) < 0 || put(&serde) < 0 ||
                    put(&lossy) < 0)
                        return 3;
                buf_free(&py);
                buf_free(&serde);
                buf_free(&lossy);
                free(data);
        }
        return fflush(stdout) == 0 ? 0 : 4;
}
