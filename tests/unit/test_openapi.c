/* docs/openapi.yaml against the route table, and the YAML converter that serves it.
 *
 * How a route is documented (the conventions checked here):
 * - The path is the route's pattern, plus ".{format}" when the route has JSON/XML formats; the
 * `format` path parameter's enum is exactly the route's formats (json, xml), and every response
 * with a body offers exactly the matching media types (application/json, text/xml).
 * - Path parameters are exactly the pattern's {captures} (and format), all required.
 * - GET: each param_spec is a query parameter of that name; PF_PREFIX specs ("x[") would be a
 *   deepObject parameter named "x". POST and PATCH (and any other body method): the specs are
 *   the fields of a requestBody offered as application/x-www-form-urlencoded and
 *   multipart/form-data, and optionally also as application/json (an object with the same
 *   properties; the schemas may use $ref and allOf; a route with a required file documents
 *   multipart only); PT_FILE fields only in multipart, as
 *   `format: binary`; a PF_PREFIX spec is a patternProperties key "^<escaped prefix>…" that
 *   matches NAME[CODE] and NAME[CODE][]. Nothing is documented that the spec array does not
 *   declare, and required flags agree. A body method without specs documents no body.
 * - Types and limits: PT_STRING/PT_TEXT/PT_URL are strings whose `x-max-bytes` is the router's
 *   byte limit (max_len, default 1000) and whose `maxLength` (characters) does not exceed it;
 *   PT_STRING carries the one-line pattern, PT_TEXT the multi-line one, PT_URL `format: uri`;
 *   PT_INT integer and PT_DOUBLE number with minimum/maximum = min/max (none when both are 0,
 *   which the validator reads as "no range"); PT_ENUM enum = values; PT_LIST an array (style
 *   form, explode false in a query) with maxItems = max (default 100) and items of the
 *   token limit (enum = values when given); PT_DATETIME a string allowing date-time; PF_MULTI
 *   (not prefix) an array of those.
 * - Summaries equal the route's summary; every operation documents exactly one 2xx: GET 200,
 *   POST 200, 201 or 204, DELETE and PATCH any one 2xx; routes with parameters document 400;
 *   routes not open to the public declare security. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/openapi.h"
#include "api/routes.h"
#include "lib/embedded.h"
#include "lib/yaml_json.h"

#define ONE_LINE "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
#define MULTI_LINE "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"

enum { MAXN = 256 };

static const char *const METHODS[] = {"get",  "put",     "post",  "delete", "patch",
                                      "head", "options", "trace", NULL};

/* ---- helpers ---- */

static const json_t *doc(void)
{
	const json_t *d = NULL;
	struct err e = {0};
	int rc = openapi_document(&d, &e);
	cr_assert_eq(rc, 0, "docs/openapi.yaml does not load: %s", e.msg);
	cr_assert(json_is_object(d));
	return d;
}

static json_t *get(const json_t *o, const char *key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(get(o, key));
}

/* A local JSON pointer ("#/components/schemas/A~1B"); NULL when it does not resolve. */
static const json_t *pointer(const char *ref)
{
	if (!ref || strncmp(ref, "#/", 2) != 0)
		return NULL;
	const json_t *cur = doc();
	const char *p = ref + 2;
	for (;;) {
		char seg[256];
		size_t n = 0;
		while (*p && *p != '/') {
			char c = *p++;
			if (c == '~' && (*p == '0' || *p == '1'))
				c = *p++ == '0' ? '~' : '/';
			if (n + 1 < sizeof seg)
				seg[n++] = c;
		}
		seg[n] = '\0';
		cur = get(cur, seg);
		if (!cur || !*p)
			return cur;
		p++;
	}
}

/* Follows $ref until a node without one; fails the test on a broken reference. */
static const json_t *deref(const json_t *node)
{
	for (int hops = 0; hops < 16; hops++) {
		const char *ref = str(node, "$ref");
		if (!ref)
			return node;
		node = pointer(ref);
		cr_assert(node, "$ref '%s' does not resolve", ref);
	}
	cr_assert_fail("$ref chain too long");
	return NULL;
}

static void lower(const char *s, char *out, size_t cap)
{
	size_t i = 0;
	for (; s[i] && i + 1 < cap; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	out[i] = '\0';
}

/* A route whose path ends in .json/.xml (FMT_HTML pages have no suffix). */
static bool suffixed(const struct route *rt)
{
	return (rt->formats & (FMT_JSON | FMT_XML)) != 0;
}

static void doc_path(const struct route *rt, char *out, size_t cap)
{
	snprintf(out, cap, "%s%s", rt->pattern, suffixed(rt) ? ".{format}" : "");
}

static const json_t *path_item(const struct route *rt)
{
	char path[512];
	doc_path(rt, path, sizeof path);
	return get(get(doc(), "paths"), path);
}

static const json_t *operation(const struct route *rt)
{
	char m[16];
	lower(rt->method, m, sizeof m);
	return get(path_item(rt), m);
}

/* The route's parameters as documented: path-level then operation-level, $refs followed. */
static int doc_params(const struct route *rt, const json_t **out)
{
	int n = 0;
	const json_t *lists[2] = {get(path_item(rt), "parameters"),
	                          get(operation(rt), "parameters")};
	for (int l = 0; l < 2; l++) {
		size_t i;
		json_t *p;
		json_array_foreach((json_t *)lists[l], i, p)
		{
			cr_assert_lt(n, MAXN);
			out[n] = deref(p);
			cr_assert(str(out[n], "name") && str(out[n], "in"),
			          "%s %s: a parameter without name or in", rt->method, rt->pattern);
			n++;
		}
	}
	return n;
}

static const json_t *doc_param(const json_t *const *ps, int n, const char *in, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(str(ps[i], "in"), in) == 0 && strcmp(str(ps[i], "name"), name) == 0)
			return ps[i];
	return NULL;
}

static bool is_prefix_spec(const struct param_spec *p)
{
	return p->flags & PF_PREFIX;
}

static const struct param_spec *spec_find(const struct route *rt, const char *name)
{
	for (const struct param_spec *p = rt->params; p && p->name; p++)
		if (!is_prefix_spec(p) && strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* "attribute[" -> "attribute": the deepObject parameter name of a prefix spec. */
static const struct param_spec *spec_find_deep(const struct route *rt, const char *name)
{
	size_t n = strlen(name);
	for (const struct param_spec *p = rt->params; p && p->name; p++)
		if (is_prefix_spec(p) && strlen(p->name) == n + 1 &&
		    strncmp(p->name, name, n) == 0 && p->name[n] == '[')
			return p;
	return NULL;
}

static bool is_true(const json_t *j)
{
	return json_is_true(j);
}

static bool has_string(const json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach((json_t *)arr, i,
	                   v) if (json_is_string(v) &&
	                          strcmp(json_string_value(v), s) == 0) return true;
	return false;
}

/* ---- types and limits ---- */

static void check_bytes(const json_t *schema, size_t limit, const char *where)
{
	const json_t *xb = get(schema, "x-max-bytes"), *ml = get(schema, "maxLength");
	cr_expect(json_is_integer(xb), "%s: x-max-bytes missing", where);
	cr_expect_eq(json_integer_value(xb), (json_int_t)limit, "%s: x-max-bytes %lld, router %zu",
	             where, (long long)json_integer_value(xb), limit);
	if (ml) {
		cr_expect(json_is_integer(ml) && json_integer_value(ml) > 0 &&
		              json_integer_value(ml) <= (json_int_t)limit,
		          "%s: maxLength %lld exceeds the byte limit %zu", where,
		          (long long)json_integer_value(ml), limit);
	}
}

static void check_enum(const json_t *schema, const char *const *values, const char *where)
{
	const json_t *en = get(schema, "enum");
	size_t n = 0;
	for (; values[n]; n++)
		cr_expect(has_string(en, values[n]), "%s: enum lacks '%s'", where, values[n]);
	cr_expect_eq(json_array_size(en), n, "%s: enum has %zu values, the router %zu", where,
	             json_array_size(en), n);
}

static void check_type(const json_t *schema, const char *type, const char *where)
{
	const char *t = str(schema, "type");
	cr_expect(t && strcmp(t, type) == 0, "%s: type is %s, want %s", where, t ? t : "(none)",
	          type);
}

/* The validator treats min = max = 0 as "no range" (http/validate_params.c). */
static void check_range(const json_t *schema, const struct param_spec *p, const char *where)
{
	const json_t *lo = get(schema, "minimum"), *hi = get(schema, "maximum");
	if (p->min == 0 && p->max == 0) {
		cr_expect(!lo && !hi, "%s: documents a range the router does not check", where);
		return;
	}
	cr_expect(json_is_number(lo) && json_number_value(lo) == p->min, "%s: minimum != %g", where,
	          p->min);
	cr_expect(json_is_number(hi) && json_number_value(hi) == p->max, "%s: maximum != %g", where,
	          p->max);
}

static void check_schema(const struct param_spec *p, const json_t *schema, const char *where)
{
	schema = deref(schema);
	cr_assert(json_is_object(schema), "%s: no schema", where);
	size_t limit = p->max_len ? p->max_len : 1000;
	if ((p->flags & PF_MULTI) && !is_prefix_spec(p)) {
		check_type(schema, "array", where);
		schema = deref(get(schema, "items"));
		cr_assert(json_is_object(schema), "%s: a repeatable parameter needs items", where);
	}
	switch (p->type) {
	case PT_STRING:
	case PT_TEXT:
	case PT_URL:
		check_type(schema, "string", where);
		check_bytes(schema, limit, where);
		if (p->type == PT_URL) {
			cr_expect(str(schema, "format") && !strcmp(str(schema, "format"), "uri"),
			          "%s: a URL has format uri", where);
		} else {
			const char *want = p->type == PT_STRING ? ONE_LINE : MULTI_LINE;
			const char *pat = str(schema, "pattern");
			cr_expect(pat && strcmp(pat, want) == 0, "%s: pattern %s, want %s", where,
			          pat ? pat : "(none)", want);
		}
		break;
	case PT_INT:
		check_type(schema, "integer", where);
		check_range(schema, p, where);
		break;
	case PT_DOUBLE:
		check_type(schema, "number", where);
		check_range(schema, p, where);
		break;
	case PT_DATETIME: {
		check_type(schema, "string", where);
		bool dt = str(schema, "format") && !strcmp(str(schema, "format"), "date-time");
		size_t i;
		json_t *alt;
		json_array_foreach(get(schema, "anyOf"), i, alt) dt =
		    dt || (str(alt, "format") && !strcmp(str(alt, "format"), "date-time"));
		cr_expect(dt, "%s: a date-time parameter allows format date-time", where);
		break;
	}
	case PT_ENUM:
		check_type(schema, "string", where);
		check_enum(schema, p->values, where);
		break;
	case PT_LIST: {
		check_type(schema, "array", where);
		json_int_t tokens = p->max > 0 ? (json_int_t)p->max : 100; /* router default */
		const json_t *mi = get(schema, "maxItems");
		cr_expect(json_is_integer(mi) && json_integer_value(mi) == tokens,
		          "%s: maxItems != %lld", where, (long long)tokens);
		const json_t *items = deref(get(schema, "items"));
		check_type(items, "string", where);
		check_bytes(items, limit, where);
		if (p->values)
			check_enum(items, p->values, where);
		break;
	}
	case PT_FILE:
		check_type(schema, "string", where);
		cr_expect(str(schema, "format") && !strcmp(str(schema, "format"), "binary"),
		          "%s: a file is format binary", where);
		check_bytes(schema, p->max_len, where);
		break;
	}
}

/* ---- request bodies ---- */

struct form {
	const char *names[MAXN];
	const json_t *props[MAXN];
	int n;
	const char *required[MAXN];
	int nreq;
	const char *patterns[8];
	const json_t *pattern_props[8];
	int npat;
};

/* Properties, required names and patternProperties of a schema, through $ref and allOf. */
static void flatten(const json_t *schema, struct form *f)
{
	schema = deref(schema);
	size_t i;
	json_t *v;
	const char *k;
	json_array_foreach(get(schema, "allOf"), i, v) flatten(v, f);
	json_object_foreach(get(schema, "properties"), k, v)
	{
		cr_assert_lt(f->n, MAXN);
		f->names[f->n] = k;
		f->props[f->n++] = deref(v);
	}
	json_array_foreach(get(schema, "required"), i, v)
	{
		cr_assert_lt(f->nreq, MAXN);
		f->required[f->nreq++] = json_string_value(v);
	}
	json_object_foreach(get(schema, "patternProperties"), k, v)
	{
		cr_assert_lt(f->npat, 8);
		f->patterns[f->npat] = k;
		f->pattern_props[f->npat++] = deref(v);
	}
}

static const json_t *form_prop(const struct form *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->names[i], name) == 0)
			return f->props[i];
	return NULL;
}

static bool form_required(const struct form *f, const char *name)
{
	for (int i = 0; i < f->nreq; i++)
		if (f->required[i] && strcmp(f->required[i], name) == 0)
			return true;
	return false;
}

/* "^" followed by the prefix with regex metacharacters escaped. */
static void escaped_prefix(const char *prefix, char *out, size_t cap)
{
	size_t o = 0;
	out[o++] = '^';
	for (const char *s = prefix; *s && o + 3 < cap; s++) {
		if (strchr("\\^$.|?*+()[]{}", *s))
			out[o++] = '\\';
		out[o++] = *s;
	}
	out[o] = '\0';
}

static bool regex_matches(const char *pattern, const char *s)
{
	regex_t re;
	cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0,
	             "pattern '%s' is not portable (POSIX ERE)", pattern);
	bool m = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

/* The patternProperties entry documenting a prefix spec; NULL when there is none. */
static const json_t *form_prefix(const struct form *f, const struct param_spec *p,
                                 const char *where)
{
	char want[128], one[160], many[160];
	escaped_prefix(p->name, want, sizeof want);
	snprintf(one, sizeof one, "%sCODE]", p->name);
	snprintf(many, sizeof many, "%sCODE][]", p->name);
	for (int i = 0; i < f->npat; i++) {
		if (strncmp(f->patterns[i], want, strlen(want)) != 0)
			continue;
		cr_expect(regex_matches(f->patterns[i], one), "%s: '%s' does not match %s", where,
		          f->patterns[i], one);
		cr_expect(regex_matches(f->patterns[i], many), "%s: '%s' does not match %s", where,
		          f->patterns[i], many);
		cr_expect(!regex_matches(f->patterns[i], p->name),
		          "%s: '%s' matches the bare prefix", where, f->patterns[i]);
		return f->pattern_props[i];
	}
	return NULL;
}

static void check_form(const struct route *rt, const char *type, const json_t *media)
{
	char where[256];
	struct form f = {0};
	cr_assert(media, "%s %s: requestBody lacks %s", rt->method, rt->pattern, type);
	flatten(get(media, "schema"), &f);
	bool multipart = strcmp(type, "multipart/form-data") == 0;
	for (const struct param_spec *p = rt->params; p->name; p++) {
		snprintf(where, sizeof where, "%s %s (%s) field %s", rt->method, rt->pattern, type,
		         p->name);
		if (is_prefix_spec(p)) {
			const json_t *s = form_prefix(&f, p, where);
			cr_expect(s,
			          "%s: no patternProperties key starting with the escaped prefix",
			          where);
			if (s)
				check_schema(p, s, where);
			continue;
		}
		const json_t *s = form_prop(&f, p->name);
		if (p->type == PT_FILE && !multipart) {
			cr_expect(!s, "%s: a file only goes in multipart/form-data", where);
			continue;
		}
		cr_expect(s, "%s: not documented", where);
		if (!s)
			continue;
		check_schema(p, s, where);
		cr_expect_eq(form_required(&f, p->name), !!(p->flags & PF_REQUIRED),
		             "%s: required flags disagree", where);
	}
	for (int i = 0; i < f.n; i++)
		cr_expect(spec_find(rt, f.names[i]),
		          "%s %s (%s): field '%s' is not in the route's specs", rt->method,
		          rt->pattern, type, f.names[i]);
	for (int i = 0; i < f.nreq; i++)
		cr_expect(f.required[i] && form_prop(&f, f.required[i]),
		          "%s %s (%s): required '%s' is not a property", rt->method, rt->pattern,
		          type, f.required[i] ? f.required[i] : "?");
}

/* ---- the document itself ---- */

Test(openapi, embedded_yaml_parses)
{
	const struct embedded_file *f = embedded_docs;
	while (f->name && strcmp(f->name, "openapi.yaml") != 0)
		f++;
	cr_assert(f->name, "docs/openapi.yaml is not embedded");
	json_t *j = NULL;
	struct err e = {0};
	cr_assert_eq(yaml_to_json(f->data, f->len, &j, &e), 0, "%s", e.msg);
	cr_expect(json_equal(j, (json_t *)doc()), "converting twice gives the same document");
	json_decref(j);
}

Test(openapi, is_openapi_3_1)
{
	const json_t *d = doc();
	const char *v = str(d, "openapi");
	cr_assert(v && strncmp(v, "3.1.", 4) == 0, "openapi is '%s'", v ? v : "(none)");
	cr_expect_str_eq(str(get(d, "info"), "title"), "wenming");
	cr_expect(str(get(d, "info"), "version"));
	cr_expect(json_is_array(get(d, "servers")) && json_array_size(get(d, "servers")) > 0);
	cr_expect(json_is_object(get(d, "paths")));
}

static void check_refs(const json_t *node, int depth)
{
	cr_assert_lt(depth, 64);
	const char *k;
	size_t i;
	json_t *v;
	if (json_is_object(node)) {
		const char *ref = str(node, "$ref");
		if (ref)
			cr_expect(pointer(ref), "$ref '%s' does not resolve", ref);
		json_object_foreach((json_t *)node, k, v) check_refs(v, depth + 1);
	} else if (json_is_array(node)) {
		json_array_foreach((json_t *)node, i, v) check_refs(v, depth + 1);
	}
}

Test(openapi, every_ref_resolves)
{
	check_refs(doc(), 0);
}

Test(openapi, operation_ids_unique)
{
	const char *ids[MAXN];
	int n = 0;
	const char *path;
	json_t *item;
	json_object_foreach(get(doc(), "paths"), path, item)
	{
		for (const char *const *m = METHODS; *m; m++) {
			const char *id = str(get(item, *m), "operationId");
			if (!get(item, *m))
				continue;
			cr_expect(id, "%s %s has no operationId", *m, path);
			if (!id)
				continue;
			for (int i = 0; i < n; i++)
				cr_expect(strcmp(ids[i], id) != 0, "operationId %s used twice", id);
			cr_assert_lt(n, MAXN);
			ids[n++] = id;
		}
	}
}

/* ---- the router and the document agree ---- */

Test(openapi, every_route_is_documented)
{
	for (const struct route *rt = routes; rt->method; rt++) {
		char path[512];
		doc_path(rt, path, sizeof path);
		const json_t *op = operation(rt);
		cr_expect(op, "route %s %s is not documented as %s", rt->method, rt->pattern, path);
		if (!op)
			continue;
		cr_expect(str(op, "summary") && rt->summary &&
		              !strcmp(str(op, "summary"), rt->summary),
		          "%s %s: summary '%s' differs from the route's '%s'", rt->method, path,
		          str(op, "summary"), rt->summary);
	}
}

Test(openapi, every_documented_operation_has_a_route)
{
	const char *path;
	json_t *item;
	json_object_foreach(get(doc(), "paths"), path, item)
	{
		for (const char *const *m = METHODS; *m; m++) {
			if (!get(item, *m))
				continue;
			bool found = false;
			for (const struct route *rt = routes; rt->method && !found; rt++) {
				char p[512], lm[16];
				doc_path(rt, p, sizeof p);
				lower(rt->method, lm, sizeof lm);
				found = strcmp(p, path) == 0 && strcmp(lm, *m) == 0;
			}
			cr_expect(found, "documented %s %s has no route", *m, path);
		}
	}
}

Test(openapi, path_parameters_match_patterns)
{
	for (const struct route *rt = routes; rt->method; rt++) {
		if (!operation(rt))
			continue;
		const json_t *ps[MAXN];
		int n = doc_params(rt, ps);
		int want = 0;
		for (const char *s = rt->pattern; (s = strchr(s, '{')); s++) {
			const char *end = strchr(s, '}');
			cr_assert(end, "pattern %s", rt->pattern);
			char name[64];
			snprintf(name, sizeof name, "%.*s", (int)(end - s - 1), s + 1);
			const json_t *p = doc_param(ps, n, "path", name);
			cr_expect(p, "%s %s: path parameter %s not documented", rt->method,
			          rt->pattern, name);
			cr_expect(is_true(get(p, "required")),
			          "%s %s: path parameter %s not required", rt->method, rt->pattern,
			          name);
			want++;
		}
		if (suffixed(rt)) {
			const json_t *p = doc_param(ps, n, "path", "format");
			cr_expect(p && is_true(get(p, "required")),
			          "%s %s: no required format parameter", rt->method, rt->pattern);
			const json_t *en = get(deref(get(p, "schema")), "enum");
			size_t nf = 0;
			if ((rt->formats & FMT_JSON) && ++nf)
				cr_expect(has_string(en, "json"), "%s: format enum lacks json",
				          rt->pattern);
			if ((rt->formats & FMT_XML) && ++nf)
				cr_expect(has_string(en, "xml"), "%s: format enum lacks xml",
				          rt->pattern);
			cr_expect_eq(json_array_size(en), nf, "%s %s: format enum != route formats",
			             rt->method, rt->pattern);
			want++;
		}
		int got = 0;
		for (int i = 0; i < n; i++)
			got += strcmp(str(ps[i], "in"), "path") == 0;
		cr_expect_eq(got, want, "%s %s: %d path parameters documented, pattern has %d",
		             rt->method, rt->pattern, got, want);
	}
}

Test(openapi, query_parameters_match_specs)
{
	for (const struct route *rt = routes; rt->method; rt++) {
		if (!operation(rt))
			continue;
		const json_t *ps[MAXN];
		int n = doc_params(rt, ps);
		char where[256];
		/* Documented -> declared. */
		for (int i = 0; i < n; i++) {
			if (strcmp(str(ps[i], "in"), "query") != 0)
				continue;
			const char *name = str(ps[i], "name");
			snprintf(where, sizeof where, "%s %s query %s", rt->method, rt->pattern,
			         name);
			const struct param_spec *p = spec_find(rt, name);
			const struct param_spec *deep = p ? NULL : spec_find_deep(rt, name);
			cr_expect(p || deep, "%s: not in the route's param specs", where);
			if (deep)
				cr_expect(str(ps[i], "style") &&
				              !strcmp(str(ps[i], "style"), "deepObject"),
				          "%s: a prefix parameter is style deepObject", where);
			if (!p)
				continue;
			cr_expect_eq(is_true(get(ps[i], "required")), !!(p->flags & PF_REQUIRED),
			             "%s: required flags disagree", where);
			check_schema(p, get(ps[i], "schema"), where);
			if (p->type == PT_LIST)
				cr_expect(str(ps[i], "style") &&
				              !strcmp(str(ps[i], "style"), "form") &&
				              json_is_false(get(ps[i], "explode")),
				          "%s: a comma list is style form, explode false", where);
		}
		/* Declared -> documented (GET: as query parameters; POST: see request_bodies). */
		if (strcmp(rt->method, "GET") != 0)
			continue;
		cr_expect(!get(operation(rt), "requestBody"), "GET %s has a requestBody",
		          rt->pattern);
		for (const struct param_spec *p = rt->params; p && p->name; p++) {
			char name[128];
			snprintf(name, sizeof name, "%s", p->name);
			if (is_prefix_spec(p))
				name[strcspn(name, "[")] = '\0';
			cr_expect(doc_param(ps, n, "query", name),
			          "GET %s: parameter %s not documented", rt->pattern, p->name);
		}
	}
}

Test(openapi, request_bodies_match_specs)
{
	int bodies = 0;
	for (const struct route *rt = routes; rt->method; rt++) {
		const json_t *op = operation(rt);
		if (!op || !strcmp(rt->method, "GET"))
			continue;
		const json_t *body = deref(get(op, "requestBody"));
		if (!rt->params) {
			cr_expect(!body,
			          "%s %s: documented body, but the route takes no parameters",
			          rt->method, rt->pattern);
			continue;
		}
		cr_assert(body, "%s %s: parameters are not documented as a requestBody", rt->method,
		          rt->pattern);
		const json_t *content = get(body, "content");
		/* a route that needs a file is documented as multipart only */
		bool file_only = false;
		for (const struct param_spec *p = rt->params; p->name; p++)
			file_only |= p->type == PT_FILE && (p->flags & PF_REQUIRED);
		if (!file_only)
			check_form(rt, "application/x-www-form-urlencoded",
			           get(content, "application/x-www-form-urlencoded"));
		check_form(rt, "multipart/form-data", get(content, "multipart/form-data"));
		const json_t *js = get(content, "application/json");
		if (js)
			check_form(rt, "application/json", js);
		cr_expect_eq(json_object_size(content), (js ? 3u : 2u) - file_only,
		             "%s %s: body types other than the two forms and application/json",
		             rt->method, rt->pattern);
		bodies++;
	}
	cr_expect_gt(bodies, 0, "no POST route with a body was checked");
}

/* The success statuses a method may document (exactly one of them); NULL: any 2xx. */
static const char *const *success_statuses(const char *method)
{
	static const char *const get_ok[] = {"200", NULL};
	static const char *const post_ok[] = {"200", "201", "204", NULL};
	return !strcmp(method, "GET") ? get_ok : !strcmp(method, "POST") ? post_ok : NULL;
}

Test(openapi, responses_match_routes)
{
	for (const struct route *rt = routes; rt->method; rt++) {
		const json_t *op = operation(rt);
		if (!op)
			continue;
		const json_t *rs = get(op, "responses");
		const char *const *ok = success_statuses(rt->method);
		int n2xx = 0;
		const char *code;
		json_t *r;
		json_object_foreach((json_t *)rs, code, r)
		{
			if (code[0] == '2') {
				n2xx++;
				bool allowed = !ok;
				for (const char *const *s = ok; s && *s && !allowed; s++)
					allowed = strcmp(*s, code) == 0;
				cr_expect(allowed,
				          "%s %s: success status %s is not one a %s answers",
				          rt->method, rt->pattern, code, rt->method);
			}
			const json_t *content = get(deref(r), "content");
			if (!suffixed(rt) || !content)
				continue;
			cr_expect_eq(!!get(content, "application/json"), !!(rt->formats & FMT_JSON),
			             "%s %s %s: application/json vs route formats", rt->method,
			             rt->pattern, code);
			cr_expect_eq(!!get(content, "text/xml"), !!(rt->formats & FMT_XML),
			             "%s %s %s: text/xml vs route formats", rt->method, rt->pattern,
			             code);
		}
		/* A page that only redirects (the 关怀版 switch) succeeds with its 303. */
		if (n2xx == 0 && (rt->formats & FMT_HTML) && get(rs, "303"))
			n2xx = 1;
		cr_expect_eq(n2xx, 1, "%s %s: %d success responses", rt->method, rt->pattern, n2xx);
		if (rt->params)
			cr_expect(get(rs, "400"), "%s %s takes parameters but documents no 400",
			          rt->method, rt->pattern);
		if (!(rt->roles & ROLE_PUBLIC))
			cr_expect(json_array_size(get(op, "security")) > 0,
			          "%s %s is not public but declares no security", rt->method,
			          rt->pattern);
	}
}

Test(openapi, handler_serves_the_document)
{
	struct http_req r = {0};
	struct http_resp w = {0};
	struct err e = {0};
	cr_assert_eq(openapi_get(&r, &w, &e), 0, "%s", e.msg);
	cr_assert_eq(w.json, doc(), "the handler serves the shared document");
	cr_expect_gt(w.json->refcount, 1, "the response holds its own reference");
	json_decref(w.json);
}

static void *load_concurrently(void *arg)
{
	struct err e = {0};
	const json_t **out = arg;
	return (void *)(intptr_t)openapi_document(out, &e);
}

/* Each Criterion test runs in a fresh process: here the first loads race each other. */
Test(openapi, first_load_is_thread_safe)
{
	enum { N = 8 };
	pthread_t t[N];
	const json_t *got[N] = {0};
	for (int i = 0; i < N; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, load_concurrently, &got[i]), 0);
	for (int i = 0; i < N; i++) {
		void *rc;
		pthread_join(t[i], &rc);
		cr_expect_eq((intptr_t)rc, 0);
		cr_expect(got[i] && got[i] == got[0], "every thread sees the one document");
	}
}

/* ---- yaml_to_json ---- */

static json_t *yj(const char *text)
{
	json_t *j = NULL;
	struct err e = {0};
	int rc = yaml_to_json(text, strlen(text), &j, &e);
	cr_assert_eq(rc, 0, "should parse: %s\n%s", e.msg, text);
	return j;
}

static void yj_bad(const char *text, const char *want)
{
	json_t *j = (json_t *)0x1;
	struct err e = {0};
	int rc = yaml_to_json(text, strlen(text), &j, &e);
	cr_expect_eq(rc, ERR_BAD_REQUEST, "should fail with 400: %s", text);
	cr_expect_eq(e.code, ERR_BAD_REQUEST);
	cr_expect(strstr(e.msg, want), "message '%s' lacks '%s'", e.msg, want);
	cr_expect_eq(j, (json_t *)0x1, "output touched on failure");
}

static void yj_eq(const char *yaml, const char *json)
{
	json_t *got = yj(yaml);
	json_error_t jerr;
	json_t *want = json_loads(json, JSON_DECODE_ANY, &jerr);
	cr_assert(want, "bad expected JSON %s: %s", json, jerr.text);
	char *g = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT);
	cr_expect(json_equal(got, want), "%s -> %s, want %s", yaml, g, json);
	free(g);
	json_decref(got);
	json_decref(want);
}

Test(yaml_json, plain_scalars_are_typed)
{
	yj_eq("[1, -7, +3, 007, 0x1F, 0o17]", "[1, -7, 3, 7, 31, 15]");
	yj_eq("[2.5, -0.5, .5, 1., 1e3, 6.02E+23, 01.5]",
	      "[2.5, -0.5, 0.5, 1.0, 1000.0, 6.02e23, 1.5]");
	yj_eq("[true, True, TRUE, false, False, FALSE]", "[true, true, true, false, false, false]");
	yj_eq("[null, Null, NULL, ~, ]", "[null, null, null, null]");
	yj_eq("a:\nb: ~", "{\"a\": null, \"b\": null}");
	/* YAML 1.2: these are strings (1.1 would make booleans and numbers of some). */
	yj_eq(
	    "[yes, no, on, off, y, 0.1.0, 3.1.0, 1_000, 0b101, 12:30, 0x, .]",
	    "[\"yes\", \"no\", \"on\", \"off\", \"y\", \"0.1.0\", \"3.1.0\", \"1_000\", \"0b101\","
	    " \"12:30\", \"0x\", \".\"]");
	json_t *big = yj("9223372036854775807");
	cr_expect_eq(json_integer_value(big), INT64_MAX);
	json_decref(big);
}

Test(yaml_json, quoted_and_block_scalars_stay_strings)
{
	yj_eq("['1', \"2.5\", 'true', \"null\", '', \"~\"]",
	      "[\"1\", \"2.5\", \"true\", \"null\", \"\", \"~\"]");
	yj_eq("[!!str 12, !!str true, ! 3]", "[\"12\", \"true\", \"3\"]");
	yj_eq("[!!int '12', !!float 3, !!bool 'false', !!null '']", "[12, 3.0, false, null]");
	yj_eq("a: |\n  line 1\n  line 2\nb: >\n  folded\n  text\nc: |-\n  42\n",
	      "{\"a\": \"line 1\\nline 2\\n\", \"b\": \"folded text\\n\", \"c\": \"42\"}");
	yj_eq("\"esc\\t\\u00e9\\n\"", "\"esc\\t\\u00e9\\n\"");
	yj_eq("描述: 大连市文明办 创城热线", "{\"描述\": \"大连市文明办 创城热线\"}");
	yj_eq("'200': ok\n404: gone", "{\"200\": \"ok\", \"404\": \"gone\"}");
}

Test(yaml_json, nesting_and_order)
{
	yj_eq("b: 1\na:\n  - x\n  - {k: [1, {z: null}], j: []}\n  -\n    - deep\nc: {}\n",
	      "{\"b\": 1, \"a\": [\"x\", {\"k\": [1, {\"z\": null}], \"j\": []}, [\"deep\"]], "
	      "\"c\": {}}");
	json_t *j = yj("z: 1\ny: 2\nx: 3\n");
	const char *order[] = {"z", "y", "x"};
	int i = 0;
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
	    cr_expect_str_eq(k, order[i++], "keys keep the document's order");
	json_decref(j);
	yj_eq("- a: 1\n  b: 2\n- c\n", "[{\"a\": 1, \"b\": 2}, \"c\"]");
	yj_eq("---\nk: v\n...\n", "{\"k\": \"v\"}");
	yj_eq("# only a comment\n", "null");
	yj_eq("", "null");
	yj_eq("plain text", "\"plain text\"");
}

Test(yaml_json, anchors_and_aliases)
{
	yj_eq("base: &b {x: 1, y: [2]}\ncopy: *b\ns: &s hi\nt: *s\n",
	      "{\"base\": {\"x\": 1, \"y\": [2]}, \"copy\": {\"x\": 1, \"y\": [2]}, \"s\": \"hi\","
	      " \"t\": \"hi\"}");
	yj_eq("- &k name\n- {*k : v}\n", "[\"name\", {\"name\": \"v\"}]");
	yj_bad("a: *nowhere\n", "line 1, column 4: undefined alias");
	yj_bad("a: &a [1, *a]\n", "undefined alias"); /* a cycle JSON cannot hold */
	yj_bad("b: &b {x: 1}\nc:\n  <<: *b\n", "line 3, column 3: merge keys");
	yj_eq("'<<': quoted is a plain key", "{\"<<\": \"quoted is a plain key\"}");
}

Test(yaml_json, errors_have_positions)
{
	yj_bad("a: 1\nb: [1, 2\nc: 3\n", "line 3");
	yj_bad("a: 1\n b: 2\n", "line 2");
	yj_bad("key: \"unterminated\n", "line 2");
	yj_bad("a:\n  b: 1\n  b: 2\n", "line 3, column 3: duplicate key 'b'");
	yj_bad("x: 1\n---\ny: 2\n", "line 2, column 1: more than one YAML document");
	yj_bad("? [a, b]\n: c\n", "line 1, column 3: complex mapping keys");
	yj_bad("a: .inf\n", "line 1, column 4: '.inf' cannot be represented");
	yj_bad("a: -.Inf\n", "cannot be represented");
	yj_bad("a: .nan\n", "cannot be represented");
	yj_bad("n: 9223372036854775808\n", "line 1, column 4: integer");
	yj_bad("n: 1e400\n", "out of range");
	yj_bad("t: !!int abc\n", "does not match its tag");
	yj_bad("t: !custom x\n", "unsupported tag '!custom'");
	yj_bad("ok: 1\nbad: \"\xff\"\n", "line 2, column 7");
	yj_bad("\"a\\0b\": 1\n", "NUL");
}

Test(yaml_json, deep_nesting_is_refused)
{
	char text[1200];
	memset(text, '[', 599);
	text[599] = '1';
	memset(text + 600, ']', 599);
	text[1199] = '\0';
	yj_bad(text, "deeper than 256");
	char ok[520];
	memset(ok, '[', 256);
	memset(ok + 256, ']', 256);
	ok[512] = '\0';
	json_t *j = yj(ok);
	cr_expect(json_is_array(j));
	json_decref(j);
}
