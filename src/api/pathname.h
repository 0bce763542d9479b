/* pathname: the NAME in the paths of the named stores' endpoints,
 * /v1/testbanks/NAME[/tests] and /v1/problems/NAME[/tests]. */
#ifndef CODEEXEC_API_PATHNAME_H
#define CODEEXEC_API_PATHNAME_H

struct evhttp_request;

/* The name in req's path between prefix (e.g. "/v1/problems/") and suffix
 * (e.g. "/tests", or NULL), percent-decoded and checked with
 * banks_name_valid. NULL after replying 404 (the path does not end in
 * suffix) or 400 invalid_name; else a malloc'd string the caller frees. */
char *api_path_name(struct evhttp_request *req, const char *prefix, const char *suffix);

#endif
