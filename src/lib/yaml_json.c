/* YAML to JSON with libyaml's event parser. Collections are attached to their parent as soon as
 * they start, so the tree under `root` owns every value at all times and an error needs only one
 * json_decref; the stack holds borrowed pointers to the open collections. */
#include "lib/yaml_json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

enum { MAX_DEPTH = 256 };

#define TAG_STR "tag:yaml.org,2002:str"
#define TAG_INT "tag:yaml.org,2002:int"
#define TAG_FLOAT "tag:yaml.org,2002:float"
#define TAG_BOOL "tag:yaml.org,2002:bool"
#define TAG_NULL "tag:yaml.org,2002:null"
#define TAG_MAP "tag:yaml.org,2002:map"
#define TAG_SEQ "tag:yaml.org,2002:seq"

struct frame {
	json_t *node; /* borrowed: an array or object inside root */
	char *key; /* objects: the key waiting for its value (malloc'd), NULL when a key is due */
	char *anchor; /* registered when the collection ends (malloc'd) */
};

struct anchor {
	char *name;
	json_t *value; /* own reference */
};

struct builder {
	const char *text;
	size_t len;
	json_t *root;
	int docs;
	int depth;
	struct frame stack[MAX_DEPTH];
	struct anchor *anchors;
	size_t nanchors, cap;
};

/* ERR_BAD_REQUEST, the message prefixed with the 1-based position. */
__attribute__((format(printf, 3, 4))) static int fail_at(struct err *e, yaml_mark_t m,
                                                         const char *fmt, ...)
{
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return err_set(e, ERR_BAD_REQUEST, "line %zu, column %zu: %s", m.line + 1, m.column + 1,
	               what);
}

/* jansson refuses only on allocation failure (input text is valid UTF-8: libyaml checks it). */
static int oom(struct err *e)
{
	return err_set(e, ERR_INTERNAL, "out of memory converting YAML");
}

/* ---- scalars (YAML 1.2 core schema) ---- */

static bool is_one_of(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && memcmp(s, *words, n) == 0)
			return true;
	return false;
}

static const char *const NULLS[] = {"~", "null", "Null", "NULL", NULL};
static const char *const TRUES[] = {"true", "True", "TRUE", NULL};
static const char *const FALSES[] = {"false", "False", "FALSE", NULL};
static const char *const INFS[] = {".inf",  ".Inf",  ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
                                   "-.Inf", "-.INF", ".nan", ".NaN",  ".NAN",  NULL};

static size_t span(const char *s, size_t n, const char *set)
{
	size_t i = 0;
	while (i < n && s[i] && strchr(set, s[i]))
		i++;
	return i;
}

#define DIGITS "0123456789"

/* [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ ; *base is 10, 8 or 16, *skip the prefix length. */
static bool int_form(const char *s, size_t n, int *base, size_t *skip)
{
	if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
		*base = s[1] == 'o' ? 8 : 16;
		*skip = 2;
		return span(s + 2, n - 2, *base == 8 ? "01234567" : DIGITS "abcdefABCDEF") == n - 2;
	}
	size_t i = n && (s[0] == '-' || s[0] == '+');
	*base = 10;
	*skip = 0;
	return i < n && span(s + i, n - i, DIGITS) == n - i;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? , rewritten as JSON number text (no '+',
 * no leading zeros, digits around the point, always a real) into out (n + 4 bytes). */
static bool float_form(const char *s, size_t n, char *out)
{
	size_t i = 0, o = 0;
	if (i < n && (s[i] == '-' || s[i] == '+')) {
		if (s[i] == '-')
			out[o++] = '-';
		i++;
	}
	size_t ip = span(s + i, n - i, DIGITS);
	const char *idig = s + i;
	i += ip;
	size_t fp = 0;
	const char *fdig = NULL;
	bool point = i < n && s[i] == '.';
	if (point) {
		i++;
		fdig = s + i;
		fp = span(s + i, n - i, DIGITS);
		i += fp;
	}
	if (ip == 0 && fp == 0)
		return false;
	while (ip > 1 && *idig == '0') {
		idig++;
		ip--;
	}
	if (ip == 0)
		out[o++] = '0';
	memcpy(out + o, idig, ip);
	o += ip;
	out[o++] = '.';
	if (fp) {
		memcpy(out + o, fdig, fp);
		o += fp;
	} else {
		out[o++] = '0';
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		out[o++] = 'e';
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			out[o++] = s[i++];
		size_t ep = span(s + i, n - i, DIGITS);
		if (ep == 0)
			return false;
		memcpy(out + o, s + i, ep);
		o += ep;
		i += ep;
	}
	out[o] = '\0';
	return i == n;
}

/* A plain scalar (or one tagged !!int, !!float, …) as a typed value; *v NULL means "a string".
 * The float text goes through jansson's own parser, so the C locale is never involved. */
static int resolve_plain(const char *s, size_t n, json_t **v, yaml_mark_t m, struct err *e)
{
	*v = NULL;
	if (n == 0 || is_one_of(s, n, NULLS)) {
		*v = json_null();
		return 0;
	}
	if (is_one_of(s, n, TRUES) || is_one_of(s, n, FALSES)) {
		*v = json_boolean(is_one_of(s, n, TRUES));
		return 0;
	}
	if (is_one_of(s, n, INFS))
		return fail_at(e, m, "'%s' cannot be represented in JSON (quote it for a string)",
		               s);
	int base;
	size_t skip;
	if (int_form(s, n, &base, &skip)) {
		errno = 0;
		char *end;
		long long x = strtoll(s + skip, &end, base);
		if (errno == ERANGE || end != s + n)
			return fail_at(e, m, "integer '%s' is out of range", s);
		*v = json_integer(x);
		return *v ? 0 : oom(e);
	}
	char *num = malloc(n + 4);
	if (!num)
		return oom(e);
	int rc = 0;
	if (float_form(s, n, num)) {
		json_error_t jerr;
		*v = json_loads(num, JSON_DECODE_ANY, &jerr);
		if (!*v)
			rc = fail_at(e, m, "number '%s' is out of range", s);
	}
	free(num);
	return rc;
}

static int scalar_value(const yaml_event_t *ev, json_t **out, struct err *e)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	yaml_mark_t m = ev->start_mark;
	*out = NULL;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	bool as_string = tag ? strcmp(tag, TAG_STR) == 0 || strcmp(tag, "!") == 0 : !plain;
	if (as_string) {
		*out = json_stringn(s, n);
		return *out ? 0 : oom(e);
	}
	if (tag && strcmp(tag, TAG_INT) && strcmp(tag, TAG_FLOAT) && strcmp(tag, TAG_BOOL) &&
	    strcmp(tag, TAG_NULL))
		return fail_at(e, m, "unsupported tag '%s'", tag);
	json_t *v;
	int rc = resolve_plain(s, n, &v, m, e);
	if (rc < 0)
		return rc;
	if (!v) {
		if (tag)
			return fail_at(e, m, "'%s' does not match its tag", s);
		v = json_stringn(s, n);
		if (!v)
			return oom(e);
	}
	if (tag) {
		bool ok = (!strcmp(tag, TAG_INT) && json_is_integer(v)) ||
		          (!strcmp(tag, TAG_FLOAT) && json_is_number(v)) ||
		          (!strcmp(tag, TAG_BOOL) && json_is_boolean(v)) ||
		          (!strcmp(tag, TAG_NULL) && json_is_null(v));
		if (!ok) {
			json_decref(v);
			return fail_at(e, m, "'%s' does not match its tag", s);
		}
		if (!strcmp(tag, TAG_FLOAT) && json_is_integer(v)) {
			json_t *r = json_real((double)json_integer_value(v));
			json_decref(v);
			if (!r)
				return oom(e);
			v = r;
		}
	}
	*out = v;
	return 0;
}

/* ---- the tree ---- */

static struct frame *top(struct builder *b)
{
	return b->depth ? &b->stack[b->depth - 1] : NULL;
}

static bool key_due(struct builder *b)
{
	struct frame *f = top(b);
	return f && json_is_object(f->node) && !f->key;
}

/* Sets the pending key of the open object, refusing duplicates and keys JSON cannot hold. */
static int take_key(struct builder *b, const char *s, size_t n, yaml_mark_t m, struct err *e)
{
	struct frame *f = top(b);
	if (memchr(s, '\0', n))
		return fail_at(e, m, "a mapping key contains a NUL character");
	char *k = strndup(s, n);
	if (!k)
		return oom(e);
	if (json_object_get(f->node, k)) {
		int rc = fail_at(e, m, "duplicate key '%s'", k);
		free(k);
		return rc;
	}
	f->key = k;
	return 0;
}

/* Places v (stolen) as the document root, the next array item or the pending key's value. */
static int put(struct builder *b, json_t *v, yaml_mark_t m, struct err *e)
{
	struct frame *f = top(b);
	int rc;
	if (!f) {
		if (b->root) {
			json_decref(v);
			return fail_at(e, m, "more than one root value");
		}
		b->root = v;
		return 0;
	}
	if (json_is_array(f->node)) {
		rc = json_array_append_new(f->node, v);
	} else {
		rc = json_object_set_new(f->node, f->key, v);
		free(f->key);
		f->key = NULL;
	}
	return rc == 0 ? 0 : oom(e);
}

static int anchor_add(struct builder *b, const char *name, json_t *v, struct err *e)
{
	if (b->nanchors == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct anchor *a = realloc(b->anchors, cap * sizeof *a);
		if (!a)
			return oom(e);
		b->anchors = a;
		b->cap = cap;
	}
	char *copy = strdup(name);
	if (!copy)
		return oom(e);
	b->anchors[b->nanchors].name = copy;
	b->anchors[b->nanchors].value = json_incref(v);
	b->nanchors++;
	return 0;
}

static const json_t *anchor_find(const struct builder *b, const char *name)
{
	for (size_t i = b->nanchors; i-- > 0;) /* the latest definition wins */
		if (strcmp(b->anchors[i].name, name) == 0)
			return b->anchors[i].value;
	return NULL;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev, struct err *e)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	const char *anchor = (const char *)ev->data.scalar.anchor;
	int rc;
	if (key_due(b)) {
		if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && n == 2 &&
		    !memcmp(s, "<<", 2))
			return fail_at(e, ev->start_mark, "merge keys (<<) are not supported");
		if ((rc = take_key(b, s, n, ev->start_mark, e)) < 0)
			return rc;
		if (anchor) {
			json_t *k = json_stringn(s, n);
			if (!k)
				return oom(e);
			rc = anchor_add(b, anchor, k, e);
			json_decref(k);
		}
		return rc;
	}
	json_t *v;
	if ((rc = scalar_value(ev, &v, e)) < 0)
		return rc;
	if (anchor && (rc = anchor_add(b, anchor, v, e)) < 0) {
		json_decref(v);
		return rc;
	}
	return put(b, v, ev->start_mark, e);
}

static int on_alias(struct builder *b, const yaml_event_t *ev, struct err *e)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const json_t *v = anchor_find(b, name);
	if (!v)
		return fail_at(e, ev->start_mark, "undefined alias '*%s'", name);
	if (key_due(b)) {
		if (!json_is_string(v))
			return fail_at(e, ev->start_mark,
			               "alias '*%s' used as a key is not a string", name);
		return take_key(b, json_string_value(v), json_string_length(v), ev->start_mark, e);
	}
	json_t *copy = json_deep_copy(v);
	if (!copy)
		return oom(e);
	return put(b, copy, ev->start_mark, e);
}

static int on_start(struct builder *b, const yaml_event_t *ev, bool map, struct err *e)
{
	const char *tag =
	    (const char *)(map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag);
	const char *anchor =
	    (const char *)(map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor);
	if (tag && strcmp(tag, map ? TAG_MAP : TAG_SEQ) != 0 && strcmp(tag, "!") != 0)
		return fail_at(e, ev->start_mark, "unsupported tag '%s'", tag);
	if (key_due(b))
		return fail_at(
		    e, ev->start_mark,
		    "complex mapping keys (a mapping or sequence as a key) are not supported");
	if (b->depth == MAX_DEPTH)
		return fail_at(e, ev->start_mark, "nesting is deeper than %d levels", MAX_DEPTH);
	json_t *node = map ? json_object() : json_array();
	if (!node)
		return oom(e);
	int rc = put(b, node, ev->start_mark, e); /* the tree owns it from here */
	if (rc < 0)
		return rc;
	char *a = NULL;
	if (anchor && !(a = strdup(anchor)))
		return oom(e);
	b->stack[b->depth++] = (struct frame){.node = node, .key = NULL, .anchor = a};
	return 0;
}

static int on_end(struct builder *b, const yaml_event_t *ev, struct err *e)
{
	(void)ev;
	struct frame *f = top(b);
	int rc = 0;
	if (f->anchor)
		rc = anchor_add(b, f->anchor, f->node, e);
	free(f->anchor);
	free(f->key); /* a mapping's last key always has a value; defensive */
	b->depth--;
	return rc;
}

static void builder_free(struct builder *b)
{
	for (int i = 0; i < b->depth; i++) {
		free(b->stack[i].key);
		free(b->stack[i].anchor);
	}
	for (size_t i = 0; i < b->nanchors; i++) {
		free(b->anchors[i].name);
		json_decref(b->anchors[i].value);
	}
	free(b->anchors);
	json_decref(b->root);
}

static int parse_error(const struct builder *b, const yaml_parser_t *p, struct err *e)
{
	const char *problem = p->problem ? p->problem : "malformed YAML";
	if (p->error == YAML_MEMORY_ERROR)
		return oom(e);
	yaml_mark_t m = p->problem_mark;
	if (p->error == YAML_READER_ERROR) { /* bad encoding: only a byte offset is known */
		size_t off = p->problem_offset < b->len ? p->problem_offset : b->len;
		m.line = m.column = 0;
		for (size_t i = 0; i < off; i++) {
			if (b->text[i] == '\n') {
				m.line++;
				m.column = 0;
			} else {
				m.column++;
			}
		}
	}
	if (p->context)
		return err_set(e, ERR_BAD_REQUEST, "line %zu, column %zu: %s (%s from line %zu)",
		               m.line + 1, m.column + 1, problem, p->context,
		               p->context_mark.line + 1);
	return err_set(e, ERR_BAD_REQUEST, "line %zu, column %zu: %s", m.line + 1, m.column + 1,
	               problem);
}

int yaml_to_json(const char *text, size_t len, json_t **out, struct err *e)
{
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return oom(e);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	struct builder *b = calloc(1, sizeof *b);
	if (!b) {
		yaml_parser_delete(&p);
		return oom(e);
	}
	b->text = text;
	b->len = len;
	int rc = 0;
	bool done = false;
	while (rc == 0 && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			rc = parse_error(b, &p, e);
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++b->docs > 1)
				rc = fail_at(e, ev.start_mark,
				             "more than one YAML document in the stream");
			break;
		case YAML_SCALAR_EVENT:
			rc = on_scalar(b, &ev, e);
			break;
		case YAML_ALIAS_EVENT:
			rc = on_alias(b, &ev, e);
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = on_start(b, &ev, false, e);
			break;
		case YAML_MAPPING_START_EVENT:
			rc = on_start(b, &ev, true, e);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			rc = on_end(b, &ev, e);
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default: /* stream start, document end */
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (rc == 0) {
		*out = b->root ? b->root : json_null();
		b->root = NULL;
	}
	builder_free(b);
	free(b);
	return rc;
}
