/* wenming export / wenming import: the whole database as JSON lines (format in
 * src/store/export.h), to move a city from one store to another, e.g. SQLite to PostgreSQL:
 *   wenming export --db var/wenming.db --out city.jsonl
 *   wenming import --db postgresql://… city.jsonl
 * Photo files are not in the export: copy the media directory as well.
 * With units or areas as the first argument they read and write the organisation instead
 * (store/org_io.h): `wenming export units --out units.csv`, `wenming import areas a.geojson`;
 * with calendar the working-time calendar (store/calendar_store.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/data_io.h"
#include "cli/opts.h"
#include "store/audit.h"
#include "store/calendar_store.h"
#include "store/db.h"
#include "store/export.h"
#include "store/migrate.h"
#include "store/org_io.h"
#include "store/routing_store.h"

static const char MEDIA_NOTE[] = "Photos are not in the export: copy the media directory "
                                 "(var/media, or --media)\nto the new server as well.";

struct db *cli_open_db(const char *cmd, struct opt *opts)
{
	struct opt *o = opts_get(opts, "db");
	struct err e = {0};
	struct db *db;
	if (db_open(o->set ? o->str : cli_default_db(), &db, &e) < 0) {
		fprintf(stderr, "wenming %s: %s\n", cmd, e.msg);
		return NULL;
	}
	return db;
}

static int org_export_cmd(const char *what, int argc, char **argv);
static int org_import_cmd(const char *what, int argc, char **argv);
static int org_subform(int argc, char **argv, char ***rest);
static int calendar_export_cmd(int argc, char **argv);
static int calendar_import_cmd(int argc, char **argv);
static int routing_export_cmd(int argc, char **argv);
static int routing_import_cmd(int argc, char **argv);

static int audit_export(struct db *db, int tables, int64_t rows, const char *to, struct err *e)
{
	json_t *sum =
	    json_pack("{s:i, s:I, s:s}", "tables", tables, "rows", (json_int_t)rows, "to", to);
	char *text = json_dumps(sum, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(sum);
	struct audit_entry a = {.at = (int64_t)time(NULL),
	                        .actor = "cli",
	                        .action = "export",
	                        .object = "database",
	                        .summary = text ? text : "{}"};
	int rc = db_begin_write(db, e);
	if (rc == 0 && (rc = audit_append(db, &a, e)) == 0)
		rc = db_commit(db, e);
	else if (rc == 0)
		db_rollback(db);
	free(text);
	return rc;
}

int cmd_export(int argc, char **argv)
{
	char **rest = NULL;
	int sub = org_subform(argc, argv, &rest);
	if (sub >= 0) {
		int rc = org_export_cmd(argv[sub], argc - 1, rest);
		free(rest);
		return rc;
	}
	struct opt opts[] = {
	    {.name = "db",
	     .kind = OPT_STRING,
	     .env = "WENMING_DB",
	     .help = "database path or postgresql:// URL"},
	    {.name = "format", .kind = OPT_STRING, .help = "jsonl (the only format, the default)"},
	    {.name = "out", .kind = OPT_STRING, .help = "file to write, - for stdout (default)"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *pos[1];
	int npos;
	if (opts_parse("export", opts, argc, argv, pos, 0, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		char about[512];
		snprintf(about, sizeof about,
		         "Writes every row of the database as JSON lines, with a count and a\n"
		         "SHA-256 per table, from one consistent snapshot (servers may run).\n"
		         "`wenming import` loads it into a new database of either store.\n%s",
		         MEDIA_NOTE);
		opts_usage(
		    "export",
		    "[--format jsonl] [--out FILE|-] [--db PATH|URL]\n"
		    "       wenming export units|areas [--out FILE|-] [--db PATH|URL]\n"
		    "       wenming export calendar [--hours] [--out FILE|-] [--db PATH|URL]\n"
		    "       wenming export routing [--out FILE|-] [--db PATH|URL]\n"
		    "       wenming export sites [--geojson] [--out FILE|-] [--db PATH|URL]",
		    about, opts);
		return 0;
	}
	struct opt *f = opts_get(opts, "format"), *o = opts_get(opts, "out");
	if (f->set && strcmp(f->str, "jsonl") != 0) {
		fprintf(stderr, "wenming export: unknown --format '%s' (jsonl is the only one)\n",
		        f->str);
		return 2;
	}
	const char *out = o->set ? o->str : "-";
	int to_stdout = strcmp(out, "-") == 0;
	/* Opening a SQLite path creates the file: do not leave an empty one behind. */
	struct opt *d = opts_get(opts, "db");
	const char *src = d->set ? d->str : cli_default_db();
	if (strncmp(src, "postgres", 8) != 0 && access(src, F_OK) != 0) {
		fprintf(stderr, "wenming export: no database at %s\n", src);
		return 1;
	}
	struct db *db = cli_open_db("export", opts);
	if (!db)
		return 1;
	/* A file is written beside its final name and renamed when complete. */
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.part", out);
	FILE *fp = to_stdout ? stdout : fopen(tmp, "w");
	struct err e = {0};
	struct export_stats st = {0};
	int rc;
	if (!fp)
		rc = err_set(&e, ERR_INTERNAL, "cannot create %s", tmp);
	else
		rc = export_jsonl(db, fp, &st, &e);
	if (rc == 0) /* the whole city, personal data included, left the system: on record */
		rc = audit_export(db, st.tables, st.rows, to_stdout ? "-" : out, &e);
	db_close(db);
	if (fp && !to_stdout) {
		if (fclose(fp) != 0 && rc == 0)
			rc = err_set(&e, ERR_INTERNAL, "writing %s failed", tmp);
		if (rc == 0 && rename(tmp, out) != 0)
			rc = err_set(&e, ERR_INTERNAL, "cannot rename %s to %s", tmp, out);
		if (rc)
			unlink(tmp);
	}
	if (rc < 0) {
		fprintf(stderr, "wenming export: %s\n", e.msg);
		return 1;
	}
	fprintf(stderr, "wenming export: %d tables, %lld rows written to %s\n", st.tables,
	        (long long)st.rows, to_stdout ? "stdout" : out);
	return 0;
}

int cmd_import(int argc, char **argv)
{
	char **rest = NULL;
	int sub = org_subform(argc, argv, &rest);
	if (sub >= 0) {
		int rc = org_import_cmd(argv[sub], argc - 1, rest);
		free(rest);
		return rc;
	}
	struct opt opts[] = {
	    {.name = "db",
	     .kind = OPT_STRING,
	     .env = "WENMING_DB",
	     .help = "database path or postgresql:// URL"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *pos[1];
	int npos;
	if (opts_parse("import", opts, argc, argv, pos, 1, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		char about[640];
		snprintf(about, sizeof about,
		         "Loads FILE (from `wenming export`; - reads stdin) into a new database:\n"
		         "creates the schema, refuses a database that holds any rows (do not run\n"
		         "`wenming init` on it), and commits only when every table's count and\n"
		         "checksum match. Ids are kept.\n%s",
		         MEDIA_NOTE);
		opts_usage("import",
		           "FILE|- [--db PATH|URL]\n"
		           "       wenming import units|areas FILE [--dry-run] [--db PATH|URL]"
		           " (see wenming import units --help)\n"
		           "       wenming import calendar FILE.csv [--dry-run] [--db PATH|URL]\n"
		           "       wenming import routing FILE [--dry-run] [--db PATH|URL]\n"
		           "       wenming import standards FILE.csv --version V [--name N]"
		           " [--activate] [--dry-run] [--db PATH|URL]\n"
		           "       wenming import sites FILE.csv [--dry-run] [--db PATH|URL]\n"
		           "       wenming import creation FILE.csv [--dry-run] [--db PATH|URL]",
		           about, opts);
		return 0;
	}
	if (npos != 1) {
		fprintf(stderr,
		        "wenming import: give the export FILE, or - for stdin (see --help)\n");
		return 2;
	}
	FILE *in = strcmp(pos[0], "-") == 0 ? stdin : fopen(pos[0], "r");
	if (!in) {
		fprintf(stderr, "wenming import: cannot open %s\n", pos[0]);
		return 1;
	}
	struct db *db = cli_open_db("import", opts);
	struct err e = {0};
	struct export_stats st = {0};
	int rc = db ? import_jsonl(db, in, &st, &e) : -1;
	db_close(db);
	if (in != stdin)
		fclose(in);
	if (!db)
		return 1;
	if (rc < 0) {
		fprintf(stderr, "wenming import: %s: %s\n", pos[0], e.msg);
		return 1;
	}
	fprintf(stderr,
	        "wenming import: %d tables, %lld rows imported; counts and checksums match\n",
	        st.tables, (long long)st.rows);
	return 0;
}

/* Units and areas ------------------------------------------------------------------------------ */

/* The index of the first positional argument when it is "units" or "areas" (else -1), and in
 * *rest (malloc'd) the arguments without it. Options that take a value are skipped with it. */
static int org_subform(int argc, char **argv, char ***rest)
{
	static const char *const valued[] = {"--db", "--out", "--format", NULL};
	int at = -1;
	for (int i = 0; i < argc && at < 0; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			at = i + 1 < argc ? i + 1 : -1;
			break;
		}
		if (strncmp(a, "--", 2) != 0) {
			at = i;
			break;
		}
		for (const char *const *v = valued; *v; v++)
			if (strcmp(a, *v) == 0)
				i++;
	}
	static const char *const forms[] = {"units", "areas", "routing",  "calendar", "standards",
	                                    "sites", "plan",  "creation", NULL};
	int known = 0;
	for (const char *const *f = forms; at >= 0 && *f; f++)
		known |= strcmp(argv[at], *f) == 0;
	if (!known)
		return -1;
	*rest = calloc((size_t)argc + 1, sizeof **rest);
	if (!*rest)
		return -1;
	for (int i = 0, k = 0; i < argc; i++)
		if (i != at)
			(*rest)[k++] = argv[i];
	return at;
}

/* A file written beside its final name and renamed when complete, or stdout for "-". */
struct outfile {
	const char *path;
	char tmp[4096];
	FILE *fp;
};

static int out_open(struct outfile *o, const char *path, struct err *e)
{
	o->path = path;
	if (strcmp(path, "-") == 0) {
		o->fp = stdout;
		return 0;
	}
	snprintf(o->tmp, sizeof o->tmp, "%s.part", path);
	o->fp = fopen(o->tmp, "w");
	return o->fp ? 0 : err_set(e, ERR_INTERNAL, "cannot create %s", o->tmp);
}

static int out_close(struct outfile *o, int rc, struct err *e)
{
	if (!o->fp || o->fp == stdout)
		return rc;
	if (fclose(o->fp) != 0 && rc == 0)
		rc = err_set(e, ERR_INTERNAL, "writing %s failed", o->tmp);
	if (rc == 0 && rename(o->tmp, o->path) != 0)
		rc = err_set(e, ERR_INTERNAL, "cannot rename %s to %s", o->tmp, o->path);
	if (rc)
		unlink(o->tmp);
	return rc;
}

static int write_units(struct db *db, FILE *out, long *rows, const void *ctx, struct err *e)
{
	(void)ctx;
	return org_export_units(db, out, rows, e);
}

static int write_areas(struct db *db, FILE *out, long *rows, const void *ctx, struct err *e)
{
	(void)ctx;
	return org_export_areas(db, out, rows, e);
}

static int write_routing(struct db *db, FILE *out, long *rows, const void *ctx, struct err *e)
{
	(void)ctx;
	return routing_export(db, out, rows, e);
}

static int write_calendar(struct db *db, FILE *out, long *rows, const void *ctx, struct err *e)
{
	return calendar_export(db, out, *(const int *)ctx, rows, e);
}

/* Opens the --db database, writes to --out (a file written beside its name and renamed, or
 * stdout) and reports "N <noun> written". The exit status. */
int cli_write_export(const char *cmd, struct opt *opts, const char *noun, cli_export_writer write,
                     const void *ctx)
{
	struct opt *d = opts_get(opts, "db"), *o = opts_get(opts, "out");
	const char *src = d->set ? d->str : cli_default_db();
	if (strncmp(src, "postgres", 8) != 0 && access(src, F_OK) != 0) {
		fprintf(stderr, "wenming %s: no database at %s\n", cmd, src);
		return 1;
	}
	struct db *db = cli_open_db(cmd, opts);
	if (!db)
		return 1;
	struct outfile out = {0};
	struct err e = {0};
	long rows = 0;
	int rc = out_open(&out, o->set ? o->str : "-", &e);
	if (rc == 0)
		rc = write(db, out.fp, &rows, ctx, &e);
	db_close(db);
	rc = out_close(&out, rc, &e);
	if (rc < 0) {
		fprintf(stderr, "wenming %s: %s\n", cmd, e.msg);
		return 1;
	}
	fprintf(stderr, "wenming %s: %ld %s written to %s\n", cmd, rows, noun,
	        out.fp == stdout ? "stdout" : out.path);
	return 0;
}

static int org_export_cmd(const char *what, int argc, char **argv)
{
	if (strcmp(what, "plan") == 0) {
		fprintf(stderr, "wenming export plan: plans are exported through the API: GET "
		                "/api/v1/tasks?plan=ID&format=csv\n");
		return 2;
	}
	struct opt opts[] = {
	    {.name = "db",
	     .kind = OPT_STRING,
	     .env = "WENMING_DB",
	     .help = "database path or postgresql:// URL"},
	    {.name = "out", .kind = OPT_STRING, .help = "file to write, - for stdout (default)"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	if (strcmp(what, "routing") == 0)
		return routing_export_cmd(argc, argv);
	if (strcmp(what, "sites") == 0)
		return sites_export_cmd(argc, argv);
	if (strcmp(what, "standards") == 0) {
		fprintf(stderr, "wenming export standards: the standards are the CSV files you"
		                " imported; `wenming standards list` shows the versions\n");
		return 2;
	}
	if (strcmp(what, "creation") == 0) {
		fprintf(stderr, "wenming export creation: read the creations as CSV from"
		                " GET /api/v1/creations?format=csv\n");
		return 2;
	}
	if (strcmp(what, "calendar") == 0)
		return calendar_export_cmd(argc, argv);
	int units = strcmp(what, "units") == 0;
	const char *cmd = units ? "export units" : "export areas";
	const char *pos[1];
	int npos;
	if (opts_parse(cmd, opts, argc, argv, pos, 0, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage(
		    cmd, "[--out FILE|-] [--db PATH|URL]",
		    units ? "Writes every unit as CSV (columns code, name, kind, parent_code,\n"
		            "phone, contact, email, address, area_code, sort; parents before\n"
		            "children). Cells starting with = + - @ get a leading ' so that\n"
		            "spreadsheets do not run them; `wenming import units` removes it."
		          : "Writes every area as a GeoJSON FeatureCollection, one feature per\n"
		            "line, parents first, for `wenming import areas`.",
		    opts);
		return 0;
	}
	return cli_write_export(cmd, opts, what, units ? write_units : write_areas, NULL);
}

void cli_print_import_errors(const char *cmd, const char *file, const struct org_io_report *r)
{
	char line[700];
	for (int i = 0; i < r->nerrors; i++) {
		org_io_render(file, &r->errors[i], line, sizeof line);
		fprintf(stderr, "%s\n", line);
	}
	if (r->more)
		fprintf(stderr, "… and %d more error%s\n", r->more, r->more > 1 ? "s" : "");
	int n = r->nerrors + r->more;
	fprintf(stderr, "wenming %s: %d error%s in %s; nothing was imported\n", cmd, n,
	        n > 1 ? "s" : "", file);
}

static const char UNITS_ABOUT[] =
    "Imports units from a CSV file with a header. Columns (any order): code, name, kind\n"
    "(required), parent_code, phone, contact, email, address, area_code, sort; any other\n"
    "column is an error. kind is one of committee, office, department, utility, district,\n"
    "county_city, county, zone, street, town, community, village, school, enterprise.\n"
    "Units are upserted by code; a column the file lacks keeps its value in existing\n"
    "units. A parent may be in the file or the database; area_code must name an area\n"
    "already imported. A leading ' before = + - @ (the spreadsheet guard that\n"
    "`wenming export units` writes) is removed.";
static const char AREAS_ABOUT[] =
    "Imports areas from a GeoJSON FeatureCollection: properties code, name, kind (district,\n"
    "street or grid; grid codes have 15 digits, CJ/T 213), parent_code, unit_code; geometry\n"
    "Polygon or MultiPolygon. Areas are upserted by code; a parent may be in the file or the\n"
    "database, and a child's bounding box must lie within its parent's.";
static const char ALL_OR_NOTHING[] =
    "\n\nAll or nothing: every row is checked first and every error is printed as\n"
    "FILE:LINE: message (at most 20); then nothing is changed and the exit status is 1.\n"
    "A new database: import units (--no-area-codes when they name areas), areas, then\n"
    "units again.";

static int org_import_cmd(const char *what, int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db",
	     .kind = OPT_STRING,
	     .env = "WENMING_DB",
	     .help = "database path or postgresql:// URL"},
	    {.name = "dry-run", .kind = OPT_FLAG, .help = "check the file, change nothing"},
	    {.name = "no-area-codes",
	     .kind = OPT_FLAG,
	     .help = "units: ignore the area_code column (keep the units' areas)"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	if (strcmp(what, "routing") == 0)
		return routing_import_cmd(argc, argv);
	if (strcmp(what, "calendar") == 0)
		return calendar_import_cmd(argc, argv);
	if (strcmp(what, "standards") == 0)
		return standards_import_cmd(argc, argv);
	if (strcmp(what, "sites") == 0)
		return sites_import_cmd(argc, argv);
	if (strcmp(what, "plan") == 0)
		return plan_import_cmd(argc, argv);
	if (strcmp(what, "creation") == 0)
		return creation_import_cmd(argc, argv);
	int units = strcmp(what, "units") == 0;
	const char *cmd = units ? "import units" : "import areas";
	const char *pos[1];
	int npos;
	if (opts_parse(cmd, opts, argc, argv, pos, 1, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		char about[1600];
		snprintf(about, sizeof about, "%s%s", units ? UNITS_ABOUT : AREAS_ABOUT,
		         ALL_OR_NOTHING);
		opts_usage(cmd,
		           units ? "FILE.csv [--dry-run] [--no-area-codes] [--db PATH|URL]"
		                 : "FILE.geojson [--dry-run] [--db PATH|URL]",
		           about, opts);
		return 0;
	}
	if (npos != 1) {
		fprintf(stderr, "wenming %s: give the FILE to import (see --help)\n", cmd);
		return 2;
	}
	if (!units && opts_get(opts, "no-area-codes")->set) {
		fprintf(stderr, "wenming %s: --no-area-codes is for units only\n", cmd);
		return 2;
	}
	if (access(pos[0], R_OK) != 0) {
		fprintf(stderr, "wenming %s: cannot read %s\n", cmd, pos[0]);
		return 1;
	}
	struct db *db = cli_open_db(cmd, opts);
	if (!db)
		return 1;
	struct org_io_opts o = {.dry_run = opts_get(opts, "dry-run")->set,
	                        .ignore_area_codes = opts_get(opts, "no-area-codes")->set};
	struct org_io_report *r = calloc(1, sizeof *r);
	struct err e = {0};
	/* Like serve, bring the schema up to date first (a new database gets it whole). */
	int rc = !r ? err_set(&e, ERR_INTERNAL, "out of memory") : migrate_apply(db, &e);
	if (rc == 0)
		rc = units ? org_import_units(db, pos[0], &o, r, &e)
		           : org_import_areas(db, pos[0], &o, r, &e);
	db_close(db);
	if (rc < 0 && r && r->nerrors)
		cli_print_import_errors(cmd, pos[0], r);
	else if (rc < 0)
		fprintf(stderr, "wenming %s: %s\n", cmd, e.msg);
	else if (o.dry_run)
		fprintf(stderr,
		        "wenming %s: %s is valid: %d %s (%d new, %d existing); nothing changed "
		        "(--dry-run)\n",
		        cmd, pos[0], r->rows, what, r->inserted, r->updated);
	else
		fprintf(stderr, "wenming %s: %d %s imported from %s: %d inserted, %d updated\n",
		        cmd, r->rows, what, pos[0], r->inserted, r->updated);
	free(r);
	return rc < 0 ? 1 : 0;
}

/* Routing rules -------------------------------------------------------------------------------- */

static const char ROUTING_ABOUT[] =
    "Imports routing rules from a CSV file with a header. Columns (any order): category,\n"
    "area_code, unit_code (required), priority, note; any other column is an error.\n"
    "category is a service code (E0102), a group code with its kind (E01 events, P01\n"
    "parts) or * / empty for any; area_code an area of any kind, or * / empty for any;\n"
    "unit_code an active unit; priority a whole number (default 0; higher wins between\n"
    "rules equally specific). A category and area may appear once. The file becomes the\n"
    "active rules: rules it names are updated in place (ids kept), new ones added, and\n"
    "active rules it does not name are deactivated.";

static int routing_export_cmd(int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db",
	     .kind = OPT_STRING,
	     .env = "WENMING_DB",
	     .help = "database path or postgresql:// URL"},
	    {.name = "out", .kind = OPT_STRING, .help = "file to write, - for stdout (default)"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *cmd = "export routing", *pos[1];
	int npos;
	if (opts_parse(cmd, opts, argc, argv, pos, 0, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage(cmd, "[--out FILE|-] [--db PATH|URL]",
		           "Writes the active routing rules as CSV (columns category, area_code,\n"
		           "unit_code, priority, note; * for any), most general first, for\n"
		           "`wenming import routing`.",
		           opts);
		return 0;
	}
	return cli_write_export(cmd, opts, "rules", write_routing, NULL);
}

static int routing_import_cmd(int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db",
	     .kind = OPT_STRING,
	     .env = "WENMING_DB",
	     .help = "database path or postgresql:// URL"},
	    {.name = "dry-run", .kind = OPT_FLAG, .help = "check the file, change nothing"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *cmd = "import routing", *pos[1];
	int npos;
	if (opts_parse(cmd, opts, argc, argv, pos, 1, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		char about[1600];
		snprintf(
		    about, sizeof about, "%s%s", ROUTING_ABOUT,
		    "\n\nAll or nothing: every row is checked first and every error is printed "
		    "as\nFILE:LINE: message (at most 20); then nothing is changed and the exit "
		    "status is 1.");
		opts_usage(cmd, "FILE.csv [--dry-run] [--db PATH|URL]", about, opts);
		return 0;
	}
	if (npos != 1) {
		fprintf(stderr, "wenming %s: give the FILE to import (see --help)\n", cmd);
		return 2;
	}
	if (access(pos[0], R_OK) != 0) {
		fprintf(stderr, "wenming %s: cannot read %s\n", cmd, pos[0]);
		return 1;
	}
	struct db *db = cli_open_db(cmd, opts);
	if (!db)
		return 1;
	struct org_io_opts o = {.dry_run = opts_get(opts, "dry-run")->set};
	struct org_io_report *r = calloc(1, sizeof *r);
	struct err e = {0};
	int off = 0;
	int rc = !r ? err_set(&e, ERR_INTERNAL, "out of memory") : migrate_apply(db, &e);
	if (rc == 0)
		rc = routing_import(db, pos[0], &o, r, &off, &e);
	db_close(db);
	if (rc < 0 && r && r->nerrors)
		cli_print_import_errors(cmd, pos[0], r);
	else if (rc < 0)
		fprintf(stderr, "wenming %s: %s\n", cmd, e.msg);
	else
		fprintf(
		    stderr,
		    "wenming %s: %d rules %s from %s: %d inserted, %d updated, %d deactivated%s\n",
		    cmd, r->rows, o.dry_run ? "valid" : "imported", pos[0], r->inserted, r->updated,
		    off, o.dry_run ? "; nothing changed (--dry-run)" : "");
	free(r);
	return rc < 0 ? 1 : 0;
}

/* Calendar ------------------------------------------------------------------------------------ */

static const char CALENDAR_ABOUT[] =
    "Imports the working-time calendar used for case deadlines from a CSV file. A file\n"
    "with header date,kind,name lists the exceptions to Mon-Fri of a year's State Council\n"
    "notice: every day of each holiday span (kind holiday, name required; weekend days of\n"
    "the span too) and each makeup workday (调休, kind workday, a Saturday or Sunday).\n"
    "Days are upserted by date. A file with header start,end (HH:MM) replaces the\n"
    "working periods of a workday. A year with no day in the calendar falls back to\n"
    "Mon-Fri, and deadlines in it carry a warning: import each year's notice.\n\n"
    "All or nothing: every row is checked first (bad date, unknown kind, a day twice, a\n"
    "makeup workday on Mon-Fri, overlapping periods) and every error is printed as\n"
    "FILE:LINE: message (at most 20); then nothing is changed and the exit status is 1.";

static int calendar_export_cmd(int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db",
	     .kind = OPT_STRING,
	     .env = "WENMING_DB",
	     .help = "database path or postgresql:// URL"},
	    {.name = "out", .kind = OPT_STRING, .help = "file to write, - for stdout (default)"},
	    {.name = "hours", .kind = OPT_FLAG, .help = "write the working periods (start,end)"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *cmd = "export calendar";
	const char *pos[1];
	int npos;
	if (opts_parse(cmd, opts, argc, argv, pos, 0, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage(
		    cmd, "[--hours] [--out FILE|-] [--db PATH|URL]",
		    "Writes the calendar's days as CSV (date,kind,name, in date order) for\n"
		    "`wenming import calendar`; with --hours the working periods (start,end).",
		    opts);
		return 0;
	}
	int hours = opts_get(opts, "hours")->set;
	return cli_write_export(cmd, opts, hours ? "working periods" : "days", write_calendar,
	                        &hours);
}

static int calendar_import_cmd(int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db",
	     .kind = OPT_STRING,
	     .env = "WENMING_DB",
	     .help = "database path or postgresql:// URL"},
	    {.name = "dry-run", .kind = OPT_FLAG, .help = "check the file, change nothing"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *cmd = "import calendar";
	const char *pos[1];
	int npos;
	if (opts_parse(cmd, opts, argc, argv, pos, 1, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage(cmd, "FILE.csv [--dry-run] [--db PATH|URL]", CALENDAR_ABOUT, opts);
		return 0;
	}
	if (npos != 1) {
		fprintf(stderr, "wenming %s: give the FILE to import (see --help)\n", cmd);
		return 2;
	}
	if (access(pos[0], R_OK) != 0) {
		fprintf(stderr, "wenming %s: cannot read %s\n", cmd, pos[0]);
		return 1;
	}
	struct db *db = cli_open_db(cmd, opts);
	if (!db)
		return 1;
	struct calendar_import_opts o = {.dry_run = opts_get(opts, "dry-run")->set};
	struct org_io_report *r = calloc(1, sizeof *r);
	struct err e = {0};
	enum calendar_file kind = CALENDAR_DAYS;
	/* Like serve, bring the schema up to date first (a new database gets it whole). */
	int rc = !r ? err_set(&e, ERR_INTERNAL, "out of memory") : migrate_apply(db, &e);
	if (rc == 0)
		rc = calendar_import(db, pos[0], &o, &kind, r, &e);
	db_close(db);
	const char *what = kind == CALENDAR_HOURS ? "working periods" : "days";
	if (rc < 0 && r && r->nerrors)
		cli_print_import_errors(cmd, pos[0], r);
	else if (rc < 0)
		fprintf(stderr, "wenming %s: %s\n", cmd, e.msg);
	else if (o.dry_run)
		fprintf(stderr, "wenming %s: %s is valid: %d %s; nothing changed (--dry-run)\n",
		        cmd, pos[0], r->rows, what);
	else if (kind == CALENDAR_HOURS)
		fprintf(stderr, "wenming %s: %d %s imported from %s, replacing the previous ones\n",
		        cmd, r->rows, what, pos[0]);
	else
		fprintf(stderr, "wenming %s: %d %s imported from %s: %d inserted, %d updated\n",
		        cmd, r->rows, what, pos[0], r->inserted, r->updated);
	free(r);
	return rc < 0 ? 1 : 0;
}
