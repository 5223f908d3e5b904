/* 问题地图: where problems were reported lately and how many are solved. Without JavaScript
 * the page is complete on its own: a filter form and, per district, the problems reported
 * and solved in the period with a link to 问题公开 for each. With JavaScript,
 * web/static/portal/map.js draws the districts and streets, the masked points grouped on a
 * grid and coloured by state, and refetches when a filter changes (GET /api/v1/public/map). */
#include "portal/map.h"

#include <string.h>

#include "lib/html.h"
#include "portal/page.h"
#include "portal/portal.h"

static void option(struct page *p, const char *value, const char *label, int on)
{
	page_raw(p, "<option value=\"");
	page_text(p, value);
	page_raw(p, on ? "\" selected>" : "\">");
	page_text(p, label);
	page_raw(p, "</option>");
}

static int filter_form(struct page *p, struct db *db, const struct map_filter *f, struct err *e)
{
	page_raw(p, "<form class=\"card filters\" id=\"map-filters\" method=\"get\" "
	            "action=\"/map\">");
	int rc = page_district_select(p, db, f->district, e);
	if (rc < 0)
		return rc;
	page_raw(p, "<div class=\"field\"><label for=\"service_code\">问题类别</label>"
	            "<select id=\"service_code\" name=\"service_code\">");
	option(p, "", "全部类别", !*f->service_code);
	if ((rc = page_category_options(p, db, f->service_code, e)) < 0)
		return rc;
	page_raw(p, "</select></div><div class=\"field\"><label for=\"state\">状态</label>"
	            "<select id=\"state\" name=\"state\">");
	option(p, "all", "全部", strcmp(f->state, "all") == 0);
	option(p, "open", "办理中", strcmp(f->state, "open") == 0);
	option(p, "solved", "已解决", strcmp(f->state, "solved") == 0);
	page_raw(p, "</select></div><div class=\"field\"><label for=\"days\">时间</label>"
	            "<select id=\"days\" name=\"days\">");
	static const int periods[] = {7, 30, 90};
	int listed = 0;
	for (size_t i = 0; i < sizeof periods / sizeof *periods; i++) {
		if (!listed && f->days < periods[i]) {
			buf_printf(&p->out, "<option value=\"%d\" selected>近 %d 天</option>",
			           f->days, f->days);
			listed = 1;
		}
		buf_printf(&p->out, "<option value=\"%d\"%s>近 %d 天</option>", periods[i],
		           f->days == periods[i] ? " selected" : "", periods[i]);
		listed |= f->days == periods[i];
	}
	page_raw(p, "</select></div><button type=\"submit\">筛选</button></form>");
	return 0;
}

/* The districts' figures; map.js fills the same table again after a refetch. */
static void district_table(struct page *p, const struct map_filter *f, const struct map_counts *n)
{
	buf_printf(&p->out,
	           "<table class=\"cases\" id=\"district-table\"><caption>各区问题（近 %d "
	           "天）</caption><thead><tr><th scope=\"col\">区域</th><th "
	           "scope=\"col\">反映</th><th scope=\"col\">已解决</th><th "
	           "scope=\"col\">办理中</th></tr></thead><tbody>",
	           f->days);
	int64_t placed = 0;
	for (int i = 0; i < n->ndistricts; i++) {
		const struct map_district *d = &n->districts[i];
		page_raw(p, "<tr><th scope=\"row\"><a href=\"/cases?district=");
		html_urlpart(&p->out, d->code);
		page_raw(p, "\">");
		page_text(p, d->name);
		buf_printf(&p->out, "</a></th><td>%lld</td><td>%lld</td><td>%lld</td></tr>",
		           (long long)d->reported, (long long)d->solved,
		           (long long)(d->reported - d->solved));
		placed += d->reported;
	}
	/* Cases outside every district's outline (or not located) still count in the total. */
	if (!*f->district && n->total > placed)
		buf_printf(
		    &p->out,
		    "<tr><th scope=\"row\">未定位</th><td>%lld</td><td>—</td><td>—</td></tr>",
		    (long long)(n->total - placed));
	if (!n->ndistricts)
		page_raw(p, "<tr><td colspan=\"4\">没有符合条件的问题。</td></tr>");
	page_raw(p, "</tbody></table>");
}

int portal_map(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct map_filter f;
	struct map_counts n;
	int rc = map_load(r, &db, &f, &n, e);
	if (rc < 0)
		return rc;
	struct page p;
	page_open(&p, r, "问题地图", NAV_MAP);
	page_raw(&p, "<h1>问题地图</h1><p class=\"muted\">各区近期反映的问题和解决情况。"
	             "为保护个人信息，地图上的位置只精确到约 200 米，不显示地址、描述和联系方式。"
	             "</p>");
	if ((rc = filter_form(&p, db, &f, e)) < 0) {
		buf_free(&p.out);
		return rc;
	}
	buf_printf(&p.out,
	           "<p id=\"map-summary\" role=\"status\">近 %d 天共反映 <strong>%lld</strong> "
	           "件问题，已解决 <strong>%lld</strong> 件。</p>",
	           f.days, (long long)n.total, (long long)n.solved);
	/* map.js puts the map here (and a link past it); the table is the map's text. */
	page_raw(&p, "<div id=\"map-slot\"></div>");
	district_table(&p, &f, &n);
	page_raw(&p, "<p class=\"hint\">点击区名查看该区的问题列表。</p>");
	page_map_scripts(&p, "/static/portal/map.js");
	page_close(&p, w);
	return 0;
}
