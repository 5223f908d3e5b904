/* Counts and coverage of grassroots creation by district (docs/creation.md, "Coverage"): per
 * district × title, the active units of the title's kinds in the district (eligible) and how
 * many of them are declared, under review, named or revoked; coverage = named / eligible.
 * One query counts, grouped by (district, title); the rows are laid out here in district and
 * title order, with 市直 (units under no district) after the districts and a city total per
 * title. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/arena.h"
#include "store/creations.h"
#include "store/creations_internal.h"
#include "store/db.h"
#include "store/sites.h"

enum { C_ELIGIBLE, C_DECLARED, C_REVIEWING, C_NAMED, C_REVOKED, C_N };
static const char *const COUNT_NAMES[C_N] = {"eligible", "declared", "reviewing", "named",
                                             "revoked"};

struct cell {
	int64_t district; /* unit id; 0: 市直 */
	char title[48];
	int64_t n[C_N];
};

struct named {
	int64_t id;
	char code[64], name[208];
};

struct cov {
	struct arena a;
	struct cell *cells;
	size_t ncells;
	struct named *districts, *titles;
	size_t ndistricts, ntitles;
};

static int load_named(struct db *db, struct arena *a, const char *sql, const char *key,
                      struct named **out, size_t *n, struct err *e)
{
	struct db_stmt *st;
	int rc = key ? db_query(db, sql, DB_ARGS(db_text(key), db_text(key)), &st, e)
	             : db_query(db, sql, NULL, 0, &st, e);
	if (rc)
		return rc;
	size_t cap = 16, m = 0;
	struct named *v = arena_alloc(a, cap * sizeof *v);
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (m == cap) {
			struct named *p = arena_alloc(a, 2 * cap * sizeof *p);
			memcpy(p, v, m * sizeof *p);
			v = p;
			cap *= 2;
		}
		struct named *x = &v[m++];
		x->id = db_col_int(st, 0);
		snprintf(x->code, sizeof x->code, "%s", db_col_text(st, 1));
		snprintf(x->name, sizeof x->name, "%s", db_col_text(st, 2));
	}
	db_done(st);
	*out = v;
	*n = m;
	return rc < 0 ? rc : 0;
}

static int load_cells(struct db *db, struct cov *c, const char *title, int64_t root, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(
	    db,
	    "WITH " CREATION_DISTRICT_CTE " SELECT COALESCE(ud.district_id, 0), k.title, COUNT(*),"
	    " SUM(CASE WHEN c.status = 'declared' THEN 1 ELSE 0 END),"
	    " SUM(CASE WHEN c.status = 'reviewing' THEN 1 ELSE 0 END),"
	    " SUM(CASE WHEN c.status = 'named' THEN 1 ELSE 0 END),"
	    " SUM(CASE WHEN c.status = 'revoked' THEN 1 ELSE 0 END)"
	    " FROM unit u JOIN creation_title_kind k ON k.unit_kind = u.kind"
	    " LEFT JOIN ud ON ud.unit_id = u.id"
	    " LEFT JOIN creation c ON c.unit_id = u.id AND c.title = k.title"
	    " WHERE u.active = 1 AND (? = '' OR k.title = ?) AND (? = 0 OR u.id IN" SITE_IN_UNIT_SQL
	    ") GROUP BY COALESCE(ud.district_id, 0), k.title",
	    DB_ARGS(db_text(title), db_text(title), db_int(root), db_int(root)), &st, e);
	if (rc)
		return rc;
	size_t cap = 64;
	c->cells = arena_alloc(&c->a, cap * sizeof *c->cells);
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (c->ncells == cap) {
			struct cell *p = arena_alloc(&c->a, 2 * cap * sizeof *p);
			memcpy(p, c->cells, c->ncells * sizeof *p);
			c->cells = p;
			cap *= 2;
		}
		struct cell *x = &c->cells[c->ncells++];
		x->district = db_col_int(st, 0);
		snprintf(x->title, sizeof x->title, "%s", db_col_text(st, 1));
		for (int i = 0; i < C_N; i++)
			x->n[i] = db_col_int(st, 2 + i);
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

static const struct cell *cell_find(const struct cov *c, int64_t district, const char *title)
{
	for (size_t i = 0; i < c->ncells; i++)
		if (c->cells[i].district == district && !strcmp(c->cells[i].title, title))
			return &c->cells[i];
	return NULL;
}

static json_t *row_json(const char *scope, const struct named *d, const struct named *t,
                        const int64_t n[C_N])
{
	json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s}", "scope", scope, "district_id",
	                      d && d->id ? json_integer(d->id) : json_null(), "district_code",
	                      d ? d->code : "", "district_name",
	                      d ? d->name : (!strcmp(scope, "total") ? "全市" : "市直"), "title",
	                      t->code, "title_name", t->name);
	for (int i = 0; i < C_N; i++)
		json_object_set_new(o, COUNT_NAMES[i], json_integer(n[i]));
	json_object_set_new(o, "coverage",
	                    n[C_ELIGIBLE] ? json_real((double)n[C_NAMED] / (double)n[C_ELIGIBLE])
	                                  : json_null());
	return o;
}

int creation_coverage_json(struct db *db, const char *title, int64_t reach_root, json_t **out,
                           struct err *e)
{
	struct cov c = {0};
	arena_init(&c.a);
	const char *t = title ? title : "";
	int rc =
	    load_named(db, &c.a,
	               "SELECT id, code, name FROM unit WHERE kind IN (" CREATION_DISTRICT_KINDS
	               ") ORDER BY sort, code",
	               NULL, &c.districts, &c.ndistricts, e);
	if (rc == 0)
		rc =
		    load_named(db, &c.a,
		               "SELECT 0, code, name FROM creation_title WHERE (? = '' OR code = ?)"
		               " ORDER BY sort, code",
		               t, &c.titles, &c.ntitles, e);
	if (rc == 0 && title && !c.ntitles)
		rc = err_set(e, ERR_NOT_FOUND, "no title %s", title);
	if (rc == 0)
		rc = load_cells(db, &c, t, reach_root, e);
	if (rc) {
		arena_free(&c.a);
		return rc;
	}
	json_t *rows = json_array(), *total = json_array();
	for (size_t di = 0; di <= c.ndistricts; di++) {
		const struct named *d = di < c.ndistricts ? &c.districts[di] : NULL;
		for (size_t ti = 0; ti < c.ntitles; ti++) {
			const struct cell *x = cell_find(&c, d ? d->id : 0, c.titles[ti].code);
			if (x) /* a cell exists only where some unit is eligible */
				json_array_append_new(rows, row_json(d ? "district" : "city_level",
				                                     d, &c.titles[ti], x->n));
		}
	}
	for (size_t ti = 0; ti < c.ntitles; ti++) {
		int64_t sum[C_N] = {0};
		for (size_t i = 0; i < c.ncells; i++)
			if (!strcmp(c.cells[i].title, c.titles[ti].code))
				for (int k = 0; k < C_N; k++)
					sum[k] += c.cells[i].n[k];
		json_array_append_new(total, row_json("total", NULL, &c.titles[ti], sum));
	}
	arena_free(&c.a);
	*out = json_pack("{s:o, s:o}", "rows", rows, "total", total);
	return 0;
}
