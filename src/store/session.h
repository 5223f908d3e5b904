/* Login sessions in the database, so any server instance recognises any session. The cookie
 * carries a random 256-bit token; only its SHA-256 is stored, so a database leak yields no
 * usable session. Each session has its own CSRF token for state-changing browser calls. */
#ifndef WM_SESSION_H
#define WM_SESSION_H

#include <jansson.h>
#include <stdint.h>

#include "lib/err.h"

struct db;

enum {
	SESSION_TOKEN_LEN = 44, /* base64url of 32 bytes + NUL */
	SESSION_IDLE_S = 2 * 3600,
	SESSION_ABSOLUTE_S = 12 * 3600,
	SESSION_TOUCH_S = 60, /* last_seen_at is written at most this often */
};

struct session {
	int64_t id;
	int64_t user_id;
	int64_t unit_id;
	unsigned roles;
	int mfa_pending;
	int64_t last_seen_at, expires_at;
	char csrf[SESSION_TOKEN_LEN];
	char login[65];
};

/* A fresh session for user_id: token (for the cookie) and csrf are written out. */
int session_create(struct db *db, int64_t user_id, const char *ip, const char *user_agent,
                   int64_t now, int mfa_pending, char token[SESSION_TOKEN_LEN],
                   char csrf[SESSION_TOKEN_LEN], int64_t *id, struct err *e);
/* The live session of a cookie token: ERR_FORBIDDEN when unknown, revoked, idle too long,
 * past its absolute expiry, or its user is disabled. */
int session_lookup(struct db *db, const char *token, int64_t now, struct session *out,
                   struct err *e);
/* Records activity (the idle clock restarts). */
int session_touch(struct db *db, int64_t id, int64_t now, struct err *e);
/* The second factor was given. */
int session_mfa_done(struct db *db, int64_t id, struct err *e);
/* ERR_NOT_FOUND when there is no such live session (of that user, when user_id > 0). */
int session_revoke(struct db *db, int64_t id, int64_t user_id, int64_t now, struct err *e);
/* Live sessions, newest first; of one user when user_id > 0. */
int sessions_list_json(struct db *db, int64_t user_id, int64_t now, json_t **out, struct err *e);

#endif
