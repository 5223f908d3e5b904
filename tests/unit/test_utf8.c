#include <criterion/criterion.h>

#include "lib/utf8.h"

#include <string.h>

#define V(lit) utf8_valid(lit, sizeof(lit) - 1)

/* A slow, obviously-correct decoder to compare against: decode generically, then apply the
 * rules (shortest form, no surrogates, at most U+10FFFF, no NUL). */
static bool ref_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i], n, cp;
		if (c < 0x80)
			n = 1, cp = c;
		else if ((c & 0xE0) == 0xC0)
			n = 2, cp = c & 0x1F;
		else if ((c & 0xF0) == 0xE0)
			n = 3, cp = c & 0x0F;
		else if ((c & 0xF8) == 0xF0)
			n = 4, cp = c & 0x07;
		else
			return false;
		if (i + n > len)
			return false;
		for (unsigned k = 1; k < n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp == 0 || cp < min[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return false;
		i += n;
	}
	return true;
}

Test(utf8, valid_text)
{
	cr_expect(V(""));
	cr_expect(V("hello"));
	cr_expect(V("大连市文明办"));
	cr_expect(V("井盖丢失 🚧 near 中山路"));
	cr_expect(V("\x7F"));
	cr_expect(V("\xC2\x80"));         /* U+0080 */
	cr_expect(V("\xDF\xBF"));         /* U+07FF */
	cr_expect(V("\xE0\xA0\x80"));     /* U+0800 */
	cr_expect(V("\xED\x9F\xBF"));     /* U+D7FF */
	cr_expect(V("\xEE\x80\x80"));     /* U+E000 */
	cr_expect(V("\xEF\xBF\xBF"));     /* U+FFFF (a noncharacter, still valid UTF-8) */
	cr_expect(V("\xF0\x90\x80\x80")); /* U+10000 */
	cr_expect(V("\xF4\x8F\xBF\xBF")); /* U+10FFFF */
	cr_expect(V("\xEF\xBB\xBF"
	            "BOM")); /* a BOM is a valid character */
}

Test(utf8, invalid_text)
{
	cr_expect_not(V("\0"));
	cr_expect_not(V("a\0b"));
	cr_expect_not(V("\xC0\x80")); /* overlong NUL (modified UTF-8) */
	cr_expect_not(V("\xC0\xAF")); /* overlong '/' */
	cr_expect_not(V("\xC1\xBF"));
	cr_expect_not(V("\xE0\x80\xAF"));
	cr_expect_not(V("\xE0\x9F\xBF")); /* overlong U+07FF */
	cr_expect_not(V("\xF0\x80\x80\xAF"));
	cr_expect_not(V("\xF0\x8F\xBF\xBF"));         /* overlong U+FFFF */
	cr_expect_not(V("\xED\xA0\x80"));             /* U+D800 */
	cr_expect_not(V("\xED\xBF\xBF"));             /* U+DFFF */
	cr_expect_not(V("\xED\xA0\xBD\xED\xB8\x80")); /* CESU-8 pair */
	cr_expect_not(V("\xF4\x90\x80\x80"));         /* U+110000 */
	cr_expect_not(V("\xF5\x80\x80\x80"));
	cr_expect_not(V("\xF8\x88\x80\x80\x80"));
	cr_expect_not(V("\xFC\x84\x80\x80\x80\x80"));
	cr_expect_not(V("\xFE"));
	cr_expect_not(V("\xFF"));
	cr_expect_not(V("\x80")); /* stray continuation */
	cr_expect_not(V("a\xBF"));
	cr_expect_not(V("\xE5\xA4")); /* truncated 大 */
	cr_expect_not(V("\xE5"));
	cr_expect_not(V("\xF0\x9F\x9A")); /* truncated 🚧 */
	cr_expect_not(V("\xE5\xA4x"));
	cr_expect_not(V("\xC2\x41"));
	cr_expect_not(V("\xF0\x9F\x9A\x41"));
	/* the length is what counts: a valid prefix of a longer buffer */
	const char *s = "大连";
	cr_expect(utf8_valid(s, 3));
	cr_expect_not(utf8_valid(s, 4));
	cr_expect(utf8_valid(NULL, 0));
}

Test(utf8, matches_reference_on_all_short_sequences)
{
	unsigned char b[4];
	/* every 1, 2 and 3 byte sequence */
	for (unsigned x = 0; x < 0x1000000; x++) {
		b[0] = (unsigned char)(x >> 16), b[1] = (unsigned char)(x >> 8),
		b[2] = (unsigned char)x;
		for (size_t n = 1; n <= 3; n++) {
			if (n < 3 && (x & 0xFF) != 0)
				continue;
			if (n < 2 && (x & 0xFFFF) != 0)
				continue;
			const unsigned char *p = n == 3 ? b : n == 2 ? b + 1 : b + 2;
			if (utf8_valid((const char *)p, n) != ref_valid(p, n))
				cr_assert_fail("disagree on %zu bytes %02x %02x %02x", n, b[0],
				               b[1], b[2]);
		}
	}
	/* four-byte sequences: every lead and second byte, edge values for the rest */
	static const unsigned char tail[] = {0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
	for (unsigned l = 0xE0; l <= 0xFF; l++)
		for (unsigned s2 = 0; s2 <= 0xFF; s2++)
			for (size_t i = 0; i < sizeof tail; i++)
				for (size_t j = 0; j < sizeof tail; j++) {
					b[0] = (unsigned char)l, b[1] = (unsigned char)s2;
					b[2] = tail[i], b[3] = tail[j];
					if (utf8_valid((const char *)b, 4) != ref_valid(b, 4))
						cr_assert_fail("disagree on %02x %02x %02x %02x",
						               b[0], b[1], b[2], b[3]);
				}
}

Test(utf8, length_in_code_points)
{
	cr_expect_eq(utf8_length("", 0), 0);
	cr_expect_eq(utf8_length("abc", 3), 3);
	cr_expect_eq(utf8_length("大连市", strlen("大连市")), 3);
	cr_expect_eq(utf8_length("a大🚧", strlen("a大🚧")), 3);
	cr_expect_eq(utf8_length("\xF4\x8F\xBF\xBF", 4), 1);
}

Test(utf8, controls)
{
	cr_expect_not(utf8_has_controls("大连 市", strlen("大连 市"), false));
	cr_expect(utf8_has_controls("a\nb", 3, false));
	cr_expect_not(utf8_has_controls("a\nb", 3, true));
	cr_expect_not(utf8_has_controls("a\r\n\tb", 5, true));
	cr_expect(utf8_has_controls("a\0b", 3, true));
	cr_expect(utf8_has_controls("\x1B[31m", 5, true)); /* terminal escape */
	cr_expect(utf8_has_controls("\x7F", 1, true));
	cr_expect(utf8_has_controls("\x0B", 1, true)); /* vertical tab */
	cr_expect(utf8_has_controls("\x0C", 1, true));
	cr_expect(utf8_has_controls("a\xC2\x85", 3, true)); /* U+0085 NEL */
	cr_expect(utf8_has_controls("\xC2\x9F", 2, true));
	cr_expect_not(utf8_has_controls("\xC2\xA0", 2, false));     /* NBSP is not a control */
	cr_expect_not(utf8_has_controls("\xC2", 1, false));         /* truncated: not a control */
	cr_expect_not(utf8_has_controls("\xE2\x80\xA8", 3, false)); /* U+2028 is Zl, not Cc */
}

Test(utf8, noncharacters_fffe_ffff_count_as_controls)
{
	cr_assert(utf8_has_controls("a\xEF\xBF\xBE", 4, true));
	cr_assert(utf8_has_controls("\xEF\xBF\xBFz", 4, false));
	cr_assert_not(utf8_has_controls("\xEF\xBF\xBD", 3, false)); /* U+FFFD is fine */
}
