/* Staff accounts: who they are, the unit they belong to, their roles and login state. The
 * password is only ever stored as an argon2id hash (core/password.h); the caller hashes. */
#ifndef WM_USERS_H
#define WM_USERS_H

#include <jansson.h>
#include <stdint.h>

#include "lib/err.h"

struct db;

enum { USER_LOGIN_MAX = 64, USER_NAME_MAX = 128 };

struct user {
	int64_t id;
	char login[USER_LOGIN_MAX + 1];
	char name[USER_NAME_MAX * 4 + 1];
	int64_t unit_id;
	unsigned roles;
	int active;
	int failed_logins;
	int64_t locked_until;
	char password_hash[128];
	char totp_secret[64]; /* "" when none */
};

/* 2 to 64 of [a-z0-9._-], starting with a letter or digit. */
int user_login_valid(const char *login);

/* ERR_CONFLICT when the login exists, ERR_UNPROCESSABLE for a bad login or unknown unit. */
int user_create(struct db *db, const char *login, const char *name, int64_t unit_id, unsigned roles,
                const char *password_hash, int64_t now, int64_t *id, struct err *e);
/* ERR_NOT_FOUND when there is no such user. */
int user_get(struct db *db, int64_t id, struct user *out, struct err *e);
int user_by_login(struct db *db, const char *login, struct user *out, struct err *e);
/* Changes what is set: name/unit/roles when non-NULL/non-zero, active when >= 0. */
int user_update(struct db *db, int64_t id, const char *name, int64_t unit_id, unsigned roles,
                int active, int64_t now, struct err *e);
/* A new password (hash) also clears the lockout. */
int user_set_password(struct db *db, int64_t id, const char *password_hash, int64_t now,
                      struct err *e);
/* secret "" removes the second factor. */
int user_set_totp(struct db *db, int64_t id, const char *secret, int64_t now, struct err *e);

/* After a wrong password: counts it, and from the fifth in a row locks the account for
 * 1, 2, 4 … minutes (at most an hour). *locked_until is 0 while not locked. */
int user_login_failed(struct db *db, int64_t id, int64_t now, int64_t *locked_until, struct err *e);
int user_login_ok(struct db *db, int64_t id, struct err *e);

/* The account as the API shows it (no hash, no secret). */
json_t *user_json(const struct user *u, const char *unit_name);
/* Every user, optionally only those in unit_ids subtree of `within` (0: all). */
int users_list_json(struct db *db, int64_t within, json_t **out, struct err *e);

#endif
