/* wenming demo generate: a year of generated history on a demo database (store/demo_generate.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "store/db.h"
#include "store/demo_generate.h"
#include "store/migrate.h"

static int generate(int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db", .kind = OPT_STRING, .env = "WENMING_DB", .help = "database path or URL"},
	    {.name = "cases",
	     .kind = OPT_INT,
	     .min = 0,
	     .max = 100000000,
	     .help = "how many cases (default 2000000)"},
	    {.name = "days",
	     .kind = OPT_INT,
	     .min = 1,
	     .max = 3650,
	     .help = "spread over the last N days (default 365)"},
	    {.name = "seed",
	     .kind = OPT_INT,
	     .min = 0,
	     .max = 2147483647,
	     .help = "random seed (default 1)"},
	    {.name = "now",
	     .kind = OPT_INT,
	     .min = 1,
	     .max = 4102444800,
	     .help = "the present, unix seconds (default: the clock; give it for reproducible "
	             "figures)"},
	    {.name = "batch",
	     .kind = OPT_INT,
	     .min = 1,
	     .max = 1000000,
	     .help = "cases per transaction (default 5000)"},
	    {.name = "force",
	     .kind = OPT_FLAG,
	     .help = "also when the database already holds more than the demo's 300 cases"},
	    {.name = "no-escalate", .kind = OPT_FLAG, .help = "skip the closing escalation pass"},
	    {.name = "quiet", .kind = OPT_FLAG, .help = "no progress on stderr"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *pos[1];
	int npos;
	if (opts_parse("demo generate", opts, argc, argv, pos, 0, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage("demo generate",
		           "[--cases N] [--days 365] [--seed S] [--now UNIX] [--db URL]",
		           "Adds N generated cases with full timelines (deadlines from the "
		           "calendar and the\n"
		           "categories) to a database made by `wenming init --demo`. Prints the "
		           "figures as\n"
		           "one JSON line on stdout, progress on stderr.",
		           opts);
		return 0;
	}
	struct opt *o;
	struct demo_gen_opts go = {
	    .cases = (o = opts_get(opts, "cases"))->set ? o->num : 2000000,
	    .days = (o = opts_get(opts, "days"))->set ? (int)o->num : 365,
	    .seed = (o = opts_get(opts, "seed"))->set ? (uint64_t)o->num : 1,
	    .now = (o = opts_get(opts, "now"))->set ? (int64_t)o->num : (int64_t)time(NULL),
	    .batch = (o = opts_get(opts, "batch"))->set ? o->num : 5000,
	    .force = opts_get(opts, "force")->set,
	    .no_escalate = opts_get(opts, "no-escalate")->set,
	    .progress = opts_get(opts, "quiet")->set ? NULL : stderr,
	};
	const char *path = (o = opts_get(opts, "db"))->set ? o->str : cli_default_db();
	struct err e = {0};
	struct db *db = NULL;
	if (db_open(path, &db, &e) < 0 || migrate_apply(db, &e) < 0) {
		fprintf(stderr, "wenming demo generate: %s\n", e.msg);
		db_close(db);
		return 1;
	}
	struct demo_gen_stats st;
	int rc = demo_generate(db, &go, &st, &e);
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "wenming demo generate: %s\n", e.msg);
		return rc == ERR_CONFLICT ? 3 : 1;
	}
	static const char *const names[8] = {"reported", "registered", "dispatched", "handling",
	                                     "handled",  "deferred",   "closed",     "rejected"};
	printf("{\"cases\":%ld,\"closed\":%ld,\"rejected\":%ld,\"open\":%ld,\"overdue\":%ld,"
	       "\"reworked\":%ld,\"late\":%ld,\"returned\":%ld,\"extended\":%ld,\"rated\":%ld,"
	       "\"events\":%ld,\"by_status\":{",
	       st.cases, st.closed, st.rejected, st.open, st.overdue, st.reworked, st.late,
	       st.returned, st.extended, st.rated, st.events);
	for (int i = 0; i < 8; i++)
		printf("%s\"%s\":%ld", i ? "," : "", names[i], st.by_status[i]);
	printf("},\"escalated_yellow\":%ld,\"escalated_red\":%ld,\"seconds\":%.2f,"
	       "\"cases_per_second\":%.0f,\"escalate_seconds\":%.2f,\"tally_folded\":%ld,"
	       "\"fold_seconds\":%.2f}\n",
	       st.escalated_yellow, st.escalated_red, st.seconds,
	       st.seconds > 0 ? (double)st.cases / st.seconds : 0.0, st.escalate_seconds,
	       st.folded, st.fold_seconds);
	return 0;
}

int cmd_demo(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "generate") == 0)
		return generate(argc - 1, argv + 1);
	FILE *f = argc >= 1 && cli_wants_help(argc, argv) ? stdout : stderr;
	fputs("usage: wenming demo generate [--cases N] [--days 365] [--seed S] [--now UNIX]"
	      " [--force] [--db URL]\n",
	      f);
	return f == stdout ? 0 : 2;
}
