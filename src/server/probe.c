/* probe: toolchain versions from version_argv (see probe.h).
 *
 * Each probe is a one-step job built from the language's recipe (its env
 * and binds, so the version seen is the one runs see) and queued in the
 * scheduler's background queue, which only runs when no request waits. The
 * first non-empty line of stdout, else of stderr (scala and javac print
 * there), becomes the version shown by GET /v1/languages. */
#include "probe.h"

#include <stdlib.h>
#include <string.h>

#include "../api/common.h"
#include "../exec/sched.h"
#include "../lang/recipe.h"
#include "../util/log.h"

static int first_line(const struct buf *b, char *out, size_t cap)
{
        const char *p = b->data, *end = b->data + b->len;

        while (p && p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t len = (size_t)((nl ? nl : end) - p);
                while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
                        len--;
                if (len) {
                        if (len >= cap)
                                len = cap - 1;
                        memcpy(out, p, len);
                        out[len] = '\0';
                        return 1;
                }
                p = nl ? nl + 1 : end;
        }
        return 0;
}

static void probe_done(struct job *job, void *arg)
{
        struct recipe *probe = arg;
        char line[160];

        if (job->outcome == JOB_COMPLETED && (first_line(&job->steps[0].out, line, sizeof(line)) ||
                                              first_line(&job->steps[0].err, line, sizeof(line))))
                recipes_set_version(probe->key, line);
        else
                log_warn("%s: version probe failed%s%s", probe->key, job->error[0] ? ": " : "",
                         job->error);
        job_free(job);
        recipe_free(probe);
}

void probe_versions(void)
{
        for (size_t i = 0; i < recipes_count(); i++) {
                const struct recipe *r = recipes_at(i);
                struct recipe *probe;
                struct job *job;

                if (!r->installed || !(probe = recipe_version_probe(r)))
                        continue;
                job = job_new(probe, "", 0, "", 0);
                if (!job) {
                        recipe_free(probe);
                        continue;
                }
                api_default_limits(job, probe);
                job->deadline_s = 90;
                job->on_done = probe_done;
                job->on_done_arg = probe;
                sched_submit_background(job);
        }
}
