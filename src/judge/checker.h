/* checker: the built-in output comparators of judge mode, and the reading of
 * a checker program's result.
 *
 * Each built-in reproduces one reference rule exactly (docs/checkers.md
 * states the rule and whose behaviour it is; tests/judge holds the
 * references and a differential corpus checked against these functions,
 * tests/unit/test_checker_corpus.c). They are pure
 * functions of (output, answer): no allocation beyond the call, no I/O, so
 * they link into the unit tests and fuzz targets with util alone. */
#ifndef CODEEXEC_JUDGE_CHECKER_H
#define CODEEXEC_JUDGE_CHECKER_H

#include <stdbool.h>
#include <stddef.h>

enum checker_kind {
        CHECKER_EXACT,               /* bytes equal (DMOJ identical) */
        CHECKER_RSTRIP_NEWLINES,     /* verl: a.rstrip("\n") == b.rstrip("\n") */
        CHECKER_LINES_RSTRIP,        /* Judge0's strip rule; the default */
        CHECKER_LINES_STRIP_DECIMAL, /* LiveCodeBench grade_stdio, DeepCoder */
        CHECKER_SANDBOXFUSION,       /* SandboxFusion utils/testing.py */
        CHECKER_TOKENS,              /* testlib wcmp (case_insensitive: CodeContests) */
        CHECKER_TOKENS_FLOAT,        /* testlib rcmp / doubleCompare, DMOJ floats */
        CHECKER_PROGRAM,             /* a testlib-style checker program (judge.c runs it) */
        CHECKER_KIND_MAX,
};

enum checker_float_mode { CHECKER_ABS_OR_REL, CHECKER_ABS, CHECKER_REL };

struct checker_opts {
        enum checker_kind kind;
        bool case_insensitive; /* tokens, tokens_float */
        bool keep_line_breaks; /* tokens: DMOJ standard (a line break faces a line break) */
        double abs_eps;        /* tokens_float; default 1e-6 */
        double rel_eps;        /* tokens_float; default 1e-6 */
        enum checker_float_mode float_mode;
};

enum check_verdict { CHECK_AC, CHECK_WA, CHECK_PE, CHECK_FAIL };

/* The kind named name ("exact", "lines_rstrip", ..., "program"); -1 if none. */
int checker_kind_parse(const char *name);
const char *checker_kind_name(enum checker_kind kind);
/* Fills o with kind's defaults. */
void checker_opts_default(struct checker_opts *o, enum checker_kind kind);

/* Compares a program's output with the expected answer under a built-in
 * rule (o->kind != CHECKER_PROGRAM). On WA writes a short reason (testlib
 * style: "2nd tokens differ - expected: '4', found: '5'") to msg: valid
 * UTF-8, NUL-terminated, cut to msg_size on a character boundary (msg may
 * be NULL when msg_size is 0); "" on AC. The built-ins answer AC or WA;
 * CHECK_FAIL means CHECKER_PROGRAM was passed, or a number token too long
 * for the stack could not be copied (out of memory). Linear in the input;
 * allocates at most one token's copy. NULL buffers of length 0 are empty. */
enum check_verdict checker_compare(const struct checker_opts *o, const char *out, size_t out_len,
                                   const char *ans, size_t ans_len, char *msg, size_t msg_size);

/* A checker program's verdict from its exit status (testlib: 0 AC, 1 WA,
 * 2 PE, 3 judge failure, 8 PE (testlib's unexpected EOF in the output),
 * 7 points with "points N" in its output: WA with *points set (points may
 * be NULL), or FAIL when no number follows "points"; anything else, a
 * signal included, is a judge failure). */
enum check_verdict checker_program_verdict(int exit_code, int term_signal, const char *out,
                                           size_t out_len, double *points);

#endif
