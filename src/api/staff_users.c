/* Staff accounts and their sessions, for admins. Every change is audited with what changed
 * (never a password or hash). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/api_common.h"
#include "api/staff.h"
#include "core/password.h"
#include "core/roles.h"
#include "store/db.h"
#include "store/session.h"
#include "store/users.h"

static const char *const ROLE_NAMES[] = {"admin",     "office", "dispatcher", "handler",
                                         "inspector", "leader", "editor", NULL};
static const char *const BOOLS[] = {"true", "false", NULL};

const struct param_spec users_create_params[] = {
    {.name = "login", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 64},
    {.name = "name", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 128},
    {.name = "unit_id", .type = PT_INT, .flags = PF_REQUIRED, .min = 1, .max = 1e15},
    {.name = "roles", .type = PT_LIST, .flags = PF_REQUIRED, .max = 7, .values = ROLE_NAMES},
    {.name = "password", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 256},
    {.name = NULL},
};
const struct param_spec users_update_params[] = {
    {.name = "name", .type = PT_STRING, .max_len = 128},
    {.name = "unit_id", .type = PT_INT, .min = 1, .max = 1e15},
    {.name = "roles", .type = PT_LIST, .max = 7, .values = ROLE_NAMES},
    {.name = "active", .type = PT_ENUM, .values = BOOLS},
    {.name = NULL},
};
const struct param_spec users_password_params[] = {
    {.name = "password", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 256},
    {.name = NULL},
};

struct user_job {
	struct http_req *r;
	const char *login, *name, *hash;
	int64_t id, unit_id;
	unsigned roles;
	int active;
	const char *action, *summary;
};

static int create_write(struct db *db, void *arg, struct err *e)
{
	struct user_job *j = arg;
	int rc =
	    user_create(db, j->login, j->name, j->unit_id, j->roles, j->hash, j->r->now, &j->id, e);
	char object[64];
	snprintf(object, sizeof object, "user:%lld", (long long)j->id);
	return rc ? rc : api_audit(db, j->r, "user.create", object, j->summary, e);
}

static int update_write(struct db *db, void *arg, struct err *e)
{
	struct user_job *j = arg;
	int rc = user_update(db, j->id, j->name, j->unit_id, j->roles, j->active, j->r->now, e);
	char object[64];
	snprintf(object, sizeof object, "user:%lld", (long long)j->id);
	return rc ? rc : api_audit(db, j->r, "user.update", object, j->summary, e);
}

static int password_write(struct db *db, void *arg, struct err *e)
{
	struct user_job *j = arg;
	int rc = user_set_password(db, j->id, j->hash, j->r->now, e);
	if (rc == 0) /* a reset ends the user's sessions: the old password may be known */
		rc = db_run(db,
		            "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS"
		            " NULL",
		            DB_ARGS(db_int(j->r->now), db_int(j->id)), e);
	char object[64];
	snprintf(object, sizeof object, "user:%lld", (long long)j->id);
	return rc ? rc : api_audit(db, j->r, "user.password", object, "{\"by\":\"admin\"}", e);
}

static int parse_roles(const struct http_req *r, unsigned *roles, struct err *e)
{
	const char *s = req_str(r, "roles");
	if (!s) {
		*roles = 0;
		return 0;
	}
	if (roles_parse(s, roles) < 0)
		return err_set(e, ERR_BAD_REQUEST,
		               "roles: a comma list of admin, office,"
		               " dispatcher, handler, inspector, leader");
	return 0;
}

static int respond_user(struct http_req *r, struct http_resp *w, int64_t id, struct err *e)
{
	struct db *db;
	struct user u;
	int rc = api_db(r, &db, e);
	if (rc < 0 || (rc = user_get(db, id, &u, e)) < 0)
		return rc;
	struct db_stmt *st;
	const char *unit_name = "";
	if ((rc = db_query(db, "SELECT name FROM unit WHERE id = ?", DB_ARGS(db_int(u.unit_id)),
	                   &st, e)) < 0)
		return rc;
	if ((rc = db_step(st, e)) == DB_ROW)
		unit_name = arena_strdup(r->arena, db_col_text(st, 0));
	db_done(st);
	if (rc < 0)
		return rc;
	w->json = user_json(&u, unit_name);
	return 0;
}

int users_create(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct user_job j = {.r = r,
	                     .login = req_str(r, "login"),
	                     .name = req_str(r, "name"),
	                     .unit_id = req_param(r, "unit_id")->ival};
	int rc = parse_roles(r, &j.roles, e);
	const char *pw = req_str(r, "password");
	if (rc < 0 || (rc = password_check_policy(pw, e)) < 0)
		return rc;
	char *hash = arena_alloc(r->arena, PASSWORD_HASH_MAX);
	if ((rc = password_hash(pw, hash, e)) < 0)
		return rc;
	j.hash = hash;
	json_t *sum = json_pack("{s:s, s:s, s:I, s:s}", "login", j.login, "name", j.name, "unit_id",
	                        (json_int_t)j.unit_id, "roles", req_str(r, "roles"));
	j.summary = api_json_text(r, sum);
	if ((rc = api_write(r, create_write, &j, e)) < 0)
		return rc;
	w->status = 201;
	return respond_user(r, w, j.id, e);
}

int users_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	return rc < 0 ? rc : users_list_json(db, 0, &w->json, e);
}

int users_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	int64_t id;
	int rc = api_path_id(r, 0, &id, e);
	return rc < 0 ? rc : respond_user(r, w, id, e);
}

int users_update(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct user_job j = {.r = r, .name = req_str(r, "name"), .active = -1};
	int rc = api_path_id(r, 0, &j.id, e);
	if (rc < 0 || (rc = parse_roles(r, &j.roles, e)) < 0)
		return rc;
	const struct param *unit = req_param(r, "unit_id");
	j.unit_id = unit ? unit->ival : 0;
	const char *active = req_str(r, "active");
	if (active)
		j.active = strcmp(active, "true") == 0;
	if (j.id == r->who.user_id && (j.active == 0 || (j.roles && !(j.roles & ROLE_ADMIN))))
		return err_set(e, ERR_UNPROCESSABLE,
		               "you cannot disable yourself or drop your own admin role");
	json_t *sum = json_object();
	if (j.name)
		json_object_set_new(sum, "name", json_string(j.name));
	if (j.unit_id)
		json_object_set_new(sum, "unit_id", json_integer(j.unit_id));
	if (j.roles)
		json_object_set_new(sum, "roles", json_string(req_str(r, "roles")));
	if (j.active >= 0)
		json_object_set_new(sum, "active", json_boolean(j.active));
	j.summary = api_json_text(r, sum);
	if ((rc = api_write(r, update_write, &j, e)) < 0)
		return rc;
	return respond_user(r, w, j.id, e);
}

int users_reset_password(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct user_job j = {.r = r};
	int rc = api_path_id(r, 0, &j.id, e);
	const char *pw = req_str(r, "password");
	if (rc < 0 || (rc = password_check_policy(pw, e)) < 0)
		return rc;
	char *hash = arena_alloc(r->arena, PASSWORD_HASH_MAX);
	if ((rc = password_hash(pw, hash, e)) < 0)
		return rc;
	j.hash = hash;
	if ((rc = api_write(r, password_write, &j, e)) < 0)
		return rc;
	w->status = 204;
	return 0;
}

int sessions_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	return rc < 0 ? rc : sessions_list_json(db, 0, r->now, &w->json, e);
}

struct revoke_job {
	struct http_req *r;
	int64_t id;
};

static int revoke_write(struct db *db, void *arg, struct err *e)
{
	struct revoke_job *j = arg;
	int rc = session_revoke(db, j->id, 0, j->r->now, e);
	char object[64];
	snprintf(object, sizeof object, "session:%lld", (long long)j->id);
	return rc ? rc : api_audit(db, j->r, "session.revoke", object, "{}", e);
}

int sessions_revoke(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct revoke_job j = {.r = r};
	int rc = api_path_id(r, 0, &j.id, e);
	if (rc < 0 || (rc = api_write(r, revoke_write, &j, e)) < 0)
		return rc;
	w->status = 204;
	return 0;
}
