/* store/stats: every count behind the figures on a small data set written by hand into a
 * fresh migrated SQLite database, with the figures worked out in the comments and asserted.
 *
 * Period P = [T0, T0 + 10 days), T0 = 2026-01-01 00:00 +08:00; now = T0 + 20 days.
 * Units: A = 中山区 (district 210202), S = 青泥洼桥街道 (street 210202001, under A),
 * B = 西岗区 (district 210203). Times below are offsets from T0 (h hours, D days).
 *
 * c1 A  requested 1h, open311. register 2h (due 3h, on time); dispatch 3h (due 4h, on time);
 *       accept 4h; handle 13h (due 20h, on time; 10 h after dispatch);
 *       verify_pass 14h (due 16h, on time) → closed. Rated satisfied at 15h. Grid G1.
 * c2 S  requested 1D, open311. register 1D+1h (due 1D+2h, on time); dispatch 1D+5h (due 1D+3h,
 *       LATE); handle 1D+25h (due 1D+20h, LATE; 20 h); verify_fail 1D+26h (due 1D+30h, on
 *       time); handle 1D+30h (due 1D+40h, on time; 25 h after the dispatch);
 *       verify_pass 1D+50h (due 1D+45h, LATE) → closed. Rated basically at 3D. Grid G1.
 * c3 B  requested 2D, open311. register 2D+1h (due 2D+2h, on time); dispatch 2D+2h (due
 *       2D+1h, LATE); accept. Now handling, stage handle, expected_at 5D (in P, not handled;
 *       overdue now). Grid G2.
 * c4 —  requested 3D, inspector, no unit, no area. reject 3D+1h → rejected.
 * c5 —  requested 3D+2h, inspector, merged as a duplicate of c1 (duplicate_of) → rejected.
 * c6 B  requested −5D (before P), dispatched −4D. handle 2h (due −1D, LATE; 98 h);
 *       verify_pass 3h (due 5h, on time) → closed in P. Rated unsatisfied at 4h.
 * c7 B  requested 4D, inspector. register 4D+1h (no deadline recorded: on time); dispatch
 *       4D+2h (due 4D+3h, on time); accept; defer 4D+5h → deferred (expected_at 4D+6h kept,
 *       but a deferred clock is stopped: not overdue).
 * c8 A  requested 10D (= the end of P: outside), reported, expected_at 10D+2h → overdue now.
 *
 * 应处置 (cases): handle moves whose due_at is in P (c1, c2 twice), cases closed in P (c1, c2,
 * c6) and open cases whose running handle deadline is in P (c3):
 *   A: c1 (handled, last handling on time)          → due 1, handled 1, on time 1
 *   S: c2 (handled; last handling 1D+30h ≤ 1D+40h)  → 1, 1, 1
 *   B: c3 (not handled), c6 (handled late)          → 2, 1, 0
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/figures.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/seed.h"
#include "store/stats.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

#define T0 INT64_C(1767196800)
#define H INT64_C(3600)
#define D INT64_C(86400)
#define EPS 1e-9

static struct db *db;
static char path[64];
static struct err e;
static int64_t A, S, B, CAT, G1, G2;
static int64_t c1, c2, c3, c4, c5, c6, c7, c8;

static int64_t get_int(const char *sql, const char *arg)
{
	int64_t v = -1;
	cr_assert_eq(db_get_int(db, sql, DB_ARGS(db_text(arg)), &v, &e), 0, "%s: %s", sql, e.msg);
	return v;
}

static int64_t add_case(const char *code, const char *source, int64_t unit, int64_t area,
                        const char *status, const char *stage, int64_t requested, int64_t expected)
{
	int64_t id = -1;
	cr_assert_eq(
	    db_get_int(
	        db,
	        "INSERT INTO cases (code, token, source, category_id, status, stage, unit_id,"
	        " area_id, requested_at, updated_at, expected_at)"
	        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	        DB_ARGS(db_text(code), db_text(code), db_text(source), db_int(CAT), db_text(status),
	                db_text(stage), unit ? db_int(unit) : db_null(),
	                area ? db_int(area) : db_null(), db_int(requested), db_int(requested),
	                expected ? db_int(expected) : db_null()),
	        &id, &e),
	    0, "%s", e.msg);
	return id;
}

/* due: 0 = no deadline recorded */
static void ev(int64_t id, int64_t at, const char *action, const char *to, int64_t due)
{
	cr_assert_eq(db_run(db,
	                    "INSERT INTO case_event (case_id, at, actor, action, to_status, due_at)"
	                    " VALUES (?, ?, 'system', ?, ?, ?)",
	                    DB_ARGS(db_int(id), db_int(at), db_text(action), db_text(to),
	                            due ? db_int(due) : db_null()),
	                    &e),
	             0, "%s", e.msg);
}

static void rate(int64_t id, const char *rating, int64_t at)
{
	cr_assert_eq(db_run(db, "INSERT INTO case_rating (case_id, rating, at) VALUES (?, ?, ?)",
	                    DB_ARGS(db_int(id), db_text(rating), db_int(at)), &e),
	             0, "%s", e.msg);
}

static int64_t add_grid(const char *code, int64_t unit)
{
	int64_t id = -1;
	cr_assert_eq(
	    db_get_int(db,
	               "INSERT INTO area (code, name, kind, unit_id, geojson, min_lat,"
	               " min_lon, max_lat, max_lon) VALUES (?, ?, 'grid', ?, '{}', 0, 0, 0, 0)"
	               " RETURNING id",
	               DB_ARGS(db_text(code), db_text(code), db_int(unit)), &id, &e),
	    0, "%s", e.msg);
	return id;
}

static void setup(void)
{
	snprintf(path, sizeof path, "/tmp/wm-stats-%d.db", (int)getpid());
	unlink(path);
	cr_assert_eq(db_open(path, &db, &e), 0, "%s", e.msg);
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	cr_assert_eq(seed_load(db, WM_DATA_DIR, 1, &e), 0, "%s", e.msg);
	/* migration 009 adds the ratings; a working copy without it gets the table here */
	int64_t has = 0;
	db_get_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'case_rating'", NULL, 0,
	           &has, &e);
	if (!has)
		cr_assert_eq(
		    db_exec_script(db,
		                   "CREATE TABLE case_rating (case_id INTEGER NOT NULL,"
		                   " rating TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '',"
		                   " at INTEGER NOT NULL, PRIMARY KEY (case_id))",
		                   &e),
		    0, "%s", e.msg);
	A = get_int("SELECT id FROM unit WHERE code = ?", "210202");
	S = get_int("SELECT id FROM unit WHERE code = ?", "210202001");
	B = get_int("SELECT id FROM unit WHERE code = ?", "210203");
	CAT = get_int("SELECT MIN(id) FROM category WHERE kind = ?", "event");
	G1 = add_grid("TESTG1", A);
	G2 = add_grid("TESTG2", B);

	c1 = add_case("T1", "open311", A, G1, "closed", "", T0 + 1 * H, 0);
	ev(c1, T0 + 1 * H, "report", "reported", 0);
	ev(c1, T0 + 2 * H, "register", "registered", T0 + 3 * H);
	ev(c1, T0 + 3 * H, "dispatch", "dispatched", T0 + 4 * H);
	ev(c1, T0 + 4 * H, "accept", "handling", 0);
	ev(c1, T0 + 13 * H, "handle", "handled", T0 + 20 * H);
	ev(c1, T0 + 14 * H, "verify_pass", "closed", T0 + 16 * H);
	rate(c1, "satisfied", T0 + 15 * H);

	c2 = add_case("T2", "open311", S, G1, "closed", "", T0 + D, 0);
	ev(c2, T0 + D, "report", "reported", 0);
	ev(c2, T0 + D + 1 * H, "register", "registered", T0 + D + 2 * H);
	ev(c2, T0 + D + 5 * H, "dispatch", "dispatched", T0 + D + 3 * H);
	ev(c2, T0 + D + 6 * H, "accept", "handling", 0);
	ev(c2, T0 + D + 25 * H, "handle", "handled", T0 + D + 20 * H);
	ev(c2, T0 + D + 26 * H, "verify_fail", "handling", T0 + D + 30 * H);
	ev(c2, T0 + D + 30 * H, "handle", "handled", T0 + D + 40 * H);
	ev(c2, T0 + D + 50 * H, "verify_pass", "closed", T0 + D + 45 * H);
	rate(c2, "basically", T0 + 3 * D);

	c3 = add_case("T3", "open311", B, G2, "handling", "handle", T0 + 2 * D, T0 + 5 * D);
	ev(c3, T0 + 2 * D + 1 * H, "register", "registered", T0 + 2 * D + 2 * H);
	ev(c3, T0 + 2 * D + 2 * H, "dispatch", "dispatched", T0 + 2 * D + 1 * H);
	ev(c3, T0 + 2 * D + 3 * H, "accept", "handling", 0);

	c4 = add_case("T4", "inspector", 0, 0, "rejected", "", T0 + 3 * D, 0);
	ev(c4, T0 + 3 * D + 1 * H, "reject", "rejected", T0 + 3 * D + 2 * H);

	c5 = add_case("T5", "inspector", 0, 0, "rejected", "", T0 + 3 * D + 2 * H, 0);
	cr_assert_eq(db_run(db, "UPDATE cases SET duplicate_of = ? WHERE id = ?",
	                    DB_ARGS(db_int(c1), db_int(c5)), &e),
	             0);
	ev(c5, T0 + 3 * D + 3 * H, "merge", "rejected", 0);

	c6 = add_case("T6", "inspector", B, 0, "closed", "", T0 - 5 * D, 0);
	ev(c6, T0 - 5 * D + 1 * H, "register", "registered", T0 - 5 * D + 2 * H);
	ev(c6, T0 - 4 * D, "dispatch", "dispatched", T0 - 4 * D + H);
	ev(c6, T0 + 2 * H, "handle", "handled", T0 - D);
	ev(c6, T0 + 3 * H, "verify_pass", "closed", T0 + 5 * H);
	rate(c6, "unsatisfied", T0 + 4 * H);

	c7 = add_case("T7", "inspector", B, 0, "deferred", "", T0 + 4 * D, T0 + 4 * D + 6 * H);
	ev(c7, T0 + 4 * D + 1 * H, "register", "registered", 0);
	ev(c7, T0 + 4 * D + 2 * H, "dispatch", "dispatched", T0 + 4 * D + 3 * H);
	ev(c7, T0 + 4 * D + 3 * H, "accept", "handling", 0);
	ev(c7, T0 + 4 * D + 5 * H, "defer", "deferred", T0 + 4 * D + 9 * H);

	c8 = add_case("T8", "open311", A, 0, "reported", "register", T0 + 10 * D,
	              T0 + 10 * D + 2 * H);
	ev(c8, T0 + 10 * D, "report", "reported", 0);
}

static void teardown(void)
{
	db_close(db);
	char p[96];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

TestSuite(stats, .init = setup, .fini = teardown);

static const struct stats_row *find(const struct stats_set *s, int64_t key, const char *code)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->rows[i].key == key && (!code || strcmp(s->rows[i].code, code) == 0))
			return &s->rows[i];
	return NULL;
}

#define EQ(row, field, want) cr_assert_eq((row)->c.field, want, "%s " #field, (row)->label)

static void rate_is(const struct stats_row *row, enum fig_id id, double want)
{
	struct fig_rates r;
	figures_rates(&row->c, &r);
	cr_assert(r.set[id], "%s %s defined", row->label, fig_defs[id].name);
	cr_assert_float_eq(r.v[id], want, EPS, "%s %s", row->label, fig_defs[id].name);
}

static void rate_null(const struct stats_row *row, enum fig_id id)
{
	struct fig_rates r;
	figures_rates(&row->c, &r);
	cr_assert_not(r.set[id], "%s %s undefined", row->label, fig_defs[id].name);
}

static double score(const struct stats_row *row)
{
	struct fig_rates r;
	struct fig_weights w;
	double s = -1;
	figures_rates(&row->c, &r);
	figures_weights_default(&w);
	cr_assert_eq(figures_composite(&r, &w, &s), 1, "%s scored", row->label);
	return s;
}

static double percentile(const struct stats_row *row, double p)
{
	double v = -1;
	cr_assert_eq(figures_percentile(row->hours, row->nhours, p, &v), 1);
	return v;
}

Test(stats, by_unit)
{
	struct stats_set s;
	cr_assert_eq(stats_collect(db, STATS_UNIT, 0, T0, T0 + 10 * D, T0 + 20 * D, &s, &e), 0,
	             "%s", e.msg);
	cr_assert_eq(s.n, 4, "A, S, B and no unit: %zu rows", s.n);

	const struct stats_row *a = find(&s, A, NULL);
	cr_assert(a);
	cr_assert_str_eq(a->code, "210202");
	cr_assert_str_eq(a->label, "中山区");
	/* c1 only (c8 was requested at the end of P, which is outside) */
	EQ(a, reported, 1);
	EQ(a, valid_reported, 1);
	EQ(a, registered, 1);
	EQ(a, dispatched, 1);
	EQ(a, dispatched_ontime, 1);
	EQ(a, handled, 1);
	EQ(a, due_handle, 1);
	EQ(a, due_handled, 1);
	EQ(a, due_handled_ontime, 1);
	EQ(a, reworked, 0);
	EQ(a, verified, 1);
	EQ(a, verified_ontime, 1);
	EQ(a, closed, 1);
	EQ(a, rejected, 0);
	EQ(a, deferred, 0);
	EQ(a, ratings, 1);
	EQ(a, satisfied, 1);
	EQ(a, overdue_now, 1); /* c8 */
	/* every rate 1 (返工率 0): the composite is 100 */
	rate_is(a, FIG_REGISTER, 1);
	rate_is(a, FIG_DISPATCH_ONTIME, 1);
	rate_is(a, FIG_HANDLE, 1);
	rate_is(a, FIG_HANDLE_ONTIME, 1);
	rate_is(a, FIG_REWORK, 0);
	rate_is(a, FIG_VERIFY_ONTIME, 1);
	rate_is(a, FIG_CLOSE, 1);
	rate_is(a, FIG_SATISFACTION, 1);
	cr_assert_float_eq(score(a), 100, EPS);
	cr_assert_eq(a->nhours, 1);
	cr_assert_float_eq(a->hours[0], 10, EPS);

	const struct stats_row *st = find(&s, S, NULL);
	cr_assert(st);
	/* c2: 1 registered, dispatched late, 2 handlings, 1 rework, 2 verifications of which the
	 * pass was late, closed, rated basically */
	EQ(st, reported, 1);
	EQ(st, valid_reported, 1);
	EQ(st, registered, 1);
	EQ(st, dispatched, 1);
	EQ(st, dispatched_ontime, 0);
	EQ(st, handled, 2);
	EQ(st, due_handle, 1);
	EQ(st, due_handled, 1);
	EQ(st, due_handled_ontime, 1);
	EQ(st, reworked, 1);
	EQ(st, verified, 2);
	EQ(st, verified_ontime, 1);
	EQ(st, closed, 1);
	EQ(st, ratings, 1);
	EQ(st, satisfied, 1);
	EQ(st, overdue_now, 0);
	/* 立案 1/1, 按期派遣 0/1, 处置 1/1, 按期处置 1/1, 返工 1/2, 按期核查 1/2, 结案 1/1,
	 * 满意 1/1; composite (weights 10,10,20,20,10,10,10,10; 返工 scored 1 − 0.5):
	 * 10 + 0 + 20 + 20 + 5 + 5 + 10 + 10 = 80 */
	rate_is(st, FIG_REGISTER, 1);
	rate_is(st, FIG_DISPATCH_ONTIME, 0);
	rate_is(st, FIG_HANDLE, 1);
	rate_is(st, FIG_HANDLE_ONTIME, 1);
	rate_is(st, FIG_REWORK, 0.5);
	rate_is(st, FIG_VERIFY_ONTIME, 0.5);
	rate_is(st, FIG_CLOSE, 1);
	rate_is(st, FIG_SATISFACTION, 1);
	cr_assert_float_eq(score(st), 80, EPS);
	/* dispatch 1D+5h → handle 1D+25h = 20 h, → 1D+30h = 25 h; mean 22.5, p90 rank 2 = 25 */
	cr_assert_eq(st->nhours, 2);
	cr_assert_float_eq((st->hours[0] + st->hours[1]) / 2, 22.5, EPS);
	cr_assert_float_eq(percentile(st, 90), 25, EPS);

	const struct stats_row *b = find(&s, B, NULL);
	cr_assert(b);
	/* c3, c7 requested in P (c6 before); registered c3, c7; dispatched c3 (late), c7;
	 * handled c6; verified c6 (on time) and closed; deferred c7; c6 rated unsatisfied;
	 * overdue now c3 (c7 is deferred) */
	EQ(b, reported, 2);
	EQ(b, valid_reported, 2);
	EQ(b, registered, 2);
	EQ(b, dispatched, 2);
	EQ(b, dispatched_ontime, 1);
	EQ(b, handled, 1);
	EQ(b, due_handle, 2);
	EQ(b, due_handled, 1);
	EQ(b, due_handled_ontime, 0);
	EQ(b, reworked, 0);
	EQ(b, verified, 1);
	EQ(b, verified_ontime, 1);
	EQ(b, closed, 1);
	EQ(b, deferred, 1);
	EQ(b, ratings, 1);
	EQ(b, satisfied, 0);
	EQ(b, overdue_now, 1);
	/* 立案 2/2, 按期派遣 1/2, 处置 1/2, 按期处置 0/2, 返工 0/1, 按期核查 1/1, 结案 1/2,
	 * 满意 0/1: 10 + 5 + 10 + 0 + 10 + 10 + 5 + 0 = 50 */
	rate_is(b, FIG_REGISTER, 1);
	rate_is(b, FIG_DISPATCH_ONTIME, 0.5);
	rate_is(b, FIG_HANDLE, 0.5);
	rate_is(b, FIG_HANDLE_ONTIME, 0);
	rate_is(b, FIG_REWORK, 0);
	rate_is(b, FIG_VERIFY_ONTIME, 1);
	rate_is(b, FIG_CLOSE, 0.5);
	rate_is(b, FIG_SATISFACTION, 0);
	cr_assert_float_eq(score(b), 50, EPS);
	/* c6: dispatched −4D, handled 2h → 98 h */
	cr_assert_eq(b->nhours, 1);
	cr_assert_float_eq(b->hours[0], 98, EPS);

	const struct stats_row *none = find(&s, 0, NULL);
	cr_assert(none);
	/* c4 (rejected) and c5 (a duplicate: not a valid report) */
	EQ(none, reported, 2);
	EQ(none, valid_reported, 1);
	EQ(none, rejected, 1);
	EQ(none, registered, 0);
	EQ(none, overdue_now, 0);
	rate_is(none, FIG_REGISTER, 0); /* 0 / 1 */
	rate_null(none, FIG_DISPATCH_ONTIME);
	rate_null(none, FIG_HANDLE);
	rate_null(none, FIG_HANDLE_ONTIME);
	rate_null(none, FIG_REWORK);
	rate_null(none, FIG_VERIFY_ONTIME);
	rate_null(none, FIG_CLOSE);
	rate_null(none, FIG_SATISFACTION);
	cr_assert_float_eq(score(none), 0, EPS); /* 立案率 alone, 0 */
	cr_assert_eq(none->nhours, 0);
	stats_set_free(&s);
}

Test(stats, by_district_rolls_streets_up)
{
	struct stats_set s;
	cr_assert_eq(stats_collect(db, STATS_DISTRICT, 0, T0, T0 + 10 * D, T0 + 20 * D, &s, &e), 0,
	             "%s", e.msg);
	cr_assert_eq(s.n, 3, "中山区, 西岗区 and no unit");
	cr_assert_null(find(&s, S, NULL), "the street is in its district's row");
	const struct stats_row *a = find(&s, A, NULL);
	cr_assert(a);
	/* A + S */
	EQ(a, reported, 2);
	EQ(a, registered, 2);
	EQ(a, dispatched, 2);
	EQ(a, dispatched_ontime, 1);
	EQ(a, handled, 3);
	EQ(a, due_handle, 2);
	EQ(a, due_handled, 2);
	EQ(a, due_handled_ontime, 2);
	EQ(a, reworked, 1);
	EQ(a, verified, 3);
	EQ(a, verified_ontime, 2);
	EQ(a, closed, 2);
	EQ(a, ratings, 2);
	EQ(a, satisfied, 2);
	EQ(a, overdue_now, 1);
	rate_is(a, FIG_REWORK, 1.0 / 3);
	/* handling times 10, 20, 25: mean 55/3, p90 = rank ceil(2.7) = 3rd = 25 */
	cr_assert_eq(a->nhours, 3);
	cr_assert_float_eq((a->hours[0] + a->hours[1] + a->hours[2]) / 3, 55.0 / 3, 1e-9);
	cr_assert_float_eq(percentile(a, 90), 25, EPS);
	const struct stats_row *b = find(&s, B, NULL);
	cr_assert(b);
	EQ(b, reported, 2);
	EQ(b, closed, 1);
	EQ(b, overdue_now, 1);
	stats_set_free(&s);
}

Test(stats, by_category_and_source)
{
	struct stats_set s;
	cr_assert_eq(stats_collect(db, STATS_CATEGORY, 0, T0, T0 + 10 * D, T0 + 20 * D, &s, &e), 0,
	             "%s", e.msg);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.rows[0].key, CAT);
	EQ(&s.rows[0], reported, 6);
	EQ(&s.rows[0], valid_reported, 5);
	EQ(&s.rows[0], closed, 3);
	EQ(&s.rows[0], overdue_now, 2);
	EQ(&s.rows[0], due_handle, 4);
	EQ(&s.rows[0], due_handled, 3);
	stats_set_free(&s);

	cr_assert_eq(stats_collect(db, STATS_SOURCE, 0, T0, T0 + 10 * D, T0 + 20 * D, &s, &e), 0,
	             "%s", e.msg);
	cr_assert_eq(s.n, 2);
	const struct stats_row *o = find(&s, 0, "open311"), *i = find(&s, 0, "inspector");
	cr_assert(o && i);
	cr_assert_str_eq(o->label, "open311");
	EQ(o, reported, 3);
	EQ(i, reported, 3);
	EQ(i, valid_reported, 2);
	EQ(o, closed, 2);
	EQ(i, closed, 1); /* c1, c2 / c6 */
	stats_set_free(&s);
}

Test(stats, reach_limits_the_cases)
{
	struct stats_set s;
	/* 西岗区's reach: c3, c6, c7 only */
	cr_assert_eq(stats_collect(db, STATS_UNIT, B, T0, T0 + 10 * D, T0 + 20 * D, &s, &e), 0,
	             "%s", e.msg);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.rows[0].key, B);
	EQ(&s.rows[0], reported, 2);
	stats_set_free(&s);
	/* 中山区's: A and its street, c8 overdue included */
	cr_assert_eq(stats_collect(db, STATS_UNIT, A, T0, T0 + 10 * D, T0 + 20 * D, &s, &e), 0,
	             "%s", e.msg);
	cr_assert_eq(s.n, 2);
	cr_assert(find(&s, A, NULL) && find(&s, S, NULL));
	stats_set_free(&s);
}

Test(stats, empty_period)
{
	struct stats_set s;
	cr_assert_eq(
	    stats_collect(db, STATS_UNIT, 0, T0 + 100 * D, T0 + 101 * D, T0 + 20 * D, &s, &e), 0,
	    "%s", e.msg);
	/* nothing in the period; only the overdue-now counts (not period-bound) make rows */
	for (size_t i = 0; i < s.n; i++) {
		EQ(&s.rows[i], reported, 0);
		for (int f = 0; f < FIG_COUNT; f++)
			rate_null(&s.rows[i], (enum fig_id)f);
	}
	stats_set_free(&s);
}

Test(stats, trend_per_day)
{
	struct stats_set s;
	cr_assert_eq(stats_trend(db, STATS_NONE, 0, T0, T0 + 10 * D, &s, &e), 0, "%s", e.msg);
	/* reported by day: c1 | c2 | c3 | c4 c5 | c7;
	 * closed: c1, c6 | – | – | c2 | –;
	 * late moves: c6 handle | c2 dispatch | c2 handle (1D+25h), c3 dispatch | c2 pass | – */
	int64_t rep[] = {1, 1, 1, 2, 1}, clo[] = {2, 0, 0, 1, 0}, late[] = {1, 1, 2, 1, 0};
	cr_assert_eq(s.n, 5);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(s.rows[i].day, T0 + i * D, "day %d", i);
		cr_assert_eq(s.rows[i].c.reported, rep[i], "day %d reported", i);
		cr_assert_eq(s.rows[i].c.closed, clo[i], "day %d closed", i);
		cr_assert_eq(s.rows[i].late, late[i], "day %d late", i);
	}
	stats_set_free(&s);

	cr_assert_eq(stats_trend(db, STATS_DISTRICT, 0, T0, T0 + 10 * D, &s, &e), 0, "%s", e.msg);
	int64_t a_rep = 0;
	for (size_t i = 0; i < s.n; i++)
		if (s.rows[i].key == A)
			a_rep += s.rows[i].c.reported;
	cr_assert_eq(a_rep, 2, "c1 and c2 under 中山区");
	stats_set_free(&s);
}

Test(stats, hotspots)
{
	struct stats_set s;
	cr_assert_eq(stats_hotspots(db, 0, T0, T0 + 10 * D, 10, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.rows[0].key, G1); /* c1, c2 */
	cr_assert_str_eq(s.rows[0].code, "TESTG1");
	cr_assert_eq(s.rows[0].c.reported, 2);
	cr_assert_eq(s.rows[0].c.overdue_now, 0, "both closed");
	cr_assert_eq(s.rows[1].key, G2); /* c3, open */
	cr_assert_eq(s.rows[1].c.reported, 1);
	cr_assert_eq(s.rows[1].c.overdue_now, 1);
	stats_set_free(&s);
	cr_assert_eq(stats_hotspots(db, 0, T0, T0 + 10 * D, 1, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(s.n, 1);
	stats_set_free(&s);
	cr_assert_eq(stats_hotspots(db, B, T0, T0 + 10 * D, 10, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(s.n, 1, "西岗区 sees its own grid only");
	cr_assert_eq(s.rows[0].key, G2);
	stats_set_free(&s);
}

Test(stats, group_names)
{
	enum stats_group g = STATS_NONE;
	cr_assert_eq(stats_group_parse("district", &g), 0);
	cr_assert_eq(g, STATS_DISTRICT);
	cr_assert_eq(stats_group_parse("street", &g), -1);
	cr_assert_eq(stats_group_parse(NULL, &g), -1);
}
