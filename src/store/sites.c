#include "store/sites.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "lib/jsonw.h"
#include "store/db.h"
#include "store/org_io_internal.h"
#include "store/refcache.h"

enum { C_CODE, C_NAME, C_TYPE, C_AREA, C_UNIT, C_LAT, C_LON, C_ADDRESS, C_N };
static const char *const cols[C_N + 1] = {"code", "name", "type",    "area_code", "unit_code",
                                          "lat",  "lon",  "address", NULL};

struct site_row {
	const char *f[C_N];
	long line;
	int64_t area_id, unit_id;
	int has_point;
	double lat, lon;
};

struct simp {
	struct db *db;
	struct org_io_report *r;
	struct arena a;
	struct site_row *v;
	size_t n, cap;
	struct refcache *rc; /* loaded on the first site that needs its area found */
	struct refdata *d;
};

static int coord(const char *s, double min, double max, double *out)
{
	char *end;
	*out = strtod(s, &end);
	return *s && !*end && isfinite(*out) && *out >= min && *out <= max;
}

static int area_at(struct simp *s, double lat, double lon, int64_t *id, struct err *e)
{
	if (!s->rc) {
		int rc = refcache_new(&s->rc);
		if (!rc)
			rc = refcache_get(s->rc, s->db, &s->d, e);
		if (rc)
			return rc;
	}
	*id = refdata_area_at(s->d, lat, lon);
	return 0;
}

static int check_row(struct simp *s, struct site_row *w, struct err *e)
{
	const char *code = w->f[C_CODE];
	long line = w->line;
	if (!org_code_ok(code)) {
		org_io_add(s->r, line, 0, NULL, "bad code \"%s\"", code);
		return 0;
	}
	const char *p;
	if ((p = org_text_problem(w->f[C_NAME], 0, 200)) || !*w->f[C_NAME])
		org_io_add(s->r, line, 0, code, "name %s", p ? p : "is empty");
	if ((p = org_text_problem(w->f[C_ADDRESS], 0, 500)))
		org_io_add(s->r, line, 0, code, "address %s", p);
	int64_t t;
	int rc = db_find_int(s->db, "SELECT 1 FROM site_type WHERE code = ?", w->f[C_TYPE], &t, e);
	if (rc)
		return rc;
	if (!t)
		org_io_add(s->r, line, 0, code, "unknown site type \"%s\"", w->f[C_TYPE]);
	int has_lat = *w->f[C_LAT] != 0, has_lon = *w->f[C_LON] != 0;
	if (has_lat != has_lon)
		org_io_add(s->r, line, 0, code, "lat and lon go together");
	else if (has_lat) {
		if (!coord(w->f[C_LAT], -90, 90, &w->lat) ||
		    !coord(w->f[C_LON], -180, 180, &w->lon))
			org_io_add(s->r, line, 0, code,
			           "lat/lon are not coordinates (WGS84 degrees)");
		else
			w->has_point = 1;
	}
	if (*w->f[C_UNIT]) {
		if ((rc = db_find_int(s->db, "SELECT id FROM unit WHERE code = ?", w->f[C_UNIT],
		                      &w->unit_id, e)))
			return rc;
		if (!w->unit_id)
			org_io_add(s->r, line, 0, code, "unknown unit \"%s\"", w->f[C_UNIT]);
	}
	if (*w->f[C_AREA]) {
		if ((rc = db_find_int(s->db, "SELECT id FROM area WHERE code = ?", w->f[C_AREA],
		                      &w->area_id, e)))
			return rc;
		if (!w->area_id)
			org_io_add(s->r, line, 0, code, "unknown area \"%s\"", w->f[C_AREA]);
	} else if (w->has_point) {
		rc = area_at(s, w->lat, w->lon, &w->area_id, e);
	}
	return rc;
}

static int read_rows(struct simp *s, const char *path, struct err *e)
{
	struct csv *csv;
	int rc = csv_open_file(path, &csv, e);
	if (rc)
		return rc;
	struct err se;
	int col[C_N];
	if (csv_read_header(csv, &se)) {
		org_io_add(s->r, -1, 0, NULL, "%s", se.msg);
		csv_free(csv);
		return 0;
	}
	for (int i = 0; i < C_N; i++)
		col[i] = csv_col(csv, cols[i]);
	for (size_t i = 0; i < csv_nfields(csv); i++) {
		int known = 0;
		for (int k = 0; k < C_N; k++)
			known |= !strcmp(csv_field(csv, i), cols[k]);
		if (!known)
			org_io_add(
			    s->r, 1, 0, NULL,
			    "unknown column \"%s\" (the columns are code, name, type, area_code,"
			    " unit_code, lat, lon, address)",
			    csv_field(csv, i));
	}
	for (int i = C_CODE; i <= C_TYPE; i++)
		if (col[i] < 0)
			org_io_add(s->r, 1, 0, NULL, "the header has no column \"%s\"", cols[i]);
	int dbrc = 0, bad_header = s->r->nerrors > 0; /* no rows under a bad header */
	while (!bad_header && (rc = csv_next(csv, &se)) == 1) {
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 256;
			struct site_row *p = realloc(s->v, s->cap * sizeof *p);
			if (!p)
				abort(); /* as buf.c */
			s->v = p;
		}
		struct site_row *w = &s->v[s->n];
		*w = (struct site_row){.line = csv_line(csv)};
		for (int i = 0; i < C_N; i++)
			w->f[i] = arena_strdup(
			    &s->a,
			    col[i] < 0 ? "" : org_csv_unguard(csv_field(csv, (size_t)col[i])));
		int dup = 0;
		for (size_t k = 0; k < s->n && !dup; k++)
			dup = !strcmp(s->v[k].f[C_CODE], w->f[C_CODE]);
		s->r->rows++;
		if (dup) {
			org_io_add(s->r, w->line, 0, w->f[C_CODE], "code given twice");
			continue;
		}
		s->n++;
		if ((dbrc = check_row(s, w, e)) < 0)
			break;
	}
	if (!dbrc && rc < 0)
		org_io_add(s->r, -1, 0, NULL, "%s", se.msg);
	csv_free(csv);
	return dbrc;
}

static int write_rows(struct simp *s, int64_t now, struct err *e)
{
	int rc = 0;
	for (size_t i = 0; i < s->n && rc == 0; i++) {
		struct site_row *w = &s->v[i];
		int64_t old = 0;
		if ((rc = db_find_int(s->db, "SELECT id FROM site WHERE code = ?", w->f[C_CODE],
		                      &old, e)))
			break;
		rc = db_run(
		    s->db,
		    "INSERT INTO site (code, name, type, area_id, unit_id, lat, lon, address, "
		    "active,"
		    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)"
		    " ON CONFLICT (code) DO UPDATE SET name = excluded.name, type = excluded.type,"
		    " area_id = excluded.area_id, unit_id = excluded.unit_id, lat = excluded.lat,"
		    " lon = excluded.lon, address = excluded.address, active = 1,"
		    " updated_at = excluded.updated_at",
		    DB_ARGS(db_text(w->f[C_CODE]), db_text(w->f[C_NAME]), db_text(w->f[C_TYPE]),
		            w->area_id ? db_int(w->area_id) : db_null(),
		            w->unit_id ? db_int(w->unit_id) : db_null(),
		            w->has_point ? db_real(w->lat) : db_null(),
		            w->has_point ? db_real(w->lon) : db_null(), db_text(w->f[C_ADDRESS]),
		            db_int(now)),
		    e);
		if (old)
			s->r->updated++;
		else
			s->r->inserted++;
	}
	return rc;
}

int sites_import(struct db *db, const char *path, const struct sites_import_opts *o,
                 struct org_io_report *r, struct err *e)
{
	memset(r, 0, sizeof *r);
	struct org_io_opts io = {.dry_run = o->dry_run, .in_transaction = o->in_transaction};
	int rc = org_io_begin(db, &io, e);
	if (rc)
		return rc;
	struct simp s = {.db = db, .r = r};
	arena_init(&s.a);
	rc = read_rows(&s, path, e);
	if (rc == 0)
		rc = org_io_failed(r, path, ERR_BAD_REQUEST, e);
	if (rc == 0)
		rc = write_rows(&s, o->now, e);
	rc = org_io_end(db, &io, rc, e);
	if (s.d)
		refdata_release(s.d);
	refcache_free(s.rc);
	free(s.v);
	arena_free(&s.a);
	return rc;
}

/* The filter as SQL over s (site) and a (its area): ?1 ?2 type, ?3 ?4 ?5 unit root, ?6 ?7 area
 * root, ?8 active only. */
static const char SITE_FILTER[] =
    " WHERE (? = '' OR s.type = ?) AND" SITE_REACH_SQL
    " AND (? = 0 OR s.area_id IN (WITH RECURSIVE sa(id) AS (SELECT id FROM area WHERE id = ?"
    " UNION SELECT x.id FROM area x JOIN sa ON x.parent_id = sa.id) SELECT id FROM sa))"
    " AND (? = 0 OR s.active = 1)";

int sites_geojson(struct db *db, const struct site_filter *f, struct buf *out, long *rows,
                  struct err *e)
{
	struct buf sql = BUF_INIT;
	buf_printf(&sql,
	           "SELECT s.code, s.name, s.type, t.name, COALESCE(a.code, ''),"
	           " COALESCE(a.name, ''), COALESCE(u.code, ''), COALESCE(u.name, ''), s.address,"
	           " s.active, s.lat, s.lon FROM site s JOIN site_type t ON t.code = s.type"
	           " LEFT JOIN area a ON a.id = s.area_id LEFT JOIN unit u ON u.id = s.unit_id"
	           "%s AND s.lat IS NOT NULL ORDER BY s.code",
	           SITE_FILTER);
	const char *type = f && f->type ? f->type : "";
	int64_t unit = f ? f->unit_root : 0, area = f ? f->area_root : 0;
	struct db_stmt *st;
	int rc =
	    db_query(db, sql.data,
	             DB_ARGS(db_text(type), db_text(type), db_int(unit), db_int(unit), db_int(unit),
	                     db_int(area), db_int(area), db_int(f ? f->active_only : 0)),
	             &st, e);
	buf_free(&sql);
	if (rc)
		return rc;
	struct jsonw w;
	jw_init(&w, out);
	jw_object(&w);
	jw_kstr(&w, "type", "FeatureCollection");
	jw_key(&w, "features");
	jw_array(&w);
	long n = 0;
	static const char *const props[] = {"code",      "name",      "type",
	                                    "type_name", "area_code", "area_name",
	                                    "unit_code", "unit_name", "address"};
	while ((rc = db_step(st, e)) == DB_ROW) {
		jw_object(&w);
		jw_kstr(&w, "type", "Feature");
		jw_key(&w, "geometry");
		jw_object(&w);
		jw_kstr(&w, "type", "Point");
		jw_key(&w, "coordinates");
		jw_array(&w);
		jw_real(&w, db_col_real(st, 11));
		jw_real(&w, db_col_real(st, 10));
		jw_end(&w);
		jw_end(&w);
		jw_key(&w, "properties");
		jw_object(&w);
		for (int i = 0; i < 9; i++)
			jw_kstr(&w, props[i], db_col_text(st, i));
		jw_key(&w, "active");
		jw_bool(&w, (int)db_col_int(st, 9));
		jw_end(&w);
		jw_end(&w);
		n++;
	}
	db_done(st);
	jw_end(&w);
	jw_end(&w);
	if (rc < 0)
		return rc;
	if (rows)
		*rows = n;
	return 0;
}

int sites_export_csv(struct db *db, FILE *out, long *rows, struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT s.code, s.name, s.type, COALESCE(a.code, ''),"
	             " COALESCE(u.code, ''), s.lat, s.lon, s.address FROM site s"
	             " LEFT JOIN area a ON a.id = s.area_id LEFT JOIN unit u ON u.id = s.unit_id"
	             " ORDER BY s.code",
	             NULL, 0, &st, e);
	if (rc)
		return rc;
	struct buf b = BUF_INIT;
	buf_adds(&b, "code,name,type,area_code,unit_code,lat,lon,address\n");
	long n = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		for (int i = 0; i < 8; i++) {
			if (i)
				buf_addc(&b, ',');
			if ((i == 5 || i == 6) && !db_col_is_null(st, i))
				buf_printf(&b, "%.6f", db_col_real(st, i));
			else if (i != 5 && i != 6)
				org_csv_cell(&b, db_col_text(st, i));
		}
		buf_addc(&b, '\n');
		n++;
	}
	db_done(st);
	if (rc == 0 && fwrite(b.data, 1, b.len, out) != b.len)
		rc = err_set(e, ERR_INTERNAL, "write error");
	buf_free(&b);
	if (rc == 0 && rows)
		*rows = n;
	return rc < 0 ? rc : 0;
}
