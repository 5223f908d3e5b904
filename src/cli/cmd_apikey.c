/* wenming apikey create NAME | list | revoke ID */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "store/apikey.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/migrate.h"

/* The audit summary names the key, never its text or hash. */
static int audit_key(struct db *db, const char *action, int64_t id, json_t *summary, struct err *e)
{
	char object[32];
	snprintf(object, sizeof object, "apikey:%lld", (long long)id);
	char *json = summary ? json_dumps(summary, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(summary);
	if (!json)
		return err_set(e, ERR_INTERNAL,
		               "cannot describe the change as JSON (is NAME UTF-8?)");
	struct audit_entry a = {.at = (int64_t)time(NULL),
	                        .actor = "cli",
	                        .action = action,
	                        .object = object,
	                        .summary = json};
	int rc = audit_append(db, &a, e);
	free(json);
	return rc;
}

static int create_key(struct db *db, const char *name, char key[APIKEY_LEN], struct err *e)
{
	int64_t id;
	int rc = apikey_create(db, name, (int64_t)time(NULL), key, &id, e);
	if (rc < 0)
		return rc;
	return audit_key(db, "apikey.create", id, json_pack("{s:{s:s}}", "after", "name", name), e);
}

static int revoke_key(struct db *db, long long id, struct err *e)
{
	int64_t now = (int64_t)time(NULL);
	struct db_stmt *st;
	int rc = db_query(db,
	                  "UPDATE apikey SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
	                  " RETURNING name",
	                  DB_ARGS(db_int(now), db_int(id)), &st, e);
	if (rc < 0)
		return rc;
	json_t *summary = NULL;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		summary = json_pack("{s:s, s:{s:n}, s:{s:I}}", "name", db_col_text(st, 0), "before",
		                    "revoked_at", "after", "revoked_at", (json_int_t)now);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no active key %lld", id);
	}
	db_done(st);
	if (rc < 0)
		return rc;
	return audit_key(db, "apikey.revoke", id, summary, e);
}

int cmd_apikey(int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db", .kind = OPT_STRING, .env = "WENMING_DB", .help = "database path"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *pos[2];
	int npos;
	if (opts_parse("apikey", opts, argc, argv, pos, 2, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage(
		    "apikey", "create NAME | list | revoke ID [--db PATH]",
		    "Creates an Open311 api key (printed once, stored hashed), lists keys, or"
		    " revokes one (running servers refuse it within a second).",
		    opts);
		return 0;
	}
	int create = npos == 2 && strcmp(pos[0], "create") == 0;
	int list = npos == 1 && strcmp(pos[0], "list") == 0;
	int revoke = npos == 2 && strcmp(pos[0], "revoke") == 0;
	if (!create && !list && !revoke) {
		fputs("wenming apikey: use `apikey create NAME`, `apikey list` or"
		      " `apikey revoke ID` (see --help)\n",
		      stderr);
		return 2;
	}
	long long revoke_id = 0;
	if (revoke) {
		char *end;
		revoke_id = strtoll(pos[1], &end, 10);
		if (!*pos[1] || *end || revoke_id <= 0) {
			fputs("wenming apikey: ID must be a key's number (see `apikey list`)\n",
			      stderr);
			return 2;
		}
	}
	if (create && (!*pos[1] || strlen(pos[1]) > 100)) {
		fputs("wenming apikey: NAME must be 1 to 100 bytes\n", stderr);
		return 2;
	}
	const char *path = opts_get(opts, "db")->set ? opts_get(opts, "db")->str : cli_default_db();
	struct err e = {0};
	struct db *db;
	if (db_open(path, &db, &e) < 0 || migrate_apply(db, &e) < 0) {
		fprintf(stderr, "wenming apikey: %s\n", e.msg);
		return 1;
	}
	int rc = 0;
	if (create || revoke) {
		/* The change and its audit record commit together, or neither does; the key is
		 * printed only once it is committed. */
		char key[APIKEY_LEN];
		rc = db_begin_write(db, &e);
		if (rc == 0)
			rc = create ? create_key(db, pos[1], key, &e)
			            : revoke_key(db, revoke_id, &e);
		if (rc == 0)
			rc = db_commit(db, &e);
		if (rc < 0)
			db_rollback(db);
		else if (create)
			printf("%s\n", key);
	} else {
		struct db_stmt *st;
		rc = db_query(db, "SELECT id, name, created_at, revoked_at FROM apikey ORDER BY id",
		              NULL, 0, &st, &e);
		if (rc == 0) {
			while ((rc = db_step(st, &e)) == DB_ROW)
				printf("%lld\t%s\t%lld\t%s\n", (long long)db_col_int(st, 0),
				       db_col_text(st, 1), (long long)db_col_int(st, 2),
				       db_col_is_null(st, 3) ? "active" : "revoked");
			db_done(st);
		}
	}
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "wenming apikey: %s\n", e.msg);
		return 1;
	}
	return 0;
}
