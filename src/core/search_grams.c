#include "core/search_grams.h"

#include <stdint.h>
#include <stdlib.h>

static int is_ideograph(uint32_t c)
{
	return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3134F);
}

/* The code point at s[0..n) and its length; 0 for an invalid or truncated sequence. */
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] >> 5) == 6 ? 2 : (s[0] >> 4) == 14 ? 3
	                                : (s[0] >> 3) == 30 ? 4 : 0;
	if (!len || len > n)
		return 0;
	uint32_t c = len == 1 ? s[0] : s[0] & (0x7F >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3F);
	}
	*cp = c;
	return len;
}

static void encode(uint32_t c, struct buf *out)
{
	char b[4];
	size_t n;
	if (c < 0x10000) {
		b[0] = (char)(0xE0 | c >> 12);
		b[1] = (char)(0x80 | (c >> 6 & 0x3F));
		b[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | c >> 18);
		b[1] = (char)(0x80 | (c >> 12 & 0x3F));
		b[2] = (char)(0x80 | (c >> 6 & 0x3F));
		b[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	buf_add(out, b, n);
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

size_t search_grams(const char *text, size_t len, struct buf *out)
{
	/* A bigram as one number (two code points of 21 bits), so sorting drops repeats. */
	uint64_t small[256], *grams = small;
	size_t n = 0, cap = sizeof small / sizeof small[0];
	const unsigned char *s = (const unsigned char *)text;
	uint32_t prev = 0; /* the ideograph just before, 0 after anything else */
	for (size_t i = 0; i < len;) {
		uint32_t c = 0;
		size_t k = decode(s + i, len - i, &c);
		i += k ? k : 1;
		if (!k || !is_ideograph(c)) {
			prev = 0;
			continue;
		}
		if (prev) {
			if (n == cap) {
				size_t ncap = cap * 2;
				uint64_t *g = grams == small ? malloc(ncap * sizeof *g)
				                             : realloc(grams, ncap * sizeof *g);
				if (!g)
					break; /* the grams so far still narrow a search correctly */
				if (grams == small)
					for (size_t j = 0; j < n; j++)
						g[j] = small[j];
				grams = g;
				cap = ncap;
			}
			grams[n++] = (uint64_t)prev << 21 | c;
		}
		prev = c;
	}
	qsort(grams, n, sizeof *grams, by_value);
	size_t distinct = 0;
	for (size_t j = 0; j < n; j++) {
		if (j && grams[j] == grams[j - 1])
			continue;
		if (distinct++)
			buf_addc(out, ' ');
		encode((uint32_t)(grams[j] >> 21), out);
		encode((uint32_t)(grams[j] & 0x1FFFFF), out);
	}
	if (grams != small)
		free(grams);
	return distinct;
}
