#include <criterion/criterion.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sanitize.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif
#define PAYLOADS WM_DATA_DIR "/../tests/data/xss_payloads.txt"

#define H "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define REL " rel=\"noopener noreferrer nofollow\""

/* html_sanitize of a C string; the caller frees. */
static char *clean(const char *in, int *rc)
{
	struct buf b = BUF_INIT;
	struct err e = {0};
	int r = html_sanitize(in, strlen(in), &b, &e);
	if (rc)
		*rc = r;
	else
		cr_assert_eq(r, 0, "%s: %s", in, e.msg);
	return buf_detach(&b, NULL);
}

static void expect(const char *in, const char *want)
{
	char *got = clean(in, NULL);
	cr_expect_str_eq(got, want, "sanitising %s", in);
	free(got);
}

static char *plain(const char *in)
{
	struct buf b = BUF_INIT;
	struct err e = {0};
	cr_assert_eq(html_plain_text(in, strlen(in), &b, &e), 0, "%s", e.msg);
	return buf_detach(&b, NULL);
}

/* ---- The checker: what any output must look like, written without the sanitiser's tables. */

static bool one_of(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && strncmp(*list, s, n) == 0)
			return true;
	return false;
}

static const char *const tags[] = {
    "p",   "br",     "h2",         "h3",    "h4",         "strong", "b",     "em",    "i",
    "u",   "s",      "sub",        "sup",   "blockquote", "ul",     "ol",    "li",    "a",
    "img", "figure", "figcaption", "table", "caption",    "thead",  "tbody", "tfoot", "tr",
    "th",  "td",     "hr",         "pre",   "code",       NULL};
static const char *const attrs[] = {"href",   "rel",     "src",     "alt",   "width",
                                    "height", "colspan", "rowspan", "start", NULL};

/* An attribute value as the browser reads it, with the blanks and controls it skips in URLs
 * taken out, lowercased. */
static void url_view(const char *v, size_t n, char *out, size_t cap)
{
	static const struct {
		const char *ent, *ch;
	} ents[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < cap;) {
		const char *ch = NULL;
		for (size_t e = 0; e < sizeof ents / sizeof ents[0] && !ch; e++)
			if (strncmp(v + i, ents[e].ent, strlen(ents[e].ent)) == 0)
				ch = ents[e].ch, i += strlen(ents[e].ent);
		unsigned char c = ch ? (unsigned char)*ch : (unsigned char)v[i++];
		if (c > ' ' && c != 0x7f)
			out[k++] = (char)tolower(c);
	}
	out[k] = 0;
}

/* Every '<' opens or closes an allowed tag whose attributes are allowed, double-quoted and carry
 * no script-capable URL; the forbidden tags and attributes appear nowhere. */
static void check_clean(const char *html, const char *input)
{
	static const char *const banned[] = {"<script", "<iframe", "<object", "<embed",
	                                     "<svg",    "<math",   "<style",  "<form",
	                                     "<meta",   "<link",   "<base",   NULL};
	char *low = strdup(html);
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (int i = 0; banned[i]; i++)
		cr_assert_null(strstr(low, banned[i]), "%s in %s (from %s)", banned[i], html,
		               input);
	for (const char *p = low; (p = strchr(p, '<')) != NULL;) {
		p++;
		if (*p == '/')
			p++;
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789");
		cr_assert(one_of(p, n, tags), "tag <%.*s in %s (from %s)", (int)n + 1, p, html,
		          input);
		p += n;
		while (*p == ' ') {
			p++;
			size_t an = strcspn(p, "= >");
			cr_assert(one_of(p, an, attrs), "attribute %.*s in %s (from %s)", (int)an,
			          p, html, input);
			cr_assert(strncmp(p, "on", 2) != 0 && strncmp(p, "style", 5) != 0 &&
			              strncmp(p, "srcdoc", 6) != 0,
			          "%s", html);
			p += an;
			cr_assert(p[0] == '=' && p[1] == '"', "unquoted value in %s (from %s)",
			          html, input);
			const char *v = p + 2, *end = strchr(v, '"');
			cr_assert(end, "%s", html);
			char view[4096];
			url_view(v, (size_t)(end - v), view, sizeof view);
			cr_assert(!strstr(view, "javascript:") && !strstr(view, "vbscript:") &&
			              !strstr(view, "data:"),
			          "script URL in %s (from %s)", html, input);
			p = end + 1;
		}
		cr_assert(*p == '>', "tag not closed in %s (from %s)", html, input);
	}
	free(low);
}

static void check_stable(const char *out, const char *input)
{
	char *again = clean(out, NULL);
	cr_assert_str_eq(again, out, "not idempotent for %s", input);
	free(again);
}

/* ---- Payloads ---- */

/* The loader's escapes: \n \t \r \\ and \xHH; anything else stays as written. */
static size_t unescape(char *s)
{
	size_t k = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] != '\\' || !s[i + 1]) {
			s[k++] = s[i];
			continue;
		}
		char c = s[i + 1];
		if (c == 'n' || c == 't' || c == 'r' || c == '\\') {
			s[k++] = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : '\\';
			i++;
		} else if (c == 'x' && isxdigit((unsigned char)s[i + 2]) &&
		           isxdigit((unsigned char)s[i + 3])) {
			char hex[3] = {s[i + 2], s[i + 3], 0};
			s[k++] = (char)strtol(hex, NULL, 16);
			i += 3;
		} else {
			s[k++] = s[i];
		}
	}
	s[k] = 0;
	return k;
}

Test(sanitize, xss_payloads_come_out_harmless)
{
	FILE *f = fopen(PAYLOADS, "r");
	cr_assert(f, "cannot open %s", PAYLOADS);
	char line[4096];
	int tested = 0, refused = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		char shown[4096];
		snprintf(shown, sizeof shown, "%s", line);
		size_t len = unescape(line);
		struct buf out = BUF_INIT;
		struct err e = {0};
		int rc = html_sanitize(line, len, &out, &e);
		tested++;
		if (rc == ERR_BAD_REQUEST) { /* NUL or malformed UTF-8: refused whole */
			cr_assert_eq(out.len, 0, "%s", shown);
			refused++;
		} else {
			cr_assert_eq(rc, 0, "%s: %s", shown, e.msg);
			check_clean(out.data, shown);
			check_stable(out.data, shown);
		}
		buf_free(&out);
	}
	fclose(f);
	cr_assert_geq(tested, 120, "only %d payloads", tested);
	cr_assert_geq(refused, 5);
	cr_log_info("%d payloads, %d refused as not UTF-8", tested, refused);
}

Test(sanitize, payload_outcomes)
{
	expect("<script>alert(1)</script><p>ok</p>", "<p>ok</p>");
	expect("<img src=x onerror=alert(1)>", "");
	expect("<a href=\"jav&#x09;ascript:alert(1)\">x</a>", "<p><a>x</a></p>");
	expect("<a href=\" javascript:alert(1)\">x</a>", "<p><a>x</a></p>");
	expect("<a href=\"&#106;avascript:alert(1)\">x</a>", "<p><a>x</a></p>");
	expect("<scr<script>ipt>alert(1)</script>", "<p>ipt&gt;alert(1)</p>");
	expect("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", "");
	expect("<p title=\"</p><script>alert(1)</script>\">x</p>", "<p>x</p>");
	expect("<!--<script>alert(1)</script>--><p>a</p>", "<p>a</p>");
	expect("<math><mtext><table><mglyph><style><img src onerror>", "");
	expect("<a href=\"https://ok.example/&quot;onmouseover=&quot;alert(1)\">x</a>",
	       "<p><a href=\"https://ok.example/&quot;onmouseover=&quot;alert(1)\"" REL
	       ">x</a></p>");
	expect("<img src=\"/media/" H ".jpg\" alt=\"&quot; onerror=&quot;alert(1)\">",
	       "<p><img src=\"/media/" H ".jpg\" alt=\"&quot; onerror=&quot;alert(1)\"></p>");
	expect("<td colspan=\"2 onclick=alert(1)\">x</td>", "<p>x</p>");
}

/* ---- What an article keeps ---- */

Test(sanitize, article_markup_survives)
{
	const char *article =
	    "<h2>创建全国文明城市</h2>"
	    "<p>今年以来，<strong>大连市</strong>持续推进<em>创城</em>工作，<b>背街小巷</b>"
	    "<i>焕然一新</i>。</p>"
	    "<h3>主要做法</h3>"
	    "<ul><li>整治背街小巷</li><li>规范<a href=\"https://www.gov.cn/\">共享单车</a>停放"
	    "<ul><li>中山区</li></ul></li></ul>"
	    "<ol start=\"3\"><li>第三项</li></ol>"
	    "<blockquote><p>引用一段</p></blockquote>"
	    "<table><caption>进度</caption><thead><tr><th>区</th><th colspan=\"2\">完成</th></tr>"
	    "</thead><tbody><tr><td rowspan=\"2\">中山区</td><td>12</td><td>80%</td></tr></tbody>"
	    "<tfoot><tr><td>合计</td></tr></tfoot></table>"
	    "<figure><img src=\"/media/" H
	    ".jpg\" alt=\"整治后的街道\" width=\"800\" height=\"600\">"
	    "<figcaption>整治后</figcaption></figure>"
	    "<h4>小结</h4>"
	    "<p>详见<a href=\"/news/3\">上一期</a>。<br>第二行 H<sub>2</sub>O x<sup>2</sup> "
	    "<u>下划线</u> <s>删除</s> <code>code</code></p>"
	    "<hr>"
	    "<pre>  两个空格\n  第二行</pre>";
	char *got = clean(article, NULL);
	struct buf want = BUF_INIT;
	buf_adds(&want, article);
	/* the only change: absolute links get rel */
	char *at = strstr(want.data, "\"https://www.gov.cn/\"") + strlen("\"https://www.gov.cn/\"");
	size_t off = (size_t)(at - want.data);
	struct buf w2 = BUF_INIT;
	buf_add(&w2, want.data, off);
	buf_adds(&w2, REL);
	buf_adds(&w2, want.data + off);
	cr_assert_str_eq(got, w2.data);
	check_clean(got, article);
	check_stable(got, article);
	free(got);
	buf_free(&want);
	buf_free(&w2);
}

Test(sanitize, text_and_entities)
{
	expect("<p>a &amp; b &lt; c &gt; d</p>", "<p>a &amp; b &lt; c &gt; d</p>");
	expect("<p>&quot;引号&quot; it's &copy; &#x4E2D;&#25991; &nbsp;x</p>",
	       "<p>&quot;引号&quot; it&#39;s © 中文 \u00a0x</p>");
	expect("<p>&unknown; &amp;amp;</p>", "<p>&amp;unknown; &amp;amp;</p>");
	expect("纯文本", "<p>纯文本</p>");
	expect("<p>创城\x01动态\x7f</p>", "<p>创城动态</p>");
}

Test(sanitize, elements_renamed_unwrapped_dropped)
{
	expect("<h1>标题</h1>", "<h2>标题</h2>");
	expect("<div>一段</div><div>两段</div>", "<p>一段</p><p>两段</p>");
	expect("<div><p>a</p><p>b</p></div>", "<p>a</p><p>b</p>");
	expect("<div>前<p>中</p>后</div>", "<p>前</p><p>中</p><p>后</p>");
	expect("<p><span style=\"color:red\" class=\"x\">红</span><font color=red>字</font></p>",
	       "<p>红字</p>");
	expect("<section><article><h5>小</h5></article></section>", "<p>小</p>");
	expect("<td><div>in a cell</div></td>", "<p>in a cell</p>");
	expect("<table><tr><td><div>a</div></td></tr></table>",
	       "<table><tr><td><p>a</p></td></tr></table>");
	expect("<menu><li>a</li></menu>", "<ul><li>a</li></ul>");
	expect("<p>a<select><option>x</option></select>b</p>", "<p>ab</p>");
	expect("<p>a<video src=x>fallback</video>b</p>", "<p>ab</p>");
	expect("<b>a</b> <i>b</i>", "<p><b>a</b> <i>b</i></p>");
	expect("<ul>text<li>a</li><p>b</p></ul>",
	       "<ul><li>text</li><li>a</li><li><p>b</p></li></ul>");
	expect("<table>stray<tr><td>a</td></tr></table>", "<table><tr><td>a</td></tr></table>");
	expect("<table><td>a</td></table>", "<table><tr><td>a</td></tr></table>");
	expect("<p>a<hr>b</p>", "<p>a</p><hr><p>b</p>");
	expect("<a href=\"/a\">x<a href=\"/b\">y</a></a>",
	       "<p><a href=\"/a\">x</a><a href=\"/b\">y</a></p>");
}

/* libxml2 closes a ul when an ol starts directly in it (and back), so the sanitiser never
 * writes one list directly in the other kind: it goes into an item. */
Test(sanitize, lists_nest_where_the_parser_keeps_them)
{
	const char *same = "<ul><li>a</li><ul><li>b</li></ul></ul>";
	expect(same, same);
	check_stable(same, same);
	expect("<ul><li>a</li><ol><li>c</li></ol></ul>", "<ul><li>a</li></ul><ol><li>c</li></ol>");
	expect("<ol><div><ul><li>x</li></ul></div></ol>", "<ol><li><ul><li>x</li></ul></li></ol>");
	expect("<ol><span><ul><li>x</li></ul></span></ol>",
	       "<ol><li><ul><li>x</li></ul></li></ol>");
	expect("<ul><li>a</li><span><ol><li>x</li></ol></span></ul>",
	       "<ul><li>a</li><li><ol><li>x</li></ol></li></ul>");
}

/* Blanks only between inline content: none at a block's edges or between blocks. */
Test(sanitize, blanks)
{
	expect("\n<p> <b>a</b> <i>b</i> </p>\n<p>c</p>\n", "<p><b>a</b> <i>b</i></p><p>c</p>");
	expect("<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>", "<ul><li>a</li><li>b</li></ul>");
	expect("<table>\n<tr>\n<td>1</td>\n</tr>\n</table>", "<table><tr><td>1</td></tr></table>");
	expect("<ul><li><ul><li>x</li></ul> <b>y</b></li></ul>",
	       "<ul><li><ul><li>x</li></ul><b>y</b></li></ul>");
	expect("<p>x<sup>2</sup> <u>y</u><img src=x> <i>z</i></p>",
	       "<p>x<sup>2</sup> <u>y</u> <i>z</i></p>");
	expect("<p><span> </span><b>a</b><span> </span></p>", "<p><b>a</b></p>");
	expect("<pre>  a\n\n  b  </pre>", "<pre>  a\n\n  b  </pre>");
}

Test(sanitize, links)
{
	expect("<a href=\"/news/3\">n</a>", "<p><a href=\"/news/3\">n</a></p>");
	expect("<a href=\"/\">home</a>", "<p><a href=\"/\">home</a></p>");
	expect("<a href=\"//evil.com\">e</a>", "<p><a>e</a></p>");
	expect("<a href=\"/\\evil.com\">e</a>", "<p><a>e</a></p>");
	expect("<a href=\"/&#9;/evil.com\">e</a>", "<p><a>e</a></p>");
	expect("<a href=\"news/3\">r</a>", "<p><a>r</a></p>");
	expect("<a href=\"#top\">r</a>", "<p><a>r</a></p>");
	expect("<a href=\"HTTP://Example.com/a b\">x</a>",
	       "<p><a href=\"HTTP://Example.com/a%20b\"" REL ">x</a></p>");
	expect("<a href=\"mailto:office@example.cn\">m</a>",
	       "<p><a href=\"mailto:office@example.cn\"" REL ">m</a></p>");
	expect("<a href=\"https://x.cn/?a=1&amp;b=2\" title=t target=_blank>q</a>",
	       "<p><a href=\"https://x.cn/?a=1&amp;b=2\"" REL ">q</a></p>");
	expect("<a href=\"ftp://x.cn/\">f</a>", "<p><a>f</a></p>");
}

Test(sanitize, images_only_ours)
{
	expect("<p>a<img src=\"http://evil.example/x.png\">b</p>", "<p>ab</p>");
	expect("<img src=\"/media/" H "\">", "<p><img src=\"/media/" H "\"></p>");
	expect("<img src=\"/media/" H ".webp\" alt=\"\">",
	       "<p><img src=\"/media/" H ".webp\" alt=\"\"></p>");
	expect("<img src=\"/media/" H ".svg\">", "");
	expect("<img src=\"/media/" H ".JPG\">", "");
	expect(
	    "<img src=\"/media/9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\">",
	    "");
	expect("<img src=\"/media/" H "0.jpg\">", "");
	expect("<img src=\"//media/" H ".jpg\">", "");
	expect("<img alt=x>", "");
	expect("<img src=\"/media/" H ".png\" width=\"4001\" height=\"0\" srcset=\"a 1x\">",
	       "<p><img src=\"/media/" H ".png\"></p>");
	expect("<img src=\"/media/" H ".png\" width=\"007\" height=\"4000\">",
	       "<p><img src=\"/media/" H ".png\" width=\"7\" height=\"4000\"></p>");
	expect("<table><tr><td colspan=\"101\" rowspan=\"100\">x</td></tr></table>",
	       "<table><tr><td rowspan=\"100\">x</td></tr></table>");
	expect("<ol start=\"-1\"><li>x</li></ol>", "<ol><li>x</li></ol>");
}

static char *nested(const char *open, const char *close, int depth, const char *text)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < depth; i++)
		buf_adds(&b, open);
	buf_adds(&b, text);
	for (int i = 0; i < depth; i++)
		buf_adds(&b, close);
	return buf_detach(&b, NULL);
}

Test(sanitize, deep_nesting_keeps_text)
{
	static const char *const pairs[][2] = {{"<div>", "</div>"},
	                                       {"<blockquote>", "</blockquote>"},
	                                       {"<b>", "</b>"},
	                                       {"<ul><li>", "</li></ul>"},
	                                       {"<table><tr><td>", "</td></tr></table>"},
	                                       {"<span>", "</span>"}};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		char *in = nested(pairs[i][0], pairs[i][1], 70, "深处的文字");
		char *out = clean(in, NULL);
		cr_assert(strstr(out, "深处的文字"), "%s lost the text: %s", pairs[i][0], out);
		check_clean(out, pairs[i][0]);
		check_stable(out, pairs[i][0]);
		free(in);
		free(out);
	}
	/* far past the parser's own limit: no crash, the output still clean */
	char *in = nested("<b>", "</b>", 100000, "x");
	char *out = clean(in, NULL);
	check_clean(out, "100000 <b>");
	free(in);
	free(out);
}

Test(sanitize, refusals_and_limits)
{
	struct buf out = BUF_INIT;
	struct err e = {0};
	buf_adds(&out, "kept|");
	cr_assert_eq(html_sanitize("<p>\xC0\xBC</p>", 9, &out, &e), ERR_BAD_REQUEST);
	cr_assert_eq(html_sanitize("<p>a\0b</p>", 10, &out, &e), ERR_BAD_REQUEST);
	cr_assert_eq(html_plain_text("\xff", 1, &out, &e), ERR_BAD_REQUEST);
	cr_assert_str_eq(out.data, "kept|");

	size_t big = SANITIZE_MAX_INPUT + 1;
	char *s = malloc(big);
	memset(s, 'a', big);
	cr_assert_eq(html_sanitize(s, big, &out, &e), ERR_BAD_REQUEST);
	cr_assert_eq(html_plain_text(s, big, &out, &e), ERR_BAD_REQUEST);
	cr_assert_eq(html_sanitize(s, big - 1, &out, &e), 0, "%s", e.msg);
	cr_assert_eq(out.len, strlen("kept|<p></p>") + big - 1);
	free(s);

	buf_reset(&out);
	cr_assert_eq(html_sanitize("", 0, &out, &e), 0);
	cr_assert_eq(html_sanitize(NULL, 0, &out, &e), 0);
	cr_assert_eq(html_sanitize(" \n\t ", 4, &out, &e), 0);
	cr_assert_eq(html_sanitize("<!-- only -->", 13, &out, &e), 0);
	cr_assert_eq(out.len, 0);
	buf_free(&out);
}

Test(sanitize, plain_text)
{
	char *t = plain("<p>创城<b>动态</b></p><p>第二段&amp;</p>");
	cr_assert_str_eq(t, "创城动态 第二段&");
	free(t);
	t = plain("  <script>var secret = 1;</script><style>p{}</style><h1> 标题 </h1>"
	          "<p>a\n\n  b&nbsp;&nbsp;c<br>d</p><table><tr><td>1</td><td>2</td></tr></table>"
	          "<p>\u3000\u3000缩进<img alt=\"图\" src=x></p><!-- note -->  ");
	cr_assert_str_eq(t, "标题 a b c d 1 2 缩进");
	free(t);
	t = plain("");
	cr_assert_str_eq(t, "");
	free(t);
}

/* Random soups of markup characters and tag fragments: no crash under ASan, clean, stable. */
Test(sanitize, random_markup_soup)
{
	/* clang-format off */
	static const char *const bits[] = {
	    "<",       ">",     "\"",      "'",       "=",        "/",    " ",       "&",
	    "#",       ";",     "a",       "c",       "i",        "p",    "r",       "t",
	    "s",       "v",     "l",       "x",       "e",        "o",    "j",       "f",
	    "<p>",     "</p>",  "<div>",   "</div>",  "<a href=", "<img", "<script", "</script>",
	    "<table>", "<tr>",  "<td>",    "<li>",    "<ul>",     "<b>",  "</b>",    "<!--",
	    "-->",     "on",    "javascript:", "<svg", "<style>", "&#",  "<br>",    "<pre>",
	    "\n",      "<h1>",  "<blockquote>", "<figure>", "<caption>", "创"};
	/* clang-format on */
	unsigned long seed = 12345;
	for (int round = 0; round < 2000; round++) {
		struct buf in = BUF_INIT;
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		int n = 1 + (int)((seed >> 33) % 60);
		for (int i = 0; i < n; i++) {
			seed = seed * 6364136223846793005UL + 1442695040888963407UL;
			buf_adds(&in, bits[(seed >> 33) % (sizeof bits / sizeof bits[0])]);
		}
		struct buf out = BUF_INIT;
		struct err e = {0};
		cr_assert_eq(html_sanitize(in.data, in.len, &out, &e), 0, "%s: %s", in.data, e.msg);
		check_clean(out.data, in.data);
		check_stable(out.data, in.data);
		buf_free(&in);
		buf_free(&out);
	}
}

/* Many threads at once (the server's pool): the parser's global state is set up once. */
static void *sanitize_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++) {
		struct buf out = BUF_INIT;
		struct err e = {0};
		const char *in = "<div>线程<b>安全</b><script>x</script></div>";
		if (html_sanitize(in, strlen(in), &out, &e) != 0 ||
		    strcmp(out.data, "<p>线程<b>安全</b></p>") != 0) {
			buf_free(&out);
			return (void *)1;
		}
		buf_free(&out);
	}
	return NULL;
}

Test(sanitize, threads)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, sanitize_many, NULL), 0);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		cr_assert_null(r);
	}
}
