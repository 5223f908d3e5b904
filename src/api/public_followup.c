/* GET /api/v1/public/cases/{code} and POST …/rating: the reporter's follow-up by tracking
 * code. Only what Open311 already shows plus the public timeline and the deadline: never the
 * reporter's contact, internal (non-public) events, or who on the staff acted — a move is
 * signed with the actor's unit ("文明办" for the office and the system). */
#include "api/public_followup.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_common.h"
#include "app.h"
#include "core/case_fsm.h"
#include "core/mask.h"
#include "core/sla.h"
#include "core/tracking.h"
#include "http/ratelimit.h"
#include "lib/utf8.h"
#include "store/area_store.h"
#include "store/case_store.h"
#include "store/db.h"
#include "store/refcache.h"

/* Stored rating values and what citizens read. */
static const char *const RATINGS[] = {"satisfied", "basically", "unsatisfied", NULL};
static const char *const RATING_LABELS[] = {"满意", "基本满意", "不满意", NULL};

const struct param_spec public_case_rate_params[] = {
    {.name = "token",
     .type = PT_STRING,
     .flags = PF_REQUIRED,
     .max_len = 64,
     .description = "The Open311 token returned when the report was filed"},
    {.name = "rating", .type = PT_ENUM, .flags = PF_REQUIRED, .values = RATINGS},
    {.name = "comment",
     .type = PT_TEXT,
     .max_len = RATING_COMMENT_MAX_CHARS * 4,
     .description = "At most 500 characters"},
    {.name = NULL},
};

/* The note of the reopen move: public, so the reporter reads why the case is open again. */
static const char REOPEN_NOTE[] = "市民评价不满意，重新办理";
/* Who signs the office's and the system's moves in public. */
static const char OFFICE_NAME[] = "文明办";

unsigned rating_reopen_roles(void)
{
	return case_fsm_can(CASE_CLOSED, CASE_ACT_REOPEN, ROLE_SYSTEM) ? ROLE_SYSTEM : ROLE_OFFICE;
}

const char *public_rating_label(const char *rating)
{
	for (size_t i = 0; RATINGS[i]; i++)
		if (strcmp(RATINGS[i], rating) == 0)
			return RATING_LABELS[i];
	return "";
}

/* The path's tracking code as people type it; a malformed one is simply not found. */
static int path_code(const struct http_req *r, char code[TRACKING_MAX], struct err *e)
{
	if (r->npath_args < 1 || !tracking_normalize(r->path_args[0], code))
		return err_set(e, ERR_NOT_FOUND, "no case with this tracking code");
	return 0;
}

static json_t *opt_time(struct db_stmt *st, int col)
{
	return db_col_is_null(st, col) || db_col_int(st, col) == 0
	           ? json_null()
	           : json_integer(db_col_int(st, col));
}

static int is_final(const char *status)
{
	return strcmp(status, "closed") == 0 || strcmp(status, "rejected") == 0;
}

/* "市民" for the reporter, the acting user's unit for staff, "文明办" for the system. */
static const char *signed_by(const char *actor, const char *user_unit)
{
	if (strcmp(actor, "citizen") == 0 || strncmp(actor, "apikey:", 7) == 0)
		return "市民";
	if (strncmp(actor, "user:", 5) == 0 && *user_unit)
		return user_unit;
	return OFFICE_NAME;
}

/* The timeline label of a move: its transition row's ("已派遣"), else the status reached. */
static const char *event_label(const char *action, const char *from, const char *to)
{
	enum case_action a;
	enum case_state f = CASE_NONE, t = CASE_NONE;
	if (from && case_state_from_name(from, &f) < 0)
		f = CASE_NONE;
	if (case_action_from_name(action, &a) == 0) {
		const struct case_transition *row = case_fsm_lookup(f, a);
		if (row)
			return row->label;
	}
	return case_state_from_name(to, &t) == 0 ? case_state_label(t) : "";
}

static int timeline_json(struct db *db, int64_t case_id, int reporter, json_t *out, struct err *e)
{
	/* Public events only. The acting user's unit stands in for the user. */
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT e.at, e.action, e.from_status, e.to_status, e.note, e.due_at,"
	                  " e.actor, COALESCE(eu.name, ''), COALESCE(au.name, '')"
	                  " FROM case_event e LEFT JOIN unit eu ON eu.id = e.unit_id"
	                  " LEFT JOIN users us ON e.actor = 'user:' || CAST(us.id AS TEXT)"
	                  " LEFT JOIN unit au ON au.id = us.unit_id"
	                  " WHERE e.case_id = ? AND e.public = 1 ORDER BY e.id",
	                  DB_ARGS(db_int(case_id)), &st, e);
	if (rc < 0)
		return rc;
	while ((rc = db_step(st, e)) == DB_ROW) {
		const char *from = db_col_is_null(st, 2) ? NULL : db_col_text(st, 2);
		const char *to = db_col_text(st, 3);
		enum case_state ts;
		int64_t at = db_col_int(st, 0);
		int64_t due = db_col_is_null(st, 5) ? 0 : db_col_int(st, 5);
		json_t *ev = json_pack(
		    "{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "at", (json_int_t)at, "action",
		    db_col_text(st, 1), "label", event_label(db_col_text(st, 1), from, to),
		    "status", to, "status_label",
		    case_state_from_name(to, &ts) == 0 ? case_state_label(ts) : "", "by",
		    signed_by(db_col_text(st, 6), db_col_text(st, 8)), "due_at",
		    due ? json_integer(due) : json_null(), "late",
		    due ? json_boolean(at > due) : json_null());
		json_object_set_new(ev, "note",
		                    mask_json_when(!reporter, db_col_text(st, 4), mask_text));
		if (*db_col_text(st, 7))
			json_object_set_new(ev, "unit", json_string(db_col_text(st, 7)));
		json_array_append_new(out, ev);
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

/* Whether given is the case's token, in constant time: the token is the reporter's only
 * proof. given may be NULL. */
static int same_token(const char *stored, const char *given)
{
	size_t n = strlen(stored);
	return given && *stored && strlen(given) == n && sodium_memcmp(stored, given, n) == 0;
}

static const char PUBLIC_SELECT[] =
    "SELECT c.id, c.code, c.status, cat.service_code, cat.name, c.description, c.address,"
    " c.lat, c.lon, c.requested_at, c.updated_at, c.expected_at, c.closed_at, c.stage,"
    " COALESCE(u.name, du.name, ''), cr.rating, cr.at, " CASE_PLACE_COLS ", c.token"
    " FROM cases c JOIN category cat ON cat.id = c.category_id"
    " LEFT JOIN unit u ON u.id = c.unit_id LEFT JOIN unit du ON du.id = cat.default_unit_id"
    " LEFT JOIN case_rating cr ON cr.case_id = c.id" CASE_PLACE_JOINS " WHERE c.code = ?";

int public_case_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	char code[TRACKING_MAX];
	struct db *db;
	int rc = api_public_limit(r, w, e);
	if (rc < 0 || (rc = path_code(r, code, e)) < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	return public_case_view(r, db, code, NULL, &w->json, e);
}

int public_case_view(struct http_req *r, struct db *db, const char *code, const char *token,
                     json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc;
	if ((rc = db_query(db, PUBLIC_SELECT, DB_ARGS(db_text(code)), &st, e)) < 0)
		return rc;
	json_t *c = NULL;
	int64_t id = 0;
	int reporter = 0;
	if ((rc = db_step(st, e)) == DB_ROW) {
		id = db_col_int(st, 0);
		const char *status = db_col_text(st, 2);
		enum case_state s;
		int final = is_final(status);
		int64_t due = final || db_col_is_null(st, 11) ? 0 : db_col_int(st, 11);
		/* A stopped clock (缓办, or no stage running) has no deadline to miss. */
		int running = due && *db_col_text(st, 13) && strcmp(status, "deferred") != 0;
		/* The tracking code is no secret (Open311 lists it): the public's view, masked as
		 * on every public page (core/mask.h), unless the token is the report's own. */
		reporter = same_token(db_col_text(st, 19), token);
		int located = !db_col_is_null(st, 7) && !db_col_is_null(st, 8);
		double lat = located ? db_col_real(st, 7) : 0,
		       lon = located ? db_col_real(st, 8) : 0;
		if (located && !reporter)
			mask_point(lat, lon, &lat, &lon);
		c = json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:b}",
		    "code", db_col_text(st, 1), "status", status, "status_label",
		    case_state_from_name(status, &s) == 0 ? case_state_label(s) : "",
		    "open311_status", final ? "closed" : "open", "service_code", db_col_text(st, 3),
		    "service_name", db_col_text(st, 4), "description",
		    mask_json_when(!reporter, db_col_text(st, 5), mask_text), "address",
		    mask_json_when(!reporter, db_col_text(st, 6), mask_address), "lat",
		    located ? json_real(lat) : json_null(), "long",
		    located ? json_real(lon) : json_null(), "requested_at",
		    (json_int_t)db_col_int(st, 9), "updated_at", (json_int_t)db_col_int(st, 10),
		    "closed_at", opt_time(st, 12), "due_at",
		    running ? json_integer(due) : json_null(), "overdue", running && r->now > due);
		json_object_set_new(c, "agency_responsible", json_string(db_col_text(st, 14)));
		/* the reader holds the report's token: sees it as filed */
		json_object_set_new(c, "reporter", json_boolean(reporter));
		/* where it is by area (a report placed on the map may have no address text) */
		json_object_set_new(c, "district", json_string(db_col_text(st, 17)));
		json_object_set_new(c, "street", json_string(db_col_text(st, 18)));
		json_object_set_new(c, "rating",
		                    db_col_is_null(st, 15)
		                        ? json_null()
		                        : json_pack("{s:s, s:s, s:I}", "rating",
		                                    db_col_text(st, 15), "label",
		                                    public_rating_label(db_col_text(st, 15)), "at",
		                                    (json_int_t)db_col_int(st, 16)));
		json_object_set_new(
		    c, "can_rate",
		    json_boolean(strcmp(status, "closed") == 0 && db_col_is_null(st, 15)));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no case with this tracking code");
	}
	db_done(st);
	if (rc < 0)
		return rc;
	json_t *tl = json_array();
	json_object_set_new(c, "timeline", tl);
	/* The result's photos (处理结果), not the report's: those may show people and doors. */
	if ((rc = timeline_json(db, id, reporter, tl, e)) < 0 ||
	    (rc = case_photos_json(db, id, "'after', 'handled'", c, e)) < 0) {
		json_decref(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* ---- rating ---- */

struct rate_job {
	struct http_req *r;
	int64_t case_id;
	const char *code, *rating, *comment;
	struct case_step step; /* the reopen move, when the policy asks for it */
	int reopened;
	char status[16]; /* after the job */
};

static int rate_write(struct db *db, void *arg, struct err *e)
{
	struct rate_job *j = arg;
	struct http_req *r = j->r;
	/* Again under the writer: the case may have been reopened or rated meanwhile. */
	struct db_stmt *st;
	int rc = db_query(db, "SELECT status, COALESCE(closed_at, 0) FROM cases WHERE id = ?",
	                  DB_ARGS(db_int(j->case_id)), &st, e);
	if (rc < 0)
		return rc;
	int64_t closed_at = 0;
	if ((rc = db_step(st, e)) == DB_ROW) {
		snprintf(j->status, sizeof j->status, "%s", db_col_text(st, 0));
		closed_at = db_col_int(st, 1);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no case with this tracking code");
	}
	db_done(st);
	if (rc < 0)
		return rc;
	if (strcmp(j->status, "closed") != 0)
		return err_set(e, ERR_CONFLICT, "only a closed case can be rated (it is %s)",
		               j->status);
	int64_t kept;
	rc = db_get_int(
	    db,
	    "INSERT INTO case_rating (case_id, rating, comment, at) VALUES (?, ?, ?, ?)"
	    " ON CONFLICT DO NOTHING RETURNING case_id",
	    DB_ARGS(db_int(j->case_id), db_text(j->rating), db_text(j->comment), db_int(r->now)),
	    &kept, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_CONFLICT, "this case has been rated already");
	if (rc < 0)
		return rc;
	/* The policy: a reporter unsatisfied soon after closing gets the case handled again. */
	if (strcmp(j->rating, "unsatisfied") == 0 && closed_at &&
	    r->now - closed_at <= RATING_REOPEN_WINDOW_S) {
		struct case_step_result res;
		if ((rc = case_step_apply(db, &j->step, &res, e)) < 0)
			return rc;
		j->reopened = 1;
		snprintf(j->status, sizeof j->status, "%s", res.to);
	}
	const char *object = arena_printf(r->arena, "case:%s", j->code);
	rc = api_audit_as(
	    db, r, "citizen", "case.rate", object,
	    api_json_text(r, json_pack("{s:s, s:b}", "rating", j->rating, "reopened", j->reopened)),
	    e);
	if (rc == 0 && j->reopened)
		rc = api_audit_as(
		    db, r, "system", "case.reopen", object,
		    api_json_text(r, json_pack("{s:s, s:s, s:s}", "from", "closed", "to", j->status,
		                               "reason", "rating unsatisfied")),
		    e);
	return rc;
}

int public_case_rate(struct http_req *r, struct http_resp *w, struct err *e)
{
	char code[TRACKING_MAX];
	int rc = api_public_limit(r, w, e);
	if (rc < 0 || (rc = path_code(r, code, e)) < 0)
		return rc;
	const char *comment = req_str(r, "comment") ? req_str(r, "comment") : "";
	struct public_rating out;
	if ((rc = public_case_rate_apply(r, code, req_str(r, "token"), req_str(r, "rating"),
	                                 comment, &out, e)) < 0)
		return rc;
	w->status = 201;
	w->json =
	    json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:s}", "code", code, "rating", out.rating,
	              "label", public_rating_label(out.rating), "comment", comment, "at",
	              (json_int_t)r->now, "reopened", out.reopened, "status", out.status);
	return 0;
}

int public_case_rate_apply(struct http_req *r, const char *code, const char *token,
                           const char *rating, const char *comment, struct public_rating *out,
                           struct err *e)
{
	struct db *db;
	struct refdata *d;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = api_refdata(r, db, &d, e)) < 0)
		return rc;
	if (utf8_length(comment, strlen(comment)) > RATING_COMMENT_MAX_CHARS)
		return err_set(e, ERR_BAD_REQUEST, "comment is longer than %d characters",
		               RATING_COMMENT_MAX_CHARS);
	struct db_stmt *st;
	rc = db_query(db,
	              "SELECT c.id, c.token, c.status, cat.service_code,"
	              " EXISTS (SELECT 1 FROM case_rating cr WHERE cr.case_id = c.id)"
	              " FROM cases c JOIN category cat ON cat.id = c.category_id WHERE c.code = ?",
	              DB_ARGS(db_text(code)), &st, e);
	if (rc < 0)
		return rc;
	struct rate_job *j = arena_alloc(r->arena, sizeof *j);
	*j = (struct rate_job){.r = r};
	const char *status = "", *service = "";
	int token_ok = 0, rated = 0;
	if ((rc = db_step(st, e)) == DB_ROW) {
		j->case_id = db_col_int(st, 0);
		token_ok = same_token(db_col_text(st, 1), token);
		status = arena_strdup(r->arena, db_col_text(st, 2));
		service = arena_strdup(r->arena, db_col_text(st, 3));
		rated = db_col_int(st, 4) != 0;
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no case with this tracking code");
	}
	db_done(st);
	if (rc < 0)
		return rc;
	/* The token first: someone else learns nothing about the case's state from the answer. */
	if (!token_ok)
		return err_set(e, ERR_FORBIDDEN, "token does not match this case");
	if (strcmp(status, "closed") != 0)
		return err_set(e, ERR_CONFLICT, "only a closed case can be rated (it is %s)",
		               status);
	if (rated)
		return err_set(e, ERR_CONFLICT, "this case has been rated already");
	j->code = arena_strdup(r->arena, code);
	j->rating = rating;
	j->comment = comment;
	j->step = (struct case_step){.case_id = j->case_id,
	                             .action = "reopen",
	                             .roles = rating_reopen_roles(),
	                             .actor = "system",
	                             .note = REOPEN_NOTE,
	                             .now = r->now};
	/* The reopened case's clock restarts as any reopen's would. */
	const struct category *cat = refdata_category(d, service);
	if (cat) {
		struct sla_limits *lim = arena_alloc(r->arena, sizeof *lim);
		*lim = (struct sla_limits){.register_minutes = cat->register_minutes,
		                           .handle_minutes = cat->handle_minutes,
		                           .verify_minutes = cat->verify_minutes,
		                           .urgent = cat->urgent};
		j->step.cal = refdata_calendar(d);
		j->step.limits = lim;
	}
	if ((rc = api_write(r, rate_write, j, e)) < 0)
		return rc;
	out->rating = j->rating;
	out->reopened = j->reopened;
	out->status = arena_strdup(r->arena, j->status);
	return 0;
}
