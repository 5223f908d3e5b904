/* 问题公开: the problems citizens and inspectors reported, newest first, by district and state,
 * so everyone can see that they are dealt with. Only what no one can be found by: category,
 * district and street (never the address, the description or a person), state and dates. */
#include "portal/portal.h"

#include <stdio.h>
#include <string.h>

#include "api/api_common.h"
#include "core/case_fsm.h"
#include "lib/arena.h"
#include "lib/html.h"
#include "portal/page.h"
#include "store/area_store.h"
#include "store/db.h"

enum { PAGE_ROWS = 30 };

static const char *const STATES[] = {"all", "open", "solved", NULL};

const struct param_spec portal_cases_params[] = {
    {.name = "district", .type = PT_STRING, .max_len = 32, .description = "a district's area code"},
    {.name = "service_code", .type = PT_STRING, .max_len = 16, .description = "a category"},
    {.name = "state",
     .type = PT_ENUM,
     .values = STATES,
     .description = "all (default), open (being dealt with) or solved"},
    {.name = "before", .type = PT_INT, .min = 1, .max = 1e15, .description = "paging: older than"},
    {.name = NULL},
};

static void state_option(struct page *p, const char *value, const char *label, const char *chosen)
{
	buf_printf(&p->out, "<option value=\"%s\"%s>%s</option>", value,
	           strcmp(value, chosen) == 0 ? " selected" : "", label);
}

int portal_cases(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	const char *district = req_str(r, "district") ? req_str(r, "district") : "";
	const char *state = req_str(r, "state") ? req_str(r, "state") : "all";
	const char *service = req_str(r, "service_code") ? req_str(r, "service_code") : "";
	const struct param *before = req_param(r, "before");
	struct page p;
	page_open(&p, r, "问题公开", NAV_CASES);
	page_raw(&p, "<h1>问题公开</h1><p class=\"muted\">群众和督查员反映的问题及办理状态。"
	             "为保护个人信息，只显示问题类别和所在街道。</p>"
	             "<form class=\"card filters\" method=\"get\" action=\"/cases\">");
	if ((rc = page_district_select(&p, db, district, e)) < 0) {
		buf_free(&p.out);
		return rc;
	}
	page_raw(&p, "<div class=\"field\"><label for=\"service_code\">问题类别</label>"
	             "<select id=\"service_code\" name=\"service_code\">"
	             "<option value=\"\">全部类别</option>");
	if ((rc = page_category_options(&p, db, service, e)) < 0) {
		buf_free(&p.out);
		return rc;
	}
	page_raw(&p, "</select></div><div class=\"field\"><label for=\"state\">状态</label>"
	             "<select id=\"state\" name=\"state\">");
	state_option(&p, "all", "全部", state);
	state_option(&p, "open", "办理中", state);
	state_option(&p, "solved", "已解决", state);
	page_raw(&p, "</select></div><button type=\"submit\">筛选</button></form>");

	/* A district holds its streets and their grids: the area and two levels below it. */
	struct db_stmt *st;
	rc = db_query(db,
	              "SELECT c.id, cat.name, " CASE_PLACE_COLS
	              ", c.status, c.requested_at FROM cases c"
	              " JOIN category cat ON cat.id = c.category_id" CASE_PLACE_JOINS
	              " WHERE (? = 0 OR c.id < ?)"
	              " AND (? = '' OR c.area_id IN (" AREA_SUBTREE_OF_CODE "))"
	              " AND (? = '' OR cat.service_code = ?)"
	              " AND (? = 'all' OR (? = 'solved' AND c.status = 'closed')"
	              " OR (? = 'open' AND c.status NOT IN ('closed', 'rejected')))"
	              " ORDER BY c.id DESC LIMIT ?",
	              DB_ARGS(db_int(before ? before->ival : 0), db_int(before ? before->ival : 0),
	                      db_text(district), db_text(district), db_text(service),
	                      db_text(service), db_text(state), db_text(state),
	                      db_text(state), db_int(PAGE_ROWS + 1)),
	              &st, e);
	if (rc < 0) {
		buf_free(&p.out);
		return rc;
	}
	page_raw(&p,
	         "<table class=\"cases\"><caption>问题列表（新的在前）</caption><thead><tr>"
	         "<th scope=\"col\">问题类别</th><th scope=\"col\">地点</th>"
	         "<th scope=\"col\">状态</th><th scope=\"col\">反映时间</th></tr></thead><tbody>");
	int n = 0;
	int64_t last = 0;
	while ((rc = db_step(st, e)) == DB_ROW && n < PAGE_ROWS) {
		enum case_state s;
		char when[20];
		portal_time(when, db_col_int(st, 5));
		last = db_col_int(st, 0);
		page_raw(&p, "<tr><td>");
		page_text(&p, db_col_text(st, 1));
		page_raw(&p, "</td><td>");
		page_place(&p, db_col_text(st, 2), db_col_text(st, 3));
		page_raw(&p, "</td><td>");
		page_text(&p, case_state_from_name(db_col_text(st, 4), &s) == 0
		                  ? case_state_label(s)
		                  : db_col_text(st, 4));
		page_raw(&p, "</td><td>");
		page_text(&p, when);
		page_raw(&p, "</td></tr>");
		n++;
	}
	int more = rc == DB_ROW;
	db_done(st);
	if (rc < 0) {
		buf_free(&p.out);
		return rc;
	}
	if (!n)
		page_raw(&p, "<tr><td colspan=\"4\">没有符合条件的问题。</td></tr>");
	page_raw(&p, "</tbody></table>");
	if (more) {
		page_raw(&p, "<p><a class=\"button\" href=\"/cases?state=");
		html_urlpart(&p.out, state); /* one of STATES: checked by the router */
		buf_printf(&p.out, "&amp;before=%lld", (long long)last);
		if (*district) {
			page_raw(&p, "&amp;district=");
			html_urlpart(&p.out, district);
		}
		if (*service) {
			page_raw(&p, "&amp;service_code=");
			html_urlpart(&p.out, service);
		}
		page_raw(&p, "\">更早的问题</a></p>");
	}
	page_close(&p, w);
	return 0;
}
