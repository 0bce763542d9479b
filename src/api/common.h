/* common: what the compatibility and native endpoints share when they turn a
 * request into a job. */
#ifndef CODEEXEC_API_COMMON_H
#define CODEEXEC_API_COMMON_H

#include "../exec/job.h"
#include "../lang/recipe.h"

/* Sets the job's limits from the recipe's defaults and the server's. */
void api_default_limits(struct job *job, const struct recipe *r);
/* Caps a requested timeout at --max-timeout. */
double api_clamp_timeout(double seconds);

#endif
