/* 我要反映: a citizen reports a problem without an account, in a form that works without
 * JavaScript. A mistake comes back as the same form with the message beside its field and
 * everything typed kept (the photo must be chosen again: browsers never refill file inputs);
 * a category that asks for more (井盖问题类型, 积水深度…) shows those fields once chosen. A good
 * report is filed through the same checks and writer as Open311's (api/citizen_report.h) and
 * answered 303 to the case's page, so a reload never files it twice. */
#include "portal/portal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/api_common.h"
#include "api/citizen_report.h"
#include "app.h"
#include "core/roles.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/html.h"
#include "lib/utf8.h"
#include "portal/page.h"
#include "store/catalog.h"
#include "store/db.h"
#include "store/refcache.h"

const struct param_spec portal_report_params[] = {
    {.name = "form_token",
     .type = PT_STRING,
     .max_len = 64,
     .description = "the form's anti-forgery token (also in the wm_form cookie)"},
    {.name = "service_code", .type = PT_STRING, .max_len = 16},
    {.name = "description", .type = PT_TEXT, .max_len = DESCRIPTION_MAX_CHARS * 4},
    {.name = "address_string", .type = PT_STRING, .max_len = 600},
    {.name = "lat", .type = PT_DOUBLE, .min = -90, .max = 90},
    {.name = "long", .type = PT_DOUBLE, .min = -180, .max = 180},
    {.name = "phone", .type = PT_STRING, .max_len = 32},
    CITIZEN_REPORT_PHOTO(PF_MULTI),
    CITIZEN_REPORT_ATTRIBUTES,
    {.name = NULL},
};

/* Photos a citizen may send with one report (the first is the case's, as Open311's). */
enum { PORTAL_PHOTOS_MAX = 3 };

/* The photos after the first (citizen_report_prepare takes that one): stored by content now,
 * recorded with the case as more report photos. */
static int more_photos(struct http_req *r, struct case_report *c, struct err *e)
{
	struct case_photo *ph = arena_alloc(r->arena, PORTAL_PHOTOS_MAX * sizeof *ph);
	int seen = 0;
	c->nphotos = 0;
	for (const struct param *p = r->params; p; p = p->next) {
		if (strcmp(p->name, "media") != 0 || seen++ == 0)
			continue;
		struct api_photo up;
		int rc = api_take_upload(r, p, 0, &up, e);
		if (rc < 0)
			return rc;
		if (up.sha256 && c->nphotos < PORTAL_PHOTOS_MAX - 1)
			ph[c->nphotos++] = (struct case_photo){.sha256 = up.sha256,
			                                       .kind = (enum media_kind)up.kind,
			                                       .bytes = up.bytes,
			                                       .role = "report"};
	}
	c->photos = ph;
	return 0;
}

static int photo_count(const struct http_req *r)
{
	int n = 0;
	for (const struct param *p = r->params; p; p = p->next)
		n += strcmp(p->name, "media") == 0 && (p->filename || p->len);
	return n;
}

enum { TOKEN_HEX = 32 };

/* The messages of one rendering, by field ("" for the whole form). */
struct field_errors {
	const char *field[16], *msg[16];
	int n;
};

static void add_error(struct field_errors *fe, const char *field, const char *msg)
{
	if (fe->n < 16) {
		fe->field[fe->n] = field;
		fe->msg[fe->n++] = msg;
	}
}

static const char *error_of(const struct field_errors *fe, const char *field)
{
	for (int i = 0; i < fe->n; i++)
		if (strcmp(fe->field[i], field) == 0)
			return fe->msg[i];
	return NULL;
}

static const char *param_or_empty(const struct http_req *r, const char *name)
{
	const char *s = req_str(r, name);
	return s ? s : "";
}

/* The form's token: the cookie's when it has one of the right shape, else a new one. */
static const char *form_token(struct http_req *r, struct http_resp *w)
{
	const char *have = api_cookie(r, "wm_form");
	if (have && strlen(have) == TOKEN_HEX && strspn(have, "0123456789abcdef") == TOKEN_HEX)
		return have;
	unsigned char raw[TOKEN_HEX / 2];
	char *hex = arena_alloc(r->arena, TOKEN_HEX + 1);
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(hex, TOKEN_HEX + 1, raw, sizeof raw);
	/* SameSite=Strict: another site's page cannot post with it (double-submit check). */
	resp_header(w, "Set-Cookie",
	            arena_printf(r->arena, "wm_form=%s; Path=/report; SameSite=Strict; HttpOnly%s",
	                         hex, r->secure ? "; Secure" : ""));
	return hex;
}

/* Opens a field: its label, its error (tied to it for screen readers). */
static void field_open(struct page *p, const char *id, const char *label, const char *error)
{
	buf_printf(&p->out, "<div class=\"field\"><label for=\"%s\">%s</label>", id, label);
	if (error) {
		buf_printf(&p->out, "<p class=\"error\" id=\"%s-error\">", id);
		page_text(p, error);
		page_raw(p, "</p>");
	}
}

static void invalid_attrs(struct page *p, const char *id, const char *error)
{
	if (error)
		buf_printf(&p->out, " aria-invalid=\"true\" aria-describedby=\"%s-error\"", id);
}

/* The category picker: every active category, grouped by kind and 大类. */
static int category_select(struct page *p, struct db *db, const char *chosen, const char *error,
                           struct err *e)
{
	field_open(p, "service_code", "问题类别", error);
	page_raw(p, "<select id=\"service_code\" name=\"service_code\" required");
	invalid_attrs(p, "service_code", error);
	page_raw(p, "><option value=\"\">请选择</option>");
	int rc = page_category_options(p, db, chosen, e);
	page_raw(p, "</select></div>");
	return rc;
}

/* Whether attribute[CODE] (or attribute[CODE][]) was sent with value v. */
static int sent_value(const struct http_req *r, const char *code, const char *v)
{
	size_t n = strlen(code);
	for (const struct param *q = r->params; q; q = q->next)
		if (strncmp(q->name, "attribute[", 10) == 0 &&
		    strncmp(q->name + 10, code, n) == 0 && q->name[10 + n] == ']' &&
		    strcmp(q->value, v) == 0)
			return 1;
	return 0;
}

/* The chosen category's own questions, answers kept. */
static int attribute_fields(struct page *p, struct db *db, const char *service_code,
                            const char *error, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT a.id, a.code, a.datatype, a.required, a.description,"
	                  " a.datatype_description FROM category_attribute a"
	                  " JOIN category c ON c.id = a.category_id"
	                  " WHERE c.service_code = ? AND c.active = 1 ORDER BY a.sort, a.id",
	                  DB_ARGS(db_text(service_code)), &st, e);
	if (rc < 0)
		return rc;
	struct attr {
		int64_t id;
		const char *code, *type, *label, *hint;
		int required;
	} list[32];
	int n = 0;
	while (n < 32 && (rc = db_step(st, e)) == DB_ROW) {
		struct arena *a = p->r->arena;
		list[n] = (struct attr){.id = db_col_int(st, 0),
		                        .code = arena_strdup(a, db_col_text(st, 1)),
		                        .type = arena_strdup(a, db_col_text(st, 2)),
		                        .required = (int)db_col_int(st, 3),
		                        .label = arena_strdup(a, db_col_text(st, 4)),
		                        .hint = arena_strdup(a, db_col_text(st, 5))};
		n++;
	}
	db_done(st);
	if (rc < 0 || n == 0)
		return rc < 0 ? rc : 0;
	page_raw(p, "<fieldset class=\"card\"><legend>补充信息</legend>");
	if (error) {
		page_raw(p, "<p class=\"error\" id=\"attrs-error\">");
		page_text(p, error);
		page_raw(p, "</p>");
	}
	for (int i = 0; i < n && rc == 0; i++) {
		const struct attr *t = &list[i];
		const char *id = arena_printf(p->r->arena, "attr-%s", t->code);
		int list_type = strstr(t->type, "valuelist") != NULL;
		int multi = strcmp(t->type, "multivaluelist") == 0;
		const char *label =
		    arena_printf(p->r->arena, "%s%s", t->label, t->required ? "（必填）" : "");
		if (multi) {
			page_raw(p, "<fieldset class=\"choices\"><legend>");
			page_text(p, label);
			page_raw(p, "</legend>");
		} else {
			buf_printf(&p->out, "<div class=\"field\"><label for=\"%s\">", id);
			page_text(p, label);
			page_raw(p, "</label>");
		}
		if (*t->hint) {
			page_raw(p, "<p class=\"hint\">");
			page_text(p, t->hint);
			page_raw(p, "</p>");
		}
		const char *name =
		    arena_printf(p->r->arena, "attribute[%s]%s", t->code, multi ? "[]" : "");
		if (list_type) {
			if (!multi) {
				buf_printf(&p->out, "<select id=\"%s\" name=\"", id);
				page_text(p, name);
				page_raw(p, t->required
				                ? "\" required><option value=\"\">请选择</option>"
				                : "\"><option value=\"\">不填</option>");
			}
			if ((rc = db_query(db,
			                   "SELECT key, name FROM category_attribute_value"
			                   " WHERE attribute_id = ? ORDER BY sort, key",
			                   DB_ARGS(db_int(t->id)), &st, e)) < 0)
				break;
			while ((rc = db_step(st, e)) == DB_ROW) {
				const char *key = db_col_text(st, 0);
				int on = sent_value(p->r, t->code, key);
				if (multi) {
					page_raw(p, "<label class=\"check\"><input "
					            "type=\"checkbox\" name=\"");
					page_text(p, name);
					page_raw(p, "\" value=\"");
					page_text(p, key);
					page_raw(p, on ? "\" checked> " : "\"> ");
				} else {
					page_raw(p, "<option value=\"");
					page_text(p, key);
					page_raw(p, on ? "\" selected>" : "\">");
				}
				page_text(p, db_col_text(st, 1));
				page_raw(p, multi ? "</label>" : "</option>");
			}
			db_done(st);
			rc = rc < 0 ? rc : 0;
			page_raw(p, multi ? "</fieldset>" : "</select></div>");
		} else {
			const char *v =
			    req_str(p->r, arena_printf(p->r->arena, "attribute[%s]", t->code));
			buf_printf(&p->out, "<input id=\"%s\" name=\"", id);
			page_text(p, name);
			page_raw(p, strcmp(t->type, "number") == 0 ? "\" inputmode=\"decimal\""
			                                           : "\"");
			page_raw(p, t->required ? " required value=\"" : " value=\"");
			page_text(p, v ? v : "");
			page_raw(p, "\"></div>");
		}
	}
	page_raw(p, "</fieldset>");
	return rc;
}

/* The point chosen on the map (report.js makes these inputs) kept after a mistake, so the
 * script shows it again; only a whole point the router found valid. */
static void place_kept(struct page *p)
{
	const char *lat = req_str(p->r, "lat"), *lon = req_str(p->r, "long");
	if (!lat || !lon)
		return;
	page_raw(p, "<input type=\"hidden\" name=\"lat\" value=\"");
	page_text(p, lat);
	page_raw(p, "\"><input type=\"hidden\" name=\"long\" value=\"");
	page_text(p, lon);
	page_raw(p, "\">");
}

/* The whole form, with what was sent and the errors found (fe may be empty). */
static int render_form(struct http_req *r, struct http_resp *w, struct db *db,
                       const struct field_errors *fe, struct err *e)
{
	const char *token = form_token(r, w);
	struct page p;
	page_open(&p, r, "我要反映问题", NAV_REPORT);
	page_raw(&p, "<h1>我要反映问题</h1>");
	if (fe->n) {
		page_raw(&p, "<div class=\"error-summary\" role=\"alert\" "
		             "tabindex=\"-1\"><p>请修改以下内容后重新提交：</p><ul>");
		for (int i = 0; i < fe->n; i++) {
			page_raw(&p, "<li>");
			page_text(&p, fe->msg[i]);
			page_raw(&p, "</li>");
		}
		page_raw(&p, "</ul></div>");
	}
	page_raw(
	    &p,
	    "<p class=\"muted\">无需注册。带（必填）或星号的项目需要填写；照片和电话可以不填。</p>"
	    "<form class=\"card\" method=\"post\" action=\"/report\""
	    " enctype=\"multipart/form-data\" novalidate>"
	    "<input type=\"hidden\" name=\"form_token\" value=\"");
	page_text(&p, token);
	page_raw(&p, "\">");
	const char *code = param_or_empty(r, "service_code");
	int rc = category_select(&p, db, code, error_of(fe, "service_code"), e);
	if (rc == 0 && *code)
		rc = attribute_fields(&p, db, code, error_of(fe, "attributes"), e);
	if (rc < 0) {
		buf_free(&p.out);
		return rc;
	}
	const char *err = error_of(fe, "description");
	field_open(&p, "description", "问题描述（必填）", err);
	page_raw(&p,
	         "<textarea id=\"description\" name=\"description\" rows=\"5\" maxlength=\"4000\""
	         " required");
	invalid_attrs(&p, "description", err);
	page_raw(&p, ">");
	page_text(&p, param_or_empty(r, "description"));
	page_raw(&p, "</textarea></div>");

	err = error_of(fe, "address_string");
	field_open(&p, "address_string", "问题地点（必填）", err);
	page_raw(&p, "<p class=\"hint\" "
	             "id=\"address-hint\">"
	             "街道和门牌号，或附近的标志性建筑，如“中山路与人民路交叉口东北角”。</p>"
	             "<input id=\"address_string\" name=\"address_string\" maxlength=\"600\""
	             " required aria-describedby=\"address-hint\"");
	if (err)
		page_raw(&p, " aria-invalid=\"true\" aria-errormessage=\"address_string-error\"");
	page_raw(&p, " value=\"");
	page_text(&p, param_or_empty(r, "address_string"));
	page_raw(&p, "\">");
	place_kept(&p);
	page_raw(&p, "</div>");

	err = error_of(fe, "media");
	field_open(&p, "media", "照片（可不填，最多 3 张）", err);
	page_raw(&p, "<input id=\"media\" name=\"media\" type=\"file\" multiple"
	             " accept=\"image/jpeg,image/png,image/webp\" capture=\"environment\"");
	invalid_attrs(&p, "media", err);
	page_raw(&p, ">");
	if (fe->n)
		page_raw(&p, "<p class=\"hint\">如需附照片，请重新选择。</p>");
	page_raw(&p, "</div>");

	err = error_of(fe, "phone");
	field_open(&p, "phone", "联系电话（可不填，仅用于核实和回访，不会公开）", err);
	page_raw(
	    &p, "<input id=\"phone\" name=\"phone\" type=\"tel\" inputmode=\"tel\" maxlength=\"32\""
	        " autocomplete=\"tel\"");
	invalid_attrs(&p, "phone", err);
	page_raw(&p, " value=\"");
	page_text(&p, param_or_empty(r, "phone"));
	page_raw(&p, "\"></div><button type=\"submit\" class=\"primary\">提交</button></form>");
	/* The category filter box and the map picker, for browsers that run them (the form
	 * needs neither). */
	page_map_scripts(&p, "/static/portal/report.js");
	page_close(&p, w);
	resp_header(w, "Cache-Control", "no-store");
	return 0;
}

int portal_report_form(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	struct field_errors none = {0};
	return render_form(r, w, db, &none, e);
}

/* Once the report is durable: to the case's page (303, so a reload does not post again). */
static int report_done(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct citizen_report *j = r->ctx;
	if (j->rc < 0) {
		*e = j->err;
		return j->rc;
	}
	/* The rating's proof stays with this browser, for this case's page only. */
	resp_header(
	    w, "Set-Cookie",
	    arena_printf(
	        r->arena, "wm_tok_%s=%s; Path=/track/%s; Max-Age=%d; SameSite=Lax; HttpOnly%s",
	        j->ref.code, j->ref.token, j->ref.code, 90 * 86400, r->secure ? "; Secure" : ""));
	return page_see_other(w, arena_printf(r->arena, "/track/%s?new=1", j->ref.code));
}

/* The checks whose answer belongs beside a field, in the citizen's words. */
static void check_fields(struct http_req *r, const struct category *cat, struct field_errors *fe)
{
	if (!cat)
		add_error(fe, "service_code", "请选择问题类别。");
	const char *d = param_or_empty(r, "description");
	if (validate_blank(d))
		add_error(fe, "description", "请描述您看到的问题。");
	else if (utf8_length(d, strlen(d)) > DESCRIPTION_MAX_CHARS)
		add_error(fe, "description", "问题描述不能超过 4000 字。");
	if (validate_blank(param_or_empty(r, "address_string")) && !req_param(r, "lat"))
		add_error(fe, "address_string",
		          "请填写问题地点：街道和门牌号，或附近的标志性建筑。");
	const char *ph = param_or_empty(r, "phone");
	if (*ph && !validate_phone(ph, strlen(ph), NULL))
		add_error(fe, "phone",
		          "电话号码不正确：请填写手机号（如 13800138000）或带区号的固定电话。");
	if (!!req_param(r, "lat") != !!req_param(r, "long"))
		add_error(fe, "address_string", "地图位置不完整，请重新选择或只填写地点文字。");
}

int portal_report_post(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct refdata *ref;
	int rc = api_public_limit(r, w, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0 || (rc = api_refdata(r, db, &ref, e)) < 0)
		return rc;
	struct field_errors fe = {0};
	const char *cookie = api_cookie(r, "wm_form"), *sent = req_str(r, "form_token");
	if (!cookie || !sent || strcmp(cookie, sent) != 0) {
		/* Not from our form (or its cookie expired): nothing is filed; the form again. */
		add_error(&fe, "", "页面已过期，请核对内容后再提交一次。");
		w->status = 403;
		return render_form(r, w, db, &fe, e);
	}
	const struct category *cat =
	    refdata_active_category(ref, param_or_empty(r, "service_code"));
	check_fields(r, cat, &fe);
	struct citizen_report *job = arena_alloc(r->arena, sizeof *job);
	job->req = r;
	job->report = (struct case_report){.prefix = r->app->city_prefix,
	                                   .now = r->now,
	                                   .source = "portal",
	                                   .actor = "citizen",
	                                   .roles = ROLE_PUBLIC};
	if (photo_count(r) > PORTAL_PHOTOS_MAX)
		add_error(&fe, "media", "最多上传 3 张照片。");
	if (!fe.n && ((rc = citizen_report_prepare(r, db, ref, cat, job, e)) < 0 ||
	              (rc = more_photos(r, &job->report, e)) < 0)) {
		if (rc == ERR_UNSUPPORTED)
			add_error(&fe, "media",
			          "照片格式不支持：请选用 JPG、PNG 或 WebP 格式的照片。");
		else if (rc == ERR_BAD_REQUEST && strstr(e->msg, "attribute"))
			add_error(&fe, "attributes",
			          "请补充问题类别要求的信息（带“必填”的项目）。");
		else if (rc == ERR_BAD_REQUEST)
			add_error(&fe, "", "提交的内容有误，请检查后重新提交。");
		else
			return rc;
	}
	if (fe.n) {
		w->status = 422;
		return render_form(r, w, db, &fe, e);
	}
	return citizen_report_file(r, job, report_done, e);
}
