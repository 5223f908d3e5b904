/* Routing rules as the console reads and edits them, and the suggestion a dispatcher sees.
 * Writes run on the group-commit writer with their audit record in the same job; the
 * refdata triggers on routing_rule tell every instance's cache. */
#include "api/staff_routing.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/api_common.h"
#include "store/db.h"
#include "store/refcache.h"
#include "store/routing_store.h"

static const char *const BOOLS[] = {"true", "false", NULL};

/* area_id 0 means any area: JSON null is the same as leaving a member out (http/params.c),
 * so "anywhere" needs a value of its own. */
#define RULE_FIELDS                                                                                \
	{.name = "category", .type = PT_STRING, .max_len = 15},                                    \
	    {.name = "area_id", .type = PT_INT, .min = 0, .max = 1e15},                            \
	    {.name = "priority", .type = PT_INT, .min = -1e6, .max = 1e6},                         \
	{                                                                                          \
		.name = "note", .type = PT_STRING, .max_len = 1500                                 \
	}

const struct param_spec routing_rules_create_params[] = {
    {.name = "unit_id", .type = PT_INT, .flags = PF_REQUIRED, .min = 1, .max = 1e15},
    RULE_FIELDS,
    {.name = NULL},
};
const struct param_spec routing_rules_update_params[] = {
    {.name = "unit_id", .type = PT_INT, .min = 1, .max = 1e15},
    RULE_FIELDS,
    {.name = "active", .type = PT_ENUM, .values = BOOLS},
    {.name = NULL},
};
const struct param_spec routing_suggest_params[] = {
    {.name = "service_code", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 15},
    {.name = "lat", .type = PT_DOUBLE, .flags = PF_REQUIRED, .min = -90, .max = 90},
    {.name = "long", .type = PT_DOUBLE, .flags = PF_REQUIRED, .min = -180, .max = 180},
    {.name = NULL},
};

static const char RULE_SELECT[] =
    "SELECT r.id, r.category_code, r.group_code, COALESCE(r.area_id, 0), a.code, r.unit_id,"
    " u.code, u.name, r.priority, r.active, r.note FROM routing_rule r"
    " JOIN unit u ON u.id = r.unit_id LEFT JOIN area a ON a.id = r.area_id";

static json_t *text_or_null(struct db_stmt *st, int col)
{
	return db_col_is_null(st, col) ? json_null() : json_string(db_col_text(st, col));
}

static json_t *rule_row(struct db_stmt *st)
{
	const char *cat = !db_col_is_null(st, 1)   ? db_col_text(st, 1)
	                  : !db_col_is_null(st, 2) ? db_col_text(st, 2)
	                                           : "*";
	return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:I, s:s, s:s, s:I, s:b, s:s}", "id",
	                 (json_int_t)db_col_int(st, 0), "category", cat, "category_code",
	                 text_or_null(st, 1), "group_code", text_or_null(st, 2), "area_id",
	                 db_col_int(st, 3) ? json_integer(db_col_int(st, 3)) : json_null(),
	                 "area_code", text_or_null(st, 4), "unit_id", (json_int_t)db_col_int(st, 5),
	                 "unit_code", db_col_text(st, 6), "unit_name", db_col_text(st, 7),
	                 "priority", (json_int_t)db_col_int(st, 8), "active",
	                 (int)db_col_int(st, 9), "note", db_col_text(st, 10));
}

int routing_rules_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	char sql[512];
	snprintf(sql, sizeof sql, "%s ORDER BY r.active DESC, r.id", RULE_SELECT);
	return api_query_array(db, sql, NULL, 0, rule_row, &w->json, e);
}

static int rule_json(struct db *db, int64_t id, json_t **out, struct err *e)
{
	char sql[512];
	snprintf(sql, sizeof sql, "%s WHERE r.id = ?", RULE_SELECT);
	int rc = api_query_one(db, sql, DB_ARGS(db_int(id)), rule_row, out, e);
	return rc == ERR_NOT_FOUND
	           ? err_set(e, ERR_NOT_FOUND, "no routing rule %lld", (long long)id)
	           : rc;
}

/* A rule as it will be written. */
struct rule_job {
	struct http_req *r;
	int64_t id;
	const char *summary;
	char code[16], group[16];
	int64_t area_id, unit_id, priority, active;
	const char *note;
};

static int check_refs(struct db *db, const struct rule_job *j, struct err *e)
{
	int64_t one;
	int rc = 0;
	if (j->area_id)
		rc = db_get_int(db, "SELECT 1 FROM area WHERE id = ?", DB_ARGS(db_int(j->area_id)),
		                &one, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_UNPROCESSABLE, "area_id %lld does not exist",
		               (long long)j->area_id);
	if (rc == 0)
		rc = db_get_int(db, "SELECT 1 FROM unit WHERE id = ? AND active = 1",
		                DB_ARGS(db_int(j->unit_id)), &one, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_UNPROCESSABLE, "unit_id %lld is not an active unit",
		               (long long)j->unit_id);
	return rc;
}

/* The fields the request sets, over what the job holds already. */
static int apply_request(struct db *db, struct rule_job *j, struct err *e)
{
	const struct http_req *r = j->r;
	const struct param *p;
	if (req_param(r, "category")) {
		int rc = routing_category_resolve(db, req_str(r, "category"), j->code, j->group, e);
		if (rc < 0)
			return rc;
	}
	if ((p = req_param(r, "area_id")))
		j->area_id = p->ival;
	if ((p = req_param(r, "unit_id")))
		j->unit_id = p->ival;
	if ((p = req_param(r, "priority")))
		j->priority = p->ival;
	if (req_param(r, "note"))
		j->note = req_str(r, "note");
	if (req_param(r, "active"))
		j->active = strcmp(req_str(r, "active"), "true") == 0;
	return check_refs(db, j, e);
}

static int audit_rule(struct db *db, struct rule_job *j, const char *action, struct err *e)
{
	char object[64];
	snprintf(object, sizeof object, "routing_rule:%lld", (long long)j->id);
	return api_audit(db, j->r, action, object, j->summary, e);
}

static int conflict(int rc, struct err *e)
{
	return rc == ERR_CONFLICT ? err_set(e, ERR_CONFLICT,
	                                    "an active rule for this category and area exists:"
	                                    " change it, or deactivate it first")
	                          : rc;
}

static int rule_create_write(struct db *db, void *arg, struct err *e)
{
	struct rule_job *j = arg;
	j->note = "";
	j->active = 1;
	int rc = apply_request(db, j, e);
	if (rc == 0)
		rc = db_get_int(
		    db,
		    "INSERT INTO routing_rule (category_code, group_code, area_id, unit_id,"
		    " priority, note) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
		    DB_ARGS(db_text(*j->code ? j->code : NULL),
		            db_text(*j->group ? j->group : NULL),
		            j->area_id ? db_int(j->area_id) : db_null(), db_int(j->unit_id),
		            db_int(j->priority), db_text(j->note)),
		    &j->id, e);
	rc = conflict(rc, e);
	return rc ? rc : audit_rule(db, j, "routing_rule.create", e);
}

static int rule_load(struct db *db, struct rule_job *j, struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT category_code, group_code, COALESCE(area_id, 0), unit_id, priority,"
	             " active, note FROM routing_rule WHERE id = ?",
	             DB_ARGS(db_int(j->id)), &st, e);
	if (rc < 0)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		snprintf(j->code, sizeof j->code, "%s", db_col_text(st, 0));
		snprintf(j->group, sizeof j->group, "%s", db_col_text(st, 1));
		j->area_id = db_col_int(st, 2);
		j->unit_id = db_col_int(st, 3);
		j->priority = db_col_int(st, 4);
		j->active = db_col_int(st, 5);
		j->note = arena_strdup(j->r->arena, db_col_text(st, 6));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no routing rule %lld", (long long)j->id);
	}
	db_done(st);
	return rc;
}

static int rule_update_write(struct db *db, void *arg, struct err *e)
{
	struct rule_job *j = arg;
	int rc = rule_load(db, j, e);
	if (rc == 0)
		rc = apply_request(db, j, e);
	if (rc == 0)
		rc =
		    db_run(db,
		           "UPDATE routing_rule SET category_code = ?, group_code = ?, area_id = ?,"
		           " unit_id = ?, priority = ?, active = ?, note = ? WHERE id = ?",
		           DB_ARGS(db_text(*j->code ? j->code : NULL),
		                   db_text(*j->group ? j->group : NULL),
		                   j->area_id ? db_int(j->area_id) : db_null(), db_int(j->unit_id),
		                   db_int(j->priority), db_int(j->active), db_text(j->note),
		                   db_int(j->id)),
		           e);
	rc = conflict(rc, e);
	return rc ? rc : audit_rule(db, j, "routing_rule.update", e);
}

static int rule_deactivate_write(struct db *db, void *arg, struct err *e)
{
	struct rule_job *j = arg;
	int64_t got;
	int rc = db_get_int(db, "UPDATE routing_rule SET active = 0 WHERE id = ? RETURNING id",
	                    DB_ARGS(db_int(j->id)), &got, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, "no routing rule %lld", (long long)j->id);
	return rc ? rc : audit_rule(db, j, "routing_rule.deactivate", e);
}

int routing_rules_create(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct rule_job *j = arena_alloc(r->arena, sizeof *j);
	j->r = r;
	j->summary = api_sent_summary(r, routing_rules_create_params);
	struct db *db;
	int rc = api_write(r, rule_create_write, j, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	w->status = 201;
	return rule_json(db, j->id, &w->json, e);
}

int routing_rules_update(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct rule_job *j = arena_alloc(r->arena, sizeof *j);
	j->r = r;
	j->summary = api_sent_summary(r, routing_rules_update_params);
	struct db *db;
	int rc = api_path_id(r, 0, &j->id, e);
	if (rc < 0 || (rc = api_write(r, rule_update_write, j, e)) < 0 ||
	    (rc = api_db(r, &db, e)) < 0)
		return rc;
	return rule_json(db, j->id, &w->json, e);
}

int routing_rules_deactivate(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct rule_job *j = arena_alloc(r->arena, sizeof *j);
	j->r = r;
	j->summary = "{}";
	int rc = api_path_id(r, 0, &j->id, e);
	if (rc < 0 || (rc = api_write(r, rule_deactivate_write, j, e)) < 0)
		return rc;
	w->status = 204;
	return 0;
}

int routing_suggest_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct refdata *d;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0)
		return rc;
	const char *code = req_str(r, "service_code");
	const struct category *c = refdata_category(d, code);
	if (!c)
		return err_set(e, ERR_UNPROCESSABLE, "service_code %s is not a known service",
		               code);
	int64_t area = refdata_area_at(d, req_param(r, "lat")->dval, req_param(r, "long")->dval);
	struct routing_suggestion s;
	if ((rc = routing_explain(db, c->id, area, &s, e)) < 0)
		return rc;
	json_t *unit_code = json_null(), *unit_name = json_null(), *area_code = json_null();
	struct db_stmt *st;
	if (s.unit_id && (rc = db_query(db, "SELECT code, name FROM unit WHERE id = ?",
	                                DB_ARGS(db_int(s.unit_id)), &st, e)) == 0) {
		if ((rc = db_step(st, e)) == DB_ROW) {
			unit_code = json_string(db_col_text(st, 0));
			unit_name = json_string(db_col_text(st, 1));
		}
		db_done(st);
	}
	if (rc >= 0 && area &&
	    (rc = db_query(db, "SELECT code FROM area WHERE id = ?", DB_ARGS(db_int(area)), &st,
	                   e)) == 0) {
		if ((rc = db_step(st, e)) == DB_ROW)
			area_code = json_string(db_col_text(st, 0));
		db_done(st);
	}
	if (rc < 0) {
		json_decref(unit_code);
		json_decref(unit_name);
		json_decref(area_code);
		return rc;
	}
	w->json = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "service_code", code,
	                    "area_id", area ? json_integer(area) : json_null(), "area_code",
	                    area_code, "unit_id", s.unit_id ? json_integer(s.unit_id) : json_null(),
	                    "unit_code", unit_code, "unit_name", unit_name, "rule_id",
	                    s.rule_id ? json_integer(s.rule_id) : json_null(), "reason", s.reason);
	return 0;
}
