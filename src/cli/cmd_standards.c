/* `wenming import standards|sites|creation`, `wenming export sites`, `wenming standards
 * list|activate`: the evaluation standard's versions and the sites (store/standards.h,
 * store/sites.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/data_io.h"
#include "lib/buf.h"
#include "store/creations.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/sites.h"
#include "store/standards.h"

#define DB_OPT                                                                                     \
	{                                                                                          \
		.name = "db", .kind = OPT_STRING, .env = "WENMING_DB",                             \
		.help = "database path or postgresql:// URL"                                       \
	}

static const char STANDARDS_ABOUT[] =
    "Imports an edition of the evaluation standard (测评体系) as a new version. CSV columns:\n"
    "code, kind (project | content | item), text (required), parent_code, method (items:\n"
    "field, survey, material, online), site_types (field items: codes separated by ;),\n"
    "points (items, > 0), veto (items: none, deduct, veto), service_codes (items: the case\n"
    "categories a failure opens, separated by ;), sort. A content's parent is a project, an\n"
    "item's a content, and a parent comes before its children. A version is never\n"
    "rewritten (past inspections refer to its items): a new edition gets a new --version.\n"
    "--activate makes it the version new inspection rounds use.\n\n"
    "All or nothing: every row is checked first and every error is printed as\n"
    "FILE:LINE: message (at most 20); then nothing is changed and the exit status is 1.";

static const char SITES_ABOUT[] =
    "Imports sites (点位) from a CSV file: code, name, type (required; a site type code),\n"
    "area_code, unit_code (the 包保 unit failures are routed to), lat, lon (WGS84, both or\n"
    "neither), address. Sites are upserted by code; without area_code a site gets the most\n"
    "specific area holding its point.\n\n"
    "All or nothing: every row is checked first and every error is printed as\n"
    "FILE:LINE: message (at most 20); then nothing is changed and the exit status is 1.";

int cli_import_args(const char *cmd, struct opt *opts, const char *usage, const char *about,
                    int argc, char **argv, const char **file, int *status)
{
	const char *pos[1];
	int npos;
	if (opts_parse(cmd, opts, argc, argv, pos, 1, &npos) < 0) {
		*status = 2;
		return -1;
	}
	if (opts_get(opts, "help")->set) {
		opts_usage(cmd, usage, about, opts);
		*status = 0;
		return -1;
	}
	if (npos != 1) {
		fprintf(stderr, "wenming %s: give the FILE to import (see --help)\n", cmd);
		*status = 2;
		return -1;
	}
	if (access(pos[0], R_OK) != 0) {
		fprintf(stderr, "wenming %s: cannot read %s\n", cmd, pos[0]);
		*status = 1;
		return -1;
	}
	*file = pos[0];
	return 0;
}

int cli_import_run(const char *cmd, struct opt *opts, const char *file, cli_importer run,
                   const void *ctx, struct org_io_report *r)
{
	memset(r, 0, sizeof *r);
	struct db *db = cli_open_db(cmd, opts);
	if (!db)
		return ERR_UNAVAILABLE;
	struct err e = {0};
	int rc = migrate_apply(db, &e);
	if (rc == 0)
		rc = run(db, file, ctx, r, &e);
	db_close(db);
	if (rc < 0 && r->nerrors)
		cli_print_import_errors(cmd, file, r);
	else if (rc < 0)
		fprintf(stderr, "wenming %s: %s\n", cmd, e.msg);
	return rc;
}

static int run_standards(struct db *db, const char *file, const void *o, struct org_io_report *r,
                         struct err *e)
{
	return standards_import(db, file, o, r, e);
}

static int run_sites(struct db *db, const char *file, const void *o, struct org_io_report *r,
                     struct err *e)
{
	return sites_import(db, file, o, r, e);
}

static int run_creation(struct db *db, const char *file, const void *o, struct org_io_report *r,
                        struct err *e)
{
	return creations_import(db, file, o, r, e);
}

int standards_import_cmd(int argc, char **argv)
{
	struct opt opts[] = {
	    DB_OPT,
	    {.name = "version", .kind = OPT_STRING, .help = "the new version's code, e.g. 2027"},
	    {.name = "name", .kind = OPT_STRING, .help = "its name (default 测评体系 VERSION)"},
	    {.name = "activate", .kind = OPT_FLAG, .help = "make it the active version"},
	    {.name = "dry-run", .kind = OPT_FLAG, .help = "check the file, change nothing"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *cmd = "import standards", *file;
	int status;
	if (cli_import_args(
	        cmd, opts,
	        "FILE.csv --version V [--name N] [--activate] [--dry-run] [--db PATH|URL]",
	        STANDARDS_ABOUT, argc, argv, &file, &status) < 0)
		return status;
	if (!opts_get(opts, "version")->set) {
		fprintf(stderr, "wenming %s: give the --version of this edition (e.g. 2027)\n",
		        cmd);
		return 2;
	}
	struct standards_import_opts o = {.version = opts_get(opts, "version")->str,
	                                  .name = opts_get(opts, "name")->str,
	                                  .activate = opts_get(opts, "activate")->set,
	                                  .dry_run = opts_get(opts, "dry-run")->set,
	                                  .now = (int64_t)time(NULL)};
	struct org_io_report r;
	int rc = cli_import_run(cmd, opts, file, run_standards, &o, &r);
	if (rc == 0)
		fprintf(stderr, "wenming %s: version %s%s: %d rows, %d items%s\n", cmd, o.version,
		        o.dry_run ? " is valid" : " imported", r.rows, r.inserted,
		        o.dry_run    ? "; nothing changed (--dry-run)"
		        : o.activate ? "; now the active version"
		                     : "");
	return rc < 0 ? 1 : 0;
}

int sites_import_cmd(int argc, char **argv)
{
	struct opt opts[] = {
	    DB_OPT,
	    {.name = "dry-run", .kind = OPT_FLAG, .help = "check the file, change nothing"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *cmd = "import sites", *file;
	int status;
	if (cli_import_args(cmd, opts, "FILE.csv [--dry-run] [--db PATH|URL]", SITES_ABOUT, argc,
	                    argv, &file, &status) < 0)
		return status;
	struct sites_import_opts o = {.dry_run = opts_get(opts, "dry-run")->set,
	                              .now = (int64_t)time(NULL)};
	struct org_io_report r;
	int rc = cli_import_run(cmd, opts, file, run_sites, &o, &r);
	if (rc == 0)
		fprintf(stderr, "wenming %s: %d sites %s from %s: %d inserted, %d updated%s\n", cmd,
		        r.rows, o.dry_run ? "valid" : "imported", file, r.inserted, r.updated,
		        o.dry_run ? "; nothing changed (--dry-run)" : "");
	return rc < 0 ? 1 : 0;
}

static const char CREATION_ABOUT[] =
    "Imports grassroots creation records (基层创建) from a CSV file: unit_code, title (a\n"
    "creation title code), status (declared, reviewing, named, revoked) required; level\n"
    "(city, province, national; default city), year (default this year), batch, note (a\n"
    "revoked row's reason, required there). Only units that have no creation of the title\n"
    "yet: a recorded creation changes through its moves (the API), never by import.\n\n"
    "All or nothing: every row is checked first and every error is printed as\n"
    "FILE:LINE: message (at most 20); then nothing is changed and the exit status is 1.";

int creation_import_cmd(int argc, char **argv)
{
	struct opt opts[] = {
	    DB_OPT,
	    {.name = "dry-run", .kind = OPT_FLAG, .help = "check the file, change nothing"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *cmd = "import creation", *file;
	int status;
	if (cli_import_args(cmd, opts, "FILE.csv [--dry-run] [--db PATH|URL]", CREATION_ABOUT, argc,
	                    argv, &file, &status) < 0)
		return status;
	struct creation_import_opts o = {
	    .dry_run = opts_get(opts, "dry-run")->set, .now = (int64_t)time(NULL), .actor = "cli"};
	struct org_io_report r;
	int rc = cli_import_run(cmd, opts, file, run_creation, &o, &r);
	if (rc == 0)
		fprintf(stderr, "wenming %s: %d creations %s from %s%s\n", cmd, r.inserted,
		        o.dry_run ? "valid" : "imported", file,
		        o.dry_run ? "; nothing changed (--dry-run)" : "");
	return rc < 0 ? 1 : 0;
}

static int write_sites(struct db *db, FILE *out, long *rows, const void *ctx, struct err *e)
{
	if (!*(const int *)ctx)
		return sites_export_csv(db, out, rows, e);
	struct buf b = BUF_INIT;
	int rc = sites_geojson(db, NULL, &b, rows, e);
	if (rc == 0) {
		buf_addc(&b, '\n');
		if (fwrite(b.data, 1, b.len, out) != b.len)
			rc = err_set(e, ERR_INTERNAL, "write error");
	}
	buf_free(&b);
	return rc;
}

int sites_export_cmd(int argc, char **argv)
{
	struct opt opts[] = {
	    DB_OPT,
	    {.name = "out", .kind = OPT_STRING, .help = "file to write, - for stdout (default)"},
	    {.name = "geojson", .kind = OPT_FLAG, .help = "a GeoJSON FeatureCollection for maps"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *cmd = "export sites", *pos[1];
	int npos;
	if (opts_parse(cmd, opts, argc, argv, pos, 0, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage(cmd, "[--geojson] [--out FILE|-] [--db PATH|URL]",
		           "Writes the sites as CSV for `wenming import sites`, or with --geojson\n"
		           "the located ones as Point features for a map.",
		           opts);
		return 0;
	}
	int geo = opts_get(opts, "geojson")->set;
	return cli_write_export(cmd, opts, "sites", write_sites, &geo);
}

/* `wenming standards list|activate VERSION` */
int cmd_standards(int argc, char **argv)
{
	struct opt opts[] = {
	    DB_OPT,
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *pos[2];
	int npos;
	if (opts_parse("standards", opts, argc, argv, pos, 2, &npos) < 0)
		return 2;
	int list = npos == 1 && !strcmp(pos[0], "list");
	int activate = npos == 2 && !strcmp(pos[0], "activate");
	if (opts_get(opts, "help")->set || (!list && !activate)) {
		opts_usage(
		    "standards", "list | activate VERSION [--db PATH|URL]",
		    "Lists the imported versions of the evaluation standard (the active one\n"
		    "marked *), or makes VERSION the one new inspection rounds use.\n"
		    "Import an edition with `wenming import standards`.",
		    opts);
		return opts_get(opts, "help")->set ? 0 : 2;
	}
	struct db *db = cli_open_db("standards", opts);
	if (!db)
		return 1;
	struct err e = {0};
	int rc = migrate_apply(db, &e);
	json_t *v = NULL;
	if (rc == 0 && list)
		rc = standards_versions_json(db, &v, &e);
	if (rc == 0 && activate && (rc = db_begin_write(db, &e)) == 0) {
		rc = standards_activate(db, pos[1], &e);
		rc = rc ? (db_rollback(db), rc) : db_commit(db, &e);
	}
	db_close(db);
	if (rc < 0) {
		fprintf(stderr, "wenming standards: %s\n", e.msg);
		return 1;
	}
	if (activate) {
		fprintf(stderr, "wenming standards: version %s is now active\n", pos[1]);
		return 0;
	}
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x)
	{
		printf("%s %-10s %3lld projects %4lld contents %5lld items  %s\n",
		       json_is_true(json_object_get(x, "active")) ? "*" : " ",
		       json_string_value(json_object_get(x, "code")),
		       (long long)json_integer_value(json_object_get(x, "projects")),
		       (long long)json_integer_value(json_object_get(x, "contents")),
		       (long long)json_integer_value(json_object_get(x, "items")),
		       json_string_value(json_object_get(x, "name")));
	}
	json_decref(v);
	return 0;
}
