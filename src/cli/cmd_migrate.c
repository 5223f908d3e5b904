/* wenming migrate [--check]: apply pending schema migrations (without the reference data that
 * init also loads), or with --check only report them — for a deploy script that must not
 * start a new binary against a database it would have to change. */
#include <stdio.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "store/db.h"
#include "store/migrate.h"

int cmd_migrate(int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db",
	     .kind = OPT_STRING,
	     .env = "WENMING_DB",
	     .help = "database path or postgresql:// URL"},
	    {.name = "check",
	     .kind = OPT_FLAG,
	     .help = "change nothing; exit 0 when up to date, 1 when migrations are pending"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *pos[1];
	int npos;
	if (opts_parse("migrate", opts, argc, argv, pos, 0, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage("migrate", "[--check] [--db PATH|URL]",
		           "Applies the schema migrations this build has and the database lacks.\n"
		           "Exit status: 0 up to date, 1 pending (--check) or failed, 2 bad usage.",
		           opts);
		return 0;
	}
	struct opt *o;
	const char *path = (o = opts_get(opts, "db"))->set ? o->str : cli_default_db();
	int check = opts_get(opts, "check")->set;

	struct err e = {0};
	struct db *db;
	if (db_open(path, &db, &e) < 0) {
		fprintf(stderr, "wenming migrate: %s\n", e.msg);
		return 1;
	}
	int pending = 0;
	int rc = migrate_pending(db, &pending, &e);
	if (rc == 0 && !check && pending > 0)
		rc = migrate_apply(db, &e);
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "wenming migrate: %s\n", e.msg);
		return 1;
	}
	if (check) {
		printf("%d pending\n", pending);
		return pending ? 1 : 0;
	}
	fprintf(stderr, "wenming migrate: %d applied, database up to date\n", pending);
	return 0;
}
