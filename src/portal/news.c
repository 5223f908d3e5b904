/* 创城动态: the published articles (docs/news.md) — the list by kind and tag with the hot list,
 * the article page with its tags, related articles and share links. Only published articles
 * exist here: a draft's or a withdrawn article's page is a 404 like a missing one. Bodies
 * were cleaned by the sanitiser when they were saved, so they are written as stored; every
 * other value is escaped. Pages are kept in the response cache (with an ETag) and views are
 * counted in memory, hits of the cache included (portal_cache_hit). */
#include "portal/news.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_common.h"
#include "app.h"
#include "core/article_fsm.h"
#include "core/media_type.h"
#include "lib/arena.h"
#include "lib/html.h"
#include "portal/page.h"
#include "portal/portal.h"
#include "store/article_views.h"
#include "store/db.h"

enum { LIST_ROWS = 20, HOT_ROWS = 8, RELATED_ROWS = 5, SUMMARY_CHARS = 90 };

const struct param_spec portal_news_params[] = {
    {.name = "kind", .type = PT_ENUM, .values = ARTICLE_KINDS},
    {.name = "tag", .type = PT_STRING, .max_len = 40},
    {.name = "page", .type = PT_INT, .min = 1, .max = 10000},
    {.name = NULL},
};

/* The summary a list shows: the writer's, else the beginning of the text. */
#define SUMMARY_SQL                                                                                \
	"CASE WHEN a.summary <> '' THEN a.summary WHEN length(a.body_text) > 90"                   \
	" THEN substr(a.body_text, 1, 90) || '…' ELSE a.body_text END"

static void date_of(char out[11], int64_t t)
{
	char when[20];
	portal_time(when, t);
	memcpy(out, when, 10);
	out[10] = '\0';
}

static void cover_img(struct page *p, const char *sha, const char *mime, const char *alt)
{
	char path[MEDIA_PATH_MAX];
	media_path(sha, mime, path);
	page_raw(p, "<img src=\"");
	page_text(p, path);
	page_raw(p, "\" alt=\"");
	page_text(p, alt);
	page_raw(p, "\" loading=\"lazy\">");
}

static void article_link(struct page *p, int64_t id, const char *title)
{
	buf_printf(&p->out, "<a href=\"/news/%lld\">", (long long)id);
	page_text(p, title);
	page_raw(p, "</a>");
}

/* 热门文章: the most read published articles but `except` (the page's own: a page's own
 * views would change it, and so its ETag, with every batch of counts). */
static int hot_list(struct page *p, struct db *db, int64_t except, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT id, title FROM article WHERE status = 'published' AND id <> ?"
	                  " ORDER BY views DESC, published_at DESC LIMIT ?",
	                  DB_ARGS(db_int(except), db_int(HOT_ROWS)), &st, e);
	if (rc < 0)
		return rc;
	page_raw(p, "<aside class=\"card hot\" aria-labelledby=\"hot-h\"><h2 id=\"hot-h\">热门文章</h2>"
	            "<ol>");
	while ((rc = db_step(st, e)) == DB_ROW) {
		page_raw(p, "<li>");
		article_link(p, db_col_int(st, 0), db_col_text(st, 1));
		page_raw(p, "</li>");
	}
	db_done(st);
	page_raw(p, "</ol></aside>");
	return rc < 0 ? rc : 0;
}

static void kind_tab(struct page *p, const char *kind, const char *label, const char *chosen)
{
	int current = strcmp(kind, chosen) == 0;
	buf_printf(&p->out, "<li><a href=\"/news%s%s\"%s>%s</a></li>", *kind ? "?kind=" : "", kind,
	           current ? " aria-current=\"page\"" : "", label);
}

static void tag_links(struct page *p, struct db *db, int64_t id, struct err *e, int *rc)
{
	struct db_stmt *st;
	if (*rc < 0 || (*rc = db_query(db, "SELECT tag FROM article_tag WHERE article_id = ?"
	                                   " ORDER BY tag",
	                               DB_ARGS(db_int(id)), &st, e)) < 0)
		return;
	int any = 0;
	while ((*rc = db_step(st, e)) == DB_ROW) {
		page_raw(p, any++ ? "" : "<ul class=\"tags\" aria-label=\"标签\">");
		page_raw(p, "<li><a href=\"/news?tag=");
		html_urlpart(&p->out, db_col_text(st, 0));
		page_raw(p, "\">");
		page_text(p, db_col_text(st, 0));
		page_raw(p, "</a></li>");
	}
	db_done(st);
	if (any)
		page_raw(p, "</ul>");
	if (*rc > 0)
		*rc = 0;
}

int portal_news_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	const char *kind = req_str(r, "kind") ? req_str(r, "kind") : "";
	const char *tag = req_str(r, "tag") ? req_str(r, "tag") : "";
	int64_t pageno = req_param(r, "page") ? req_param(r, "page")->ival : 1;
	struct db_stmt *st;
	rc = db_query(db,
	              "SELECT a.id, a.kind, a.title, " SUMMARY_SQL ", a.published_at, a.cover,"
	              " COALESCE(m.mime, ''), a.cover_alt, a.source FROM article a"
	              " LEFT JOIN media m ON m.sha256 = a.cover WHERE a.status = 'published'"
	              " AND (? = '' OR a.kind = ?) AND (? = '' OR a.id IN"
	              " (SELECT article_id FROM article_tag WHERE tag = ?))"
	              " ORDER BY a.published_at DESC, a.id DESC LIMIT ? OFFSET ?",
	              DB_ARGS(db_text(kind), db_text(kind), db_text(tag), db_text(tag),
	                      db_int(LIST_ROWS + 1), db_int((pageno - 1) * LIST_ROWS)),
	              &st, e);
	if (rc < 0)
		return rc;
	struct page p;
	const char *label = *kind ? article_kind_label(kind) : "创城动态";
	page_open(&p, r, label, NAV_NEWS);
	page_raw(&p, "<h1>");
	page_text(&p, *tag ? arena_printf(r->arena, "标签：%s", tag) : label);
	page_raw(&p, "</h1><nav aria-label=\"栏目\"><ul class=\"tabs\">");
	kind_tab(&p, "", "全部", kind);
	for (int i = 0; ARTICLE_KINDS[i]; i++)
		kind_tab(&p, ARTICLE_KINDS[i], article_kind_label(ARTICLE_KINDS[i]), kind);
	page_raw(&p, "</ul></nav><p class=\"feeds\">订阅：<a href=\"/news/atom\">Atom</a>　"
	             "<a href=\"/news/rss\">RSS</a></p><div class=\"news-cols\"><ul class=\"news\">");
	int n = 0;
	while ((rc = db_step(st, e)) == DB_ROW && ++n <= LIST_ROWS) {
		char date[11];
		date_of(date, db_col_int(st, 4));
		page_raw(&p, "<li class=\"card\">");
		if (!db_col_is_null(st, 5))
			cover_img(&p, db_col_text(st, 5), db_col_text(st, 6), db_col_text(st, 7));
		page_raw(&p, "<h2>");
		article_link(&p, db_col_int(st, 0), db_col_text(st, 2));
		buf_printf(&p.out, "</h2><p class=\"muted\">%s · <time datetime=\"%s\">%s</time>",
		           article_kind_label(db_col_text(st, 1)), date, date);
		if (*db_col_text(st, 8)) {
			page_raw(&p, " · ");
			page_text(&p, db_col_text(st, 8));
		}
		page_raw(&p, "</p><p>");
		page_text(&p, db_col_text(st, 3));
		page_raw(&p, "</p></li>");
	}
	db_done(st);
	if (rc < 0) {
		buf_free(&p.out);
		return rc;
	}
	if (n == 0)
		page_raw(&p, "<li class=\"card\"><p>暂无文章。</p></li>");
	page_raw(&p, "</ul>");
	if ((rc = hot_list(&p, db, 0, e)) < 0) {
		buf_free(&p.out);
		return rc;
	}
	page_raw(&p, "</div>");
	if (pageno > 1 || n > LIST_ROWS) {
		page_raw(&p, "<nav class=\"pager\" aria-label=\"翻页\">");
		for (int older = 0; older < 2; older++) {
			if (older ? n <= LIST_ROWS : pageno <= 1)
				continue;
			buf_printf(&p.out, "<a href=\"/news?page=%lld", (long long)(pageno + (older ? 1 : -1)));
			if (*kind) {
				page_raw(&p, "&amp;kind=");
				html_urlpart(&p.out, kind);
			}
			if (*tag) {
				page_raw(&p, "&amp;tag=");
				html_urlpart(&p.out, tag);
			}
			page_raw(&p, older ? "\">下一页</a>" : "\">上一页</a>");
		}
		page_raw(&p, "</nav>");
	}
	page_close(&p, w);
	return 0;
}

/* 相关文章: published articles of the same kind or sharing a tag, most shared tags first. */
static int related(struct page *p, struct db *db, int64_t id, const char *kind, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(
	    db,
	    "SELECT a.id, a.title, (SELECT count(*) FROM article_tag o JOIN article_tag t"
	    " ON t.tag = o.tag AND t.article_id = ? WHERE o.article_id = a.id) AS shared"
	    " FROM article a WHERE a.status = 'published' AND a.id <> ? AND (a.kind = ? OR a.id IN"
	    " (SELECT o.article_id FROM article_tag o JOIN article_tag t ON t.tag = o.tag"
	    " WHERE t.article_id = ?)) ORDER BY shared DESC, a.published_at DESC LIMIT ?",
	    DB_ARGS(db_int(id), db_int(id), db_text(kind), db_int(id), db_int(RELATED_ROWS)), &st,
	    e);
	if (rc < 0)
		return rc;
	int any = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		page_raw(p, any++ ? "<li>"
		                  : "<section class=\"card\" aria-labelledby=\"rel-h\">"
		                    "<h2 id=\"rel-h\">相关文章</h2><ul><li>");
		article_link(p, db_col_int(st, 0), db_col_text(st, 1));
		page_raw(p, "</li>");
	}
	db_done(st);
	if (any)
		page_raw(p, "</ul></section>");
	return rc < 0 ? rc : 0;
}

/* Links that open the sharing pages of the sites people use; no script, no tracking. */
static void share_links(struct page *p, const char *url, const char *title)
{
	static const struct {
		const char *label, *base;
	} SITES[] = {
	    {"微博", "https://service.weibo.com/share/share.php?url="},
	    {"QQ", "https://connect.qq.com/widget/shareqq/index.html?url="},
	    {"QQ空间", "https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey?url="},
	};
	page_raw(p, "<section class=\"card share\" aria-labelledby=\"share-h\"><h2 id=\"share-h\">"
	            "分享</h2><p><label for=\"share-url\">本文链接</label><input id=\"share-url\""
	            " type=\"url\" readonly value=\"");
	page_text(p, url);
	page_raw(p, "\"></p><ul>");
	for (size_t i = 0; i < sizeof SITES / sizeof SITES[0]; i++) {
		page_raw(p, "<li><a rel=\"noopener noreferrer\" href=\"");
		page_raw(p, SITES[i].base);
		html_urlpart(&p->out, url);
		page_raw(p, "&amp;title=");
		html_urlpart(&p->out, title);
		page_raw(p, "\">分享到");
		page_raw(p, SITES[i].label);
		page_raw(p, "</a></li>");
	}
	page_raw(p, "</ul></section>");
}

int portal_news_article(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t id;
	int rc = api_path_id(r, 0, &id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	struct db_stmt *st;
	rc = db_query(db,
	              "SELECT a.kind, a.title, a.body, a.source, a.cover, COALESCE(m.mime, ''),"
	              " a.cover_alt, a.published_at FROM article a"
	              " LEFT JOIN media m ON m.sha256 = a.cover"
	              " WHERE a.id = ? AND a.status = 'published'",
	              DB_ARGS(db_int(id)), &st, e);
	if (rc < 0)
		return rc;
	if ((rc = db_step(st, e)) != DB_ROW) {
		db_done(st);
		return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, "没有这篇文章，或已撤下");
	}
	article_views_count(r->app->views, id, r->now);
	const char *kind = arena_strdup(r->arena, db_col_text(st, 0));
	const char *title = arena_strdup(r->arena, db_col_text(st, 1));
	struct page p;
	page_open(&p, r, title, NAV_NEWS);
	char date[11];
	date_of(date, db_col_int(st, 7));
	page_raw(&p, "<p class=\"crumbs\"><a href=\"/news\">创城动态</a> › <a href=\"/news?kind=");
	html_urlpart(&p.out, kind);
	page_raw(&p, "\">");
	page_raw(&p, article_kind_label(kind));
	page_raw(&p, "</a></p><article class=\"article\"><h1>");
	page_text(&p, title);
	buf_printf(&p.out, "</h1><p class=\"muted\"><time datetime=\"%s\">%s</time>", date, date);
	if (*db_col_text(st, 3)) {
		page_raw(&p, " · 来源：");
		page_text(&p, db_col_text(st, 3));
	}
	/* No view count here: it would change the page, and so its ETag, with every batch. */
	page_raw(&p, "</p>");
	if (!db_col_is_null(st, 4)) {
		page_raw(&p, "<figure class=\"cover\">");
		cover_img(&p, db_col_text(st, 4), db_col_text(st, 5), db_col_text(st, 6));
		page_raw(&p, "</figure>");
	}
	page_raw(&p, "<div class=\"body\">");
	page_raw(&p, db_col_text(st, 2)); /* cleaned by lib/sanitize.h when it was saved */
	page_raw(&p, "</div>");
	db_done(st);
	tag_links(&p, db, id, e, &rc);
	page_raw(&p, "</article>");
	if (rc == 0)
		share_links(&p, arena_printf(r->arena, "%s/news/%lld", r->base_url, (long long)id),
		            title);
	if (rc < 0 || (rc = related(&p, db, id, kind, e)) < 0 || (rc = hot_list(&p, db, id, e)) < 0) {
		buf_free(&p.out);
		return rc;
	}
	page_close(&p, w);
	return 0;
}

int news_latest(struct page *p, struct db *db, int n, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT id, kind, title, published_at FROM article"
	                  " WHERE status = 'published' ORDER BY published_at DESC, id DESC LIMIT ?",
	                  DB_ARGS(db_int(n)), &st, e);
	if (rc < 0)
		return rc;
	page_raw(p, "<section aria-labelledby=\"news-h\"><h2 id=\"news-h\">创城动态</h2>"
	            "<ul class=\"list\">");
	int any = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		char date[11];
		date_of(date, db_col_int(st, 3));
		buf_printf(&p->out, "<li><span class=\"muted\">%s</span> ",
		           article_kind_label(db_col_text(st, 1)));
		article_link(p, db_col_int(st, 0), db_col_text(st, 2));
		buf_printf(&p->out, " <time class=\"muted\" datetime=\"%s\">%s</time></li>", date,
		           date);
		any = 1;
	}
	db_done(st);
	page_raw(p, any ? "</ul><p><a href=\"/news\">更多创城动态</a></p></section>"
	                : "<li>暂无文章。</li></ul></section>");
	return rc < 0 ? rc : 0;
}

void portal_cache_hit(struct http_req *r, http_handler handler)
{
	int64_t id;
	struct err e = {0};
	if (handler == portal_news_article && api_path_id(r, 0, &id, &e) == 0)
		article_views_count(r->app->views, id, r->now);
}
