/* POST /open311/v2/requests: a citizen's or a 311 app's report becomes a case. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "api/api_common.h"
#include "api/open311.h"
#include "app.h"
#include "core/media_type.h"
#include "core/sla.h"
#include "core/timefmt.h"
#include "core/validate.h"
#include "http/ratelimit.h"
#include "lib/utf8.h"
#include "store/apikey.h"
#include "store/audit.h"
#include "store/case_store.h"
#include "store/catalog.h"
#include "store/db.h"
#include "store/media_store.h"
#include "store/recurrence.h"
#include "store/refcache.h"
#include "store/writer.h"

enum {
	DESCRIPTION_MAX_CHARS = 4000,
	PHOTO_MAX_BYTES = 8 * 1024 * 1024,
	ATTRIBUTES_MAX = 50,
};

const struct param_spec open311_post_params[] = {
    {.name = "api_key",
     .type = PT_STRING,
     .max_len = 100, /* missing → 403, as Open311 says */
     .description = "Key issued with `wenming apikey create`"},
    {.name = "jurisdiction_id", .type = PT_STRING, .max_len = 100},
    {.name = "service_code", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 16},
    {.name = "lat", .type = PT_DOUBLE, .min = -90, .max = 90},
    {.name = "long", .type = PT_DOUBLE, .min = -180, .max = 180},
    {.name = "address_string", .type = PT_STRING, .max_len = 600},
    {.name = "address_id", .type = PT_STRING, .max_len = 100},
    {.name = "zipcode", .type = PT_STRING, .max_len = 12},
    {.name = "email", .type = PT_STRING, .max_len = 254},
    {.name = "device_id", .type = PT_STRING, .max_len = 200},
    {.name = "account_id", .type = PT_STRING, .max_len = 200},
    {.name = "first_name", .type = PT_STRING, .max_len = 100},
    {.name = "last_name", .type = PT_STRING, .max_len = 100},
    {.name = "phone", .type = PT_STRING, .max_len = 32},
    {.name = "description", .type = PT_TEXT, .max_len = DESCRIPTION_MAX_CHARS * 4},
    {.name = "media_url", .type = PT_URL, .max_len = 2000},
    {.name = "media",
     .type = PT_FILE,
     .max_len = PHOTO_MAX_BYTES,
     .description = "A photo: JPEG, PNG or WebP"},
    {.name = "attribute[",
     .type = PT_TEXT,
     .flags = PF_PREFIX | PF_MULTI,
     .max_len = 4000,
     .description = "attribute[CODE]=value; attribute[CODE][]=key for multivaluelist"},
    {.name = NULL},
};

static const char *str_or_empty(const struct http_req *r, const char *name)
{
	const char *s = req_str(r, name);
	return s ? s : "";
}

static const struct attr_def *find_attr(const struct attr_def *defs, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(defs[i].code, code) == 0)
			return &defs[i];
	return NULL;
}

static int key_allowed(const struct attr_def *d, const char *key)
{
	for (size_t i = 0; i < d->nkeys; i++)
		if (strcmp(d->keys[i], key) == 0)
			return 1;
	return 0;
}

/* Checks one value against its attribute's datatype. */
static int check_attr_value(const struct attr_def *d, const char *v, struct err *e)
{
	const char *t = d->datatype;
	if (strcmp(t, "number") == 0) {
		char *end;
		double x = strtod(v, &end);
		if (!*v || *end || x != x || x > 1e15 || x < -1e15)
			return err_set(e, ERR_BAD_REQUEST, "attribute[%s] must be a number",
			               d->code);
	} else if (strcmp(t, "datetime") == 0) {
		int64_t ts;
		if (time_parse_iso8601(v, TZ_SHANGHAI, &ts) < 0)
			return err_set(
			    e, ERR_BAD_REQUEST,
			    "attribute[%s] must be a W3C date-time, e.g. 2026-11-25T09:30:00+08:00",
			    d->code);
	} else if (strcmp(t, "singlevaluelist") == 0 || strcmp(t, "multivaluelist") == 0) {
		if (!key_allowed(d, v))
			return err_set(e, ERR_BAD_REQUEST,
			               "attribute[%s]: '%s' is not one of its values", d->code, v);
	} else if (strcmp(t, "string") == 0) {
		if (utf8_has_controls(v, strlen(v), false) || utf8_length(v, strlen(v)) > 500)
			return err_set(e, ERR_BAD_REQUEST,
			               "attribute[%s] must be one line of at most 500 characters",
			               d->code);
	} else if (utf8_length(v, strlen(v)) > 4000) {
		return err_set(e, ERR_BAD_REQUEST, "attribute[%s] is longer than 4000 characters",
		               d->code);
	}
	return 0;
}

/* Collects attribute[CODE] / attribute[CODE][] parameters against the service's definitions. */
static int collect_attributes(struct http_req *r, const struct attr_def *defs, size_t ndefs,
                              const struct case_attr_in **out, size_t *nout, struct err *e)
{
	struct case_attr_in *attrs = arena_alloc(r->arena, ATTRIBUTES_MAX * sizeof *attrs);
	size_t n = 0;
	int *seen = arena_alloc(r->arena, (ndefs + 1) * sizeof *seen);
	for (const struct param *p = r->params; p; p = p->next) {
		if (strncmp(p->name, "attribute[", 10) != 0)
			continue;
		const char *code = p->name + 10;
		const char *close = strchr(code, ']');
		if (!close || close == code)
			return err_set(e, ERR_BAD_REQUEST, "malformed parameter name '%s'",
			               p->name);
		int multi = strcmp(close, "][]") == 0;
		if (!multi && strcmp(close, "]") != 0)
			return err_set(e, ERR_BAD_REQUEST, "malformed parameter name '%s'",
			               p->name);
		char *c = arena_strndup(r->arena, code, (size_t)(close - code));
		const struct attr_def *d = find_attr(defs, ndefs, c);
		if (!d)
			return err_set(e, ERR_BAD_REQUEST,
			               "attribute '%s' is not defined for this service", c);
		size_t idx = (size_t)(d - defs);
		int is_multi = strcmp(d->datatype, "multivaluelist") == 0;
		if (seen[idx] && !is_multi)
			return err_set(e, ERR_BAD_REQUEST, "attribute[%s] given more than once", c);
		seen[idx] = 1;
		if (multi && !is_multi)
			return err_set(e, ERR_BAD_REQUEST, "attribute[%s] takes a single value", c);
		if (!*p->value) {
			if (d->required)
				return err_set(e, ERR_BAD_REQUEST, "attribute[%s] is required", c);
			continue;
		}
		int rc = check_attr_value(d, p->value, e);
		if (rc < 0)
			return rc;
		if (n == ATTRIBUTES_MAX)
			return err_set(e, ERR_BAD_REQUEST, "too many attribute values (max %d)",
			               ATTRIBUTES_MAX);
		attrs[n].code = c;
		attrs[n].value = p->value;
		n++;
	}
	for (size_t i = 0; i < ndefs; i++) {
		if (defs[i].required && !seen[i])
			return err_set(e, ERR_BAD_REQUEST,
			               "attribute[%s] is required for this service", defs[i].code);
	}
	*out = attrs;
	*nout = n;
	return 0;
}

/* The photo: type by magic bytes, metadata stripped, stored before the case commits. */
static int take_photo(struct http_req *r, struct case_report *c, struct err *e)
{
	struct api_photo ph;
	int rc = api_take_photo(r, "media", &ph, e);
	if (rc == 0 && ph.sha256) {
		c->media_sha256 = ph.sha256;
		c->media_kind = (enum media_kind)ph.kind;
		c->media_bytes = ph.bytes;
	}
	return rc;
}

static int check_contact(struct http_req *r, struct err *e)
{
	const char *email = req_str(r, "email");
	if (email && *email && !validate_email(email, strlen(email)))
		return err_set(e, ERR_BAD_REQUEST, "email is not a valid address");
	const char *phone = req_str(r, "phone");
	if (phone && *phone && !validate_phone(phone, strlen(phone), NULL))
		return err_set(
		    e, ERR_BAD_REQUEST,
		    "phone must be a mainland mobile or landline number, e.g. 13800138000");
	const char *d = str_or_empty(r, "description");
	if (utf8_length(d, strlen(d)) > DESCRIPTION_MAX_CHARS)
		return err_set(e, ERR_BAD_REQUEST, "description is longer than %d characters",
		               DESCRIPTION_MAX_CHARS);
	return 0;
}

/* Lives in the request's arena: the writer fills ref/rc/err, then resumes the request. */
struct file_job {
	struct case_report report;
	struct case_ref ref;
	int rc;
	struct err err;
	struct http_req *req;
	struct audit_entry audit; /* filled by file_job_run, appended with the batch */
	char object[64], summary[96];
};

static int file_job_run(struct db *db, void *arg, struct err *e)
{
	struct file_job *j = arg;
	int rc = case_report_file(db, &j->report, &j->ref, e);
	if (rc < 0)
		return rc;
	snprintf(j->object, sizeof j->object, "case:%s", j->ref.code);
	snprintf(j->summary, sizeof j->summary, "{\"category_id\":%lld,\"status\":\"reported\"}",
	         (long long)j->report.category_id);
	j->audit = (struct audit_entry){.at = j->report.now,
	                                .actor = j->report.actor,
	                                .ip = j->req->remote_ip,
	                                .action = "case.report",
	                                .object = j->object,
	                                .summary = j->summary};
	return 0;
}

/* The case and its audit record commit together (or neither does). */
static const struct audit_entry *file_job_audit(void *arg)
{
	return &((struct file_job *)arg)->audit;
}

static void file_job_done(void *ctx, int rc, const struct err *e)
{
	struct file_job *j = ctx;
	j->rc = rc;
	if (rc < 0)
		j->err = *e;
	req_resume(j->req);
}

/* Runs once the report is durable (or failed): the Open311 answer. */
static int post_complete(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct file_job *j = r->ctx;
	if (j->rc < 0) {
		*e = j->err;
		return j->rc;
	}
	w->status = 201;
	w->json = json_pack("[{s:s, s:s, s:s, s:s}]", "service_request_id", j->ref.code, "token",
	                    j->ref.token, "service_notice", j->report.service_notice, "account_id",
	                    j->report.account_id);
	w->xml_root = "service_requests";
	return 0;
}

static void release_refdata(void *d)
{
	refdata_release(d);
}

/* A category reports may be filed in: one switched off is as good as unknown. */
static const struct category *active_category(const struct refdata *d, const char *code)
{
	const struct category *c = refdata_category(d, code);
	return c && c->active ? c : NULL;
}

/* The api key's id and the service's category from the process's reference-data cache. A
 * miss rechecks the database's generation once, so a key or category created a moment ago
 * (by another instance or the CLI) is found. The snapshot lives as long as the request. */
static int reference_lookup(struct http_req *r, struct db *db, struct refdata **ref,
                            int64_t *apikey_id, const struct category **cat, struct err *e)
{
	int rc = refcache_get(r->app->refcache, db, ref, e);
	if (rc < 0)
		return rc;
	const char *key = req_str(r, "api_key"), *code = req_str(r, "service_code");
	*apikey_id = refdata_apikey(*ref, key);
	*cat = active_category(*ref, code);
	int changed = 0;
	if ((!*apikey_id || !*cat) &&
	    (rc = refcache_recheck(r->app->refcache, db, ref, &changed, e)) < 0) {
		refdata_release(*ref);
		return rc;
	}
	arena_defer(r->arena, release_refdata, *ref);
	if (changed) {
		*apikey_id = refdata_apikey(*ref, key);
		*cat = active_category(*ref, code);
	}
	if (!*apikey_id)
		return err_set(e, ERR_FORBIDDEN, "api_key is missing or invalid");
	if (!*cat)
		return err_set(e, ERR_NOT_FOUND, "service_code '%s' not found", code ? code : "");
	if (!refdata_apikey_allows(*ref, *apikey_id, *cat))
		return err_set(e, ERR_FORBIDDEN, "this api_key may not post to service_code '%s'",
		               code);
	return 0;
}

/* Public posting limits: per client address, and per api key (an app posts for all its
 * users from one address, so its key carries the larger allowance). */
static int post_limits(struct http_req *r, struct http_resp *w, int64_t key_id, struct err *e)
{
	int rc = api_public_limit(r, w, e);
	if (rc == 0) {
		char key[64];
		snprintf(key, sizeof key, "post-key:%lld", (long long)key_id);
		rc = api_rate_take(r, w, key, r->app->post_rate_key, r->app->post_rate_key * 10,
		                   "api key", e);
	}
	return rc;
}

int open311_post_request(struct http_req *r, struct http_resp *w, struct err *e)
{
	int rc = open311_check_jurisdiction(r, e);
	struct db *db;
	if (rc < 0 || (rc = app_db(r->app, &db, e)) < 0)
		return rc;
	struct file_job *job = arena_alloc(r->arena, sizeof *job);
	job->req = r;
	struct case_report *cr = &job->report;
	*cr = (struct case_report){.prefix = r->app->city_prefix,
	                           .now = r->now,
	                           .source = "open311",
	                           .roles = ROLE_PUBLIC};
	struct refdata *ref;
	const struct category *cat;
	if ((rc = reference_lookup(r, db, &ref, &cr->apikey_id, &cat, e)) < 0 ||
	    (rc = post_limits(r, w, cr->apikey_id, e)) < 0)
		return rc;
	cr->category_id = cat->id;

	const struct param *lat = req_param(r, "lat"), *lon = req_param(r, "long");
	if (!!lat != !!lon)
		return err_set(e, ERR_BAD_REQUEST, "lat and long must be given together");
	cr->address = str_or_empty(r, "address_string");
	cr->address_id = str_or_empty(r, "address_id");
	if (!lat && !*cr->address && !*cr->address_id)
		return err_set(
		    e, ERR_BAD_REQUEST,
		    "a location is required: lat and long, address_string or address_id");
	if (lat) {
		cr->has_location = 1;
		cr->lat = lat->dval;
		cr->lon = lon->dval;
		cr->area_id = refdata_area_at(ref, cr->lat, cr->lon);
	}
	if ((rc = check_contact(r, e)) < 0)
		return rc;
	const struct attr_def *defs;
	size_t ndefs;
	refdata_attributes(ref, cat->id, &defs, &ndefs);
	if ((rc = collect_attributes(r, defs, ndefs, &cr->attrs, &cr->nattrs, e)) < 0)
		return rc;
	cr->description = str_or_empty(r, "description");
	cr->zipcode = str_or_empty(r, "zipcode");
	cr->media_url = str_or_empty(r, "media_url");
	cr->email = str_or_empty(r, "email");
	cr->phone = str_or_empty(r, "phone");
	cr->first_name = str_or_empty(r, "first_name");
	cr->last_name = str_or_empty(r, "last_name");
	cr->device_id = str_or_empty(r, "device_id");
	cr->account_id = str_or_empty(r, "account_id");
	cr->actor = arena_printf(r->arena, "apikey:%lld", (long long)cr->apikey_id);
	cr->status_notes = "已受理，等待立案";
	cr->service_notice = cat->urgent
	                         ? arena_printf(r->arena, "急要件：%s，将优先处置", cat->name)
	                         : arena_printf(r->arena, "%s：立案后派遣责任单位处置", cat->name);
	/* The register stage's clock starts with the report. */
	struct sla_limits lim = {.register_minutes = cat->register_minutes,
	                         .handle_minutes = cat->handle_minutes,
	                         .verify_minutes = cat->verify_minutes,
	                         .urgent = cat->urgent};
	struct sla_clock *clock = arena_alloc(r->arena, sizeof *clock);
	sla_start(refdata_calendar(ref), &lim, r->now, clock, NULL);
	cr->clock = clock;
	/* Likely duplicate and recurrence: one indexed read here on the request thread, so the
	 * writer's batch does no extra work. A report filed at the same moment nearby may miss
	 * this one; that only costs a flag, which the dispatcher can still set by merging. */
	if (cr->has_location) {
		struct recur_report rr = {
		    .category_id = cr->category_id, .lat = cr->lat, .lon = cr->lon, .now = r->now};
		struct recur_pick pick;
		if ((rc = recur_find(db, &rr, &pick, e)) < 0)
			return rc;
		cr->likely_duplicate_of = pick.likely_duplicate_of;
		cr->recurrence_of = pick.recurrence_of;
	}
	if ((rc = take_photo(r, cr, e)) < 0)
		return rc;

	/* Parked, not blocked: the server thread serves others while the batch commits. */
	r->ctx = job;
	req_suspend(r, post_complete);
	if ((rc = writer_enqueue_audited(r->app->writer, file_job_run, job, file_job_audit,
	                                 file_job_done, job, e)) < 0) {
		job->rc = rc;
		job->err = *e;
		req_resume(r);
	}
	return HTTP_SUSPENDED;
}
