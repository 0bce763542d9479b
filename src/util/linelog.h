/* linelog: a helper process's output, drained from its pipe and logged a
 * line at a time (the zygotes' stdout and stderr). Lines longer than the
 * buffer are cut into pieces; nothing is lost but the newlines. */
#ifndef CODEEXEC_LINELOG_H
#define CODEEXEC_LINELOG_H

#include <stddef.h>

struct linelog {
        char line[512];
        size_t len;
};

typedef void (*linelog_emit_fn)(void *arg, const char *line);

/* Reads fd (non-blocking) until it would block, emitting each complete
 * line; 0 at EOF (the partial line emitted too), 1 otherwise. */
int linelog_drain(struct linelog *l, int fd, linelog_emit_fn emit, void *arg);
/* Emits what is buffered, if anything. */
void linelog_flush(struct linelog *l, linelog_emit_fn emit, void *arg);

#endif
