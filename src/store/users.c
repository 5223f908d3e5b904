#include "store/users.h"

#include <stdio.h>
#include <string.h>

#include "core/roles.h"
#include "store/db.h"

enum { LOCK_AFTER = 5, LOCK_BASE_S = 60, LOCK_MAX_S = 3600 };

int user_login_valid(const char *login)
{
	size_t n = strlen(login);
	if (n < 2 || n > USER_LOGIN_MAX ||
	    strspn(login, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n)
		return 0;
	return strchr("._-", login[0]) == NULL;
}

static void copy_col(char *dst, size_t cap, struct db_stmt *st, int col)
{
	snprintf(dst, cap, "%s", db_col_text(st, col));
}

static const char USER_COLS[] = "SELECT id, login, name, unit_id, roles, active, failed_logins,"
                                " locked_until, password_hash, COALESCE(totp_secret, '')"
                                " FROM users";

static int read_user(struct db *db, const char *sql, struct db_val arg, struct user *u,
                     struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, sql, &arg, 1, &st, e);
	if (rc < 0)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		u->id = db_col_int(st, 0);
		copy_col(u->login, sizeof u->login, st, 1);
		copy_col(u->name, sizeof u->name, st, 2);
		u->unit_id = db_col_int(st, 3);
		u->roles = (unsigned)db_col_int(st, 4);
		u->active = (int)db_col_int(st, 5);
		u->failed_logins = (int)db_col_int(st, 6);
		u->locked_until = db_col_int(st, 7);
		copy_col(u->password_hash, sizeof u->password_hash, st, 8);
		copy_col(u->totp_secret, sizeof u->totp_secret, st, 9);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no such user");
	}
	db_done(st);
	return rc;
}

int user_get(struct db *db, int64_t id, struct user *out, struct err *e)
{
	char sql[320];
	snprintf(sql, sizeof sql, "%s WHERE id = ?", USER_COLS);
	return read_user(db, sql, db_int(id), out, e);
}

int user_by_login(struct db *db, const char *login, struct user *out, struct err *e)
{
	char sql[320];
	snprintf(sql, sizeof sql, "%s WHERE login = ?", USER_COLS);
	return read_user(db, sql, db_text(login), out, e);
}

static int unit_exists(struct db *db, int64_t unit_id, struct err *e)
{
	int64_t one;
	int rc = db_get_int(db, "SELECT 1 FROM unit WHERE id = ? AND active = 1",
	                    DB_ARGS(db_int(unit_id)), &one, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_UNPROCESSABLE, "unit %lld does not exist or is inactive",
		               (long long)unit_id);
	return rc;
}

int user_create(struct db *db, const char *login, const char *name, int64_t unit_id, unsigned roles,
                const char *password_hash, int64_t now, int64_t *id, struct err *e)
{
	if (!user_login_valid(login))
		return err_set(e, ERR_UNPROCESSABLE,
		               "login must be 2 to 64 of a-z 0-9 . _ - (starting with a letter or"
		               " digit)");
	if (!(roles & ROLE_USERS) || (roles & ~(unsigned)ROLE_USERS))
		return err_set(e, ERR_UNPROCESSABLE, "a user needs at least one staff role");
	int rc = unit_exists(db, unit_id, e);
	if (rc < 0)
		return rc;
	rc = db_get_int(db,
	                "INSERT INTO users (login, name, unit_id, roles, password_hash, created_at,"
	                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
	                DB_ARGS(db_text(login), db_text(name), db_int(unit_id), db_int(roles),
	                        db_text(password_hash), db_int(now), db_int(now)),
	                id, e);
	if (rc == ERR_CONFLICT)
		return err_set(e, ERR_CONFLICT, "login '%s' is taken", login);
	return rc;
}

static int changed_one(int rc, int64_t got, struct err *e)
{
	(void)got;
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, "no such user");
	return rc;
}

int user_update(struct db *db, int64_t id, const char *name, int64_t unit_id, unsigned roles,
                int active, int64_t now, struct err *e)
{
	int rc;
	if (unit_id && (rc = unit_exists(db, unit_id, e)) < 0)
		return rc;
	if (roles && (!(roles & ROLE_USERS) || (roles & ~(unsigned)ROLE_USERS)))
		return err_set(e, ERR_UNPROCESSABLE, "a user needs at least one staff role");
	int64_t got;
	rc = db_get_int(db,
	                "UPDATE users SET name = COALESCE(?, name),"
	                " unit_id = CASE WHEN ? > 0 THEN ? ELSE unit_id END,"
	                " roles = CASE WHEN ? > 0 THEN ? ELSE roles END,"
	                " active = CASE WHEN ? >= 0 THEN ? ELSE active END, updated_at = ?"
	                " WHERE id = ? RETURNING id",
	                DB_ARGS(name ? db_text(name) : db_null(), db_int(unit_id), db_int(unit_id),
	                        db_int(roles), db_int(roles), db_int(active), db_int(active),
	                        db_int(now), db_int(id)),
	                &got, e);
	if (rc == 0 && active == 0) /* a disabled account's sessions end now */
		rc = db_run(db,
		            "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS"
		            " NULL",
		            DB_ARGS(db_int(now), db_int(id)), e);
	return changed_one(rc, got, e);
}

int user_set_password(struct db *db, int64_t id, const char *password_hash, int64_t now,
                      struct err *e)
{
	int64_t got;
	int rc =
	    db_get_int(db,
	               "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = 0,"
	               " updated_at = ? WHERE id = ? RETURNING id",
	               DB_ARGS(db_text(password_hash), db_int(now), db_int(id)), &got, e);
	return changed_one(rc, got, e);
}

int user_set_totp(struct db *db, int64_t id, const char *secret, int64_t now, struct err *e)
{
	int64_t got;
	int rc = db_get_int(db,
	                    "UPDATE users SET totp_secret = ?, updated_at = ? WHERE id = ?"
	                    " RETURNING id",
	                    DB_ARGS(*secret ? db_text(secret) : db_null(), db_int(now), db_int(id)),
	                    &got, e);
	return changed_one(rc, got, e);
}

int user_login_failed(struct db *db, int64_t id, int64_t now, int64_t *locked_until, struct err *e)
{
	int64_t n = 0;
	int rc = db_get_int(db,
	                    "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?"
	                    " RETURNING failed_logins",
	                    DB_ARGS(db_int(id)), &n, e);
	*locked_until = 0;
	if (rc < 0 || n < LOCK_AFTER)
		return changed_one(rc, n, e);
	int64_t wait = LOCK_BASE_S;
	for (int64_t k = LOCK_AFTER; k < n && wait < LOCK_MAX_S; k++)
		wait *= 2;
	if (wait > LOCK_MAX_S)
		wait = LOCK_MAX_S;
	*locked_until = now + wait;
	return db_run(db, "UPDATE users SET locked_until = ? WHERE id = ?",
	              DB_ARGS(db_int(*locked_until), db_int(id)), e);
}

int user_login_ok(struct db *db, int64_t id, struct err *e)
{
	return db_run(db, "UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?",
	              DB_ARGS(db_int(id)), e);
}

json_t *user_json(const struct user *u, const char *unit_name)
{
	char roles[128];
	roles_format(u->roles, roles, sizeof roles);
	json_t *arr = json_array();
	for (const char *p = roles; *p;) {
		size_t n = strcspn(p, ",");
		json_array_append_new(arr, json_stringn(p, n));
		p += n + (p[n] == ',');
	}
	return json_pack("{s:I, s:s, s:s, s:I, s:s, s:o, s:b, s:b, s:I}", "id", (json_int_t)u->id,
	                 "login", u->login, "name", u->name, "unit_id", (json_int_t)u->unit_id,
	                 "unit_name", unit_name ? unit_name : "", "roles", arr, "active", u->active,
	                 "totp", u->totp_secret[0] != '\0', "locked_until",
	                 (json_int_t)u->locked_until);
}

int users_list_json(struct db *db, int64_t within, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(
	    db,
	    "WITH RECURSIVE sub(id) AS (SELECT id FROM unit WHERE ? = 0 OR id = ?"
	    " UNION SELECT u.id FROM unit u JOIN sub ON u.parent_id = sub.id)"
	    " SELECT us.id, us.login, us.name, us.unit_id, us.roles, us.active, us.failed_logins,"
	    " us.locked_until, '', CASE WHEN us.totp_secret IS NULL THEN '' ELSE 'x' END, un.name"
	    " FROM users us JOIN unit un ON un.id = us.unit_id"
	    " WHERE us.unit_id IN (SELECT id FROM sub) ORDER BY us.login",
	    DB_ARGS(db_int(within), db_int(within)), &st, e);
	if (rc < 0)
		return rc;
	json_t *arr = json_array();
	while ((rc = db_step(st, e)) == DB_ROW) {
		struct user u = {.id = db_col_int(st, 0),
		                 .unit_id = db_col_int(st, 3),
		                 .roles = (unsigned)db_col_int(st, 4),
		                 .active = (int)db_col_int(st, 5),
		                 .failed_logins = (int)db_col_int(st, 6),
		                 .locked_until = db_col_int(st, 7)};
		copy_col(u.login, sizeof u.login, st, 1);
		copy_col(u.name, sizeof u.name, st, 2);
		copy_col(u.totp_secret, sizeof u.totp_secret, st, 9);
		json_array_append_new(arr, user_json(&u, db_col_text(st, 10)));
	}
	db_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
