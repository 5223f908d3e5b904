/* The category catalogue as the office keeps it: data/categories.csv seeds it at init; from
 * then on the live catalogue is the database's, read and changed here. A category is never
 * deleted (cases name it): it is switched off, and Open311 stops offering it. Writes run on
 * the group-commit writer with their audit record; the refdata triggers on category tell
 * every instance's cache. */
#include "api/staff_categories.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/api_common.h"
#include "core/validate.h"
#include "store/catalog.h"
#include "store/db.h"

static const char *const BOOLS[] = {"true", "false", NULL};
static const char *const KINDS[] = {"event", "part", NULL};

#define MINUTES(n, req)                                                                            \
	{                                                                                          \
		.name = n, .type = PT_INT, .flags = (req), .min = 1, .max = CATEGORY_MAX_MINUTES   \
	}

#define CATEGORY_FIELDS(required)                                                                  \
	{.name = "name", .type = PT_STRING, .flags = (required), .max_len = 120},                  \
	    {.name = "description", .type = PT_STRING, .flags = (required), .max_len = 1000},      \
	    {.name = "keywords",                                                                   \
	     .type = PT_STRING,                                                                    \
	     .max_len = 1000,                                                                      \
	     .description = "comma-separated words a citizen may use for it"},                     \
	    {.name = "default_unit_id",                                                            \
	     .type = PT_INT,                                                                       \
	     .min = 0,                                                                             \
	     .max = 1e15,                                                                          \
	     .description = "the unit cases go to when no routing rule matches; 0: none"},         \
	    MINUTES("register_minutes", required), MINUTES("handle_minutes", required),            \
	    MINUTES("verify_minutes", required),                                                   \
	    {.name = "urgent",                                                                     \
	     .type = PT_ENUM,                                                                      \
	     .values = BOOLS,                                                                      \
	     .description = "急要件: limits in natural time"},                                     \
	{                                                                                          \
		.name = "sort", .type = PT_INT, .min = 0, .max = 1e6                               \
	}

const struct param_spec categories_create_params[] = {
    {.name = "kind",
     .type = PT_ENUM,
     .flags = PF_REQUIRED,
     .values = KINDS,
     .description = "event (事件, service code E…) or part (部件, P…)"},
    {.name = "code",
     .type = PT_STRING,
     .flags = PF_REQUIRED,
     .max_len = 4,
     .description = "大类 2 digits + 小类 2 digits"},
    {.name = "group_name",
     .type = PT_STRING,
     .max_len = 60,
     .description = "the 大类 name: required for a new group, else must match"},
    CATEGORY_FIELDS(PF_REQUIRED),
    {.name = NULL},
};

const struct param_spec categories_update_params[] = {
    CATEGORY_FIELDS(0),
    {.name = "active", .type = PT_ENUM, .values = BOOLS},
    {.name = NULL},
};

static const char CATEGORY_SELECT[] =
    "SELECT c.id, c.service_code, c.code, c.kind, c.group_code, c.group_name, c.name,"
    " c.description, c.keywords, COALESCE(c.default_unit_id, 0), u.code, u.name,"
    " c.register_minutes, c.handle_minutes, c.verify_minutes, c.urgent, c.active, c.sort,"
    " (SELECT count(*) FROM category_attribute a WHERE a.category_id = c.id)"
    " FROM category c LEFT JOIN unit u ON u.id = c.default_unit_id";

static json_t *category_row(struct db_stmt *st)
{
	int64_t unit = db_col_int(st, 9);
	return json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:b, s:b,"
	    " s:I, s:I}",
	    "id", (json_int_t)db_col_int(st, 0), "service_code", db_col_text(st, 1), "code",
	    db_col_text(st, 2), "kind", db_col_text(st, 3), "group_code", db_col_text(st, 4),
	    "group_name", db_col_text(st, 5), "name", db_col_text(st, 6), "description",
	    db_col_text(st, 7), "keywords", db_col_text(st, 8), "default_unit_id",
	    unit ? json_integer(unit) : json_null(), "default_unit_code",
	    unit ? json_string(db_col_text(st, 10)) : json_null(), "default_unit_name",
	    unit ? json_string(db_col_text(st, 11)) : json_null(), "register_minutes",
	    (json_int_t)db_col_int(st, 12), "handle_minutes", (json_int_t)db_col_int(st, 13),
	    "verify_minutes", (json_int_t)db_col_int(st, 14), "urgent", (int)db_col_int(st, 15),
	    "active", (int)db_col_int(st, 16), "sort", (json_int_t)db_col_int(st, 17), "attributes",
	    (json_int_t)db_col_int(st, 18));
}

int categories_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	char sql[1024];
	snprintf(sql, sizeof sql, "%s ORDER BY c.kind, c.code", CATEGORY_SELECT);
	return api_query_array(db, sql, NULL, 0, category_row, &w->json, e);
}

static int category_json(struct db *db, const char *service_code, json_t **out, struct err *e)
{
	char sql[1024];
	snprintf(sql, sizeof sql, "%s WHERE c.service_code = ?", CATEGORY_SELECT);
	int rc = api_query_one(db, sql, DB_ARGS(db_text(service_code)), category_row, out, e);
	return rc == ERR_NOT_FOUND ? err_set(e, ERR_NOT_FOUND, "no category %s", service_code) : rc;
}

/* A category as it will be written. */
struct category_job {
	struct http_req *r;
	const char *summary;
	char service_code[8], code[8], group_code[4];
	const char *kind, *group_name, *name, *description, *keywords;
	int64_t id, unit_id, reg, handle, verify, urgent, active, sort;
};

/* The fields the request sets, over what the job holds already. */
static int apply_request(struct db *db, struct category_job *j, struct err *e)
{
	const struct http_req *r = j->r;
	const struct param *p;
	if (req_param(r, "name"))
		j->name = req_str(r, "name");
	if (req_param(r, "description"))
		j->description = req_str(r, "description");
	if (req_param(r, "keywords"))
		j->keywords = req_str(r, "keywords");
	if ((p = req_param(r, "default_unit_id")))
		j->unit_id = p->ival;
	if ((p = req_param(r, "register_minutes")))
		j->reg = p->ival;
	if ((p = req_param(r, "handle_minutes")))
		j->handle = p->ival;
	if ((p = req_param(r, "verify_minutes")))
		j->verify = p->ival;
	if ((p = req_param(r, "sort")))
		j->sort = p->ival;
	if (req_param(r, "urgent"))
		j->urgent = strcmp(req_str(r, "urgent"), "true") == 0;
	if (req_param(r, "active"))
		j->active = strcmp(req_str(r, "active"), "true") == 0;
	if (validate_blank(j->name) || validate_blank(j->description))
		return err_set(e, ERR_UNPROCESSABLE, "%s must not be blank",
		               validate_blank(j->name) ? "name" : "description");
	int64_t one;
	int rc = j->unit_id ? db_get_int(db, "SELECT 1 FROM unit WHERE id = ? AND active = 1",
	                                 DB_ARGS(db_int(j->unit_id)), &one, e)
	                    : 0;
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_UNPROCESSABLE, "default_unit_id %lld is not an active unit",
		               (long long)j->unit_id);
	return rc;
}

static int audit_category(struct db *db, struct category_job *j, const char *action, struct err *e)
{
	char object[32];
	snprintf(object, sizeof object, "category:%s", j->service_code);
	return api_audit(db, j->r, action, object, j->summary, e);
}

/* A group (大类) keeps one name across its categories: a new group needs one, an existing
 * group's is taken when none is sent. */
static int group_name_check(struct db *db, struct category_job *j, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT group_name FROM category WHERE kind = ? AND group_code = ?"
	                  " LIMIT 1",
	                  DB_ARGS(db_text(j->kind), db_text(j->group_code)), &st, e);
	if (rc < 0)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		const char *have = db_col_text(st, 0);
		if (!j->group_name)
			j->group_name = arena_strdup(j->r->arena, have);
		else if (strcmp(j->group_name, have) != 0)
			rc = err_set(
			    e, ERR_UNPROCESSABLE,
			    "group %s is named \"%s\": group_name must match or be left out",
			    j->group_code, have);
		else
			rc = 0;
	} else if (rc == DB_DONE) {
		rc = j->group_name && *j->group_name
		         ? 0
		         : err_set(e, ERR_UNPROCESSABLE,
		                   "group %s is new: group_name (the 大类 name) is required",
		                   j->group_code);
	}
	db_done(st);
	return rc;
}

static int category_create_write(struct db *db, void *arg, struct err *e)
{
	struct category_job *j = arg;
	j->keywords = "";
	j->active = 1;
	int rc = apply_request(db, j, e);
	if (rc == 0)
		rc = group_name_check(db, j, e);
	if (rc == 0 && !req_param(j->r, "sort"))
		rc = db_get_int(db, "SELECT COALESCE(max(sort), 0) + 1 FROM category", NULL, 0,
		                &j->sort, e);
	if (rc == 0)
		rc = db_get_int(
		    db,
		    "INSERT INTO category (code, service_code, kind, group_code, group_name, name,"
		    " description, keywords, default_unit_id, register_minutes, handle_minutes,"
		    " verify_minutes, urgent, active, sort)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id",
		    DB_ARGS(db_text(j->code), db_text(j->service_code), db_text(j->kind),
		            db_text(j->group_code), db_text(j->group_name), db_text(j->name),
		            db_text(j->description), db_text(j->keywords),
		            j->unit_id ? db_int(j->unit_id) : db_null(), db_int(j->reg),
		            db_int(j->handle), db_int(j->verify), db_int(j->urgent),
		            db_int(j->sort)),
		    &j->id, e);
	if (rc == ERR_CONFLICT)
		return err_set(e, ERR_CONFLICT, "category %s exists: change it instead",
		               j->service_code);
	return rc ? rc : audit_category(db, j, "category.create", e);
}

static int category_load(struct db *db, struct category_job *j, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT id, name, description, keywords, COALESCE(default_unit_id, 0),"
	                  " register_minutes, handle_minutes, verify_minutes, urgent, active, sort"
	                  " FROM category WHERE service_code = ?",
	                  DB_ARGS(db_text(j->service_code)), &st, e);
	if (rc < 0)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		struct arena *a = j->r->arena;
		j->id = db_col_int(st, 0);
		j->name = arena_strdup(a, db_col_text(st, 1));
		j->description = arena_strdup(a, db_col_text(st, 2));
		j->keywords = arena_strdup(a, db_col_text(st, 3));
		j->unit_id = db_col_int(st, 4);
		j->reg = db_col_int(st, 5);
		j->handle = db_col_int(st, 6);
		j->verify = db_col_int(st, 7);
		j->urgent = db_col_int(st, 8);
		j->active = db_col_int(st, 9);
		j->sort = db_col_int(st, 10);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no category %s", j->service_code);
	}
	db_done(st);
	return rc;
}

static int category_update_write(struct db *db, void *arg, struct err *e)
{
	struct category_job *j = arg;
	int rc = category_load(db, j, e);
	if (rc == 0)
		rc = apply_request(db, j, e);
	if (rc == 0)
		rc = db_run(db,
		            "UPDATE category SET name = ?, description = ?, keywords = ?,"
		            " default_unit_id = ?, register_minutes = ?, handle_minutes = ?,"
		            " verify_minutes = ?, urgent = ?, active = ?, sort = ? WHERE id = ?",
		            DB_ARGS(db_text(j->name), db_text(j->description), db_text(j->keywords),
		                    j->unit_id ? db_int(j->unit_id) : db_null(), db_int(j->reg),
		                    db_int(j->handle), db_int(j->verify), db_int(j->urgent),
		                    db_int(j->active), db_int(j->sort), db_int(j->id)),
		            e);
	return rc ? rc : audit_category(db, j, "category.update", e);
}

int categories_create(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct category_job *j = arena_alloc(r->arena, sizeof *j);
	j->r = r;
	j->summary = api_sent_summary(r, categories_create_params);
	j->kind = req_str(r, "kind");
	j->group_name = req_str(r, "group_name");
	const char *code = req_str(r, "code");
	if (!catalog_code_ok(code))
		return err_set(e, ERR_BAD_REQUEST, "code \"%s\" is not 4 digits (大类 2 + 小类 2)",
		               code);
	snprintf(j->code, sizeof j->code, "%s", code);
	snprintf(j->group_code, sizeof j->group_code, "%.2s", code);
	snprintf(j->service_code, sizeof j->service_code, "%c%s",
	         strcmp(j->kind, "event") == 0 ? 'E' : 'P', code);
	struct db *db;
	int rc = api_write(r, category_create_write, j, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	w->status = 201;
	return category_json(db, j->service_code, &w->json, e);
}

int categories_update(struct http_req *r, struct http_resp *w, struct err *e)
{
	const char *sc = r->path_args[0];
	if (strlen(sc) >= sizeof((struct category_job *)0)->service_code)
		return err_set(e, ERR_NOT_FOUND, "no category %s", sc);
	struct category_job *j = arena_alloc(r->arena, sizeof *j);
	j->r = r;
	j->summary = api_sent_summary(r, categories_update_params);
	snprintf(j->service_code, sizeof j->service_code, "%s", sc);
	struct db *db;
	int rc = api_write(r, category_update_write, j, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	return category_json(db, j->service_code, &w->json, e);
}
