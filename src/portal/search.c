/* 站内搜索: words (Chinese included) across the published articles and the reported problems.
 * Articles are few: their title and text are scanned. Cases are many: the bigram index
 * (store/case_search.h) narrows them to candidates, a substring test confirms each, so a
 * search costs milliseconds at millions of cases; words without a Chinese pair (one
 * character, Latin letters) search the articles only — a scan of every case per visitor is
 * not something a public page may start. A case shows what 问题公开 shows, plus its
 * description with phone numbers, identity numbers and house numbers masked (core/mask.h). */
#include "portal/portal.h"

#include <stdio.h>
#include <string.h>

#include "api/api_common.h"
#include "core/case_fsm.h"
#include "core/mask.h"
#include "lib/arena.h"
#include "lib/html.h"
#include "portal/page.h"
#include "store/case_search.h"
#include "store/db.h"

enum { ARTICLE_ROWS = 10, CASE_ROWS = 20, SNIPPET_CHARS = 60 };

const struct param_spec portal_search_params[] = {
    {.name = "q", .type = PT_STRING, .max_len = 100, .description = "the words searched for"},
    {.name = NULL},
};

/* Up to `chars` characters of s from its start (UTF-8 safe), with … when cut. */
static void snippet(struct page *p, const char *s, size_t chars)
{
	const char *end = s;
	size_t n = 0;
	while (*end && n < chars) {
		end++;
		while ((*end & 0xC0) == 0x80)
			end++;
		n++;
	}
	html_textn(&p->out, s, (size_t)(end - s));
	if (*end)
		page_raw(p, "…");
}

static int search_articles(struct page *p, struct db *db, const char *like, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT id, title, CASE WHEN summary <> '' THEN summary ELSE body_text END"
	                  " FROM article WHERE status = 'published' AND (title LIKE ? ESCAPE '\\'"
	                  " OR body_text LIKE ? ESCAPE '\\') ORDER BY published_at DESC LIMIT ?",
	                  DB_ARGS(db_text(like), db_text(like), db_int(ARTICLE_ROWS)), &st, e);
	if (rc < 0)
		return rc;
	page_raw(p, "<section aria-labelledby=\"sa-h\"><h2 id=\"sa-h\">创城动态</h2><ul class=\"news\">");
	int n = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		buf_printf(&p->out, "<li class=\"card\"><h3><a href=\"/news/%lld\">",
		           (long long)db_col_int(st, 0));
		page_text(p, db_col_text(st, 1));
		page_raw(p, "</a></h3><p>");
		snippet(p, db_col_text(st, 2), SNIPPET_CHARS * 2);
		page_raw(p, "</p></li>");
		n++;
	}
	db_done(st);
	if (!n)
		page_raw(p, "<li>没有找到相关文章。</li>");
	page_raw(p, "</ul></section>");
	return rc < 0 ? rc : 0;
}

/* What the public sees masked cannot be searched for either: a phone or house number in the
 * words would tell whether some case holds it, though the answer shows it masked. */
static int holds_masked(const char *q)
{
	struct buf m = BUF_INIT;
	mask_text(q, &m);
	int differs = strcmp(m.data, q) != 0;
	buf_free(&m);
	return differs;
}

static int search_cases(struct http_req *r, struct page *p, struct db *db, const char *q,
                        const char *like, struct err *e)
{
	page_raw(p, "<section aria-labelledby=\"sc-h\"><h2 id=\"sc-h\">群众反映的问题</h2>");
	if (holds_masked(q)) {
		page_raw(p, "<p>为保护个人信息，搜索问题时不能按电话号码、身份证号或门牌号查找，"
		            "请去掉其中的数字再试。</p></section>");
		return 0;
	}
	const char *grams = NULL;
	const char *filter = case_search_filter(db, r->arena, q, &grams);
	if (!filter) {
		page_raw(p, "<p>搜索问题时请输入至少两个连续的汉字，例如“井盖”“占道”。</p></section>");
		return 0;
	}
	struct db_stmt *st;
	const char *sql = arena_printf(
	    r->arena,
	    "SELECT cat.name, " CASE_PLACE_COLS ", c.status, c.requested_at, c.description"
	    " FROM cases c JOIN category cat ON cat.id = c.category_id" CASE_PLACE_JOINS
	    " WHERE %s AND (c.description LIKE ? ESCAPE '\\' OR c.address LIKE ? ESCAPE '\\')"
	    " AND c.status <> 'rejected' ORDER BY c.id DESC LIMIT ?",
	    filter);
	int rc = db_query(db, sql,
	                  DB_ARGS(db_text(grams), db_text(like), db_text(like), db_int(CASE_ROWS)),
	                  &st, e);
	if (rc < 0)
		return rc;
	page_raw(p, "<table class=\"cases\"><caption>最近的问题（新的在前，最多 20 条）</caption>"
	            "<thead><tr><th scope=\"col\">问题</th><th scope=\"col\">地点</th>"
	            "<th scope=\"col\">状态</th><th scope=\"col\">反映时间</th></tr></thead><tbody>");
	int n = 0;
	struct buf masked = BUF_INIT;
	while ((rc = db_step(st, e)) == DB_ROW) {
		enum case_state s;
		char when[20];
		portal_time(when, db_col_int(st, 4));
		page_raw(p, "<tr><td><strong>");
		page_text(p, db_col_text(st, 0));
		page_raw(p, "</strong><br>");
		buf_reset(&masked);
		mask_text(db_col_text(st, 5), &masked);
		buf_addc(&masked, '\0');
		snippet(p, masked.data, SNIPPET_CHARS);
		page_raw(p, "</td><td>");
		page_place(p, db_col_text(st, 1), db_col_text(st, 2));
		page_raw(p, "</td><td>");
		page_text(p, case_state_from_name(db_col_text(st, 3), &s) == 0 ? case_state_label(s)
		                                                                 : db_col_text(st, 3));
		page_raw(p, "</td><td>");
		page_text(p, when);
		page_raw(p, "</td></tr>");
		n++;
	}
	buf_free(&masked);
	db_done(st);
	if (!n)
		page_raw(p, "<tr><td colspan=\"4\">没有找到相关问题。</td></tr>");
	page_raw(p, "</tbody></table></section>");
	return rc < 0 ? rc : 0;
}

int portal_search(struct http_req *r, struct http_resp *w, struct err *e)
{
	int rc = api_public_limit(r, w, e);
	struct db *db;
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	const char *q = req_str(r, "q") ? req_str(r, "q") : "";
	while (*q == ' ')
		q++;
	struct page p;
	page_open(&p, r, *q ? arena_printf(r->arena, "搜索：%s", q) : "搜索", NAV_SEARCH);
	page_raw(&p, "<h1>站内搜索</h1><form class=\"card\" role=\"search\" method=\"get\""
	             " action=\"/search\"><div class=\"field\"><label for=\"q\">搜索文章和群众反映的问题"
	             "</label><input id=\"q\" name=\"q\" type=\"search\" maxlength=\"30\" value=\"");
	page_text(&p, q);
	page_raw(&p, "\"></div><button type=\"submit\">搜索</button></form>");
	if (*q) {
		const char *like = api_like_anywhere(r, q);
		if ((rc = search_articles(&p, db, like, e)) < 0 ||
		    (rc = search_cases(r, &p, db, q, like, e)) < 0) {
			buf_free(&p.out);
			return rc;
		}
	}
	page_close(&p, w);
	return 0;
}
