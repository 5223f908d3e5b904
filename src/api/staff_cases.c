/* Cases as staff see them: only those within the caller's reach (reach.h). A case belongs to
 * the unit responsible for it (once dispatched), the unit of the area it lies in, and, until
 * dispatched, its category's default unit: anyone whose reach holds one of those sees it. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/api_common.h"
#include "store/case_search.h"
#include "lib/arena.h"
#include "api/reach.h"
#include "api/staff.h"
#include "core/roles.h"
#include "core/sla.h"
#include "lib/buf.h"
#include "lib/jsonw.h"
#include "store/db.h"
#include "app.h"
#include "core/case_fsm.h"
#include "core/media_type.h"
#include "store/area_store.h"
#include "store/case_store.h"
#include "store/refcache.h"
#include "store/routing_store.h"

static const char *const STATUSES[] = {"reported", "registered", "dispatched",
                                       "handling", "handled",    "deferred",
                                       "closed",   "rejected",   NULL};

static const char *const QUEUES[] = {"register", "dispatch",   "handle", "verify",
                                     "overdue",  "supervised", NULL};
static const char *const ORDERS[] = {"newest", "due", NULL};

/* The statuses of each work queue (what its people act on next). */
static const struct {
	const char *queue;
	const char *statuses[2];
} QUEUE_STATUSES[] = {
    {"register", {"reported", NULL}},
    {"dispatch", {"registered", NULL}},
    {"handle", {"dispatched", "handling"}},
    {"verify", {"handled", NULL}},
};

const struct param_spec cases_list_params[] = {
    {.name = "status", .type = PT_LIST, .max = 8, .values = STATUSES},
    {.name = "before_id", .type = PT_INT, .min = 1, .max = 1e15, .description = "paging"},
    {.name = "limit", .type = PT_INT, .min = 1, .max = 500},
    {.name = "queue",
     .type = PT_ENUM,
     .values = QUEUES,
     .description = "an inbox: register, dispatch, handle, verify, overdue, supervised"},
    {.name = "order",
     .type = PT_ENUM,
     .values = ORDERS,
     .description = "newest (default) or due: the nearest deadline first, overdue on top"},
    {.name = "offset",
     .type = PT_INT,
     .min = 0,
     .max = 100000,
     .description = "paging with order=due"},
    {.name = "q",
     .type = PT_STRING,
     .max_len = 100,
     .description = "search: a tracking code, or words in the description or address"},
    {.name = "service_code", .type = PT_STRING, .max_len = 16, .description = "one category"},
    {.name = "area",
     .type = PT_STRING,
     .max_len = 64,
     .description = "an area's code: cases in it and the areas below it"},
    {.name = NULL},
};

/* The scope as SQL over `c` (cases), `a` (its area) and `cat`: ?1 = root unit (0: all). */
static const char SCOPE_CTE[] = "WITH RECURSIVE sub(id) AS (SELECT id FROM unit WHERE id = ?"
                                " UNION SELECT u.id FROM unit u JOIN sub ON u.parent_id = sub.id) ";
static const char SCOPE_WHERE[] =
    " AND (? = 0 OR c.unit_id IN (SELECT id FROM sub) OR a.unit_id IN (SELECT id FROM sub)"
    " OR (c.unit_id IS NULL AND cat.default_unit_id IN (SELECT id FROM sub)))";

/* The columns of a case in a list (cheap per row) and of one case (plus the tracking codes
 * of its likely duplicate and recurrence, two lookups a list does not pay for). */
#define CASE_SELECT_LIST                                                                           \
	"SELECT c.id, c.code, c.status, cat.service_code, cat.name, c.description, c.address,"     \
	" c.lat, c.lon, COALESCE(c.unit_id, 0), COALESCE(u.name, ''), COALESCE(c.area_id, 0),"     \
	" COALESCE(a.name, ''), c.requested_at, c.updated_at, c.version, c.source,"                \
	" COALESCE(cat.default_unit_id, 0), c.stage, COALESCE(c.expected_at, 0), c.alert,"         \
	" c.supervise_level"
#define CASE_SELECT                                                                                \
	CASE_SELECT_LIST ", (SELECT d.code FROM cases d WHERE d.id = c.likely_duplicate_of),"      \
	                 " (SELECT o.code FROM cases o WHERE o.id = c.recurrence_of)"
static const char CASE_COLS[] =
    CASE_SELECT_LIST " FROM cases c JOIN category cat ON cat.id = c.category_id"
                     " LEFT JOIN unit u ON u.id = c.unit_id LEFT JOIN area a ON a.id = c.area_id";

static json_t *opt_id(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

/* A case's fields in a list, written as JSON text (lib/jsonw.h: a list of 50 built as jansson
 * objects spent most of its time in malloc). */
static void case_list_write(struct jsonw *w, struct db_stmt *st)
{
	jw_object(w);
	jw_kint(w, "id", db_col_int(st, 0));
	jw_kstr(w, "code", db_col_text(st, 1));
	jw_kstr(w, "status", db_col_text(st, 2));
	jw_kstr(w, "service_code", db_col_text(st, 3));
	jw_kstr(w, "service_name", db_col_text(st, 4));
	jw_kstr(w, "description", db_col_text(st, 5));
	jw_kstr(w, "address", db_col_text(st, 6));
	if (db_col_is_null(st, 7))
		jw_knull(w, "lat");
	else
		jw_kreal(w, "lat", db_col_real(st, 7));
	if (db_col_is_null(st, 8))
		jw_knull(w, "long");
	else
		jw_kreal(w, "long", db_col_real(st, 8));
	jw_kid(w, "unit_id", db_col_int(st, 9));
	jw_kstr(w, "unit_name", db_col_text(st, 10));
	jw_kid(w, "area_id", db_col_int(st, 11));
	jw_kstr(w, "area_name", db_col_text(st, 12));
	jw_kint(w, "requested_at", db_col_int(st, 13));
	jw_kint(w, "updated_at", db_col_int(st, 14));
	jw_kint(w, "version", db_col_int(st, 15));
	jw_kstr(w, "source", db_col_text(st, 16));
	jw_kstr(w, "stage", db_col_text(st, 18));
	jw_kid(w, "due_at", db_col_int(st, 19));
	jw_kint(w, "alert", db_col_int(st, 20));
	jw_kint(w, "supervise_level", db_col_int(st, 21));
	jw_end(w);
}

/* The single-case view: the list fields (one writer, so list and view never disagree) plus
 * the tracking codes of its likely duplicate and recurrence. NULL when out of memory. */
static json_t *case_row(struct db_stmt *st)
{
	struct buf b = BUF_INIT;
	struct jsonw w;
	jw_init(&w, &b);
	case_list_write(&w, st);
	json_t *c = json_loadb(b.data, b.len, 0, NULL);
	buf_free(&b);
	if (!c)
		return NULL;
	json_object_set_new(c, "likely_duplicate_of",
	                    db_col_is_null(st, 22) ? json_null()
	                                           : json_string(db_col_text(st, 22)));
	json_object_set_new(c, "recurrence_of",
	                    db_col_is_null(st, 23) ? json_null()
	                                           : json_string(db_col_text(st, 23)));
	return c;
}

/* status=a,b as up to 8 bound values: unused slots repeat the first. */
static void status_args(const struct http_req *r, struct db_val out[8], int *any)
{
	const char *s = req_str(r, "status");
	*any = s == NULL;
	size_t count;
	const char **tokens = arena_split(r->arena, s, ',', &count);
	const char *first = count ? tokens[0] : NULL;
	int n = 0;
	for (; n < 8 && (size_t)n < count; n++)
		out[n] = db_text(tokens[n]);
	for (; n < 8; n++)
		out[n] = db_text(first ? first : "");
}

/* status=… or a queue's statuses as 8 bound values; *any: no status filter. */
static void list_statuses(const struct http_req *r, struct db_val out[8], int *any)
{
	const char *queue = req_str(r, "queue");
	for (size_t i = 0; queue && i < sizeof QUEUE_STATUSES / sizeof QUEUE_STATUSES[0]; i++) {
		if (strcmp(queue, QUEUE_STATUSES[i].queue) != 0)
			continue;
		const char *const *st = QUEUE_STATUSES[i].statuses;
		for (int k = 0; k < 8; k++)
			out[k] = db_text(st[k < 2 && st[k] ? k : 0]);
		*any = 0;
		return;
	}
	status_args(r, out, any);
}

int cases_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct refdata *d;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0)
		return rc;
	int64_t root = reach_root(&r->who, d);
	const struct param *before = req_param(r, "before_id"), *limit = req_param(r, "limit"),
	                   *offset = req_param(r, "offset");
	const char *queue = req_str(r, "queue") ? req_str(r, "queue") : "";
	const char *order = req_str(r, "order") ? req_str(r, "order") : "newest";
	int due = !strcmp(order, "due");
	struct db_val st8[8];
	int any_status;
	list_statuses(r, st8, &any_status);
	/* Queues and the due order only hold open cases: saying so lets the planner walk the
	 * open-cases deadline index (cases_open_due) and stop after `limit` rows. Cases without a
	 * deadline (filed before deadlines existed) have no place in the due order. */
	int open_only = *queue || due;
	/* Words with Chinese in them go through the search index first (a few candidates), the
	 * substring test below confirming each; other words, codes and single characters scan. */
	const char *q = req_str(r, "q") ? req_str(r, "q") : "";
	const char *grams = NULL;
	const char *search = *q ? case_search_filter(db, r->arena, q, &grams) : NULL;
	char *sql =
	    arena_printf(r->arena,
	                 "%s%s WHERE (? = 1 OR c.status IN (?, ?, ?, ?, ?, ?, ?, ?))"
	                 " AND (? = 0 OR c.id < ?)%s%s%s"
	                 " AND (? = 0 OR c.expected_at < ?) AND (? = 0 OR c.supervise_level > 0)"
	                 " AND (? = '' OR c.code = ? OR c.description LIKE ? ESCAPE '\\'"
	                 " OR c.address LIKE ? ESCAPE '\\') AND (? = '' OR cat.service_code = ?)"
	                 " AND (? = '' OR c.area_id IN (" AREA_SUBTREE_OF_CODE "))"
	                 " AND %s ORDER BY %s LIMIT ? OFFSET ?",
	                 SCOPE_CTE, CASE_COLS, SCOPE_WHERE,
	                 open_only ? " AND c.status NOT IN ('closed', 'rejected')" : "",
	                 due ? " AND c.expected_at IS NOT NULL" : "", search ? search : "(? = '')",
	                 due ? "c.expected_at, c.id" : "c.id DESC");
	int overdue = !strcmp(queue, "overdue"), supervised = !strcmp(queue, "supervised");
	const char *like = api_like_anywhere(r, q);
	const char *service = req_str(r, "service_code") ? req_str(r, "service_code") : "";
	const char *area = req_str(r, "area") ? req_str(r, "area") : "";
	struct db_val args[] = {
	    db_int(root),
	    db_int(any_status),
	    st8[0],
	    st8[1],
	    st8[2],
	    st8[3],
	    st8[4],
	    st8[5],
	    st8[6],
	    st8[7],
	    db_int(before ? before->ival : 0),
	    db_int(before ? before->ival : 0),
	    db_int(root),
	    db_int(overdue),
	    db_int(r->now),
	    db_int(supervised),
	    db_text(q),
	    db_text(q),
	    db_text(like),
	    db_text(like),
	    db_text(service),
	    db_text(service),
	    db_text(area),
	    db_text(area),
	    db_text(search ? grams : ""),
	    db_int(limit ? limit->ival : 50),
	    db_int(offset ? offset->ival : 0),
	};
	return api_query_text(r, w, db, sql, args, sizeof args / sizeof args[0], case_list_write,
	                      e);
}

/* A case within the caller's reach, by tracking code: its staff view (a new JSON object)
 * and what the action checks need. Out of reach is ERR_NOT_FOUND, like a missing case. */
struct case_found {
	int64_t id, unit_id, version, closed_at;
	char status[16];
	char service_code[16];
	json_t *json;
};

static int find_case(struct http_req *r, struct db *db, struct refdata *d, const char *code,
                     struct case_found *out, struct err *e)
{
	char *sql = arena_printf(r->arena,
	                         "%s, c.closed_at, COALESCE(a.unit_id, 0) FROM"
	                         " cases c JOIN category cat ON cat.id = c.category_id"
	                         " LEFT JOIN unit u ON u.id = c.unit_id"
	                         " LEFT JOIN area a ON a.id = c.area_id WHERE c.code = ?",
	                         CASE_SELECT);
	struct db_stmt *st;
	int rc = db_query(db, sql, DB_ARGS(db_text(code)), &st, e);
	if (rc < 0)
		return rc;
	int64_t area_unit = 0, default_unit = 0;
	*out = (struct case_found){0};
	if ((rc = db_step(st, e)) == DB_ROW) {
		out->json = case_row(st);
		out->id = db_col_int(st, 0);
		snprintf(out->status, sizeof out->status, "%s", db_col_text(st, 2));
		out->unit_id = db_col_int(st, 9);
		out->version = db_col_int(st, 15);
		default_unit = db_col_int(st, 17);
		out->closed_at = db_col_is_null(st, 24) ? 0 : db_col_int(st, 24);
		area_unit = db_col_int(st, 25);
		snprintf(out->service_code, sizeof out->service_code, "%s", db_col_text(st, 3));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no case %.40s", code);
	}
	db_done(st);
	if (rc < 0)
		return rc;
	int64_t root = reach_root(&r->who, d);
	if (!reach_contains(d, root, out->unit_id) && !reach_contains(d, root, area_unit) &&
	    !(out->unit_id == 0 && reach_contains(d, root, default_unit))) {
		json_decref(out->json);
		out->json = NULL;
		return err_set(e, ERR_NOT_FOUND, "no case %.40s", code);
	}
	return 0;
}

/* Where the routing rules would send the case (the dispatcher may choose otherwise). */
static int add_suggestion(struct db *db, int64_t case_id, json_t *c, struct err *e)
{
	int64_t category = 0, area = 0;
	struct db_stmt *st;
	int rc = db_query(db, "SELECT category_id, COALESCE(area_id, 0) FROM cases WHERE id = ?",
	                  DB_ARGS(db_int(case_id)), &st, e);
	if (rc < 0)
		return rc;
	if ((rc = db_step(st, e)) == DB_ROW) {
		category = db_col_int(st, 0);
		area = db_col_int(st, 1);
	}
	db_done(st);
	if (rc < 0)
		return rc;
	struct routing_suggestion sg;
	if ((rc = routing_explain(db, category, area, &sg, e)) < 0)
		return rc == ERR_NOT_FOUND ? 0 : rc;
	json_object_set_new(c, "suggested_unit_id",
	                    sg.unit_id ? json_integer(sg.unit_id) : json_null());
	json_object_set_new(c, "suggestion", json_string(sg.reason));
	return 0;
}

static const char *const STAFF_ACTIONS[] = {
    "register",       "reject",      "dispatch",    "accept",      "return",
    "redispatch",     "handle",      "verify_pass", "verify_fail", "extend_request",
    "extend_approve", "extend_deny", "defer",       "resume",      "supervise",
    "merge",          "reopen",      "comment",     NULL};

static int unit_side(const char *action)
{
	return !strcmp(action, "accept") || !strcmp(action, "return") ||
	       !strcmp(action, "handle") || !strcmp(action, "extend_request");
}

/* The moves the caller may make now, for the console to offer only those: the state
 * machine's for the caller's roles (the staff API's, not report/onsite/escalate), the unit's
 * own moves only to people of the responsible unit. The server still checks each move. */
static json_t *allowed_actions(struct http_req *r, const struct refdata *d,
                               const struct case_found *c)
{
	json_t *a = json_array();
	enum case_state s;
	if (case_state_from_name(c->status, &s) < 0)
		return a;
	enum case_action acts[CASE_ACT_COUNT];
	size_t n = case_fsm_actions(s, r->who.roles, acts);
	int own = reach_contains(d, reach_root(&r->who, d), c->unit_id);
	for (size_t i = 0; i < n; i++) {
		const char *name = case_action_name(acts[i]);
		int staff = 0;
		for (const char *const *v = STAFF_ACTIONS; *v && !staff; v++)
			staff = !strcmp(*v, name);
		if (staff && (!unit_side(name) || own))
			json_array_append_new(a, json_string(name));
	}
	return a;
}

int cases_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct refdata *d;
	struct case_found c;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0 ||
	    (rc = find_case(r, db, d, r->path_args[0], &c, e)) < 0)
		return rc;
	if ((rc = case_photos_json(db, c.id, NULL, c.json, e)) < 0) {
		json_decref(c.json);
		return rc;
	}
	json_object_set_new(c.json, "actions", allowed_actions(r, d, &c));
	if (!strcmp(c.status, "reported") || !strcmp(c.status, "registered")) {
		if ((rc = add_suggestion(db, c.id, c.json, e)) < 0) {
			json_decref(c.json);
			return rc;
		}
	}
	w->json = c.json;
	return 0;
}

static json_t *event_row(struct db_stmt *st)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:o, s:s, s:o, s:s, s:b}", "id",
	                 (json_int_t)db_col_int(st, 0), "at", (json_int_t)db_col_int(st, 1),
	                 "actor", db_col_text(st, 2), "action", db_col_text(st, 3), "from_status",
	                 db_col_is_null(st, 4) ? json_null() : json_string(db_col_text(st, 4)),
	                 "to_status", db_col_text(st, 5), "unit_id", opt_id(db_col_int(st, 6)),
	                 "note", db_col_text(st, 7), "public", (int)db_col_int(st, 8));
}

int cases_timeline(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct refdata *d;
	struct case_found c;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0 ||
	    (rc = find_case(r, db, d, r->path_args[0], &c, e)) < 0)
		return rc;
	json_decref(c.json);
	return api_query_array(db,
	                       "SELECT id, at, actor, action, from_status, to_status,"
	                       " COALESCE(unit_id, 0), note, public FROM case_event"
	                       " WHERE case_id = ? ORDER BY id",
	                       DB_ARGS(db_int(c.id)), event_row, &w->json, e);
}

/* ---- actions ---- */

static const char *const BOOL_WORDS[] = {"true", "false", NULL};

const struct param_spec case_action_params[] = {
    {.name = "action", .type = PT_ENUM, .flags = PF_REQUIRED, .values = STAFF_ACTIONS},
    {.name = "version",
     .type = PT_INT,
     .flags = PF_REQUIRED,
     .min = 1,
     .max = 1e15,
     .description = "the case version the caller saw: a case changed meanwhile answers 409"},
    {.name = "note", .type = PT_TEXT, .max_len = 4000},
    {.name = "unit_id", .type = PT_INT, .min = 1, .max = 1e15},
    {.name = "duplicate_of", .type = PT_STRING, .max_len = 32},
    {.name = "extension_minutes",
     .type = PT_INT,
     .min = 1,
     .max = 60 * 24 * 365,
     .description = "extend_request: working minutes more"},
    {.name = "photo",
     .type = PT_FILE,
     .max_len = 8 << 20,
     .description = "handle: a photo of the result (JPEG, PNG or WebP)"},
    {.name = "level", .type = PT_INT, .min = 1, .max = 3, .description = "supervise: 督办 level"},
    {.name = "public",
     .type = PT_ENUM,
     .values = BOOL_WORDS,
     .description = "comment: citizens see it too"},
    {.name = NULL},
};

enum { REOPEN_WINDOW_S = 30 * 86400 };

/* The responsible unit's own moves: only people whose reach holds that unit make them. */

struct action_job {
	struct http_req *r;
	struct case_step step;
	struct case_step_result res;
	const char *code;
	int64_t duplicate_of;
	struct case_photo photo; /* handle: the result; sha256 NULL when none */
};

static int action_write(struct db *db, void *arg, struct err *e)
{
	struct action_job *j = arg;
	int rc = case_step_apply(db, &j->step, &j->res, e);
	if (rc == 0 && j->photo.sha256)
		rc = case_photos_add(db, j->step.case_id, j->res.event_id, &j->photo, 1, j->r->now,
		                     e);
	if (rc == 0 && j->duplicate_of)
		rc = db_run(db, "UPDATE cases SET duplicate_of = ? WHERE id = ?",
		            DB_ARGS(db_int(j->duplicate_of), db_int(j->step.case_id)), e);
	if (rc < 0)
		return rc;
	json_t *sum = json_pack("{s:s, s:s, s:I}", "from", j->res.from, "to", j->res.to, "version",
	                        (json_int_t)j->res.version);
	if (j->step.unit_id)
		json_object_set_new(sum, "unit_id", json_integer(j->step.unit_id));
	if (j->duplicate_of)
		json_object_set_new(sum, "duplicate_of", json_integer(j->duplicate_of));
	return api_audit(db, j->r, arena_printf(j->r->arena, "case.%s", j->step.action),
	                 arena_printf(j->r->arena, "case:%s", j->code), api_json_text(j->r, sum),
	                 e);
}

/* What the transition table cannot know: the unit to dispatch to, the merge target, the
 * reopen window, and that a unit's own moves come from that unit. */
static int check_action(struct http_req *r, struct db *db, struct refdata *d,
                        const struct case_found *c, struct action_job *j, struct err *e)
{
	const char *action = j->step.action;
	const struct param *unit = req_param(r, "unit_id");
	if (!strcmp(action, "dispatch") || !strcmp(action, "redispatch")) {
		int64_t parent;
		const char *kind;
		if (!unit)
			return err_set(e, ERR_BAD_REQUEST, "%s needs unit_id", action);
		if (refdata_unit(d, unit->ival, &parent, &kind) < 0)
			return err_set(e, ERR_UNPROCESSABLE, "unit %lld does not exist",
			               (long long)unit->ival);
		if (!strcmp(action, "redispatch") && unit->ival == c->unit_id)
			return err_set(e, ERR_UNPROCESSABLE, "the case is with that unit already");
		j->step.unit_id = unit->ival;
	}
	if (unit_side(action) && !reach_contains(d, reach_root(&r->who, d), c->unit_id))
		return err_set(e, ERR_FORBIDDEN, "only the responsible unit's people may %s",
		               action);
	if (!strncmp(action, "verify_",
	             7)) { /* 现场解决: found and fixed by one, verified by another */
		struct db_stmt *st;
		int rc = db_query(db,
		                  "SELECT 1 FROM case_event WHERE case_id = ? AND action = 'onsite'"
		                  " AND actor = ?",
		                  DB_ARGS(db_int(c->id), db_text(api_actor(r))), &st, e);
		if (rc < 0)
			return rc;
		rc = db_step(st, e);
		db_done(st);
		if (rc == DB_ROW)
			return err_set(e, ERR_FORBIDDEN,
			               "a case you solved on the spot is verified by someone else");
		if (rc < 0)
			return rc;
	}
	if (!strcmp(action, "reopen") && c->closed_at && r->now - c->closed_at > REOPEN_WINDOW_S)
		return err_set(e, ERR_UNPROCESSABLE,
		               "closed more than 30 days ago: report it anew");
	if (!strcmp(action, "merge")) {
		const char *target = req_str(r, "duplicate_of");
		if (!target)
			return err_set(e, ERR_BAD_REQUEST,
			               "merge needs duplicate_of (a tracking code)");
		struct case_found t;
		int rc = find_case(r, db, d, target, &t, e);
		if (rc < 0)
			return rc;
		json_decref(t.json);
		if (t.id == c->id)
			return err_set(e, ERR_UNPROCESSABLE, "a case cannot duplicate itself");
		if (!strcmp(t.status, "closed") || !strcmp(t.status, "rejected"))
			return err_set(e, ERR_UNPROCESSABLE, "merge into an open case");
		j->duplicate_of = t.id;
	}
	return 0;
}

int cases_act(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct refdata *d;
	struct case_found c;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0 ||
	    (rc = find_case(r, db, d, r->path_args[0], &c, e)) < 0)
		return rc;
	json_decref(c.json);
	struct action_job *j = arena_alloc(r->arena, sizeof *j);
	j->r = r;
	j->code = arena_strdup(r->arena, r->path_args[0]);
	j->step = (struct case_step){.case_id = c.id,
	                             .action = req_str(r, "action"),
	                             .roles = r->who.roles,
	                             .actor = api_actor(r),
	                             .note = req_str(r, "note") ? req_str(r, "note") : "",
	                             .expect_version = req_param(r, "version")->ival,
	                             .now = r->now};
	/* The case's clock moves with it: the category's limits on the working calendar. */
	const struct category *cat = refdata_category(d, c.service_code);
	if (cat) {
		struct sla_limits *lim = arena_alloc(r->arena, sizeof *lim);
		*lim = (struct sla_limits){.register_minutes = cat->register_minutes,
		                           .handle_minutes = cat->handle_minutes,
		                           .verify_minutes = cat->verify_minutes,
		                           .urgent = cat->urgent};
		j->step.cal = refdata_calendar(d);
		j->step.limits = lim;
	}
	const struct param *level = req_param(r, "level");
	j->step.supervise_level = level ? (int)level->ival : 0;
	j->step.public_note = req_str(r, "public") && !strcmp(req_str(r, "public"), "true");
	const struct param *ext = req_param(r, "extension_minutes");
	j->step.extension_minutes = ext ? ext->ival : 0;
	if (!strcmp(j->step.action, "extend_request") && !ext)
		return err_set(e, ERR_BAD_REQUEST, "extend_request needs extension_minutes");
	if (c.version != j->step.expect_version)
		return err_set(e, ERR_CONFLICT, "case changed meanwhile (now %s, version %lld)",
		               c.status, (long long)c.version);
	struct api_photo ph;
	if ((rc = check_action(r, db, d, &c, j, e)) < 0 ||
	    (rc = api_take_photo(r, "photo", &ph, e)) < 0)
		return rc;
	if (ph.sha256 && strcmp(j->step.action, "handle") != 0)
		return err_set(e, ERR_BAD_REQUEST, "a photo goes with the handle move only");
	j->photo = (struct case_photo){.sha256 = ph.sha256,
	                               .kind = (enum media_kind)ph.kind,
	                               .bytes = ph.bytes,
	                               .role = "handled"};
	if ((rc = api_write(r, action_write, j, e)) < 0)
		return rc;
	if ((rc = find_case(r, db, d, j->code, &c, e)) < 0) {
		/* Moved out of reach (dispatched elsewhere): say what happened all the same. */
		w->json = json_pack("{s:s, s:s, s:I}", "code", j->code, "status", j->res.to,
		                    "version", (json_int_t)j->res.version);
		err_clear(e);
		return 0;
	}
	w->json = c.json;
	return 0;
}

/* ---- staff reports and 现场解决 ---- */

static const char *const BOOLS[] = {"true", "false", NULL};

const struct param_spec cases_file_params[] = {
    {.name = "service_code", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 16},
    {.name = "lat", .type = PT_DOUBLE, .min = -90, .max = 90},
    {.name = "long", .type = PT_DOUBLE, .min = -180, .max = 180},
    {.name = "address", .type = PT_STRING, .max_len = 500},
    {.name = "description", .type = PT_TEXT, .flags = PF_REQUIRED, .max_len = 4000},
    {.name = "handled",
     .type = PT_ENUM,
     .values = BOOLS,
     .description = "true: solved on the spot (inspectors), straight to verification"},
    {.name = "note", .type = PT_TEXT, .max_len = 4000, .description = "what was done on the spot"},
    {.name = "photo", .type = PT_FILE, .max_len = 8 << 20},
    {.name = "photo_before", .type = PT_FILE, .max_len = 8 << 20},
    {.name = "photo_after", .type = PT_FILE, .max_len = 8 << 20},
    {.name = NULL},
};

struct file_job {
	struct http_req *r;
	struct case_report report;
	struct case_ref ref;
};

static int file_write(struct db *db, void *arg, struct err *e)
{
	struct file_job *j = arg;
	int rc = case_report_file(db, &j->report, &j->ref, e);
	if (rc < 0)
		return rc;
	json_t *sum = json_pack("{s:I, s:s}", "category_id", (json_int_t)j->report.category_id,
	                        "source", j->report.source);
	return api_audit(db, j->r, j->report.first_action ? "case.onsite" : "case.report",
	                 arena_printf(j->r->arena, "case:%s", j->ref.code),
	                 api_json_text(j->r, sum), e);
}

static int add_photo(struct http_req *r, const char *param, const char *role,
                     struct case_photo *out, size_t *n, struct err *e)
{
	struct api_photo ph;
	int rc = api_take_photo(r, param, &ph, e);
	if (rc == 0 && ph.sha256)
		out[(*n)++] = (struct case_photo){.sha256 = ph.sha256,
		                                  .kind = (enum media_kind)ph.kind,
		                                  .bytes = ph.bytes,
		                                  .role = role};
	return rc;
}

/* The report itself as staff send it; ERR_* for what is missing. */
static int fill_report(struct http_req *r, struct refdata *d, const struct category *cat,
                       struct case_report *cr, struct err *e)
{
	const struct param *lat = req_param(r, "lat"), *lon = req_param(r, "long");
	const char *address = req_str(r, "address") ? req_str(r, "address") : "";
	if (!!lat != !!lon)
		return err_set(e, ERR_BAD_REQUEST, "lat and long must be given together");
	if (!lat && !*address)
		return err_set(e, ERR_BAD_REQUEST,
		               "a location is required: lat and long, or address");
	*cr = (struct case_report){.prefix = r->app->city_prefix,
	                           .now = r->now,
	                           .source = "inspector",
	                           .actor = api_actor(r),
	                           .roles = r->who.roles,
	                           .category_id = cat->id,
	                           .description = req_str(r, "description"),
	                           .address = address,
	                           .address_id = "",
	                           .zipcode = "",
	                           .media_url = "",
	                           .email = "",
	                           .phone = "",
	                           .first_name = "",
	                           .last_name = "",
	                           .device_id = "",
	                           .account_id = "",
	                           .status_notes = "已上报",
	                           .service_notice = ""};
	if (lat) {
		cr->has_location = 1;
		cr->lat = lat->dval;
		cr->lon = lon->dval;
		cr->area_id = refdata_area_at(d, cr->lat, cr->lon);
	}
	return 0;
}

int cases_file(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct refdata *d;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0)
		return rc;
	const struct category *cat = refdata_active_category(d, req_str(r, "service_code"));
	if (!cat)
		return err_set(e, ERR_UNPROCESSABLE, "service_code '%s' not found",
		               req_str(r, "service_code"));
	struct file_job *j = arena_alloc(r->arena, sizeof *j);
	j->r = r;
	struct case_report *cr = &j->report;
	if ((rc = fill_report(r, d, cat, cr, e)) < 0)
		return rc;
	const char *handled = req_str(r, "handled");
	int onsite = handled && !strcmp(handled, "true");
	struct sla_limits lim = {.register_minutes = cat->register_minutes,
	                         .handle_minutes = cat->handle_minutes,
	                         .verify_minutes = cat->verify_minutes,
	                         .urgent = cat->urgent};
	struct sla_clock *clock = arena_alloc(r->arena, sizeof *clock);
	sla_start(refdata_calendar(d), &lim, r->now, clock, NULL);
	if (onsite) {
		cr->first_action = "onsite";
		cr->onsite_note = req_str(r, "note") ? req_str(r, "note") : "";
		cr->status_notes = "现场已处置";
		sla_after(refdata_calendar(d), &lim, "onsite", "handled", r->now, 0, clock, NULL);
	}
	cr->clock = clock;
	struct case_photo *photos = arena_alloc(r->arena, 2 * sizeof *photos);
	size_t nphotos = 0;
	struct api_photo ph;
	if ((rc = api_take_photo(r, "photo", &ph, e)) < 0 ||
	    (rc = add_photo(r, "photo_before", "before", photos, &nphotos, e)) < 0 ||
	    (rc = add_photo(r, "photo_after", "after", photos, &nphotos, e)) < 0)
		return rc;
	if (onsite && nphotos != 2)
		return err_set(e, ERR_UNPROCESSABLE,
		               "solved on the spot: send photo_before and photo_after");
	cr->media_sha256 = ph.sha256;
	cr->media_kind = (enum media_kind)ph.kind;
	cr->media_bytes = ph.bytes;
	cr->photos = photos;
	cr->nphotos = nphotos;
	if ((rc = api_write(r, file_write, j, e)) < 0)
		return rc;
	struct case_found c;
	if ((rc = find_case(r, db, d, j->ref.code, &c, e)) < 0) {
		/* Filed outside the filer's own reach: still say what was made. */
		err_clear(e);
		c.json = json_pack("{s:s}", "code", j->ref.code);
	}
	w->status = 201;
	w->json = c.json;
	return 0;
}
