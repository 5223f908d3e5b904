/* POST /open311/v2/requests: a citizen's or a 311 app's report becomes a case. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "api/api_common.h"
#include "api/citizen_report.h"
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
    CITIZEN_REPORT_PHOTO_AND_ATTRIBUTES,
    {.name = NULL},
};

/* Runs once the report is durable (or failed): the Open311 answer. */
static int post_complete(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct citizen_report *j = r->ctx;
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
	*cat = refdata_active_category(*ref, code);
	int changed = 0;
	if ((!*apikey_id || !*cat) &&
	    (rc = refcache_recheck(r->app->refcache, db, ref, &changed, e)) < 0) {
		refdata_release(*ref);
		return rc;
	}
	arena_defer(r->arena, release_refdata, *ref);
	if (changed) {
		*apikey_id = refdata_apikey(*ref, key);
		*cat = refdata_active_category(*ref, code);
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
	struct citizen_report *job = arena_alloc(r->arena, sizeof *job);
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
	cr->actor = arena_printf(r->arena, "apikey:%lld", (long long)cr->apikey_id);
	if ((rc = citizen_report_prepare(r, db, ref, cat, job, e)) < 0)
		return rc;
	return citizen_report_file(r, job, post_complete, e);
}
