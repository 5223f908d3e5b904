/* The SQL that reads the figures' counts. Period counts come from the tallies (migration 011,
 * store/tally.h): case_tally plus the deltas not yet folded, read in one statement so a
 * concurrent fold is never seen half done. What is open now comes from the cases. Each query
 * groups by one key expression (a constant from GROUP_KEYS, never user text) and every bound
 * is a bound integer. docs/figures.md names the counts; core/figures.c computes the rates. */
#include "store/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "store/db.h"
#include "store/tally.h"

#define LOCAL_OFFSET 28800 /* Asia/Shanghai: UTC+8 all year, no daylight saving */
#define DAY 86400

int64_t stats_day_floor(int64_t t)
{
	int64_t x = t + LOCAL_OFFSET, r = x % DAY;
	return x - (r < 0 ? r + DAY : r) - LOCAL_OFFSET;
}

int64_t stats_day_ceil(int64_t t)
{
	int64_t f = stats_day_floor(t);
	return f == t ? t : f + DAY;
}

/* The reach: ?1 = root unit (0: all); SCOPE_WHERE binds it again. Rows are t(unit_id, …). */
static const char SCOPE_CTE[] = "WITH RECURSIVE sub(id) AS (SELECT id FROM unit WHERE id = ?"
                                " UNION SELECT u.id FROM unit u JOIN sub ON u.parent_id = sub.id) ";
static const char SCOPE_WHERE[] = " AND (? = 0 OR t.unit_id IN (SELECT id FROM sub))";

/* The key columns per group over t(unit_id, category_id, source): an integer and a text. */
static const char *const GROUP_KEYS[] = {
    [STATS_UNIT] = "t.unit_id, ''",
    [STATS_DISTRICT] = "t.unit_id, ''",
    [STATS_CATEGORY] = "t.category_id, ''",
    [STATS_SOURCE] = "0, t.source",
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
	free(s->slots);
	*s = (struct stats_set){0};
}

static size_t row_hash(int64_t day, int64_t key, const char *code)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	h = (h ^ (uint64_t)day) * 1099511628211ull;
	h = (h ^ (uint64_t)key) * 1099511628211ull;
	for (const unsigned char *p = (const unsigned char *)code; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

static void slots_put(struct stats_set *s, size_t i)
{
	const struct stats_row *r = &s->rows[i];
	size_t m = s->nslots - 1, k = row_hash(r->day, r->key, r->code) & m;
	while (s->slots[k])
		k = (k + 1) & m;
	s->slots[k] = i + 1;
}

/* The row for (day, key, code), added when new. Hashed: the open cases and handling times
 * come one per case (~200,000 for a city), not grouped by SQL, whose sort cost 10 times more. */
static struct stats_row *row_at(struct stats_set *s, int64_t day, int64_t key, const char *code)
{
	if (s->nslots) {
		size_t m = s->nslots - 1;
		for (size_t k = row_hash(day, key, code) & m; s->slots[k]; k = (k + 1) & m) {
			struct stats_row *r = &s->rows[s->slots[k] - 1];
			if (r->day == day && r->key == key && strcmp(r->code, code) == 0)
				return r;
		}
	}
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
	if (2 * s->n > s->nslots) { /* grow and rehash: at most half full */
		free(s->slots);
		s->nslots = s->nslots ? 2 * s->nslots : 64;
		s->slots = calloc(s->nslots, sizeof *s->slots);
		if (!s->slots)
			abort();
		for (size_t i = 0; i < s->n; i++)
			slots_put(s, i);
	} else {
		slots_put(s, s->n - 1);
	}
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

/* Runs "<scope cte> SELECT <day>, <keys>, <cols> <from_where> <scope> <tail>" with args (the
 * root is bound before and after them) and hands each row to fn. */
static int run_grouped(struct db *db, enum stats_group g, const char *day_expr, const char *cols,
                       const char *from_where, const char *tail, const struct db_val *args,
                       size_t nargs, int64_t root, struct stats_set *out, row_fn fn, struct err *e)
{
	struct buf sql = BUF_INIT;
	buf_printf(&sql, "%sSELECT %s, %s, %s %s%s%s", SCOPE_CTE, day_expr, GROUP_KEYS[g], cols,
	           from_where, SCOPE_WHERE, tail);
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


/* " FROM (<case_tally rows of the period> UNION ALL <deltas of the period>) t WHERE 1 = 1";
 * binds from, to, from, to. */
static void tally_from(struct buf *b)
{
	buf_adds(b, " FROM (");
	for (int part = 0; part < 2; part++) {
		buf_adds(b, part ? " UNION ALL SELECT" : "SELECT");
		buf_adds(b, " day, unit_id, category_id, source");
		for (const struct tally_column *c = tally_columns; c->name; c++)
			buf_printf(b, ", %s", c->name);
		buf_printf(b, " FROM %s WHERE day >= ? AND day < ?",
		           part ? "case_tally_delta" : "case_tally");
	}
	buf_adds(b, ") t WHERE 1 = 1");
}

/* "t.reported, t.valid_reported, …" in tally_columns' order. The rows are summed in C (row_at
 * hashes the groups): SQLite's GROUP BY would sort a month's ~100,000 rows with every column,
 * three times slower than reading them. */
static void tally_cols(struct buf *b)
{
	for (const struct tally_column *c = tally_columns; c->name; c++)
		buf_printf(b, "%st.%s", c == tally_columns ? "" : ", ", c->name);
}

static void on_tally(struct stats_row *r, struct db_stmt *st, int col)
{
	for (const struct tally_column *c = tally_columns; c->name; c++, col++) {
		int64_t v = db_col_int(st, col);
		if (c->counts_offset == TALLY_NOT_A_COUNT)
			r->late += v;
		else
			*(int64_t *)((char *)&r->c + c->counts_offset) += v;
	}
}

static void on_hours(struct stats_row *r, struct db_stmt *st, int col)
{
	add_hours(r, (double)db_col_int(st, col) / 3600.0);
}

static void on_open(struct stats_row *r, struct db_stmt *st, int col)
{
	r->c.overdue_now += db_col_int(st, col);
	r->c.due_handle += db_col_int(st, col + 1);
}

/* The open cases (one row each, summed in C) by their unit now (else their area's): overdue now (a deferred case's clock
 * is stopped, so it is never overdue), and those whose running handling deadline falls in the
 * period — due (应处置) but not handled yet. The status predicate repeats cases_open_due's so
 * that index serves it. */
static const char OPEN_FROM[] =
    " FROM (SELECT COALESCE(c.unit_id, (SELECT a.unit_id FROM area a WHERE a.id = c.area_id),"
    " 0) AS unit_id, c.category_id, c.source, c.status, c.stage, c.expected_at FROM cases c"
    " WHERE c.status NOT IN ('closed', 'rejected') AND c.expected_at < ?) t WHERE 1 = 1";
static const char OPEN_COLS[] =
    "CASE WHEN t.status <> 'deferred' AND t.expected_at < ? THEN 1 ELSE 0 END,"
    " CASE WHEN t.stage = 'handle' AND t.expected_at >= ? AND t.expected_at < ?"
    " THEN 1 ELSE 0 END";

static int collect_units(struct db *db, enum stats_group g, int64_t root, int64_t from, int64_t to,
                         int64_t now, struct stats_set *out, struct err *e)
{
	struct buf fw = BUF_INIT, cols = BUF_INIT;
	struct db_val period2[] = {db_int(from), db_int(to), db_int(from), db_int(to)};
	tally_from(&fw);
	tally_cols(&cols);
	int rc = run_grouped(db, g, "0", cols.data, fw.data, "", period2, 4, root, out, on_tally, e);
	if (rc == 0)
		rc = run_grouped(db, g, "0", "t.seconds",
		                 " FROM case_handle_time t WHERE t.day >= ? AND t.day < ?", "",
		                 period2, 2, root, out, on_hours, e);
	if (rc == 0) {
		/* bound in the text's order: the columns' three, then the FROM's one */
		struct db_val a[] = {db_int(now), db_int(from), db_int(to),
		                     db_int(now > to ? now : to)};
		rc = run_grouped(db, g, "0", OPEN_COLS, OPEN_FROM, "", a, 4, root, out, on_open, e);
	}
	buf_free(&fw);
	buf_free(&cols);
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

static void on_trend(struct stats_row *r, struct db_stmt *st, int col)
{
	r->c.reported += db_col_int(st, col);
	r->c.place_closed += db_col_int(st, col + 1);
	r->late += db_col_int(st, col + 2);
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
	struct db_val period2[] = {db_int(from), db_int(to), db_int(from), db_int(to)};
	tally_from(&fw);
	int rc = run_grouped(db, g, "t.day", "t.reported, t.place_closed, t.late", fw.data, "",
	                     period2, 4, root, out, on_trend, e);
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
	/* the cases of the period where they are: reach by their unit, else their area's */
	buf_printf(&b,
	           "%sSELECT t.area_id, a.code, a.name, COUNT(*), SUM(t.is_open) FROM"
	           " (SELECT c.area_id, COALESCE(c.unit_id, ca.unit_id, 0) AS unit_id,"
	           " CASE WHEN c.status NOT IN ('closed', 'rejected') THEN 1 ELSE 0 END AS is_open"
	           " FROM cases c JOIN area ca ON ca.id = c.area_id"
	           " WHERE ca.kind = 'grid' AND c.requested_at >= ? AND c.requested_at < ?) t"
	           " JOIN area a ON a.id = t.area_id WHERE 1 = 1%s"
	           " GROUP BY t.area_id, a.code, a.name ORDER BY 4 DESC, t.area_id LIMIT ?",
	           SCOPE_CTE, SCOPE_WHERE);
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
