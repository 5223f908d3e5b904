/* The action plan (行动方案) and its tasks (migration 018, docs/plans.md): plans, key tasks and
 * sub-tasks with a lead unit, co-units, deadlines, milestones and the standard items they
 * serve; progress reports with attachments; status moves through core/task_fsm.h; progress
 * figures per plan, key task and unit. Writers run inside the caller's write transaction. */
#ifndef WM_PLANS_H
#define WM_PLANS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/task_fsm.h"
#include "lib/err.h"
#include "store/org_io.h"

struct db;
struct job_ctx;

struct plan_in {
	const char *code; /* 1–64 of [A-Za-z0-9_-] */
	const char *title;
	const char *description; /* NULL: "" */
	int64_t issuer_unit_id;  /* 0: none */
	int64_t starts_at, ends_at;
	int64_t now;
};

/* ERR_CONFLICT when the code is taken; ERR_UNPROCESSABLE when it ends before it starts. */
int plan_create(struct db *db, const struct plan_in *in, int64_t *id, struct err *e);

struct milestone_in {
	const char *title;
	int64_t due_at;
};

/* A new task, or (task_edit) the fields to change: NULL strings, 0 ids and times and unset
 * lists are left as they are. */
struct task_in {
	int64_t plan_id;
	const char *code;                       /* create: "3" or "3.2", unique in the plan */
	const char *parent_code;                /* create: NULL or "": a key task */
	const char *title, *description, *kind; /* kind: hard (硬件) or soft (软件) */
	int64_t lead_unit_id;
	int set_co;
	const int64_t *co_units;
	size_t nco;
	int set_items;
	const int64_t *items; /* standard item ids (standard_node, kind item) */
	size_t nitems;
	int64_t starts_at, due_at;
	const struct milestone_in *milestones; /* added (create and edit alike) */
	size_t nmilestones;
	const char *actor; /* for the timeline: "user:7" */
	int64_t now;
};

/* "YYYY-MM-DD 名称": due at the end of that day (Beijing time), the title pointing into s.
 * -1 when s is not of that shape. */
int plan_milestone_parse(const char *s, struct milestone_in *out);

/* ERR_CONFLICT: the code is taken; ERR_UNPROCESSABLE: unknown parent or unit, a sub-task of a
 * sub-task (two levels: key tasks and sub-tasks), due before start, a sub-task outside its
 * parent's time, a co-unit that is the lead. */
int task_create(struct db *db, const struct task_in *in, int64_t *id, struct err *e);
/* The same checks; a timeline entry says what changed (a new deadline is 延期). */
int task_edit(struct db *db, int64_t id, const struct task_in *in, struct err *e);

/* The task's lead unit and (at most cap) co-units, for the caller's reach. ERR_NOT_FOUND. */
int task_units(struct db *db, int64_t id, int64_t *lead, int64_t *co, size_t cap, size_t *nco,
               struct err *e);

struct task_report_in {
	int64_t task_id;
	unsigned parties; /* enum task_party bits of the reporter */
	int64_t unit_id;  /* the reporting unit; 0: the office */
	const char *actor;
	const char *note;               /* what was done: required */
	int has_progress;               /* the lead unit's (or the office's) percent */
	int progress;                   /* 0–100 */
	int64_t milestone_id;           /* 0: none; else that milestone is reached */
	const char *const *attachments; /* sha256 of stored media (photos or PDF) */
	size_t nattachments;
	int64_t now;
};

/* A progress report (starts a pending task). Reports and moves are on tasks without
 * sub-tasks (a key task's status and progress are its sub-tasks'): ERR_UNPROCESSABLE. ERR_FORBIDDEN
 * for progress from a co-unit, ERR_CONFLICT for a task not open, ERR_UNPROCESSABLE for an unknown
 * or reached milestone or an attachment never stored. */
int task_report(struct db *db, const struct task_report_in *in, int64_t *event_id, struct err *e);

struct task_act_in {
	int64_t task_id;
	const char *action; /* submit, accept, return, cancel, reopen */
	unsigned parties;
	const char *note;
	int64_t version; /* 0: any; else the version the caller saw (ERR_CONFLICT when stale) */
	const char *actor;
	int64_t now;
};

int task_act(struct db *db, const struct task_act_in *in, struct task_move *mv, struct err *e);

/* [{id, code, title, status, starts_at, ends_at, issuer, figures}] */
int plans_json(struct db *db, int64_t now, json_t **out, struct err *e);
/* A plan with its task tree: {id, code, …, figures, tasks: [{…, children: [...]}]}; a task
 * with sub-tasks shows their mean progress and a status from theirs (done when all are,
 * active when any has started, else pending). ERR_NOT_FOUND. */
int plan_json(struct db *db, int64_t id, int64_t now, json_t **out, struct err *e);
/* One task: the tree fields plus milestones, items, timeline with attachments, sub-tasks. */
int task_json(struct db *db, int64_t id, int64_t now, json_t **out, struct err *e);

struct task_filter {
	int64_t plan_id;    /* 0: every plan */
	const char *status; /* NULL: any */
	int overdue;        /* only open tasks past their deadline */
};
/* Tasks as flat rows (no children) with lead_unit_id and co_unit_ids for a reach filter. */
int tasks_json(struct db *db, const struct task_filter *f, int64_t now, json_t **out,
               struct err *e);

enum plan_group { PLAN_GROUP_UNIT, PLAN_GROUP_TASK };
/* Progress figures of a plan's leaf tasks (those without sub-tasks): {plan, group, total:
 * {...}, rows: [{key, label, tasks, pending, active, submitted, done, cancelled, overdue,
 * done_on_time, completion_rate, on_time_rate, progress}]}; group unit: by lead unit, task:
 * by key task. ERR_NOT_FOUND. */
int plan_progress_json(struct db *db, int64_t plan_id, enum plan_group g, int64_t now, json_t **out,
                       struct err *e);

struct plan_import_opts {
	const char *code, *title; /* the plan: made when the code is new */
	const char *issuer_code;  /* NULL: none */
	int dry_run;
	int in_transaction;
	int64_t now;
};
/* Tasks of a plan from CSV (code, parent_code, title, kind, lead_unit, co_units, starts_on,
 * due_on, items, milestones, description; docs/plans.md). All or nothing, every error in r;
 * a task code already in the plan is an error (tasks are edited, not re-imported). */
int plan_import(struct db *db, const char *path, const struct plan_import_opts *o,
                struct org_io_report *r, struct err *e);

/* The escalation of tasks (job `task_escalate`, hourly): open tasks whose alert rises turn
 * yellow or red (red raises 督办), each change a timeline entry, notifications for the lead
 * unit's users and its parent's (and the office's when red), and an audit record. */
int task_escalate_pass(struct db *db, int64_t now, int64_t *yellow, int64_t *red, struct err *e);
int task_escalate_job(const struct job_ctx *ctx, struct err *e);

#endif
