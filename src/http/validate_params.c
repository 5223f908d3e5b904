/* Declared parameter validation: each route lists its parameters (struct param_spec) and this
 * file checks them all before the handler runs, so a handler only ever sees valid input. */
#include "http/params.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/timefmt.h"
#include "lib/buf.h"
#include "lib/utf8.h"

enum { DEFAULT_MAX_LEN = 1000, DEFAULT_MAX_TOKENS = 100 };

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether min/max bound the value: a spec that leaves both at 0 declares no range. */
static bool has_range(const struct param_spec *s)
{
	return s->min != 0 || s->max != 0;
}

static int out_of_range(const struct param_spec *s, const struct param *p, struct err *e)
{
	return err_set(e, ERR_BAD_REQUEST, "`%.100s` must be between %.15g and %.15g", p->name,
	               s->min, s->max);
}

/* Decimal integer: -?[0-9]+, nothing else (no sign '+', spaces, hex or trailing junk). */
static int check_int(const struct param_spec *s, struct param *p, struct err *e)
{
	const char *v = p->value;
	size_t i = v[0] == '-';
	if (i >= p->len)
		goto bad;
	for (size_t k = i; k < p->len; k++)
		if (!is_digit(v[k]))
			goto bad;
	errno = 0;
	long long n = strtoll(v, NULL, 10);
	if (errno == ERANGE)
		return err_set(e, ERR_BAD_REQUEST, "`%.100s` is out of range", p->name);
	if (has_range(s) && ((double)n < s->min || (double)n > s->max))
		return out_of_range(s, p, e);
	p->ival = n;
	return 0;
bad:
	return err_set(e, ERR_BAD_REQUEST, "`%.100s` must be a decimal integer", p->name);
}

/* Decimal number: -?(digits[.digits]|.digits)([eE][+-]?digits)? — no hex, inf or nan. The
 * server never calls setlocale(), so strtod reads '.' as the decimal point. */
static int check_double(const struct param_spec *s, struct param *p, struct err *e)
{
	const char *v = p->value, *q = v;
	if (*q == '-')
		q++;
	size_t whole = 0, frac = 0;
	while (is_digit(*q))
		q++, whole++;
	if (*q == '.') {
		q++;
		while (is_digit(*q))
			q++, frac++;
	}
	if (whole + frac == 0)
		goto bad;
	if (*q == 'e' || *q == 'E') {
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!is_digit(*q))
			goto bad;
		while (is_digit(*q))
			q++;
	}
	if ((size_t)(q - v) != p->len)
		goto bad;
	double d = strtod(v, NULL);
	if (!isfinite(d))
		return err_set(e, ERR_BAD_REQUEST, "`%.100s` is out of range", p->name);
	if (has_range(s) && (d < s->min || d > s->max))
		return out_of_range(s, p, e);
	p->dval = d;
	return 0;
bad:
	return err_set(e, ERR_BAD_REQUEST, "`%.100s` must be a decimal number", p->name);
}

static bool in_values(const char *const *values, const char *v, size_t n)
{
	for (; values && *values; values++)
		if (strlen(*values) == n && memcmp(*values, v, n) == 0)
			return true;
	return false;
}

static int not_in_values(const struct param_spec *s, const struct param *p, struct err *e)
{
	struct buf b = BUF_INIT;
	for (const char *const *v = s->values; v && *v; v++)
		buf_printf(&b, "%s%s", v == s->values ? "" : ", ", *v);
	err_set(e, ERR_BAD_REQUEST, "`%.100s` must be %s: %s", p->name,
	        s->type == PT_LIST ? "a list of" : "one of", b.data);
	buf_free(&b);
	return ERR_BAD_REQUEST;
}

static int check_enum(const struct param_spec *s, const struct param *p, struct err *e)
{
	return in_values(s->values, p->value, p->len) ? 0 : not_in_values(s, p, e);
}

/* Comma-separated tokens; with values set, each token must be one of them. Empty only with
 * PF_EMPTY (no items). */
static int check_list(const struct param_spec *s, const struct param *p, size_t max_len,
                      struct err *e)
{
	size_t max_tokens = s->max > 0 ? (size_t)s->max : DEFAULT_MAX_TOKENS, n = 0;
	const char *v = p->value, *end = v + p->len;
	if (p->len == 0 && (s->flags & PF_EMPTY))
		return 0;
	for (;;) {
		const char *comma = memchr(v, ',', (size_t)(end - v));
		const char *tend = comma ? comma : end;
		size_t tlen = (size_t)(tend - v);
		if (tlen == 0)
			return err_set(e, ERR_BAD_REQUEST, "`%.100s` has an empty list item",
			               p->name);
		if (tlen > max_len)
			return err_set(e, ERR_BAD_REQUEST,
			               "`%.100s` has an item longer than %zu bytes", p->name,
			               max_len);
		if (++n > max_tokens)
			return err_set(e, ERR_BAD_REQUEST, "`%.100s` has more than %zu items",
			               p->name, max_tokens);
		if (s->values && !in_values(s->values, v, tlen))
			return not_in_values(s, p, e);
		if (!comma)
			return 0;
		v = comma + 1;
	}
}

/* host[:port] of an absolute URL: a DNS name or IPv4 ([A-Za-z0-9.-]) or a bracketed IPv6. */
static bool authority_ok(const char *a, size_t n)
{
	if (n == 0 || memchr(a, '@', n)) /* userinfo hides the real host from readers */
		return false;
	size_t i = 0;
	if (a[0] == '[') {
		while (++i < n && a[i] != ']')
			if (!(is_digit(a[i]) || ((a[i] | 0x20) >= 'a' && (a[i] | 0x20) <= 'f') ||
			      a[i] == ':' || a[i] == '.'))
				return false;
		if (i >= n || i == 1)
			return false;
		i++;
	} else {
		while (i < n && a[i] != ':') {
			char c = a[i];
			if (!(is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '.' ||
			      c == '-'))
				return false;
			i++;
		}
		if (i == 0)
			return false;
	}
	if (i == n)
		return true;
	if (a[i] != ':' || n - i - 1 < 1 || n - i - 1 > 5)
		return false;
	long port = 0;
	for (i++; i < n; i++) {
		if (!is_digit(a[i]))
			return false;
		port = port * 10 + (a[i] - '0');
	}
	return port > 0 && port <= 65535;
}

static bool url_ok(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f)
			return false;
	size_t skip;
	if (len > 7 && strncasecmp(v, "http://", 7) == 0)
		skip = 7;
	else if (len > 8 && strncasecmp(v, "https://", 8) == 0)
		skip = 8;
	else
		return false;
	const char *a = v + skip;
	size_t n = strcspn(a, "/?#");
	return authority_ok(a, n);
}

static int check_value(const struct param_spec *s, struct param *p, struct err *e)
{
	size_t max_len = s->max_len ? s->max_len : DEFAULT_MAX_LEN;
	if (s->type == PT_FILE) {
		if (!p->filename)
			return err_set(e, ERR_BAD_REQUEST, "`%.100s` must be a file upload",
			               p->name);
		if (p->len > max_len)
			return err_set(e, ERR_TOO_LARGE,
			               "`%.100s` is too large (at most %zu bytes)", p->name,
			               max_len);
		return 0;
	}
	if (p->filename)
		return err_set(e, ERR_BAD_REQUEST, "`%.100s` must be a form field, not a file",
		               p->name);
	if (s->type != PT_LIST && p->len > max_len)
		return err_set(e, ERR_BAD_REQUEST, "`%.100s` is too long (at most %zu bytes)",
		               p->name, max_len);
	/* Every type but text is one line without controls: check that once, up front. */
	if (utf8_has_controls(p->value, p->len, s->type == PT_TEXT))
		return err_set(e, ERR_BAD_REQUEST, "`%.100s` must not contain control characters",
		               p->name);
	switch (s->type) {
	case PT_STRING:
	case PT_TEXT:
		return 0;
	case PT_INT:
		return check_int(s, p, e);
	case PT_DOUBLE:
		return check_double(s, p, e);
	case PT_DATETIME:
		if (time_parse_iso8601(p->value, TZ_SHANGHAI, &p->ival) != 0)
			return err_set(
			    e, ERR_BAD_REQUEST,
			    "`%.100s` must be a date-time such as 2026-01-31T09:30:00+08:00",
			    p->name);
		return 0;
	case PT_ENUM:
		return check_enum(s, p, e);
	case PT_LIST:
		return check_list(s, p, max_len, e);
	case PT_URL:
		if (!url_ok(p->value, p->len))
			return err_set(e, ERR_BAD_REQUEST,
			               "`%.100s` must be an absolute http(s) URL", p->name);
		return 0;
	case PT_FILE:
		break;
	}
	return 0;
}

static bool spec_matches(const struct param_spec *s, size_t slen, const char *name)
{
	return (s->flags & PF_PREFIX) ? strncmp(name, s->name, slen) == 0
	                              : strcmp(name, s->name) == 0;
}

/* Whether an earlier parameter than p has p's name (for prefix specs, where each distinct full
 * name may appear once). */
static bool seen_before(const struct param *head, const struct param *p)
{
	for (const struct param *q = head; q != p; q = q->next)
		if (strcmp(q->name, p->name) == 0)
			return true;
	return false;
}

int params_validate(const struct param_spec *specs, struct param *params, struct err *e)
{
	/* Everything a handler may read is valid UTF-8, declared or not; files are bytes. */
	for (const struct param *p = params; p; p = p->next) {
		if (!utf8_valid(p->name, strlen(p->name)))
			return err_set(e, ERR_BAD_REQUEST, "a parameter name is not valid UTF-8");
		if (!p->filename && !utf8_valid(p->value, p->len))
			return err_set(e, ERR_BAD_REQUEST, "`%.100s` is not valid UTF-8", p->name);
	}
	if (!specs)
		return 0;
	for (const struct param_spec *s = specs; s->name; s++) {
		size_t slen = strlen(s->name);
		int count = 0;
		for (struct param *p = params; p; p = p->next) {
			if (!spec_matches(s, slen, p->name))
				continue;
			count++;
			if (!(s->flags & PF_MULTI) &&
			    ((s->flags & PF_PREFIX) ? seen_before(params, p) : count > 1))
				return err_set(e, ERR_BAD_REQUEST,
				               "`%.100s` is given more than once", p->name);
			int rc = check_value(s, p, e);
			if (rc)
				return rc;
		}
		if (count == 0 && (s->flags & PF_REQUIRED))
			return err_set(e, ERR_BAD_REQUEST, "`%s` is required", s->name);
	}
	return 0;
}
