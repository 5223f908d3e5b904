/* Parsing request parameters: query strings, application/x-www-form-urlencoded and
 * multipart/form-data (RFC 7578). Everything is parsed in place in arena memory: names, values
 * and file bytes point into the buffer they arrived in, NUL-terminated where a separator was. */
#include "http/params.h"

#include "lib/buf.h"

#include <string.h>
#include <strings.h>

void params_init(struct param_list *pl)
{
	pl->head = NULL;
	pl->tail = &pl->head;
	pl->count = 0;
	pl->files = 0;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

long url_decode(char *s, size_t len, bool plus)
{
	size_t i = 0, o = 0;
	/* Most values have nothing to decode: skip ahead without writing. */
	while (i < len && s[i] != '%' && !(plus && s[i] == '+'))
		i++;
	o = i;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= len)
				return -1;
			int hi = hexval((unsigned char)s[i + 1]);
			int lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			s[o++] = (char)(hi << 4 | lo);
			i += 3;
		} else {
			s[o++] = (plus && c == '+') ? ' ' : (char)c;
			i++;
		}
	}
	s[o] = '\0';
	return (long)o;
}

/* Appends a parameter; NULL (e set) past PARAMS_MAX. */
static struct param *param_add(struct arena *a, struct param_list *pl, const char *name,
                               const char *value, size_t len, struct err *e)
{
	if (pl->count >= PARAMS_MAX) {
		err_set(e, ERR_BAD_REQUEST, "too many parameters (at most %d)", PARAMS_MAX);
		return NULL;
	}
	struct param *p = arena_alloc(a, sizeof *p);
	p->name = name;
	p->value = value;
	p->len = len;
	*pl->tail = p;
	pl->tail = &p->next;
	pl->count++;
	return p;
}

/* How much of s[0..n) is safe to echo in a message: plain printable ASCII, at most 60. */
static int printable_prefix(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && i < 60 && s[i] > ' ' && s[i] < 0x7f && s[i] != '%')
		i++;
	return (int)i;
}

int params_parse_urlencoded(struct arena *a, char *s, size_t len, struct param_list *pl,
                            struct err *e)
{
	size_t i = 0;
	while (i < len) {
		size_t start = i;
		while (i < len && s[i] != '&')
			i++;
		size_t end = i++; /* skip the '&' (or step past the end) */
		if (end == start)
			continue; /* "a=1&&b=2" */
		char *pair = s + start;
		size_t plen = end - start;
		char *eq = memchr(pair, '=', plen);
		size_t nlen = eq ? (size_t)(eq - pair) : plen;
		char *value = eq ? eq + 1 : pair + plen; /* no '=': the empty string at the '&' */
		size_t vraw = eq ? plen - nlen - 1 : 0;
		/* Decode the value first: decoding the name writes a NUL over the '='. */
		long vlen = url_decode(value, vraw, true);
		if (vlen < 0)
			return err_set(e, ERR_BAD_REQUEST,
			               "malformed %%-escape in parameter `%.*s`",
			               printable_prefix(pair, nlen), pair);
		long nl = url_decode(pair, nlen, true);
		if (nl < 0)
			return err_set(e, ERR_BAD_REQUEST,
			               "malformed %%-escape in a parameter name");
		if (nl == 0)
			continue; /* "=x": nameless, ignored */
		if (memchr(pair, '\0', (size_t)nl))
			return err_set(e, ERR_BAD_REQUEST, "a parameter name contains a NUL byte");
		if (!param_add(a, pl, pair, value, (size_t)vlen, e))
			return ERR_BAD_REQUEST;
	}
	return 0;
}

/* RFC 2046 bchars: DIGIT / ALPHA / "'()+_,-./:=? " (space not last), 1 to 70 of them. */
static bool boundary_valid(const char *b, size_t n)
{
	if (n < 1 || n > 70 || b[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];
		if (!((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
		      (c && strchr("'()+_,-./:=? ", c))))
			return false;
	}
	return true;
}

/* Reads one header parameter "; key=value" (value a token or a quoted-string) starting at *pp.
 * Unescapes quoted-strings in place. Returns 1 and key/value (NUL-terminated in place), 0 at
 * the end, -1 when malformed. */
static int hparam_next(char **pp, char **key, char **value)
{
	char *p = *pp;
	while (*p == ' ' || *p == '\t' || *p == ';')
		p++;
	if (!*p)
		return 0;
	char *k = p;
	while (*p && *p != '=' && *p != ';' && *p != ' ' && *p != '\t')
		p++;
	char *kend = p;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=') {
		/* A bare token such as "form-data": a key without a value. */
		char c = *p;
		*kend = '\0';
		*key = k;
		*value = NULL;
		*pp = c ? p + (c == ';') : p;
		return 1;
	}
	*kend = '\0';
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	char *v = p;
	if (*p == '"') {
		char *o = ++p;
		v = o;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			*o++ = *p++;
		}
		if (*p != '"')
			return -1;
		p++;
		*o = '\0';
	} else {
		while (*p && *p != ';' && *p != ' ' && *p != '\t')
			p++;
	}
	char c = *p;
	*p = '\0';
	*key = k;
	*value = v;
	*pp = c ? p + 1 : p;
	return 1;
}

const char *params_boundary(struct arena *a, const char *ct)
{
	if (!ct)
		return NULL;
	char *s = arena_strdup(a, ct), *key, *val;
	int rc;
	while ((rc = hparam_next(&s, &key, &val)) == 1) {
		if (val && strcasecmp(key, "boundary") == 0)
			return boundary_valid(val, strlen(val)) ? val : NULL;
	}
	return NULL;
}

/* The headers of one part, parsed in place. */
struct part_head {
	char *name, *filename, *content_type;
};

static int part_headers(char *h, size_t len, struct part_head *ph, struct err *e)
{
	memset(ph, 0, sizeof *ph);
	bool disposition = false;
	char *end = h + len;
	while (h < end) {
		char *eol = memchr(h, '\r', (size_t)(end - h));
		if (!eol)
			eol = end;
		*eol = '\0'; /* the CR of the line's CRLF, or the header block's first CR */
		char *colon = memchr(h, ':', (size_t)(eol - h));
		if (!colon)
			return err_set(e, ERR_BAD_REQUEST, "malformed multipart part header");
		*colon = '\0';
		char *v = colon + 1;
		if (strcasecmp(h, "Content-Disposition") == 0) {
			char *key, *val;
			int rc = hparam_next(&v, &key, &val);
			if (rc != 1 || val || strcasecmp(key, "form-data") != 0)
				return err_set(e, ERR_BAD_REQUEST,
				               "multipart part is not form-data");
			disposition = true;
			while ((rc = hparam_next(&v, &key, &val)) == 1) {
				if (!val)
					continue;
				if (strcasecmp(key, "name") == 0)
					ph->name = val;
				else if (strcasecmp(key, "filename") == 0)
					ph->filename = val;
			}
			if (rc < 0)
				return err_set(e, ERR_BAD_REQUEST,
				               "malformed multipart Content-Disposition");
		} else if (strcasecmp(h, "Content-Type") == 0) {
			while (*v == ' ' || *v == '\t')
				v++;
			ph->content_type = v;
		}
		h = eol + 2; /* past the CRLF */
	}
	if (!disposition || !ph->name || !ph->name[0])
		return err_set(e, ERR_BAD_REQUEST, "multipart part without a field name");
	return 0;
}

int params_parse_multipart(struct arena *a, char *body, size_t len, const char *boundary,
                           int max_files, struct param_list *pl, struct err *e)
{
	size_t blen = strlen(boundary);
	if (!boundary_valid(boundary, blen))
		return err_set(e, ERR_BAD_REQUEST, "bad multipart boundary");
	/* "\r\n--" boundary: the delimiter before every part but the first. */
	char *delim = arena_alloc(a, blen + 5);
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, blen);
	size_t dlen = blen + 4;

	char *end = body + len, *p;
	/* The first delimiter may open the body or follow a preamble. */
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
		p = body + dlen - 2;
	} else {
		p = memmem(body, len, delim, dlen);
		if (!p)
			return err_set(e, ERR_BAD_REQUEST, "multipart body without its boundary");
		p += dlen;
	}
	for (;;) {
		/* p is just past a delimiter: "--" closes the body, else (padding) CRLF. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return 0;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			return err_set(e, ERR_BAD_REQUEST, "truncated or malformed multipart body");
		p += 2;
		char *hend;
		size_t hlen;
		if (end - p >= 2 && p[0] == '\r' && p[1] == '\n') {
			hend = p; /* no headers at all: rejected below for want of a name */
			hlen = 0;
		} else {
			hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
			if (!hend)
				return err_set(e, ERR_BAD_REQUEST, "truncated multipart headers");
			hlen = (size_t)(hend - p) + 2;
			hend += 2;
		}
		char *data = hend + 2;
		char *next = memmem(data, (size_t)(end - data), delim, dlen);
		if (!next)
			return err_set(e, ERR_BAD_REQUEST, "truncated multipart body");
		struct part_head ph;
		int rc = part_headers(p, hlen, &ph, e);
		if (rc)
			return rc;
		size_t dl = (size_t)(next - data);
		*next = '\0'; /* over the delimiter's CR, already matched */
		p = next + dlen;
		/* An empty file input: browsers send filename="" and no bytes. Not a file. */
		if (ph.filename && !ph.filename[0] && dl == 0)
			continue;
		if (ph.filename && ++pl->files > max_files)
			return err_set(e, ERR_TOO_LARGE, "too many files (at most %d)", max_files);
		struct param *added = param_add(a, pl, ph.name, data, dl, e);
		if (!added)
			return ERR_BAD_REQUEST;
		added->filename = ph.filename;
		added->content_type = ph.content_type;
	}
}

/* One JSON scalar as parameter text: strings as they are, numbers and booleans spelled as a
 * form would send them. NULL for objects, arrays and null. */
static const char *scalar_text(struct arena *a, json_t *v, size_t *len)
{
	const char *s = NULL;
	if (json_is_string(v)) {
		*len = json_string_length(v);
		return arena_strndup(a, json_string_value(v), *len);
	}
	if (json_is_integer(v))
		s = arena_printf(a, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		s = arena_printf(a, "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		s = json_is_true(v) ? "true" : "false";
	if (s)
		*len = strlen(s);
	return s;
}

int params_parse_json(struct arena *a, const char *body, size_t len, struct param_list *pl,
                      struct err *e)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return err_set(e, ERR_BAD_REQUEST, "body is not valid JSON: %s (line %d)",
		               jerr.text, jerr.line);
	arena_defer(a, (void (*)(void *))json_decref, root);
	if (!json_is_object(root))
		return err_set(e, ERR_BAD_REQUEST, "the JSON body must be an object");
	const char *key;
	json_t *v;
	json_object_foreach(root, key, v)
	{
		const char *name = arena_strdup(a, key);
		size_t n;
		if (json_is_null(v))
			continue;       /* the same as leaving the member out */
		if (json_is_array(v)) { /* a list, as the comma list a form would send */
			struct buf joined = BUF_INIT;
			size_t i;
			json_t *item;
			json_array_foreach(v, i, item)
			{
				const char *s = scalar_text(a, item, &n);
				if (!s || memchr(s, ',', n)) {
					buf_free(&joined);
					return err_set(
					    e, ERR_BAD_REQUEST,
					    "%.60s: array items must be strings, numbers or"
					    " booleans without commas",
					    key);
				}
				if (i)
					buf_addc(&joined, ',');
				buf_add(&joined, s, n);
			}
			const char *s = arena_strndup(a, joined.data, joined.len);
			n = joined.len;
			buf_free(&joined);
			if (!param_add(a, pl, name, s, n, e))
				return e->code;
			continue;
		}
		const char *s = scalar_text(a, v, &n);
		if (!s)
			return err_set(e, ERR_BAD_REQUEST, "%.60s: objects are not accepted here",
			               key);
		if (!param_add(a, pl, name, s, n, e))
			return e->code;
	}
	return 0;
}
