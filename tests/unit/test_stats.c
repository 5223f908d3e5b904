/* store/stats: every count behind the figures on a small data set written by hand into a
 * fresh migrated SQLite database (the tallies are kept by migration 011's triggers as the rows
 * go in), with the figures worked out in the comments and asserted.
 *
 * Period P = [T0, T0 + 10 days), T0 = 2026-01-01 00:00 +08:00; now = T0 + 20 days.
 * Units: A = 中山区 (district 210202), S = 青泥洼桥街道 (street 210202001, under A),
 * B = 西岗区 (district 210203). Grid G1 belongs to A, G2 to B. Times below are offsets from
 * T0 (h hours, D days); [X] after a dispatch is the unit it went to.
 *
 * c1  G1 requested 1h, open311. register 2h (due 3h, on time); dispatch [A] 3h (due 4h, on
 *     time); accept 4h; handle 13h (due 20h, on time; 10 h after dispatch); verify_pass 14h
 *     (due 16h, on time) → closed. Rated satisfied at 15h.
 * c2  G1 requested 1D, open311. register 1D+1h (due 1D+2h, on time); dispatch [S] 1D+5h (due
 *     1D+3h, LATE); handle 1D+25h (due 1D+20h, LATE; 20 h); verify_fail 1D+26h (due 1D+30h, on
 *     time); handle 1D+30h (due 1D+40h, on time; 25 h); verify_pass 1D+50h (due 1D+45h,
 *     LATE) → closed. Rated basically at 3D.
 * c3  G2 requested 2D, open311. register 2D+1h (due 2D+2h, on time); dispatch [B] 2D+2h (due
 *     2D+1h, LATE); accept. Now handling, stage handle, expected_at 5D (in P, not handled;
 *     overdue now).
 * c4  —  requested 3D, inspector, no area. reject 3D+1h → rejected.
 * c5  —  requested 3D+2h, inspector, merged into c1 (duplicate_of set afterwards) → rejected.
 * c6  —  requested −5D (before P), inspector, no area; dispatch [B] −4D. handle 2h (due −1D,
 *     LATE; 98 h); verify_pass 3h (due 5h, on time) → closed in P. Rated unsatisfied at 4h.
 * c7  —  requested 4D, inspector, no area. register 4D+1h (no deadline recorded: on time);
 *     dispatch [B] 4D+2h (due 4D+3h, on time); accept; defer 4D+5h → deferred (expected_at
 *     4D+6h kept, but a deferred clock is stopped: not overdue).
 * c8  —  requested 10D (= the end of P: outside), unit A, reported, expected_at 10D+2h →
 *     overdue now.
 * c9  G1 requested 5D, open311, a recurrence of c1 (反复发生: counts against A); reported,
 *     expected_at 5D+1h → overdue now (no unit yet: its area's, A).
 * c10 G2 requested 6D, open311. register 6D+1h (due 6D+2h, on time); dispatch [A] 6D+2h (due
 *     6D+3h, on time); redispatch [B] 6D+4h; handle 6D+10h (due 6D+30h, on time; 6 h after the
 *     redispatch); verify_pass 6D+11h (due 6D+13h, on time) → closed.
 *
 * Place counts (reported, registered, rejected, place_closed) go to the area's unit (none: 0);
 * work counts to the unit last dispatched to at the move. 应处置: a handling on time falls due
 * the day it is done, a late one on its deadline's day (c6's: −1D, outside P); an open case
 * in the handle stage on its running deadline's day (c3).
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
#include "store/tally.h"

#include "pg_testdb.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

#define T0 INT64_C(1767196800)
#define H INT64_C(3600)
#define D INT64_C(86400)
#define EPS 1e-9

static struct db *db;
static struct err e;
static int64_t A, S, B, CAT, G1, G2;
static int64_t c1, c2, c3, c4, c5, c6, c7, c8, c9, c10;

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

/* due: 0 = no deadline recorded; unit: the unit a (re)dispatch sends the case to, else 0 */
static void evu(int64_t id, int64_t at, const char *action, const char *to, int64_t due,
                int64_t unit)
{
	cr_assert_eq(db_run(db,
	                    "INSERT INTO case_event (case_id, at, actor, action, to_status, due_at,"
	                    " unit_id) VALUES (?, ?, 'system', ?, ?, ?, ?)",
	                    DB_ARGS(db_int(id), db_int(at), db_text(action), db_text(to),
	                            due ? db_int(due) : db_null(), unit ? db_int(unit) : db_null()),
	                    &e),
	             0, "%s", e.msg);
}

static void ev(int64_t id, int64_t at, const char *action, const char *to, int64_t due)
{
	evu(id, at, action, to, due, 0);
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

static struct testdb tdb;

/* Opens a fresh database of either store, migrated and seeded. */
static void open_fresh(int pg)
{
	err_clear(&e);
	testdb_open(&tdb, pg, "stats", 1);
	db = tdb.db;
}

static void fill(void)
{
	A = get_int("SELECT id FROM unit WHERE code = ?", "210202");
	S = get_int("SELECT id FROM unit WHERE code = ?", "210202001");
	B = get_int("SELECT id FROM unit WHERE code = ?", "210203");
	CAT = get_int("SELECT MIN(id) FROM category WHERE kind = ?", "event");
	G1 = add_grid("TESTG1", A);
	G2 = add_grid("TESTG2", B);

	c1 = add_case("T1", "open311", A, G1, "closed", "", T0 + 1 * H, 0);
	ev(c1, T0 + 1 * H, "report", "reported", 0);
	ev(c1, T0 + 2 * H, "register", "registered", T0 + 3 * H);
	evu(c1, T0 + 3 * H, "dispatch", "dispatched", T0 + 4 * H, A);
	ev(c1, T0 + 4 * H, "accept", "handling", 0);
	ev(c1, T0 + 13 * H, "handle", "handled", T0 + 20 * H);
	ev(c1, T0 + 14 * H, "verify_pass", "closed", T0 + 16 * H);
	rate(c1, "satisfied", T0 + 15 * H);

	c2 = add_case("T2", "open311", S, G1, "closed", "", T0 + D, 0);
	ev(c2, T0 + D, "report", "reported", 0);
	ev(c2, T0 + D + 1 * H, "register", "registered", T0 + D + 2 * H);
	evu(c2, T0 + D + 5 * H, "dispatch", "dispatched", T0 + D + 3 * H, S);
	ev(c2, T0 + D + 6 * H, "accept", "handling", 0);
	ev(c2, T0 + D + 25 * H, "handle", "handled", T0 + D + 20 * H);
	ev(c2, T0 + D + 26 * H, "verify_fail", "handling", T0 + D + 30 * H);
	ev(c2, T0 + D + 30 * H, "handle", "handled", T0 + D + 40 * H);
	ev(c2, T0 + D + 50 * H, "verify_pass", "closed", T0 + D + 45 * H);
	rate(c2, "basically", T0 + 3 * D);

	c3 = add_case("T3", "open311", B, G2, "handling", "handle", T0 + 2 * D, T0 + 5 * D);
	ev(c3, T0 + 2 * D + 1 * H, "register", "registered", T0 + 2 * D + 2 * H);
	evu(c3, T0 + 2 * D + 2 * H, "dispatch", "dispatched", T0 + 2 * D + 1 * H, B);
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
	evu(c6, T0 - 4 * D, "dispatch", "dispatched", T0 - 4 * D + H, B);
	ev(c6, T0 + 2 * H, "handle", "handled", T0 - D);
	ev(c6, T0 + 3 * H, "verify_pass", "closed", T0 + 5 * H);
	rate(c6, "unsatisfied", T0 + 4 * H);

	c7 = add_case("T7", "inspector", B, 0, "deferred", "", T0 + 4 * D, T0 + 4 * D + 6 * H);
	ev(c7, T0 + 4 * D + 1 * H, "register", "registered", 0);
	evu(c7, T0 + 4 * D + 2 * H, "dispatch", "dispatched", T0 + 4 * D + 3 * H, B);
	ev(c7, T0 + 4 * D + 3 * H, "accept", "handling", 0);
	ev(c7, T0 + 4 * D + 5 * H, "defer", "deferred", T0 + 4 * D + 9 * H);

	c8 = add_case("T8", "open311", A, 0, "reported", "register", T0 + 10 * D,
	              T0 + 10 * D + 2 * H);
	ev(c8, T0 + 10 * D, "report", "reported", 0);

	cr_assert_eq(
	    db_get_int(db,
	               "INSERT INTO cases (code, token, source, category_id, status, stage,"
	               " area_id, requested_at, updated_at, expected_at, recurrence_of)"
	               " VALUES ('T9', 'T9', 'open311', ?, 'reported', 'register', ?, ?, ?,"
	               " ?, ?) RETURNING id",
	               DB_ARGS(db_int(CAT), db_int(G1), db_int(T0 + 5 * D), db_int(T0 + 5 * D),
	                       db_int(T0 + 5 * D + H), db_int(c1)),
	               &c9, &e),
	    0, "%s", e.msg);
	ev(c9, T0 + 5 * D, "report", "reported", 0);

	c10 = add_case("T10", "open311", B, G2, "closed", "", T0 + 6 * D, 0);
	ev(c10, T0 + 6 * D + 1 * H, "register", "registered", T0 + 6 * D + 2 * H);
	evu(c10, T0 + 6 * D + 2 * H, "dispatch", "dispatched", T0 + 6 * D + 3 * H, A);
	evu(c10, T0 + 6 * D + 4 * H, "redispatch", "dispatched", 0, B);
	ev(c10, T0 + 6 * D + 5 * H, "accept", "handling", 0);
	ev(c10, T0 + 6 * D + 10 * H, "handle", "handled", T0 + 6 * D + 30 * H);
	ev(c10, T0 + 6 * D + 11 * H, "verify_pass", "closed", T0 + 6 * D + 13 * H);
}

static void setup(void)
{
	open_fresh(0);
	fill();
}

static void setup_pg(void)
{
	open_fresh(1);
	fill();
}

static void teardown(void)
{
	testdb_close(&tdb);
	db = NULL;
}

TestSuite(stats, .init = setup, .fini = teardown);
/* The same data and figures on PostgreSQL: its triggers are plpgsql, not SQLite's. */
TestSuite(stats_pg, .init = setup_pg, .fini = teardown);

/* Each test on both stores. */
#define BOTH(name)                                                                                 \
	static void name(void);                                                                    \
	Test(stats, name)                                                                          \
	{                                                                                          \
		name();                                                                            \
	}                                                                                          \
	Test(stats_pg, name)                                                                       \
	{                                                                                          \
		name();                                                                            \
	}                                                                                          \
	static void name(void)

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

/* Every count of a row, in the order of struct fig_counts. */
struct want {
	int64_t reported, valid_reported, registered, rejected, dispatched, dispatched_ontime,
	    handled, due_handle, due_handled, due_handled_ontime, reworked, verified,
	    verified_ontime, closed, place_closed, deferred, ratings, satisfied, recurred,
	    overdue_now;
};

static void counts_are(const struct stats_row *r, struct want w)
{
#define C(f)                                                                                       \
	cr_assert_eq(r->c.f, w.f, "%s " #f ": %lld, want %lld", r->label, (long long)r->c.f,       \
	             (long long)w.f)
	C(reported);
	C(valid_reported);
	C(registered);
	C(rejected);
	C(dispatched);
	C(dispatched_ontime);
	C(handled);
	C(due_handle);
	C(due_handled);
	C(due_handled_ontime);
	C(reworked);
	C(verified);
	C(verified_ontime);
	C(closed);
	C(place_closed);
	C(deferred);
	C(ratings);
	C(satisfied);
	C(recurred);
	C(overdue_now);
#undef C
}

static double mean(const struct stats_row *row)
{
	double sum = 0;
	for (size_t i = 0; i < row->nhours; i++)
		sum += row->hours[i];
	return sum / (double)row->nhours;
}

static void collect(enum stats_group g, int64_t root, struct stats_set *s)
{
	cr_assert_eq(stats_collect(db, g, root, T0, T0 + 10 * D, T0 + 20 * D, s, &e), 0, "%s",
	             e.msg);
}

static void by_unit_is_right(void)
{
	struct stats_set s;
	collect(STATS_UNIT, 0, &s);
	cr_assert_eq(s.n, 4, "A, S, B and no unit: %zu rows", s.n);

	const struct stats_row *a = find(&s, A, NULL);
	cr_assert(a);
	cr_assert_str_eq(a->code, "210202");
	cr_assert_str_eq(a->label, "中山区");
	/* place: c1, c2, c9 reported in G1, c1 and c2 registered and closed there. work: c1
	 * dispatched, handled, verified, closed; c10 dispatched here first (on time), then
	 * redispatched. c9 recurs c1. overdue now: c8 (its unit), c9 (its area's) */
	counts_are(a, (struct want){.reported = 3,
	                            .valid_reported = 3,
	                            .registered = 2,
	                            .dispatched = 2,
	                            .dispatched_ontime = 2,
	                            .handled = 1,
	                            .due_handle = 1,
	                            .due_handled = 1,
	                            .due_handled_ontime = 1,
	                            .verified = 1,
	                            .verified_ontime = 1,
	                            .closed = 1,
	                            .place_closed = 2,
	                            .ratings = 1,
	                            .satisfied = 1,
	                            .recurred = 1,
	                            .overdue_now = 2});
	/* 立案 2/3, 按期派遣 2/2, 处置 1/1, 按期处置 1/1, 返工 0/1, 按期核查 1/1, 结案 2/2,
	 * 满意 1/1, 复发 1/1 (scored 0). Weights 10,10,15,20,10,10,10,10,5 (100):
	 * 20/3 + 10 + 15 + 20 + 10 + 10 + 10 + 10 + 0 = 275/3 */
	rate_is(a, FIG_REGISTER, 2.0 / 3);
	rate_is(a, FIG_DISPATCH_ONTIME, 1);
	rate_is(a, FIG_HANDLE, 1);
	rate_is(a, FIG_HANDLE_ONTIME, 1);
	rate_is(a, FIG_REWORK, 0);
	rate_is(a, FIG_VERIFY_ONTIME, 1);
	rate_is(a, FIG_CLOSE, 1);
	rate_is(a, FIG_SATISFACTION, 1);
	rate_is(a, FIG_RECUR, 1);
	cr_assert_float_eq(score(a), 275.0 / 3, 1e-9);
	cr_assert_eq(a->nhours, 1);
	cr_assert_float_eq(a->hours[0], 10, EPS);

	const struct stats_row *st = find(&s, S, NULL);
	cr_assert(st);
	/* c2's work: dispatched late, 2 handlings (the late one falls due on day 1, the on-time
	 * one on day 2), 1 rework, 2 verifications of which the pass was late, closed, rated
	 * basically. No place of its own: nothing reported or registered here. */
	counts_are(st, (struct want){.dispatched = 1,
	                             .handled = 2,
	                             .due_handle = 2,
	                             .due_handled = 2,
	                             .due_handled_ontime = 1,
	                             .reworked = 1,
	                             .verified = 2,
	                             .verified_ontime = 1,
	                             .closed = 1,
	                             .ratings = 1,
	                             .satisfied = 1});
	/* 立案 and 结案 undefined (0/0); 按期派遣 0/1, 处置 2/2, 按期处置 1/2, 返工 1/2,
	 * 按期核查 1/2, 满意 1/1, 复发 0/1: (0 + 15 + 10 + 5 + 5 + 10 + 5) / 80 × 100 = 62.5 */
	rate_null(st, FIG_REGISTER);
	rate_null(st, FIG_CLOSE);
	rate_is(st, FIG_DISPATCH_ONTIME, 0);
	rate_is(st, FIG_HANDLE, 1);
	rate_is(st, FIG_HANDLE_ONTIME, 0.5);
	rate_is(st, FIG_REWORK, 0.5);
	rate_is(st, FIG_VERIFY_ONTIME, 0.5);
	rate_is(st, FIG_SATISFACTION, 1);
	rate_is(st, FIG_RECUR, 0);
	cr_assert_float_eq(score(st), 62.5, 1e-9);
	/* dispatch 1D+5h → handle 1D+25h = 20 h, → 1D+30h = 25 h; mean 22.5, p90 rank 2 = 25 */
	cr_assert_eq(st->nhours, 2);
	cr_assert_float_eq(mean(st), 22.5, EPS);
	cr_assert_float_eq(percentile(st, 90), 25, EPS);

	const struct stats_row *b = find(&s, B, NULL);
	cr_assert(b);
	/* place: c3, c10 reported and registered in G2, c10 closed there. work: c3 dispatched
	 * late, c7 on time; handled c6 (late: due on −1D, outside P) and c10 (on time); due also
	 * c3, open in the handle stage; verified and closed c6, c10; deferred c7; c6 rated
	 * unsatisfied; overdue now c3 (c7 is deferred) */
	counts_are(b, (struct want){.reported = 2,
	                            .valid_reported = 2,
	                            .registered = 2,
	                            .dispatched = 2,
	                            .dispatched_ontime = 1,
	                            .handled = 2,
	                            .due_handle = 2,
	                            .due_handled = 1,
	                            .due_handled_ontime = 1,
	                            .verified = 2,
	                            .verified_ontime = 2,
	                            .closed = 2,
	                            .place_closed = 1,
	                            .deferred = 1,
	                            .ratings = 1,
	                            .overdue_now = 1});
	/* 立案 2/2, 按期派遣 1/2, 处置 1/2, 按期处置 1/2, 返工 0/2, 按期核查 2/2, 结案 1/2,
	 * 满意 0/1, 复发 0/2: 10 + 5 + 7.5 + 10 + 10 + 10 + 5 + 0 + 5 = 62.5 */
	rate_is(b, FIG_REGISTER, 1);
	rate_is(b, FIG_DISPATCH_ONTIME, 0.5);
	rate_is(b, FIG_HANDLE, 0.5);
	rate_is(b, FIG_HANDLE_ONTIME, 0.5);
	rate_is(b, FIG_REWORK, 0);
	rate_is(b, FIG_VERIFY_ONTIME, 1);
	rate_is(b, FIG_CLOSE, 0.5);
	rate_is(b, FIG_SATISFACTION, 0);
	rate_is(b, FIG_RECUR, 0);
	cr_assert_float_eq(score(b), 62.5, 1e-9);
	/* c6: dispatched −4D, handled 2h → 98 h; c10: redispatched 6D+4h, handled 6D+10h → 6 h */
	cr_assert_eq(b->nhours, 2);
	cr_assert_float_eq(mean(b), 52, EPS);
	cr_assert_float_eq(percentile(b, 90), 98, EPS);

	const struct stats_row *none = find(&s, 0, NULL);
	cr_assert(none);
	/* no area: c4 rejected, c5 merged (not a valid report), c7 reported and registered;
	 * c6 closed (its place is unknown) */
	counts_are(none, (struct want){.reported = 3,
	                               .valid_reported = 2,
	                               .registered = 1,
	                               .rejected = 1,
	                               .place_closed = 1});
	rate_is(none, FIG_REGISTER, 0.5);
	rate_is(none, FIG_CLOSE, 1);
	rate_null(none, FIG_DISPATCH_ONTIME);
	rate_null(none, FIG_HANDLE);
	rate_null(none, FIG_HANDLE_ONTIME);
	rate_null(none, FIG_REWORK);
	rate_null(none, FIG_VERIFY_ONTIME);
	rate_null(none, FIG_SATISFACTION);
	rate_null(none, FIG_RECUR);
	cr_assert_float_eq(score(none), 75, EPS); /* (10 × 0.5 + 10 × 1) / 20 */
	cr_assert_eq(none->nhours, 0);
	stats_set_free(&s);
}

BOTH(by_unit)
{
	by_unit_is_right();
}

/* Folding moves the deltas into case_tally; the figures read the same before and after, and
 * again when new deltas arrive on top of folded rows. */
BOTH(folding_changes_no_figure)
{
	int64_t n = -1, left = -1;
	cr_assert_eq(tally_fold(db, 7, &n, &e), 0, "%s", e.msg); /* small chunks: many passes */
	cr_assert_gt(n, 20);
	cr_assert_eq(db_get_int(db, "SELECT COUNT(*) FROM case_tally_delta", NULL, 0, &left, &e),
	             0);
	cr_assert_eq(left, 0);
	by_unit_is_right();
	/* a late rating on c10 (B) after the fold: a delta on top of a folded row */
	rate(c10, "satisfied", T0 + 7 * D);
	struct stats_set s;
	collect(STATS_UNIT, B, &s);
	cr_assert_eq(s.rows[0].c.ratings, 2);
	cr_assert_eq(s.rows[0].c.satisfied, 1);
	stats_set_free(&s);
	cr_assert_eq(tally_fold(db, 0, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 1);
	collect(STATS_UNIT, B, &s);
	cr_assert_eq(s.rows[0].c.ratings, 2);
	stats_set_free(&s);
}

BOTH(by_district_rolls_streets_up)
{
	struct stats_set s;
	collect(STATS_DISTRICT, 0, &s);
	cr_assert_eq(s.n, 3, "中山区, 西岗区 and no unit");
	cr_assert_null(find(&s, S, NULL), "the street is in its district's row");
	const struct stats_row *a = find(&s, A, NULL);
	cr_assert(a);
	/* A + S */
	counts_are(a, (struct want){.reported = 3,
	                            .valid_reported = 3,
	                            .registered = 2,
	                            .dispatched = 3,
	                            .dispatched_ontime = 2,
	                            .handled = 3,
	                            .due_handle = 3,
	                            .due_handled = 3,
	                            .due_handled_ontime = 2,
	                            .reworked = 1,
	                            .verified = 3,
	                            .verified_ontime = 2,
	                            .closed = 2,
	                            .place_closed = 2,
	                            .ratings = 2,
	                            .satisfied = 2,
	                            .recurred = 1,
	                            .overdue_now = 2});
	rate_is(a, FIG_REWORK, 1.0 / 3);
	/* handling times 10, 20, 25: mean 55/3, p90 = rank ceil(2.7) = 3rd = 25 */
	cr_assert_eq(a->nhours, 3);
	cr_assert_float_eq(mean(a), 55.0 / 3, 1e-9);
	cr_assert_float_eq(percentile(a, 90), 25, EPS);
	const struct stats_row *b = find(&s, B, NULL);
	cr_assert(b);
	EQ(b, reported, 2);
	EQ(b, closed, 2);
	EQ(b, overdue_now, 1);
	stats_set_free(&s);
}

BOTH(by_category_and_source)
{
	struct stats_set s;
	collect(STATS_CATEGORY, 0, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.rows[0].key, CAT);
	/* everything: c1–c5, c7, c9, c10 reported (c5 not valid); closed c1, c2, c6, c10;
	 * overdue c3, c8, c9; due: A 1, S 2, B 2 */
	EQ(&s.rows[0], reported, 8);
	EQ(&s.rows[0], valid_reported, 7);
	EQ(&s.rows[0], closed, 4);
	EQ(&s.rows[0], place_closed, 4);
	EQ(&s.rows[0], overdue_now, 3);
	EQ(&s.rows[0], due_handle, 5);
	EQ(&s.rows[0], due_handled, 4);
	EQ(&s.rows[0], recurred, 1);
	stats_set_free(&s);

	collect(STATS_SOURCE, 0, &s);
	cr_assert_eq(s.n, 2);
	const struct stats_row *o = find(&s, 0, "open311"), *i = find(&s, 0, "inspector");
	cr_assert(o && i);
	cr_assert_str_eq(o->label, "open311");
	EQ(o, reported, 5); /* c1, c2, c3, c9, c10 */
	EQ(i, reported, 3); /* c4, c5, c7 */
	EQ(i, valid_reported, 2);
	EQ(o, closed, 3); /* c1, c2, c10 */
	EQ(i, closed, 1); /* c6 */
	stats_set_free(&s);
}

BOTH(reach_limits_the_units)
{
	struct stats_set s;
	/* 西岗区's reach: its own row only */
	collect(STATS_UNIT, B, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.rows[0].key, B);
	EQ(&s.rows[0], reported, 2);
	EQ(&s.rows[0], closed, 2);
	stats_set_free(&s);
	/* 中山区's: A and its street */
	collect(STATS_UNIT, A, &s);
	cr_assert_eq(s.n, 2);
	cr_assert(find(&s, A, NULL) && find(&s, S, NULL));
	stats_set_free(&s);
}

BOTH(empty_period)
{
	struct stats_set s;
	cr_assert_eq(
	    stats_collect(db, STATS_UNIT, 0, T0 + 100 * D, T0 + 101 * D, T0 + 20 * D, &s, &e), 0,
	    "%s", e.msg);
	/* nothing in the period; only the overdue-now counts (not period-bound) make rows */
	cr_assert_gt(s.n, 0);
	for (size_t i = 0; i < s.n; i++) {
		EQ(&s.rows[i], reported, 0);
		for (int f = 0; f < FIG_COUNT; f++)
			rate_null(&s.rows[i], (enum fig_id)f);
	}
	stats_set_free(&s);
}

Test(stats, days_are_local)
{
	/* 2026-01-01 00:00 +08:00 is 2025-12-31 16:00 UTC */
	cr_assert_eq(stats_day_floor(T0), T0);
	cr_assert_eq(stats_day_floor(T0 + D - 1), T0);
	cr_assert_eq(stats_day_floor(T0 - 1), T0 - D);
	cr_assert_eq(stats_day_ceil(T0), T0);
	cr_assert_eq(stats_day_ceil(T0 + 1), T0 + D);
}

BOTH(trend_per_day)
{
	struct stats_set s;
	cr_assert_eq(stats_trend(db, STATS_NONE, 0, T0, T0 + 10 * D, &s, &e), 0, "%s", e.msg);
	/* reported by day: c1 | c2 | c3 | c4 c5 | c7 | c9 | c10;
	 * closed (at the place): c1, c6 | – | – | c2 | – | – | c10;
	 * late moves: c6 handle | c2 dispatch | c2 handle (1D+25h), c3 dispatch | c2 pass | – */
	int64_t rep[] = {1, 1, 1, 2, 1, 1, 1}, clo[] = {2, 0, 0, 1, 0, 0, 1},
	        late[] = {1, 1, 2, 1, 0, 0, 0};
	cr_assert_eq(s.n, 7);
	for (int i = 0; i < 7; i++) {
		cr_assert_eq(s.rows[i].day, T0 + i * D, "day %d", i);
		cr_assert_eq(s.rows[i].c.reported, rep[i], "day %d reported", i);
		cr_assert_eq(s.rows[i].c.place_closed, clo[i], "day %d closed", i);
		cr_assert_eq(s.rows[i].late, late[i], "day %d late", i);
	}
	stats_set_free(&s);

	cr_assert_eq(stats_trend(db, STATS_DISTRICT, 0, T0, T0 + 10 * D, &s, &e), 0, "%s", e.msg);
	int64_t a_rep = 0;
	for (size_t i = 0; i < s.n; i++)
		if (s.rows[i].key == A)
			a_rep += s.rows[i].c.reported;
	cr_assert_eq(a_rep, 3, "c1, c2 and c9 under 中山区");
	stats_set_free(&s);
}

BOTH(hotspots)
{
	struct stats_set s;
	cr_assert_eq(stats_hotspots(db, 0, T0, T0 + 10 * D, 10, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.rows[0].key, G1); /* c1, c2, c9 */
	cr_assert_str_eq(s.rows[0].code, "TESTG1");
	cr_assert_eq(s.rows[0].c.reported, 3);
	cr_assert_eq(s.rows[0].c.overdue_now, 1, "c9 open");
	cr_assert_eq(s.rows[1].key, G2); /* c3 open, c10 */
	cr_assert_eq(s.rows[1].c.reported, 2);
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
