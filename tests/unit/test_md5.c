/* Unit tests: MD5 against the test suite of RFC 1321 appendix A.5. */
#include <criterion/criterion.h>
#include <string.h>

#include "util/md5.h"

static void check(const char *msg, const char *want)
{
        unsigned char d[MD5_DIGEST_LEN];
        char hex[MD5_HEX_LEN + 1];

        md5(msg, strlen(msg), d);
        md5_hex(d, hex);
        cr_assert_str_eq(hex, want, "MD5(\"%s\")", msg);
}

Test(md5, rfc1321_test_suite)
{
        check("", "d41d8cd98f00b204e9800998ecf8427e");
        check("a", "0cc175b9c0f1b6a831c399e269772661");
        check("abc", "900150983cd24fb0d6963f7d28e17f72");
        check("message digest", "f96b697d7cb7938d525a2f31aaf161d0");
        check("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b");
        check("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
              "d174ab98d277d9f5a5611c2c9f419d9f");
        check("1234567890123456789012345678901234567890123456789012345678901234567890123456789"
              "0",
              "57edf4a22be3c955ac49da2e2107b67a");
}

Test(md5, padding_boundaries_match_one_shot)
{
        /* 55, 56, 63, 64, 65 bytes straddle the padding cases; feeding byte by
         * byte must give the one-shot digest. */
        static const size_t lens[] = {55, 56, 57, 63, 64, 65, 119, 120, 128, 1000};
        char msg[1000];

        for (size_t i = 0; i < sizeof(msg); i++)
                msg[i] = (char)('a' + i % 26);
        for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
                unsigned char one[16], inc[16];
                struct md5_ctx c;

                md5(msg, lens[k], one);
                md5_init(&c);
                for (size_t i = 0; i < lens[k]; i++)
                        md5_update(&c, msg + i, 1);
                md5_final(&c, inc);
                cr_assert(memcmp(one, inc, 16) == 0, "length %zu", lens[k]);
        }
}

Test(md5, known_long_values)
{
        /* python3 -c "import hashlib;print(hashlib.md5(b'a'*64).hexdigest())" */
        char a64[65], a56[57];

        memset(a64, 'a', 64);
        a64[64] = '\0';
        memset(a56, 'a', 56);
        a56[56] = '\0';
        check(a64, "014842d480b571495a4a0363793f7367");
        check(a56, "3b0c8ac703f828b04c6c197006d17218");
        check("assert f(1) == 2\n", "5e5a2ea555160c319cf06fbfd53c75db");
}

Test(md5, hex_parsing)
{
        unsigned char d[16], e[16];
        char hex[33];

        md5("abc", 3, d);
        cr_assert_eq(md5_parse_hex("900150983CD24FB0D6963F7D28E17F72", 32, e), 0);
        cr_assert(memcmp(d, e, 16) == 0);
        md5_hex(e, hex);
        cr_assert_str_eq(hex, "900150983cd24fb0d6963f7d28e17f72");
        cr_assert_eq(md5_parse_hex("900150983cd24fb0d6963f7d28e17f7", 31, e), -1);
        cr_assert_eq(md5_parse_hex("900150983cd24fb0d6963f7d28e17f7g", 32, e), -1);
        cr_assert_eq(md5_parse_hex("900150983cd24fb0d6963f7d28e17f72 ", 33, e), -1);
}
