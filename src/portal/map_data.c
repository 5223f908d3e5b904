/* The public map's data: GET /api/v1/public/map (recent cases as masked points, with the
 * counts per district the page also shows) and GET /api/v1/public/areas (the districts' and
 * streets' outlines). Public and cached for the routes' cache_ms; not rate-limited, like the
 * other lists (问题公开, the Open311 search): they find no one, and the cache answers most. */
#include "portal/map.h"

#include <string.h>

#include "api/api_common.h"
#include "core/mask.h"
#include "lib/arena.h"
#include "lib/jsonw.h"
#include "portal/portal.h"
#include "store/area_store.h"
#include "store/db.h"

static const char *const STATES[] = {"all", "open", "solved", NULL};

const struct param_spec map_filter_params[] = {
    {.name = "days",
     .type = PT_INT,
     .min = 1,
     .max = MAP_DAYS_MAX,
     .description = "cases reported in the last this many days, today included (default 30)"},
    {.name = "district",
     .type = PT_STRING,
     .max_len = 32,
     .description = "an area's code: that district (or street) and everything in it"},
    {.name = "service_code", .type = PT_STRING, .max_len = 16, .description = "a category"},
    {.name = "state",
     .type = PT_ENUM,
     .values = STATES,
     .description = "all (default), open (being dealt with) or solved"},
    {.name = NULL},
};

/* The filter as SQL over `cases c JOIN category cat`: MAP_WHERE's eight parameters are
 * MAP_ARGS(f). Rejected cases (不予立案, duplicates) are no problem of the city's. */
#define MAP_WHERE                                                                                  \
	" WHERE c.requested_at >= ? AND c.status <> 'rejected'"                                    \
	" AND (? = '' OR c.area_id IN (" AREA_SUBTREE_OF_CODE "))"                                 \
	" AND (? = '' OR cat.service_code = ?)"                                                    \
	" AND (? = 'all' OR (? = 'solved' AND c.status = 'closed')"                                \
	" OR (? = 'open' AND c.status <> 'closed'))"
#define MAP_ARGS(f)                                                                                \
	db_int((f)->since), db_text((f)->district), db_text((f)->district),                        \
	    db_text((f)->service_code), db_text((f)->service_code), db_text((f)->state),           \
	    db_text((f)->state), db_text((f)->state)

enum { BEIJING = 8 * 3600, DAY = 86400 };

static const char *str_or(const struct http_req *r, const char *name, const char *dflt)
{
	const char *s = req_str(r, name);
	return s && *s ? s : dflt;
}

static int filter_read(struct http_req *r, struct db *db, struct map_filter *f, struct err *e)
{
	const struct param *days = req_param(r, "days");
	*f = (struct map_filter){.days = days ? (int)days->ival : MAP_DAYS_DEFAULT,
	                         .district = str_or(r, "district", ""),
	                         .service_code = str_or(r, "service_code", ""),
	                         .state = str_or(r, "state", "all")};
	int64_t today = (r->now + BEIJING) / DAY * DAY - BEIJING;
	f->since = today - (int64_t)(f->days - 1) * DAY;
	int64_t id = 0;
	int rc = 0;
	if (*f->district &&
	    (rc = db_find_int(db, "SELECT id FROM area WHERE code = ?", f->district, &id, e)) ==
	        0 &&
	    !id)
		return err_set(e, ERR_NOT_FOUND, "没有这个区域：%s", f->district);
	if (rc == 0 && *f->service_code &&
	    (rc = db_find_int(db, "SELECT id FROM category WHERE service_code = ?", f->service_code,
	                      &id, e)) == 0 &&
	    !id)
		return err_set(e, ERR_NOT_FOUND, "没有这个问题类别：%s", f->service_code);
	return rc;
}

static int counts_read(struct http_req *r, struct db *db, const struct map_filter *f,
                       struct map_counts *out, struct err *e)
{
	*out = (struct map_counts){0};
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT count(*), count(c.lat),"
	                  " COALESCE(sum(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END), 0)"
	                  " FROM cases c JOIN category cat ON cat.id = c.category_id" MAP_WHERE,
	                  DB_ARGS(MAP_ARGS(f)), &st, e);
	if (rc < 0)
		return rc;
	if ((rc = db_step(st, e)) == DB_ROW) {
		out->total = db_col_int(st, 0);
		out->located = db_col_int(st, 1);
		out->solved = db_col_int(st, 2);
	}
	db_done(st);
	if (rc < 0)
		return rc;
	/* Every district, with none reported too; its cases through their grid or street. */
	rc = db_query(db,
	              "SELECT a.code, a.name, count(k.status),"
	              " COALESCE(sum(CASE WHEN k.status = 'closed' THEN 1 ELSE 0 END), 0)"
	              " FROM area a LEFT JOIN (SELECT d.id AS district_id, c.status FROM cases c"
	              " JOIN category cat ON cat.id = c.category_id" CASE_PLACE_JOINS MAP_WHERE
	              ") k ON k.district_id = a.id WHERE a.kind = 'district'"
	              " AND (? = '' OR a.code = ?) GROUP BY a.code, a.name ORDER BY a.code",
	              DB_ARGS(MAP_ARGS(f), db_text(f->district), db_text(f->district)), &st, e);
	if (rc < 0)
		return rc;
	int cap = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (out->ndistricts == cap) {
			cap = cap ? 2 * cap : 32;
			struct map_district *grown = arena_alloc(r->arena, cap * sizeof *grown);
			if (out->ndistricts)
				memcpy(grown, out->districts, out->ndistricts * sizeof *grown);
			out->districts = grown;
		}
		out->districts[out->ndistricts++] =
		    (struct map_district){.code = arena_strdup(r->arena, db_col_text(st, 0)),
		                          .name = arena_strdup(r->arena, db_col_text(st, 1)),
		                          .reported = db_col_int(st, 2),
		                          .solved = db_col_int(st, 3)};
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

int map_load(struct http_req *r, struct db **db, struct map_filter *f, struct map_counts *n,
             struct err *e)
{
	int rc = api_db(r, db, e);
	if (rc == 0 && (rc = filter_read(r, *db, f, e)) == 0)
		rc = counts_read(r, *db, f, n, e);
	return rc;
}

static void point_row(struct jsonw *jw, struct db_stmt *st)
{
	double lat, lon;
	char when[20];
	mask_point(db_col_real(st, 0), db_col_real(st, 1), &lat, &lon);
	portal_time(when, db_col_int(st, 6));
	when[10] = '\0';
	jw_object(jw);
	jw_kreal(jw, "lat", lat);
	jw_kreal(jw, "long", lon);
	jw_kstr(jw, "service_name", db_col_text(st, 2));
	jw_kstr(jw, "state", strcmp(db_col_text(st, 3), "closed") == 0 ? "solved" : "open");
	jw_kstr(jw, "district", db_col_text(st, 4));
	jw_kstr(jw, "street", db_col_text(st, 5));
	jw_kstr(jw, "date", when);
	jw_end(jw);
}

int public_map_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct map_filter f;
	struct map_counts n;
	int rc = map_load(r, &db, &f, &n, e);
	if (rc < 0)
		return rc;
	struct db_stmt *st;
	rc = db_query(db,
	              "SELECT c.lat, c.lon, cat.name, c.status, " CASE_PLACE_COLS
	              ", c.requested_at FROM cases c JOIN category cat ON cat.id = "
	              "c.category_id" CASE_PLACE_JOINS MAP_WHERE
	              " AND c.lat IS NOT NULL AND c.lon IS NOT NULL"
	              " ORDER BY c.requested_at DESC, c.id DESC LIMIT ?",
	              DB_ARGS(MAP_ARGS(&f), db_int(MAP_POINTS_MAX)), &st, e);
	if (rc < 0)
		return rc;
	struct buf b = BUF_INIT;
	struct jsonw jw;
	char since[20];
	portal_time(since, f.since);
	since[10] = '\0';
	jw_init(&jw, &b);
	jw_object(&jw);
	jw_kint(&jw, "days", f.days);
	jw_kstr(&jw, "since", since);
	jw_kint(&jw, "total", n.total);
	jw_kint(&jw, "located", n.located);
	jw_kint(&jw, "solved", n.solved);
	jw_key(&jw, "districts");
	jw_array(&jw);
	for (int i = 0; i < n.ndistricts; i++) {
		jw_object(&jw);
		jw_kstr(&jw, "code", n.districts[i].code);
		jw_kstr(&jw, "name", n.districts[i].name);
		jw_kint(&jw, "reported", n.districts[i].reported);
		jw_kint(&jw, "solved", n.districts[i].solved);
		jw_end(&jw);
	}
	jw_end(&jw);
	jw_key(&jw, "points");
	jw_array(&jw);
	while ((rc = db_step(st, e)) == DB_ROW)
		point_row(&jw, st);
	db_done(st);
	if (rc < 0) {
		buf_free(&b);
		return rc;
	}
	jw_end(&jw);
	jw_end(&jw);
	api_body(r, w, &b, "application/json; charset=utf-8");
	buf_free(&b);
	return 0;
}

int public_areas_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	return rc < 0 ? rc : area_feature_collection(db, AREAS_PUBLIC, &w->json, e);
}
