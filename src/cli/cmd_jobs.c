/* wenming jobs [--limit N]: the background jobs' recent passes, newest first. */
#include <stdio.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "store/db.h"
#include "store/migrate.h"

int cmd_jobs(int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db", .kind = OPT_STRING, .env = "WENMING_DB", .help = "database path"},
	    {.name = "limit",
	     .kind = OPT_INT,
	     .min = 1,
	     .max = 100000,
	     .help = "how many passes to show (default 50)"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *pos[1];
	int npos;
	if (opts_parse("jobs", opts, argc, argv, pos, 0, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage("jobs", "[--limit N] [--db PATH]",
		           "Lists the background jobs' passes, newest first: job, pass, instance,"
		           " started and finished (unix seconds), result, note.",
		           opts);
		return 0;
	}
	struct opt *o = opts_get(opts, "limit");
	long long limit = o->set ? o->num : 50;
	const char *path = opts_get(opts, "db")->set ? opts_get(opts, "db")->str : cli_default_db();
	struct err e = {0};
	struct db *db;
	if (db_open(path, &db, &e) < 0 || migrate_apply(db, &e) < 0) {
		fprintf(stderr, "wenming jobs: %s\n", e.msg);
		db_close(db);
		return 1;
	}
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT name, pass, instance, started_at, finished_at, ok, note"
	                  " FROM job_run ORDER BY started_at DESC, id DESC LIMIT ?",
	                  DB_ARGS(db_int(limit)), &st, &e);
	if (rc == 0) {
		while ((rc = db_step(st, &e)) == DB_ROW)
			printf("%s\t%lld\t%s\t%lld\t%s\t%s\t%s\n", db_col_text(st, 0),
			       (long long)db_col_int(st, 1), db_col_text(st, 2),
			       (long long)db_col_int(st, 3),
			       db_col_is_null(st, 4) ? "-" : db_col_text(st, 4),
			       db_col_is_null(st, 5) ? "running"
			       : db_col_int(st, 5)   ? "ok"
			                             : "failed",
			       db_col_text(st, 6));
		db_done(st);
	}
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "wenming jobs: %s\n", e.msg);
		return 1;
	}
	return 0;
}
