/* The router: finds the route for a request path and method in the declared table, captures
 * {name} segments, strips the .json/.xml suffix, and decides who may call a route. */
#ifndef WM_HTTP_ROUTER_H
#define WM_HTTP_ROUTER_H

#include <stddef.h>

#include "http/http.h"

enum {
	ROUTER_ALLOW_MAX = 128, /* the Allow header of a 405 */
	ROUTER_SEGS_MAX = 32,
	ROUTER_ARG_MAX = 200, /* bytes of one captured segment */
};

/* Matches raw_path (as sent, %-encoded, without the query) against routes for r->method and
 * sets r->path, r->format, r->path_args (arena copies). Returns 0 and *out, or:
 * ERR_BAD_REQUEST (bad encoding, traversal), ERR_NOT_FOUND, ERR_METHOD (allow then lists the
 * methods the path takes, e.g. "GET, HEAD, POST"). r->format is set even on errors. */
int router_match(const struct route *routes, struct http_req *r, const char *raw_path, size_t len,
                 const struct route **out, char allow[ROUTER_ALLOW_MAX], struct err *e);

/* Whether the request may call the route: 0 or ERR_FORBIDDEN. Deny by default. */
int router_authorize(const struct route *rt, const struct http_req *r, struct err *e);

#endif
