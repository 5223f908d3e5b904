/* The router walks the declared route table (tables over branches): no per-route code, one
 * generic matcher over "/a/{name}/b" patterns. Requests are decoded once, segment by segment,
 * and rejected when a segment could mean something else on disk or to a proxy (.., %2F, \). */
#include "http/router.h"

#include <string.h>

#include "http/params.h"
#include "lib/utf8.h"

struct seg {
	const char *s; /* decoded, NUL-terminated */
	size_t len;
};

struct path {
	struct seg segs[ROUTER_SEGS_MAX];
	int n;
	enum http_format suffix; /* .json/.xml on the last segment, else 0 */
	size_t stripped;         /* length of the last segment without the suffix */
};

/* Decodes raw_path into p (segments) and r->path. 0, ERR_BAD_REQUEST or ERR_NOT_FOUND. */
static int path_split(struct http_req *r, const char *raw, size_t len, struct path *p,
                      struct err *e)
{
	p->n = 0;
	p->suffix = 0;
	p->stripped = 0;
	if (len == 0 || raw[0] != '/')
		return err_set(e, ERR_BAD_REQUEST, "the request path must start with /");
	/* One buffer: the decoded path, then each decoded segment NUL-terminated. */
	char *buf = arena_alloc(r->arena, 2 * len + 2);
	char *full = buf, *segbuf = buf + len + 1;
	size_t flen = 0;
	const char *q = raw + 1, *end = raw + len;
	if (q == end) { /* "/" has no segments */
		full[flen++] = '/';
		full[flen] = '\0';
		r->path = full;
		return 0;
	}
	for (;;) {
		const char *slash = memchr(q, '/', (size_t)(end - q));
		const char *send = slash ? slash : end;
		size_t rl = (size_t)(send - q);
		if (p->n == ROUTER_SEGS_MAX)
			return err_set(e, ERR_NOT_FOUND, "not found");
		if (memchr(q, '\\', rl))
			return err_set(e, ERR_BAD_REQUEST, "invalid request path");
		memcpy(segbuf, q, rl);
		long dl = url_decode(segbuf, rl, false);
		if (dl < 0)
			return err_set(e, ERR_BAD_REQUEST,
			               "malformed %%-escape in the request path");
		size_t d = (size_t)dl;
		/* A NUL, a slash or backslash hidden in an escape, or a dot segment: each can make
		 * the path mean something other than what was routed. */
		if (memchr(segbuf, '\0', d) || memchr(segbuf, '/', d) || memchr(segbuf, '\\', d) ||
		    (d == 1 && segbuf[0] == '.') ||
		    (d == 2 && segbuf[0] == '.' && segbuf[1] == '.'))
			return err_set(e, ERR_BAD_REQUEST, "invalid request path");
		if (!utf8_valid(segbuf, d) || utf8_has_controls(segbuf, d, false))
			return err_set(e, ERR_BAD_REQUEST,
			               "invalid characters in the request path");
		p->segs[p->n].s = segbuf;
		p->segs[p->n].len = d;
		p->n++;
		full[flen++] = '/';
		memcpy(full + flen, segbuf, d);
		flen += d;
		segbuf += d + 1;
		if (!slash)
			break;
		q = slash + 1;
	}
	full[flen] = '\0';
	r->path = full;

	const struct seg *last = &p->segs[p->n - 1];
	p->stripped = last->len;
	if (last->len > 5 && memcmp(last->s + last->len - 5, ".json", 5) == 0) {
		p->suffix = FMT_JSON;
		p->stripped = last->len - 5;
	} else if (last->len > 4 && memcmp(last->s + last->len - 4, ".xml", 4) == 0) {
		p->suffix = FMT_XML;
		p->stripped = last->len - 4;
	}
	return 0;
}

/* Matches pattern against the segments; with_suffix: compare the last one without its suffix.
 * Captures go to r->path_args (pointing into a fresh copy when the suffix is cut). */
static bool pattern_match(const char *pattern, const struct path *p, bool with_suffix,
                          struct http_req *r)
{
	const char *q = pattern + (pattern[0] == '/');
	int i = 0, nargs = 0;
	const char *args[4];
	size_t arglen[4];
	while (*q) {
		const char *slash = strchr(q, '/');
		size_t pl = slash ? (size_t)(slash - q) : strlen(q);
		if (i == p->n)
			return false;
		size_t sl = (with_suffix && i == p->n - 1) ? p->stripped : p->segs[i].len;
		if (pl >= 2 && q[0] == '{' && q[pl - 1] == '}') {
			if (sl == 0 || sl > ROUTER_ARG_MAX || nargs == 4)
				return false;
			args[nargs] = p->segs[i].s;
			arglen[nargs++] = sl;
		} else if (pl != sl || memcmp(q, p->segs[i].s, sl) != 0) {
			return false;
		}
		i++;
		q += pl + (slash != NULL);
	}
	if (i != p->n)
		return false;
	for (int k = 0; k < nargs; k++)
		r->path_args[k] = arglen[k] == strlen(args[k])
		                      ? args[k]
		                      : arena_strndup(r->arena, args[k], arglen[k]);
	r->npath_args = nargs;
	return true;
}

static bool method_matches(const char *route_method, const char *method)
{
	return strcmp(route_method, method) == 0 ||
	       (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

/* Adds m (and HEAD after GET) to a ", "-separated Allow list unless present. */
static void allow_add(char *allow, const char *m)
{
	for (int round = 0; round < 2; round++) {
		const char *name = round == 0 ? m : "HEAD";
		if (round == 1 && strcmp(m, "GET") != 0)
			return;
		size_t n = strlen(name), have = strlen(allow);
		bool present = false;
		for (const char *s = allow; (s = strstr(s, name)) != NULL; s += n)
			if ((s == allow || s[-1] == ' ') && (s[n] == ',' || s[n] == '\0'))
				present = true;
		if (present || have + n + 3 > ROUTER_ALLOW_MAX)
			continue;
		if (have)
			memcpy(allow + have, ", ", 2), have += 2;
		memcpy(allow + have, name, n + 1);
	}
}

int router_match(const struct route *routes, struct http_req *r, const char *raw_path, size_t len,
                 const struct route **out, char allow[ROUTER_ALLOW_MAX], struct err *e)
{
	struct path p;
	*out = NULL;
	allow[0] = '\0';
	r->format = FMT_JSON;
	r->npath_args = 0;
	int rc = path_split(r, raw_path, len, &p, e);
	if (rc)
		return rc;
	if (p.n > 0 && p.suffix)
		r->format = p.suffix; /* errors answer in the format the client asked for */
	bool bad_format = false;
	for (const struct route *rt = routes; rt->method; rt++) {
		bool with_suffix = (rt->formats & (FMT_JSON | FMT_XML)) != 0;
		if (with_suffix && (p.n == 0 || !p.suffix))
			continue;
		if (!pattern_match(rt->pattern, &p, with_suffix, r))
			continue;
		if (!method_matches(rt->method, r->method)) {
			allow_add(allow, rt->method);
			continue;
		}
		if (with_suffix && !(rt->formats & p.suffix)) {
			bad_format = true;
			continue;
		}
		if (with_suffix) /* the handler sees the path without its suffix */
			((char *)r->path)[strlen(r->path) - (p.segs[p.n - 1].len - p.stripped)] =
			    '\0';
		else /* pages answer their errors as pages too */
			r->format = rt->formats & FMT_HTML ? FMT_HTML : FMT_JSON;
		*out = rt;
		return 0;
	}
	r->npath_args = 0;
	if (bad_format)
		return err_set(e, ERR_NOT_FOUND, "format not supported");
	if (allow[0])
		return err_set(e, ERR_METHOD, "method %.16s not allowed", r->method);
	return err_set(e, ERR_NOT_FOUND, "not found");
}

int router_authorize(const struct route *rt, const struct http_req *r, struct err *e)
{
	if (rt->roles & r->who.roles)
		return 0;
	/* Staff routes tell an anonymous caller to log in; anyone else is plainly refused. */
	if ((!r->who.user_id || r->who.mfa_pending) && (rt->roles & ROLE_USERS))
		return err_set(e, ERR_UNAUTHORIZED,
		               r->who.mfa_pending ? "second factor required: send the TOTP code"
		                                  : "login required");
	return err_set(e, ERR_FORBIDDEN, "forbidden: your roles do not allow this");
}
