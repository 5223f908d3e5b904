/* Overdue tasks escalate like cases (store/plans.h): yellow in a task's last quarter or last
 * week, red once due, 督办 raised with red. Sub-tasks only: a key task's state is theirs.
 * Tasks are few: one transaction per pass. */
#include <stdio.h>
#include <stdlib.h>

#include "core/roles.h"
#include "lib/buf.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/jobs.h"
#include "store/plans.h"

struct rise {
	int64_t id, lead;
	int alert;
	char code[40], status[16], plan[80];
};

static int find_rises(struct db *db, int64_t now, struct rise **out, size_t *n, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT t.id, t.lead_unit_id, t.starts_at, t.due_at, t.alert, t.code,"
	                  " t.status, p.code FROM task t JOIN plan p ON p.id = t.plan_id"
	                  " WHERE t.status IN ('pending', 'active') AND t.alert < 2"
	                  " AND NOT EXISTS (SELECT 1 FROM task c WHERE c.parent_id = t.id)"
	                  " ORDER BY t.id",
	                  NULL, 0, &st, e);
	if (rc)
		return rc;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		int alert = task_alert(db_col_int(st, 2), db_col_int(st, 3), now);
		if (alert <= db_col_int(st, 4))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 32;
			struct rise *p = realloc(*out, cap * sizeof *p);
			if (!p)
				abort(); /* as buf.c */
			*out = p;
		}
		struct rise *r = &(*out)[(*n)++];
		*r = (struct rise){
		    .id = db_col_int(st, 0), .lead = db_col_int(st, 1), .alert = alert};
		snprintf(r->code, sizeof r->code, "%s", db_col_text(st, 5));
		snprintf(r->status, sizeof r->status, "%s", db_col_text(st, 6));
		snprintf(r->plan, sizeof r->plan, "%s", db_col_text(st, 7));
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

/* 1 when the task's alert rose (0 when another pass got there first). */
static int rise_one(struct db *db, const struct rise *r, int64_t now, struct err *e)
{
	int red = r->alert == 2;
	int64_t got;
	int rc = db_get_int(
	    db,
	    "UPDATE task SET alert = ?, supervise_level = supervise_level + ?,"
	    " version = version + 1, updated_at = ? WHERE id = ? AND alert < ?"
	    " RETURNING id",
	    DB_ARGS(db_int(r->alert), db_int(red), db_int(now), db_int(r->id), db_int(r->alert)),
	    &got, e);
	if (rc == ERR_NOT_FOUND)
		return 0;
	const char *what = red ? "红灯：已逾期，升级督办" : "黄灯：临近完成时限";
	if (rc == 0)
		rc = db_run(
		    db,
		    "INSERT INTO task_event (task_id, at, actor, action, from_status, to_status,"
		    " note) VALUES (?, ?, 'system', 'escalate', ?, ?, ?)",
		    DB_ARGS(db_int(r->id), db_int(now), db_text(r->status), db_text(r->status),
		            db_text(what)),
		    e);
	char msg[200], object[64], summary[48];
	snprintf(msg, sizeof msg, "任务 %s（%s）%s", r->code, r->plan, what);
	/* the lead unit and its parent; when red, the office too */
	if (rc == 0)
		rc = db_run(db,
		            "INSERT INTO notification (user_id, task_id, kind, message, at)"
		            " SELECT id, ?, ?, ?, ? FROM users WHERE active = 1 AND (unit_id = ? OR"
		            " unit_id = (SELECT parent_id FROM unit WHERE id = ?) OR (? = 1 AND"
		            " (roles & ?) <> 0))",
		            DB_ARGS(db_int(r->id), db_text(red ? "red" : "yellow"), db_text(msg),
		                    db_int(now), db_int(r->lead), db_int(r->lead), db_int(red),
		                    db_int(ROLE_OFFICE)),
		            e);
	snprintf(object, sizeof object, "task:%lld", (long long)r->id);
	snprintf(summary, sizeof summary, "{\"alert\":\"%s\"}", red ? "red" : "yellow");
	struct audit_entry a = {.at = now,
	                        .actor = "system",
	                        .ip = "",
	                        .action = "task.escalate",
	                        .object = object,
	                        .summary = summary};
	if (rc == 0)
		rc = audit_append(db, &a, e);
	return rc < 0 ? rc : 1;
}

int task_escalate_pass(struct db *db, int64_t now, int64_t *yellow, int64_t *red, struct err *e)
{
	*yellow = *red = 0;
	struct rise *v;
	size_t n;
	int rc = find_rises(db, now, &v, &n, e);
	if (rc || n == 0) {
		free(rc ? NULL : v);
		return rc;
	}
	int64_t y = 0, r = 0;
	rc = db_begin_write(db, e);
	for (size_t i = 0; i < n && rc == 0; i++) {
		int done = rise_one(db, &v[i], now, e);
		if (done < 0)
			rc = done;
		else if (done)
			*(v[i].alert == 2 ? &r : &y) += 1;
	}
	if (rc == 0)
		rc = db_commit(db, e);
	else
		db_rollback(db);
	free(v);
	if (rc == 0) {
		*yellow = y;
		*red = r;
	}
	return rc;
}

int task_escalate_job(const struct job_ctx *ctx, struct err *e)
{
	int64_t yellow, red;
	int rc = task_escalate_pass(ctx->db, ctx->now, &yellow, &red, e);
	if (rc == 0)
		buf_printf(ctx->note, "tasks: %lld yellow, %lld red", (long long)yellow,
		           (long long)red);
	return rc;
}
