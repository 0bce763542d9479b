/* Unit tests: the state directory's atomic writes and scans (statefile.h),
 * and loading stored problems from it (problems_init, problems_get). Each
 * test runs in its own process (Criterion), so the store starts empty. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bank/problems.h"
#include "bank/statefile.h"

static char root[] = "/tmp/codeexec-unit-problems-XXXXXX";

static void setup(void)
{
        cr_assert_not_null(mkdtemp(root));
}

static void teardown(void)
{
        char cmd[128];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        cr_expect_eq(system(cmd), 0);
}

static void write_text(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");

        cr_assert_not_null(f, "%s", path);
        fputs(text, f);
        fclose(f);
}

static char *read_text(const char *path)
{
        static char data[4096];
        FILE *f = fopen(path, "r");
        size_t n;

        cr_assert_not_null(f, "%s", path);
        n = fread(data, 1, sizeof(data) - 1, f);
        data[n] = '\0';
        fclose(f);
        return data;
}

/* How many names in dir start with '.', besides . and .. */
static int hidden_files(const char *dir)
{
        char cmd[256];
        FILE *p;
        int n = -1;

        snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c '^\\.' || true", dir);
        p = popen(cmd, "r");
        cr_assert_not_null(p);
        cr_assert_eq(fscanf(p, "%d", &n), 1);
        pclose(p);
        return n;
}

static int fill_text(int fd, struct buf *out, void *arg)
{
        buf_puts(out, arg);
        return statefile_flush(fd, out, 0);
}

static int fill_fail(int fd, struct buf *out, void *arg)
{
        (void)fd;
        buf_puts(out, arg);
        errno = ENOSPC;
        return -1;
}

TestSuite(statefile, .init = setup, .fini = teardown);

Test(statefile, write_is_atomic)
{
        char path[256], dir[256];
        struct err e = {0, ""};

        snprintf(dir, sizeof(dir), "%s/kind/org", root);
        snprintf(path, sizeof(path), "%s/name.jsonl", dir);
        cr_assert_eq(statefile_write(path, fill_text, "first\n", &e), 0, "%s", e.msg);
        cr_assert_str_eq(read_text(path), "first\n");
        cr_assert_eq(statefile_write(path, fill_text, "second\n", &e), 0, "%s", e.msg);
        cr_assert_str_eq(read_text(path), "second\n");
        /* a failed write leaves the old file, and no temporary file */
        cr_assert_eq(statefile_write(path, fill_fail, "third\n", &e), -1);
        cr_assert(strstr(e.msg, "write ") && e.errnum == ENOSPC, "%s", e.msg);
        cr_assert_str_eq(read_text(path), "second\n");
        cr_assert_eq(hidden_files(dir), 0);
}

static int record(const char *name, const char *path, void *arg, struct err *e)
{
        char *seen = arg;
        size_t n = strlen(seen);

        (void)e;
        cr_assert(strstr(path, name), "%s %s", name, path);
        snprintf(seen + n, 256 - n, "%s;", name);
        return 0;
}

Test(statefile, scan_finds_names_and_removes_leftovers)
{
        char path[256], seen[256] = "";
        struct err e = {0, ""};

        snprintf(path, sizeof(path), "%s/org", root);
        cr_assert_eq(mkdir(path, 0700), 0);
        snprintf(path, sizeof(path), "%s/a.jsonl", root);
        write_text(path, "x");
        snprintf(path, sizeof(path), "%s/org/b.jsonl", root);
        write_text(path, "x");
        snprintf(path, sizeof(path), "%s/.a.jsonl.Xy12zz", root);
        write_text(path, "partial");
        snprintf(path, sizeof(path), "%s/not a name.jsonl", root);
        write_text(path, "x");
        snprintf(path, sizeof(path), "%s/notes.txt", root);
        write_text(path, "x");
        cr_assert_eq(statefile_scan(root, "unit", record, seen, &e), 0, "%s", e.msg);
        cr_assert(strstr(seen, "a;") && strstr(seen, "org/b;"), "%s", seen);
        cr_assert_eq(strlen(seen), strlen("a;org/b;"), "%s", seen);
        cr_assert_eq(hidden_files(root), 0);
        snprintf(path, sizeof(path), "%s/missing", root);
        cr_assert_eq(statefile_scan(path, "unit", record, seen, &e), 0);
}

TestSuite(problems, .init = setup, .fini = teardown);

#define HEADER(n, hash) "{\"name\":\"p\",\"tests\":" n ",\"bytes\":6,\"hash\":\"" hash "\","

/* MD5("4:1 2\n2:3\n"), the hash of the one test below (problem.h). */
#define ONE_TEST_HASH "2a385ae5c3ac25d633d4b9effb7b78fd"

static void write_problem(const char *text)
{
        char path[256];

        snprintf(path, sizeof(path), "%s/problems", root);
        mkdir(path, 0700);
        snprintf(path, sizeof(path), "%s/problems/p.jsonl", root);
        write_text(path, text);
}

Test(problems, loads_and_shares)
{
        struct err e = {0, ""};
        struct problem *p, *q;

        write_problem(HEADER("1", ONE_TEST_HASH) "\"checker\":\"tokens\",\"limits\":null}\n"
                                                 "{\"stdin\":\"1 2\\n\",\"expected\":\"3\\n\"}\n");
        cr_assert_eq(problems_init(root, 1 << 20, &e), 0, "%s", e.msg);
        cr_assert_eq(problems_count(), 1);
        cr_assert_eq(problems_total_bytes(), 6);
        p = problems_get("p");
        cr_assert_not_null(p);
        cr_assert_str_eq(p->hash, ONE_TEST_HASH);
        cr_assert_str_eq(p->checker, "\"tokens\"");
        cr_assert_null(p->limits);
        cr_assert_eq(p->ntests, 1);
        cr_assert_str_eq(p->tests[0].expected, "3\n");
        q = problems_get("p");
        cr_assert_eq(p, q);
        problem_unref(q);
        problem_unref(p);
        cr_assert_null(problems_get("q"));
        cr_assert_eq(problems_at(0)->refs, 1);
}

Test(problems, damaged_files_stop_startup)
{
        static const char *const bad[][2] = {
            {HEADER("2", ONE_TEST_HASH) "\"checker\":null,\"limits\":null}\n"
                                        "{\"stdin\":\"1 2\\n\",\"expected\":\"3\\n\"}\n",
             "p.jsonl:3: 1 tests with hash"},
            {HEADER("1", ONE_TEST_HASH) "\"checker\":null}\n{\"stdin\":\"1 2\\n\"}\n",
             "p.jsonl:2: a test line must be"},
            {"{\"name\":\"other\",\"tests\":0,\"hash\":\"" ONE_TEST_HASH "\"}\n",
             "p.jsonl:1: the file is for problem 'other'"},
            {"not json\n", "p.jsonl:1: invalid JSON"},
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct err e = {0, ""};
                pid_t pid;
                int status;

                write_problem(bad[i][0]);
                /* problems_init keeps what it loaded: try each in a child */
                pid = fork();
                if (pid == 0) {
                        int rc = problems_init(root, 1 << 20, &e);
                        _exit(rc == -1 && strstr(e.msg, bad[i][1]) ? 0 : 1);
                }
                cr_assert_eq(waitpid(pid, &status, 0), pid);
                cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "case %zu", i);
        }
}
