/* The action plan: the task state machine and alerts (pure), and on both stores the demo plan
 * import, an import with errors that changes nothing, a task's whole life (reports by the lead
 * and a co-unit, a milestone, 销号 asked, returned, accepted), progress figures against a
 * hand-computed plan, and the escalation of overdue tasks. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/task_fsm.h"
#include "store/db.h"
#include "store/plans.h"

#include "pg_testdb.h"

enum { DAY = 86400 };

/* ---- the state machine */

static enum task_fsm_result try(enum task_state from, const char *action, unsigned parties,
                                const char *note, enum task_state *to)
{
	struct task_move mv = {0};
	enum task_fsm_result r = task_fsm_apply(from, action, parties, note, &mv);
	if (to)
		*to = mv.to;
	return r;
}

Test(task_fsm, who_moves_what)
{
	enum task_state to;
	cr_assert_eq(try(TASK_PENDING, "report", TASK_PARTY_CO, NULL, &to), TASK_FSM_OK);
	cr_assert_eq(to, TASK_ACTIVE, "a report starts a pending task");
	cr_assert_eq(try(TASK_ACTIVE, "submit", TASK_PARTY_CO, NULL, NULL), TASK_FSM_FORBIDDEN,
	             "only the lead unit asks for 销号");
	cr_assert_eq(try(TASK_ACTIVE, "submit", TASK_PARTY_LEAD, NULL, &to), TASK_FSM_OK);
	cr_assert_eq(to, TASK_SUBMITTED);
	cr_assert_eq(try(TASK_SUBMITTED, "accept", TASK_PARTY_LEAD, NULL, NULL), TASK_FSM_FORBIDDEN,
	             "a unit does not accept its own work");
	cr_assert_eq(try(TASK_SUBMITTED, "report", TASK_PARTY_LEAD, NULL, NULL),
	             TASK_FSM_BAD_STATE);
	cr_assert_eq(try(TASK_SUBMITTED, "return", TASK_PARTY_OFFICE, "  ", NULL),
	             TASK_FSM_NOTE_REQUIRED);
	cr_assert_eq(try(TASK_SUBMITTED, "return", TASK_PARTY_OFFICE, "材料不全", &to),
	             TASK_FSM_OK);
	cr_assert_eq(to, TASK_ACTIVE);
	cr_assert_eq(try(TASK_SUBMITTED, "accept", TASK_PARTY_OFFICE, NULL, &to), TASK_FSM_OK);
	cr_assert_eq(to, TASK_DONE);
	cr_assert_eq(try(TASK_DONE, "cancel", TASK_PARTY_OFFICE, "x", NULL), TASK_FSM_BAD_STATE);
	cr_assert_eq(try(TASK_DONE, "reopen", TASK_PARTY_OFFICE, "复查发现反弹", &to), TASK_FSM_OK);
	cr_assert_eq(to, TASK_ACTIVE);
	cr_assert_eq(try(TASK_ACTIVE, "fly", TASK_PARTY_OFFICE, NULL, NULL),
	             TASK_FSM_UNKNOWN_ACTION);
	cr_assert_eq(try(TASK_ACTIVE, "report", 0, NULL, NULL), TASK_FSM_FORBIDDEN,
	             "nobody: deny by default");
	enum task_state s;
	cr_assert_eq(task_state_parse("submitted", &s), 0);
	cr_assert_eq(s, TASK_SUBMITTED);
	cr_assert_eq(task_state_parse("closed", &s), -1);
}

Test(task_fsm, alerts)
{
	/* a 100-day task: yellow in its last 7 days */
	cr_assert_eq(task_alert(0, 100 * DAY, 92 * DAY), 0);
	cr_assert_eq(task_alert(0, 100 * DAY, 93 * DAY), 1);
	cr_assert_eq(task_alert(0, 100 * DAY, 100 * DAY), 2);
	/* a 8-day task: yellow in its last quarter (2 days) */
	cr_assert_eq(task_alert(0, 8 * DAY, 5 * DAY), 0);
	cr_assert_eq(task_alert(0, 8 * DAY, 6 * DAY), 1);
	cr_assert_eq(task_alert(0, 8 * DAY, 9 * DAY), 2);
}

/* ---- the store, on both */

static struct testdb tdb;
static struct db *db;
static struct err e;

static void setup_sqlite(void)
{
	testdb_open(&tdb, 0, "plans", 1);
	db = tdb.db;
}

static void setup_pg(void)
{
	testdb_open(&tdb, 1, "plans", 1);
	db = tdb.db;
}

static void teardown(void)
{
	testdb_close(&tdb);
	db = NULL;
}

TestSuite(plans, .init = setup_sqlite, .fini = teardown);
TestSuite(plans_pg, .init = setup_pg, .fini = teardown);

#define BOTH(name)                                                                                 \
	static void name(void);                                                                    \
	Test(plans, name)                                                                          \
	{                                                                                          \
		name();                                                                            \
	}                                                                                          \
	Test(plans_pg, name)                                                                       \
	{                                                                                          \
		name();                                                                            \
	}                                                                                          \
	static void name(void)

static int64_t count(const char *sql)
{
	int64_t n = -1;
	cr_assert_eq(db_get_int(db, sql, NULL, 0, &n, &e), 0, "%s: %s", sql, e.msg);
	return n;
}

static int64_t unit(const char *code)
{
	int64_t id = 0;
	cr_assert_eq(db_find_int(db, "SELECT id FROM unit WHERE code = ?", code, &id, &e), 0, "%s",
	             e.msg);
	cr_assert_gt(id, 0, "unit %s", code);
	return id;
}

static int in_tx(int (*fn)(void *), void *arg)
{
	cr_assert_eq(db_begin_write(db, &e), 0, "%s", e.msg);
	int rc = fn(arg);
	if (rc == 0)
		cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);
	else
		db_rollback(db);
	return rc;
}

BOTH(demo_plan_is_loaded)
{
	cr_assert_eq(count("SELECT COUNT(*) FROM plan"), 1);
	cr_assert_geq(count("SELECT COUNT(*) FROM task WHERE parent_id IS NULL"), 8);
	cr_assert_geq(count("SELECT COUNT(*) FROM task WHERE parent_id IS NOT NULL"), 30);
	cr_assert_gt(count("SELECT COUNT(*) FROM task_item"), 0);
	cr_assert_gt(count("SELECT COUNT(*) FROM milestone"), 0);
	cr_assert_gt(count("SELECT COUNT(*) FROM task_unit"), 0);
	json_t *p;
	cr_assert_eq(plans_json(db, 1795000000, &p, &e), 0, "%s", e.msg);
	cr_assert_eq(json_array_size(p), 1);
	json_t *f = json_object_get(json_array_get(p, 0), "figures");
	cr_assert_eq(json_integer_value(json_object_get(f, "tasks")),
	             count("SELECT COUNT(*) FROM task WHERE parent_id IS NOT NULL"));
	json_decref(p);
}

BOTH(import_errors_change_nothing)
{
	char file[80];
	snprintf(file, sizeof file, "/tmp/wm-plan-bad-%d.csv", (int)getpid());
	FILE *f = fopen(file, "w");
	cr_assert(f);
	fputs("code,parent_code,title,kind,lead_unit,co_units,starts_on,due_on,items,milestones,"
	      "description\n"
	      "1,,好任务,hard,D-CGJ,,2026-01-01,2026-12-31,,,\n"
	      "1.1,9,父任务不存在,soft,D-CGJ,,2026-01-01,2026-06-30,,,\n"
	      "1.2,1,单位不存在,hard,NOPE,D-ZJJ;NOPE2,2026-01-01,2026-06-30,,,\n"
	      "1.3,1,日期错误,hard,D-CGJ,,2026-07-01,2026-06-30,Z9.9.9,2026-05-01,\n",
	      f);
	fclose(f);
	struct org_io_report r;
	struct plan_import_opts o = {.code = "BAD", .title = "坏方案", .now = 1};
	int64_t before = count("SELECT COUNT(*) FROM task");
	cr_assert_lt(plan_import(db, file, &o, &r, &e), 0);
	unlink(file);
	cr_assert_geq(r.nerrors, 5, "%d errors", r.nerrors);
	int lines[8] = {0};
	for (int i = 0; i < r.nerrors && i < 8; i++)
		lines[i] = (int)r.errors[i].line;
	cr_assert_eq(lines[0], 3, "the first error is on line 3, not %d", lines[0]);
	cr_assert_eq(count("SELECT COUNT(*) FROM task"), before, "nothing written");
	cr_assert_eq(count("SELECT COUNT(*) FROM plan WHERE code = 'BAD'"), 0);
}

struct life {
	int64_t plan, key, sub, sub2, ms, event;
	int rc;
	const char *action, *note;
	unsigned parties;
	int has_progress, progress;
	int64_t milestone;
	int64_t now;
};

static int make_plan(void *arg)
{
	struct life *l = arg;
	int64_t t0 = l->now;
	int rc = plan_create(db,
	                     &(struct plan_in){.code = "T-1",
	                                       .title = "测试方案",
	                                       .starts_at = t0,
	                                       .ends_at = t0 + 400 * DAY,
	                                       .now = t0},
	                     &l->plan, &e);
	int64_t co[] = {unit("D-ZJJ")};
	struct milestone_in ms[] = {{"完成摸底", t0 + 30 * DAY}};
	if (rc == 0)
		rc = task_create(db,
		                 &(struct task_in){.plan_id = l->plan,
		                                   .code = "1",
		                                   .title = "重点任务",
		                                   .lead_unit_id = unit("D-CGJ"),
		                                   .starts_at = t0,
		                                   .due_at = t0 + 300 * DAY,
		                                   .actor = "test",
		                                   .now = t0},
		                 &l->key, &e);
	if (rc == 0)
		rc = task_create(db,
		                 &(struct task_in){.plan_id = l->plan,
		                                   .code = "1.1",
		                                   .parent_code = "1",
		                                   .title = "子任务一",
		                                   .kind = "soft",
		                                   .lead_unit_id = unit("D-CGJ"),
		                                   .set_co = 1,
		                                   .co_units = co,
		                                   .nco = 1,
		                                   .starts_at = t0,
		                                   .due_at = t0 + 100 * DAY,
		                                   .milestones = ms,
		                                   .nmilestones = 1,
		                                   .actor = "test",
		                                   .now = t0},
		                 &l->sub, &e);
	if (rc == 0)
		rc = task_create(db,
		                 &(struct task_in){.plan_id = l->plan,
		                                   .code = "1.2",
		                                   .parent_code = "1",
		                                   .title = "子任务二",
		                                   .lead_unit_id = unit("D-ZJJ"),
		                                   .starts_at = t0 + DAY,
		                                   .due_at = t0 + 10 * DAY,
		                                   .actor = "test",
		                                   .now = t0},
		                 &l->sub2, &e);
	return rc;
}

static int report(void *arg)
{
	struct life *l = arg;
	return task_report(db,
	                   &(struct task_report_in){.task_id = l->sub,
	                                            .parties = l->parties,
	                                            .actor = "test",
	                                            .note = "已推进",
	                                            .has_progress = l->has_progress,
	                                            .progress = l->progress,
	                                            .milestone_id = l->milestone,
	                                            .now = l->now},
	                   &l->event, &e);
}

static int act(void *arg)
{
	struct life *l = arg;
	struct task_move mv;
	return task_act(db,
	                &(struct task_act_in){.task_id = l->sub,
	                                      .action = l->action,
	                                      .parties = l->parties,
	                                      .note = l->note,
	                                      .actor = "test",
	                                      .now = l->now},
	                &mv, &e);
}

static json_t *progress_total(int64_t plan, int64_t now)
{
	json_t *o;
	cr_assert_eq(plan_progress_json(db, plan, PLAN_GROUP_UNIT, now, &o, &e), 0, "%s", e.msg);
	json_t *t = json_incref(json_object_get(o, "total"));
	json_decref(o);
	return t;
}

BOTH(a_task_from_report_to_acceptance)
{
	struct life l = {.now = 1780000000};
	cr_assert_eq(in_tx(make_plan, &l), 0, "%s", e.msg);
	/* a sub-task outside its parent's time, a duplicate code */
	struct task_in bad = {.plan_id = l.plan,
	                      .code = "1.9",
	                      .parent_code = "1",
	                      .title = "越界",
	                      .lead_unit_id = unit("D-CGJ"),
	                      .starts_at = l.now,
	                      .due_at = l.now + 500 * DAY,
	                      .actor = "test",
	                      .now = l.now};
	int64_t id;
	cr_assert_eq(task_create(db, &bad, &id, &e), ERR_UNPROCESSABLE);
	bad.code = "1.1";
	bad.due_at = l.now + DAY;
	cr_assert_eq(task_create(db, &bad, &id, &e), ERR_CONFLICT);

	/* a co-unit reports without a percent: the task starts; with one: refused */
	l.parties = TASK_PARTY_CO;
	cr_assert_eq(in_tx(report, &l), 0, "%s", e.msg);
	l.has_progress = 1;
	l.progress = 40;
	cr_assert_eq(in_tx(report, &l), ERR_FORBIDDEN);
	/* the lead unit: 40%, the milestone reached; the same milestone twice is refused */
	l.parties = TASK_PARTY_LEAD;
	cr_assert_eq(db_get_int(db, "SELECT id FROM milestone WHERE task_id = ?",
	                        DB_ARGS(db_int(l.sub)), &l.milestone, &e),
	             0, "%s", e.msg);
	cr_assert_eq(in_tx(report, &l), 0, "%s", e.msg);
	cr_assert_eq(in_tx(report, &l), ERR_UNPROCESSABLE);
	l.milestone = 0;
	json_t *t;
	cr_assert_eq(task_json(db, l.sub, l.now, &t, &e), 0, "%s", e.msg);
	cr_assert_str_eq(json_string_value(json_object_get(t, "status")), "active");
	cr_assert_eq(json_integer_value(json_object_get(t, "progress")), 40);
	cr_assert_eq(json_array_size(json_object_get(t, "timeline")), 3, "create + two reports");
	cr_assert(json_object_get(json_array_get(json_object_get(t, "milestones"), 0), "done_at") !=
	          json_null());
	json_decref(t);
	/* the parent shows the mean of its sub-tasks: (40 + 0) / 2 */
	json_t *p;
	cr_assert_eq(plan_json(db, l.plan, l.now, &p, &e), 0, "%s", e.msg);
	json_t *key = json_array_get(json_object_get(p, "tasks"), 0);
	cr_assert_eq(json_integer_value(json_object_get(key, "progress")), 20);
	cr_assert_eq(json_array_size(json_object_get(key, "children")), 2);
	json_decref(p);

	/* 销号: asked by the lead, returned without a reason (refused) and with one, asked
	 * again, accepted by the office; no report once asked */
	l.action = "submit";
	cr_assert_eq(in_tx(act, &l), 0, "%s", e.msg);
	cr_assert_eq(in_tx(report, &l), ERR_CONFLICT);
	l.action = "return";
	l.parties = TASK_PARTY_OFFICE;
	cr_assert_eq(in_tx(act, &l), ERR_UNPROCESSABLE);
	l.note = "佐证材料不全";
	cr_assert_eq(in_tx(act, &l), 0, "%s", e.msg);
	l.action = "submit";
	l.parties = TASK_PARTY_LEAD;
	cr_assert_eq(in_tx(act, &l), 0, "%s", e.msg);
	l.action = "accept";
	cr_assert_eq(in_tx(act, &l), ERR_FORBIDDEN);
	l.parties = TASK_PARTY_OFFICE;
	cr_assert_eq(in_tx(act, &l), 0, "%s", e.msg);
	cr_assert_eq(count("SELECT COUNT(*) FROM task t JOIN plan p ON p.id = t.plan_id WHERE"
	                   " p.code = 'T-1' AND t.status = 'done' AND t.progress = 100"
	                   " AND t.done_at IS NOT NULL"),
	             1);

	/* figures, by hand: leaves 1.1 (done on time) and 1.2 (pending, due at t0 + 10 days) */
	json_t *tot = progress_total(l.plan, l.now + 20 * DAY);
	cr_assert_eq(json_integer_value(json_object_get(tot, "tasks")), 2);
	cr_assert_eq(json_integer_value(json_object_get(tot, "done")), 1);
	cr_assert_eq(json_integer_value(json_object_get(tot, "overdue")), 1);
	cr_assert_eq(json_integer_value(json_object_get(tot, "done_on_time")), 1);
	cr_assert_float_eq(json_real_value(json_object_get(tot, "completion_rate")), 0.5, 1e-9);
	cr_assert_float_eq(json_real_value(json_object_get(tot, "on_time_rate")), 1.0, 1e-9);
	cr_assert_float_eq(json_real_value(json_object_get(tot, "progress")), 50.0, 1e-9);
	json_decref(tot);
}

BOTH(overdue_tasks_escalate_once)
{
	struct life l = {.now = 1780000000};
	cr_assert_eq(in_tx(make_plan, &l), 0, "%s", e.msg);
	/* the demo plan's tasks out of the way: only this plan's escalate */
	cr_assert_eq(db_run(db, "UPDATE task SET status = 'cancelled' WHERE plan_id <> ?",
	                    DB_ARGS(db_int(l.plan)), &e),
	             0, "%s", e.msg);
	int64_t before = count("SELECT COUNT(*) FROM notification WHERE task_id IS NOT NULL");
	int64_t y, r;
	/* day 8 of 1.2 (due on day 10, 9 days long): yellow in its last quarter */
	cr_assert_eq(task_escalate_pass(db, l.now + 8 * DAY, &y, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(y, 1);
	cr_assert_eq(r, 0);
	cr_assert_eq(task_escalate_pass(db, l.now + 8 * DAY, &y, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(y + r, 0, "an alert rises once");
	cr_assert_eq(task_escalate_pass(db, l.now + 11 * DAY, &y, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r, 1);
	cr_assert_eq(count("SELECT COUNT(*) FROM task WHERE code = '1.2' AND alert = 2 AND"
	                   " supervise_level = 1"),
	             1);
	cr_assert_eq(count("SELECT COUNT(*) FROM task_event v JOIN task t ON t.id = v.task_id"
	                   " WHERE v.action = 'escalate' AND t.code = '1.2'"),
	             2);
	cr_assert_eq(count("SELECT COUNT(*) FROM audit_log WHERE action = 'task.escalate'"), 2);
	/* the lead unit's users (and, red, the office's) were told, if there are any */
	cr_assert_geq(count("SELECT COUNT(*) FROM notification WHERE task_id IS NOT NULL"), before);
}
