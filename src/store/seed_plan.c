/* The demo action plan (data/demo/plan.csv, `init --demo`), with the progress its units would
 * have reported by the day the demo is made: each started sub-task reported at the share of
 * its time used; half of those already due are done (销号), the other half are overdue. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"
#include "store/plans.h"
#include "store/seed_internal.h"

static const char DEMO_PLAN[] = "DL-2026";

struct leaf {
	int64_t id, lead, starts_at, due_at;
};

static int report_progress(struct db *db, const struct leaf *t, int done, int64_t now,
                           struct err *e)
{
	double used = (double)(now - t->starts_at) / (double)(t->due_at - t->starts_at);
	int pct = done ? 100 : (int)(used * 10) * 10;
	if (pct > 90 && !done)
		pct = 90;
	int64_t ev;
	struct task_report_in r = {.task_id = t->id,
	                           .parties = TASK_PARTY_LEAD,
	                           .unit_id = t->lead,
	                           .actor = "demo",
	                           .note = done ? "已全部完成，佐证材料已上传" : "按计划推进",
	                           .has_progress = 1,
	                           .progress = pct,
	                           .now = now};
	int rc = task_report(db, &r, &ev, e);
	struct task_move mv;
	struct task_act_in a = {.task_id = t->id,
	                        .action = "submit",
	                        .parties = TASK_PARTY_LEAD,
	                        .actor = "demo",
	                        .now = now};
	if (rc == 0 && done && (rc = task_act(db, &a, &mv, e)) == 0) {
		a.action = "accept";
		a.parties = TASK_PARTY_OFFICE;
		rc = task_act(db, &a, &mv, e);
	}
	return rc;
}

int seed_plan(struct seed_ctx *c, struct err *e)
{
	const char *path = seed_path(c, "demo/plan.csv");
	int64_t found = 0;
	if (access(path, F_OK) != 0)
		return 0;
	int rc = db_find_int(c->db, "SELECT id FROM plan WHERE code = ?", DEMO_PLAN, &found, e);
	if (rc == 0 && found) { /* loaded before: the same count every time */
		int64_t n = 0;
		rc = db_get_int(c->db, "SELECT COUNT(*) FROM task WHERE plan_id = ?",
		                DB_ARGS(db_int(found)), &n, e);
		c->st->tasks = (int)n;
		return rc;
	}
	if (rc)
		return rc;
	int64_t now = (int64_t)time(NULL);
	struct plan_import_opts o = {.code = DEMO_PLAN,
	                             .title = "大连市争创全国文明典范城市行动方案",
	                             .issuer_code = "O-WMB",
	                             .in_transaction = 1,
	                             .now = now};
	struct org_io_report *r = arena_alloc(&c->a, sizeof *r);
	if ((rc = plan_import(c->db, path, &o, r, e)))
		return rc;
	c->st->tasks = r->inserted;
	/* read whole first: the reports write to the same table */
	struct db_stmt *st;
	if ((rc = db_query(c->db,
	                   "SELECT t.id, t.lead_unit_id, t.starts_at, t.due_at FROM task t"
	                   " JOIN plan p ON p.id = t.plan_id WHERE p.code = ? AND t.starts_at < ?"
	                   " AND NOT EXISTS (SELECT 1 FROM task k WHERE k.parent_id = t.id)"
	                   " ORDER BY t.id",
	                   DB_ARGS(db_text(DEMO_PLAN), db_int(now)), &st, e)))
		return rc;
	struct leaf *v = arena_alloc(&c->a, (size_t)(r->inserted + 1) * sizeof *v);
	size_t n = 0;
	while ((rc = db_step(st, e)) == DB_ROW && n < (size_t)r->inserted)
		v[n++] = (struct leaf){db_col_int(st, 0), db_col_int(st, 1), db_col_int(st, 2),
		                       db_col_int(st, 3)};
	db_done(st);
	if (rc < 0)
		return rc;
	int due_seen = 0;
	for (size_t i = 0; i < n && rc >= 0; i++) {
		int due = v[i].due_at <= now;
		rc = report_progress(c->db, &v[i], due && due_seen++ % 2 == 0, now, e);
	}
	return rc < 0 ? rc : 0;
}
