/* Shape checks for untrusted input. Each one accepts a small, documented language; anything
 * outside it is refused rather than guessed at. */
#include "core/validate.h"

#include "lib/utf8.h"

#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_alpha(c) || is_digit(c);
}

int validate_text(const char *s, size_t len, size_t min_cp, size_t max_cp, bool multiline)
{
	if (!s && len)
		return VALIDATE_ENCODING;
	if (!utf8_valid(s, len))
		return VALIDATE_ENCODING;
	if (utf8_has_controls(s, len, multiline))
		return VALIDATE_CONTROL;
	size_t n = utf8_length(s, len);
	if (n < min_cp)
		return VALIDATE_TOO_SHORT;
	if (n > max_cp)
		return VALIDATE_TOO_LONG;
	return VALIDATE_OK;
}

const char *validate_message(int rc)
{
	switch (rc) {
	case VALIDATE_OK:
		return "";
	case VALIDATE_ENCODING:
		return "不是有效的 UTF-8 文本";
	case VALIDATE_CONTROL:
		return "含有不允许的控制字符";
	case VALIDATE_TOO_SHORT:
		return "内容过短";
	case VALIDATE_TOO_LONG:
		return "内容过长";
	default:
		return "格式不正确";
	}
}

/* RFC 5322 atext plus the dot, which is checked for position separately. */
static bool is_local_char(char c)
{
	return is_alnum(c) || (c && strchr("!#$%&'*+/=?^_`{|}~.-", c));
}

static bool domain_valid(const char *s, size_t len)
{
	size_t labels = 0, start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!is_alnum(s[i]) && s[i] != '-')
				return false;
			continue;
		}
		size_t n = i - start;
		if (n < 1 || n > 63 || s[start] == '-' || s[i - 1] == '-')
			return false;
		labels++;
		if (i == len) { /* a top-level label of digits only is an IP address, not a name */
			bool digits = true;
			for (size_t k = start; k < i; k++)
				digits = digits && is_digit(s[k]);
			if (digits)
				return false;
		}
		start = i + 1;
	}
	return labels >= 2;
}

bool validate_email(const char *s, size_t len)
{
	if (!s || len < 3 || len > 254)
		return false;
	const char *at = memchr(s, '@', len);
	if (!at)
		return false;
	size_t llen = (size_t)(at - s);
	if (llen < 1 || llen > 64 || s[0] == '.' || s[llen - 1] == '.')
		return false;
	for (size_t i = 0; i < llen; i++)
		if (!is_local_char(s[i]) || (s[i] == '.' && s[i + 1] == '.'))
			return false;
	/* a second '@' fails here: it is not a domain character */
	return domain_valid(at + 1, len - llen - 1);
}

/* Collects the digits of a phone number written with single spaces or hyphens between digit
 * groups. Returns the digit count, or -1. */
static int phone_digits(const char *s, size_t len, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (is_digit(s[i])) {
			if (n == cap)
				return -1;
			out[n++] = s[i];
		} else if (s[i] == ' ' || s[i] == '-') {
			if (i == 0 || i + 1 == len || !is_digit(s[i - 1]) || !is_digit(s[i + 1]))
				return -1;
		} else {
			return -1;
		}
	}
	return (int)n;
}

static bool mobile_valid(const char *d, int n)
{
	return n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

/* d: area code and number without the trunk 0. Two-digit area codes (10 Beijing, 2X for
 * the largest cities) always have 8-digit numbers; the others have 7 or 8. */
static bool landline_valid(const char *d, int n)
{
	if (n < 2)
		return false;
	int area = 0;
	if (d[0] == '1' && d[1] == '0')
		area = 2;
	else if (d[0] == '2')
		area = 2;
	else if (d[0] >= '3' && d[0] <= '9')
		area = 3;
	int sub = n - area;
	if (area == 0 || sub < 7 || sub > 8 || (area == 2 && sub != 8))
		return false;
	return d[area] >= '2' && d[area] <= '9';
}

bool validate_phone(const char *s, size_t len, char national[VALIDATE_PHONE_MAX])
{
	if (!s)
		return false;
	bool intl = false;
	if (len >= 3 && memcmp(s, "+86", 3) == 0) {
		intl = true;
		s += 3, len -= 3;
		if (len > 0 && (s[0] == ' ' || s[0] == '-'))
			s++, len--;
	}
	char d[VALIDATE_PHONE_MAX];
	int n = phone_digits(s, len, d, sizeof d - 2); /* room for a trunk 0 and the NUL */
	if (n < 2)
		return false;
	bool ok;
	if (mobile_valid(d, n)) {
		ok = true;
	} else if (intl) {
		ok = landline_valid(d, n);
		if (ok) { /* national form puts the trunk 0 back */
			memmove(d + 1, d, (size_t)n);
			d[0] = '0';
			n++;
		}
	} else {
		ok = d[0] == '0' && landline_valid(d + 1, n - 1);
	}
	if (ok && national) {
		memcpy(national, d, (size_t)n);
		national[n] = '\0';
	}
	return ok;
}

bool validate_service_code(const char *s, size_t len)
{
	if (!s || len < 1 || len > 32 || !is_alnum(s[0]))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

bool validate_jurisdiction_id(const char *s, size_t len)
{
	if (!s || len < 1 || len > 64)
		return false;
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (is_alnum(s[i]) || s[i] == '-' || s[i] == '_') {
			label++;
		} else {
			return false;
		}
	}
	return label > 0;
}

bool validate_blank(const char *s)
{
	if (!s)
		return true;
	while (*s) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		else if (strncmp(s, "\xE3\x80\x80", 3) == 0)
			s += 3;
		else
			return false;
	}
	return true;
}

int validate_tile_url(const char *url, char *origin, size_t cap)
{
	size_t scheme = strncmp(url, "https://", 8) == 0  ? 8
	                : strncmp(url, "http://", 7) == 0 ? 7
	                                                  : 0;
	if (!scheme || strlen(url) > 2000)
		return -1;
	size_t host = strcspn(url + scheme, "/");
	if (host == 0 || url[scheme + host] != '/')
		return -1;
	for (size_t i = scheme; i < scheme + host; i++) {
		char c = url[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
			return -1;
	}
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr("\"'<>\\`", *p))
			return -1;
	if (!strstr(url, "{z}") || !strstr(url, "{x}") || !strstr(url, "{y}"))
		return -1;
	if (scheme + host >= cap)
		return -1;
	memcpy(origin, url, scheme + host);
	origin[scheme + host] = '\0';
	return 0;
}
