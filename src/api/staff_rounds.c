/* Inspection rounds and inspections over HTTP (docs/standards.md): the office makes a round
 * (its sites drawn at once), staff follow it, an inspector opens a site's checklist and submits
 * the finished inspection whole; every failure opens a case for the site's 包保 unit. */
#include "api/staff_rounds.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_common.h"
#include "lib/arena.h"
#include "app.h"
#include "core/roles.h"
#include "store/db.h"
#include "store/inspections.h"
#include "store/refcache.h"
#include "store/org_io.h"
#include "store/rounds.h"
#include "store/scores.h"
#include "store/surveys.h"
#include "lib/buf.h"

static const char *const KINDS[] = {"supervision", "simulation", NULL};
static const char *const SAMPLES[] = {"all", "per_stratum", "share", NULL};

const struct param_spec rounds_create_params[] = {
    {.name = "name", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 600},
    {.name = "kind",
     .type = PT_ENUM,
     .values = KINDS,
     .description = "supervision (督查, default) or simulation (模拟测评)"},
    {.name = "starts_at", .type = PT_DATETIME, .flags = PF_REQUIRED},
    {.name = "ends_at", .type = PT_DATETIME, .flags = PF_REQUIRED},
    {.name = "areas",
     .type = PT_LIST,
     .max_len = 64,
     .max = 100,
     .description = "area codes: the scope (default citywide)"},
    {.name = "site_types",
     .type = PT_LIST,
     .max_len = 32,
     .max = 50,
     .description = "site type codes (default every type)"},
    {.name = "sample",
     .type = PT_ENUM,
     .values = SAMPLES,
     .description = "all (default), per_stratum (sample_n per type × district), share"},
    {.name = "sample_n", .type = PT_INT, .min = 1, .max = 10000},
    {.name = "sample_share", .type = PT_DOUBLE, .min = 0.001, .max = 1},
    {.name = "seed",
     .type = PT_INT,
     .min = 0,
     .max = 9007199254740992.0,
     .description = "the draw's seed (default random); the same seed draws the same sites"},
    {.name = "inspectors",
     .type = PT_LIST,
     .max_len = 20,
     .max = 200,
     .description = "user ids of the round's inspectors"},
    {.name = NULL},
};

static const char *const SCORE_GROUPS[] = {"site", "district", "unit", "type", "item", NULL};
static const char *const FORMATS[] = {"json", "csv", NULL};

const struct param_spec rounds_scores_params[] = {
    {.name = "group",
     .type = PT_ENUM,
     .values = SCORE_GROUPS,
     .description = "site (default), district, unit (包保), type or item (weakest first)"},
    {.name = "format", .type = PT_ENUM, .values = FORMATS, .description = "json (default) or csv"},
    {.name = NULL},
};

const struct param_spec inspections_submit_params[] = {
    {.name = "client_id",
     .type = PT_STRING,
     .flags = PF_REQUIRED,
     .max_len = 64,
     .description = "made by the client (e.g. a UUID): a resubmission changes nothing"},
    {.name = "round_id", .type = PT_INT, .flags = PF_REQUIRED, .min = 1, .max = 1e15},
    {.name = "site_code", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 64},
    {.name = "results",
     .type = PT_LIST,
     .flags = PF_REQUIRED,
     .max_len = 80,
     .max = 500,
     .description = "CODE:pass|fail|na for every item of the site's checklist"},
    {.name = "note[",
     .type = PT_TEXT,
     .flags = PF_PREFIX | PF_MULTI,
     .max_len = 2000,
     .description = "note[CODE]: what was seen at an item"},
    {.name = "note", .type = PT_TEXT, .max_len = 4000},
    {.name = "photos[",
     .type = PT_LIST,
     .flags = PF_PREFIX,
     .max_len = 80,
     .max = 9,
     .description = "photos[CODE]: stored photos of an item (names from POST /api/v1/media); a "
                    "failed item's photos go with the case it opens"},
    {.name = "photos",
     .type = PT_LIST,
     .max_len = 80,
     .max = 9,
     .description = "stored photos of the whole visit"},
    {.name = "inspected_at", .type = PT_DATETIME, .description = "default: now"},
    {.name = "lat", .type = PT_DOUBLE, .min = -90, .max = 90},
    {.name = "long", .type = PT_DOUBLE, .min = -180, .max = 180},
    {.name = NULL},
};

/* A comma list parameter into arena strings. */
static const char **list(struct http_req *r, const char *name, size_t *n)
{
	return arena_split(r->arena, req_str(r, name), ',', n);
}

struct round_job {
	struct http_req *r;
	struct round_new n;
	int64_t id;
	size_t nsites;
};

static int round_write(struct db *db, void *arg, struct err *e)
{
	struct round_job *j = arg;
	int rc = round_create(db, &j->n, &j->id, &j->nsites, e);
	if (rc)
		return rc;
	json_t *sum =
	    json_pack("{s:s, s:s, s:I, s:I}", "name", j->n.name, "sample", j->n.sample_mode, "seed",
	              (json_int_t)j->n.seed, "sites", (json_int_t)j->nsites);
	return api_audit(db, j->r, "round.create",
	                 arena_printf(j->r->arena, "round:%lld", (long long)j->id),
	                 api_json_text(j->r, sum), e);
}

int rounds_create(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct round_job *j = arena_alloc(r->arena, sizeof *j);
	memset(j, 0, sizeof *j);
	j->r = r;
	struct round_new *n = &j->n;
	const struct param *p;
	n->name = req_str(r, "name");
	n->kind = req_str(r, "kind") ? req_str(r, "kind") : "supervision";
	n->starts_at = req_param(r, "starts_at")->ival;
	n->ends_at = req_param(r, "ends_at")->ival;
	n->area_codes = list(r, "areas", &n->nareas);
	n->site_types = list(r, "site_types", &n->ntypes);
	n->sample_mode = req_str(r, "sample") ? req_str(r, "sample") : "all";
	n->sample_n = (p = req_param(r, "sample_n")) ? (int)p->ival : 0;
	n->sample_share = (p = req_param(r, "sample_share")) ? p->dval : 0;
	n->seed = (p = req_param(r, "seed"))
	              ? p->ival
	              : (int64_t)(((uint64_t)randombytes_random() << 21) ^ randombytes_random());
	size_t ni;
	const char **ids = list(r, "inspectors", &ni);
	int64_t *insp = arena_alloc(r->arena, (ni + 1) * sizeof *insp);
	for (size_t i = 0; i < ni; i++) {
		char *end;
		long long v = strtoll(ids[i], &end, 10);
		if (*end || v <= 0)
			return err_set(e, ERR_BAD_REQUEST, "inspectors: '%s' is not a user id",
			               ids[i]);
		insp[i] = v;
	}
	n->inspectors = insp;
	n->ninspectors = ni;
	n->created_by = r->who.user_id;
	n->now = r->now;
	struct db *db;
	int rc = api_write(r, round_write, j, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	w->status = 201;
	return round_json(db, j->id, &w->json, e);
}

struct close_job {
	struct http_req *r;
	int64_t id;
};

static int close_write(struct db *db, void *arg, struct err *e)
{
	struct close_job *j = arg;
	int rc = round_close(db, j->id, e);
	return rc ? rc
	          : api_audit(db, j->r, "round.close",
	                      arena_printf(j->r->arena, "round:%lld", (long long)j->id),
	                      "{\"status\":\"closed\"}", e);
}

int rounds_close(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct close_job j = {.r = r};
	struct db *db;
	int rc = api_path_id(r, 0, &j.id, e);
	if (rc < 0 || (rc = api_write(r, close_write, &j, e)) < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	return round_json(db, j.id, &w->json, e);
}

int rounds_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	return rc < 0 ? rc : rounds_json(db, &w->json, e);
}

static json_t *inspector_row(struct db_stmt *st)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)db_col_int(st, 0), "login",
	                 db_col_text(st, 1), "name", db_col_text(st, 2), "unit_id",
	                 (json_int_t)db_col_int(st, 3), "unit_name", db_col_text(st, 4));
}

/* Whom a round can name: the office makes rounds but may not list the staff accounts (an
 * admin's), so it gets the active inspectors alone, without any account details. */
int inspectors_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	return rc < 0 ? rc
	              : api_query_array(db,
	                                "SELECT u.id, u.login, u.name, u.unit_id, n.name FROM users u"
	                                " JOIN unit n ON n.id = u.unit_id"
	                                " WHERE u.active = 1 AND (u.roles & ?) <> 0 ORDER BY u.name,"
	                                " u.id",
	                                DB_ARGS(db_int(ROLE_INSPECTOR)), inspector_row, &w->json, e);
}

int rounds_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t id;
	int rc = api_path_id(r, 0, &id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	return round_json(db, id, &w->json, e);
}

int rounds_site_checklist(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t id;
	int rc = api_path_id(r, 0, &id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	return inspection_checklist_json(db, id, r->path_args[1], &w->json, e);
}

struct inspection_job {
	struct http_req *r;
	struct inspection_in in;
	struct inspection_out out;
};

static int inspection_write(struct db *db, void *arg, struct err *e)
{
	struct inspection_job *j = arg;
	int rc = inspection_submit(db, &j->in, &j->out, e);
	if (rc || j->out.replayed)
		return rc;
	json_t *sum = json_pack("{s:I, s:s, s:i, s:i, s:i}", "round", (json_int_t)j->in.round_id,
	                        "site", j->in.site_code, "passed", j->out.passed, "failed",
	                        j->out.failed, "na", j->out.na);
	return api_audit(db, j->r, "inspection.submit",
	                 arena_printf(j->r->arena, "inspection:%lld", (long long)j->out.id),
	                 api_json_text(j->r, sum), e);
}

int inspections_submit(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct refdata *d;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0)
		return rc;
	struct inspection_job *j = arena_alloc(r->arena, sizeof *j);
	memset(j, 0, sizeof *j);
	j->r = r;
	struct inspection_in *in = &j->in;
	size_t n;
	const char **tokens = list(r, "results", &n);
	struct inspection_item_in *items = arena_alloc(r->arena, (n + 1) * sizeof *items);
	for (size_t i = 0; i < n; i++) {
		const char *colon = strrchr(tokens[i], ':');
		if (!colon || colon == tokens[i])
			return err_set(e, ERR_BAD_REQUEST, "results: '%s' is not CODE:pass|fail|na",
			               tokens[i]);
		items[i].code = arena_strndup(r->arena, tokens[i], (size_t)(colon - tokens[i]));
		items[i].result = colon + 1;
		const char *note = req_str(r, arena_printf(r->arena, "note[%s]", items[i].code));
		items[i].note = note ? note : "";
		rc = api_media_list(r, arena_printf(r->arena, "photos[%s]", items[i].code),
		                    &items[i].photos, &items[i].nphotos, e);
		if (rc < 0)
			return rc;
	}
	const struct param *lat = req_param(r, "lat"), *lon = req_param(r, "long"),
	                   *at = req_param(r, "inspected_at");
	if (!!lat != !!lon)
		return err_set(e, ERR_BAD_REQUEST, "lat and long go together");
	const char *const *visit_photos;
	size_t nvisit;
	if ((rc = api_media_list(r, "photos", &visit_photos, &nvisit, e)) < 0)
		return rc;
	*in = (struct inspection_in){
	    .client_id = req_str(r, "client_id"),
	    .round_id = req_param(r, "round_id")->ival,
	    .site_code = req_str(r, "site_code"),
	    .inspector_id = r->who.user_id,
	    .any_inspector = (r->who.roles & (ROLE_OFFICE | ROLE_ADMIN)) != 0,
	    .actor = api_actor(r),
	    .inspected_at = at ? at->ival : 0,
	    .has_location = lat != NULL,
	    .lat = lat ? lat->dval : 0,
	    .lon = lon ? lon->dval : 0,
	    .note = req_str(r, "note") ? req_str(r, "note") : "",
	    .photos = visit_photos,
	    .nphotos = nvisit,
	    .items = items,
	    .nitems = n,
	    .prefix = r->app->city_prefix,
	    .cal = refdata_calendar(d),
	    .now = r->now,
	};
	if (in->inspected_at > r->now + 300)
		return err_set(e, ERR_BAD_REQUEST, "inspected_at is in the future");
	if ((rc = api_write(r, inspection_write, j, e)) < 0)
		return rc;
	if ((rc = inspection_json(db, j->out.id, &w->json, e)) < 0)
		return rc;
	json_object_set_new(w->json, "replayed", json_boolean(j->out.replayed));
	return 0;
}

int inspections_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t id;
	int rc = api_path_id(r, 0, &id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	return inspection_json(db, id, &w->json, e);
}

static const char *const SCORE_COLS[] = {"key",        "label",         "score",       "kept",
                                         "applicable", "lost",          "passed",      "failed",
                                         "na",         "deduct_failed", "veto_failed", "sites"};

int rounds_scores(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t id;
	enum score_group g = SCORE_SITE;
	int rc = api_path_id(r, 0, &id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	if (req_str(r, "group"))
		score_group_parse(req_str(r, "group"), &g);
	json_t *o, *survey;
	if ((rc = round_scores_json(db, id, g, &o, e)) < 0)
		return rc;
	if ((rc = survey_scores_json(db, id, &survey, e)) < 0) {
		json_decref(o);
		return rc;
	}
	json_object_set_new(o, "survey", survey);
	if (req_str(r, "format") && !strcmp(req_str(r, "format"), "csv")) {
		api_csv_rows(r, w, json_incref(json_object_get(o, "rows")), SCORE_COLS,
		             sizeof SCORE_COLS / sizeof SCORE_COLS[0], "scores.csv");
		json_decref(o);
		return 0;
	}
	w->json = o;
	return 0;
}

int scores_trend(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	return rc < 0 ? rc : score_trend_json(db, &w->json, e);
}
