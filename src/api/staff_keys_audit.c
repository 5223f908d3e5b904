/* Open311 api keys and the audit trail, for admins. A key is shown once, when made; after
 * that only its name, scope and dates. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/api_common.h"
#include "api/staff.h"
#include "store/apikey.h"
#include "store/audit.h"
#include "store/db.h"

const struct param_spec apikeys_create_params[] = {
    {.name = "name", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 100},
    {.name = "services",
     .type = PT_LIST,
     .max = 200,
     .max_len = 16,
     .description = "service codes or category group codes the key may post to; absent: all"},
    {.name = NULL},
};
const struct param_spec audit_list_params[] = {
    {.name = "actor", .type = PT_STRING, .max_len = 64},
    {.name = "action", .type = PT_STRING, .max_len = 64, .description = "prefix, e.g. user."},
    {.name = "object", .type = PT_STRING, .max_len = 64},
    {.name = "since", .type = PT_DATETIME},
    {.name = "until", .type = PT_DATETIME},
    {.name = "before_id", .type = PT_INT, .min = 1, .max = 1e15},
    {.name = "limit", .type = PT_INT, .min = 1, .max = 1000},
    {.name = NULL},
};

static json_t *key_row(struct db_stmt *st)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:o}", "id", (json_int_t)db_col_int(st, 0), "name",
	                 db_col_text(st, 1), "services", db_col_text(st, 2), "created_at",
	                 (json_int_t)db_col_int(st, 3), "revoked_at",
	                 db_col_is_null(st, 4) ? json_null() : json_integer(db_col_int(st, 4)));
}

int apikeys_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	return api_query_array(db,
	                       "SELECT id, name, services, created_at, revoked_at FROM apikey"
	                       " ORDER BY id",
	                       NULL, 0, key_row, &w->json, e);
}

struct key_job {
	struct http_req *r;
	const char *name, *services;
	char key[APIKEY_LEN];
	int64_t id;
};

static int key_create_write(struct db *db, void *arg, struct err *e)
{
	struct key_job *j = arg;
	int rc = apikey_create(db, j->name, j->r->now, j->key, &j->id, e);
	if (rc == 0)
		rc = db_run(db, "UPDATE apikey SET services = ? WHERE id = ?",
		            DB_ARGS(db_text(j->services), db_int(j->id)), e);
	char object[64];
	snprintf(object, sizeof object, "apikey:%lld", (long long)j->id);
	json_t *sum = json_pack("{s:s, s:s}", "name", j->name, "services", j->services);
	if (rc == 0)
		rc = api_audit(db, j->r, "apikey.create", object, api_json_text(j->r, sum), e);
	else
		json_decref(sum);
	return rc;
}

int apikeys_create(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct key_job *j = arena_alloc(r->arena, sizeof *j);
	j->r = r;
	j->name = req_str(r, "name");
	j->services = req_str(r, "services") ? req_str(r, "services") : "*";
	int rc = api_write(r, key_create_write, j, e);
	if (rc < 0)
		return rc;
	w->status = 201;
	w->json = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)j->id, "name", j->name,
	                    "services", j->services, "api_key", j->key);
	return 0;
}

static int key_revoke_write(struct db *db, void *arg, struct err *e)
{
	struct key_job *j = arg;
	int64_t got;
	int rc = db_get_int(db,
	                    "UPDATE apikey SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
	                    " RETURNING id",
	                    DB_ARGS(db_int(j->r->now), db_int(j->id)), &got, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, "no active key %lld", (long long)j->id);
	char object[64];
	snprintf(object, sizeof object, "apikey:%lld", (long long)j->id);
	return rc ? rc : api_audit(db, j->r, "apikey.revoke", object, "{}", e);
}

int apikeys_revoke(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct key_job *j = arena_alloc(r->arena, sizeof *j);
	j->r = r;
	int rc = api_path_id(r, 0, &j->id, e);
	if (rc < 0 || (rc = api_write(r, key_revoke_write, j, e)) < 0)
		return rc;
	w->status = 204;
	return 0;
}

int audit_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	const struct param *p;
	struct audit_filter f = {
	    .actor = req_str(r, "actor"),
	    .action_prefix = req_str(r, "action"),
	    .object = req_str(r, "object"),
	    .since = (p = req_param(r, "since")) ? p->ival : 0,
	    .until = (p = req_param(r, "until")) ? p->ival : 0,
	    .before_id = (p = req_param(r, "before_id")) ? p->ival : 0,
	    .limit = (p = req_param(r, "limit")) ? (int)p->ival : 50,
	};
	return audit_list_json(db, &f, &w->json, e);
}

int audit_check(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	struct audit_report rep;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = audit_verify(db, &rep, e)) < 0)
		return rc;
	w->json = json_pack("{s:b, s:I, s:o, s:s}", "intact", rep.broken_id == 0, "records",
	                    (json_int_t)rep.count, "broken_id",
	                    rep.broken_id ? json_integer(rep.broken_id) : json_null(), "reason",
	                    rep.reason);
	return 0;
}
