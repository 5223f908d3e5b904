#include <criterion/criterion.h>
#include <stdio.h>

#include "lib/html.h"

static const char *text(const char *s)
{
	static char out[512];
	struct buf b = BUF_INIT;
	html_text(&b, s);
	snprintf(out, sizeof out, "%s", b.data);
	buf_free(&b);
	return out;
}

Test(html, text_escapes_markup_and_quotes)
{
	cr_assert_str_eq(text("<script>alert('x')</script>"),
	                 "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	cr_assert_str_eq(text("\" onerror=\"x"), "&quot; onerror=&quot;x");
	cr_assert_str_eq(text("A&B 中山路 1 号"), "A&amp;B 中山路 1 号");
	cr_assert_str_eq(text(""), "");
	cr_assert_str_eq(text(NULL), "");
}

Test(html, url_parts_are_percent_encoded)
{
	struct buf b = BUF_INIT;
	html_urlpart(&b, "DL-26_1.~ a/b?c=d&e\"井");
	cr_assert_str_eq(b.data, "DL-26_1.~%20a%2Fb%3Fc%3Dd%26e%22%E4%BA%95");
	buf_free(&b);
}
