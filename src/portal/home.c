/* 首页 and the 关怀版 switch. The home page shows what changed this week (看到变化): problems
 * reported and solved since Monday, and the latest solved ones by place — district and street,
 * never an address or a person. */
#include "portal/portal.h"

#include <stdio.h>
#include <string.h>

#include "api/api_common.h"
#include "core/timefmt.h"
#include "lib/arena.h"
#include "portal/news.h"
#include "portal/page.h"
#include "store/db.h"

enum { BEIJING = 8 * 3600, DAY = 86400 };

void portal_time(char out[20], int64_t t)
{
	char iso[32];
	time_format_iso8601(t, BEIJING, iso); /* 2026-11-26T13:05:09+08:00 */
	snprintf(out, 20, "%.10s %.5s", iso, iso + 11);
}

/* Monday 00:00 of this week, Beijing time (1970-01-01 was a Thursday). */
static int64_t week_start(int64_t now)
{
	int64_t day = (now + BEIJING) / DAY;
	return (day - (day + 3) % 7) * DAY - BEIJING;
}

static int64_t count(struct db *db, const char *sql, int64_t since, struct err *e, int *rc)
{
	int64_t n = 0;
	if (*rc == 0)
		*rc = db_get_int(db, sql, DB_ARGS(db_int(since)), &n, e);
	return n;
}

static void figure(struct page *p, int64_t n, const char *label)
{
	buf_printf(&p->out, "<li><strong>%lld</strong> %s</li>", (long long)n, label);
}

int portal_home(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	int64_t since = week_start(r->now);
	int64_t reported =
	    count(db, "SELECT count(*) FROM cases WHERE requested_at >= ?", since, e, &rc);
	int64_t solved =
	    count(db, "SELECT count(*) FROM cases WHERE status = 'closed' AND closed_at >= ?",
	          since, e, &rc);
	if (rc < 0)
		return rc;
	struct page p;
	page_open(&p, r, "首页", NAV_HOME);
	page_raw(
	    &p, "<h1>共建文明城市，人人都是参与者</h1>"
	        "<p class=\"lead\">看到乱扔垃圾、占道经营、井盖缺失、路灯不亮等问题，请随手反映；"
	        "我们派给责任单位限时处理，处理结果您可随时查询。</p>"
	        "<p class=\"actions\"><a class=\"button primary\" href=\"/report\">我要反映问题</a>"
	        "<a class=\"button\" href=\"/track\">查询办理进度</a></p>"
	        "<section aria-labelledby=\"week\"><h2 id=\"week\">本周变化</h2><ul "
	        "class=\"figures\">");
	figure(&p, reported, "件问题已受理");
	figure(&p, solved, "件问题已解决");
	page_raw(&p, "</ul></section>");

	struct db_stmt *st;
	rc = db_query(db,
	              "SELECT cat.name, " CASE_PLACE_COLS ", c.closed_at"
	              " FROM cases c JOIN category cat ON cat.id = c.category_id" CASE_PLACE_JOINS
	              " WHERE c.status = 'closed' AND c.closed_at IS NOT NULL"
	              " ORDER BY c.closed_at DESC LIMIT 10",
	              NULL, 0, &st, e);
	if (rc < 0) {
		buf_free(&p.out);
		return rc;
	}
	page_raw(&p, "<section aria-labelledby=\"solved\"><h2 id=\"solved\">最近解决的问题</h2>"
	             "<ul class=\"list\">");
	int n = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		char when[20];
		portal_time(when, db_col_int(st, 3));
		page_raw(&p, "<li><strong>");
		page_text(&p, db_col_text(st, 0));
		page_raw(&p, "</strong> ");
		page_place(&p, db_col_text(st, 1), db_col_text(st, 2));
		page_raw(&p, " <span class=\"muted\">解决于 ");
		page_text(&p, when);
		page_raw(&p, "</span></li>");
		n++;
	}
	db_done(st);
	if (rc < 0) {
		buf_free(&p.out);
		return rc;
	}
	if (!n)
		page_raw(&p, "<li>还没有解决的问题。</li>");
	page_raw(&p, "</ul></section>");
	if ((rc = news_latest(&p, db, 5, e)) < 0) {
		buf_free(&p.out);
		return rc;
	}
	page_close(&p, w);
	return 0;
}

static const char *const ON_OFF[] = {"0", "1", NULL};

const struct param_spec portal_care_params[] = {
    {.name = "on", .type = PT_ENUM, .flags = PF_REQUIRED, .values = ON_OFF},
    {.name = "back", .type = PT_STRING, .max_len = 500, .description = "the page to return to"},
    {.name = NULL},
};

/* Back to a page of ours only: a path, never "//host" or a scheme. */
static const char *local_path(const char *back)
{
	if (!back || back[0] != '/' || back[1] == '/' || back[1] == '\\' || strchr(back, ':'))
		return "/";
	return back;
}

int portal_care(struct http_req *r, struct http_resp *w, struct err *e)
{
	(void)e;
	int on = strcmp(req_str(r, "on"), "1") == 0;
	/* A year, for every page; HttpOnly: no script needs it. */
	resp_header(w, "Set-Cookie",
	            arena_printf(r->arena,
	                         "wm_care=%s; Path=/; Max-Age=%d; SameSite=Lax; HttpOnly%s",
	                         on ? "1" : "0", on ? 365 * DAY : 0, r->secure ? "; Secure" : ""));
	return page_see_other(w, local_path(req_str(r, "back")));
}
