/* Unit tests: recipe parsing and validation, verdict rules. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec/verdict.h"
#include "lang/recipe.h"

static const char *good =
    "{\"key\":\"cpp\",\"name\":\"C++\",\"aliases\":[\"c++\"],\"source_file\":\"main.cpp\","
    "\"steps\":[{\"name\":\"compile\",\"argv\":[\"/usr/bin/g++\",\"{src}\",\"-o\",\"{stem}\"],"
    "\"timeout_s\":15},{\"name\":\"run\",\"argv\":[\"{stem}\"],\"timeout_s\":15,\"stdin\":true}],"
    "\"verdict\":[{\"step\":\"compile\",\"exit\":\"nonzero\",\"status\":\"SyntaxError\"},"
    "{\"timeout\":true,\"status\":\"Timeout\"},{\"exit\":\"nonzero\",\"status\":\"Exception\"},"
    "{\"stderr_contains\":\"warn\",\"status\":\"AssertionError\"},{\"status\":\"OK\"}]}";

static struct recipe *parse(const char *text, struct err *e)
{
        return recipe_parse(text, strlen(text), NULL, e);
}

Test(recipe, parses_a_good_recipe)
{
        struct err e = {0, ""};
        struct recipe *r = parse(good, &e);

        cr_assert_not_null(r, "%s", e.msg);
        cr_assert_eq(r->nsteps, 2);
        cr_assert_eq(r->nrules, 5);
        cr_assert_eq(r->rules[0].step, 0);
        cr_assert(r->steps[1].stdin);
        recipe_free(r);
}

static void expect_error(const char *from, const char *to, const char *msg_part)
{
        char text[4096];
        const char *at = strstr(good, from);
        struct err e = {0, ""};
        struct recipe *r;

        cr_assert_not_null(at, "fixture lacks %s", from);
        snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
        r = parse(text, &e);
        cr_assert_null(r, "accepted: %s", text);
        cr_assert(strstr(e.msg, msg_part), "message '%s' lacks '%s'", e.msg, msg_part);
}

Test(recipe, rejects_bad_recipes)
{
        expect_error("\"/usr/bin/g++\"", "\"g++\"", "absolute path");
        expect_error("{\"status\":\"OK\"}", "{\"exit\":0,\"status\":\"OK\"}", "last verdict rule");
        expect_error("\"status\":\"Timeout\"", "\"status\":\"Slow\"", "unknown status");
        expect_error("\"step\":\"compile\"", "\"step\":\"link\"", "unknown step");
        expect_error("\"timeout_s\":15}", "\"timeout_s\":-1}", "timeout_s");
        expect_error("\"source_file\":\"main.cpp\"", "\"source_file\":\"../x\"", "plain file name");
        expect_error("\"name\":\"C++\"", "\"name\":\"C++\",\"colour\":1", "unknown field");
        expect_error("\"key\":\"cpp\"", "\"key\":\"cpp\",\"key\":\"c\"", "invalid JSON");
}

/* A step's cached_argv replaces its argv while caches are on (the default);
 * with recipes_use_caches(false) the plain argv stays and overlays go. */
static const char *cached =
    "{\"key\":\"go\",\"name\":\"Go\",\"source_file\":\"main_test.go\","
    "\"overlays\":[{\"lower\":\"/var/cache/x\",\"target\":\"/tmp/.cache/x\"}],"
    "\"steps\":[{\"name\":\"test\",\"argv\":[\"/usr/bin/go\",\"test\"],"
    "\"cached_argv\":[\"/bin/sh\",\"-c\",\"exec \\\"$@\\\"\",\"sh\",\"/usr/bin/go\",\"test\"],"
    "\"timeout_s\":30}],\"verdict\":[{\"status\":\"OK\"}]}";

Test(recipe, cached_argv_and_overlays_follow_the_cache_switch)
{
        struct err e = {0, ""};
        struct recipe *r = parse(cached, &e);

        cr_assert_not_null(r, "%s", e.msg);
        cr_assert_str_eq(r->steps[0].argv[0], "/bin/sh");
        cr_assert_str_eq(r->steps[0].argv[4], "/usr/bin/go");
        cr_assert_eq(r->noverlays, 1);
        recipe_free(r);

        recipes_use_caches(false);
        r = parse(cached, &e);
        recipes_use_caches(true);
        cr_assert_not_null(r, "%s", e.msg);
        cr_assert_str_eq(r->steps[0].argv[0], "/usr/bin/go");
        cr_assert_null(r->steps[0].argv[2]);
        cr_assert_eq(r->noverlays, 0);
        cr_assert_null(r->overlays);
        recipe_free(r);

        expect_error("\"argv\":[\"/usr/bin/g++\"",
                     "\"cached_argv\":[\"sh\"],\"argv\":[\"/usr/bin/g++\"",
                     "cached_argv[0] must be an absolute path");
        expect_error("\"argv\":[\"/usr/bin/g++\"", "\"cached_argv\":[],\"argv\":[\"/usr/bin/g++\"",
                     "must not be empty");
}

/* With cached_when, the cached form runs only while that path exists. */
#define CACHED_WHEN                                                                                \
        "{\"key\":\"rb\",\"name\":\"Ruby\",\"source_file\":\"main.rb\","                           \
        "\"steps\":[{\"name\":\"run\",\"argv\":[\"/usr/bin/ruby\",\"{src}\"],"                     \
        "\"cached_argv\":[\"/usr/bin/ruby\",\"-r%s\",\"{src}\"],\"cached_when\":\"%s\","           \
        "\"timeout_s\":5}],\"verdict\":[{\"status\":\"OK\"}]}"

Test(recipe, cached_when_picks_the_argv_at_run_time)
{
        char path[] = "/tmp/codeexec-test-recipe-XXXXXX", text[1024];
        struct err e = {0, ""};
        struct recipe *r;
        int fd = mkstemp(path);

        cr_assert_geq(fd, 0);
        close(fd);
        snprintf(text, sizeof(text), CACHED_WHEN, path, path);
        r = parse(text, &e);
        cr_assert_not_null(r, "%s", e.msg);
        cr_assert_str_eq(recipe_step_argv(&r->steps[0])[1] + 2, path);
        unlink(path);
        cr_assert_str_eq(recipe_step_argv(&r->steps[0])[1], "{src}");
        recipe_free(r);

        recipes_use_caches(false);
        r = parse(text, &e);
        recipes_use_caches(true);
        cr_assert_not_null(r, "%s", e.msg);
        cr_assert_str_eq(recipe_step_argv(&r->steps[0])[1], "{src}");
        cr_assert_null(r->steps[0].cached_when);
        recipe_free(r);

        expect_error("\"timeout_s\":15}", "\"cached_when\":\"/x\",\"timeout_s\":15}",
                     "cached_when must be an absolute path, with cached_argv");
        expect_error(
            "\"argv\":[\"/usr/bin/g++\"",
            "\"cached_argv\":[\"/bin/true\"],\"cached_when\":\"x\",\"argv\":[\"/usr/bin/g++\"",
            "cached_when must be an absolute path");
}

Test(recipe, expands_placeholders)
{
        char *s = recipe_expand("{src}|{stem}|{dir}|{name}|{base}", "Problem.java");

        cr_assert_str_eq(s, "/tmp/Problem.java|/tmp/Problem|/tmp|Problem.java|Problem");
        free(s);
}

static struct job *fake_job(struct recipe *r)
{
        struct job *j = job_new(r, "", 0, "", 0);

        cr_assert_not_null(j);
        return j;
}

Test(verdict, applies_rules_in_order)
{
        struct err e = {0, ""};
        struct recipe *r = parse(good, &e);
        struct job *j = fake_job(r);

        /* compile failed */
        j->steps[0].ran = true;
        j->steps[0].exit_code = 1;
        j->last_step = 0;
        cr_assert_str_eq(verdict_status(j), "SyntaxError");
        cr_assert_str_eq(verdict_process_status(j), "compile_error");
        /* run timed out */
        j->steps[0].exit_code = 0;
        j->steps[1].ran = true;
        j->steps[1].timed_out = true;
        j->steps[1].exit_code = -1;
        j->last_step = 1;
        cr_assert_str_eq(verdict_status(j), "Timeout");
        /* run passed but printed a warning: the stderr rule fires */
        j->steps[1].timed_out = false;
        j->steps[1].exit_code = 0;
        buf_puts(&j->steps[1].err, "a warning");
        cr_assert_str_eq(verdict_status(j), "AssertionError");
        cr_assert(!verdict_passed(j));
        buf_free(&j->steps[1].err);
        cr_assert_str_eq(verdict_status(j), "OK");
        cr_assert(verdict_passed(j));
        cr_assert_str_eq(verdict_process_status(j), "ok");
        /* the whole run passed its deadline */
        j->outcome = JOB_TIMED_OUT;
        cr_assert_str_eq(verdict_status(j), "Timeout");
        job_free(j);
        recipe_free(r);
}
