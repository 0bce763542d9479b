/* log: leveled logging to stderr, one line per event. */
#ifndef CODEEXEC_LOG_H
#define CODEEXEC_LOG_H

enum log_level { LOGLEVEL_DEBUG, LOGLEVEL_INFO, LOGLEVEL_WARN, LOGLEVEL_ERROR };

extern enum log_level log_threshold;

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_parse_level(const char *s, enum log_level *out);

#define log_debug(...) log_msg(LOGLEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOGLEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOGLEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOGLEVEL_ERROR, __VA_ARGS__)

#endif
