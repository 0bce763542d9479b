/* Unit tests: a run's spec as a relocatable image (sandbox/specimage.h),
 * the way a standby box receives it. A spec with files (one empty), steps
 * with argv, stdin (one without) and limits, an environment and an
 * artifact goes through the real memfd, is mapped at another address and
 * must come back equal field by field; images that do not hold together
 * (cut short, offsets out of range, strings without their end) are
 * refused. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sandbox/sandbox-internal.h"
#include "sandbox/specimage.h"

static char *argv0[] = {"/usr/bin/g++", "main.cpp", "-o", "main", NULL};
static char *argv1[] = {"/tmp/main", NULL};
static char *envp[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8", NULL};
static const char *binds[] = {"/var/cache/codeexec/cpp-pch", NULL};
static const struct sbx_overlay overlays[] = {{"/var/cache/codeexec/go-build", "/tmp/.cache"}};

/* A spec and everything it points to. */
struct sample {
        struct sbx_spec spec;
        struct sbx_file files[2];
        struct sbx_step steps[2];
        struct sbx_artifact art;
};

static void sample(struct sample *x)
{
        static const char code[] = "int main(){}\n";
        struct sbx_spec *s = &x->spec;

        memset(x, 0, sizeof(*x));
        x->files[0] = (struct sbx_file){"main.cpp", code, sizeof(code) - 1, false};
        x->files[1] = (struct sbx_file){"empty", NULL, 0, true};
        x->steps[0] = (struct sbx_step){argv0, 10.0, 0, NULL, 0, false, false};
        x->steps[1] = (struct sbx_step){argv1, 2.5, 1500, "1 2\n", 4, true, true};
        x->art = (struct sbx_artifact){1, 99, 4096, 3, 1234};
        s->files = x->files;
        s->nfiles = 2;
        s->steps = x->steps;
        s->nsteps = 2;
        s->envp = envp;
        s->binds = binds;
        s->overlays = overlays;
        s->noverlays = 1;
        s->limits = (struct sbx_limits){256u << 20, 64, 1u << 20, 64u << 20, 256};
        s->slot = 3;
        s->collect_tmp = true;
        s->collect_max_bytes = 1u << 20;
        s->artifact = &x->art;
        s->mnt_in_tmp = true;
}

/* The image's bytes copied to a fresh buffer (another address). */
static void *image_copy(int fd, size_t size)
{
        void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        void *copy = malloc(size);

        cr_assert(map != MAP_FAILED && copy);
        memcpy(copy, map, size);
        munmap(map, size);
        return copy;
}

/* The sample's image, packed through the real memfd, in a malloc'd buffer
 * of *size bytes. */
static char *packed_sample(size_t *size)
{
        struct sample x;
        struct err e = {0, ""};
        char *image;
        int fd;

        sample(&x);
        fd = specimage_pack(&x.spec, size, &e);
        cr_assert_geq(fd, 0, "%s", e.msg);
        image = image_copy(fd, *size);
        close(fd);
        return image;
}

static void assert_strv_eq(char *const *got, char *const *want)
{
        size_t i = 0;

        for (; want[i]; i++)
                cr_assert_str_eq(got[i], want[i]);
        cr_assert_null(got[i]);
}

Test(specimage, round_trip_through_a_memfd)
{
        struct sample x;
        struct sbx_spec *r;
        struct err e = {0, ""};
        size_t size;
        int fd;

        sample(&x);
        fd = specimage_pack(&x.spec, &size, &e);
        cr_assert_geq(fd, 0, "%s", e.msg);
        /* sealed: nobody can change what the box will read */
        cr_assert_lt(write(fd, "x", 1), 0);
        r = specimage_map(fd, size, 42, &e);
        cr_assert_not_null(r, "%s", e.msg);
        cr_assert_eq(r->nfiles, 2);
        cr_assert_str_eq(r->files[0].name, "main.cpp");
        cr_assert_eq(r->files[0].len, 13);
        cr_assert_eq(memcmp(r->files[0].data, "int main(){}\n", 13), 0);
        cr_assert_str_eq(r->files[1].name, "empty");
        cr_assert_eq(r->files[1].len, 0);
        cr_assert(r->files[1].executable);
        cr_assert_eq(r->nsteps, 2);
        assert_strv_eq(r->steps[0].argv, argv0);
        assert_strv_eq(r->steps[1].argv, argv1);
        cr_assert_null(r->steps[0].stdin_data);
        cr_assert_eq(r->steps[1].stdin_len, 4);
        cr_assert_eq(memcmp(r->steps[1].stdin_data, "1 2\n", 4), 0);
        cr_assert_eq(r->steps[1].cpu_ms, 1500);
        cr_assert(r->steps[1].keep_going && !r->steps[0].keep_going);
        cr_assert(r->steps[1].stderr_to_stdout && !r->steps[0].stderr_to_stdout);
        cr_assert_float_eq(r->steps[1].timeout_s, 2.5, 1e-9);
        assert_strv_eq(r->envp, envp);
        cr_assert_eq(r->limits.memory_bytes, 256u << 20);
        cr_assert_eq(r->limits.tmpfs_bytes, 64u << 20);
        cr_assert_eq(r->limits.open_files, 256);
        cr_assert_eq(r->slot, 3);
        cr_assert(r->collect_tmp && r->mnt_in_tmp);
        cr_assert_eq(r->collect_max_bytes, 1u << 20);
        /* the artifact: its description, with the descriptor received */
        cr_assert_not_null(r->artifact);
        cr_assert_eq(r->artifact->fd, 42);
        cr_assert_eq(r->artifact->size, 4096);
        /* built before the run: not carried */
        cr_assert_null(r->binds);
        cr_assert_null(r->overlays);
        cr_assert_eq(r->noverlays, 0);
        close(fd);
}

Test(specimage, without_artifact_or_environment)
{
        struct sample x;
        struct sbx_spec *r;
        struct err e = {0, ""};
        char *none[] = {NULL};
        size_t size;
        int fd;
        void *copy;

        sample(&x);
        x.spec.artifact = NULL;
        x.spec.envp = none;
        x.spec.nfiles = 0;
        fd = specimage_pack(&x.spec, &size, &e);
        cr_assert_geq(fd, 0, "%s", e.msg);
        copy = image_copy(fd, size);
        r = specimage_relocate(copy, size, -1, &e);
        cr_assert_not_null(r, "%s", e.msg);
        cr_assert_null(r->artifact);
        cr_assert_null(r->envp[0]);
        cr_assert_eq(r->nfiles, 0);
        free(copy);
        close(fd);
}

/* Every cut of a good image is refused, never followed. */
Test(specimage, a_cut_image_is_refused)
{
        struct err e = {0, ""};
        size_t size;
        char *good = packed_sample(&size);

        for (size_t cut = 0; cut < size; cut += 8) {
                char *copy = malloc(size);
                cr_assert(copy);
                memcpy(copy, good, size);
                /* as if only cut bytes had come: the head's length disagrees */
                cr_assert_null(specimage_relocate(copy, cut, 42, &e), "cut at %zu", cut);
                free(copy);
        }
        free(good);
}

/* Offsets pointing outside the block, and strings without a terminator,
 * are refused. */
Test(specimage, offsets_are_checked)
{
        struct err e = {0, ""};
        size_t size;
        char *good = packed_sample(&size), *copy;

        copy = malloc(size);
        cr_assert(copy);
        /* every 8-byte word set to the block's end, one at a time: the
         * image either still holds together or is refused; none crashes */
        for (size_t off = 0; off + 8 <= size; off += 8) {
                uint64_t bad = size;
                struct sbx_spec *r;
                memcpy(copy, good, size);
                memcpy(copy + off, &bad, 8);
                r = specimage_relocate(copy, size, 42, &e);
                if (r)
                        for (size_t i = 0; i < r->nsteps; i++)
                                cr_assert_not_null(r->steps[i].argv[0]);
        }
        /* the last string's terminator overwritten: refused */
        memcpy(copy, good, size);
        for (size_t i = size; i > 0; i--)
                if (copy[i - 1] == '\0')
                        copy[i - 1] = 'x';
                else
                        break;
        cr_assert_null(specimage_relocate(copy, size, 42, &e));
        free(copy);
        free(good);
}
