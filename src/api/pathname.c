/* pathname: reading a stored item's name from the request path
 * (pathname.h). The name rules are the test banks' (banks_name_valid), so
 * a name can never leave the state directory. */
#include "pathname.h"

#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

#include "../bank/store.h"
#include "../http/http.h"

/* See pathname.h. */
char *api_path_name(struct evhttp_request *req, const char *prefix, const char *suffix)
{
        const char *uri = evhttp_request_get_uri(req);
        size_t plen = strcspn(uri, "?#"), pre = strlen(prefix), slen = suffix ? strlen(suffix) : 0;
        char raw[512], *name;
        size_t n = 0;

        if (plen >= sizeof(raw) || plen < pre + slen ||
            (suffix && memcmp(uri + plen - slen, suffix, slen) != 0)) {
                http_reply_error(req, 404, "not_found", "no such endpoint");
                return NULL;
        }
        memcpy(raw, uri + pre, plen - pre - slen);
        raw[plen - pre - slen] = '\0';
        name = evhttp_uridecode(raw, 0, &n);
        if (!name || strlen(name) != n || !banks_name_valid(name)) {
                http_reply_error(req, 400, "invalid_name",
                                 "a name is NAME or ORG/NAME, each part of letters, digits "
                                 "and . _ - (not starting with ., an ORG not ending in .jsonl), "
                                 "at most 128 characters");
                free(name);
                return NULL;
        }
        return name;
}
