/* wenming apikey create NAME | list | revoke ID */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "store/apikey.h"
#include "store/db.h"
#include "store/migrate.h"

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
	if (create) {
		char key[APIKEY_LEN];
		int64_t id;
		rc = apikey_create(db, pos[1], (int64_t)time(NULL), key, &id, &e);
		if (rc == 0)
			printf("%s\n", key);
	} else if (revoke) {
		int64_t done;
		rc = db_get_int(
		    db,
		    "UPDATE apikey SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"
		    " RETURNING id",
		    DB_ARGS(db_int((int64_t)time(NULL)), db_int(revoke_id)), &done, &e);
		if (rc == ERR_NOT_FOUND)
			err_set(&e, ERR_NOT_FOUND, "no active key %lld", revoke_id);
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
