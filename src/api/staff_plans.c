/* The action plan (行动方案) over HTTP: the office issues plans and tasks; the lead unit and
 * co-units within a handler's reach report progress with attachments; the lead unit asks for
 * 销号 and the office accepts or returns; figures per unit and key task (docs/plans.md). */
#include "api/staff_plans.h"

#include <jansson.h>
#include <string.h>

#include "api/api_common.h"
#include "api/reach.h"
#include "core/roles.h"
#include "core/task_fsm.h"
#include "lib/arena.h"
#include "store/db.h"
#include "store/plans.h"
#include "store/standards.h"

static const char *const KINDS[] = {"hard", "soft", NULL};
static const char *const STATUSES[] = {"pending", "active", "submitted", "done", "cancelled", NULL};
static const char *const ACTIONS[] = {"submit", "accept", "return", "cancel", "reopen", NULL};
static const char *const GROUPS[] = {"unit", "task", NULL};
static const char *const FORMATS[] = {"json", "csv", NULL};
static const char *const BOOLS[] = {"true", "false", NULL};

const struct param_spec plans_create_params[] = {
    {.name = "code",
     .type = PT_STRING,
     .flags = PF_REQUIRED,
     .max_len = 64,
     .description = "e.g. DL-2026: 1–64 of A–Z a–z 0–9 _ -"},
    {.name = "title", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 600},
    {.name = "description", .type = PT_TEXT, .max_len = 8000},
    {.name = "issuer", .type = PT_STRING, .max_len = 64, .description = "the issuing unit's code"},
    {.name = "starts_at", .type = PT_DATETIME, .flags = PF_REQUIRED},
    {.name = "ends_at", .type = PT_DATETIME, .flags = PF_REQUIRED},
    {.name = NULL},
};

const struct param_spec plans_progress_params[] = {
    {.name = "group",
     .type = PT_ENUM,
     .values = GROUPS,
     .description = "unit (by lead unit, default) or task (by key task)"},
    {.name = "format", .type = PT_ENUM, .values = FORMATS, .description = "json (default) or csv"},
    {.name = NULL},
};

#define TASK_FIELDS(required)                                                                      \
	{.name = "title", .type = PT_STRING, .flags = (required), .max_len = 600},                 \
	    {.name = "description", .type = PT_TEXT, .max_len = 8000},                             \
	    {.name = "kind",                                                                       \
	     .type = PT_ENUM,                                                                      \
	     .values = KINDS,                                                                      \
	     .description = "hard (硬件, default) or soft (软件)"},                                \
	    {.name = "lead_unit",                                                                  \
	     .type = PT_STRING,                                                                    \
	     .flags = (required),                                                                  \
	     .max_len = 64,                                                                        \
	     .description = "the lead unit's code (牵头单位)"},                                    \
	    {.name = "co_units",                                                                   \
	     .type = PT_LIST,                                                                      \
	     .flags = PF_EMPTY,                                                                    \
	     .max_len = 64,                                                                        \
	     .max = 32,                                                                            \
	     .description = "co-unit codes (配合单位); empty: none"},                              \
	    {.name = "starts_at", .type = PT_DATETIME, .flags = (required)},                       \
	    {.name = "due_at", .type = PT_DATETIME, .flags = (required)},                          \
	    {.name = "items",                                                                      \
	     .type = PT_LIST,                                                                      \
	     .flags = PF_EMPTY,                                                                    \
	     .max_len = 64,                                                                        \
	     .max = 32,                                                                            \
	     .description = "codes of the active standard's items the task serves; empty: none"},  \
	{                                                                                          \
		.name = "milestones", .type = PT_LIST, .max_len = 400, .max = 32,                  \
		.description = "milestones to add, each \"YYYY-MM-DD 名称\""                     \
	}

const struct param_spec tasks_create_params[] = {
    {.name = "code",
     .type = PT_STRING,
     .flags = PF_REQUIRED,
     .max_len = 32,
     .description = "\"3\" for a key task, \"3.2\" for a sub-task: unique in the plan"},
    {.name = "parent_code",
     .type = PT_STRING,
     .max_len = 32,
     .description = "the parent task's code (none: a key task)"},
    TASK_FIELDS(PF_REQUIRED),
    {.name = NULL},
};

const struct param_spec tasks_edit_params[] = {
    TASK_FIELDS(0),
    {.name = NULL},
};

const struct param_spec tasks_list_params[] = {
    {.name = "plan", .type = PT_INT, .min = 1, .max = 1e15},
    {.name = "status", .type = PT_ENUM, .values = STATUSES},
    {.name = "overdue",
     .type = PT_ENUM,
     .values = BOOLS,
     .description = "only open tasks past their deadline"},
    {.name = "format", .type = PT_ENUM, .values = FORMATS, .description = "json (default) or csv"},
    {.name = NULL},
};

const struct param_spec tasks_report_params[] = {
    {.name = "note",
     .type = PT_TEXT,
     .flags = PF_REQUIRED,
     .max_len = 8000,
     .description = "what was done"},
    {.name = "progress",
     .type = PT_INT,
     .min = 0,
     .max = 100,
     .description = "percent done: the lead unit's (or the office's) to give"},
    {.name = "milestone_id",
     .type = PT_INT,
     .min = 1,
     .max = 1e15,
     .description = "a milestone this report says is reached"},
    {.name = "attachments",
     .type = PT_LIST,
     .max_len = 80,
     .max = 9,
     .description = "photos or PDF documents stored first (names from POST /api/v1/media)"},
    {.name = NULL},
};

const struct param_spec tasks_action_params[] = {
    {.name = "action",
     .type = PT_ENUM,
     .flags = PF_REQUIRED,
     .values = ACTIONS,
     .description = "submit (申请销号), accept (销号), return (退回), cancel, reopen"},
    {.name = "note",
     .type = PT_TEXT,
     .max_len = 4000,
     .description = "required for return, cancel and reopen"},
    {.name = "version",
     .type = PT_INT,
     .min = 1,
     .max = 1e15,
     .description = "the task's version as last seen: a stale one is 409"},
    {.name = NULL},
};

static int unit_by_code(struct db *db, const char *param, const char *code, int64_t *id,
                        struct err *e)
{
	int rc = db_find_int(db, "SELECT id FROM unit WHERE code = ?", code, id, e);
	if (rc == 0 && !*id)
		rc = err_set(e, ERR_UNPROCESSABLE, "%s: no unit %.64s", param, code);
	return rc;
}

/* ---- plans */

int plans_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	return rc < 0 ? rc : plans_json(db, r->now, &w->json, e);
}

int plans_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t id;
	int rc = api_path_id(r, 0, &id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	return plan_json(db, id, r->now, &w->json, e);
}

struct plan_job {
	struct http_req *r;
	struct plan_in in;
	int64_t id;
};

static int plan_write(struct db *db, void *arg, struct err *e)
{
	struct plan_job *j = arg;
	int rc = plan_create(db, &j->in, &j->id, e);
	if (rc == 0)
		rc = api_audit(db, j->r, "plan.create",
		               arena_printf(j->r->arena, "plan:%lld", (long long)j->id),
		               api_json_text(j->r, json_pack("{s:s, s:s}", "code", j->in.code,
		                                             "title", j->in.title)),
		               e);
	return rc;
}

int plans_create(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	struct plan_job *j = arena_alloc(r->arena, sizeof *j);
	*j = (struct plan_job){.r = r,
	                       .in = {.code = req_str(r, "code"),
	                              .title = req_str(r, "title"),
	                              .description = req_str(r, "description"),
	                              .starts_at = req_param(r, "starts_at")->ival,
	                              .ends_at = req_param(r, "ends_at")->ival,
	                              .now = r->now}};
	if (req_str(r, "issuer") &&
	    (rc = unit_by_code(db, "issuer", req_str(r, "issuer"), &j->in.issuer_unit_id, e)) < 0)
		return rc;
	if ((rc = api_write(r, plan_write, j, e)) < 0)
		return rc;
	w->status = 201;
	return plan_json(db, j->id, r->now, &w->json, e);
}

static const char *const FIG_COLS[] = {
    "key",       "label",   "tasks",        "pending",         "active",       "submitted", "done",
    "cancelled", "overdue", "done_on_time", "completion_rate", "on_time_rate", "progress"};

int plans_progress(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t id;
	int rc = api_path_id(r, 0, &id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	const char *g = req_str(r, "group");
	json_t *o;
	if ((rc = plan_progress_json(db, id,
	                             g && !strcmp(g, "task") ? PLAN_GROUP_TASK : PLAN_GROUP_UNIT,
	                             r->now, &o, e)) < 0)
		return rc;
	if (req_str(r, "format") && !strcmp(req_str(r, "format"), "csv")) {
		api_csv_rows(r, w, json_incref(json_object_get(o, "rows")), FIG_COLS,
		             sizeof FIG_COLS / sizeof FIG_COLS[0], "plan-progress.csv");
		json_decref(o);
		return 0;
	}
	w->json = o;
	return 0;
}

/* ---- tasks */

/* The task fields of the request into in (unit and item codes resolved). */
static int task_fields(struct http_req *r, struct db *db, struct task_in *in, struct err *e)
{
	int rc = 0;
	const struct param *p;
	in->title = req_str(r, "title");
	in->description = req_str(r, "description");
	in->kind = req_str(r, "kind");
	if (req_str(r, "lead_unit") &&
	    (rc = unit_by_code(db, "lead_unit", req_str(r, "lead_unit"), &in->lead_unit_id, e)) < 0)
		return rc;
	in->starts_at = (p = req_param(r, "starts_at")) ? p->ival : 0;
	in->due_at = (p = req_param(r, "due_at")) ? p->ival : 0;
	size_t n;
	const char **codes;
	if ((in->set_co = req_param(r, "co_units") != NULL)) {
		codes = arena_split(r->arena, req_str(r, "co_units"), ',', &n);
		int64_t *ids = arena_alloc(r->arena, (n + 1) * sizeof *ids);
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = unit_by_code(db, "co_units", codes[i], &ids[i], e);
		in->co_units = ids;
		in->nco = n;
	}
	if (rc == 0 && (in->set_items = req_param(r, "items") != NULL)) {
		codes = arena_split(r->arena, req_str(r, "items"), ',', &n);
		int64_t *ids = arena_alloc(r->arena, (n + 1) * sizeof *ids);
		for (size_t i = 0; i < n && rc == 0; i++) {
			rc = standards_active_item(db, codes[i], &ids[i], e);
			if (rc == 0 && !ids[i])
				rc = err_set(e, ERR_UNPROCESSABLE,
				             "items: no item %.64s in the active standard",
				             codes[i]);
		}
		in->items = ids;
		in->nitems = n;
	}
	if (rc == 0 && req_str(r, "milestones")) {
		codes = arena_split(r->arena, req_str(r, "milestones"), ',', &n);
		struct milestone_in *ms = arena_alloc(r->arena, (n + 1) * sizeof *ms);
		for (size_t i = 0; i < n && rc == 0; i++)
			if (plan_milestone_parse(codes[i], &ms[i]) < 0)
				rc = err_set(e, ERR_BAD_REQUEST,
				             "milestones: \"%.80s\" is not \"YYYY-MM-DD 名称\"",
				             codes[i]);
		in->milestones = ms;
		in->nmilestones = n;
	}
	in->actor = api_actor(r);
	in->now = r->now;
	return rc;
}

struct task_job {
	struct http_req *r;
	struct task_in in;
	int64_t id;
	int edit;
};

static int task_write(struct db *db, void *arg, struct err *e)
{
	struct task_job *j = arg;
	int rc = j->edit ? task_edit(db, j->id, &j->in, e) : task_create(db, &j->in, &j->id, e);
	if (rc == 0)
		rc = api_audit(
		    db, j->r, j->edit ? "task.edit" : "task.create",
		    arena_printf(j->r->arena, "task:%lld", (long long)j->id),
		    api_json_text(j->r, json_pack("{s:I, s:s*}", "plan", (json_int_t)j->in.plan_id,
		                                  "code", j->in.code)),
		    e);
	return rc;
}

int tasks_create(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct task_job *j = arena_alloc(r->arena, sizeof *j);
	*j = (struct task_job){.r = r};
	int rc = api_path_id(r, 0, &j->in.plan_id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0 || (rc = task_fields(r, db, &j->in, e)) < 0)
		return rc;
	j->in.code = req_str(r, "code");
	j->in.parent_code = req_str(r, "parent_code");
	if ((rc = api_write(r, task_write, j, e)) < 0)
		return rc;
	w->status = 201;
	return task_json(db, j->id, r->now, &w->json, e);
}

int tasks_edit(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct task_job *j = arena_alloc(r->arena, sizeof *j);
	*j = (struct task_job){.r = r, .edit = 1};
	int rc = api_path_id(r, 0, &j->id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0 || (rc = task_fields(r, db, &j->in, e)) < 0)
		return rc;
	if ((rc = api_write(r, task_write, j, e)) < 0)
		return rc;
	return task_json(db, j->id, r->now, &w->json, e);
}

/* The caller's standing towards task id: office, and (handlers) lead or co-unit when the
 * unit lies in their reach. */
static int parties_of(struct http_req *r, struct db *db, int64_t id, unsigned *parties,
                      struct err *e)
{
	struct refdata *d;
	int64_t lead, co[64];
	size_t nco;
	int rc = api_refdata(r, db, &d, e);
	if (rc < 0 || (rc = task_units(db, id, &lead, co, 64, &nco, e)) < 0)
		return rc;
	*parties = (r->who.roles & (ROLE_OFFICE | ROLE_ADMIN)) ? TASK_PARTY_OFFICE : 0;
	if (r->who.roles & ROLE_HANDLER) {
		int64_t root = reach_root(&r->who, d);
		if (reach_contains(d, root, lead))
			*parties |= TASK_PARTY_LEAD;
		for (size_t i = 0; i < nco; i++)
			if (reach_contains(d, root, co[i]))
				*parties |= TASK_PARTY_CO;
	}
	return 0;
}

/* The moves the caller may make now: the console offers only these. */
static json_t *actions_json(json_t *t, unsigned parties)
{
	static const char *const all[] = {"report", "submit", "accept",
	                                  "return", "cancel", "reopen"};
	enum task_state s;
	json_t *a = json_array();
	if (json_array_size(json_object_get(t, "children")) || /* the work is on sub-tasks */
	    task_state_parse(json_string_value(json_object_get(t, "status")), &s) < 0)
		return a;
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		struct task_move mv;
		if (task_fsm_apply(s, all[i], parties, "-", &mv) == TASK_FSM_OK)
			json_array_append_new(a, json_string(all[i]));
	}
	return a;
}

int tasks_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t id;
	unsigned parties;
	int rc = api_path_id(r, 0, &id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0 ||
	    (rc = parties_of(r, db, id, &parties, e)) < 0 ||
	    (rc = task_json(db, id, r->now, &w->json, e)) < 0)
		return rc;
	json_object_set_new(w->json, "actions", actions_json(w->json, parties));
	return 0;
}

static int in_reach(const struct refdata *d, int64_t root, json_t *t)
{
	if (reach_contains(d, root,
	                   json_integer_value(json_object_get(json_object_get(t, "lead"), "id"))))
		return 1;
	size_t i;
	json_t *u;
	json_array_foreach(
	    json_object_get(t, "co_units"), i,
	    u) if (reach_contains(d, root, json_integer_value(json_object_get(u, "id")))) return 1;
	return 0;
}

static const char *const TASK_COLS[] = {"id",     "code",           "title",  "kind",
                                        "status", "progress",       "due_at", "overdue",
                                        "alert",  "supervise_level"};

int tasks_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct refdata *d;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0)
		return rc;
	const struct param *plan = req_param(r, "plan");
	const char *overdue = req_str(r, "overdue");
	struct task_filter f = {.plan_id = plan ? plan->ival : 0,
	                        .status = req_str(r, "status"),
	                        .overdue = overdue && !strcmp(overdue, "true")};
	json_t *all;
	if ((rc = tasks_json(db, &f, r->now, &all, e)) < 0)
		return rc;
	int64_t root = reach_root(&r->who, d);
	json_t *mine = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(all, i, t) if (!root || in_reach(d, root, t)) json_array_append(mine, t);
	json_decref(all);
	if (req_str(r, "format") && !strcmp(req_str(r, "format"), "csv")) {
		json_array_foreach(mine, i, t)
		{
			json_object_set_new(
			    t, "overdue",
			    json_integer(json_is_true(json_object_get(t, "overdue"))));
		}
		api_csv_rows(r, w, mine, TASK_COLS, sizeof TASK_COLS / sizeof TASK_COLS[0],
		             "tasks.csv");
		return 0;
	}
	w->json = mine;
	return 0;
}

struct report_job {
	struct http_req *r;
	struct task_report_in in;
	int64_t event_id;
};

static int report_write(struct db *db, void *arg, struct err *e)
{
	struct report_job *j = arg;
	int rc = task_report(db, &j->in, &j->event_id, e);
	if (rc == 0)
		rc = api_audit(
		    db, j->r, "task.report",
		    arena_printf(j->r->arena, "task:%lld", (long long)j->in.task_id),
		    api_json_text(j->r, json_pack("{s:o, s:i}", "progress",
		                                  j->in.has_progress ? json_integer(j->in.progress)
		                                                     : json_null(),
		                                  "attachments", (int)j->in.nattachments)),
		    e);
	return rc;
}

int tasks_report(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct report_job *j = arena_alloc(r->arena, sizeof *j);
	*j = (struct report_job){.r = r};
	struct task_report_in *in = &j->in;
	int rc = api_path_id(r, 0, &in->task_id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0 ||
	    (rc = parties_of(r, db, in->task_id, &in->parties, e)) < 0)
		return rc;
	const struct param *p;
	if ((rc = api_media_list(r, "attachments", &in->attachments, &in->nattachments, e)) < 0)
		return rc;
	in->unit_id = (in->parties & (TASK_PARTY_LEAD | TASK_PARTY_CO)) ? r->who.unit_id : 0;
	in->actor = api_actor(r);
	in->note = req_str(r, "note");
	in->has_progress = (p = req_param(r, "progress")) != NULL;
	in->progress = p ? (int)p->ival : 0;
	in->milestone_id = (p = req_param(r, "milestone_id")) ? p->ival : 0;
	in->now = r->now;
	if ((rc = api_write(r, report_write, j, e)) < 0)
		return rc;
	w->status = 201;
	if ((rc = task_json(db, in->task_id, r->now, &w->json, e)) < 0)
		return rc;
	json_object_set_new(w->json, "actions", actions_json(w->json, in->parties));
	return 0;
}

struct act_job {
	struct http_req *r;
	struct task_act_in in;
	struct task_move mv;
};

static int act_write(struct db *db, void *arg, struct err *e)
{
	struct act_job *j = arg;
	int rc = task_act(db, &j->in, &j->mv, e);
	if (rc == 0)
		rc = api_audit(
		    db, j->r, arena_printf(j->r->arena, "task.%s", j->in.action),
		    arena_printf(j->r->arena, "task:%lld", (long long)j->in.task_id),
		    api_json_text(j->r, json_pack("{s:s, s:s}", "from", task_state_name(j->mv.from),
		                                  "to", task_state_name(j->mv.to))),
		    e);
	return rc;
}

int tasks_action(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct act_job *j = arena_alloc(r->arena, sizeof *j);
	*j = (struct act_job){.r = r};
	int rc = api_path_id(r, 0, &j->in.task_id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0 ||
	    (rc = parties_of(r, db, j->in.task_id, &j->in.parties, e)) < 0)
		return rc;
	const struct param *v = req_param(r, "version");
	j->in.action = req_str(r, "action");
	j->in.note = req_str(r, "note");
	j->in.version = v ? v->ival : 0;
	j->in.actor = api_actor(r);
	j->in.now = r->now;
	if ((rc = api_write(r, act_write, j, e)) < 0)
		return rc;
	if ((rc = task_json(db, j->in.task_id, r->now, &w->json, e)) < 0)
		return rc;
	json_object_set_new(w->json, "actions", actions_json(w->json, j->in.parties));
	return 0;
}
