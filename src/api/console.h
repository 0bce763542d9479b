/* console: the web console's static assets, built from web/ at make time
 * (scripts/build-web) and compiled into the binary as a table
 * ($(BUILD)/web/assets.c, generated). See docs/console.md. */
#ifndef CODEEXEC_API_CONSOLE_H
#define CODEEXEC_API_CONSOLE_H

#include <stddef.h>

struct console_asset {
        const char *name; /* "index.html", "console.js", ... */
        const char *content_type;
        const unsigned char *data;
        size_t len;
};

/* The generated table (assets.c): console_nassets entries. */
extern const struct console_asset console_assets[];
extern const size_t console_nassets;

#endif
