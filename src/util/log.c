/* log: leveled logging to stderr (see log.h). Lines are written with one
 * write() so that concurrent writers do not interleave within a line. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum log_level log_threshold = LOGLEVEL_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_msg(enum log_level lvl, const char *fmt, ...)
{
        char line[1024];
        struct timespec ts;
        struct tm tm;
        va_list ap;
        int n, m;

        if (lvl < log_threshold)
                return;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        n = snprintf(line, sizeof(line),
                     "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ codeexec %s: ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, level_names[lvl]);
        va_start(ap, fmt);
        m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
        va_end(ap);
        if (m < 0)
                m = 0;
        n += m;
        if ((size_t)n > sizeof(line) - 2)
                n = sizeof(line) - 2;
        line[n++] = '\n';
        if (write(STDERR_FILENO, line, (size_t)n) < 0) {
                /* nowhere to report a failing stderr */
        }
}

int log_parse_level(const char *s, enum log_level *out)
{
        for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
                if (strcmp(s, level_names[i]) == 0) {
                        *out = (enum log_level)i;
                        return 0;
                }
        }
        return -1;
}
