#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/search_grams.h"

static char out[4096];

static size_t grams(const char *text)
{
	struct buf b = BUF_INIT;
	size_t n = search_grams(text, strlen(text), &b);
	snprintf(out, sizeof out, "%.*s", (int)b.len, b.len ? b.data : "");
	buf_free(&b);
	return n;
}

Test(search_grams, adjacent_ideographs_pair_up)
{
	cr_assert_eq(grams("井盖缺失"), 3);
	/* sorted by code point pair: 井盖 (4E95) < 盖缺 (76D6) < 缺失 (7F3A) */
	cr_assert_str_eq(out, "井盖 盖缺 缺失");
}

Test(search_grams, anything_else_separates)
{
	cr_assert_eq(grams("中山路12号，路灯不亮abc灯"), 5);
	cr_assert_str_eq(out, "不亮 中山 山路 灯不 路灯");
	cr_assert_eq(grams("垃圾 桶"), 1, "a space breaks the pair");
	cr_assert_str_eq(out, "垃圾");
	cr_assert_eq(grams("井"), 0, "a lone ideograph is not indexed");
	cr_assert_eq(grams("no chinese 123"), 0);
	cr_assert_eq(grams(""), 0);
	cr_assert_str_eq(out, "");
}

Test(search_grams, repeats_once)
{
	cr_assert_eq(grams("垃圾垃圾，垃圾"), 2);
	cr_assert_str_eq(out, "圾垃 垃圾");
}

Test(search_grams, extension_b_and_invalid_bytes)
{
	/* U+20BB7 𠮷 (4 bytes) pairs like any ideograph */
	cr_assert_eq(grams("𠮷野家"), 2);
	cr_assert_str_eq(out, "野家 𠮷野");
	/* an invalid byte between two ideographs breaks the pair and is skipped */
	cr_assert_eq(grams("垃\xff圾"), 0);
	cr_assert_eq(grams("垃\xe5"), 0, "a truncated sequence at the end");
}

Test(search_grams, long_text_grows_past_the_stack_array)
{
	char text[3 * 1000 + 1];
	for (int i = 0; i < 1000; i++) {
		/* 1000 different ideographs in a row: 999 distinct bigrams */
		unsigned c = 0x4E00 + (unsigned)i;
		text[3 * i] = (char)(0xE0 | c >> 12);
		text[3 * i + 1] = (char)(0x80 | (c >> 6 & 0x3F));
		text[3 * i + 2] = (char)(0x80 | (c & 0x3F));
	}
	text[3000] = '\0';
	cr_assert_eq(grams(text), 999);
}
