/* wenming init: create or upgrade the database and load the reference data. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "store/db.h"
#include "store/demo_cases.h"
#include "store/migrate.h"
#include "store/seed.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

int cmd_init(int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db", .kind = OPT_STRING, .env = "WENMING_DB", .help = "database path"},
	    {.name = "data",
	     .kind = OPT_STRING,
	     .env = "WENMING_DATA",
	     .help = "data directory (categories.csv, demo/)"},
	    {.name = "demo",
	     .kind = OPT_FLAG,
	     .help = "load the Dalian demo city: units, areas and sample cases"},
	    {.name = "demo-users",
	     .kind = OPT_FLAG,
	     .help = "with --demo: make the demo staff accounts and print their passwords"},
	    {.name = "demo-cases",
	     .kind = OPT_INT,
	     .min = 0,
	     .max = 100000,
	     .help = "number of sample cases with --demo (default 300)"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *pos[1];
	int npos;
	if (opts_parse("init", opts, argc, argv, pos, 0, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage(
		    "init", "[--demo] [--db PATH]",
		    "Creates the database (or applies new migrations) and loads the categories.\n"
		    "Safe to run again: reference data is updated in place.",
		    opts);
		return 0;
	}
	struct opt *o;
	const char *path = (o = opts_get(opts, "db"))->set ? o->str : cli_default_db();
	const char *data = (o = opts_get(opts, "data"))->set ? o->str : WM_DATA_DIR;
	int demo = opts_get(opts, "demo")->set;
	int ncases = (o = opts_get(opts, "demo-cases"))->set ? (int)o->num : 300;

	struct err e = {0};
	struct db *db;
	if (db_open(path, &db, &e) < 0) {
		fprintf(stderr, "wenming init: %s\n", e.msg);
		return 1;
	}
	int rc = migrate_apply(db, &e);
	if (rc == 0)
		rc = seed_load(db, data, demo, &e);
	if (rc == 0 && demo)
		rc = demo_cases_create(db, ncases, (int64_t)time(NULL), "DL", &e);
	if (rc == 0 && demo && opts_get(opts, "demo-users")->set)
		rc = demo_users_create(db, data, &e);
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "wenming init: %s\n", e.msg);
		return 1;
	}
	fprintf(stderr, "wenming: database ready at %s%s\n", path, demo ? " (Dalian demo)" : "");
	return 0;
}
