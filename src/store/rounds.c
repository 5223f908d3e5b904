#include "store/rounds.h"

#include <stdlib.h>
#include <string.h>

#include "core/roles.h"
#include "core/sampling.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "store/area_tree.h"
#include "store/db.h"

static int check_plan(const struct round_new *n, struct err *e)
{
	if (strcmp(n->kind, "supervision") != 0 && strcmp(n->kind, "simulation") != 0)
		return err_set(e, ERR_BAD_REQUEST,
		               "kind is supervision (督查) or simulation (模拟测评)");
	if (n->ends_at <= n->starts_at)
		return err_set(e, ERR_BAD_REQUEST, "the round must end after it starts");
	if (!strcmp(n->sample_mode, "per_stratum") ? n->sample_n < 1
	    : !strcmp(n->sample_mode, "share")     ? !(n->sample_share > 0 && n->sample_share <= 1)
	                                           : strcmp(n->sample_mode, "all") != 0)
		return err_set(e, ERR_BAD_REQUEST,
		               "sample is all, per_stratum (with sample_n >= 1) or share (with"
		               " 0 < sample_share <= 1)");
	if (n->seed < 0 || n->seed > (INT64_C(1) << 53))
		return err_set(e, ERR_BAD_REQUEST, "seed is a whole number from 0 to 2^53");
	return 0;
}

/* The active sites in scope, as sampling input (types in the arena). */
static int sites_in_scope(struct db *db, const struct round_new *n, const struct area_tree *a,
                          const int64_t *roots, struct arena *ar, struct sample_site **out,
                          size_t *count, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, "SELECT id, type, COALESCE(area_id, 0) FROM site WHERE active = 1",
	                  NULL, 0, &st, e);
	if (rc)
		return rc;
	size_t cap = 0, m = 0;
	struct sample_site *v = NULL;
	while ((rc = db_step(st, e)) == DB_ROW) {
		const char *type = db_col_text(st, 1);
		int64_t area = db_col_int(st, 2);
		int type_ok = n->ntypes == 0;
		for (size_t i = 0; i < n->ntypes && !type_ok; i++)
			type_ok = !strcmp(type, n->site_types[i]);
		if (!type_ok || (n->nareas && !area_tree_within(a, area, roots, n->nareas)))
			continue;
		if (m == cap) {
			cap = cap ? 2 * cap : 128;
			struct sample_site *p = realloc(v, cap * sizeof *p);
			if (!p)
				abort();
			v = p;
		}
		v[m++] = (struct sample_site){db_col_int(st, 0), arena_strdup(ar, type),
		                              area_tree_district(a, area)};
	}
	db_done(st);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*out = v;
	*count = m;
	return 0;
}

static int check_refs(struct db *db, const struct round_new *n, int64_t *roots, struct err *e)
{
	int rc = 0;
	for (size_t i = 0; i < n->nareas && !rc; i++) {
		rc = db_find_int(db, "SELECT id FROM area WHERE code = ?", n->area_codes[i],
		                 &roots[i], e);
		if (!rc && !roots[i])
			rc = err_set(e, ERR_UNPROCESSABLE, "unknown area %s", n->area_codes[i]);
	}
	for (size_t i = 0; i < n->ntypes && !rc; i++) {
		int64_t one;
		rc = db_find_int(db, "SELECT 1 FROM site_type WHERE code = ?", n->site_types[i],
		                 &one, e);
		if (!rc && !one)
			rc =
			    err_set(e, ERR_UNPROCESSABLE, "unknown site type %s", n->site_types[i]);
	}
	for (size_t i = 0; i < n->ninspectors && !rc; i++) {
		int64_t roles = 0;
		rc = db_get_int(db, "SELECT roles FROM users WHERE id = ? AND active = 1",
		                DB_ARGS(db_int(n->inspectors[i])), &roles, e);
		if (rc == ERR_NOT_FOUND || (rc == 0 && !(roles & ROLE_INSPECTOR)))
			rc = err_set(e, ERR_UNPROCESSABLE, "user %lld is not an active inspector",
			             (long long)n->inspectors[i]);
	}
	return rc;
}

static char *joined(const char *const *v, size_t n, struct arena *a)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", v[i]);
	char *s = arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	return s;
}

int round_create(struct db *db, const struct round_new *n, int64_t *id, size_t *nsites,
                 struct err *e)
{
	int rc = check_plan(n, e);
	if (rc)
		return rc;
	int64_t version = 0;
	rc = db_get_int(db, "SELECT id FROM standard_version WHERE active = 1", NULL, 0, &version,
	                e);
	if (rc == ERR_NOT_FOUND)
		return err_set(
		    e, ERR_UNPROCESSABLE,
		    "no standard version is active (wenming import standards --activate)");
	if (rc)
		return rc;
	struct arena ar;
	arena_init(&ar);
	int64_t *roots = arena_alloc(&ar, (n->nareas + 1) * sizeof *roots);
	struct area_tree a = {0};
	struct sample_site *sites = NULL;
	size_t count = 0, m = 0;
	if (!(rc = check_refs(db, n, roots, e)) && !(rc = area_tree_load(db, &a, e)))
		rc = sites_in_scope(db, n, &a, roots, &ar, &sites, &count, e);
	if (!rc && count == 0)
		rc = err_set(e, ERR_UNPROCESSABLE, "no active site lies in the round's scope");
	int64_t *drawn = count ? arena_alloc(&ar, count * sizeof *drawn) : NULL;
	if (!rc) {
		struct sample_plan p = {
		    .all = !strcmp(n->sample_mode, "all"),
		    .per_stratum = !strcmp(n->sample_mode, "per_stratum") ? n->sample_n : 0,
		    .share = n->sample_share,
		    .seed = (uint64_t)n->seed};
		m = sample_draw(sites, count, &p, drawn);
		rc = db_get_int(
		    db,
		    "INSERT INTO inspection_round (name, kind, version_id, starts_at, ends_at,"
		    " scope_areas, scope_types, sample_mode, sample_n, sample_share, seed, "
		    "created_by,"
		    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		    DB_ARGS(db_text(n->name), db_text(n->kind), db_int(version),
		            db_int(n->starts_at), db_int(n->ends_at),
		            db_text(joined(n->area_codes, n->nareas, &ar)),
		            db_text(joined(n->site_types, n->ntypes, &ar)), db_text(n->sample_mode),
		            db_int(n->sample_n), db_real(n->sample_share), db_int(n->seed),
		            n->created_by ? db_int(n->created_by) : db_null(), db_int(n->now)),
		    id, e);
	}
	for (size_t i = 0; i < m && !rc; i++)
		rc = db_run(db, "INSERT INTO round_site (round_id, site_id) VALUES (?, ?)",
		            DB_ARGS(db_int(*id), db_int(drawn[i])), e);
	for (size_t i = 0; i < n->ninspectors && !rc; i++)
		rc = db_run(db,
		            "INSERT INTO round_inspector (round_id, user_id) VALUES (?, ?)"
		            " ON CONFLICT DO NOTHING",
		            DB_ARGS(db_int(*id), db_int(n->inspectors[i])), e);
	if (!rc && nsites)
		*nsites = m;
	free(sites);
	area_tree_free(&a);
	arena_free(&ar);
	return rc;
}

int round_close(struct db *db, int64_t id, struct err *e)
{
	int64_t got = 0;
	int rc = db_get_int(db,
	                    "UPDATE inspection_round SET status = 'closed' WHERE id = ? AND"
	                    " status = 'open' RETURNING id",
	                    DB_ARGS(db_int(id)), &got, e);
	if (rc != ERR_NOT_FOUND)
		return rc;
	int64_t n = 0;
	rc = db_get_int(db, "SELECT COUNT(*) FROM inspection_round WHERE id = ?",
	                DB_ARGS(db_int(id)), &n, e);
	if (rc)
		return rc;
	return n ? err_set(e, ERR_CONFLICT, "round %lld is closed already", (long long)id)
	         : err_set(e, ERR_NOT_FOUND, "no round %lld", (long long)id);
}

int rounds_json(struct db *db, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT r.id, r.name, r.kind, v.code, r.starts_at, r.ends_at, r.status,"
	             " (SELECT COUNT(*) FROM round_site s WHERE s.round_id = r.id),"
	             " (SELECT COUNT(DISTINCT i.site_id) FROM inspection i WHERE i.round_id = r.id)"
	             " FROM inspection_round r JOIN standard_version v ON v.id = r.version_id"
	             " ORDER BY r.id DESC",
	             NULL, 0, &st, e);
	if (rc)
		return rc;
	json_t *arr = json_array();
	while ((rc = db_step(st, e)) == DB_ROW)
		json_array_append_new(
		    arr, json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:I}", "id",
		                   (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1),
		                   "kind", db_col_text(st, 2), "version", db_col_text(st, 3),
		                   "starts_at", (json_int_t)db_col_int(st, 4), "ends_at",
		                   (json_int_t)db_col_int(st, 5), "status", db_col_text(st, 6),
		                   "sites", (json_int_t)db_col_int(st, 7), "inspected",
		                   (json_int_t)db_col_int(st, 8)));
	db_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

/* A comma list as a JSON array of strings. */
static json_t *split(const char *s)
{
	json_t *a = json_array();
	while (s && *s) {
		size_t n = strcspn(s, ",");
		json_array_append_new(a, json_stringn(s, n));
		s += n + (s[n] == ',');
	}
	return a;
}

int round_json(struct db *db, int64_t id, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT r.id, r.name, r.kind, v.code, r.starts_at, r.ends_at, r.status,"
	             " r.scope_areas, r.scope_types, r.sample_mode, r.sample_n, r.sample_share,"
	             " r.seed FROM inspection_round r"
	             " JOIN standard_version v ON v.id = r.version_id WHERE r.id = ?",
	             DB_ARGS(db_int(id)), &st, e);
	if (rc)
		return rc;
	json_t *o = NULL;
	if ((rc = db_step(st, e)) == DB_ROW) {
		o = json_pack(
		    "{s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:o, s:o, s:{s:s, s:I, s:f, s:I}}", "id",
		    (json_int_t)db_col_int(st, 0), "name", db_col_text(st, 1), "kind",
		    db_col_text(st, 2), "version", db_col_text(st, 3), "starts_at",
		    (json_int_t)db_col_int(st, 4), "ends_at", (json_int_t)db_col_int(st, 5),
		    "status", db_col_text(st, 6), "areas", split(db_col_text(st, 7)), "site_types",
		    split(db_col_text(st, 8)), "sample", "mode", db_col_text(st, 9), "n",
		    (json_int_t)db_col_int(st, 10), "share", db_col_real(st, 11), "seed",
		    (json_int_t)db_col_int(st, 12));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no round %lld", (long long)id);
	}
	db_done(st);
	if (rc)
		return rc;
	json_t *insp = json_array(), *sites = json_array();
	json_object_set_new(o, "inspectors", insp);
	json_object_set_new(o, "sites", sites);
	rc = db_query(db,
	              "SELECT u.id, u.login, u.name FROM round_inspector ri"
	              " JOIN users u ON u.id = ri.user_id WHERE ri.round_id = ? ORDER BY u.login",
	              DB_ARGS(db_int(id)), &st, e);
	if (!rc) {
		while ((rc = db_step(st, e)) == DB_ROW)
			json_array_append_new(insp, json_pack("{s:I, s:s, s:s}", "id",
			                                      (json_int_t)db_col_int(st, 0),
			                                      "login", db_col_text(st, 1), "name",
			                                      db_col_text(st, 2)));
		db_done(st);
	}
	if (rc >= 0)
		rc = db_query(
		    db,
		    "SELECT s.code, s.name, s.type, COALESCE(u.code, ''), COALESCE(s.lat, 0),"
		    " COALESCE(s.lon, 0), s.lat IS NOT NULL,"
		    " (SELECT COUNT(*) FROM inspection i WHERE i.round_id = rs.round_id"
		    " AND i.site_id = s.id), l.inspected_at, l.passed, l.failed, l.na"
		    " FROM round_site rs JOIN site s ON s.id = rs.site_id"
		    " LEFT JOIN unit u ON u.id = s.unit_id"
		    " LEFT JOIN inspection l ON l.id = (SELECT MAX(i.id) FROM inspection i"
		    " WHERE i.round_id = rs.round_id AND i.site_id = s.id)"
		    " WHERE rs.round_id = ? ORDER BY s.code",
		    DB_ARGS(db_int(id)), &st, e);
	if (rc >= 0) {
		while ((rc = db_step(st, e)) == DB_ROW) {
			json_t *last = db_col_is_null(st, 8)
			                   ? json_null()
			                   : json_pack("{s:I, s:I, s:I, s:I}", "at",
			                               (json_int_t)db_col_int(st, 8), "passed",
			                               (json_int_t)db_col_int(st, 9), "failed",
			                               (json_int_t)db_col_int(st, 10), "na",
			                               (json_int_t)db_col_int(st, 11));
			json_t *s =
			    json_pack("{s:s, s:s, s:s, s:s, s:I, s:o}", "code", db_col_text(st, 0),
			              "name", db_col_text(st, 1), "type", db_col_text(st, 2),
			              "unit_code", db_col_text(st, 3), "inspections",
			              (json_int_t)db_col_int(st, 7), "last", last);
			if (db_col_int(st, 6)) {
				json_object_set_new(s, "lat", json_real(db_col_real(st, 4)));
				json_object_set_new(s, "long", json_real(db_col_real(st, 5)));
			}
			json_array_append_new(sites, s);
		}
		db_done(st);
	}
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}
