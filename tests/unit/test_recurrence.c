/* Likely duplicates and recurrences of a new report (store/recurrence.h): the 50 m edge, the
 * 30-day edge, open vs closed vs rejected, other categories ignored, nearest and most recent
 * win; then the one indexed query on a real database, and the rating's reopen roles. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/public_followup.h"
#include "core/case_fsm.h"
#include "core/geo.h"
#include "core/roles.h"
#include "store/case_store.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/recurrence.h"
#include "store/seed.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

/* 中山广场, Dalian. */
#define LAT 38.9140
#define LON 121.6147
#define NOW 1793579400LL /* 2026-11-02 08:30 Shanghai */
#define DAY 86400LL

/* Metres due north along the meridian, as a latitude offset (exact on the haversine sphere). */
static double north(double m)
{
	return LAT + m / (GEO_EARTH_RADIUS_M * M_PI / 180.0);
}

static const struct recur_report REPORT = {.category_id = 7, .lat = LAT, .lon = LON, .now = NOW};

static struct recur_candidate cand(int64_t id, double metres, const char *status, int64_t closed_at)
{
	return (struct recur_candidate){.id = id,
	                                .category_id = 7,
	                                .lat = north(metres),
	                                .lon = LON,
	                                .status = status,
	                                .closed_at = closed_at,
	                                .requested_at = NOW - 10 * DAY};
}

static struct recur_pick pick(const struct recur_candidate *c, size_t n)
{
	struct recur_pick p;
	recur_pick_all(&REPORT, c, n, &p);
	return p;
}

Test(recurrence, constants_are_the_documented_policy)
{
	cr_expect_eq(RECUR_RADIUS_M, 50.0);
	cr_expect_eq(RECUR_WINDOW_S, 30 * 86400);
}

Test(recurrence, nothing_around)
{
	struct recur_pick p = pick(NULL, 0);
	cr_expect_eq(p.likely_duplicate_of, 0);
	cr_expect_eq(p.recurrence_of, 0);
}

Test(recurrence, radius_edge_for_duplicates)
{
	/* The distances are what geo_distance_m says, so the test is about the rule, not the
	 * conversion. */
	struct recur_candidate in = cand(1, 49.99, "registered", 0);
	struct recur_candidate out = cand(2, 50.01, "registered", 0);
	cr_assert_lt(geo_distance_m(LAT, LON, in.lat, in.lon), 50.0);
	cr_assert_gt(geo_distance_m(LAT, LON, out.lat, out.lon), 50.0);
	cr_expect_eq(pick(&in, 1).likely_duplicate_of, 1);
	cr_expect_eq(pick(&out, 1).likely_duplicate_of, 0);
	/* 10 m away: a duplicate; 200 m away: not. */
	struct recur_candidate near = cand(3, 10, "reported", 0), far = cand(4, 200, "reported", 0);
	cr_expect_eq(pick(&near, 1).likely_duplicate_of, 3);
	cr_expect_eq(pick(&far, 1).likely_duplicate_of, 0);
}

Test(recurrence, radius_edge_for_recurrences)
{
	struct recur_candidate in = cand(1, 49.99, "closed", NOW - DAY);
	struct recur_candidate out = cand(2, 50.01, "closed", NOW - DAY);
	cr_expect_eq(pick(&in, 1).recurrence_of, 1);
	cr_expect_eq(pick(&out, 1).recurrence_of, 0);
}

Test(recurrence, every_open_status_is_a_duplicate_candidate)
{
	const char *open[] = {"reported", "registered", "dispatched",
	                      "handling", "handled",    "deferred"};
	for (size_t i = 0; i < sizeof open / sizeof open[0]; i++) {
		struct recur_candidate c = cand(9, 5, open[i], 0);
		struct recur_pick p = pick(&c, 1);
		cr_expect_eq(p.likely_duplicate_of, 9, "%s is open", open[i]);
		cr_expect_eq(p.recurrence_of, 0, "%s is not closed", open[i]);
	}
}

Test(recurrence, thirty_day_window_edge)
{
	struct recur_candidate at_edge = cand(1, 5, "closed", NOW - RECUR_WINDOW_S);
	struct recur_candidate past = cand(2, 5, "closed", NOW - RECUR_WINDOW_S - 1);
	struct recur_candidate just_now = cand(3, 5, "closed", NOW);
	cr_expect_eq(pick(&at_edge, 1).recurrence_of, 1, "exactly 30 days counts");
	cr_expect_eq(pick(&past, 1).recurrence_of, 0, "30 days and a second does not");
	cr_expect_eq(pick(&just_now, 1).recurrence_of, 3);
	/* A closed case is never a duplicate, however near. */
	cr_expect_eq(pick(&at_edge, 1).likely_duplicate_of, 0);
	cr_expect_eq(pick(&past, 1).likely_duplicate_of, 0);
}

Test(recurrence, rejected_and_odd_rows_are_ignored)
{
	struct recur_candidate c[] = {
	    cand(1, 5, "rejected", 0),         /* not a problem, or merged */
	    cand(2, 5, "rejected", NOW - DAY), /* never counts as closed */
	    cand(3, 5, "closed", 0),           /* closed without a time: no window to be in */
	    cand(4, 5, "closed", NOW + DAY),   /* closed in the future: clock skew */
	    cand(5, 5, NULL, 0),
	};
	c[4].status = NULL;
	struct recur_pick p = pick(c, sizeof c / sizeof c[0]);
	cr_expect_eq(p.likely_duplicate_of, 0);
	cr_expect_eq(p.recurrence_of, 0);
}

Test(recurrence, other_categories_are_ignored)
{
	struct recur_candidate open = cand(1, 1, "handling", 0);
	struct recur_candidate closed = cand(2, 1, "closed", NOW - DAY);
	open.category_id = closed.category_id = 8;
	struct recur_candidate both[] = {open, closed};
	struct recur_pick p = pick(both, 2);
	cr_expect_eq(p.likely_duplicate_of, 0);
	cr_expect_eq(p.recurrence_of, 0);
}

Test(recurrence, nearest_open_and_most_recently_closed_win)
{
	struct recur_candidate c[] = {
	    cand(1, 40, "registered", 0),         cand(2, 12, "handling", 0),
	    cand(3, 30, "dispatched", 0),         cand(4, 45, "closed", NOW - 2 * DAY),
	    cand(5, 3, "closed", NOW - 20 * DAY), cand(6, 49, "closed", NOW - DAY),
	};
	struct recur_pick p = pick(c, sizeof c / sizeof c[0]);
	cr_expect_eq(p.likely_duplicate_of, 2, "the nearest open case");
	cr_expect_eq(p.recurrence_of, 6, "the most recently closed, not the nearest");
	cr_expect_float_eq(p.duplicate_m, 12.0, 0.01);
	/* Any order gives the same answer. */
	struct recur_candidate r[] = {c[5], c[4], c[3], c[2], c[1], c[0]};
	struct recur_pick q = pick(r, 6);
	cr_expect_eq(q.likely_duplicate_of, 2);
	cr_expect_eq(q.recurrence_of, 6);
}

Test(recurrence, ties_pick_the_older_duplicate_and_the_later_id)
{
	struct recur_candidate c[] = {cand(8, 10, "handling", 0), cand(5, 10, "registered", 0),
	                              cand(3, 20, "closed", NOW - DAY),
	                              cand(4, 20, "closed", NOW - DAY)};
	struct recur_pick p = pick(c, 4);
	cr_expect_eq(p.likely_duplicate_of, 5);
	cr_expect_eq(p.recurrence_of, 4);
}

Test(recurrence, the_report_itself_is_both_kinds_at_once)
{
	/* An open case and a recently closed one at the same place: both flags. */
	struct recur_candidate c[] = {cand(1, 5, "handling", 0), cand(2, 5, "closed", NOW - DAY)};
	struct recur_pick p = pick(c, 2);
	cr_expect_eq(p.likely_duplicate_of, 1);
	cr_expect_eq(p.recurrence_of, 2);
}

/* The rating's reopen move must be possible from a closed case with the roles it uses, and
 * is made as the system as soon as the transition table allows it. */
Test(recurrence, rating_reopen_roles_can_reopen)
{
	unsigned roles = rating_reopen_roles();
	cr_expect(case_fsm_can(CASE_CLOSED, CASE_ACT_REOPEN, roles));
	if (case_fsm_can(CASE_CLOSED, CASE_ACT_REOPEN, ROLE_SYSTEM))
		cr_expect_eq(roles, (unsigned)ROLE_SYSTEM);
	else
		cr_expect_eq(roles, (unsigned)ROLE_OFFICE);
}

/* ---- recur_find on a real database ---- */

static struct db *db;
static char path[64];
static struct err e;

static void setup(void)
{
	snprintf(path, sizeof path, "/tmp/wm-recur-%d.db", (int)getpid());
	unlink(path);
	cr_assert_eq(db_open(path, &db, &e), 0, "%s", e.msg);
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	cr_assert_eq(seed_load(db, WM_DATA_DIR, 1, &e), 0, "%s", e.msg);
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

static int64_t category(const char *service_code)
{
	int64_t v = -1;
	cr_assert_eq(db_get_int(db, "SELECT id FROM category WHERE service_code = ?",
	                        DB_ARGS(db_text(service_code)), &v, &e),
	             0, "%s", e.msg);
	return v;
}

/* Files a report at `metres` north of the centre; then sets its status and closing time. */
static int64_t file_at(int64_t cat, double metres, const char *status, int64_t closed_at)
{
	struct case_report r = {.prefix = "DL",
	                        .now = NOW - 40 * DAY,
	                        .source = "open311",
	                        .actor = "citizen",
	                        .roles = ROLE_PUBLIC,
	                        .category_id = cat,
	                        .description = "",
	                        .address = "",
	                        .address_id = "",
	                        .zipcode = "",
	                        .has_location = 1,
	                        .lat = north(metres),
	                        .lon = LON,
	                        .media_url = "",
	                        .email = "",
	                        .phone = "",
	                        .first_name = "",
	                        .last_name = "",
	                        .device_id = "",
	                        .account_id = "",
	                        .status_notes = "",
	                        .service_notice = ""};
	struct case_ref ref;
	cr_assert_eq(case_report_file(db, &r, &ref, &e), 0, "%s", e.msg);
	cr_assert_eq(db_run(db, "UPDATE cases SET status = ?, closed_at = ? WHERE id = ?",
	                    DB_ARGS(db_text(status), closed_at ? db_int(closed_at) : db_null(),
	                            db_int(ref.id)),
	                    &e),
	             0, "%s", e.msg);
	return ref.id;
}

TestSuite(recurrence_db, .init = setup, .fini = teardown);

Test(recurrence_db, one_query_finds_both)
{
	int64_t cat = category("E0102"), other = category("E0101");
	cr_assert_neq(cat, other);
	int64_t far_open = file_at(cat, 200, "registered", 0);
	int64_t near_open = file_at(cat, 10, "handling", 0);
	int64_t nearer_other = file_at(other, 2, "handling", 0);
	int64_t old_closed = file_at(cat, 5, "closed", NOW - 31 * DAY);
	int64_t closed = file_at(cat, 30, "closed", NOW - DAY);
	int64_t rejected = file_at(cat, 1, "rejected", NOW - DAY);
	(void)far_open, (void)nearer_other, (void)old_closed, (void)rejected;
	struct recur_report r = {.category_id = cat, .lat = LAT, .lon = LON, .now = NOW};
	struct recur_pick p;
	cr_assert_eq(recur_find(db, &r, &p, &e), 0, "%s", e.msg);
	cr_expect_eq(p.likely_duplicate_of, near_open);
	cr_expect_eq(p.recurrence_of, closed);
	/* 400 m north the nearest case (the far open one) is 200 m off: nothing. */
	r.lat = north(400);
	cr_assert_eq(recur_find(db, &r, &p, &e), 0, "%s", e.msg);
	cr_expect_eq(p.likely_duplicate_of, 0);
	cr_expect_eq(p.recurrence_of, 0);
	/* Filed with the flags, the case stores them. */
	struct case_report fr = {.prefix = "DL",
	                         .now = NOW,
	                         .source = "open311",
	                         .actor = "citizen",
	                         .roles = ROLE_PUBLIC,
	                         .category_id = cat,
	                         .description = "",
	                         .address = "",
	                         .address_id = "",
	                         .zipcode = "",
	                         .media_url = "",
	                         .email = "",
	                         .phone = "",
	                         .first_name = "",
	                         .last_name = "",
	                         .device_id = "",
	                         .account_id = "",
	                         .status_notes = "",
	                         .service_notice = "",
	                         .likely_duplicate_of = near_open,
	                         .recurrence_of = closed};
	struct case_ref ref;
	cr_assert_eq(case_report_file(db, &fr, &ref, &e), 0, "%s", e.msg);
	int64_t v = 0;
	cr_assert_eq(db_get_int(db, "SELECT likely_duplicate_of FROM cases WHERE id = ?",
	                        DB_ARGS(db_int(ref.id)), &v, &e),
	             0);
	cr_expect_eq(v, near_open);
	cr_assert_eq(db_get_int(db, "SELECT recurrence_of FROM cases WHERE id = ?",
	                        DB_ARGS(db_int(ref.id)), &v, &e),
	             0);
	cr_expect_eq(v, closed);
}
