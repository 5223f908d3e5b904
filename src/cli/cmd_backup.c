/* wenming backup FILE / wenming restore FILE: a consistent copy of the database (SQLite's
 * online backup API, or pg_dump's custom format for PostgreSQL) and putting one back. A
 * backup may run while servers do; a restore wants them stopped. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "store/db.h"
#include "store/migrate.h"

static int backup_or_restore(const char *cmd, int restore, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db",
	     .kind = OPT_STRING,
	     .env = "WENMING_DB",
	     .help = "database path or postgresql:// URL"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *pos[1];
	int npos = 0;
	if (opts_parse(cmd, opts, argc, argv, pos, 1, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage(cmd, "FILE [--db PATH|URL]",
		           restore
		               ? "Replaces the database's contents with the backup in FILE\n"
		                 "(made by `wenming backup` from the same kind of store).\n"
		                 "Stop the servers first."
		               : "Writes a consistent copy of the database to FILE while servers\n"
		                 "may keep running: a SQLite file, or pg_dump's custom format.",
		           opts);
		return 0;
	}
	if (npos != 1) {
		fprintf(stderr, "wenming %s: give the backup FILE (see --help)\n", cmd);
		return 2;
	}
	struct opt *o;
	const char *path = (o = opts_get(opts, "db"))->set ? o->str : cli_default_db();
	struct err e = {0};
	struct db *db;
	if (db_open(path, &db, &e) < 0) {
		fprintf(stderr, "wenming %s: %s\n", cmd, e.msg);
		return 1;
	}
	int rc = restore ? db_restore(db, pos[0], &e) : db_backup(db, pos[0], &e);
	int pending = 0;
	/* A restored database must be one this build can serve. */
	if (rc == 0 && restore)
		rc = migrate_pending(db, &pending, &e);
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "wenming %s: %s\n", cmd, e.msg);
		return 1;
	}
	fprintf(stderr, "wenming %s: %s %s%s\n", cmd, restore ? "restored from" : "written to",
	        pos[0], pending ? " (migrations pending: run `wenming migrate`)" : "");
	return 0;
}

int cmd_backup(int argc, char **argv)
{
	return backup_or_restore("backup", 0, argc, argv);
}

int cmd_restore(int argc, char **argv)
{
	return backup_or_restore("restore", 1, argc, argv);
}
