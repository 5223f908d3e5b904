/* Logging in and out, the caller's own account, and the optional TOTP second factor.
 * Wrong passwords are answered alike whether the login exists or not (same words, and an
 * argon2id verify either way), counted per account in the database (lockout after five in a
 * row, across instances) and limited per client address in the process. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_common.h"
#include "api/staff.h"
#include "app.h"
#include "core/password.h"
#include "core/roles.h"
#include "core/totp.h"
#include "http/ratelimit.h"
#include "store/db.h"
#include "store/refcache.h"
#include "store/session.h"
#include "store/users.h"

static const char COOKIE[] = "wm_session";
static const char BAD_LOGIN[] = "login or password is wrong";

const struct param_spec session_login_params[] = {
    {.name = "login", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 64},
    {.name = "password", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 256},
    {.name = "totp", .type = PT_STRING, .max_len = 16, .description = "TOTP code, if enrolled"},
    {.name = NULL},
};
const struct param_spec session_totp_params[] = {
    {.name = "totp", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 16},
    {.name = NULL},
};
const struct param_spec me_password_params[] = {
    {.name = "current", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 256},
    {.name = "password", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 256},
    {.name = NULL},
};
const struct param_spec me_totp_confirm_params[] = {
    {.name = "secret", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 56},
    {.name = "totp", .type = PT_STRING, .flags = PF_REQUIRED, .max_len = 16},
    {.name = NULL},
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int retry_after(struct http_resp *w, struct http_req *r, int seconds)
{
	resp_header(w, "Retry-After", arena_printf(r->arena, "%d", seconds > 0 ? seconds : 1));
	return ERR_TOO_MANY;
}

static void set_cookie(struct http_req *r, struct http_resp *w, const char *token, int max_age)
{
	resp_header(w, "Set-Cookie",
	            arena_printf(r->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s",
	                         COOKIE, token, max_age, r->secure ? "; Secure" : ""));
}

/* ---- writer jobs ---- */

struct login_job {
	struct http_req *r;
	const struct user *u;
	int ok;               /* password right */
	int mfa_pending;      /* right, but a TOTP code is still owed */
	int64_t totp_step;    /* > 0: the step of the code given with the login */
	const char *rehash;   /* a fresh hash with today's cost, or NULL */
	int64_t locked_until; /* out */
	int64_t session_id;   /* out */
	char token[SESSION_TOKEN_LEN], csrf[SESSION_TOKEN_LEN];
};

/* Accepts a TOTP step once per user: the UPDATE wins only above the last one used. */
static int take_totp_step(struct db *db, int64_t user_id, int64_t step, struct err *e)
{
	int64_t got;
	int rc =
	    db_get_int(db,
	               "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?"
	               " RETURNING id",
	               DB_ARGS(db_int(step), db_int(user_id), db_int(step)), &got, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_FORBIDDEN,
		               "this code was used already; wait for the next one");
	return rc;
}

static int login_write(struct db *db, void *arg, struct err *e)
{
	struct login_job *j = arg;
	struct http_req *r = j->r;
	char object[96];
	snprintf(object, sizeof object, "user:%lld", (long long)j->u->id);
	if (!j->ok) { /* the actor is whoever typed: not (yet) the user */
		int rc = user_login_failed(db, j->u->id, r->now, &j->locked_until, e);
		if (rc == 0)
			rc = api_audit(db, r, "login.fail", object,
			               j->locked_until ? "{\"locked\":true}" : "{}", e);
		return rc;
	}
	int rc = user_login_ok(db, j->u->id, e);
	if (rc == 0 && j->totp_step)
		rc = take_totp_step(db, j->u->id, j->totp_step, e);
	if (rc == 0 && j->rehash)
		rc = user_set_password(db, j->u->id, j->rehash, r->now, e);
	if (rc == 0)
		rc = session_create(db, j->u->id, r->remote_ip, req_header(r, "User-Agent"), r->now,
		                    j->mfa_pending, j->token, j->csrf, &j->session_id, e);
	if (rc == 0)
		rc = api_audit_as(db, r, object, j->mfa_pending ? "login.password" : "login.ok",
		                  object, j->mfa_pending ? "{\"totp\":\"pending\"}" : "{}", e);
	return rc;
}

/* ---- the answer for a logged-in caller ---- */

static int me_json(struct http_req *r, struct db *db, int64_t user_id, const char *csrf,
                   int mfa_pending, json_t **out, struct err *e)
{
	struct user u;
	int rc = user_get(db, user_id, &u, e);
	if (rc < 0)
		return rc;
	char *unit_name = NULL;
	struct db_stmt *st;
	if (db_query(db, "SELECT name FROM unit WHERE id = ?", DB_ARGS(db_int(u.unit_id)), &st,
	             e) == 0) {
		if (db_step(st, e) == DB_ROW)
			unit_name = arena_strdup(r->arena, db_col_text(st, 0));
		db_done(st);
	}
	json_t *user = user_json(&u, unit_name);
	*out = json_pack("{s:o, s:s, s:b}", "user", user, "csrf_token", csrf, "mfa_required",
	                 mfa_pending);
	/* The console's map draws the city's own tiles under the areas when the server has them. */
	const struct app *a = r->app;
	json_object_set_new(*out, "tile_url",
	                    a && a->tile_url ? json_string(a->tile_url) : json_null());
	json_object_set_new(*out, "tile_attribution",
	                    a && a->tile_attribution ? json_string(a->tile_attribution)
	                                             : json_null());
	return 0;
}

static int check_code(const struct user *u, const char *code, int64_t now, int64_t *step,
                      struct err *e)
{
	uint8_t secret[TOTP_SECRET_MAX];
	size_t n;
	if (totp_base32_decode(u->totp_secret, secret, sizeof secret, &n, e) < 0)
		return err_set(e, ERR_INTERNAL, "stored TOTP secret of user %lld is not base32",
		               (long long)u->id);
	int rc = totp_verify(secret, n, code, now, step, e);
	sodium_memzero(secret, sizeof secret);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : err_set(e, ERR_FORBIDDEN, "the TOTP code is wrong");
}

int session_login(struct http_req *r, struct http_resp *w, struct err *e)
{
	int retry = 0;
	char key[96];
	snprintf(key, sizeof key, "login-ip:%s", r->remote_ip ? r->remote_ip : "");
	/* Per client address: a minute's allowance at once, then evenly spread. */
	double per_min = r->app->login_per_min;
	if (r->app->limits && per_min > 0 &&
	    ratelimit_take(r->app->limits, key, per_min / 60, per_min, mono_ms(), &retry) != 1) {
		err_set(e, ERR_TOO_MANY, "too many login attempts from this address; retry later");
		return retry_after(w, r, retry);
	}
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	const char *login = req_str(r, "login"), *pw = req_str(r, "password");
	struct user *u = arena_alloc(r->arena, sizeof *u);
	rc = user_by_login(db, login, u, e);
	if (rc == ERR_NOT_FOUND || (rc == 0 && !u->active)) {
		password_verify_dummy(pw); /* same time as a real account */
		return err_set(e, ERR_FORBIDDEN, "%s", BAD_LOGIN);
	}
	if (rc < 0)
		return rc;
	if (u->locked_until > r->now) {
		err_set(e, ERR_TOO_MANY, "account locked after repeated failures; retry in %lld s",
		        (long long)(u->locked_until - r->now));
		return retry_after(w, r, (int)(u->locked_until - r->now));
	}
	struct login_job *j = arena_alloc(r->arena, sizeof *j);
	j->r = r;
	j->u = u;
	j->ok = password_verify(u->password_hash, pw);
	const char *code = req_str(r, "totp");
	if (j->ok && u->totp_secret[0]) {
		if (code && *code) {
			struct err te = {0};
			if (check_code(u, code, r->now, &j->totp_step, &te) < 0) {
				if (te.code == ERR_INTERNAL) {
					*e = te;
					return te.code;
				}
				j->ok = 0; /* counts as a failed login */
			}
		} else {
			j->mfa_pending = 1;
		}
	}
	if (j->ok && password_needs_rehash(u->password_hash)) {
		char *h = arena_alloc(r->arena, PASSWORD_HASH_MAX);
		if (password_hash(pw, h, e) == 0)
			j->rehash = h;
	}
	if ((rc = api_write(r, login_write, j, e)) < 0)
		return rc;
	if (!j->ok) {
		if (j->locked_until)
			return err_set(e, ERR_FORBIDDEN, "%s; the account is now locked for %lld s",
			               BAD_LOGIN, (long long)(j->locked_until - r->now));
		return err_set(e, ERR_FORBIDDEN, "%s", BAD_LOGIN);
	}
	set_cookie(r, w, j->token, SESSION_ABSOLUTE_S);
	return me_json(r, db, u->id, j->csrf, j->mfa_pending, &w->json, e);
}

int session_me(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	return me_json(r, db, r->who.user_id, r->who.csrf, 0, &w->json, e);
}

struct revoke_job {
	struct http_req *r;
	int64_t session_id, user_id;
	const char *action;
};

static int revoke_write(struct db *db, void *arg, struct err *e)
{
	struct revoke_job *j = arg;
	int rc = session_revoke(db, j->session_id, j->user_id, j->r->now, e);
	char object[64];
	snprintf(object, sizeof object, "session:%lld", (long long)j->session_id);
	if (rc == 0)
		rc = api_audit(db, j->r, j->action, object, "{}", e);
	return rc;
}

int session_logout(struct http_req *r, struct http_resp *w, struct err *e)
{
	if (r->who.session_id) {
		struct revoke_job j = {r, r->who.session_id, 0, "logout"};
		int rc = api_write(r, revoke_write, &j, e);
		if (rc < 0 && rc != ERR_NOT_FOUND)
			return rc;
	}
	set_cookie(r, w, "", 0);
	w->status = 204;
	return 0;
}

/* ---- the second factor ---- */

struct mfa_job {
	struct http_req *r;
	int64_t step;
	int ok;
	int64_t locked_until;
};

static int mfa_write(struct db *db, void *arg, struct err *e)
{
	struct mfa_job *j = arg;
	struct http_req *r = j->r;
	char object[64];
	snprintf(object, sizeof object, "user:%lld", (long long)r->who.user_id);
	if (!j->ok) {
		int rc = user_login_failed(db, r->who.user_id, r->now, &j->locked_until, e);
		return rc ? rc : api_audit(db, r, "login.totp_fail", object, "{}", e);
	}
	int rc = take_totp_step(db, r->who.user_id, j->step, e);
	if (rc == 0)
		rc = session_mfa_done(db, r->who.session_id, e);
	if (rc == 0)
		rc = user_login_ok(db, r->who.user_id, e);
	if (rc == 0)
		rc = api_audit(db, r, "login.ok", object, "{\"totp\":true}", e);
	return rc;
}

int session_totp(struct http_req *r, struct http_resp *w, struct err *e)
{
	if (!r->who.session_id || !r->who.mfa_pending)
		return err_set(e, ERR_UNPROCESSABLE, "no login is waiting for a second factor");
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	struct user u;
	if ((rc = user_get(db, r->who.user_id, &u, e)) < 0)
		return rc;
	if (u.locked_until > r->now) {
		err_set(e, ERR_TOO_MANY, "account locked after repeated failures");
		return retry_after(w, r, (int)(u.locked_until - r->now));
	}
	struct mfa_job j = {.r = r};
	struct err te = {0};
	rc = check_code(&u, req_str(r, "totp"), r->now, &j.step, &te);
	if (rc == ERR_INTERNAL) {
		*e = te;
		return rc;
	}
	j.ok = rc == 0;
	if ((rc = api_write(r, mfa_write, &j, e)) < 0)
		return rc;
	if (!j.ok)
		return err_set(e, ERR_FORBIDDEN, "%s", te.msg);
	return me_json(r, db, r->who.user_id, r->who.csrf, 0, &w->json, e);
}

/* ---- one's own password and second factor ---- */

struct password_job {
	struct http_req *r;
	const char *hash;
};

static int password_write(struct db *db, void *arg, struct err *e)
{
	struct password_job *j = arg;
	char object[64];
	snprintf(object, sizeof object, "user:%lld", (long long)j->r->who.user_id);
	int rc = user_set_password(db, j->r->who.user_id, j->hash, j->r->now, e);
	/* Every other session of this user ends: whoever knew the old password is out. */
	if (rc == 0)
		rc = db_run(db,
		            "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? AND"
		            " revoked_at IS NULL",
		            DB_ARGS(db_int(j->r->now), db_int(j->r->who.user_id),
		                    db_int(j->r->who.session_id)),
		            e);
	if (rc == 0)
		rc = api_audit(db, j->r, "user.password", object, "{\"by\":\"self\"}", e);
	return rc;
}

int me_password(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	struct user u;
	if ((rc = user_get(db, r->who.user_id, &u, e)) < 0)
		return rc;
	if (!password_verify(u.password_hash, req_str(r, "current")))
		return err_set(e, ERR_FORBIDDEN, "the current password is wrong");
	const char *pw = req_str(r, "password");
	if ((rc = password_check_policy(pw, e)) < 0)
		return rc;
	struct password_job j = {r, arena_alloc(r->arena, PASSWORD_HASH_MAX)};
	if ((rc = password_hash(pw, (char *)j.hash, e)) < 0 ||
	    (rc = api_write(r, password_write, &j, e)) < 0)
		return rc;
	w->status = 204;
	return 0;
}

/* Enrolment, step 1: a fresh secret to scan; nothing is stored until a code proves the app
 * has it (step 2), so a half-done enrolment cannot lock anyone out. */
int me_totp_begin(struct http_req *r, struct http_resp *w, struct err *e)
{
	uint8_t secret[TOTP_SECRET_LEN];
	int rc = totp_new_secret(secret, e);
	if (rc < 0)
		return rc;
	struct buf b32 = BUF_INIT, uri = BUF_INIT;
	totp_base32_encode(secret, sizeof secret, &b32);
	rc = totp_uri("wenming", r->who.login, secret, sizeof secret, &uri, e);
	if (rc == 0)
		w->json = json_pack("{s:s, s:s}", "secret", b32.data, "otpauth_uri", uri.data);
	buf_free(&b32);
	buf_free(&uri);
	return rc;
}

struct totp_set_job {
	struct http_req *r;
	const char *secret;
	int64_t step;
};

static int totp_set_write(struct db *db, void *arg, struct err *e)
{
	struct totp_set_job *j = arg;
	char object[64];
	snprintf(object, sizeof object, "user:%lld", (long long)j->r->who.user_id);
	int rc = user_set_totp(db, j->r->who.user_id, j->secret, j->r->now, e);
	if (rc == 0)
		rc = take_totp_step(db, j->r->who.user_id, j->step, e);
	if (rc == 0)
		rc = api_audit(db, j->r, "user.totp", object, "{\"enabled\":true}", e);
	return rc;
}

int me_totp_confirm(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct user u = {.id = r->who.user_id};
	const char *secret = req_str(r, "secret");
	uint8_t raw[TOTP_SECRET_MAX];
	size_t n;
	if (totp_base32_decode(secret, raw, sizeof raw, &n, e) < 0 || n < 16)
		return err_set(e, ERR_BAD_REQUEST, "secret must be the base32 secret from step 1");
	snprintf(u.totp_secret, sizeof u.totp_secret, "%s", secret);
	struct totp_set_job j = {r, secret, 0};
	int rc = check_code(&u, req_str(r, "totp"), r->now, &j.step, e);
	if (rc < 0 || (rc = api_write(r, totp_set_write, &j, e)) < 0)
		return rc;
	w->status = 204;
	return 0;
}
