/* Strict UTF-8 (RFC 3629, Unicode §3.9 table 3-7): every byte sequence is checked against the
 * well-formed ranges, so overlongs, surrogates and values above U+10FFFF never pass. */
#include "lib/utf8.h"

/* Length of the well-formed sequence at s[0..len), or 0 when it is not well formed. */
static size_t seq_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	if (c >= 0x01 && c <= 0x7F)
		return 1;
	/* second-byte ranges per lead byte: this is what excludes overlongs and surrogates */
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F; /* U+D800..U+DFFF surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0; /* NUL, stray continuation, C0/C1 overlong leads, F5..FF */
	}
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t n = seq_len(p + i, len - i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

size_t utf8_length(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* Unicode general category Cc: C0 controls, DEL and C1 controls (U+0080..U+009F, which
 * UTF-8 writes as C2 80..C2 9F). Works byte-wise, so it is safe on invalid input too. */
bool utf8_has_controls(const char *s, size_t len, bool allow_newlines)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];
		if (c < 0x20) {
			if (allow_newlines && (c == '\n' || c == '\r' || c == '\t'))
				continue;
			return true;
		}
		if (c == 0x7F)
			return true;
		if (c == 0xC2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F)
			return true;
		/* U+FFFE and U+FFFF: noncharacters XML cannot carry, so JSON and XML would differ.
		 */
		if (c == 0xEF && i + 2 < len && p[i + 1] == 0xBF &&
		    (p[i + 2] == 0xBE || p[i + 2] == 0xBF))
			return true;
	}
	return false;
}
