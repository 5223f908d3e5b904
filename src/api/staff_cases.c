/* Cases as staff see them: only those within the caller's reach (reach.h). A case belongs to
 * the unit responsible for it (once dispatched), the unit of the area it lies in, and, until
 * dispatched, its category's default unit: anyone whose reach holds one of those sees it. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/api_common.h"
#include "api/reach.h"
#include "api/staff.h"
#include "core/roles.h"
#include "store/db.h"
#include "store/refcache.h"

static const char *const STATUSES[] = {"reported", "registered", "dispatched",
                                       "handling", "handled",    "deferred",
                                       "closed",   "rejected",   NULL};

const struct param_spec cases_list_params[] = {
    {.name = "status", .type = PT_LIST, .max = 8, .values = STATUSES},
    {.name = "before_id", .type = PT_INT, .min = 1, .max = 1e15, .description = "paging"},
    {.name = "limit", .type = PT_INT, .min = 1, .max = 500},
    {.name = NULL},
};

/* The scope as SQL over `c` (cases), `a` (its area) and `cat`: ?1 = root unit (0: all). */
static const char SCOPE_CTE[] = "WITH RECURSIVE sub(id) AS (SELECT id FROM unit WHERE id = ?"
                                " UNION SELECT u.id FROM unit u JOIN sub ON u.parent_id = sub.id) ";
static const char SCOPE_WHERE[] =
    " AND (? = 0 OR c.unit_id IN (SELECT id FROM sub) OR a.unit_id IN (SELECT id FROM sub)"
    " OR (c.unit_id IS NULL AND cat.default_unit_id IN (SELECT id FROM sub)))";

static const char CASE_COLS[] =
    "SELECT c.id, c.code, c.status, cat.service_code, cat.name, c.description, c.address,"
    " c.lat, c.lon, COALESCE(c.unit_id, 0), COALESCE(u.name, ''), COALESCE(c.area_id, 0),"
    " COALESCE(a.name, ''), c.requested_at, c.updated_at, c.version, c.source,"
    " COALESCE(cat.default_unit_id, 0)"
    " FROM cases c JOIN category cat ON cat.id = c.category_id"
    " LEFT JOIN unit u ON u.id = c.unit_id LEFT JOIN area a ON a.id = c.area_id";

static json_t *opt_id(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *case_row(struct db_stmt *st)
{
	return json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:s, s:I, s:I, s:I, s:s}",
	    "id", (json_int_t)db_col_int(st, 0), "code", db_col_text(st, 1), "status",
	    db_col_text(st, 2), "service_code", db_col_text(st, 3), "service_name",
	    db_col_text(st, 4), "description", db_col_text(st, 5), "address", db_col_text(st, 6),
	    "lat", db_col_is_null(st, 7) ? json_null() : json_real(db_col_real(st, 7)), "long",
	    db_col_is_null(st, 8) ? json_null() : json_real(db_col_real(st, 8)), "unit_id",
	    opt_id(db_col_int(st, 9)), "unit_name", db_col_text(st, 10), "area_id",
	    opt_id(db_col_int(st, 11)), "area_name", db_col_text(st, 12), "requested_at",
	    (json_int_t)db_col_int(st, 13), "updated_at", (json_int_t)db_col_int(st, 14), "version",
	    (json_int_t)db_col_int(st, 15), "source", db_col_text(st, 16));
}

/* status=a,b as up to 8 bound values: unused slots repeat the first. */
static void status_args(const struct http_req *r, struct db_val out[8], int *any)
{
	const char *s = req_str(r, "status");
	*any = s == NULL;
	const char *first = NULL;
	int n = 0;
	for (const char *p = s; p && *p && n < 8;) {
		size_t len = strcspn(p, ",");
		const char *tok = arena_strndup(r->arena, p, len);
		if (!first)
			first = tok;
		out[n++] = db_text(tok);
		p += len + (p[len] == ',');
	}
	for (; n < 8; n++)
		out[n] = db_text(first ? first : "");
}

int cases_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct refdata *d;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0)
		return rc;
	int64_t root = reach_root(&r->who, d);
	const struct param *before = req_param(r, "before_id"), *limit = req_param(r, "limit");
	struct db_val st8[8];
	int any_status;
	status_args(r, st8, &any_status);
	char *sql = arena_printf(r->arena,
	                         "%s%s WHERE (? = 1 OR c.status IN (?, ?, ?, ?, ?, ?, ?, ?))"
	                         " AND (? = 0 OR c.id < ?)%s ORDER BY c.id DESC LIMIT ?",
	                         SCOPE_CTE, CASE_COLS, SCOPE_WHERE);
	struct db_val args[] = {
	    db_int(root),
	    db_int(any_status),
	    st8[0],
	    st8[1],
	    st8[2],
	    st8[3],
	    st8[4],
	    st8[5],
	    st8[6],
	    st8[7],
	    db_int(before ? before->ival : 0),
	    db_int(before ? before->ival : 0),
	    db_int(root),
	    db_int(limit ? limit->ival : 50),
	};
	return api_query_array(db, sql, args, sizeof args / sizeof args[0], case_row, &w->json, e);
}

int cases_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct refdata *d;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0)
		return rc;
	char *sql = arena_printf(r->arena, "%s WHERE c.code = ?", CASE_COLS);
	struct db_stmt *st;
	if ((rc = db_query(db, sql, DB_ARGS(db_text(r->path_args[0])), &st, e)) < 0)
		return rc;
	int64_t unit = 0, area_unit_area = 0, default_unit = 0;
	json_t *c = NULL;
	if ((rc = db_step(st, e)) == DB_ROW) {
		c = case_row(st);
		unit = db_col_int(st, 9);
		area_unit_area = db_col_int(st, 11);
		default_unit = db_col_int(st, 17);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no case %.40s", r->path_args[0]);
	}
	db_done(st);
	if (rc < 0)
		return rc;
	int64_t area_unit = 0;
	if (area_unit_area)
		(void)db_get_int(db, "SELECT COALESCE(unit_id, 0) FROM area WHERE id = ?",
		                 DB_ARGS(db_int(area_unit_area)), &area_unit, e);
	int64_t root = reach_root(&r->who, d);
	if (!reach_contains(d, root, unit) && !reach_contains(d, root, area_unit) &&
	    !(unit == 0 && reach_contains(d, root, default_unit))) {
		json_decref(c);
		/* The same answer as a case that does not exist: no probing of other units. */
		return err_set(e, ERR_NOT_FOUND, "no case %.40s", r->path_args[0]);
	}
	w->json = c;
	return 0;
}
