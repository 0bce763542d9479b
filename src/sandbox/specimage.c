/* specimage: a run's spec as one relocatable block (see specimage.h).
 *
 * The layout is decided once, by one walk over the spec that both measures
 * (no buffer yet) and writes (into the memfd's mapping): a head holding
 * the spec struct and the artifact's description, then, each aligned to 8
 * bytes, the file array, every file's name and data, the step array, every
 * step's argv array and strings and its stdin, and the environment. The
 * receiver checks every offset against the block's length before it makes
 * it a pointer: a block that does not hold together is refused, never
 * followed. */
#define _GNU_SOURCE
#include "specimage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sandbox-internal.h"

#define IMAGE_MAGIC 0x53706563u /* "Spec" */
#define IMAGE_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)

struct image_head {
        uint32_t magic;
        uint32_t pad;
        uint64_t size;
        struct sbx_spec spec;
        struct sbx_artifact artifact;
};

/* Where the walk writes: base NULL only measures. */
struct cursor {
        char *base;
        size_t used;
};

static size_t align8(size_t n)
{
        return (n + 7) & ~(size_t)7;
}

/* Appends len bytes (zeros when data is NULL); returns their offset. */
static size_t put(struct cursor *c, const void *data, size_t len)
{
        size_t off = c->used;

        if (c->base && len) {
                if (data)
                        memcpy(c->base + off, data, len);
                else
                        memset(c->base + off, 0, len);
        }
        c->used = align8(off + len);
        return off;
}

static void *as_ptr(size_t off)
{
        return (void *)(uintptr_t)off;
}

static size_t put_str(struct cursor *c, const char *s)
{
        return put(c, s, strlen(s) + 1);
}

/* A NULL-terminated string array; returns the offset of its pointer array. */
static size_t put_strv(struct cursor *c, char *const *v)
{
        size_t n = 0, arr;

        while (v && v[n])
                n++;
        arr = put(c, NULL, (n + 1) * sizeof(char *));
        for (size_t i = 0; i < n; i++) {
                size_t off = put_str(c, v[i]);
                if (c->base)
                        ((char **)(c->base + arr))[i] = as_ptr(off);
        }
        return arr;
}

static void walk(const struct sbx_spec *spec, struct cursor *c)
{
        struct image_head *h = c->base ? (struct image_head *)c->base : NULL;
        size_t files, steps, envp;

        put(c, NULL, sizeof(struct image_head));
        files = put(c, NULL, spec->nfiles * sizeof(struct sbx_file));
        for (size_t i = 0; i < spec->nfiles; i++) {
                const struct sbx_file *f = &spec->files[i];
                size_t name = put_str(c, f->name);
                size_t data = f->len ? put(c, f->data, f->len) : 0;
                if (c->base) {
                        struct sbx_file *out = (struct sbx_file *)(c->base + files) + i;
                        *out = *f;
                        out->name = as_ptr(name);
                        out->data = as_ptr(data);
                }
        }
        steps = put(c, NULL, spec->nsteps * sizeof(struct sbx_step));
        for (size_t i = 0; i < spec->nsteps; i++) {
                const struct sbx_step *st = &spec->steps[i];
                size_t argv = put_strv(c, st->argv);
                size_t in =
                    st->stdin_data && st->stdin_len ? put(c, st->stdin_data, st->stdin_len) : 0;
                if (c->base) {
                        struct sbx_step *out = (struct sbx_step *)(c->base + steps) + i;
                        *out = *st;
                        out->argv = as_ptr(argv);
                        out->stdin_data = as_ptr(in);
                        out->stdin_len = in ? st->stdin_len : 0;
                }
        }
        envp = put_strv(c, spec->envp);
        if (!h)
                return;
        h->magic = IMAGE_MAGIC;
        h->size = c->used;
        h->spec = *spec;
        h->spec.files = as_ptr(files);
        h->spec.steps = as_ptr(steps);
        h->spec.envp = as_ptr(envp);
        h->spec.binds = NULL;
        h->spec.overlays = NULL;
        h->spec.noverlays = 0;
        h->spec.artifact = NULL;
        if (spec->artifact) {
                h->artifact = *spec->artifact;
                h->artifact.fd = -1;
                h->spec.artifact = as_ptr(offsetof(struct image_head, artifact));
        }
}

int specimage_pack(const struct sbx_spec *spec, size_t *size, struct err *e)
{
        struct cursor c = {NULL, 0};
        int fd;
        void *map;

        walk(spec, &c);
        *size = c.used;
        fd = memfd_create("spec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return err_set(e, errno, "spec memfd");
        if (ftruncate(fd, (off_t)c.used) < 0) {
                err_set(e, errno, "spec memfd of %zu bytes", c.used);
                goto fail;
        }
        map = mmap(NULL, c.used, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED) {
                err_set(e, errno, "map the spec memfd");
                goto fail;
        }
        c.base = map;
        c.used = 0;
        walk(spec, &c);
        munmap(map, *size);
        /* immutable from here: what the box reads is what was written */
        if (fcntl(fd, F_ADD_SEALS, IMAGE_SEALS) < 0) {
                err_set(e, errno, "seal the spec memfd");
                goto fail;
        }
        return fd;
fail:
        close(fd);
        return -1;
}

/* Turns the offset in *p into a pointer to len bytes inside the block. */
static bool fix(const void **p, char *base, size_t size, size_t len)
{
        uintptr_t off = (uintptr_t)*p;

        if (off == 0) {
                *p = NULL;
                return len == 0;
        }
        if (off >= size || len > size - off)
                return false;
        *p = base + off;
        return true;
}

static bool fix_str(const char **s, char *base, size_t size)
{
        if (!fix((const void **)s, base, size, 1) || !*s)
                return false;
        return memchr(*s, '\0', size - (size_t)(*s - base)) != NULL;
}

/* A string array: the relocated array (*v too), or NULL when it does not
 * hold together. */
static char **fix_strv(char *const **v, char *base, size_t size)
{
        char **arr;

        if (!fix((const void **)v, base, size, sizeof(char *)) || !*v)
                return NULL;
        arr = (char **)*v;
        for (size_t i = 0;; i++) {
                if ((size_t)((char *)&arr[i] - base) > size - sizeof(char *))
                        return NULL;
                if (!arr[i])
                        return arr;
                if (!fix_str((const char **)&arr[i], base, size))
                        return NULL;
        }
}

struct sbx_spec *specimage_relocate(void *block, size_t size, int artifact_fd, struct err *e)
{
        char *base = block;
        struct image_head *h = block;
        struct sbx_spec *s;
        struct sbx_file *files;
        struct sbx_step *steps;

        if (size < sizeof(*h) || h->magic != IMAGE_MAGIC || h->size != size)
                goto bad;
        s = &h->spec;
        if (s->nfiles > size / sizeof(struct sbx_file) || s->nsteps == 0 ||
            s->nsteps > SBX_MAX_STEPS ||
            !fix((const void **)&s->files, base, size, s->nfiles * sizeof(struct sbx_file)) ||
            !fix((const void **)&s->steps, base, size, s->nsteps * sizeof(struct sbx_step)) ||
            !fix_strv(&s->envp, base, size))
                goto bad;
        files = (struct sbx_file *)s->files;
        if (!files && s->nfiles)
                goto bad;
        for (size_t i = 0; i < s->nfiles; i++)
                if (!fix_str(&files[i].name, base, size) ||
                    !fix((const void **)&files[i].data, base, size, files[i].len))
                        goto bad;
        steps = (struct sbx_step *)s->steps;
        if (!steps)
                goto bad;
        for (size_t i = 0; i < s->nsteps; i++) {
                char **argv = fix_strv(&steps[i].argv, base, size);
                if (!argv || !argv[0] ||
                    !fix((const void **)&steps[i].stdin_data, base, size, steps[i].stdin_len))
                        goto bad;
        }
        s->binds = NULL;
        s->overlays = NULL;
        s->noverlays = 0;
        if (s->artifact) {
                if ((uintptr_t)s->artifact != offsetof(struct image_head, artifact) ||
                    artifact_fd < 0)
                        goto bad;
                h->artifact.fd = artifact_fd;
                s->artifact = &h->artifact;
        }
        return s;
bad:
        err_set(e, EINVAL, "malformed run spec");
        return NULL;
}

struct sbx_spec *specimage_map(int fd, size_t size, int artifact_fd, struct err *e)
{
        void *map;

        if (size < sizeof(struct image_head)) {
                err_set(e, EINVAL, "run spec of %zu bytes", size);
                return NULL;
        }
        map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
                err_set(e, errno, "map the run spec");
                return NULL;
        }
        return specimage_relocate(map, size, artifact_fd, e);
}
