/* Tracking codes: PREFIX + YYMMDD + 6 random symbols + 1 check symbol.
 *
 * The body (date digits, random symbols, check) is 13 symbols of Crockford's base-32 alphabet;
 * digits are their own values. The check symbol is Luhn mod N with N = 32 over the 12 body
 * symbols before it. The prefix is not covered by the check: it is the same for every code of
 * a deployment, so a mistyped prefix simply finds no case. */
#include "core/tracking.h"

#include "core/timefmt.h"

#include <string.h>

enum {
	BASE = 32,
	PREFIX_MAX = 4,
	DATE_LEN = 6,
	RAND_LEN = 6,
	BODY_LEN = DATE_LEN + RAND_LEN + 1, /* + check symbol */
};

static const char ALPHABET[BASE + 1] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Value of an upper-case body symbol after normalisation, or -1. */
static int symbol_value(char c)
{
	const char *p = c ? strchr(ALPHABET, c) : NULL;
	return p ? (int)(p - ALPHABET) : -1;
}

/* Luhn mod N: from the right, every second value is doubled and its base-32 "digits" summed.
 * Doubling is a permutation of 0..31, so any single substitution changes the sum; a swap of
 * neighbours a,b changes it unless f(a)-a == f(b)-b, which for N = 32 only holds for {0, 31},
 * i.e. '0' <-> 'Z' (as 09 <-> 90 in decimal Luhn). */
static int luhn_sum(const int *v, size_t n, int factor)
{
	int sum = 0;
	for (size_t i = n; i-- > 0;) {
		int a = factor * v[i];
		sum += a / BASE + a % BASE;
		factor = factor == 2 ? 1 : 2;
	}
	return sum % BASE;
}

static bool prefix_valid(const char *p, size_t n)
{
	if (n < 1 || n > PREFIX_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < 'A' || p[i] > 'Z')
			return false;
	return true;
}

/* YYMMDD read as 20YY: every real date since 2000 maps to a valid 20YY date. */
static bool date_valid(const char *s)
{
	for (int i = 0; i < DATE_LEN; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	int y = 2000 + (s[0] - '0') * 10 + (s[1] - '0');
	unsigned m = (unsigned)((s[2] - '0') * 10 + (s[3] - '0'));
	unsigned d = (unsigned)((s[4] - '0') * 10 + (s[5] - '0'));
	if (m < 1 || m > 12 || d < 1)
		return false;
	/* the day after d must be a later day of the calendar than the 1st of the next month */
	int ny = m == 12 ? y + 1 : y;
	unsigned nm = m == 12 ? 1 : m + 1;
	return time_days_from_civil(y, m, d) < time_days_from_civil(ny, nm, 1);
}

int tracking_make(const char *prefix, int64_t t, uint32_t random, char out[TRACKING_MAX])
{
	size_t plen = prefix ? strlen(prefix) : 0;
	if (!prefix_valid(prefix, plen))
		return -1;
	/* the date of t in Asia/Shanghai, without libc time zones */
	int64_t local = t + TZ_SHANGHAI;
	int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	int y;
	unsigned m, d;
	time_civil_from_days(days, &y, &m, &d);
	int yy = (y % 100 + 100) % 100;

	int v[BODY_LEN];
	v[0] = yy / 10, v[1] = yy % 10;
	v[2] = (int)m / 10, v[3] = (int)m % 10;
	v[4] = (int)d / 10, v[5] = (int)d % 10;
	for (int i = 0; i < RAND_LEN; i++) /* 30 bits, most significant symbol first */
		v[DATE_LEN + i] = (int)(random >> (5 * (RAND_LEN - 1 - i)) & 31);
	v[BODY_LEN - 1] = (BASE - luhn_sum(v, BODY_LEN - 1, 2)) % BASE;

	memcpy(out, prefix, plen);
	for (int i = 0; i < BODY_LEN; i++)
		out[plen + (size_t)i] = ALPHABET[v[i]];
	out[plen + BODY_LEN] = '\0';
	return 0;
}

/* Full-width forms that Chinese input methods produce: U+FF01..U+FF5E map to ASCII 0x21..0x7E,
 * U+3000 is the ideographic space. Returns the ASCII byte and sets *len, or 0. */
static char fullwidth_ascii(const unsigned char *s, size_t *len)
{
	if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) {
		*len = 3;
		return ' ';
	}
	if (s[0] == 0xEF && (s[1] == 0xBC || s[1] == 0xBD) && s[2] >= 0x80 && s[2] <= 0xBF) {
		unsigned cp = 0xF000u | (unsigned)(s[1] & 0x3F) << 6 | (s[2] & 0x3Fu);
		if (cp >= 0xFF01 && cp <= 0xFF5E) {
			*len = 3;
			return (char)(cp - 0xFEE0);
		}
	}
	return 0;
}

bool tracking_normalize(const char *in, char out[TRACKING_MAX])
{
	char buf[TRACKING_MAX];
	size_t n = 0;
	out[0] = '\0';
	if (!in)
		return false;
	for (const unsigned char *p = (const unsigned char *)in; *p;) {
		size_t step = 1;
		char c = (char)*p;
		if (*p >= 0x80 && !(c = fullwidth_ascii(p, &step)))
			return false;
		p +=
		    step; /* fullwidth_ascii stops at the first mismatch, so never reads past NUL */
		if (c == ' ' || c == '-' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (n == sizeof buf - 1)
			return false;
		buf[n++] = c;
	}
	if (n < BODY_LEN + 1)
		return false;
	size_t plen = n - BODY_LEN;
	if (!prefix_valid(buf, plen))
		return false;
	/* Crockford's decoding rules apply to the body only: the prefix may hold I, L or O */
	int v[BODY_LEN];
	for (size_t i = 0; i < BODY_LEN; i++) {
		char *c = &buf[plen + i];
		if (*c == 'O')
			*c = '0';
		else if (*c == 'I' || *c == 'L')
			*c = '1';
		if ((v[i] = symbol_value(*c)) < 0)
			return false;
	}
	if (!date_valid(buf + plen) || luhn_sum(v, BODY_LEN, 1) != 0)
		return false;
	buf[n] = '\0';
	memcpy(out, buf, n + 1);
	return true;
}
