/* `wenming import plan FILE --code C --title T`: an action plan's tasks from CSV
 * (store/plans.h, docs/plans.md). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/commands.h"
#include "cli/data_io.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/plans.h"

static const char ABOUT[] =
    "Imports the tasks of an action plan (行动方案) from a CSV file with the columns code,\n"
    "parent_code, title, kind (hard | soft), lead_unit, co_units (unit codes separated by ;),\n"
    "starts_on, due_on (YYYY-MM-DD), items (the active standard's item codes, separated by ;),\n"
    "milestones (\"YYYY-MM-DD 名称\" separated by ;), description. A key task has no\n"
    "parent_code; a parent comes before its children. The plan --code is made (with --title\n"
    "and --issuer) when it is new; a task code already in the plan is an error.\n\n"
    "All or nothing: every row is checked first and every error is printed as\n"
    "FILE:LINE: message (at most 20); then nothing is changed and the exit status is 1.";

static int run_plan(struct db *db, const char *file, const void *o, struct org_io_report *r,
                    struct err *e)
{
	return plan_import(db, file, o, r, e);
}

int plan_import_cmd(int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db",
	     .kind = OPT_STRING,
	     .env = "WENMING_DB",
	     .help = "database path or postgresql:// URL"},
	    {.name = "code", .kind = OPT_STRING, .help = "the plan's code, e.g. DL-2026"},
	    {.name = "title", .kind = OPT_STRING, .help = "its title (a new plan)"},
	    {.name = "issuer", .kind = OPT_STRING, .help = "the issuing unit's code (a new plan)"},
	    {.name = "dry-run", .kind = OPT_FLAG, .help = "check the file, change nothing"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *cmd = "import plan", *file;
	int status;
	if (cli_import_args(
	        cmd, opts,
	        "FILE.csv --code C [--title T] [--issuer UNIT] [--dry-run] [--db PATH|URL]", ABOUT,
	        argc, argv, &file, &status) < 0)
		return status;
	if (!opts_get(opts, "code")->set) {
		fprintf(stderr, "wenming %s: give the plan's --code (see --help)\n", cmd);
		return 2;
	}
	const char *code = opts_get(opts, "code")->str;
	struct plan_import_opts o = {
	    .code = code,
	    .title = opts_get(opts, "title")->set ? opts_get(opts, "title")->str : code,
	    .issuer_code = opts_get(opts, "issuer")->str,
	    .dry_run = opts_get(opts, "dry-run")->set,
	    .now = (int64_t)time(NULL)};
	struct org_io_report r;
	int rc = cli_import_run(cmd, opts, file, run_plan, &o, &r);
	if (rc == 0)
		fprintf(stderr, "wenming %s: plan %s: %d tasks %s%s\n", cmd, code, r.inserted,
		        o.dry_run ? "valid" : "imported",
		        o.dry_run ? "; nothing changed (--dry-run)" : "");
	return rc < 0 ? 1 : 0;
}
