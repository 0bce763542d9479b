/* common: shared request-to-job helpers (see common.h). */
#include "common.h"

#include <string.h>

#include "../util/utf8.h"

static struct api_config config;

void api_init(const struct api_config *c)
{
        config = *c;
}

const struct api_config *api_config(void)
{
        return &config;
}

void api_recipe_limits(const struct recipe *r, struct sbx_limits *lim)
{
        const struct api_config *cfg = api_config();

        memset(lim, 0, sizeof(*lim));
        lim->memory_bytes = (r->limits.memory_mb ? r->limits.memory_mb : cfg->memory_mb) << 20;
        lim->processes = r->limits.processes ? r->limits.processes : cfg->processes;
        lim->file_bytes = (r->limits.file_mb ? r->limits.file_mb : cfg->file_mb) << 20;
        lim->tmpfs_bytes = (r->limits.tmpfs_mb ? r->limits.tmpfs_mb : cfg->tmpfs_mb) << 20;
        lim->open_files = cfg->open_files;
}

void api_default_limits(struct job *job, const struct recipe *r)
{
        const struct api_config *cfg = api_config();

        api_recipe_limits(r, &job->limits);
        job->output_limit =
            r->limits.output_kb ? r->limits.output_kb << 10 : cfg->output_limit_bytes;
}

uint64_t api_reply_budget(size_t reserve)
{
        size_t limit = api_config()->reply_limit_bytes;

        return limit > reserve + 65536 ? limit - reserve : 65536;
}

double api_clamp_timeout(double seconds)
{
        const struct api_config *cfg = api_config();

        return seconds > cfg->max_timeout_s ? cfg->max_timeout_s : seconds;
}

json_t *api_text_json(const struct buf *b)
{
        struct buf clean;
        json_t *s;

        buf_init(&clean, 0);
        utf8_append_lossy(&clean, b->data ? b->data : "", b->len);
        s = json_stringn(clean.data ? clean.data : "", clean.len);
        buf_free(&clean);
        return s;
}
