/* Request parameters: parsing query strings, urlencoded and multipart bodies into struct param
 * lists (in place, in arena memory), and validating them against a route's declared specs. */
#ifndef WM_HTTP_PARAMS_H
#define WM_HTTP_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

enum { PARAMS_MAX = 1000 }; /* per request; a body of "a&a&a…" must not cost 80 bytes a byte */

struct param_list {
	struct param *head;
	struct param **tail; /* &head when empty */
	int count;
	int files;
};

void params_init(struct param_list *pl);

/* Decodes %XX escapes (and '+' as space when plus) of s[0..len) in place and NUL-terminates
 * the result (s[len] must be writable). Returns the decoded length, or -1 on a bad escape. */
long url_decode(char *s, size_t len, bool plus);

/* Appends the pairs of an application/x-www-form-urlencoded string (or a query string) to pl.
 * s[0..len) is decoded in place; s[len] must be writable. Errors: 400. */
int params_parse_urlencoded(struct arena *a, char *s, size_t len, struct param_list *pl,
                            struct err *e);

/* The boundary parameter of a multipart/form-data Content-Type header (arena copy), or NULL
 * when it is missing or not a valid RFC 2046 boundary. */
const char *params_boundary(struct arena *a, const char *content_type_header);

/* Appends the parts of a multipart/form-data body to pl. body[0..len) is parsed in place and
 * must stay alive (arena); body[len] must be writable. Values and files point into body and
 * are NUL-terminated. Errors: 400 (malformed or truncated), 413 (more than max_files files). */
int params_parse_multipart(struct arena *a, char *body, size_t len, const char *boundary,
                           int max_files, struct param_list *pl, struct err *e);

/* Appends the members of a JSON object body (application/json) as parameters: strings,
 * numbers and booleans as their text, arrays of those as one comma list (what a form sends
 * for a list parameter), null as absent. The validation that follows is the same as for forms.
 * Errors: 400. */
int params_parse_json(struct arena *a, const char *body, size_t len, struct param_list *pl,
                      struct err *e);

/* Checks every parameter against specs (NULL-name terminated; NULL = none declared) and fills
 * ival/dval. Errors: 400 naming the parameter, 413 for an oversized file. */
int params_validate(const struct param_spec *specs, struct param *params, struct err *e);

#endif
