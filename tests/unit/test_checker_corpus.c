/* Differential test: every (output, answer) pair of tests/judge/corpus.jsonl
 * through checker_compare under every checker configuration of the corpus,
 * expecting the verdict of the reference rule (tests/judge/reference.py),
 * or the C verdict recorded in "c_differs" where docs/checkers.md says the
 * C checker deliberately differs. Run from the repository root (make unit);
 * CHECKER_CORPUS names another corpus file. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "judge/checker.h"

static const char *verdict_name(enum check_verdict v)
{
        switch (v) {
        case CHECK_AC:
                return "AC";
        case CHECK_WA:
                return "WA";
        case CHECK_PE:
                return "PE";
        case CHECK_FAIL:
                return "FAIL";
        }
        return "?";
}

static void opts_from_json(json_t *cfg, struct checker_opts *o)
{
        json_t *v;
        int kind = checker_kind_parse(json_string_value(json_object_get(cfg, "type")));

        cr_assert(kind >= 0, "unknown checker type in the corpus");
        checker_opts_default(o, (enum checker_kind)kind);
        if ((v = json_object_get(cfg, "case_insensitive")))
                o->case_insensitive = json_is_true(v);
        if ((v = json_object_get(cfg, "keep_line_breaks")))
                o->keep_line_breaks = json_is_true(v);
        if ((v = json_object_get(cfg, "abs_eps")))
                o->abs_eps = json_number_value(v);
        if ((v = json_object_get(cfg, "rel_eps")))
                o->rel_eps = json_number_value(v);
        if ((v = json_object_get(cfg, "float_mode"))) {
                const char *m = json_string_value(v);

                if (strcmp(m, "abs") == 0)
                        o->float_mode = CHECKER_ABS;
                else if (strcmp(m, "rel") == 0)
                        o->float_mode = CHECKER_REL;
                else
                        o->float_mode = CHECKER_ABS_OR_REL;
        }
}

/* The text of rec[name] or the bytes of rec[name_hex]; malloc'd. */
static char *field(json_t *rec, const char *name, size_t *len)
{
        char key[32];
        json_t *v = json_object_get(rec, name);
        const char *hex;
        char *out;
        size_t i, n;

        if (v) {
                *len = json_string_length(v);
                out = malloc(*len + 1);
                cr_assert_not_null(out);
                memcpy(out, json_string_value(v), *len + 1);
                return out;
        }
        snprintf(key, sizeof(key), "%s_hex", name);
        hex = json_string_value(json_object_get(rec, key));
        cr_assert_not_null(hex, "record without %s", name);
        n = strlen(hex) / 2;
        out = malloc(n + 1);
        cr_assert_not_null(out);
        for (i = 0; i < n; i++) {
                unsigned int b;

                cr_assert_eq(sscanf(hex + 2 * i, "%2x", &b), 1);
                out[i] = (char)b;
        }
        out[n] = '\0';
        *len = n;
        return out;
}

Test(checker_corpus, every_pair_matches_its_reference)
{
        const char *path = getenv("CHECKER_CORPUS");
        FILE *f;
        char *line = NULL;
        size_t cap = 0, pairs = 0, checks = 0, failures = 0;
        ssize_t n;
        json_t *configs = NULL;

        if (!path)
                path = "tests/judge/corpus.jsonl";
        f = fopen(path, "r");
        cr_assert_not_null(f, "cannot open %s (run from the repository root)", path);
        while ((n = getline(&line, &cap, f)) > 0) {
                json_error_t jerr;
                json_t *rec = json_loadb(line, (size_t)n, 0, &jerr), *verdicts, *differs, *want;
                const char *name;
                char *out, *ans;
                size_t out_len, ans_len;

                cr_assert_not_null(rec, "%s: %s", path, jerr.text);
                if (!configs) {
                        configs = json_incref(json_object_get(rec, "configs"));
                        cr_assert_not_null(configs, "line 1 must hold the configs");
                        json_decref(rec);
                        continue;
                }
                pairs++;
                out = field(rec, "out", &out_len);
                ans = field(rec, "ans", &ans_len);
                verdicts = json_object_get(rec, "verdicts");
                differs = json_object_get(rec, "c_differs");
                json_object_foreach(verdicts, name, want)
                {
                        struct checker_opts o;
                        char msg[256];
                        enum check_verdict v;
                        json_t *d = differs ? json_object_get(differs, name) : NULL;
                        const char *expect = json_string_value(d ? d : want);

                        opts_from_json(json_object_get(configs, name), &o);
                        v = checker_compare(&o, out, out_len, ans, ans_len, msg, sizeof(msg));
                        checks++;
                        if (strcmp(verdict_name(v), expect) != 0) {
                                failures++;
                                fprintf(stderr, "corpus id %lld (%s), %s: got %s, want %s (%s)\n",
                                        json_integer_value(json_object_get(rec, "id")),
                                        json_string_value(json_object_get(rec, "note")), name,
                                        verdict_name(v), expect, msg);
                        }
                        cr_assert(strlen(msg) < sizeof(msg));
                        if (v == CHECK_AC)
                                cr_assert_str_empty(msg);
                        else
                                cr_assert(msg[0] != '\0', "a WA without a message");
                }
                free(out);
                free(ans);
                json_decref(rec);
        }
        free(line);
        fclose(f);
        json_decref(configs);
        cr_assert(pairs >= 300, "only %zu pairs", pairs);
        cr_assert_eq(failures, 0, "%zu of %zu checks differ from the references", failures, checks);
}
