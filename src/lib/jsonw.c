#include "lib/jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_init(struct jsonw *w, struct buf *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
}

/* The separator before a value at the current depth. */
static void before_value(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->n[w->depth])
		buf_addc(w->out, ',');
	w->n[w->depth] = 1;
}

static void open_container(struct jsonw *w, char c, char close)
{
	before_value(w);
	if (w->depth + 1 >= JSONW_MAX_DEPTH)
		abort(); /* a fixed response shape never nests this deep */
	buf_addc(w->out, c);
	w->depth++;
	w->n[w->depth] = 0;
	w->close[w->depth] = close;
}

void jw_object(struct jsonw *w)
{
	open_container(w, '{', '}');
}

void jw_array(struct jsonw *w)
{
	open_container(w, '[', ']');
}

/* The byte length of the valid UTF-8 sequence at s (1–4), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	uint32_t cp;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return n;
}

static void put_string(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	buf_addc(b, '"');
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		/* copy the longest run that needs no escape in one go */
		const unsigned char *run = p;
		while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			buf_add(b, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		unsigned char c = *p;
		if (c >= 0x80) {
			size_t n = utf8_seq(p);
			if (n) {
				buf_add(b, (const char *)p, n);
				p += n;
			} else {
				buf_adds(b, "\\ufffd");
				p++;
			}
			continue;
		}
		p++;
		switch (c) {
		case '"':
			buf_adds(b, "\\\"");
			break;
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\r':
			buf_adds(b, "\\r");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		default: {
			char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
			buf_adds(b, u);
		}
		}
	}
	buf_addc(b, '"');
}

void jw_end(struct jsonw *w)
{
	if (w->depth <= 0 || w->after_key)
		abort(); /* unbalanced, or a key without its value: a programming error */
	buf_addc(w->out, w->close[w->depth]);
	w->depth--;
}

void jw_key(struct jsonw *w, const char *key)
{
	before_value(w);
	put_string(w->out, key);
	buf_addc(w->out, ':');
	w->after_key = 1;
}

void jw_str(struct jsonw *w, const char *s)
{
	before_value(w);
	if (s)
		put_string(w->out, s);
	else
		buf_adds(w->out, "null");
}

/* Decimal digits of v into the end of t (at most 20 + sign); returns the start. printf's
 * machinery is a fifth of a long list's time. */
static char *int_text(int64_t v, char t[24])
{
	char *p = t + 23;
	*p = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return p;
}

void jw_int(struct jsonw *w, int64_t v)
{
	before_value(w);
	char t[24];
	buf_adds(w->out, int_text(v, t));
}

/* The common case of coordinates and rates: at most 6 decimals and a 9-digit integer part,
 * where the exact decimal is what %.15g would print. 0 when v is not such a number. */
static int short_decimal(double v, struct buf *out)
{
	if (!(v > -1e9 && v < 1e9) || fabs(v) < 1e-4) /* %.15g turns to 1e-05 below 1e-4 */
		return 0;
	double scaled = v * 1e6;
	long long m = llround(scaled);
	if ((double)m / 1e6 != v || m == 0)
		return 0;
	char t[24];
	uint64_t u = m < 0 ? 0 - (uint64_t)m : (uint64_t)m;
	char frac[7];
	uint64_t f = u % 1000000;
	int nf = 6;
	for (int i = 5; i >= 0; i--, f /= 10)
		frac[i] = (char)('0' + f % 10);
	while (nf > 1 && frac[nf - 1] == '0')
		nf--; /* keep one digit: 3.0, as jansson writes a real */
	frac[nf] = 0;
	if (m < 0)
		buf_addc(out, '-');
	buf_adds(out, int_text((int64_t)(u / 1000000), t));
	buf_addc(out, '.');
	buf_adds(out, frac);
	return 1;
}

void jw_real(struct jsonw *w, double v)
{
	before_value(w);
	if (!isfinite(v)) {
		buf_adds(w->out, "null");
		return;
	}
	if (short_decimal(v, w->out))
		return;
	char t[64];
	snprintf(t, sizeof t, "%.15g", v);
	/* as jansson: an exponent without '+' or leading zeros (1e-06 → 1e-6, 1e+15 → 1e15) */
	char *x = strchr(t, 'e');
	if (x) {
		char *src = x + 1, *dst = x + 1;
		if (*src == '+')
			src++;
		else if (*src == '-')
			*dst++ = *src++;
		while (*src == '0' && src[1])
			src++;
		memmove(dst, src, strlen(src) + 1);
	}
	buf_adds(w->out, t);
	/* keep it a real for readers that distinguish (jansson): 3 → 3.0 */
	if (!strpbrk(t, ".eEn"))
		buf_adds(w->out, ".0");
}

void jw_null(struct jsonw *w)
{
	before_value(w);
	buf_adds(w->out, "null");
}

void jw_bool(struct jsonw *w, int v)
{
	before_value(w);
	buf_adds(w->out, v ? "true" : "false");
}

void jw_kstr(struct jsonw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_kint(struct jsonw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kreal(struct jsonw *w, const char *key, double v)
{
	jw_key(w, key);
	jw_real(w, v);
}

void jw_knull(struct jsonw *w, const char *key)
{
	jw_key(w, key);
	jw_null(w);
}

void jw_kid(struct jsonw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	if (v)
		jw_int(w, v);
	else
		jw_null(w);
}
