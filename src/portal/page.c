#include "portal/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_common.h"
#include "app.h"
#include "lib/arena.h"
#include "lib/html.h"
#include "store/db.h"

int page_care(const struct http_req *r)
{
	const char *v = api_cookie(r, "wm_care");
	return v && strcmp(v, "1") == 0;
}

int page_see_other(struct http_resp *w, const char *location)
{
	resp_header(w, "Location", location);
	resp_header(w, "Cache-Control", "no-store");
	w->status = 303;
	w->content_type = "text/plain; charset=utf-8";
	w->body = "";
	w->body_len = 0;
	return 0;
}

char page_cache_variant(const struct http_req *r)
{
	return page_care(r) ? 'c' : '-';
}

const char *page_error_class(const struct http_req *r)
{
	return page_care(r) ? "care" : NULL;
}

void page_text(struct page *p, const char *s)
{
	html_text(&p->out, s);
}

void page_place(struct page *p, const char *district, const char *street)
{
	if (!*district && !*street) {
		page_raw(p, "（未定位）");
		return;
	}
	page_text(p, district);
	page_text(p, street);
}

int page_district_select(struct page *p, struct db *db, const char *chosen, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, "SELECT code, name FROM area WHERE kind = 'district' ORDER BY code",
	                  NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	page_raw(p, "<div class=\"field\"><label for=\"district\">区域</label>"
	            "<select id=\"district\" name=\"district\"><option value=\"\">全市</option>");
	while ((rc = db_step(st, e)) == DB_ROW) {
		page_raw(p, "<option value=\"");
		page_text(p, db_col_text(st, 0));
		page_raw(p, strcmp(db_col_text(st, 0), chosen) == 0 ? "\" selected>" : "\">");
		page_text(p, db_col_text(st, 1));
		page_raw(p, "</option>");
	}
	db_done(st);
	page_raw(p, "</select></div>");
	return rc < 0 ? rc : 0;
}

int page_category_options(struct page *p, struct db *db, const char *chosen, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT service_code, kind, group_name, name, keywords FROM category"
	                  " WHERE active = 1 ORDER BY kind, group_code, sort, code",
	                  NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	char group[160] = "";
	while ((rc = db_step(st, e)) == DB_ROW) {
		const char *code = db_col_text(st, 0);
		char g[160];
		snprintf(g, sizeof g, "%s：%s",
		         strcmp(db_col_text(st, 1), "part") == 0 ? "部件" : "事件",
		         db_col_text(st, 2));
		if (strcmp(g, group) != 0) {
			page_raw(p,
			         *group ? "</optgroup><optgroup label=\"" : "<optgroup label=\"");
			page_text(p, g);
			page_raw(p, "\">");
			snprintf(group, sizeof group, "%s", g);
		}
		page_raw(p, "<option value=\"");
		page_text(p, code);
		page_raw(p, "\" data-keywords=\"");
		page_text(p, db_col_text(st, 4));
		page_raw(p, strcmp(code, chosen) == 0 ? "\" selected>" : "\">");
		page_text(p, db_col_text(st, 3));
		page_raw(p, "</option>");
	}
	db_done(st);
	if (*group)
		page_raw(p, "</optgroup>");
	return rc < 0 ? rc : 0;
}

void page_raw(struct page *p, const char *html)
{
	buf_adds(&p->out, html);
}

void page_map_scripts(struct page *p, const char *module)
{
	const struct app *a = p->r->app;
	if (a && a->tile_public && a->tile_url) {
		page_raw(p, "<div id=\"wm-tiles\" hidden data-url=\"");
		page_text(p, a->tile_url);
		page_raw(p, "\" data-attribution=\"");
		page_text(p, a->tile_attribution ? a->tile_attribution : "");
		page_raw(p, "\"></div>");
	}
	page_raw(p, "<link rel=\"stylesheet\" href=\"/static/vendor/leaflet.css\">"
	            "<script src=\"/static/vendor/leaflet.js\" defer></script>"
	            "<script type=\"module\" src=\"");
	page_text(p, module);
	page_raw(p, "\"></script>");
}

static void nav_item(struct page *p, const char *href, const char *label, int current)
{
	buf_adds(&p->out, "<li><a href=\"");
	buf_adds(&p->out, href);
	buf_adds(&p->out, current ? "\" aria-current=\"page\">" : "\">");
	buf_adds(&p->out, label);
	buf_adds(&p->out, "</a></li>");
}

void page_open(struct page *p, struct http_req *r, const char *title, enum page_nav nav)
{
	*p = (struct page){.r = r, .out = BUF_INIT, .care = page_care(r)};
	struct buf *o = &p->out;
	buf_adds(o, p->care ? "<!doctype html>\n<html lang=\"zh-CN\" class=\"care\">"
	                    : "<!doctype html>\n<html lang=\"zh-CN\">");
	buf_adds(o,
	         "<head><meta charset=\"utf-8\">"
	         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	html_text(o, title);
	buf_adds(o, " - 大连文明城市</title>"
	            "<link rel=\"stylesheet\" href=\"/static/portal/portal.css\"></head><body>"
	            "<a class=\"skip\" href=\"#main\">跳到主要内容</a>"
	            "<header class=\"top\"><a class=\"brand\" href=\"/\">大连文明城市</a>"
	            "<nav aria-label=\"主导航\"><ul>");
	nav_item(p, "/", "首页", nav == NAV_HOME);
	nav_item(p, "/report", "我要反映", nav == NAV_REPORT);
	nav_item(p, "/track", "查询进度", nav == NAV_TRACK);
	nav_item(p, "/cases", "问题公开", nav == NAV_CASES);
	nav_item(p, "/news", "创城动态", nav == NAV_NEWS);
	nav_item(p, "/map", "问题地图", nav == NAV_MAP);
	nav_item(p, "/search", "搜索", nav == NAV_SEARCH);
	buf_adds(o, "</ul></nav>");
	/* A link, not a script: it works everywhere, and comes back to this page. */
	buf_adds(o, "<a class=\"care-switch\" href=\"/care?on=");
	buf_adds(o, p->care ? "0" : "1");
	buf_adds(o, "&amp;back=");
	/* After a form was posted, back to its section: the posted address is no page. */
	static const char *const section[] = {"/",      "/",     "/report", "/track",
	                                      "/cases", "/news", "/search", "/map"};
	html_urlpart(o, strcmp(r->method, "GET") == 0 ? r->path : section[nav]);
	buf_adds(o, p->care ? "\">标准版</a>" : "\">关怀版（大字）</a>");
	buf_adds(o, "</header><main id=\"main\" class=\"page\" tabindex=\"-1\">");
}

void page_close(struct page *p, struct http_resp *w)
{
	buf_adds(&p->out, "</main><footer class=\"foot\"><p>大连市精神文明建设委员会办公室 主办"
	                  "　<a href=\"/console\">工作人员入口</a></p></footer></body></html>\n");
	size_t len;
	char *doc = buf_detach(&p->out, &len);
	arena_defer(p->r->arena, free, doc);
	w->content_type = "text/html; charset=utf-8";
	w->body = doc;
	w->body_len = len;
}
