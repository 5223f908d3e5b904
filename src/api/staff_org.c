/* The organisation as the console reads and edits it: units (a tree) and areas (polygons).
 * Reading is for all staff (who is responsible for what is no secret inside the office);
 * editing is for admins and the office. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/api_common.h"
#include "api/staff.h"
#include "store/area_store.h"
#include "store/db.h"
#include "store/refcache.h"

static const char *const UNIT_KINDS[] = {
    "committee", "office",    "department", "district",   "county", "county_city", "zone", "street",
    "town",      "community", "village",    "enterprise", "school", "utility",     NULL};
static const char *const BOOLS[] = {"true", "false", NULL};

#define UNIT_FIELDS                                                                                \
	{.name = "phone", .type = PT_STRING, .max_len = 64},                                       \
	    {.name = "contact", .type = PT_STRING, .max_len = 128},                                \
	    {.name = "email", .type = PT_STRING, .max_len = 254},                                  \
	    {.name = "address", .type = PT_STRING, .max_len = 500},                                \
	    {.name = "area_id", .type = PT_INT, .min = 1, .max = 1e15},                            \
	{                                                                                          \
		.name = "sort", .type = PT_INT, .min = -1e9, .max = 1e9                            \
	}

const struct param_spec units_create_params[] = {
    {.name = "code", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 32},
    {.name = "name", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 200},
    {.name = "kind", .type = PT_ENUM, .flags = PF_REQUIRED, .values = UNIT_KINDS},
    {.name = "parent_id", .type = PT_INT, .flags = PF_REQUIRED, .min = 1, .max = 1e15},
    UNIT_FIELDS,
    {.name = NULL},
};
const struct param_spec units_update_params[] = {
    {.name = "name", .type = PT_STRING, .max_len = 200},
    {.name = "kind", .type = PT_ENUM, .values = UNIT_KINDS},
    {.name = "parent_id", .type = PT_INT, .min = 1, .max = 1e15},
    UNIT_FIELDS,
    {.name = "active", .type = PT_ENUM, .values = BOOLS},
    {.name = NULL},
};
const struct param_spec areas_locate_params[] = {
    {.name = "lat", .type = PT_DOUBLE, .flags = PF_REQUIRED, .min = -90, .max = 90},
    {.name = "long", .type = PT_DOUBLE, .flags = PF_REQUIRED, .min = -180, .max = 180},
    {.name = NULL},
};

static const char UNIT_SELECT[] =
    "SELECT id, code, name, kind, COALESCE(parent_id, 0), phone, contact, email, address,"
    " COALESCE(area_id, 0), active, sort FROM unit";

static json_t *unit_row(struct db_stmt *st)
{
	json_t *u =
	    json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:b, s:I}", "id",
	              (json_int_t)db_col_int(st, 0), "code", db_col_text(st, 1), "name",
	              db_col_text(st, 2), "kind", db_col_text(st, 3), "parent_id",
	              db_col_int(st, 4) ? json_integer(db_col_int(st, 4)) : json_null(), "phone",
	              db_col_text(st, 5), "contact", db_col_text(st, 6), "email",
	              db_col_text(st, 7), "address", db_col_text(st, 8), "area_id",
	              db_col_int(st, 9) ? json_integer(db_col_int(st, 9)) : json_null(), "active",
	              (int)db_col_int(st, 10), "sort", (json_int_t)db_col_int(st, 11));
	return u;
}

int units_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	char sql[320];
	snprintf(sql, sizeof sql, "%s ORDER BY sort, code", UNIT_SELECT);
	return api_query_array(db, sql, NULL, 0, unit_row, &w->json, e);
}

static int unit_json(struct db *db, int64_t id, json_t **out, struct err *e)
{
	char sql[320];
	snprintf(sql, sizeof sql, "%s WHERE id = ?", UNIT_SELECT);
	int rc = api_query_one(db, sql, DB_ARGS(db_int(id)), unit_row, out, e);
	return rc == ERR_NOT_FOUND ? err_set(e, ERR_NOT_FOUND, "no unit %lld", (long long)id) : rc;
}

int units_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	int64_t id;
	struct db *db;
	int rc = api_path_id(r, 0, &id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	return unit_json(db, id, &w->json, e);
}

struct unit_job {
	struct http_req *r;
	int64_t id;
	const char *summary;
};

static const char *opt_text(const struct http_req *r, const char *name)
{
	return req_str(r, name);
}

static struct db_val opt_int(const struct http_req *r, const char *name)
{
	const struct param *p = req_param(r, name);
	return p ? db_int(p->ival) : db_null();
}

/* The new parent must exist and must not be the unit or below it (no cycles). */
static int check_parent(struct db *db, int64_t id, int64_t parent, struct err *e)
{
	int64_t p = parent;
	for (int depth = 0; p > 0; depth++) {
		if (p == id || depth > 64)
			return err_set(e, ERR_UNPROCESSABLE,
			               "parent_id %lld would make a cycle in the unit tree",
			               (long long)parent);
		int64_t up = 0;
		int rc = db_get_int(db, "SELECT COALESCE(parent_id, 0) FROM unit WHERE id = ?",
		                    DB_ARGS(db_int(p)), &up, e);
		if (rc == ERR_NOT_FOUND)
			return err_set(e, ERR_UNPROCESSABLE, "parent_id %lld does not exist",
			               (long long)parent);
		if (rc < 0)
			return rc;
		p = up;
	}
	return 0;
}

static int check_area(struct db *db, const struct http_req *r, struct err *e)
{
	const struct param *a = req_param(r, "area_id");
	int64_t one;
	if (!a)
		return 0;
	int rc =
	    db_get_int(db, "SELECT 1 FROM area WHERE id = ?", DB_ARGS(db_int(a->ival)), &one, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_UNPROCESSABLE, "area_id %lld does not exist",
		               (long long)a->ival);
	return rc;
}

static int unit_create_write(struct db *db, void *arg, struct err *e)
{
	struct unit_job *j = arg;
	const struct http_req *r = j->r;
	int rc = check_parent(db, 0, req_param(r, "parent_id")->ival, e);
	if (rc == 0)
		rc = check_area(db, r, e);
	if (rc == 0)
		rc = db_get_int(
		    db,
		    "INSERT INTO unit (code, name, kind, parent_id, phone, contact, email, address,"
		    " area_id, sort) VALUES (?, ?, ?, ?, COALESCE(?, ''), COALESCE(?, ''),"
		    " COALESCE(?, ''), COALESCE(?, ''), ?, COALESCE(?, 0)) RETURNING id",
		    DB_ARGS(db_text(req_str(r, "code")), db_text(req_str(r, "name")),
		            db_text(req_str(r, "kind")), opt_int(r, "parent_id"),
		            db_text(opt_text(r, "phone")), db_text(opt_text(r, "contact")),
		            db_text(opt_text(r, "email")), db_text(opt_text(r, "address")),
		            opt_int(r, "area_id"), opt_int(r, "sort")),
		    &j->id, e);
	if (rc == ERR_CONFLICT)
		return err_set(e, ERR_CONFLICT, "unit code '%s' exists", req_str(r, "code"));
	char object[64];
	snprintf(object, sizeof object, "unit:%lld", (long long)j->id);
	return rc ? rc : api_audit(db, j->r, "unit.create", object, j->summary, e);
}

static int unit_update_write(struct db *db, void *arg, struct err *e)
{
	struct unit_job *j = arg;
	const struct http_req *r = j->r;
	const struct param *parent = req_param(r, "parent_id");
	int rc = parent ? check_parent(db, j->id, parent->ival, e) : 0;
	if (rc == 0)
		rc = check_area(db, r, e);
	const char *active = req_str(r, "active");
	int64_t got;
	if (rc == 0)
		rc = db_get_int(
		    db,
		    "UPDATE unit SET name = COALESCE(?, name), kind = COALESCE(?, kind),"
		    " parent_id = COALESCE(?, parent_id), phone = COALESCE(?, phone),"
		    " contact = COALESCE(?, contact), email = COALESCE(?, email),"
		    " address = COALESCE(?, address), area_id = COALESCE(?, area_id),"
		    " sort = COALESCE(?, sort), active = COALESCE(?, active) WHERE id = ? "
		    "RETURNING id",
		    DB_ARGS(
		        db_text(opt_text(r, "name")), db_text(opt_text(r, "kind")),
		        opt_int(r, "parent_id"), db_text(opt_text(r, "phone")),
		        db_text(opt_text(r, "contact")), db_text(opt_text(r, "email")),
		        db_text(opt_text(r, "address")), opt_int(r, "area_id"), opt_int(r, "sort"),
		        active ? db_int(strcmp(active, "true") == 0) : db_null(), db_int(j->id)),
		    &got, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, "no unit %lld", (long long)j->id);
	char object[64];
	snprintf(object, sizeof object, "unit:%lld", (long long)j->id);
	return rc ? rc : api_audit(db, j->r, "unit.update", object, j->summary, e);
}

int units_create(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct unit_job j = {.r = r, .summary = api_sent_summary(r, units_create_params)};
	struct db *db;
	int rc = api_write(r, unit_create_write, &j, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	w->status = 201;
	return unit_json(db, j.id, &w->json, e);
}

int units_update(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct unit_job j = {.r = r, .summary = api_sent_summary(r, units_update_params)};
	struct db *db;
	int rc = api_path_id(r, 0, &j.id, e);
	if (rc < 0 || (rc = api_write(r, unit_update_write, &j, e)) < 0 ||
	    (rc = api_db(r, &db, e)) < 0)
		return rc;
	return unit_json(db, j.id, &w->json, e);
}

/* ---- areas ---- */

int areas_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	return rc < 0 ? rc : area_feature_collection(db, AREAS_STAFF, &w->json, e);
}

int areas_locate(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct refdata *d;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0)
		return rc;
	int64_t id = refdata_area_at(d, req_param(r, "lat")->dval, req_param(r, "long")->dval);
	json_t *chain = json_array();
	/* The area and its parents: grid -> street -> district. */
	for (int depth = 0; id > 0 && depth < 8; depth++) {
		struct db_stmt *st;
		if ((rc = db_query(db,
		                   "SELECT id, code, name, kind, COALESCE(parent_id, 0),"
		                   " COALESCE(unit_id, 0) FROM area WHERE id = ?",
		                   DB_ARGS(db_int(id)), &st, e)) < 0)
			break;
		id = 0;
		if ((rc = db_step(st, e)) == DB_ROW) {
			json_array_append_new(
			    chain, json_pack("{s:I, s:s, s:s, s:s, s:o}", "id",
			                     (json_int_t)db_col_int(st, 0), "code",
			                     db_col_text(st, 1), "name", db_col_text(st, 2), "kind",
			                     db_col_text(st, 3), "unit_id",
			                     db_col_int(st, 5) ? json_integer(db_col_int(st, 5))
			                                       : json_null()));
			id = db_col_int(st, 4);
			rc = 0;
		}
		db_done(st);
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		json_decref(chain);
		return rc;
	}
	w->json = json_pack("{s:o}", "areas", chain);
	return 0;
}
