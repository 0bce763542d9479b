/* cgpool: the cgroups of finished boxes, kept to serve another box (see
 * sandbox-internal.h).
 *
 * Theory of operation. Making a box's cgroup in the four v1 hierarchies
 * and removing it afterwards cost about 0.6 ms of CPU (mkdir and rmdir of
 * memory cgroups above all, and the kernel's work to free them), per cold
 * box as per warm run; a tiny cold run costs ~10 ms of CPU in all. So a
 * released box's cgroup (v1) is kept, oldest first, up to KEPT_MAX, and
 * the next box that needs one takes it instead of a new one: a warm run's
 * zygote parks in it, a judge test's PID 1 joins it, a standby's PID 1 is
 * cloned into it. A kept cgroup is served again only once every process
 * of its box is gone, with no out-of-memory kill on record and at most
 * 1 MiB left charged (cg_box_reset; that much counts as the next run's
 * base, cgroup.c); others are removed. A box's limits, peak and CPU are
 * set or reset when its run starts, as in a new cgroup. */
#define _GNU_SOURCE
#include "sandbox-internal.h"

#include <errno.h>

#include "cgroup.h"

#define KEPT_MAX 16

static struct cg_box *kept[KEPT_MAX];
static size_t nkept;
static uint64_t reused;

bool sbx_keep_cgroup(struct cg_box *cg)
{
        if (nkept == KEPT_MAX || !cg_box_reusable(cg))
                return false;
        kept[nkept++] = cg;
        return true;
}

struct cg_box *sbx_reuse_cgroup(void)
{
        size_t i = 0;

        while (i < nkept) {
                struct cg_box *cg = kept[i];
                int rc = cg_box_reset(cg);

                if (rc < 0 && errno == EBUSY) {
                        i++;
                        continue;
                }
                for (size_t k = i; k + 1 < nkept; k++)
                        kept[k] = kept[k + 1];
                nkept--;
                if (rc == 0) {
                        reused++;
                        return cg;
                }
                sbx_remove_cgroup(&cg);
        }
        return NULL;
}

struct cg_box *sbx_reuse_cgroup_with(const struct sbx_limits *lim)
{
        struct cg_box *cg = sbx_reuse_cgroup();

        if (cg && cg_box_set_limits(cg, lim) < 0)
                sbx_remove_cgroup(&cg); /* no process in it */
        return cg;
}

uint64_t sbx_cgroups_reused(void)
{
        return reused;
}

size_t sbx_cgroups_kept(void)
{
        return nkept;
}

void sbx_cgpool_cleanup(void)
{
        while (nkept > 0)
                sbx_remove_cgroup(&kept[--nkept]);
}
