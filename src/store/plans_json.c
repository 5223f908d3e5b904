/* Plans and tasks as JSON, and the progress figures (store/plans.h). A plan's tasks are few
 * (hundreds): they are read whole into memory and the tree, roll-ups and groups are built in C. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/media_type.h"
#include "store/db.h"
#include "store/plans.h"

struct trow {
	int64_t id, parent, lead, starts_at, due_at, done_at, plan_id;
	int progress, alert, supervise, children, ms, ms_late;
	int64_t version;
	char code[40], status[16], kind[8];
	char *title, *lead_code, *lead_name; /* malloc'd */
	json_t *obj;                         /* the row's JSON (plan_json) */
};

struct tset {
	struct trow *v;
	size_t n;
};

static void tset_free(struct tset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].title);
		free(s->v[i].lead_code);
		free(s->v[i].lead_name);
		json_decref(s->v[i].obj);
	}
	free(s->v);
	*s = (struct tset){0};
}

static char *dup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		abort(); /* as buf.c: out of memory is not recovered from */
	return p;
}

#define TASK_COLS                                                                                  \
	"SELECT t.id, COALESCE(t.parent_id, 0), t.lead_unit_id, t.starts_at, t.due_at,"            \
	" COALESCE(t.done_at, 0), t.progress, t.alert, t.supervise_level,"                         \
	" (SELECT COUNT(*) FROM task c WHERE c.parent_id = t.id), (SELECT COUNT(*) FROM milestone" \
	" m WHERE m.task_id = t.id), (SELECT COUNT(*) FROM milestone m WHERE m.task_id = t.id AND" \
	" m.done_at IS NULL AND m.due_at < ?), t.version, t.code, t.status, t.kind, t.title,"      \
	" u.code, u.name, t.plan_id FROM task t JOIN unit u ON u.id = t.lead_unit_id"

static void read_row(struct db_stmt *st, struct trow *t)
{
	*t = (struct trow){.id = db_col_int(st, 0),
	                   .parent = db_col_int(st, 1),
	                   .lead = db_col_int(st, 2),
	                   .starts_at = db_col_int(st, 3),
	                   .due_at = db_col_int(st, 4),
	                   .done_at = db_col_int(st, 5),
	                   .progress = (int)db_col_int(st, 6),
	                   .alert = (int)db_col_int(st, 7),
	                   .supervise = (int)db_col_int(st, 8),
	                   .children = (int)db_col_int(st, 9),
	                   .ms = (int)db_col_int(st, 10),
	                   .ms_late = (int)db_col_int(st, 11),
	                   .version = db_col_int(st, 12),
	                   .title = dup(db_col_text(st, 16)),
	                   .lead_code = dup(db_col_text(st, 17)),
	                   .lead_name = dup(db_col_text(st, 18)),
	                   .plan_id = db_col_int(st, 19)};
	snprintf(t->code, sizeof t->code, "%s", db_col_text(st, 13));
	snprintf(t->status, sizeof t->status, "%s", db_col_text(st, 14));
	snprintf(t->kind, sizeof t->kind, "%s", db_col_text(st, 15));
}

static int load_tasks(struct db *db, const char *where, const struct db_val *args, size_t nargs,
                      struct tset *s, struct err *e)
{
	char sql[2048];
	snprintf(sql, sizeof sql, "%s %s ORDER BY t.plan_id, t.sort, t.id", TASK_COLS, where);
	struct db_stmt *st;
	int rc = db_query(db, sql, args, nargs, &st, e);
	if (rc)
		return rc;
	size_t cap = 0;
	*s = (struct tset){0};
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (s->n == cap) {
			cap = cap ? 2 * cap : 64;
			struct trow *p = realloc(s->v, cap * sizeof *p);
			if (!p)
				abort();
			s->v = p;
		}
		read_row(st, &s->v[s->n++]);
	}
	db_done(st);
	if (rc < 0)
		tset_free(s);
	return rc < 0 ? rc : 0;
}

static int is_open(const struct trow *t)
{
	return !strcmp(t->status, "pending") || !strcmp(t->status, "active");
}

/* ---- figures over leaf tasks */

struct fig {
	int tasks, pending, active, submitted, done, cancelled, overdue, done_on_time;
	double progress;
};

static void fig_add(struct fig *f, const struct trow *t, int64_t now)
{
	f->tasks++;
	if (!strcmp(t->status, "pending"))
		f->pending++;
	else if (!strcmp(t->status, "active"))
		f->active++;
	else if (!strcmp(t->status, "submitted"))
		f->submitted++;
	else if (!strcmp(t->status, "done"))
		f->done++;
	else
		f->cancelled++;
	f->overdue += is_open(t) && now >= t->due_at;
	f->done_on_time += !strcmp(t->status, "done") && t->done_at <= t->due_at;
	if (strcmp(t->status, "cancelled"))
		f->progress += !strcmp(t->status, "done") ? 100 : t->progress;
}

static json_t *rate(double num, double den)
{
	return den > 0 ? json_real((double)(int64_t)(10000 * num / den + 0.5) / 10000)
	               : json_null();
}

static json_t *fig_json(const struct fig *f)
{
	int counted = f->tasks - f->cancelled;
	json_t *o = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "tasks", f->tasks,
	                      "pending", f->pending, "active", f->active, "submitted", f->submitted,
	                      "done", f->done, "cancelled", f->cancelled, "overdue", f->overdue,
	                      "done_on_time", f->done_on_time);
	json_object_set_new(o, "completion_rate", rate(f->done, counted));
	json_object_set_new(o, "on_time_rate", rate(f->done_on_time, f->done));
	json_object_set_new(
	    o, "progress",
	    counted ? json_real((double)(int64_t)(100 * f->progress / counted + 0.5) / 100)
	            : json_null());
	return o;
}

static json_t *plan_figures(const struct tset *s, int64_t plan_id, int64_t now)
{
	struct fig f = {0};
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].plan_id == plan_id && !s->v[i].children)
			fig_add(&f, &s->v[i], now);
	return fig_json(&f);
}

/* ---- plans */

#define PLAN_COLS                                                                                  \
	"SELECT p.id, p.code, p.title, p.status, p.starts_at, p.ends_at, p.description,"           \
	" COALESCE(u.code, ''), COALESCE(u.name, '') FROM plan p"                                  \
	" LEFT JOIN unit u ON u.id = p.issuer_unit_id"

static json_t *plan_row(struct db_stmt *st)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:s, s:{s:s, s:s}}", "id",
	                 (json_int_t)db_col_int(st, 0), "code", db_col_text(st, 1), "title",
	                 db_col_text(st, 2), "status", db_col_text(st, 3), "starts_at",
	                 (json_int_t)db_col_int(st, 4), "ends_at", (json_int_t)db_col_int(st, 5),
	                 "description", db_col_text(st, 6), "issuer", "code", db_col_text(st, 7),
	                 "name", db_col_text(st, 8));
}

int plans_json(struct db *db, int64_t now, json_t **out, struct err *e)
{
	struct tset s;
	int rc = load_tasks(db, "", DB_ARGS(db_int(now)), &s, e);
	if (rc)
		return rc;
	struct db_stmt *st;
	if ((rc = db_query(db, PLAN_COLS " ORDER BY p.starts_at DESC, p.id DESC", NULL, 0, &st,
	                   e))) {
		tset_free(&s);
		return rc;
	}
	json_t *a = json_array();
	while ((rc = db_step(st, e)) == DB_ROW) {
		json_t *p = plan_row(st);
		json_object_set_new(p, "figures", plan_figures(&s, db_col_int(st, 0), now));
		json_array_append_new(a, p);
	}
	db_done(st);
	tset_free(&s);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return 0;
}

static json_t *unit_ref(int64_t id, const char *code, const char *name)
{
	return json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "code", code, "name", name);
}

static json_t *task_obj(const struct trow *t, int64_t now)
{
	int open = is_open(t);
	int alert = open ? task_alert(t->starts_at, t->due_at, now) : 0;
	return json_pack(
	    "{s:I, s:s, s:s, s:s, s:o, s:[], s:[], s:I, s:I, s:s, s:i, s:i, s:b, s:i,"
	    " s:o, s:I, s:i, s:i}",
	    "id", (json_int_t)t->id, "code", t->code, "title", t->title, "kind", t->kind, "lead",
	    unit_ref(t->lead, t->lead_code, t->lead_name), "co_units", "items", "starts_at",
	    (json_int_t)t->starts_at, "due_at", (json_int_t)t->due_at, "status", t->status,
	    "progress", !strcmp(t->status, "done") ? 100 : t->progress, "alert", alert, "overdue",
	    open && now >= t->due_at, "supervise_level", t->supervise, "done_at",
	    t->done_at ? json_integer(t->done_at) : json_null(), "version", (json_int_t)t->version,
	    "milestones", t->ms, "milestones_late", t->ms_late);
}

/* Appends what sql finds — (task id, unit id, code, name) rows, or (task id, item code) when
 * !unit — to the field of the task objects in by_id (keyed by id). */
static int add_lists(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
                     json_t *by_id, const char *field, int unit, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, sql, args, nargs, &st, e);
	if (rc)
		return rc;
	while ((rc = db_step(st, e)) == DB_ROW) {
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)db_col_int(st, 0));
		json_t *o = json_object_get(by_id, k);
		if (!o)
			continue;
		json_array_append_new(
		    json_object_get(o, field),
		    unit ? unit_ref(db_col_int(st, 1), db_col_text(st, 2), db_col_text(st, 3))
		         : json_string(db_col_text(st, 1)));
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

/* A key task's progress and status are its sub-tasks': the mean percent (cancelled ones
 * out); done when all are, active when any has started, cancelled when all are, else
 * pending. A done key task has no alert. */
static void rollup(json_t *t)
{
	json_t *kids = json_object_get(t, "children");
	if (!json_array_size(kids))
		return;
	double sum = 0;
	int n = 0, done = 0, started = 0;
	size_t i;
	json_t *c;
	json_array_foreach(kids, i, c)
	{
		const char *st = json_string_value(json_object_get(c, "status"));
		if (!strcmp(st, "cancelled"))
			continue;
		n++;
		sum += (double)json_integer_value(json_object_get(c, "progress"));
		done += !strcmp(st, "done");
		started += strcmp(st, "pending") != 0;
	}
	const char *status = !n            ? "cancelled"
	                     : done == n   ? "done"
	                     : started > 0 ? "active"
	                                   : "pending";
	json_object_set_new(t, "progress", json_integer(n ? (json_int_t)(sum / n + 0.5) : 0));
	json_object_set_new(t, "status", json_string(status));
	if (strcmp(status, "pending") && strcmp(status, "active")) {
		json_object_set_new(t, "alert", json_integer(0));
		json_object_set_new(t, "overdue", json_false());
	}
}

int plan_json(struct db *db, int64_t id, int64_t now, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, PLAN_COLS " WHERE p.id = ?", DB_ARGS(db_int(id)), &st, e);
	if (rc)
		return rc;
	json_t *p = NULL;
	if ((rc = db_step(st, e)) == DB_ROW)
		p = plan_row(st);
	db_done(st);
	if (rc < 0)
		return rc;
	if (!p)
		return err_set(e, ERR_NOT_FOUND, "no plan %lld", (long long)id);
	struct tset s;
	if ((rc = load_tasks(db, "WHERE t.plan_id = ?", DB_ARGS(db_int(now), db_int(id)), &s, e))) {
		json_decref(p);
		return rc;
	}
	json_object_set_new(p, "figures", plan_figures(&s, id, now));
	json_t *by_id = json_object(), *roots = json_array();
	for (size_t i = 0; i < s.n; i++) {
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)s.v[i].id);
		json_object_set_new(s.v[i].obj = task_obj(&s.v[i], now), "children", json_array());
		json_object_set(by_id, k, s.v[i].obj);
	}
	for (size_t i = 0; i < s.n; i++) {
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)s.v[i].parent);
		json_t *parent = s.v[i].parent ? json_object_get(by_id, k) : NULL;
		json_array_append(parent ? json_object_get(parent, "children") : roots, s.v[i].obj);
	}
	rc = add_lists(db,
	               "SELECT tu.task_id, u.id, u.code, u.name FROM task_unit tu"
	               " JOIN unit u ON u.id = tu.unit_id JOIN task t ON t.id = tu.task_id"
	               " WHERE t.plan_id = ? ORDER BY tu.task_id, u.code",
	               DB_ARGS(db_int(id)), by_id, "co_units", 1, e);
	if (rc == 0)
		rc = add_lists(
		    db,
		    "SELECT ti.task_id, n.code FROM task_item ti"
		    " JOIN standard_node n ON n.id = ti.node_id JOIN task t ON t.id = ti.task_id"
		    " WHERE t.plan_id = ? ORDER BY ti.task_id, n.code",
		    DB_ARGS(db_int(id)), by_id, "items", 0, e);
	for (size_t i = 0; i < json_array_size(roots); i++)
		rollup(json_array_get(roots, i));
	json_decref(by_id);
	tset_free(&s);
	if (rc) {
		json_decref(roots);
		json_decref(p);
		return rc;
	}
	json_object_set_new(p, "tasks", roots);
	*out = p;
	return 0;
}

int tasks_json(struct db *db, const struct task_filter *f, int64_t now, json_t **out, struct err *e)
{
	struct tset s;
	int rc = load_tasks(db,
	                    "WHERE (? = 0 OR t.plan_id = ?) AND (? = '' OR t.status = ?)"
	                    " AND (? = 0 OR (t.status IN ('pending', 'active') AND t.due_at <= ?))"
	                    " AND NOT EXISTS (SELECT 1 FROM task c WHERE c.parent_id = t.id)",
	                    DB_ARGS(db_int(now), db_int(f->plan_id), db_int(f->plan_id),
	                            db_text(f->status ? f->status : ""),
	                            db_text(f->status ? f->status : ""), db_int(f->overdue),
	                            db_int(now)),
	                    &s, e);
	if (rc)
		return rc;
	json_t *a = json_array(), *by_id = json_object();
	for (size_t i = 0; i < s.n; i++) {
		json_t *o = task_obj(&s.v[i], now);
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)s.v[i].id);
		json_object_set_new(o, "plan_id", json_integer(s.v[i].plan_id));
		json_object_set(by_id, k, o);
		json_array_append_new(a, o);
	}
	rc = add_lists(db,
	               "SELECT tu.task_id, u.id, u.code, u.name FROM task_unit tu"
	               " JOIN unit u ON u.id = tu.unit_id JOIN task t ON t.id = tu.task_id"
	               " WHERE (? = 0 OR t.plan_id = ?) ORDER BY tu.task_id, u.code",
	               DB_ARGS(db_int(f->plan_id), db_int(f->plan_id)), by_id, "co_units", 1, e);
	json_decref(by_id);
	tset_free(&s);
	if (rc) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return 0;
}

/* ---- one task */

static int task_events(struct db *db, int64_t id, json_t *t, struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT ev.id, ev.at, ev.actor, COALESCE(u.code, ''), COALESCE(u.name, ''),"
	             " ev.action, ev.from_status, ev.to_status, ev.progress, ev.milestone_id,"
	             " ev.note FROM task_event ev LEFT JOIN unit u ON u.id = ev.unit_id"
	             " WHERE ev.task_id = ? ORDER BY ev.id",
	             DB_ARGS(db_int(id)), &st, e);
	if (rc)
		return rc;
	json_t *a = json_array(), *by_id = json_object();
	json_object_set_new(t, "timeline", a);
	while ((rc = db_step(st, e)) == DB_ROW) {
		json_t *ev = json_pack(
		    "{s:I, s:I, s:s, s:o, s:s, s:o, s:s, s:o, s:o, s:s, s:[]}", "id",
		    (json_int_t)db_col_int(st, 0), "at", (json_int_t)db_col_int(st, 1), "actor",
		    db_col_text(st, 2), "unit",
		    *db_col_text(st, 3) ? json_pack("{s:s, s:s}", "code", db_col_text(st, 3),
		                                    "name", db_col_text(st, 4))
		                        : json_null(),
		    "action", db_col_text(st, 5), "from_status",
		    db_col_is_null(st, 6) ? json_null() : json_string(db_col_text(st, 6)),
		    "to_status", db_col_text(st, 7), "progress",
		    db_col_is_null(st, 8) ? json_null() : json_integer(db_col_int(st, 8)),
		    "milestone_id",
		    db_col_is_null(st, 9) ? json_null() : json_integer(db_col_int(st, 9)), "note",
		    db_col_text(st, 10), "attachments");
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)db_col_int(st, 0));
		json_object_set(by_id, k, ev);
		json_array_append_new(a, ev);
	}
	db_done(st);
	if (rc == DB_DONE)
		rc = db_query(
		    db,
		    "SELECT em.event_id, em.sha256, m.mime, m.bytes FROM task_event_media em"
		    " JOIN media m ON m.sha256 = em.sha256 JOIN task_event ev ON ev.id ="
		    " em.event_id WHERE ev.task_id = ? ORDER BY em.event_id, em.sort",
		    DB_ARGS(db_int(id)), &st, e);
	if (rc == 0) {
		while ((rc = db_step(st, e)) == DB_ROW) {
			char k[24], url[MEDIA_PATH_MAX];
			snprintf(k, sizeof k, "%lld", (long long)db_col_int(st, 0));
			media_path(db_col_text(st, 1), db_col_text(st, 2), url);
			json_t *ev = json_object_get(by_id, k);
			if (ev)
				json_array_append_new(json_object_get(ev, "attachments"),
				                      json_pack("{s:s, s:s, s:I}", "url", url,
				                                "mime", db_col_text(st, 2), "bytes",
				                                (json_int_t)db_col_int(st, 3)));
		}
		db_done(st);
	}
	json_decref(by_id);
	return rc < 0 ? rc : 0;
}

static int task_milestones(struct db *db, int64_t id, int64_t now, json_t *t, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT id, title, due_at, done_at FROM milestone WHERE task_id = ?"
	                  " ORDER BY due_at, id",
	                  DB_ARGS(db_int(id)), &st, e);
	if (rc)
		return rc;
	json_t *a = json_array();
	json_object_set_new(t, "milestones", a);
	while ((rc = db_step(st, e)) == DB_ROW) {
		int done = !db_col_is_null(st, 3);
		json_array_append_new(
		    a, json_pack(
		           "{s:I, s:s, s:I, s:o, s:b}", "id", (json_int_t)db_col_int(st, 0),
		           "title", db_col_text(st, 1), "due_at", (json_int_t)db_col_int(st, 2),
		           "done_at", done ? json_integer(db_col_int(st, 3)) : json_null(), "late",
		           done ? db_col_int(st, 3) > db_col_int(st, 2) : now > db_col_int(st, 2)));
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

int task_json(struct db *db, int64_t id, int64_t now, json_t **out, struct err *e)
{
	struct tset s;
	int rc = load_tasks(db, "WHERE t.id = ? OR t.parent_id = ?",
	                    DB_ARGS(db_int(now), db_int(id), db_int(id)), &s, e);
	if (rc)
		return rc;
	json_t *t = NULL, *kids = json_array(), *by_id = json_object();
	for (size_t i = 0; i < s.n; i++) {
		json_t *o = task_obj(&s.v[i], now);
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)s.v[i].id);
		json_object_set(by_id, k, o);
		if (s.v[i].id == id) {
			t = o;
			json_object_set_new(t, "description", json_string(""));
			json_object_set_new(t, "plan_id", json_integer(s.v[i].plan_id));
			json_object_set_new(t, "parent_id",
			                    s.v[i].parent ? json_integer(s.v[i].parent)
			                                  : json_null());
		} else {
			json_array_append_new(kids, o);
		}
	}
	tset_free(&s);
	if (!t) {
		json_decref(kids);
		json_decref(by_id);
		return err_set(e, ERR_NOT_FOUND, "no task %lld", (long long)id);
	}
	json_object_set_new(t, "children", kids);
	rollup(t);
	rc = add_lists(db,
	               "SELECT tu.task_id, u.id, u.code, u.name FROM task_unit tu JOIN unit u ON"
	               " u.id = tu.unit_id JOIN task t ON t.id = tu.task_id WHERE t.id = ? OR"
	               " t.parent_id = ? ORDER BY u.code",
	               DB_ARGS(db_int(id), db_int(id)), by_id, "co_units", 1, e);
	json_decref(by_id);
	json_t *items = json_array();
	json_object_set_new(t, "items", items);
	struct db_stmt *st;
	if (rc == 0 &&
	    (rc = db_query(db,
	                   "SELECT n.code, n.text, n.method FROM task_item ti JOIN standard_node n"
	                   " ON n.id = ti.node_id WHERE ti.task_id = ? ORDER BY n.code",
	                   DB_ARGS(db_int(id)), &st, e)) == 0) {
		while ((rc = db_step(st, e)) == DB_ROW)
			json_array_append_new(
			    items, json_pack("{s:s, s:s, s:s}", "code", db_col_text(st, 0), "text",
			                     db_col_text(st, 1), "method", db_col_text(st, 2)));
		db_done(st);
		rc = rc < 0 ? rc : 0;
	}
	if (rc == 0 &&
	    (rc = db_query(db,
	                   "SELECT t.description, p.code, p.title FROM task t JOIN plan p ON p.id ="
	                   " t.plan_id WHERE t.id = ?",
	                   DB_ARGS(db_int(id)), &st, e)) == 0) {
		if ((rc = db_step(st, e)) == DB_ROW) {
			json_object_set_new(t, "description", json_string(db_col_text(st, 0)));
			json_object_set_new(
			    t, "plan",
			    json_pack("{s:O, s:s, s:s}", "id", json_object_get(t, "plan_id"),
			              "code", db_col_text(st, 1), "title", db_col_text(st, 2)));
		}
		db_done(st);
		rc = rc < 0 ? rc : 0;
	}
	if (rc == 0)
		rc = task_milestones(db, id, now, t, e);
	if (rc == 0)
		rc = task_events(db, id, t, e);
	if (rc) {
		json_decref(t);
		return rc;
	}
	*out = t;
	return 0;
}

/* ---- progress figures */

int plan_progress_json(struct db *db, int64_t plan_id, enum plan_group g, int64_t now, json_t **out,
                       struct err *e)
{
	int64_t one;
	int rc =
	    db_get_int(db, "SELECT 1 FROM plan WHERE id = ?", DB_ARGS(db_int(plan_id)), &one, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, "no plan %lld", (long long)plan_id);
	struct tset s;
	if (rc || (rc = load_tasks(db, "WHERE t.plan_id = ?", DB_ARGS(db_int(now), db_int(plan_id)),
	                           &s, e)))
		return rc;
	/* group keys: the lead unit, or the key task (the root above each leaf) */
	struct grp {
		int64_t key;
		const char *code, *label;
		struct fig f;
	} *gv = calloc(s.n + 1, sizeof *gv);
	if (!gv)
		abort();
	size_t ng = 0;
	struct fig total = {0};
	for (size_t i = 0; i < s.n; i++) {
		const struct trow *t = &s.v[i];
		if (t->children)
			continue;
		fig_add(&total, t, now);
		const struct trow *root = t;
		for (int depth = 0; g == PLAN_GROUP_TASK && root->parent && depth < 8; depth++)
			for (size_t k = 0; k < s.n; k++)
				if (s.v[k].id == root->parent) {
					root = &s.v[k];
					break;
				}
		int64_t key = g == PLAN_GROUP_UNIT ? t->lead : root->id;
		size_t k = 0;
		while (k < ng && gv[k].key != key)
			k++;
		if (k == ng)
			gv[ng++] = (struct grp){
			    .key = key,
			    .code = g == PLAN_GROUP_UNIT ? t->lead_code : root->code,
			    .label = g == PLAN_GROUP_UNIT ? t->lead_name : root->title};
		fig_add(&gv[k].f, t, now);
	}
	json_t *rows = json_array();
	for (size_t k = 0; k < ng; k++) {
		json_t *o = fig_json(&gv[k].f);
		json_object_set_new(o, "key", json_string(gv[k].code));
		json_object_set_new(o, "label", json_string(gv[k].label));
		json_array_append_new(rows, o);
	}
	free(gv);
	tset_free(&s);
	*out = json_pack("{s:I, s:s, s:o, s:o}", "plan", (json_int_t)plan_id, "group",
	                 g == PLAN_GROUP_UNIT ? "unit" : "task", "total", fig_json(&total), "rows",
	                 rows);
	return 0;
}
