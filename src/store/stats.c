/* The SQL that counts for the figures. Each query groups by one key expression (a constant
 * from GROUP_KEYS, never user text) and every bound is a bound integer. The queries are
 * driven by the period: cases by requested_at (cases_recent), events by at, per case lookups
 * through case_event(case_id, id). docs/figures.md names the counts; the rates are computed
 * in core/figures.c. */
#include "store/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "store/db.h"

/* The reach, as in the staff case list: ?1 = root unit (0: all); SCOPE_WHERE binds it again. */
static const char SCOPE_CTE[] = "WITH RECURSIVE sub(id) AS (SELECT id FROM unit WHERE id = ?"
                                " UNION SELECT u.id FROM unit u JOIN sub ON u.parent_id = sub.id) ";
static const char SCOPE_WHERE[] =
    " AND (? = 0 OR c.unit_id IN (SELECT id FROM sub) OR a.unit_id IN (SELECT id FROM sub)"
    " OR (c.unit_id IS NULL AND cat.default_unit_id IN (SELECT id FROM sub)))";
static const char CASE_JOINS[] =
    " JOIN category cat ON cat.id = c.category_id LEFT JOIN area a ON a.id = c.area_id";

/* The key columns per group: an integer and a text. A case not yet dispatched belongs to the
 * unit of the area it lies in (the district rolls it up), so 立案 counts somewhere. */
static const char *const GROUP_KEYS[] = {
    [STATS_UNIT] = "COALESCE(c.unit_id, a.unit_id, 0), ''",
    [STATS_DISTRICT] = "COALESCE(c.unit_id, a.unit_id, 0), ''",
    [STATS_CATEGORY] = "c.category_id, ''",
    [STATS_SOURCE] = "0, c.source",
    [STATS_NONE] = "0, ''",
};

static const char *const GROUP_NAMES[] = {
    [STATS_UNIT] = "unit",
    [STATS_DISTRICT] = "district",
    [STATS_CATEGORY] = "category",
    [STATS_SOURCE] = "source",
};

int stats_group_parse(const char *s, enum stats_group *g)
{
	for (int i = 0; i < STATS_NONE; i++)
		if (s && strcmp(s, GROUP_NAMES[i]) == 0) {
			*g = (enum stats_group)i;
			return 0;
		}
	return -1;
}

void stats_set_free(struct stats_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->rows[i].hours);
	free(s->rows);
	*s = (struct stats_set){0};
}

/* The row for (day, key, code), added when new. */
static struct stats_row *row_at(struct stats_set *s, int64_t day, int64_t key, const char *code)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->rows[i].day == day && s->rows[i].key == key &&
		    strcmp(s->rows[i].code, code) == 0)
			return &s->rows[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 32;
		struct stats_row *p = realloc(s->rows, cap * sizeof *p);
		if (!p)
			abort(); /* as buf.c: a server that cannot allocate a row cannot answer */
		s->rows = p;
		s->cap = cap;
	}
	struct stats_row *r = &s->rows[s->n++];
	*r = (struct stats_row){.day = day, .key = key};
	snprintf(r->code, sizeof r->code, "%s", code);
	return r;
}

static void add_hours(struct stats_row *r, double h)
{
	if (r->nhours == r->caphours) {
		size_t cap = r->caphours ? 2 * r->caphours : 16;
		double *p = realloc(r->hours, cap * sizeof *p);
		if (!p)
			abort();
		r->hours = p;
		r->caphours = cap;
	}
	r->hours[r->nhours++] = h;
}

/* Called per result row with the statement positioned after the two key columns. */
typedef void (*row_fn)(struct stats_row *r, struct db_stmt *st, int col);

/* Runs "<scope cte> SELECT <day?>, <keys>, <cols> <from_where> <scope> GROUP BY …" with args
 * (root and the scope's root are added around them) and hands each row to fn. */
static int run_grouped(struct db *db, enum stats_group g, const char *day_expr, const char *cols,
                       const char *from_where, const char *tail, const struct db_val *args,
                       size_t nargs, int64_t root, struct stats_set *out, row_fn fn, struct err *e)
{
	struct buf sql = BUF_INIT;
	buf_printf(&sql, "%sSELECT %s, %s, %s %s%s%s", SCOPE_CTE, day_expr ? day_expr : "0",
	           GROUP_KEYS[g], cols, from_where, SCOPE_WHERE, tail);
	struct db_val a[16];
	size_t n = 0;
	a[n++] = db_int(root);
	for (size_t i = 0; i < nargs && n < 15; i++)
		a[n++] = args[i];
	a[n++] = db_int(root);
	struct db_stmt *st;
	int rc = db_query(db, sql.data, a, n, &st, e);
	buf_free(&sql);
	if (rc < 0)
		return rc;
	while ((rc = db_step(st, e)) == DB_ROW) {
		struct stats_row *r =
		    row_at(out, db_col_int(st, 0), db_col_int(st, 1), db_col_text(st, 2));
		fn(r, st, 3);
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

static const char GROUP_TAIL[] = " GROUP BY 1, 2, 3";

static void on_reported(struct stats_row *r, struct db_stmt *st, int col)
{
	r->c.reported += db_col_int(st, col);
	r->c.valid_reported += db_col_int(st, col + 1);
}

/* The moves of the period, by action: count and how many by the deadline of the stage they
 * ended (a move with no deadline recorded ran no clock and is on time). */
static void on_moves(struct stats_row *r, struct db_stmt *st, int col)
{
	const char *act = db_col_text(st, col);
	int64_t n = db_col_int(st, col + 1), ontime = db_col_int(st, col + 2);
	struct fig_counts *c = &r->c;
	if (strcmp(act, "register") == 0)
		c->registered += n;
	else if (strcmp(act, "reject") == 0)
		c->rejected += n;
	else if (strcmp(act, "dispatch") == 0)
		c->dispatched += n, c->dispatched_ontime += ontime;
	else if (strcmp(act, "handle") == 0 || strcmp(act, "onsite") == 0)
		c->handled += n;
	else if (strcmp(act, "verify_pass") == 0)
		c->closed += n, c->verified += n, c->verified_ontime += ontime;
	else if (strcmp(act, "verify_fail") == 0)
		c->reworked += n, c->verified += n, c->verified_ontime += ontime;
	else if (strcmp(act, "defer") == 0)
		c->deferred += n;
}

static void on_hours(struct stats_row *r, struct db_stmt *st, int col)
{
	if (!db_col_is_null(st, col))
		add_hours(r, (double)db_col_int(st, col) / 3600.0);
}

static void on_due(struct stats_row *r, struct db_stmt *st, int col)
{
	r->c.due_handle += db_col_int(st, col);
	r->c.due_handled += db_col_int(st, col + 1);
	r->c.due_handled_ontime += db_col_int(st, col + 2);
}

static void on_ratings(struct stats_row *r, struct db_stmt *st, int col)
{
	r->c.ratings += db_col_int(st, col);
	r->c.satisfied += db_col_int(st, col + 1);
}

static void on_overdue(struct stats_row *r, struct db_stmt *st, int col)
{
	r->c.overdue_now += db_col_int(st, col);
}

/* 应处置 (docs/figures.md): cases whose handling deadline fell in the period (handled:
 * the handle move's due_at; not yet: the running deadline), plus the cases closed in it.
 * done = 1 when the case was handled for that deadline or closed; on time when its last
 * handling move was made by its deadline. */
static const char DUE_FROM[] =
    " FROM (SELECT case_id, MAX(done) AS done FROM ("
    "SELECT e.case_id, 1 AS done FROM case_event e"
    " WHERE e.action = 'handle' AND e.due_at >= ? AND e.due_at < ?"
    " UNION ALL SELECT e.case_id, 1 FROM case_event e"
    " WHERE e.action = 'verify_pass' AND e.at >= ? AND e.at < ?"
    " UNION ALL SELECT c2.id, 0 FROM cases c2 WHERE c2.status NOT IN ('closed', 'rejected')"
    " AND c2.stage = 'handle' AND c2.expected_at >= ? AND c2.expected_at < ?"
    ") dd GROUP BY case_id) u JOIN cases c ON c.id = u.case_id";

static int collect_units(struct db *db, enum stats_group g, int64_t root, int64_t from, int64_t to,
                         int64_t now, struct stats_set *out, struct err *e)
{
	struct buf fw = BUF_INIT;
	int rc;
	struct db_val period[] = {db_int(from), db_int(to)};

	buf_printf(&fw, " FROM cases c%s WHERE c.requested_at >= ? AND c.requested_at < ?",
	           CASE_JOINS);
	rc = run_grouped(db, g, NULL,
	                 "COUNT(*), SUM(CASE WHEN c.duplicate_of IS NULL THEN 1 ELSE 0 END)",
	                 fw.data, GROUP_TAIL, period, 2, root, out, on_reported, e);

	if (rc == 0) {
		buf_reset(&fw);
		buf_printf(
		    &fw,
		    " FROM case_event e JOIN cases c ON c.id = e.case_id%s"
		    " WHERE e.at >= ? AND e.at < ? AND e.action IN ('register', 'reject',"
		    " 'dispatch', 'handle', 'onsite', 'verify_pass', 'verify_fail', 'defer')",
		    CASE_JOINS);
		rc = run_grouped(
		    db, g, NULL,
		    "e.action, COUNT(*), SUM(CASE WHEN e.due_at IS NULL OR e.at <= e.due_at"
		    " THEN 1 ELSE 0 END)",
		    fw.data, " GROUP BY 1, 2, 3, 4", period, 2, root, out, on_moves, e);
	}
	if (rc == 0) {
		/* from the case's last (re)dispatch before the handling move: a redispatched case
		 * is timed from when its present unit got it */
		buf_reset(&fw);
		buf_printf(&fw,
		           " FROM case_event e JOIN cases c ON c.id = e.case_id%s"
		           " WHERE e.at >= ? AND e.at < ? AND e.action = 'handle'",
		           CASE_JOINS);
		rc = run_grouped(
		    db, g, NULL,
		    "e.at - (SELECT MAX(d.at) FROM case_event d WHERE d.case_id = e.case_id"
		    " AND d.id < e.id AND d.action IN ('dispatch', 'redispatch'))",
		    fw.data, "", period, 2, root, out, on_hours, e);
	}
	if (rc == 0) {
		buf_reset(&fw);
		buf_printf(
		    &fw,
		    "%s%s LEFT JOIN case_event h ON h.id = (SELECT MAX(x.id) FROM case_event x"
		    " WHERE x.case_id = c.id AND x.action IN ('handle', 'onsite')) WHERE 1 = 1",
		    DUE_FROM, CASE_JOINS);
		struct db_val a6[] = {db_int(from), db_int(to),   db_int(from),
		                      db_int(to),   db_int(from), db_int(to)};
		rc = run_grouped(
		    db, g, NULL,
		    "COUNT(*), SUM(u.done), SUM(CASE WHEN u.done = 1 AND h.id IS NOT NULL"
		    " AND (h.due_at IS NULL OR h.at <= h.due_at) THEN 1 ELSE 0 END)",
		    fw.data, GROUP_TAIL, a6, 6, root, out, on_due, e);
	}
	if (rc == 0) {
		buf_reset(&fw);
		buf_printf(&fw,
		           " FROM case_rating r JOIN cases c ON c.id = r.case_id%s"
		           " WHERE r.at >= ? AND r.at < ?",
		           CASE_JOINS);
		rc = run_grouped(db, g, NULL,
		                 "COUNT(*), SUM(CASE WHEN r.rating IN ('satisfied', 'basically')"
		                 " THEN 1 ELSE 0 END)",
		                 fw.data, GROUP_TAIL, period, 2, root, out, on_ratings, e);
	}
	if (rc == 0) {
		/* the status predicate repeats cases_open_due's so that index serves it; a
		 * deferred case's clock is stopped, so it is never overdue */
		buf_reset(&fw);
		buf_printf(&fw,
		           " FROM cases c%s WHERE c.status NOT IN ('closed', 'rejected')"
		           " AND c.status <> 'deferred' AND c.expected_at < ?",
		           CASE_JOINS);
		rc = run_grouped(db, g, NULL, "COUNT(*)", fw.data, GROUP_TAIL, DB_ARGS(db_int(now)),
		                 root, out, on_overdue, e);
	}
	buf_free(&fw);
	return rc;
}

/* Names for the rows' keys. */
static int label_rows(struct db *db, enum stats_group g, struct stats_set *s, struct err *e)
{
	const char *sql = g == STATS_CATEGORY ? "SELECT id, service_code, name FROM category"
	                                      : "SELECT id, code, name FROM unit";
	if (g == STATS_SOURCE || g == STATS_NONE) {
		for (size_t i = 0; i < s->n; i++)
			snprintf(s->rows[i].label, sizeof s->rows[i].label, "%s", s->rows[i].code);
		return 0;
	}
	struct db_stmt *st;
	int rc = db_query(db, sql, NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	while ((rc = db_step(st, e)) == DB_ROW) {
		int64_t id = db_col_int(st, 0);
		for (size_t i = 0; i < s->n; i++)
			if (s->rows[i].key == id) {
				snprintf(s->rows[i].code, sizeof s->rows[i].code, "%s",
				         db_col_text(st, 1));
				snprintf(s->rows[i].label, sizeof s->rows[i].label, "%s",
				         db_col_text(st, 2));
			}
	}
	db_done(st);
	for (size_t i = 0; i < s->n; i++)
		if (s->rows[i].key == 0)
			snprintf(s->rows[i].label, sizeof s->rows[i].label, "%s",
			         g == STATS_CATEGORY ? "" : "未指定单位");
	return rc < 0 ? rc : 0;
}

static void counts_add(struct fig_counts *a, const struct fig_counts *b)
{
	int64_t *x = (int64_t *)a;
	const int64_t *y = (const int64_t *)b;
	for (size_t i = 0; i < sizeof *a / sizeof(int64_t); i++)
		x[i] += y[i];
}

static int is_district_kind(const char *k)
{
	return strcmp(k, "district") == 0 || strcmp(k, "county") == 0 ||
	       strcmp(k, "county_city") == 0 || strcmp(k, "zone") == 0;
}

/* Unit rows → rows of the district (区/县/县级市/功能区) above each unit; units under none
 * (city departments) fall to key 0. */
static int rollup_districts(struct db *db, struct stats_set *s, struct err *e)
{
	struct unit_link {
		int64_t id, parent;
		int district;
	} *u = NULL;
	size_t n = 0, cap = 0;
	struct db_stmt *st;
	int rc = db_query(db, "SELECT id, COALESCE(parent_id, 0), kind FROM unit", NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			void *p = realloc(u, cap * sizeof *u);
			if (!p)
				abort();
			u = p;
		}
		u[n++] = (struct unit_link){db_col_int(st, 0), db_col_int(st, 1),
		                            is_district_kind(db_col_text(st, 2))};
	}
	db_done(st);
	if (rc < 0) {
		free(u);
		return rc;
	}
	struct stats_set out = {0};
	for (size_t i = 0; i < s->n; i++) {
		int64_t id = s->rows[i].key, district = 0;
		/* bounded walk: a cycle in bad data must not hang a request */
		for (int depth = 0; id && depth < 32 && !district; depth++) {
			size_t j = 0;
			while (j < n && u[j].id != id)
				j++;
			if (j == n)
				break;
			if (u[j].district)
				district = id;
			id = u[j].parent;
		}
		struct stats_row *r = row_at(&out, s->rows[i].day, district, "");
		counts_add(&r->c, &s->rows[i].c);
		r->late += s->rows[i].late;
		for (size_t k = 0; k < s->rows[i].nhours; k++)
			add_hours(r, s->rows[i].hours[k]);
	}
	free(u);
	stats_set_free(s);
	*s = out;
	return 0;
}

static int finish(struct db *db, enum stats_group g, struct stats_set *s, struct err *e)
{
	int rc = 0;
	if (g == STATS_DISTRICT)
		rc = rollup_districts(db, s, e);
	if (rc == 0)
		rc = label_rows(db, g, s, e);
	return rc;
}

int stats_collect(struct db *db, enum stats_group g, int64_t root, int64_t from, int64_t to,
                  int64_t now, struct stats_set *out, struct err *e)
{
	*out = (struct stats_set){0};
	int rc = collect_units(db, g, root, from, to, now, out, e);
	if (rc == 0)
		rc = finish(db, g, out, e);
	if (rc < 0)
		stats_set_free(out);
	return rc;
}

/* Local days: the office works in Asia/Shanghai, UTC+8 all year (no daylight saving). */
#define DAY_OF(col) "((" col " + 28800) / 86400) * 86400 - 28800"

static void on_trend_reported(struct stats_row *r, struct db_stmt *st, int col)
{
	r->c.reported += db_col_int(st, col);
}

static void on_trend_moves(struct stats_row *r, struct db_stmt *st, int col)
{
	r->c.closed += db_col_int(st, col);
	r->late += db_col_int(st, col + 1);
}

static int cmp_day(const void *a, const void *b)
{
	const struct stats_row *x = a, *y = b;
	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	if (x->key != y->key)
		return (x->key > y->key) - (x->key < y->key);
	return strcmp(x->code, y->code);
}

int stats_trend(struct db *db, enum stats_group g, int64_t root, int64_t from, int64_t to,
                struct stats_set *out, struct err *e)
{
	*out = (struct stats_set){0};
	struct buf fw = BUF_INIT;
	struct db_val period[] = {db_int(from), db_int(to)};
	buf_printf(&fw, " FROM cases c%s WHERE c.requested_at >= ? AND c.requested_at < ?",
	           CASE_JOINS);
	int rc = run_grouped(db, g, DAY_OF("c.requested_at"), "COUNT(*)", fw.data, GROUP_TAIL,
	                     period, 2, root, out, on_trend_reported, e);
	if (rc == 0) {
		buf_reset(&fw);
		buf_printf(&fw,
		           " FROM case_event e JOIN cases c ON c.id = e.case_id%s"
		           " WHERE e.at >= ? AND e.at < ? AND e.due_at IS NOT NULL",
		           CASE_JOINS);
		rc = run_grouped(db, g, DAY_OF("e.at"),
		                 "SUM(CASE WHEN e.action = 'verify_pass' THEN 1 ELSE 0 END),"
		                 " SUM(CASE WHEN e.at > e.due_at THEN 1 ELSE 0 END)",
		                 fw.data, GROUP_TAIL, period, 2, root, out, on_trend_moves, e);
	}
	buf_free(&fw);
	if (rc == 0)
		rc = finish(db, g, out, e);
	if (rc < 0)
		stats_set_free(out);
	else
		qsort(out->rows, out->n, sizeof *out->rows, cmp_day);
	return rc;
}

int stats_hotspots(struct db *db, int64_t root, int64_t from, int64_t to, int64_t limit,
                   struct stats_set *out, struct err *e)
{
	*out = (struct stats_set){0};
	char *sql = NULL;
	struct buf b = BUF_INIT;
	buf_printf(&b,
	           "%sSELECT a.id, a.code, a.name, COUNT(*), SUM(CASE WHEN c.status NOT IN"
	           " ('closed', 'rejected') THEN 1 ELSE 0 END) FROM cases c%s"
	           " WHERE a.kind = 'grid' AND c.requested_at >= ? AND c.requested_at < ?%s"
	           " GROUP BY a.id, a.code, a.name ORDER BY 4 DESC, a.id LIMIT ?",
	           SCOPE_CTE, CASE_JOINS, SCOPE_WHERE);
	sql = b.data;
	struct db_stmt *st;
	int rc = db_query(
	    db, sql, DB_ARGS(db_int(root), db_int(from), db_int(to), db_int(root), db_int(limit)),
	    &st, e);
	if (rc == 0) {
		while ((rc = db_step(st, e)) == DB_ROW) {
			struct stats_row *r = row_at(out, 0, db_col_int(st, 0), db_col_text(st, 1));
			snprintf(r->label, sizeof r->label, "%s", db_col_text(st, 2));
			r->c.reported = db_col_int(st, 3);
			r->c.overdue_now = db_col_int(st, 4);
		}
		db_done(st);
	}
	buf_free(&b);
	if (rc < 0) {
		stats_set_free(out);
		return rc;
	}
	return 0;
}
