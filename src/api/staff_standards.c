/* The evaluation standard and the sites over HTTP (docs/standards.md): site types, the
 * standard's versions, a version's tree or a site type's checklist, activating a version;
 * sites listed (within the caller's reach), as GeoJSON for the map, one by code, and saved
 * one at a time by the office. */
#include "api/staff_standards.h"

#include <jansson.h>
#include <string.h>

#include "api/api_common.h"
#include "api/reach.h"
#include "core/roles.h"
#include "lib/buf.h"
#include "lib/jsonw.h"
#include "store/db.h"
#include "store/refcache.h"
#include "store/sites.h"
#include "store/standards.h"

static const char *const METHODS[] = {"field", "survey", "material", "online", NULL};
static const char *const BOOLS[] = {"true", "false", NULL};

const struct param_spec standards_get_params[] = {
    {.name = "site_type", .type = PT_STRING, .max_len = 32,
     .description = "only the items checked at this site type: its checklist"},
    {.name = "method", .type = PT_ENUM, .values = METHODS,
     .description = "only the items of this method (field = 实地考察 …)"},
    {.name = NULL},
};

const struct param_spec sites_list_params[] = {
    {.name = "type", .type = PT_STRING, .max_len = 32, .description = "a site type code"},
    {.name = "unit_id", .type = PT_INT, .min = 1, .max = 1e15,
     .description = "sites of this unit's subtree (包保) or in its areas"},
    {.name = "area_id", .type = PT_INT, .min = 1, .max = 1e15,
     .description = "sites in this area or below"},
    {.name = "q", .type = PT_STRING, .max_len = 100, .description = "in name, code or address"},
    {.name = "active", .type = PT_ENUM, .values = BOOLS, .description = "default: all"},
    {.name = "limit", .type = PT_INT, .min = 1, .max = 1000},
    {.name = "offset", .type = PT_INT, .min = 0, .max = 1000000},
    {.name = NULL},
};

const struct param_spec sites_geojson_params[] = {
    {.name = "type", .type = PT_STRING, .max_len = 32, .description = "a site type code"},
    {.name = "unit_id", .type = PT_INT, .min = 1, .max = 1e15},
    {.name = "area_id", .type = PT_INT, .min = 1, .max = 1e15},
    {.name = NULL},
};

const struct param_spec sites_save_params[] = {
    {.name = "code", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 64},
    {.name = "name", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 600},
    {.name = "type", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 32},
    {.name = "unit_id", .type = PT_INT, .min = 1, .max = 1e15,
     .description = "the 包保 unit; failures are routed to it"},
    {.name = "area_id", .type = PT_INT, .min = 1, .max = 1e15,
     .description = "default: the most specific area holding lat/long"},
    {.name = "lat", .type = PT_DOUBLE, .min = -90, .max = 90},
    {.name = "long", .type = PT_DOUBLE, .min = -180, .max = 180},
    {.name = "address", .type = PT_STRING, .max_len = 1500},
    {.name = "active", .type = PT_ENUM, .values = BOOLS},
    {.name = NULL},
};

int site_types_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	return rc < 0 ? rc : site_types_json(db, &w->json, e);
}

int standards_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	return rc < 0 ? rc : standards_versions_json(db, &w->json, e);
}

int standards_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	return standards_tree_json(db, r->path_args[0], req_str(r, "site_type"),
	                           req_str(r, "method"), &w->json, e);
}

struct activate_job {
	struct http_req *r;
	const char *code;
};

static int activate_write(struct db *db, void *arg, struct err *e)
{
	struct activate_job *j = arg;
	int rc = standards_activate(db, j->code, e);
	return rc ? rc
	          : api_audit(db, j->r, "standard.activate", j->code, "{\"active\":true}", e);
}

int standards_activate_post(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct activate_job j = {.r = r, .code = r->path_args[0]};
	struct db *db;
	int rc = api_write(r, activate_write, &j, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	return standards_versions_json(db, &w->json, e);
}

/* ---- sites */

static const char SITE_COLS[] =
    "SELECT s.id, s.code, s.name, s.type, t.name, COALESCE(s.area_id, 0),"
    " COALESCE(a.code, ''), COALESCE(a.name, ''), COALESCE(s.unit_id, 0), COALESCE(u.code, ''),"
    " COALESCE(u.name, ''), s.lat, s.lon, s.address, s.active, s.updated_at"
    " FROM site s JOIN site_type t ON t.code = s.type LEFT JOIN area a ON a.id = s.area_id"
    " LEFT JOIN unit u ON u.id = s.unit_id";

static void site_write(struct jsonw *w, struct db_stmt *st)
{
	jw_object(w);
	jw_kint(w, "id", db_col_int(st, 0));
	jw_kstr(w, "code", db_col_text(st, 1));
	jw_kstr(w, "name", db_col_text(st, 2));
	jw_kstr(w, "type", db_col_text(st, 3));
	jw_kstr(w, "type_name", db_col_text(st, 4));
	jw_kid(w, "area_id", db_col_int(st, 5));
	jw_kstr(w, "area_code", db_col_text(st, 6));
	jw_kstr(w, "area_name", db_col_text(st, 7));
	jw_kid(w, "unit_id", db_col_int(st, 8));
	jw_kstr(w, "unit_code", db_col_text(st, 9));
	jw_kstr(w, "unit_name", db_col_text(st, 10));
	if (db_col_is_null(st, 11)) {
		jw_knull(w, "lat");
		jw_knull(w, "long");
	} else {
		jw_kreal(w, "lat", db_col_real(st, 11));
		jw_kreal(w, "long", db_col_real(st, 12));
	}
	jw_kstr(w, "address", db_col_text(st, 13));
	jw_key(w, "active");
	jw_bool(w, (int)db_col_int(st, 14));
	jw_kint(w, "updated_at", db_col_int(st, 15));
	jw_end(w);
}

/* The caller's reach as the unit filter: a unit user sees the sites its units answer for or
 * that lie in their areas; an explicit unit_id must be within it. */
static int unit_filter(struct http_req *r, int64_t *unit, struct err *e)
{
	struct db *db;
	struct refdata *d;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0)
		return rc;
	int64_t root = reach_root(&r->who, d);
	const struct param *u = req_param(r, "unit_id");
	*unit = u ? u->ival : root;
	if (root && u && !reach_contains(d, root, u->ival))
		return err_set(e, ERR_NOT_FOUND, "unit %lld is not within your reach",
		               (long long)u->ival);
	return 0;
}

int sites_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t unit;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = unit_filter(r, &unit, e)) < 0)
		return rc;
	const char *type = req_str(r, "type") ? req_str(r, "type") : "";
	const char *q = req_str(r, "q") ? req_str(r, "q") : "";
	const char *active = req_str(r, "active");
	const struct param *area = req_param(r, "area_id"), *limit = req_param(r, "limit"),
	                   *offset = req_param(r, "offset");
	char *like = arena_printf(r->arena, "%%%s%%", q);
	char *sql = arena_printf(
	    r->arena,
	    "%s WHERE (? = '' OR s.type = ?) AND" SITE_REACH_SQL
	    " AND (? = 0 OR s.area_id IN (WITH RECURSIVE sa(id) AS (SELECT id FROM area WHERE id = ?"
	    " UNION SELECT x.id FROM area x JOIN sa ON x.parent_id = sa.id) SELECT id FROM sa))"
	    " AND (? = '' OR s.name LIKE ? OR s.code LIKE ? OR s.address LIKE ?)"
	    " AND (? < 0 OR s.active = ?) ORDER BY s.code LIMIT ? OFFSET ?",
	    SITE_COLS);
	int act = active ? !strcmp(active, "true") : -1;
	int64_t aid = area ? area->ival : 0;
	struct db_val args[] = {
	    db_text(type), db_text(type), db_int(unit), db_int(unit), db_int(unit), db_int(aid),
	    db_int(aid),   db_text(q),    db_text(like), db_text(like), db_text(like), db_int(act),
	    db_int(act),   db_int(limit ? limit->ival : 200), db_int(offset ? offset->ival : 0),
	};
	return api_query_text(r, w, db, sql, args, sizeof args / sizeof args[0], site_write, e);
}

int sites_geojson_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t unit;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = unit_filter(r, &unit, e)) < 0)
		return rc;
	const struct param *area = req_param(r, "area_id");
	struct site_filter f = {.type = req_str(r, "type"),
	                        .unit_root = unit,
	                        .area_root = area ? area->ival : 0};
	struct buf b = BUF_INIT;
	rc = sites_geojson(db, &f, &b, NULL, e);
	if (rc == 0)
		api_body(r, w, &b, "application/geo+json; charset=utf-8");
	buf_free(&b);
	return rc;
}

static int site_by_code(struct http_req *r, struct db *db, const char *code, int64_t unit,
                        struct http_resp *w, struct err *e)
{
	char *sql = arena_printf(
	    r->arena,
	    "%s WHERE s.code = ? AND" SITE_REACH_SQL,
	    SITE_COLS);
	struct db_val args[] = {db_text(code), db_int(unit), db_int(unit), db_int(unit)};
	int rc = api_query_text(r, w, db, sql, args, 4, site_write, e);
	if (rc < 0)
		return rc;
	/* one object, not a list of one */
	if (w->body_len <= 2)
		return err_set(e, ERR_NOT_FOUND, "no site %s", code);
	w->body = (const char *)w->body + 1;
	w->body_len -= 2;
	return 0;
}

int sites_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t unit;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = unit_filter(r, &unit, e)) < 0)
		return rc;
	return site_by_code(r, db, r->path_args[0], unit, w, e);
}

struct site_job {
	struct http_req *r;
	int created;
};

static int site_save_write(struct db *db, void *arg, struct err *e)
{
	struct site_job *j = arg;
	struct http_req *r = j->r;
	const char *code = req_str(r, "code"), *type = req_str(r, "type");
	const struct param *lat = req_param(r, "lat"), *lon = req_param(r, "long"),
	                   *unit = req_param(r, "unit_id"), *area = req_param(r, "area_id");
	if (!!lat != !!lon)
		return err_set(e, ERR_BAD_REQUEST, "lat and long go together");
	int64_t n = 0, area_id = area ? area->ival : 0;
	int rc = db_get_int(db, "SELECT COUNT(*) FROM site_type WHERE code = ?",
	                    DB_ARGS(db_text(type)), &n, e);
	if (rc == 0 && !n)
		return err_set(e, ERR_UNPROCESSABLE, "unknown site type %s", type);
	if (rc == 0 && unit &&
	    (rc = db_get_int(db, "SELECT COUNT(*) FROM unit WHERE id = ?",
	                     DB_ARGS(db_int(unit->ival)), &n, e)) == 0 &&
	    !n)
		return err_set(e, ERR_UNPROCESSABLE, "unknown unit %lld", (long long)unit->ival);
	if (rc == 0 && area &&
	    (rc = db_get_int(db, "SELECT COUNT(*) FROM area WHERE id = ?", DB_ARGS(db_int(area_id)),
	                     &n, e)) == 0 &&
	    !n)
		return err_set(e, ERR_UNPROCESSABLE, "unknown area %lld", (long long)area_id);
	if (rc == 0 && !area && lat) {
		struct refdata *d;
		if ((rc = api_refdata(r, db, &d, e)) == 0)
			area_id = refdata_area_at(d, lat->dval, lon->dval);
	}
	int64_t old = 0;
	if (rc == 0) {
		rc = db_get_int(db, "SELECT COUNT(*) FROM site WHERE code = ?", DB_ARGS(db_text(code)),
		                &old, e);
		j->created = !old;
	}
	const char *active = req_str(r, "active");
	if (rc == 0)
		rc = db_run(
		    db,
		    "INSERT INTO site (code, name, type, area_id, unit_id, lat, lon, address, active,"
		    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		    " ON CONFLICT (code) DO UPDATE SET name = excluded.name, type = excluded.type,"
		    " area_id = excluded.area_id, unit_id = excluded.unit_id, lat = excluded.lat,"
		    " lon = excluded.lon, address = excluded.address, active = excluded.active,"
		    " updated_at = excluded.updated_at",
		    DB_ARGS(db_text(code), db_text(req_str(r, "name")), db_text(type),
		            area_id ? db_int(area_id) : db_null(),
		            unit ? db_int(unit->ival) : db_null(),
		            lat ? db_real(lat->dval) : db_null(), lon ? db_real(lon->dval) : db_null(),
		            db_text(req_str(r, "address") ? req_str(r, "address") : ""),
		            db_int(!active || !strcmp(active, "true")), db_int(r->now)),
		    e);
	if (rc == 0)
		rc = api_audit(db, r, j->created ? "site.create" : "site.update", code,
		               api_json_text(r, json_pack("{s:s, s:s}", "name", req_str(r, "name"),
		                                          "type", type)),
		               e);
	return rc;
}

int sites_save(struct http_req *r, struct http_resp *w, struct err *e)
{
	const char *code = req_str(r, "code");
	size_t n = strspn(code, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
	if (!*code || code[n])
		return err_set(e, ERR_BAD_REQUEST, "code must be letters, digits, - or _");
	struct site_job j = {.r = r};
	struct db *db;
	int rc = api_write(r, site_save_write, &j, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	return site_by_code(r, db, code, 0, w, e);
}
