/* The escalation pass: a stage at 75% of its time turns yellow, past due red (supervision
 * level up), each once; the unit's and its parent's users are notified; everything is on the
 * timeline and the audit trail; a new stage starts green again. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/roles.h"
#include "core/sla.h"
#include "core/workcal.h"
#include "store/audit.h"
#include "store/case_store.h"
#include "store/db.h"
#include "store/escalate.h"
#include "store/migrate.h"
#include "store/seed.h"
#include "store/users.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

static struct db *db;
static char path[64];
static struct err e;
static struct workcal *cal;

static void setup(void)
{
	snprintf(path, sizeof path, "/tmp/wm-esc-%d.db", (int)getpid());
	unlink(path);
	cr_assert_eq(db_open(path, &db, &e), 0, "%s", e.msg);
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	cr_assert_eq(seed_load(db, WM_DATA_DIR, 1, &e), 0, "%s", e.msg);
	cr_assert_eq(workcal_new(NULL, 0, NULL, 0, &cal, &e), 0);
}

static void teardown(void)
{
	workcal_free(cal);
	db_close(db);
	char p[96];
	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

TestSuite(escalate, .init = setup, .fini = teardown);

static int64_t get_int(const char *sql, int64_t arg)
{
	int64_t v = -1;
	cr_assert_eq(db_get_int(db, sql, DB_ARGS(db_int(arg)), &v, &e), 0, "%s: %s", sql, e.msg);
	return v;
}

static int64_t id_of(const char *sql, const char *code)
{
	int64_t v = -1;
	cr_assert_eq(db_get_int(db, sql, DB_ARGS(db_text(code)), &v, &e), 0, "%s", e.msg);
	return v;
}

/* 2026-11-02 (Mon) 08:30 Shanghai. */
static const int64_t MON_0830 = 1793579400;

Test(escalate, yellow_then_red_once_with_notifications)
{
	int64_t street = id_of("SELECT id FROM unit WHERE code = ?", "210202001");
	int64_t district = id_of("SELECT id FROM unit WHERE code = ?", "210202");
	int64_t other = id_of("SELECT id FROM unit WHERE code = ?", "210203");
	int64_t cat = id_of("SELECT id FROM category WHERE service_code = ?", "E0102");
	int64_t uid_street, uid_district, uid_other;
	cr_assert_eq(user_create(db, "street", "s", street, ROLE_HANDLER, "h", 1, &uid_street, &e),
	             0);
	cr_assert_eq(
	    user_create(db, "district", "d", district, ROLE_LEADER, "h", 1, &uid_district, &e), 0);
	cr_assert_eq(user_create(db, "other", "o", other, ROLE_HANDLER, "h", 1, &uid_other, &e), 0);
	/* A case dispatched to the street at 08:30 with a 450-minute (one day) limit. */
	struct sla_limits lim = {
	    .register_minutes = 60, .handle_minutes = 450, .verify_minutes = 60};
	struct sla_clock clock;
	sla_start(cal, &lim, MON_0830, &clock, NULL);
	struct case_report r = {.prefix = "TE",
	                        .now = MON_0830,
	                        .source = "test",
	                        .actor = "test",
	                        .roles = ROLE_PUBLIC,
	                        .category_id = cat,
	                        .description = "",
	                        .address = "x",
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
	                        .clock = &clock};
	struct case_ref ref;
	cr_assert_eq(db_begin_write(db, &e), 0);
	cr_assert_eq(case_report_file(db, &r, &ref, &e), 0, "%s", e.msg);
	struct case_step s = {.case_id = ref.id,
	                      .action = "register",
	                      .roles = ROLE_DISPATCHER,
	                      .actor = "user:1",
	                      .note = "",
	                      .now = MON_0830,
	                      .cal = cal,
	                      .limits = &lim};
	cr_assert_eq(case_step_apply(db, &s, NULL, &e), 0, "%s", e.msg);
	s.action = "dispatch";
	s.unit_id = street;
	cr_assert_eq(case_step_apply(db, &s, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(db_commit(db, &e), 0);
	cr_expect_eq(get_int("SELECT expected_at FROM cases WHERE id = ?", ref.id),
	             MON_0830 + 9 * 3600, "due 17:30");

	struct escalate_stats st;
	cr_assert_eq(escalate_pass(db, MON_0830 + 3600, &st, &e), 0, "%s", e.msg);
	cr_expect_eq(st.yellow + st.red, 0, "early: nothing");
	/* 75% of 450 = 337.5 working minutes: 15:38. */
	cr_assert_eq(escalate_pass(db, MON_0830 + 7 * 3600 + 8 * 60, &st, &e), 0, "%s", e.msg);
	cr_expect_eq(st.yellow, 1);
	cr_expect_eq(get_int("SELECT alert FROM cases WHERE id = ?", ref.id), 1);
	cr_assert_eq(escalate_pass(db, MON_0830 + 7 * 3600 + 30 * 60, &st, &e), 0);
	cr_expect_eq(st.yellow + st.red, 0, "yellow once");
	cr_assert_eq(escalate_pass(db, MON_0830 + 9 * 3600 + 60, &st, &e), 0);
	cr_expect_eq(st.red, 1);
	cr_expect_eq(get_int("SELECT alert FROM cases WHERE id = ?", ref.id), 2);
	cr_expect_eq(get_int("SELECT supervise_level FROM cases WHERE id = ?", ref.id), 1);
	cr_assert_eq(escalate_pass(db, MON_0830 + 20 * 3600, &st, &e), 0);
	cr_expect_eq(st.red, 0, "red once");
	cr_expect_eq(get_int("SELECT COUNT(*) FROM case_event WHERE case_id = ? AND action ="
	                     " 'escalate'",
	                     ref.id),
	             2);
	/* The street's user and the district's (its parent) got both; 西岗区's none. */
	cr_expect_eq(get_int("SELECT COUNT(*) FROM notification WHERE user_id = ?", uid_street), 2);
	cr_expect_eq(get_int("SELECT COUNT(*) FROM notification WHERE user_id = ?", uid_district),
	             2);
	cr_expect_eq(get_int("SELECT COUNT(*) FROM notification WHERE user_id = ?", uid_other), 0);
	struct audit_report ar;
	cr_assert_eq(audit_verify(db, &ar, &e), 0);
	cr_expect_eq(ar.broken_id, 0, "%s", ar.reason);
	cr_expect_eq(get_int("SELECT COUNT(*) FROM audit_log WHERE action = 'case.escalate' AND"
	                     " id > ?",
	                     0),
	             2);
	/* Handled: the verify stage starts green. */
	cr_assert_eq(db_begin_write(db, &e), 0);
	s = (struct case_step){.case_id = ref.id,
	                       .action = "accept",
	                       .roles = ROLE_HANDLER,
	                       .actor = "user:2",
	                       .note = "",
	                       .now = MON_0830 + 20 * 3600,
	                       .cal = cal,
	                       .limits = &lim};
	cr_assert_eq(case_step_apply(db, &s, NULL, &e), 0, "%s", e.msg);
	s.action = "handle";
	s.note = "done";
	cr_assert_eq(case_step_apply(db, &s, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(db_commit(db, &e), 0);
	cr_expect_eq(get_int("SELECT alert FROM cases WHERE id = ?", ref.id), 0);
	cr_expect_eq(get_int("SELECT COUNT(*) FROM case_event WHERE case_id = ? AND action ="
	                     " 'handle' AND due_at IS NOT NULL",
	                     ref.id),
	             1, "the move records the deadline of the stage it ended");
}
