/* linelog: see linelog.h. */
#include "linelog.h"

#include <unistd.h>

void linelog_flush(struct linelog *l, linelog_emit_fn emit, void *arg)
{
        if (l->len == 0)
                return;
        l->line[l->len] = '\0';
        emit(arg, l->line);
        l->len = 0;
}

int linelog_drain(struct linelog *l, int fd, linelog_emit_fn emit, void *arg)
{
        char chunk[4096];
        ssize_t n;

        while ((n = read(fd, chunk, sizeof(chunk))) > 0)
                for (ssize_t i = 0; i < n; i++) {
                        if (chunk[i] == '\n' || l->len + 1 >= sizeof(l->line))
                                linelog_flush(l, emit, arg);
                        if (chunk[i] != '\n')
                                l->line[l->len++] = chunk[i];
                }
        if (n == 0) {
                linelog_flush(l, emit, arg);
                return 0;
        }
        return 1;
}
