/* GET /open311/v2/requests, requests/{id} and tokens/{token}. */
#include <string.h>

#include "api/open311.h"
#include "app.h"
#include "core/tracking.h"
#include "store/case_store.h"
#include "store/refcache.h"

enum {
	WINDOW_DAYS = 90,         /* Open311: a date range spans at most 90 days */
	PAGE_SIZE_DEFAULT = 1000, /* Open311: up to 1000 requests by default */
	LIST_MAX = 100,
};

static const char *const status_values[] = {"open", "closed", NULL};

#define API_KEY_PARAM                                                                              \
	{                                                                                          \
		.name = "api_key", .type = PT_STRING, .max_len = 100,                              \
		.description = "An integrator's key (`wenming apikey create`): full description, " \
		               "address and point; without it they are masked as on the portal"    \
	}

const struct param_spec open311_request_params[] = {
    {.name = "jurisdiction_id", .type = PT_STRING, .max_len = 100},
    API_KEY_PARAM,
    {.name = NULL},
};

const struct param_spec open311_query_params[] = {
    {.name = "jurisdiction_id", .type = PT_STRING, .max_len = 100},
    API_KEY_PARAM,
    {.name = "service_request_id",
     .type = PT_LIST,
     .max_len = TRACKING_MAX,
     .max = LIST_MAX,
     .description = "Comma-separated tracking codes; when given, other filters are ignored"},
    {.name = "service_code", .type = PT_LIST, .max_len = 16, .max = LIST_MAX},
    {.name = "start_date", .type = PT_DATETIME},
    {.name = "end_date", .type = PT_DATETIME},
    {.name = "status", .type = PT_LIST, .max_len = 6, .max = 2, .values = status_values},
    {.name = "lat", .type = PT_DOUBLE, .min = -90, .max = 90},
    {.name = "long", .type = PT_DOUBLE, .min = -180, .max = 180},
    {.name = "radius",
     .type = PT_DOUBLE,
     .min = 1,
     .max = 50000,
     .description = "Metres around lat/long (extension); default 1000"},
    {.name = "page", .type = PT_INT, .min = 1, .max = 1000000},
    {.name = "page_size", .type = PT_INT, .min = 1, .max = 1000},
    {.name = NULL},
};

/* Tracking codes as people type them: normalised, and a bad check symbol is simply no match. */
static const char **normalize_codes(struct http_req *r, const char **codes, size_t *n)
{
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		char norm[TRACKING_MAX];
		if (tracking_normalize(codes[i], norm))
			codes[kept++] = arena_strdup(r->arena, norm);
	}
	*n = kept;
	return codes;
}

/* Who asks decides what is shown: the public (no key) sees what the portal shows, masked;
 * an integrator's valid key sees the case as filed. A key that is wrong is refused rather
 * than quietly answered masked, so an app does not mistake masked data for the real. The
 * key is in the URL, so the response cache keeps keyed answers apart from the public's. */
static int caller_view(struct http_req *r, int *masked, struct err *e)
{
	const char *key = req_str(r, "api_key");
	*masked = 1;
	if (!key || !*key)
		return 0;
	struct db *db;
	int64_t id;
	int rc = app_db(r->app, &db, e);
	if (rc < 0 || (rc = refcache_apikey(r->app->refcache, db, key, &id, e)) < 0)
		return rc;
	if (!id)
		return err_set(e, ERR_FORBIDDEN, "api_key is invalid or revoked");
	*masked = 0;
	return 0;
}

static const char *media_base(struct http_req *r)
{
	return arena_printf(r->arena, "%s/media/", r->base_url);
}

static int run_query(struct http_req *r, struct case_query *q, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = app_db(r->app, &db, e);
	if (rc < 0)
		return rc;
	json_t *arr = json_array();
	rc = case_query_json(db, q, media_base(r), arr, e);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	w->json = arr;
	w->xml_root = "service_requests";
	return 0;
}

static int parse_dates(struct http_req *r, struct case_query *q, struct err *e)
{
	const struct param *s = req_param(r, "start_date"), *t = req_param(r, "end_date");
	const int64_t window = (int64_t)WINDOW_DAYS * 86400;
	if (s && t) {
		q->start = s->ival;
		q->end = t->ival;
		if (q->start > q->end)
			return err_set(e, ERR_BAD_REQUEST, "start_date is after end_date");
		if (q->end - q->start > window)
			return err_set(e, ERR_BAD_REQUEST,
			               "start_date to end_date spans more than %d days",
			               WINDOW_DAYS);
	} else if (s) {
		q->start = s->ival;
		q->end = s->ival + window;
	} else if (t) {
		q->end = t->ival;
		q->start = t->ival - window;
	} else {
		q->end =
		    r->now + 86400; /* a report filed a moment ago on a skewed clock still shows */
		q->start = r->now - window;
	}
	return 0;
}

int open311_get_requests(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct case_query q = {.limit = PAGE_SIZE_DEFAULT};
	int rc = open311_check_jurisdiction(r, e);
	if (rc < 0 || (rc = caller_view(r, &q.masked, e)) < 0)
		return rc;
	const char *ids = req_str(r, "service_request_id");
	if (ids) {
		q.codes = normalize_codes(r, arena_split(r->arena, ids, ',', &q.ncodes), &q.ncodes);
		if (q.ncodes == 0) {
			w->json = json_array();
			w->xml_root = "service_requests";
			return 0;
		}
		q.limit = LIST_MAX;
		return run_query(r, &q, w, e);
	}
	if ((rc = parse_dates(r, &q, e)) < 0)
		return rc;
	const char *services = req_str(r, "service_code");
	if (services)
		q.services = arena_split(r->arena, services, ',', &q.nservices);
	const char *status = req_str(r, "status");
	if (status) {
		size_t n;
		const char **st = arena_split(r->arena, status, ',', &n);
		for (size_t i = 0; i < n; i++) {
			if (strcmp(st[i], "open") == 0)
				q.open = 1;
			else if (strcmp(st[i], "closed") == 0)
				q.closed = 1;
			else
				return err_set(e, ERR_BAD_REQUEST,
				               "status must be open, closed or both");
		}
	}
	const struct param *lat = req_param(r, "lat"), *lon = req_param(r, "long"),
	                   *radius = req_param(r, "radius");
	if (!!lat != !!lon)
		return err_set(e, ERR_BAD_REQUEST, "lat and long must be given together");
	if (radius && !lat)
		return err_set(e, ERR_BAD_REQUEST, "radius needs lat and long");
	if (lat) {
		q.has_geo = 1;
		q.lat = lat->dval;
		q.lon = lon->dval;
		q.radius_m = radius ? radius->dval : 1000;
	}
	const struct param *page = req_param(r, "page"), *size = req_param(r, "page_size");
	if (size)
		q.limit = size->ival;
	if (page)
		q.offset = (page->ival - 1) * q.limit;
	return run_query(r, &q, w, e);
}

int open311_get_request(struct http_req *r, struct http_resp *w, struct err *e)
{
	int rc = open311_check_jurisdiction(r, e);
	if (rc < 0)
		return rc;
	char norm[TRACKING_MAX];
	if (!tracking_normalize(r->path_args[0], norm))
		return err_set(e, ERR_NOT_FOUND, "service_request_id '%s' not found",
		               r->path_args[0]);
	const char *codes[] = {norm};
	struct case_query q = {.codes = codes, .ncodes = 1, .limit = 1};
	if ((rc = caller_view(r, &q.masked, e)) < 0 || (rc = run_query(r, &q, w, e)) < 0)
		return rc;
	if (json_array_size(w->json) == 0) {
		json_decref(w->json);
		w->json = NULL;
		return err_set(e, ERR_NOT_FOUND, "service_request_id '%s' not found",
		               r->path_args[0]);
	}
	return 0;
}

int open311_get_token(struct http_req *r, struct http_resp *w, struct err *e)
{
	int rc = open311_check_jurisdiction(r, e);
	struct db *db;
	if (rc < 0 || (rc = app_db(r->app, &db, e)) < 0)
		return rc;
	char code[TRACKING_MAX];
	if ((rc = case_code_by_token(db, r->path_args[0], code, e)) < 0)
		return rc;
	w->json = json_pack("[{s:s, s:s}]", "service_request_id", code, "token", r->path_args[0]);
	w->xml_root = "service_requests";
	return 0;
}
