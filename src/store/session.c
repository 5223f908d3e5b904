#include "store/session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"

static void random_token(char out[SESSION_TOKEN_LEN])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, SESSION_TOKEN_LEN, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* -1 when the text cannot be one of our tokens (so no hash or query is spent on it). */
static int token_hash(const char *token, char hex[65])
{
	if (!token || strlen(token) != SESSION_TOKEN_LEN - 1 ||
	    strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
	        SESSION_TOKEN_LEN - 1)
		return -1;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(hex, 65, h, sizeof h);
	return 0;
}

int session_create(struct db *db, int64_t user_id, const char *ip, const char *user_agent,
                   int64_t now, int mfa_pending, char token[SESSION_TOKEN_LEN],
                   char csrf[SESSION_TOKEN_LEN], int64_t *id, struct err *e)
{
	char hex[65];
	random_token(token);
	random_token(csrf);
	(void)token_hash(token, hex); /* a fresh token always has the right shape */
	char ua[256];
	snprintf(ua, sizeof ua, "%s", user_agent ? user_agent : "");
	return db_get_int(
	    db,
	    "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen_at,"
	    " expires_at, ip, user_agent, mfa_pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?) RETURNING id",
	    DB_ARGS(db_text(hex), db_int(user_id), db_text(csrf), db_int(now), db_int(now),
	            db_int(now + SESSION_ABSOLUTE_S), db_text(ip ? ip : ""), db_text(ua),
	            db_int(mfa_pending)),
	    id, e);
}

int session_lookup(struct db *db, const char *token, int64_t now, struct session *out,
                   struct err *e)
{
	char hex[65];
	if (token_hash(token, hex) < 0)
		return err_set(e, ERR_FORBIDDEN, "not logged in");
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT s.id, s.user_id, u.unit_id, u.roles, s.mfa_pending, s.last_seen_at,"
	             " s.expires_at, s.csrf, u.login FROM sessions s JOIN users u ON u.id ="
	             " s.user_id WHERE s.token_hash = ? AND s.revoked_at IS NULL AND"
	             " u.active = 1 AND s.expires_at > ? AND s.last_seen_at > ?",
	             DB_ARGS(db_text(hex), db_int(now), db_int(now - SESSION_IDLE_S)), &st, e);
	if (rc < 0)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		out->id = db_col_int(st, 0);
		out->user_id = db_col_int(st, 1);
		out->unit_id = db_col_int(st, 2);
		out->roles = (unsigned)db_col_int(st, 3);
		out->mfa_pending = (int)db_col_int(st, 4);
		out->last_seen_at = db_col_int(st, 5);
		out->expires_at = db_col_int(st, 6);
		snprintf(out->csrf, sizeof out->csrf, "%s", db_col_text(st, 7));
		snprintf(out->login, sizeof out->login, "%s", db_col_text(st, 8));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_FORBIDDEN, "not logged in, or the session has expired");
	}
	db_done(st);
	return rc;
}

int session_touch(struct db *db, int64_t id, int64_t now, struct err *e)
{
	return db_run(db, "UPDATE sessions SET last_seen_at = ? WHERE id = ?",
	              DB_ARGS(db_int(now), db_int(id)), e);
}

int session_mfa_done(struct db *db, int64_t id, struct err *e)
{
	return db_run(db, "UPDATE sessions SET mfa_pending = 0 WHERE id = ?", DB_ARGS(db_int(id)),
	              e);
}

int session_revoke(struct db *db, int64_t id, int64_t user_id, int64_t now, struct err *e)
{
	int64_t got;
	int rc =
	    db_get_int(db,
	               "UPDATE sessions SET revoked_at = ? WHERE id = ? AND (? = 0 OR user_id ="
	               " ?) AND revoked_at IS NULL RETURNING id",
	               DB_ARGS(db_int(now), db_int(id), db_int(user_id), db_int(user_id)), &got, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, "no such session");
	return rc;
}

int sessions_list_json(struct db *db, int64_t user_id, int64_t now, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(
	    db,
	    "SELECT s.id, s.user_id, u.login, s.created_at, s.last_seen_at,"
	    " s.expires_at, s.ip, s.user_agent FROM sessions s JOIN users u ON u.id ="
	    " s.user_id WHERE s.revoked_at IS NULL AND s.expires_at > ? AND"
	    " s.last_seen_at > ? AND (? = 0 OR s.user_id = ?) ORDER BY s.id DESC",
	    DB_ARGS(db_int(now), db_int(now - SESSION_IDLE_S), db_int(user_id), db_int(user_id)),
	    &st, e);
	if (rc < 0)
		return rc;
	json_t *arr = json_array();
	while ((rc = db_step(st, e)) == DB_ROW)
		json_array_append_new(
		    arr, json_pack("{s:I, s:I, s:s, s:I, s:I, s:I, s:s, s:s}", "id",
		                   (json_int_t)db_col_int(st, 0), "user_id",
		                   (json_int_t)db_col_int(st, 1), "login", db_col_text(st, 2),
		                   "created_at", (json_int_t)db_col_int(st, 3), "last_seen_at",
		                   (json_int_t)db_col_int(st, 4), "expires_at",
		                   (json_int_t)db_col_int(st, 5), "ip", db_col_text(st, 6),
		                   "user_agent", db_col_text(st, 7)));
	db_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
