/* A citizen's report from the request's parameters to a durable case: the checks and the
 * filing Open311 (POST /open311/v2/requests) and the portal's form (POST /report) share. */
#include "api/citizen_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_common.h"
#include "app.h"
#include "core/media_type.h"
#include "core/sla.h"
#include "core/timefmt.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/utf8.h"
#include "store/audit.h"
#include "store/catalog.h"
#include "store/db.h"
#include "store/recurrence.h"
#include "store/refcache.h"
#include "store/writer.h"

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

static int file_job_run(struct db *db, void *arg, struct err *e)
{
	struct citizen_report *j = arg;
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
	return &((struct citizen_report *)arg)->audit;
}

static void file_job_done(void *ctx, int rc, const struct err *e)
{
	struct citizen_report *j = ctx;
	j->rc = rc;
	if (rc < 0)
		j->err = *e;
	req_resume(j->req);
}

int citizen_report_prepare(struct http_req *r, struct db *db, struct refdata *ref,
                           const struct category *cat, struct citizen_report *job, struct err *e)
{
	struct case_report *cr = &job->report;
	int rc;
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

	return 0;
}

int citizen_report_file(struct http_req *r, struct citizen_report *job, http_complete complete,
                        struct err *e)
{
	int rc;
	/* Parked, not blocked: the server thread serves others while the batch commits. */
	r->ctx = job;
	req_suspend(r, complete);
	if ((rc = writer_enqueue_audited(r->app->writer, file_job_run, job, file_job_audit,
	                                 file_job_done, job, e)) < 0) {
		job->rc = rc;
		job->err = *e;
		req_resume(r);
	}
	return HTTP_SUSPENDED;
}
