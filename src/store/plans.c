/* Plans and tasks: the writers (create, edit, report, status moves). Views: plans_json.c;
 * import: plans_import.c; escalation: plans_escalate.c. */
#include "store/plans.h"

#include <stdio.h>
#include <string.h>

#include "core/media_type.h"
#include "store/db.h"
#include "store/org_io_internal.h"

enum { MAX_DEPTH = 2 }; /* key tasks and their sub-tasks: the work is on the sub-tasks */

int plan_create(struct db *db, const struct plan_in *in, int64_t *id, struct err *e)
{
	if (!org_code_ok(in->code))
		return err_set(e, ERR_BAD_REQUEST, "a plan code is 1–64 of A–Z a–z 0–9 _ -");
	if (in->ends_at <= in->starts_at)
		return err_set(e, ERR_UNPROCESSABLE, "the plan must end after it starts");
	int64_t found = 0;
	int rc = db_find_int(db, "SELECT id FROM plan WHERE code = ?", in->code, &found, e);
	if (rc == 0 && found)
		return err_set(e, ERR_CONFLICT, "plan %s exists", in->code);
	if (rc == 0)
		rc = db_get_int(
		    db,
		    "INSERT INTO plan (code, title, issuer_unit_id, starts_at, ends_at,"
		    " description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
		    " RETURNING id",
		    DB_ARGS(db_text(in->code), db_text(in->title),
		            in->issuer_unit_id ? db_int(in->issuer_unit_id) : db_null(),
		            db_int(in->starts_at), db_int(in->ends_at),
		            db_text(in->description ? in->description : ""), db_int(in->now),
		            db_int(in->now)),
		    id, e);
	return rc;
}

/* The task as it stands, for checks and moves. */
struct task_row {
	int64_t id, plan_id, parent_id, lead, starts_at, due_at, version;
	char status[16], code[64];
	int depth; /* 1: a key task */
	int children;
};

static int load_task(struct db *db, int64_t id, struct task_row *t, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT t.plan_id, COALESCE(t.parent_id, 0), t.lead_unit_id, t.starts_at,"
	                  " t.due_at, t.version, t.status, t.code,"
	                  " (SELECT COUNT(*) FROM task c WHERE c.parent_id = t.id),"
	                  " CASE WHEN t.parent_id IS NULL THEN 1 WHEN (SELECT p.parent_id FROM task"
	                  " p WHERE p.id = t.parent_id) IS NULL THEN 2 ELSE 3 END"
	                  " FROM task t WHERE t.id = ?",
	                  DB_ARGS(db_int(id)), &st, e);
	if (rc)
		return rc;
	if ((rc = db_step(st, e)) == DB_ROW) {
		*t = (struct task_row){.id = id,
		                       .plan_id = db_col_int(st, 0),
		                       .parent_id = db_col_int(st, 1),
		                       .lead = db_col_int(st, 2),
		                       .starts_at = db_col_int(st, 3),
		                       .due_at = db_col_int(st, 4),
		                       .version = db_col_int(st, 5),
		                       .children = (int)db_col_int(st, 8),
		                       .depth = (int)db_col_int(st, 9)};
		snprintf(t->status, sizeof t->status, "%s", db_col_text(st, 6));
		snprintf(t->code, sizeof t->code, "%s", db_col_text(st, 7));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no task %lld", (long long)id);
	}
	db_done(st);
	return rc;
}

static int exists(struct db *db, const char *sql, int64_t id, struct err *e)
{
	int64_t one = 0;
	int rc = db_get_int(db, sql, DB_ARGS(db_int(id)), &one, e);
	return rc == ERR_NOT_FOUND ? 0 : rc < 0 ? rc : 1;
}

/* The checks task_create and task_edit share: kind, units, items, time within the parent's. */
static int check_fields(struct db *db, const struct task_in *in, const struct task_row *parent,
                        int64_t lead, int64_t starts_at, int64_t due_at, struct err *e)
{
	int rc;
	if (in->kind && strcmp(in->kind, "hard") && strcmp(in->kind, "soft"))
		return err_set(e, ERR_BAD_REQUEST, "kind is hard (硬件) or soft (软件)");
	if (in->title && !*in->title)
		return err_set(e, ERR_BAD_REQUEST, "a task needs a title");
	if (in->lead_unit_id &&
	    (rc = exists(db, "SELECT 1 FROM unit WHERE id = ?", in->lead_unit_id, e)) <= 0)
		return rc < 0 ? rc
		              : err_set(e, ERR_UNPROCESSABLE, "no lead unit %lld",
		                        (long long)in->lead_unit_id);
	for (size_t i = 0; in->set_co && i < in->nco; i++) {
		if (in->co_units[i] == lead)
			return err_set(e, ERR_UNPROCESSABLE, "the lead unit is not also a co-unit");
		for (size_t k = 0; k < i; k++)
			if (in->co_units[k] == in->co_units[i])
				return err_set(e, ERR_UNPROCESSABLE, "a co-unit is given twice");
		if ((rc = exists(db, "SELECT 1 FROM unit WHERE id = ?", in->co_units[i], e)) <= 0)
			return rc < 0 ? rc
			              : err_set(e, ERR_UNPROCESSABLE, "no unit %lld",
			                        (long long)in->co_units[i]);
	}
	for (size_t i = 0; in->set_items && i < in->nitems; i++)
		if ((rc = exists(db, "SELECT 1 FROM standard_node WHERE id = ? AND kind = 'item'",
		                 in->items[i], e)) <= 0)
			return rc < 0 ? rc
			              : err_set(e, ERR_UNPROCESSABLE, "no standard item %lld",
			                        (long long)in->items[i]);
	if (due_at <= starts_at)
		return err_set(e, ERR_UNPROCESSABLE, "a task is due after it starts");
	if (parent && (starts_at < parent->starts_at || due_at > parent->due_at))
		return err_set(e, ERR_UNPROCESSABLE,
		               "a sub-task runs within its parent's time (task %s)", parent->code);
	for (size_t i = 0; i < in->nmilestones; i++) {
		if (!in->milestones[i].title || !*in->milestones[i].title)
			return err_set(e, ERR_BAD_REQUEST, "a milestone needs a title");
		if (in->milestones[i].due_at < starts_at || in->milestones[i].due_at > due_at)
			return err_set(e, ERR_UNPROCESSABLE,
			               "milestone 「%.80s」 is outside the task's time",
			               in->milestones[i].title);
	}
	return 0;
}

/* Co-units, items and new milestones of task id, as in gives them. */
static int write_lists(struct db *db, int64_t id, const struct task_in *in, struct err *e)
{
	int rc = 0;
	if (in->set_co)
		rc = db_run(db, "DELETE FROM task_unit WHERE task_id = ?", DB_ARGS(db_int(id)), e);
	for (size_t i = 0; in->set_co && i < in->nco && !rc; i++)
		rc = db_run(db, "INSERT INTO task_unit (task_id, unit_id) VALUES (?, ?)",
		            DB_ARGS(db_int(id), db_int(in->co_units[i])), e);
	if (!rc && in->set_items)
		rc = db_run(db, "DELETE FROM task_item WHERE task_id = ?", DB_ARGS(db_int(id)), e);
	for (size_t i = 0; in->set_items && i < in->nitems && !rc; i++)
		rc = db_run(db,
		            "INSERT INTO task_item (task_id, node_id) VALUES (?, ?)"
		            " ON CONFLICT DO NOTHING",
		            DB_ARGS(db_int(id), db_int(in->items[i])), e);
	for (size_t i = 0; i < in->nmilestones && !rc; i++)
		rc = db_run(db, "INSERT INTO milestone (task_id, title, due_at) VALUES (?, ?, ?)",
		            DB_ARGS(db_int(id), db_text(in->milestones[i].title),
		                    db_int(in->milestones[i].due_at)),
		            e);
	return rc;
}

static int add_event(struct db *db, int64_t task_id, int64_t at, const char *actor, int64_t unit_id,
                     const char *action, const char *from, const char *to, int progress,
                     int64_t milestone_id, const char *note, int64_t *id, struct err *e)
{
	int64_t ignored;
	return db_get_int(
	    db,
	    "INSERT INTO task_event (task_id, at, actor, unit_id, action, from_status, to_status,"
	    " progress, milestone_id, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    DB_ARGS(db_int(task_id), db_int(at), db_text(actor),
	            unit_id ? db_int(unit_id) : db_null(), db_text(action),
	            from ? db_text(from) : db_null(), db_text(to),
	            progress >= 0 ? db_int(progress) : db_null(),
	            milestone_id ? db_int(milestone_id) : db_null(), db_text(note)),
	    id ? id : &ignored, e);
}

int task_create(struct db *db, const struct task_in *in, int64_t *id, struct err *e)
{
	if (!in->code || !*in->code || strlen(in->code) > 32 ||
	    strspn(in->code, "0123456789.-_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
	        strlen(in->code))
		return err_set(e, ERR_BAD_REQUEST,
		               "a task code is 1–32 of 0–9 A–Z a–z . _ - (e.g. 3.2)");
	if (!in->title || !in->lead_unit_id || !in->starts_at || !in->due_at)
		return err_set(e, ERR_BAD_REQUEST,
		               "a task needs a title, a lead unit, start and due");
	int rc = exists(db, "SELECT 1 FROM plan WHERE id = ?", in->plan_id, e);
	if (rc <= 0)
		return rc < 0 ? rc
		              : err_set(e, ERR_NOT_FOUND, "no plan %lld", (long long)in->plan_id);
	int64_t taken = 0;
	if ((rc = db_get_int(db, "SELECT id FROM task WHERE plan_id = ? AND code = ?",
	                     DB_ARGS(db_int(in->plan_id), db_text(in->code)), &taken, e)) == 0)
		return err_set(e, ERR_CONFLICT, "the plan has a task %s", in->code);
	if (rc != ERR_NOT_FOUND)
		return rc;
	struct task_row parent = {0};
	if (in->parent_code && *in->parent_code) {
		int64_t pid = 0;
		rc = db_get_int(db, "SELECT id FROM task WHERE plan_id = ? AND code = ?",
		                DB_ARGS(db_int(in->plan_id), db_text(in->parent_code)), &pid, e);
		if (rc == ERR_NOT_FOUND)
			return err_set(e, ERR_UNPROCESSABLE, "no task %s in this plan",
			               in->parent_code);
		if (rc || (rc = load_task(db, pid, &parent, e)))
			return rc;
		if (parent.depth >= MAX_DEPTH)
			return err_set(e, ERR_UNPROCESSABLE,
			               "task %s is a sub-task: sub-tasks have none of their own",
			               parent.code);
	}
	if ((rc = check_fields(db, in, parent.id ? &parent : NULL, in->lead_unit_id, in->starts_at,
	                       in->due_at, e)))
		return rc;
	rc = db_get_int(
	    db,
	    "INSERT INTO task (plan_id, parent_id, code, title, description, kind, lead_unit_id,"
	    " starts_at, due_at, sort, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " (SELECT COUNT(*) FROM task WHERE plan_id = ?), ?, ?) RETURNING id",
	    DB_ARGS(db_int(in->plan_id), parent.id ? db_int(parent.id) : db_null(),
	            db_text(in->code), db_text(in->title),
	            db_text(in->description ? in->description : ""),
	            db_text(in->kind ? in->kind : "hard"), db_int(in->lead_unit_id),
	            db_int(in->starts_at), db_int(in->due_at), db_int(in->plan_id), db_int(in->now),
	            db_int(in->now)),
	    id, e);
	if (rc == 0)
		rc = write_lists(db, *id, in, e);
	if (rc == 0)
		rc = add_event(db, *id, in->now, in->actor, 0, "create", NULL, "pending", -1, 0,
		               "下达任务", NULL, e);
	return rc;
}

int task_edit(struct db *db, int64_t id, const struct task_in *in, struct err *e)
{
	struct task_row t, parent = {0};
	int rc = load_task(db, id, &t, e);
	if (rc == 0 && t.parent_id)
		rc = load_task(db, t.parent_id, &parent, e);
	if (rc)
		return rc;
	int64_t lead = in->lead_unit_id ? in->lead_unit_id : t.lead;
	int64_t starts = in->starts_at ? in->starts_at : t.starts_at;
	int64_t due = in->due_at ? in->due_at : t.due_at;
	if ((rc = check_fields(db, in, parent.id ? &parent : NULL, lead, starts, due, e)))
		return rc;
	if (!in->set_co && in->lead_unit_id) {
		int64_t one = 0;
		rc = db_get_int(db, "SELECT 1 FROM task_unit WHERE task_id = ? AND unit_id = ?",
		                DB_ARGS(db_int(id), db_int(lead)), &one, e);
		if (rc == 0)
			return err_set(e, ERR_UNPROCESSABLE, "the lead unit is not also a co-unit");
		if (rc != ERR_NOT_FOUND)
			return rc;
	}
	rc = db_run(db,
	            "UPDATE task SET title = COALESCE(?, title), description = COALESCE(?,"
	            " description), kind = COALESCE(?, kind), lead_unit_id = ?, starts_at = ?,"
	            " due_at = ?, alert = CASE WHEN ? > due_at THEN 0 ELSE alert END,"
	            " version = version + 1, updated_at = ? WHERE id = ?",
	            DB_ARGS(in->title ? db_text(in->title) : db_null(),
	                    in->description ? db_text(in->description) : db_null(),
	                    in->kind ? db_text(in->kind) : db_null(), db_int(lead), db_int(starts),
	                    db_int(due), db_int(due), db_int(in->now), db_int(id)),
	            e);
	if (rc == 0)
		rc = write_lists(db, id, in, e);
	if (rc)
		return rc;
	char note[200];
	snprintf(note, sizeof note, "%s", due != t.due_at ? "调整完成时限（延期）" : "修改任务");
	return add_event(db, id, in->now, in->actor, 0, "edit", t.status, t.status, -1, 0, note,
	                 NULL, e);
}

int task_units(struct db *db, int64_t id, int64_t *lead, int64_t *co, size_t cap, size_t *nco,
               struct err *e)
{
	int rc = db_get_int(db, "SELECT lead_unit_id FROM task WHERE id = ?", DB_ARGS(db_int(id)),
	                    lead, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, "no task %lld", (long long)id);
	if (rc)
		return rc;
	struct db_stmt *st;
	if ((rc = db_query(db, "SELECT unit_id FROM task_unit WHERE task_id = ? ORDER BY unit_id",
	                   DB_ARGS(db_int(id)), &st, e)))
		return rc;
	*nco = 0;
	while ((rc = db_step(st, e)) == DB_ROW)
		if (*nco < cap)
			co[(*nco)++] = db_col_int(st, 0);
	db_done(st);
	return rc < 0 ? rc : 0;
}

static int move(const struct task_row *t, const char *action, unsigned parties, const char *note,
                struct task_move *mv, struct err *e)
{
	enum task_state from;
	if (t->children)
		return err_set(e, ERR_UNPROCESSABLE,
		               "task %s has sub-tasks: its progress and status are theirs",
		               t->code);
	if (task_state_parse(t->status, &from) < 0)
		return err_set(e, ERR_INTERNAL, "task %s has status %s", t->code, t->status);
	enum task_fsm_result r = task_fsm_apply(from, action, parties, note, mv);
	if (r != TASK_FSM_OK)
		return err_set(e, task_fsm_err_code(r), "%s: %s (task %s is %s)", action,
		               task_fsm_strerror(r), t->code, t->status);
	return 0;
}

int task_report(struct db *db, const struct task_report_in *in, int64_t *event_id, struct err *e)
{
	struct task_row t;
	struct task_move mv;
	int rc = load_task(db, in->task_id, &t, e);
	if (rc || (rc = move(&t, "report", in->parties, in->note, &mv, e)))
		return rc;
	if (!in->note || !*in->note)
		return err_set(e, ERR_BAD_REQUEST, "a report says what was done (note)");
	if (in->has_progress && !(in->parties & (TASK_PARTY_LEAD | TASK_PARTY_OFFICE)))
		return err_set(e, ERR_FORBIDDEN, "the progress percent is the lead unit's to give");
	if (in->has_progress && (in->progress < 0 || in->progress > 100))
		return err_set(e, ERR_BAD_REQUEST, "progress is 0–100");
	if (in->milestone_id) {
		int64_t open = 0;
		rc = db_get_int(db,
		                "SELECT CASE WHEN done_at IS NULL THEN 1 ELSE 0 END FROM milestone"
		                " WHERE id = ? AND task_id = ?",
		                DB_ARGS(db_int(in->milestone_id), db_int(t.id)), &open, e);
		if (rc == ERR_NOT_FOUND || (rc == 0 && !open))
			return err_set(e, ERR_UNPROCESSABLE,
			               "milestone %lld is not an open milestone of"
			               " task %s",
			               (long long)in->milestone_id, t.code);
		if (rc == 0)
			rc = db_run(db, "UPDATE milestone SET done_at = ? WHERE id = ?",
			            DB_ARGS(db_int(in->now), db_int(in->milestone_id)), e);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < in->nattachments; i++)
		if ((rc = db_get_int(db, "SELECT 1 FROM media WHERE sha256 = ?",
		                     DB_ARGS(db_text(in->attachments[i])), &(int64_t){0}, e)) < 0)
			return rc == ERR_NOT_FOUND
			           ? err_set(
			                 e, ERR_UNPROCESSABLE,
			                 "attachment %.64s was never stored (POST /api/v1/media)",
			                 in->attachments[i])
			           : rc;
	rc = db_run(
	    db,
	    "UPDATE task SET status = ?, progress = CASE WHEN ? = 1 THEN ? ELSE progress END,"
	    " version = version + 1, updated_at = ? WHERE id = ?",
	    DB_ARGS(db_text(task_state_name(mv.to)), db_int(in->has_progress), db_int(in->progress),
	            db_int(in->now), db_int(t.id)),
	    e);
	if (rc == 0)
		rc = add_event(db, t.id, in->now, in->actor, in->unit_id, "report", t.status,
		               task_state_name(mv.to), in->has_progress ? in->progress : -1,
		               in->milestone_id, in->note, event_id, e);
	for (size_t i = 0; i < in->nattachments && !rc; i++)
		rc = db_run(
		    db,
		    "INSERT INTO task_event_media (event_id, sha256, sort) VALUES (?, ?, ?)"
		    " ON CONFLICT DO NOTHING",
		    DB_ARGS(db_int(*event_id), db_text(in->attachments[i]), db_int((int64_t)i)), e);
	return rc;
}

int task_act(struct db *db, const struct task_act_in *in, struct task_move *mv, struct err *e)
{
	struct task_row t;
	int rc = load_task(db, in->task_id, &t, e);
	if (rc || (rc = move(&t, in->action, in->parties, in->note, mv, e)))
		return rc;
	if (in->version && in->version != t.version)
		return err_set(e, ERR_CONFLICT,
		               "task %s changed since you saw it (version %lld, now %lld): reload",
		               t.code, (long long)in->version, (long long)t.version);
	const char *to = task_state_name(mv->to);
	int submit = !strcmp(in->action, "submit"), accept = !strcmp(in->action, "accept");
	rc =
	    db_run(db,
	           "UPDATE task SET status = ?, progress = CASE WHEN ? = 1 THEN 100 ELSE progress"
	           " END, done_at = CASE WHEN ? = 1 THEN ? WHEN ? = 'active' THEN NULL ELSE done_at"
	           " END, version = version + 1, updated_at = ? WHERE id = ?",
	           DB_ARGS(db_text(to), db_int(submit || accept), db_int(accept), db_int(in->now),
	                   db_text(to), db_int(in->now), db_int(t.id)),
	           e);
	const char *note = in->note && *in->note ? in->note : mv->label;
	if (rc == 0)
		rc = add_event(db, t.id, in->now, in->actor, 0, in->action, t.status, to,
		               submit ? 100 : -1, 0, note, NULL, e);
	return rc;
}
