/* base64: RFC 4648 decoding (see base64.h). */
#include "base64.h"

static int value(unsigned char c)
{
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

int base64_decode(struct buf *out, const char *in, size_t len)
{
        unsigned acc = 0;
        int bits = 0, pad = 0, chars = 0;

        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)in[i];
                int v;

                if (c == '\n' || c == '\r')
                        continue;
                if (c == '=') {
                        pad++;
                        continue;
                }
                if (pad)
                        return -1; /* data after padding */
                v = value(c);
                if (v < 0)
                        return -1;
                chars++;
                acc = (acc << 6) | (unsigned)v;
                bits += 6;
                if (bits >= 8) {
                        char byte = (char)((acc >> (bits - 8)) & 0xFF);
                        bits -= 8;
                        if (buf_append(out, &byte, 1) < 0)
                                return -1;
                }
        }
        if (chars % 4 == 1 || pad > 2 || (pad && (chars + pad) % 4 != 0))
                return -1;
        return 0;
}
