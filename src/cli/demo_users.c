/* The demo city's staff (data/demo/users.csv), for trying the console: each account that
 * does not exist yet is made with a random password, printed once on stdout. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "core/password.h"
#include "core/roles.h"
#include "lib/csv.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/users.h"

static int make_one(struct db *db, struct csv *c, int64_t now, struct err *e)
{
	const char *login = csv_get(c, "login"), *unit = csv_get(c, "unit_code");
	unsigned roles;
	if (roles_parse(csv_get(c, "roles"), &roles) < 0)
		return err_set(e, ERR_BAD_REQUEST, "users.csv:%ld: bad roles", csv_line(c));
	struct user u;
	int rc = user_by_login(db, login, &u, e);
	if (rc == 0)
		return 0; /* made by an earlier run: its password was printed then */
	if (rc != ERR_NOT_FOUND)
		return rc;
	int64_t unit_id, id;
	if ((rc = db_get_int(db, "SELECT id FROM unit WHERE code = ?", DB_ARGS(db_text(unit)),
	                     &unit_id, e)) < 0)
		return rc == ERR_NOT_FOUND ? err_set(e, ERR_BAD_REQUEST,
		                                     "users.csv:%ld: no unit %s", csv_line(c), unit)
		                           : rc;
	static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
	char pw[17], hash[PASSWORD_HASH_MAX];
	for (int i = 0; i < 16; i++)
		pw[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
	pw[16] = '\0';
	if ((rc = password_hash(pw, hash, e)) < 0 ||
	    (rc = user_create(db, login, csv_get(c, "name"), unit_id, roles, hash, now, &id, e)) <
	        0)
		return rc;
	char object[64];
	snprintf(object, sizeof object, "user:%lld", (long long)id);
	struct audit_entry a = {.at = now,
	                        .actor = "cli",
	                        .action = "user.create",
	                        .object = object,
	                        .summary = "{\"demo\":true}"};
	if ((rc = audit_append(db, &a, e)) < 0)
		return rc;
	printf("%-16s %-18s %s\n", login, pw, csv_get(c, "roles"));
	return 0;
}

int demo_users_create(struct db *db, const char *data_dir, struct err *e)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/demo/users.csv", data_dir);
	struct csv *c;
	int rc = csv_open_file(path, &c, e);
	static const char *const cols[] = {"login", "name", "unit_code", "roles", NULL};
	if (rc == 0 && (rc = csv_read_header(c, e)) == 0)
		rc = csv_require(c, cols, e);
	if (rc == 0)
		rc = db_begin_write(db, e);
	if (rc < 0) {
		csv_free(c);
		return rc;
	}
	int64_t now = (int64_t)time(NULL);
	fputs("wenming: demo staff accounts made now (login, password, roles; shown once):\n",
	      stderr);
	while ((rc = csv_next(c, e)) == 1)
		if ((rc = make_one(db, c, now, e)) < 0)
			break;
	csv_free(c);
	if (rc == 0)
		return db_commit(db, e);
	db_rollback(db);
	return rc;
}
