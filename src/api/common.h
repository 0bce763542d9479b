/* common: what the compatibility and native endpoints share when they turn a
 * request into a job. */
#ifndef CODEEXEC_API_COMMON_H
#define CODEEXEC_API_COMMON_H

#include <jansson.h>

#include "../exec/job.h"
#include "../lang/recipe.h"
#include "api.h"

/* The options handed down by api_init(). */
const struct api_config *api_config(void);
/* The default limits of a run of recipe r (server flags, recipe overrides). */
void api_recipe_limits(const struct recipe *r, struct sbx_limits *lim);
/* Sets the job's limits from the recipe's defaults and the server's. */
void api_default_limits(struct job *job, const struct recipe *r);
/* Program output as a JSON string (invalid UTF-8 repaired with U+FFFD). */
json_t *api_text_json(const struct buf *b);
/* The reply budget of a job (job->reply_budget): --reply-limit less
 * reserve bytes for what is not program output (never below 64 KiB). */
uint64_t api_reply_budget(size_t reserve);
/* Caps a requested timeout at --max-timeout. */
double api_clamp_timeout(double seconds);

#endif
