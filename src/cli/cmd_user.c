/* wenming user add LOGIN --name N --unit CODE --roles R[,R] | list | disable LOGIN |
 * enable LOGIN | reset-password LOGIN. Passwords never go on the command line (they would
 * show in `ps` and shell history): a new random one is printed once, or --password-stdin
 * reads it from standard input. */
#include <sodium.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "core/password.h"
#include "core/roles.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/users.h"

/* 20 characters without look-alikes: about 110 bits. */
static void random_password(char out[21])
{
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
	for (int i = 0; i < 20; i++)
		out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	out[20] = '\0';
}

static int read_password(char *out, size_t cap)
{
	if (!fgets(out, (int)cap, stdin))
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

static int audit(struct db *db, const char *action, int64_t user_id, const char *summary,
                 struct err *e)
{
	char object[64];
	snprintf(object, sizeof object, "user:%lld", (long long)user_id);
	struct audit_entry a = {.at = (int64_t)time(NULL),
	                        .actor = "cli",
	                        .action = action,
	                        .object = object,
	                        .summary = summary};
	return audit_append(db, &a, e);
}

static int list_users(struct db *db, struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT u.id, u.login, u.name, un.code, u.roles, u.active, u.locked_until,"
	             " u.totp_secret IS NOT NULL FROM users u JOIN unit un ON un.id = u.unit_id"
	             " ORDER BY u.login",
	             NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	int64_t now = (int64_t)time(NULL);
	while ((rc = db_step(st, e)) == DB_ROW) {
		char roles[128];
		roles_format((unsigned)db_col_int(st, 4), roles, sizeof roles);
		printf("%lld\t%s\t%s\t%s\t%s\t%s%s%s\n", (long long)db_col_int(st, 0),
		       db_col_text(st, 1), db_col_text(st, 2), db_col_text(st, 3), roles,
		       db_col_int(st, 5) ? "active" : "disabled",
		       db_col_int(st, 6) > now ? ",locked" : "", db_col_int(st, 7) ? ",totp" : "");
	}
	db_done(st);
	return rc;
}

struct user_args {
	const char *verb, *login, *name, *unit, *roles;
	int password_stdin;
};

static int get_password(const struct user_args *a, char pw[PASSWORD_MAX_BYTES + 2], int *generated,
                        struct err *e)
{
	*generated = !a->password_stdin;
	if (*generated) {
		random_password(pw);
		return 0;
	}
	if (read_password(pw, PASSWORD_MAX_BYTES + 2) < 0)
		return err_set(e, ERR_BAD_REQUEST, "no password on standard input");
	return password_check_policy(pw, e);
}

static int add_user(struct db *db, const struct user_args *a, struct err *e)
{
	unsigned roles;
	if (!a->name || !a->unit || !a->roles)
		return err_set(e, ERR_BAD_REQUEST, "user add needs --name, --unit and --roles");
	if (roles_parse(a->roles, &roles) < 0)
		return err_set(e, ERR_BAD_REQUEST,
		               "--roles: a comma list of admin, office, dispatcher, handler,"
		               " inspector, leader, editor");
	int64_t unit_id;
	int rc = db_get_int(db, "SELECT id FROM unit WHERE code = ?", DB_ARGS(db_text(a->unit)),
	                    &unit_id, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_BAD_REQUEST, "no unit with code '%s'", a->unit);
	char pw[PASSWORD_MAX_BYTES + 2], hash[PASSWORD_HASH_MAX];
	int generated;
	if (rc < 0 || (rc = get_password(a, pw, &generated, e)) < 0 ||
	    (rc = password_hash(pw, hash, e)) < 0)
		return rc;
	int64_t id;
	if ((rc = db_begin_write(db, e)) < 0)
		return rc;
	json_t *sum = json_pack("{s:s, s:s, s:s, s:s}", "login", a->login, "name", a->name, "unit",
	                        a->unit, "roles", a->roles);
	char *summary = json_dumps(sum, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(sum);
	rc = user_create(db, a->login, a->name, unit_id, roles, hash, (int64_t)time(NULL), &id, e);
	if (rc == 0)
		rc = audit(db, "user.create", id, summary ? summary : "{}", e);
	free(summary);
	if (rc == 0)
		rc = db_commit(db, e);
	if (rc < 0) {
		db_rollback(db);
		return rc;
	}
	if (generated)
		printf("%s\n", pw);
	sodium_memzero(pw, sizeof pw);
	return 0;
}

static int change_user(struct db *db, const struct user_args *a, struct err *e)
{
	struct user u;
	int rc = user_by_login(db, a->login, &u, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_BAD_REQUEST, "no user '%s'", a->login);
	if (rc < 0)
		return rc;
	int64_t now = (int64_t)time(NULL);
	char pw[PASSWORD_MAX_BYTES + 2] = "", hash[PASSWORD_HASH_MAX];
	int generated = 0;
	int reset = strcmp(a->verb, "reset-password") == 0;
	if (reset && ((rc = get_password(a, pw, &generated, e)) < 0 ||
	              (rc = password_hash(pw, hash, e)) < 0))
		return rc;
	if ((rc = db_begin_write(db, e)) < 0)
		return rc;
	if (reset) {
		rc = user_set_password(db, u.id, hash, now, e);
		if (rc == 0) /* whoever knew the old password is out */
			rc = db_run(db,
			            "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND"
			            " revoked_at IS NULL",
			            DB_ARGS(db_int(now), db_int(u.id)), e);
		if (rc == 0)
			rc = audit(db, "user.password", u.id, "{\"by\":\"cli\"}", e);
	} else {
		int active = strcmp(a->verb, "enable") == 0;
		rc = user_update(db, u.id, NULL, 0, 0, active, now, e);
		if (rc == 0)
			rc = audit(db, "user.update", u.id,
			           active ? "{\"active\":true}" : "{\"active\":false}", e);
	}
	if (rc == 0)
		rc = db_commit(db, e);
	if (rc < 0) {
		db_rollback(db);
		return rc;
	}
	if (generated)
		printf("%s\n", pw);
	sodium_memzero(pw, sizeof pw);
	return 0;
}

int cmd_user(int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db", .kind = OPT_STRING, .env = "WENMING_DB", .help = "database path"},
	    {.name = "name", .kind = OPT_STRING, .help = "add: the person's name"},
	    {.name = "unit", .kind = OPT_STRING, .help = "add: the code of the unit they work in"},
	    {.name = "roles",
	     .kind = OPT_STRING,
	     .help = "add: admin, office, dispatcher, handler, inspector, leader, editor (comma list)"},
	    {.name = "password-stdin",
	     .kind = OPT_FLAG,
	     .help = "read the password from standard input (else a random one is printed)"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *pos[2];
	int npos;
	if (opts_parse("user", opts, argc, argv, pos, 2, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage(
		    "user",
		    "add LOGIN --name N --unit CODE --roles R[,R] | list | disable LOGIN |"
		    " enable LOGIN | reset-password LOGIN",
		    "Manages staff accounts. A new or reset password is printed once (or read"
		    " with --password-stdin); a reset or disable ends the user's sessions.",
		    opts);
		return 0;
	}
	struct user_args a = {.verb = npos ? pos[0] : "",
	                      .login = npos > 1 ? pos[1] : NULL,
	                      .name = opts_get(opts, "name")->str,
	                      .unit = opts_get(opts, "unit")->str,
	                      .roles = opts_get(opts, "roles")->str,
	                      .password_stdin = opts_get(opts, "password-stdin")->set};
	int is_list = npos == 1 && strcmp(a.verb, "list") == 0;
	int known = strcmp(a.verb, "add") == 0 || strcmp(a.verb, "disable") == 0 ||
	            strcmp(a.verb, "enable") == 0 || strcmp(a.verb, "reset-password") == 0;
	if (!is_list && !(known && npos == 2)) {
		fputs("wenming user: use `user add LOGIN …`, `user list`, `user disable LOGIN`,"
		      " `user enable LOGIN` or `user reset-password LOGIN` (see --help)\n",
		      stderr);
		return 2;
	}
	if (a.login && !user_login_valid(a.login)) {
		fputs("wenming user: LOGIN must be 2 to 64 of a-z 0-9 . _ -\n", stderr);
		return 2;
	}
	const char *path = opts_get(opts, "db")->set ? opts_get(opts, "db")->str : cli_default_db();
	struct err e = {0};
	struct db *db;
	if (db_open(path, &db, &e) < 0 || migrate_apply(db, &e) < 0) {
		fprintf(stderr, "wenming user: %s\n", e.msg);
		db_close(db);
		return 1;
	}
	int rc = is_list                      ? list_users(db, &e)
	         : strcmp(a.verb, "add") == 0 ? add_user(db, &a, &e)
	                                      : change_user(db, &a, &e);
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "wenming user: %s\n", e.msg);
		return rc == ERR_BAD_REQUEST || rc == ERR_UNPROCESSABLE || rc == ERR_CONFLICT ? 2
		                                                                              : 1;
	}
	return 0;
}
