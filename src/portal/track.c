/* 查询进度: a citizen types the tracking code from the confirmation (or the SMS) and sees the
 * case's public view — status, deadline, the public steps with the responsible unit — the same
 * data as GET /api/v1/public/cases/{code}, as a page. */
#include "portal/portal.h"

#include <jansson.h>
#include <string.h>

#include "api/api_common.h"
#include "api/public_followup.h"
#include "core/tracking.h"
#include "lib/arena.h"
#include "lib/html.h"
#include "portal/page.h"

const struct param_spec portal_track_params[] = {
    {.name = "code", .type = PT_STRING, .max_len = 64, .description = "a tracking code"},
    {.name = NULL},
};

static const char *const ONE[] = {"1", NULL};

const struct param_spec portal_track_case_params[] = {
    {.name = "new",
     .type = PT_ENUM,
     .values = ONE,
     .description = "just reported: the page thanks the reporter"},
    {.name = "rated",
     .type = PT_ENUM,
     .values = ONE,
     .description = "just rated: the page thanks the reporter"},
    {.name = NULL},
};

static const char *const RATINGS[] = {"satisfied", "basically", "unsatisfied", NULL};

const struct param_spec portal_track_rate_params[] = {
    {.name = "rating", .type = PT_ENUM, .values = RATINGS},
    {.name = "comment", .type = PT_TEXT, .max_len = RATING_COMMENT_MAX_CHARS * 4},
    {.name = "token",
     .type = PT_STRING,
     .max_len = 64,
     .description = "评价码: the token given when the report was filed (else the cookie's)"},
    {.name = NULL},
};

/* The report's token this browser keeps for the case (set when it was filed here). */
static const char *kept_token(const struct http_req *r, const char *code)
{
	return api_cookie(r, arena_printf(r->arena, "wm_tok_%s", code));
}

static void track_box(struct page *p, const char *code, const char *error)
{
	page_raw(p, "<form class=\"card\" method=\"get\" action=\"/track\">"
	            "<label for=\"code\">查询码（受理时给您的编号，如 DL2611…）</label>");
	if (error) {
		page_raw(p, "<p class=\"error\" id=\"code-error\">");
		page_text(p, error);
		page_raw(p, "</p>");
	}
	page_raw(p,
	         "<input id=\"code\" name=\"code\" required maxlength=\"64\" autocomplete=\"off\""
	         " autocapitalize=\"characters\"");
	if (error)
		page_raw(p, " aria-invalid=\"true\" aria-describedby=\"code-error\"");
	page_raw(p, " value=\"");
	page_text(p, code ? code : "");
	page_raw(p, "\"><button type=\"submit\" class=\"primary\">查询</button></form>");
}

/* GET /track: the form; with ?code= a known code goes to its page (a bookmarkable URL). */
int portal_track_form(struct http_req *r, struct http_resp *w, struct err *e)
{
	(void)e;
	const char *code = req_str(r, "code");
	char norm[TRACKING_MAX];
	const char *error = NULL;
	if (code && *code) {
		if (tracking_normalize(code, norm))
			return page_see_other(w, arena_printf(r->arena, "/track/%s", norm));
		error = "查询码格式不对：请核对后重新输入（字母和数字，不区分大小写）。";
	}
	struct page p;
	page_open(&p, r, "查询办理进度", NAV_TRACK);
	page_raw(&p, "<h1>查询办理进度</h1>");
	track_box(&p, code, error);
	page_close(&p, w);
	if (error)
		w->status = 400;
	return 0;
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void when(struct page *p, const json_t *o, const char *k)
{
	char t[20];
	portal_time(t, (int64_t)json_integer_value(json_object_get(o, k)));
	page_text(p, t);
}

/* 处理结果: the photos the unit or the inspector took of the result, each a link to itself. */
static void result_photos(struct page *p, const json_t *photos)
{
	if (!json_array_size(photos))
		return;
	page_raw(p, "<h2>处理结果照片</h2><ul class=\"photos\">");
	size_t i;
	const json_t *ph;
	json_array_foreach(photos, i, ph)
	{
		page_raw(p, "<li><a href=\"");
		page_text(p, str(ph, "url"));
		page_raw(p, "\"><img src=\"");
		page_text(p, str(ph, "url"));
		buf_printf(&p->out, "\" alt=\"处理结果照片 %zu\" loading=\"lazy\"></a></li>", i + 1);
	}
	page_raw(p, "</ul>");
}

static void fact(struct page *p, const char *term, const char *value)
{
	page_raw(p, "<dt>");
	page_raw(p, term);
	page_raw(p, "</dt><dd>");
	page_text(p, value);
	page_raw(p, "</dd>");
}

/* The rating form of a closed case not rated yet: the token from this browser's cookie, or
 * typed (a report filed elsewhere). error: the last attempt's problem, beside the form. */
static void rating_form(struct page *p, const char *code, const char *error)
{
	const struct http_req *r = p->r;
	page_raw(p, "<form class=\"card\" method=\"post\" action=\"/track/");
	page_text(p, code);
	page_raw(p, "/rating\"><h2 id=\"rate\">评价处理结果</h2>");
	if (error) {
		page_raw(p, "<p class=\"error\" id=\"rate-error\" role=\"alert\">");
		page_text(p, error);
		page_raw(p, "</p>");
	}
	page_raw(p, "<fieldset><legend>您对处理结果满意吗？</legend>");
	static const char *const labels[] = {"满意", "基本满意", "不满意"};
	const char *chosen = req_str(r, "rating");
	for (int i = 0; i < 3; i++)
		buf_printf(&p->out,
		           "<label class=\"check\"><input type=\"radio\" name=\"rating\" "
		           "value=\"%s\"%s%s> "
		           "%s</label>",
		           RATINGS[i], i == 0 ? " required" : "",
		           chosen && strcmp(chosen, RATINGS[i]) == 0 ? " checked" : "", labels[i]);
	page_raw(p, "</fieldset><div class=\"field\"><label for=\"comment\">意见（可不填，500 "
	            "字以内）</label>"
	            "<textarea id=\"comment\" name=\"comment\" rows=\"3\" maxlength=\"500\">");
	page_text(p, req_str(r, "comment"));
	page_raw(p, "</textarea></div>");
	if (!kept_token(r, code)) {
		page_raw(
		    p, "<div class=\"field\"><label for=\"token\">评价码（反映问题时获得）</label>"
		       "<input id=\"token\" name=\"token\" required maxlength=\"64\" "
		       "autocomplete=\"off\"");
		if (error)
			page_raw(p, " aria-describedby=\"rate-error\"");
		page_raw(p, "></div>");
	}
	page_raw(p, "<button type=\"submit\" class=\"primary\">提交评价</button></form>");
}

/* The case's page; error: a refused rating, shown by its form. */
static int render_case(struct http_req *r, struct http_resp *w, const char *code, const char *error,
                       struct err *e)
{
	struct db *db;
	int rc;
	json_t *c;
	const char *token = kept_token(r, code);
	if ((rc = api_db(r, &db, e)) < 0 || (rc = public_case_view(r, db, code, token, &c, e)) < 0)
		return rc == ERR_NOT_FOUND ? err_set(e, ERR_NOT_FOUND, "没有这个查询码的案件") : rc;
	arena_defer(r->arena, (void (*)(void *))json_decref, c);

	struct page p;
	page_open(&p, r, arena_printf(r->arena, "案件 %s", code), NAV_TRACK);
	page_raw(&p, "<h1>案件 ");
	page_text(&p, code);
	page_raw(&p, "</h1>");
	if (req_str(r, "new")) {
		page_raw(&p, "<p class=\"notice\" role=\"status\">已受理，谢谢您！请记下查询码，"
		             "随时可在本站“查询进度”查看办理情况。");
		if (token) {
			page_raw(&p, "结案后可在本页评价；换用其他设备评价时需要评价码：<strong>");
			page_text(&p, token);
			page_raw(&p, "</strong>");
		}
		page_raw(&p, "</p>");
	}
	if (req_str(r, "rated"))
		page_raw(&p, "<p class=\"notice\" role=\"status\">感谢您的评价！</p>");
	int closed = strcmp(str(c, "open311_status"), "closed") == 0;
	page_raw(&p, "<p class=\"status\"><span class=\"badge");
	page_raw(&p, closed ? " done\">" : "\">");
	page_text(&p, str(c, "status_label"));
	page_raw(&p, "</span>");
	const json_t *due = json_object_get(c, "due_at");
	if (json_is_integer(due)) {
		int overdue = json_is_true(json_object_get(c, "overdue"));
		page_raw(&p, overdue ? " <span class=\"badge late\">已超过办理时限</span>"
		                     : " <span class=\"muted\">本环节办理时限：");
		if (!overdue) {
			when(&p, c, "due_at");
			page_raw(&p, "</span>");
		}
	}
	page_raw(&p, "</p>");
	if (json_is_true(json_object_get(c, "reporter")))
		page_raw(&p, "<p class=\"muted\">这是您在本机反映的问题，下面是您填写的全部内容；"
		             "其他人查看时，电话、身份证号和门牌号会隐去。</p>");
	page_raw(&p, "<dl class=\"facts\">");
	fact(&p, "问题类别", str(c, "service_name"));
	fact(&p, "问题描述", str(c, "description"));
	if (*str(c, "address")) {
		fact(&p, "地点", str(c, "address"));
	} else if (*str(c, "district") || *str(c, "street")) { /* placed on the map only */
		page_raw(&p, "<dt>地点</dt><dd>");
		page_place(&p, str(c, "district"), str(c, "street"));
		page_raw(&p, "</dd>");
	}
	if (*str(c, "agency_responsible"))
		fact(&p, "责任单位", str(c, "agency_responsible"));
	page_raw(&p, "<dt>反映时间</dt><dd>");
	when(&p, c, "requested_at");
	page_raw(&p, "</dd>");
	const json_t *rating = json_object_get(c, "rating");
	if (json_is_object(rating))
		fact(&p, "您的评价", str(rating, "label"));
	page_raw(&p, "</dl><h2>办理过程</h2><ol class=\"timeline\">");
	size_t i;
	const json_t *ev;
	json_array_foreach(json_object_get(c, "timeline"), i, ev)
	{
		page_raw(&p, "<li><time>");
		when(&p, ev, "at");
		page_raw(&p, "</time> <strong>");
		page_text(&p, str(ev, "label"));
		page_raw(&p, "</strong>");
		if (*str(ev, "unit")) {
			page_raw(&p, "（");
			page_text(&p, str(ev, "unit"));
			page_raw(&p, "）");
		}
		if (*str(ev, "note")) {
			page_raw(&p, "<p>");
			page_text(&p, str(ev, "note"));
			page_raw(&p, "</p>");
		}
		page_raw(&p, "</li>");
	}
	page_raw(&p, "</ol>");
	result_photos(&p, json_object_get(c, "photos"));
	if (json_is_true(json_object_get(c, "can_rate"))) {
		rating_form(&p, code, error);
	} else if (error) {
		page_raw(&p, "<p class=\"error\" role=\"alert\">");
		page_text(&p, error);
		page_raw(&p, "</p>");
	}
	page_close(&p, w);
	/* A tracking code is a bearer's secret: the page is the reporter's, never cached. */
	resp_header(w, "Cache-Control", "no-store");
	return 0;
}

/* The path's tracking code, after the public reads' allowance (a case page is a lookup). */
static int track_code(struct http_req *r, struct http_resp *w, char code[TRACKING_MAX],
                      struct err *e)
{
	int rc = api_public_limit(r, w, e);
	if (rc == 0 && !tracking_normalize(r->path_args[0], code))
		rc = err_set(e, ERR_NOT_FOUND, "没有这个查询码的案件");
	return rc;
}

int portal_track_case(struct http_req *r, struct http_resp *w, struct err *e)
{
	char code[TRACKING_MAX];
	int rc = track_code(r, w, code, e);
	return rc < 0 ? rc : render_case(r, w, code, NULL, e);
}

/* POST /track/{code}/rating: the reporter's one rating; 303 back to the case when taken, the
 * page again with the reason beside the form when not. */
int portal_track_rate(struct http_req *r, struct http_resp *w, struct err *e)
{
	char code[TRACKING_MAX];
	int rc = track_code(r, w, code, e);
	if (rc < 0)
		return rc;
	const char *rating = req_str(r, "rating"), *token = req_str(r, "token");
	const char *comment = req_str(r, "comment") ? req_str(r, "comment") : "";
	if (!token || !*token)
		token = kept_token(r, code);
	if (!rating) {
		w->status = 422;
		return render_case(r, w, code, "请选择满意、基本满意或不满意。", e);
	}
	struct public_rating out;
	if ((rc = public_case_rate_apply(r, code, token, rating, comment, &out, e)) < 0) {
		const char *why =
		    rc == ERR_FORBIDDEN ? "评价码不正确，请核对反映问题时获得的评价码。"
		    : rc == ERR_CONFLICT ? "只有已结案的问题可以评价，且只能评价一次。"
		    : rc == ERR_BAD_REQUEST ? "意见不能超过 500 字。"
		                            : NULL;
		if (!why)
			return rc;
		w->status = rc == ERR_FORBIDDEN ? 403 : rc == ERR_CONFLICT ? 409 : 422;
		return render_case(r, w, code, why, e);
	}
	return page_see_other(w, arena_printf(r->arena, "/track/%s?rated=1", code));
}
