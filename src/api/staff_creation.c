/* Grassroots creation over HTTP (docs/creation.md). Reading: leaders, the office and admins
 * (and users of the committee or its office) see every creation; everyone else the creations
 * of units within their reach (another unit's is a 404, as a case is). Writing: a unit's
 * handlers declare and self-assess for units within their reach (403 outside it); the office
 * and admins move the status as core/creation_fsm.c allows. Every write is audited in its
 * transaction. */
#include "api/staff_creation.h"

#include <jansson.h>
#include <string.h>
#include <time.h>

#include "api/api_common.h"
#include "api/reach.h"
#include "store/creations.h"
#include "store/db.h"
#include "store/refcache.h"

static const char *const STATUSES[] = {"declared", "reviewing", "named", "revoked", NULL};
static const char *const LEVELS[] = {"city", "province", "national", NULL};
static const char *const ACTIONS[] = {"declare", "review", "name", "revoke", NULL};
static const char *const FORMATS[] = {"json", "csv", NULL};
static const char *const KINDS[] = {
    "committee", "office", "department", "utility", "district", "county_city", "county", "zone",
    "street",    "town",   "community",  "village", "school",   "enterprise",  NULL};

const struct param_spec creations_list_params[] = {
    {.name = "title", .type = PT_STRING, .max_len = 40, .description = "a title code"},
    {.name = "status", .type = PT_ENUM, .values = STATUSES},
    {.name = "district",
     .type = PT_STRING,
     .max_len = 64,
     .description = "a unit code: the creations of units in its subtree"},
    {.name = "unit_kind", .type = PT_ENUM, .values = KINDS},
    {.name = "year", .type = PT_INT, .min = 1949, .max = 2200},
    {.name = "limit", .type = PT_INT, .min = 1, .max = 5000},
    {.name = "offset", .type = PT_INT, .min = 0, .max = 1000000},
    {.name = "format", .type = PT_ENUM, .values = FORMATS, .description = "json (default) or csv"},
    {.name = NULL},
};

const struct param_spec creations_declare_params[] = {
    {.name = "unit_id", .type = PT_INT, .flags = PF_REQUIRED, .min = 1, .max = 1e15},
    {.name = "title", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 40},
    {.name = "level",
     .type = PT_ENUM,
     .values = LEVELS,
     .description = "the level applied for: city (default), province, national"},
    {.name = "year",
     .type = PT_INT,
     .min = 1949,
     .max = 2200,
     .description = "the creation year (default this year)"},
    {.name = "batch", .type = PT_STRING, .max_len = 300},
    {.name = "note", .type = PT_TEXT, .max_len = 6000},
    {.name = NULL},
};

const struct param_spec creations_coverage_params[] = {
    {.name = "title", .type = PT_STRING, .max_len = 40, .description = "one title only"},
    {.name = "format", .type = PT_ENUM, .values = FORMATS, .description = "json (default) or csv"},
    {.name = NULL},
};

const struct param_spec creations_act_params[] = {
    {.name = "action", .type = PT_ENUM, .flags = PF_REQUIRED, .values = ACTIONS},
    {.name = "version",
     .type = PT_INT,
     .flags = PF_REQUIRED,
     .min = 1,
     .max = 1e15,
     .description = "the creation's version the caller saw"},
    {.name = "note",
     .type = PT_TEXT,
     .max_len = 6000,
     .description = "revoke: the reason (required)"},
    {.name = "level",
     .type = PT_ENUM,
     .values = LEVELS,
     .description = "name: the level named at (default as declared)"},
    {.name = "batch", .type = PT_STRING, .max_len = 300, .description = "name: the batch"},
    {.name = NULL},
};

const struct param_spec creations_assess_params[] = {
    {.name = "client_id",
     .type = PT_STRING,
     .flags = PF_REQUIRED,
     .max_len = 64,
     .description = "made by the client (e.g. a UUID): a resubmission changes nothing"},
    {.name = "results",
     .type = PT_LIST,
     .flags = PF_REQUIRED,
     .max_len = 80,
     .max = 500,
     .description = "CODE:pass|fail|na for every item of the checklist"},
    {.name = "note[",
     .type = PT_TEXT,
     .flags = PF_PREFIX | PF_MULTI,
     .max_len = 2000,
     .description = "note[CODE]: the evidence for an item"},
    {.name = "note", .type = PT_TEXT, .max_len = 4000},
    {.name = NULL},
};

/* The root of what the caller reads: leaders read everything, others their reach. */
static int read_root(struct http_req *r, struct db *db, int64_t *root, struct err *e)
{
	struct refdata *d;
	int rc = api_refdata(r, db, &d, e);
	if (rc < 0)
		return rc;
	*root = (r->who.roles & ROLE_LEADER) ? 0 : reach_root(&r->who, d);
	return 0;
}

/* The creation exists and its unit is within what the caller reads (404 otherwise, as a
 * missing one); with write, also within the caller's reach (403). */
static int creation_scope(struct http_req *r, struct db *db, int64_t id, int write, struct err *e)
{
	struct refdata *d;
	int64_t unit, root;
	int rc = creation_unit(db, id, &unit, e);
	if (rc < 0 || (rc = read_root(r, db, &root, e)) < 0 || (rc = api_refdata(r, db, &d, e)) < 0)
		return rc;
	if (!reach_contains(d, root, unit))
		return err_set(e, ERR_NOT_FOUND, "no creation %lld", (long long)id);
	root = reach_root(&r->who, d);
	if (write && !reach_contains(d, root, unit))
		return err_set(e, ERR_FORBIDDEN,
		               "the unit of creation %lld is not within your reach", (long long)id);
	return 0;
}

static int want_csv(const struct http_req *r)
{
	return req_str(r, "format") && !strcmp(req_str(r, "format"), "csv");
}

int creation_titles_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	return rc < 0 ? rc : creation_titles_json(db, &w->json, e);
}

static const char *const LIST_COLS[] = {
    "id",          "unit_code",  "unit_name",  "unit_kind", "district_code", "district_name",
    "title",       "title_name", "status",     "level",     "year",          "batch",
    "declared_at", "named_at",   "revoked_at", "score"};

int creations_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct creation_filter f = {.title = req_str(r, "title"),
	                            .status = req_str(r, "status"),
	                            .unit_kind = req_str(r, "unit_kind")};
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = read_root(r, db, &f.reach_root, e)) < 0)
		return rc;
	const struct param *p;
	if ((p = req_param(r, "year")))
		f.year = (int)p->ival;
	if ((p = req_param(r, "limit")))
		f.limit = p->ival;
	if ((p = req_param(r, "offset")))
		f.offset = p->ival;
	const char *district = req_str(r, "district");
	if (district && (rc = db_find_int(db, "SELECT id FROM unit WHERE code = ?", district,
	                                  &f.district_root, e)) < 0)
		return rc;
	if (district && !f.district_root)
		return err_set(e, ERR_NOT_FOUND, "no unit %s", district);
	json_t *rows;
	if ((rc = creations_list_json(db, &f, &rows, e)) < 0)
		return rc;
	if (want_csv(r)) {
		api_csv_rows(r, w, rows, LIST_COLS, sizeof LIST_COLS / sizeof LIST_COLS[0],
		             "creations.csv");
		return 0;
	}
	w->json = rows;
	return 0;
}

static int local_year(int64_t now)
{
	time_t t = (time_t)(now + 8 * 3600); /* the city's clock: +08:00 */
	struct tm tm;
	gmtime_r(&t, &tm);
	return tm.tm_year + 1900;
}

struct declare_job {
	struct http_req *r;
	struct creation_declare d;
	int64_t id;
};

static int declare_write(struct db *db, void *arg, struct err *e)
{
	struct declare_job *j = arg;
	int rc = creation_declare(db, &j->d, &j->id, e);
	if (rc)
		return rc;
	json_t *sum = json_pack("{s:I, s:s, s:s, s:i}", "unit_id", (json_int_t)j->d.unit_id,
	                        "title", j->d.title, "level", j->d.level, "year", j->d.year);
	return api_audit(db, j->r, "creation.declare",
	                 arena_printf(j->r->arena, "creation:%lld", (long long)j->id),
	                 api_json_text(j->r, sum), e);
}

int creations_declare(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct refdata *d;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0)
		return rc;
	int64_t unit = req_param(r, "unit_id")->ival;
	if (!reach_contains(d, reach_root(&r->who, d), unit))
		return err_set(e, ERR_FORBIDDEN, "unit %lld is not within your reach",
		               (long long)unit);
	struct declare_job j = {.r = r};
	const struct param *year = req_param(r, "year");
	j.d = (struct creation_declare){
	    .unit_id = unit,
	    .title = req_str(r, "title"),
	    .level = req_str(r, "level") ? req_str(r, "level") : "city",
	    .year = year ? (int)year->ival : local_year(r->now),
	    .batch = req_str(r, "batch"),
	    .note = req_str(r, "note"),
	    .actor = api_actor(r),
	    .roles = r->who.roles,
	    .now = r->now,
	};
	if ((rc = api_write(r, declare_write, &j, e)) < 0)
		return rc;
	w->status = 201;
	return creation_json(db, j.id, &w->json, e);
}

int creations_coverage(struct http_req *r, struct http_resp *w, struct err *e)
{
	static const char *const cols[] = {
	    "scope",    "district_code", "district_name", "title",   "title_name", "eligible",
	    "declared", "reviewing",     "named",         "revoked", "coverage"};
	struct db *db;
	int64_t root;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = read_root(r, db, &root, e)) < 0)
		return rc;
	json_t *o;
	if ((rc = creation_coverage_json(db, req_str(r, "title"), root, &o, e)) < 0)
		return rc;
	if (want_csv(r)) {
		json_t *rows = json_copy(json_object_get(o, "rows"));
		json_array_extend(rows, json_object_get(o, "total"));
		json_decref(o);
		api_csv_rows(r, w, rows, cols, sizeof cols / sizeof cols[0],
		             "creation-coverage.csv");
		return 0;
	}
	w->json = o;
	return 0;
}

int creations_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t id;
	int rc = api_path_id(r, 0, &id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0 || (rc = creation_scope(r, db, id, 0, e)) < 0)
		return rc;
	return creation_json(db, id, &w->json, e);
}

int creations_checklist(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t id;
	int rc = api_path_id(r, 0, &id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0 || (rc = creation_scope(r, db, id, 0, e)) < 0)
		return rc;
	return creation_checklist_json(db, id, &w->json, e);
}

struct act_job {
	struct http_req *r;
	struct creation_step s;
	const char *from, *to;
};

static int act_write(struct db *db, void *arg, struct err *e)
{
	struct act_job *j = arg;
	int rc = creation_move(db, &j->s, &j->from, &j->to, e);
	if (rc)
		return rc;
	json_t *sum = json_pack("{s:s, s:s, s:s}", "from", j->from, "to", j->to, "note",
	                        j->s.note ? j->s.note : "");
	return api_audit(db, j->r, arena_printf(j->r->arena, "creation.%s", j->s.action),
	                 arena_printf(j->r->arena, "creation:%lld", (long long)j->s.id),
	                 api_json_text(j->r, sum), e);
}

int creations_act(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct act_job j = {.r = r};
	int rc = api_path_id(r, 0, &j.s.id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0 ||
	    (rc = creation_scope(r, db, j.s.id, 1, e)) < 0)
		return rc;
	j.s.version = req_param(r, "version")->ival;
	j.s.action = req_str(r, "action");
	j.s.note = req_str(r, "note");
	j.s.level = req_str(r, "level");
	j.s.batch = req_str(r, "batch");
	j.s.actor = api_actor(r);
	j.s.roles = r->who.roles;
	j.s.now = r->now;
	if ((rc = api_write(r, act_write, &j, e)) < 0)
		return rc;
	return creation_json(db, j.s.id, &w->json, e);
}

struct assess_job {
	struct http_req *r;
	struct creation_assess_in in;
	struct creation_assess_out out;
};

static int assess_write(struct db *db, void *arg, struct err *e)
{
	struct assess_job *j = arg;
	int rc = creation_assess(db, &j->in, &j->out, e);
	if (rc || j->out.replayed)
		return rc;
	json_t *sum =
	    json_pack("{s:I, s:I, s:I, s:I, s:f, s:f}", "creation", (json_int_t)j->in.creation_id,
	              "passed", (json_int_t)j->out.sum.passed, "failed",
	              (json_int_t)j->out.sum.failed, "na", (json_int_t)j->out.sum.na, "kept",
	              j->out.sum.kept, "applicable", j->out.sum.applicable);
	return api_audit(
	    db, j->r, "creation.assess",
	    arena_printf(j->r->arena, "creation_assessment:%lld", (long long)j->out.id),
	    api_json_text(j->r, sum), e);
}

int creations_assess(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct assess_job *j = arena_alloc(r->arena, sizeof *j);
	memset(j, 0, sizeof *j);
	j->r = r;
	int rc = api_path_id(r, 0, &j->in.creation_id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0 ||
	    (rc = creation_scope(r, db, j->in.creation_id, 1, e)) < 0)
		return rc;
	size_t n;
	const char **tokens = arena_split(r->arena, req_str(r, "results"), ',', &n);
	struct creation_assess_item *items = arena_alloc(r->arena, (n + 1) * sizeof *items);
	for (size_t i = 0; i < n; i++) {
		const char *colon = strrchr(tokens[i], ':');
		if (!colon || colon == tokens[i])
			return err_set(e, ERR_BAD_REQUEST, "results: '%s' is not CODE:pass|fail|na",
			               tokens[i]);
		items[i].code = arena_strndup(r->arena, tokens[i], (size_t)(colon - tokens[i]));
		items[i].result = colon + 1;
		const char *note = req_str(r, arena_printf(r->arena, "note[%s]", items[i].code));
		items[i].note = note ? note : "";
	}
	j->in.client_id = req_str(r, "client_id");
	j->in.user_id = r->who.user_id;
	j->in.note = req_str(r, "note") ? req_str(r, "note") : "";
	j->in.items = items;
	j->in.nitems = n;
	j->in.now = r->now;
	if ((rc = api_write(r, assess_write, j, e)) < 0)
		return rc;
	const struct score_sum *s = &j->out.sum;
	double score;
	w->json = json_pack(
	    "{s:I, s:I, s:b, s:o, s:f, s:f, s:I, s:I, s:I, s:I, s:I}", "id", (json_int_t)j->out.id,
	    "creation_id", (json_int_t)j->in.creation_id, "replayed", j->out.replayed, "score",
	    score_value(s, &score) ? json_real(score) : json_null(), "kept", s->kept, "applicable",
	    s->applicable, "passed", (json_int_t)s->passed, "failed", (json_int_t)s->failed, "na",
	    (json_int_t)s->na, "deduct_failed", (json_int_t)s->deduct_failed, "veto_failed",
	    (json_int_t)s->veto_failed);
	return 0;
}
