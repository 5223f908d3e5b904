/* A user's notifications (escalations of their unit's cases and its children's, and of the
 * tasks it leads), newest first,
 * with read/unread. Each user sees and marks only their own. */
#include <jansson.h>

#include "api/api_common.h"
#include "api/staff.h"
#include "store/db.h"

static const char *const BOOLS[] = {"true", "false", NULL};

const struct param_spec notifications_params[] = {
    {.name = "unread", .type = PT_ENUM, .values = BOOLS, .description = "only unread ones"},
    {.name = "limit", .type = PT_INT, .min = 1, .max = 500},
    {.name = NULL},
};

static json_t *note_row(struct db_stmt *st)
{
	return json_pack(
	    "{s:I, s:o, s:s, s:s, s:s, s:I, s:o, s:o}", "id", (json_int_t)db_col_int(st, 0),
	    "case_code", db_col_is_null(st, 1) ? json_null() : json_string(db_col_text(st, 1)),
	    "kind", db_col_text(st, 2), "message", db_col_text(st, 3), "case_status",
	    db_col_text(st, 4), "at", (json_int_t)db_col_int(st, 5), "read_at",
	    db_col_is_null(st, 6) ? json_null() : json_integer(db_col_int(st, 6)), "task_id",
	    db_col_is_null(st, 7) ? json_null() : json_integer(db_col_int(st, 7)));
}

int notifications_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	const char *unread = req_str(r, "unread");
	const struct param *limit = req_param(r, "limit");
	return api_query_array(
	    db,
	    "SELECT n.id, c.code, n.kind, n.message, COALESCE(c.status, ''), n.at, n.read_at,"
	    " n.task_id"
	    " FROM notification n LEFT JOIN cases c ON c.id = n.case_id WHERE n.user_id = ?"
	    " AND (? = 0 OR n.read_at IS NULL) ORDER BY n.id DESC LIMIT ?",
	    DB_ARGS(db_int(r->who.user_id), db_int(unread && unread[0] == 't'),
	            db_int(limit ? limit->ival : 50)),
	    note_row, &w->json, e);
}

struct read_job {
	struct http_req *r;
	int64_t id; /* 0: all */
	int64_t changed;
};

static int read_write(struct db *db, void *arg, struct err *e)
{
	struct read_job *j = arg;
	int rc = db_run(
	    db,
	    "UPDATE notification SET read_at = ? WHERE user_id = ? AND read_at IS NULL"
	    " AND (? = 0 OR id = ?)",
	    DB_ARGS(db_int(j->r->now), db_int(j->r->who.user_id), db_int(j->id), db_int(j->id)), e);
	if (rc == 0 && j->id) {
		int64_t one;
		rc = db_get_int(db, "SELECT 1 FROM notification WHERE id = ? AND user_id = ?",
		                DB_ARGS(db_int(j->id), db_int(j->r->who.user_id)), &one, e);
		if (rc == ERR_NOT_FOUND)
			rc = err_set(e, ERR_NOT_FOUND, "no such notification");
	}
	return rc;
}

int notifications_read(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct read_job j = {.r = r};
	int rc = api_path_id(r, 0, &j.id, e);
	if (rc < 0 || (rc = api_write(r, read_write, &j, e)) < 0)
		return rc;
	w->status = 204;
	return 0;
}

int notifications_read_all(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct read_job j = {.r = r};
	int rc = api_write(r, read_write, &j, e);
	if (rc < 0)
		return rc;
	w->status = 204;
	return 0;
}
