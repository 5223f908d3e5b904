/* wenming export / wenming import: the whole database as JSON lines (format in
 * src/store/export.h), to move a city from one store to another, e.g. SQLite to PostgreSQL:
 *   wenming export --db var/wenming.db --out city.jsonl
 *   wenming import --db postgresql://… city.jsonl
 * Photo files are not in the export: copy the media directory as well. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "store/db.h"
#include "store/export.h"

static const char MEDIA_NOTE[] = "Photos are not in the export: copy the media directory "
                                 "(var/media, or --media)\nto the new server as well.";

static struct db *open_db(const char *cmd, struct opt *opts)
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

int cmd_export(int argc, char **argv)
{
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
		opts_usage("export", "[--format jsonl] [--out FILE|-] [--db PATH|URL]", about,
		           opts);
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
	struct db *db = open_db("export", opts);
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
		opts_usage("import", "FILE|- [--db PATH|URL]", about, opts);
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
	struct db *db = open_db("import", opts);
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
