/* Unit tests: the option table (server/config.c) gives the documented
 * defaults, enforces each range, and keeps the secret out of argv. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "server/config.h"

static int parse(struct config *cfg, char **argv)
{
        int argc = 0;

        while (argv[argc])
                argc++;
        return config_parse(cfg, argc, argv);
}

Test(config, defaults)
{
        struct config cfg;
        char *argv[] = {"codeexec", NULL};

        unsetenv("CODEEXEC_AUTH_TOKEN");
        cr_assert_eq(parse(&cfg, argv), 0);
        cr_assert_str_eq(cfg.ip, "127.0.0.1");
        cr_assert_eq(cfg.port, 8000);
        cr_assert_geq(cfg.max_running, 1);
        cr_assert_eq(cfg.max_queue, 10000);
        cr_assert_eq(cfg.memory_mb, 4096);
        cr_assert_eq(cfg.processes, 512);
        cr_assert_eq(cfg.output_limit_bytes, 16u << 20);
        cr_assert_eq(cfg.max_body_bytes, 64u << 20);
        cr_assert_eq(cfg.uid_base, 200000);
        cr_assert_eq(cfg.grace_s, 10);
        cr_assert_eq(cfg.max_batch, 1000);
        cr_assert_eq(cfg.reply_limit_bytes, 64u << 20);
        cr_assert_eq(cfg.reply_timeout_s, 30);
        cr_assert_str_eq(cfg.pass_env, "OPENBLAS_*");
        cr_assert_str_eq(cfg.python_preload, "numpy,pandas");
        cr_assert(cfg.warm_python && cfg.access_log && !cfg.no_cgroups);
        cr_assert_null(cfg.auth_token);
        cr_assert_null(cfg.state_dir);
        cr_assert_not_null(cfg.languages_dir);
}

Test(config, values_flags_and_lists)
{
        struct config cfg;
        char token[] = "s3cret";
        char *argv[] = {"codeexec",
                        "--port",
                        "9000",
                        "--memory-mb",
                        "64",
                        "--no-cgroups",
                        "--no-warm-python",
                        "--testbank",
                        "a=/x",
                        "--testbank",
                        "b=/y",
                        "--auth-token",
                        token,
                        "--max-queue",
                        "0",
                        "--default-timeout",
                        "900",
                        "--max-timeout",
                        "60",
                        NULL};

        cr_assert_eq(parse(&cfg, argv), 0);
        cr_assert_eq(cfg.port, 9000);
        cr_assert_eq(cfg.memory_mb, 64);
        cr_assert(cfg.no_cgroups && !cfg.warm_python);
        cr_assert_eq(cfg.ntestbanks, 2);
        cr_assert_str_eq(cfg.testbanks[1], "b=/y");
        cr_assert_str_eq(cfg.auth_token, "s3cret");
        cr_assert_str_eq(token, "xxxxxx", "the token is wiped from argv");
        cr_assert_eq(cfg.max_queue, 0);
        cr_assert_eq(cfg.default_timeout_s, 60, "the default never exceeds the maximum");
        free(cfg.testbanks);
        free((char *)cfg.auth_token);
}

Test(config, out_of_range_values_are_refused)
{
        struct config cfg;
        char *bad[][3] = {
            {"--port", "65536"},    {"--memory-mb", "15"}, {"--max-running", "0"},
            {"--open-files", "8"},  {"--uid-base", "999"}, {"--output-limit", "0"},
            {"--max-body", "1023"}, {"--port", "-1"},      {"--grace", "1x"},
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *argv[] = {"codeexec", bad[i][0], bad[i][1], NULL};
                cr_assert_eq(parse(&cfg, argv), -1, "%s %s", bad[i][0], bad[i][1]);
        }
}
