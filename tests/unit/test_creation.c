/* Grassroots creation: the state machine (every legal move, every illegal one refused with the
 * right code, roles, the reason of a revocation), and the store on SQLite and PostgreSQL —
 * the demo records loaded at init, declaring, a self-assessment scored against a hand-computed
 * set of items, moves guarded by version and state, replays, and coverage by district. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/creation_fsm.h"
#include "core/roles.h"
#include "lib/err.h"
#include "pg_testdb.h"
#include "store/creations.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/seed.h"
#include "store/standards.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

/* ---- the state machine */

static const unsigned OFFICE = ROLE_OFFICE, ADMIN = ROLE_ADMIN, HANDLER = ROLE_HANDLER;

static int apply(enum creation_state from, const char *action, unsigned roles, const char *note,
                 enum creation_state *to)
{
	struct creation_move mv;
	int rc = creation_fsm_apply(from, action, roles, note, &mv);
	if (rc == 0 && to)
		*to = mv.to;
	return rc;
}

Test(creation_fsm, one_row_per_state_and_action)
{
	size_t n;
	const struct creation_transition *t = creation_fsm_table(&n);
	for (int s = 0; s < CREATION_STATE_COUNT; s++)
		for (int a = 0; a < CREATION_ACT_COUNT; a++) {
			int rows = 0;
			for (size_t i = 0; i < n; i++)
				rows += t[i].action == (enum creation_action)a &&
				        (t[i].from & CREATION_BIT(s));
			cr_assert_leq(rows, 1, "state %d action %d", s, a);
		}
}

Test(creation_fsm, the_lifecycle)
{
	enum creation_state to;
	cr_assert_eq(apply(CREATION_NONE, "declare", HANDLER, NULL, &to), 0);
	cr_assert_eq(to, CREATION_DECLARED);
	cr_assert_eq(apply(CREATION_DECLARED, "review", OFFICE, NULL, &to), 0);
	cr_assert_eq(to, CREATION_REVIEWING);
	cr_assert_eq(apply(CREATION_REVIEWING, "name", ADMIN, NULL, &to), 0);
	cr_assert_eq(to, CREATION_NAMED);
	/* 复查 of a named unit, named again */
	cr_assert_eq(apply(CREATION_NAMED, "review", OFFICE, NULL, &to), 0);
	cr_assert_eq(to, CREATION_REVIEWING);
	for (int s = CREATION_DECLARED; s <= CREATION_NAMED; s++) {
		cr_assert_eq(apply((enum creation_state)s, "revoke", OFFICE, "整改不力", &to), 0);
		cr_assert_eq(to, CREATION_REVOKED);
	}
	cr_assert_eq(apply(CREATION_REVOKED, "declare", HANDLER, NULL, &to), 0);
	cr_assert_eq(to, CREATION_DECLARED);
}

Test(creation_fsm, illegal_moves_are_conflicts)
{
	struct {
		enum creation_state from;
		const char *action;
	} bad[] = {
	    {CREATION_DECLARED, "name"},    {CREATION_NAMED, "name"},
	    {CREATION_REVOKED, "name"},     {CREATION_REVIEWING, "review"},
	    {CREATION_REVOKED, "review"},   {CREATION_NONE, "review"},
	    {CREATION_REVOKED, "revoke"},   {CREATION_NONE, "revoke"},
	    {CREATION_DECLARED, "declare"}, {CREATION_NAMED, "declare"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = apply(bad[i].from, bad[i].action, OFFICE | ADMIN, "理由", NULL);
		cr_assert_eq(rc, CREATION_FSM_BAD_STATE, "%s from %d: %d", bad[i].action,
		             bad[i].from, rc);
		cr_assert_eq(creation_fsm_err_code(rc), ERR_CONFLICT);
	}
	char msg[300];
	creation_fsm_message(CREATION_FSM_BAD_STATE, CREATION_DECLARED, "name", msg, sizeof msg);
	cr_assert(strstr(msg, "declared") && strstr(msg, "only from reviewing"), "%s", msg);
}

Test(creation_fsm, roles_and_reasons)
{
	/* handlers declare, and nothing else; only the office revokes */
	cr_assert_eq(apply(CREATION_DECLARED, "review", HANDLER, NULL, NULL),
	             CREATION_FSM_FORBIDDEN);
	cr_assert_eq(apply(CREATION_REVIEWING, "name", HANDLER, NULL, NULL),
	             CREATION_FSM_FORBIDDEN);
	cr_assert_eq(apply(CREATION_NAMED, "revoke", HANDLER, "x", NULL), CREATION_FSM_FORBIDDEN);
	cr_assert_eq(apply(CREATION_NAMED, "revoke", ADMIN, "x", NULL), CREATION_FSM_FORBIDDEN);
	cr_assert_eq(apply(CREATION_NONE, "declare", ROLE_LEADER | ROLE_INSPECTOR, NULL, NULL),
	             CREATION_FSM_FORBIDDEN);
	/* a handler trying a move it may never make hears 403, whatever the state */
	cr_assert_eq(apply(CREATION_REVOKED, "revoke", HANDLER, "x", NULL), CREATION_FSM_FORBIDDEN);
	cr_assert_eq(creation_fsm_err_code(CREATION_FSM_FORBIDDEN), ERR_FORBIDDEN);
	/* a revocation needs its reason, not blanks */
	cr_assert_eq(apply(CREATION_NAMED, "revoke", OFFICE, NULL, NULL),
	             CREATION_FSM_NOTE_REQUIRED);
	cr_assert_eq(apply(CREATION_NAMED, "revoke", OFFICE, " \n\t", NULL),
	             CREATION_FSM_NOTE_REQUIRED);
	cr_assert_eq(creation_fsm_err_code(CREATION_FSM_NOTE_REQUIRED), ERR_UNPROCESSABLE);
	cr_assert_eq(apply(CREATION_NAMED, "rename", OFFICE, NULL, NULL),
	             CREATION_FSM_UNKNOWN_ACTION);
	cr_assert_eq(creation_fsm_err_code(CREATION_FSM_UNKNOWN_ACTION), ERR_BAD_REQUEST);
	enum creation_state s;
	cr_assert_eq(creation_state_from_name("named", &s), 0);
	cr_assert_eq(s, CREATION_NAMED);
	cr_assert_str_eq(creation_state_label(s), "命名");
	cr_assert_eq(creation_state_from_name("none", &s), -1);
	cr_assert(creation_level_ok("province") && !creation_level_ok("district"));
}

/* ---- the store, on both stores */

static struct db *db;
static struct err e;
static struct testdb tdb;

/* A fresh demo database of either store (a copy of the run's template, pg_testdb.h). */
static void open_fresh(int pg)
{
	err_clear(&e);
	testdb_open(&tdb, pg, "creation", 1);
	db = tdb.db;
}

static void setup(void)
{
	open_fresh(0);
}

static void setup_pg(void)
{
	open_fresh(1);
}

static void teardown(void)
{
	testdb_close(&tdb);
	db = NULL;
}

TestSuite(creation, .init = setup, .fini = teardown);
TestSuite(creation_pg, .init = setup_pg, .fini = teardown);

static int64_t count(const char *sql)
{
	int64_t n = -1;
	cr_assert_eq(db_get_int(db, sql, NULL, 0, &n, &e), 0, "%s: %s", sql, e.msg);
	return n;
}

static int64_t unit_id(const char *code)
{
	int64_t id = 0;
	cr_assert_eq(db_find_int(db, "SELECT id FROM unit WHERE code = ?", code, &id, &e), 0);
	cr_assert(id, "unit %s", code);
	return id;
}

/* A small edition, activated: what a 文明校园 self-assessment answers is known by hand. */
static void small_edition(void)
{
	char file[64];
	snprintf(file, sizeof file, "/tmp/wm-creation-%d.csv", (int)getpid());
	FILE *f = fopen(file, "w");
	cr_assert(f);
	fputs("code,parent_code,kind,text,method,site_types,points,veto,service_codes,sort\n"
	      "X,,project,项目,,,,,,\n"
	      "X.1,X,content,内容,,,,,,\n"
	      "X.1.1,X.1,item,学校周边无摊点,field,school_area,2,none,E0102,\n"
	      "X.1.2,X.1,item,未成年人活动场所开放,field,youth_venue;park,1.5,none,E0102,\n"
	      "X.1.3,X.1,item,周边交通有序,field,school_area,1,none,E0102,\n"
	      "X.1.4,X.1,item,无侵害未成年人案件,field,school_area,5,veto,E0102,\n"
	      "X.1.5,X.1,item,农贸市场整洁,field,market,3,none,E0102,\n" /* not a campus's */
	      "X.1.6,X.1,item,材料齐全,material,,4,none,,\n",            /* nor this */
	      f);
	fclose(f);
	struct standards_import_opts o = {.version = "small", .activate = 1, .now = 1};
	struct org_io_report r;
	cr_assert_eq(standards_import(db, file, &o, &r, &e), 0, "%s", e.msg);
	unlink(file);
}

static json_t *creation(int64_t id)
{
	json_t *o;
	cr_assert_eq(creation_json(db, id, &o, &e), 0, "%s", e.msg);
	return o;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void demo_loaded(void)
{
	cr_assert_eq(count("SELECT COUNT(*) FROM creation_title"), 5);
	cr_assert_eq(count("SELECT COUNT(*) FROM creation"), 19);
	cr_assert_eq(count("SELECT COUNT(*) FROM creation_event WHERE action = 'import'"), 19);
	cr_assert_eq(count("SELECT COUNT(*) FROM creation WHERE status = 'revoked'"
	                   " AND revoke_reason <> ''"),
	             1);
	json_t *cov;
	cr_assert_eq(creation_coverage_json(db, NULL, 0, &cov, &e), 0, "%s", e.msg);
	/* the totals add up the rows, and the city's named communities are the demo's 3 */
	json_t *rows = json_object_get(cov, "rows"), *total = json_object_get(cov, "total"), *t, *x;
	cr_assert_eq(json_array_size(total), 5);
	size_t i, k;
	json_array_foreach(total, i, t)
	{
		int64_t eligible = 0, named = 0;
		json_array_foreach(rows, k, x) if (!strcmp(str(x, "title"), str(t, "title")))
		{
			eligible += json_integer_value(json_object_get(x, "eligible"));
			named += json_integer_value(json_object_get(x, "named"));
		}
		cr_assert_eq(eligible, json_integer_value(json_object_get(t, "eligible")));
		cr_assert_eq(named, json_integer_value(json_object_get(t, "named")));
		if (!strcmp(str(t, "title"), "civilized_community")) {
			cr_assert_eq(named, 3);
			cr_assert_eq(eligible,
			             count("SELECT COUNT(*) FROM unit WHERE kind = 'community'"));
		}
	}
	/* 中山区 sees only its own rows */
	json_decref(cov);
	cr_assert_eq(creation_coverage_json(db, "civilized_community", unit_id("210202"), &cov, &e),
	             0);
	rows = json_object_get(cov, "rows");
	cr_assert_eq(json_array_size(rows), 1);
	cr_assert_str_eq(str(json_array_get(rows, 0), "district_code"), "210202");
	json_decref(cov);
	cr_assert_eq(creation_coverage_json(db, "no_such", 0, &cov, &e), ERR_NOT_FOUND);
	/* loading the demo again adds nothing */
	cr_assert_eq(seed_load(db, WM_DATA_DIR, 1, &e), 0, "%s", e.msg);
	cr_assert_eq(count("SELECT COUNT(*) FROM creation"), 19);
}

Test(creation, demo_loaded)
{
	demo_loaded();
}
Test(creation_pg, demo_loaded)
{
	demo_loaded();
}

static void lifecycle(void)
{
	small_edition();
	int64_t school = unit_id("S-SHKZX"), id = 0; /* 沙河口区中心小学: not in the demo records */
	struct creation_declare d = {.unit_id = school,
	                             .title = "civilized_campus",
	                             .year = 2026,
	                             .actor = "user:1",
	                             .roles = ROLE_HANDLER,
	                             .now = 1000};
	cr_assert_eq(db_begin_write(db, &e), 0);
	/* a school cannot create 文明社区; an unknown title; a leader may not declare */
	struct creation_declare bad = d;
	bad.title = "civilized_community";
	cr_assert_eq(creation_declare(db, &bad, &id, &e), ERR_UNPROCESSABLE);
	bad.title = "civilized_nothing";
	cr_assert_eq(creation_declare(db, &bad, &id, &e), ERR_UNPROCESSABLE);
	bad = d;
	bad.roles = ROLE_LEADER;
	cr_assert_eq(creation_declare(db, &bad, &id, &e), ERR_FORBIDDEN);
	cr_assert_eq(creation_declare(db, &d, &id, &e), 0, "%s", e.msg);
	cr_assert_eq(creation_declare(db, &d, &id, &e), ERR_CONFLICT, "one per unit × title");

	/* the checklist: X.1.1–X.1.4 (school_area, youth_venue), not the market or material item */
	json_t *cl;
	cr_assert_eq(creation_checklist_json(db, id, &cl, &e), 0, "%s", e.msg);
	json_t *items = json_object_get(cl, "items");
	cr_assert_eq(json_array_size(items), 4);
	cr_assert_str_eq(str(json_array_get(items, 3), "code"), "X.1.4");
	cr_assert(json_is_null(json_object_get(json_array_get(items, 0), "last")));
	json_decref(cl);

	/* pass 2, fail 1.5, n/a 1, veto item failed: kept 2 of 3.5 applicable = 57.142857…;
	 * the veto failure counted apart */
	struct creation_assess_item res[] = {{"X.1.1", "pass", ""},
	                                     {"X.1.2", "fail", "活动室未开放"},
	                                     {"X.1.3", "na", ""},
	                                     {"X.1.4", "fail", ""}};
	struct creation_assess_in in = {.client_id = "self-assess-0001",
	                                .creation_id = id,
	                                .note = "自评",
	                                .items = res,
	                                .nitems = 4,
	                                .now = 1100};
	struct creation_assess_out out;
	cr_assert_eq(creation_assess(db, &in, &out, &e), 0, "%s", e.msg);
	cr_assert_float_eq(out.sum.kept, 2.0, 1e-9);
	cr_assert_float_eq(out.sum.applicable, 3.5, 1e-9);
	cr_assert_eq(out.sum.passed, 1);
	cr_assert_eq(out.sum.failed, 2);
	cr_assert_eq(out.sum.na, 1);
	cr_assert_eq(out.sum.veto_failed, 1);
	double score;
	cr_assert(score_value(&out.sum, &score));
	cr_assert_float_eq(score, 100.0 * 2 / 3.5, 1e-9);
	/* the same client_id again: the same assessment, nothing written */
	int64_t first = out.id;
	cr_assert_eq(creation_assess(db, &in, &out, &e), 0, "%s", e.msg);
	cr_assert(out.replayed);
	cr_assert_eq(out.id, first);
	cr_assert_eq(count("SELECT COUNT(*) FROM creation_assessment"), 1);
	/* incomplete, unknown, twice */
	in.client_id = "self-assess-0002";
	in.nitems = 3;
	cr_assert_eq(creation_assess(db, &in, &out, &e), ERR_UNPROCESSABLE);
	struct creation_assess_item wrong[] = {{"X.1.5", "pass", ""}};
	in.items = wrong;
	in.nitems = 1;
	cr_assert_eq(creation_assess(db, &in, &out, &e), ERR_UNPROCESSABLE);
	in.items = res;
	in.nitems = 4;
	in.client_id = "bad id";
	cr_assert_eq(creation_assess(db, &in, &out, &e), ERR_BAD_REQUEST);
	cr_assert_eq(creation_checklist_json(db, id, &cl, &e), 0);
	cr_assert_str_eq(
	    str(json_object_get(json_array_get(json_object_get(cl, "items"), 1), "last"), "result"),
	    "fail");
	json_decref(cl);

	/* moves: office reviews and names; a stale version and an illegal move are conflicts */
	struct creation_step s = {.id = id,
	                          .version = 1,
	                          .action = "name",
	                          .actor = "user:2",
	                          .roles = ROLE_OFFICE,
	                          .now = 1200};
	cr_assert_eq(creation_move(db, &s, NULL, NULL, &e), ERR_CONFLICT, "name from declared");
	s.action = "review";
	s.roles = ROLE_HANDLER;
	cr_assert_eq(creation_move(db, &s, NULL, NULL, &e), ERR_FORBIDDEN);
	s.roles = ROLE_OFFICE;
	s.version = 7;
	cr_assert_eq(creation_move(db, &s, NULL, NULL, &e), ERR_CONFLICT, "stale version");
	cr_assert(strstr(e.msg, "version 1"), "%s", e.msg);
	s.version = 1;
	const char *from, *to;
	cr_assert_eq(creation_move(db, &s, &from, &to, &e), 0, "%s", e.msg);
	cr_assert_str_eq(from, "declared");
	cr_assert_str_eq(to, "reviewing");
	s = (struct creation_step){.id = id,
	                           .version = 2,
	                           .action = "name",
	                           .level = "province",
	                           .batch = "2026年度省级文明校园",
	                           .actor = "user:2",
	                           .roles = ROLE_OFFICE,
	                           .now = 1300};
	cr_assert_eq(creation_move(db, &s, NULL, NULL, &e), 0, "%s", e.msg);
	json_t *c = creation(id);
	cr_assert_str_eq(str(c, "status"), "named");
	cr_assert_str_eq(str(c, "level"), "province");
	cr_assert_str_eq(str(c, "batch"), "2026年度省级文明校园");
	cr_assert_eq(json_integer_value(json_object_get(c, "named_at")), 1300);
	cr_assert_str_eq(str(json_object_get(c, "district"), "code"), "210204");
	cr_assert_eq(json_array_size(json_object_get(c, "history")), 3);
	cr_assert_eq(json_array_size(json_object_get(c, "assessments")), 1);
	json_decref(c);

	/* coverage moves: 沙河口区's one school is named */
	json_t *cov;
	cr_assert_eq(creation_coverage_json(db, "civilized_campus", 0, &cov, &e), 0);
	size_t i;
	json_t *x;
	int seen = 0;
	json_array_foreach(json_object_get(cov, "rows"), i,
	                   x) if (!strcmp(str(x, "district_code"), "210204"))
	{
		seen = 1;
		cr_assert_eq(json_integer_value(json_object_get(x, "eligible")), 1);
		cr_assert_eq(json_integer_value(json_object_get(x, "named")), 1);
		cr_assert_float_eq(json_real_value(json_object_get(x, "coverage")), 1.0, 1e-9);
	}
	cr_assert(seen);
	json_decref(cov);

	/* revoke: the reason is needed and kept; a revoked creation takes no assessment; declared
	 * again, the reason is cleared */
	s = (struct creation_step){.id = id,
	                           .version = 3,
	                           .action = "revoke",
	                           .actor = "user:2",
	                           .roles = ROLE_OFFICE,
	                           .now = 1400};
	cr_assert_eq(creation_move(db, &s, NULL, NULL, &e), ERR_UNPROCESSABLE);
	s.note = "校园周边发生严重事件";
	cr_assert_eq(creation_move(db, &s, NULL, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(creation_move(db, &s, NULL, NULL, &e), ERR_CONFLICT);
	in.client_id = "self-assess-0003";
	cr_assert_eq(creation_assess(db, &in, &out, &e), ERR_CONFLICT);
	c = creation(id);
	cr_assert_str_eq(str(c, "revoke_reason"), "校园周边发生严重事件");
	json_decref(c);
	s = (struct creation_step){.id = id,
	                           .version = 4,
	                           .action = "declare",
	                           .actor = "user:1",
	                           .roles = ROLE_HANDLER,
	                           .now = 1500};
	cr_assert_eq(creation_move(db, &s, NULL, NULL, &e), 0, "%s", e.msg);
	c = creation(id);
	cr_assert_str_eq(str(c, "status"), "declared");
	cr_assert_str_eq(str(c, "revoke_reason"), "");
	cr_assert_eq(json_integer_value(json_object_get(c, "version")), 5);
	json_decref(c);

	/* the list filters */
	struct creation_filter f = {.title = "civilized_campus",
	                            .district_root = unit_id("210204")};
	json_t *list;
	cr_assert_eq(creations_list_json(db, &f, &list, &e), 0, "%s", e.msg);
	cr_assert_eq(json_array_size(list), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(list, 0), "id")), id);
	cr_assert_float_eq(json_real_value(json_object_get(json_array_get(list, 0), "score")),
	                   100.0 * 2 / 3.5, 1e-9);
	json_decref(list);
	f = (struct creation_filter){.status = "named", .reach_root = unit_id("210202")};
	cr_assert_eq(creations_list_json(db, &f, &list, &e), 0, "%s", e.msg);
	cr_assert_eq(json_array_size(list), 2, "中山区's named communities");
	json_decref(list);
	cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);
	cr_assert_eq(
	    creation_move(db,
	                  &(struct creation_step){
	                      .id = 999999, .version = 1, .action = "review", .roles = ROLE_OFFICE},
	                  NULL, NULL, &e),
	    ERR_NOT_FOUND);
}

Test(creation, lifecycle)
{
	lifecycle();
}
Test(creation_pg, lifecycle)
{
	lifecycle();
}

Test(creation, import_errors_change_nothing)
{
	char file[64];
	snprintf(file, sizeof file, "/tmp/wm-creation-imp-%d.csv", (int)getpid());
	FILE *f = fopen(file, "w");
	cr_assert(f);
	fputs("unit_code,title,status,level,year\n"
	      "210202004001,civilized_community,named,city,2025\n"   /* fine */
	      "210202004002,civilized_village,named,city,2025\n"     /* not a village */
	      "NOPE,civilized_community,named,city,2025\n"           /* unknown unit */
	      "210202004002,civilized_community,gone,city,2025\n"    /* bad status */
	      "210202004002,civilized_community,revoked,city,2025\n" /* no reason; also twice */
	      "210202001001,civilized_community,named,city,2025\n",  /* already recorded */
	      f);
	fclose(f);
	struct creation_import_opts o = {.now = 1, .actor = "cli"};
	struct org_io_report r;
	cr_assert_eq(creations_import(db, file, &o, &r, &e), ERR_BAD_REQUEST, "%d %s", r.nerrors,
	             e.msg);
	long lines[] = {3, 4, 5, 6, 6, 7};
	cr_assert_eq(r.nerrors, 6, "%d errors: %s", r.nerrors, e.msg);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(r.errors[i].line, lines[i], "error %d: line %ld %s", i,
		             r.errors[i].line, r.errors[i].msg);
	cr_assert_eq(count("SELECT COUNT(*) FROM creation"), 19);
	f = fopen(file, "w");
	fputs("unit_code,title,status\n210202004001,civilized_community,named\n", f);
	fclose(f);
	cr_assert_eq(creations_import(db, file, &o, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.inserted, 1);
	cr_assert_eq(count("SELECT COUNT(*) FROM creation"), 20);
	unlink(file);
}
