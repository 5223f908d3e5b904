/* wenming export/import: a seeded demo database exported, imported into a fresh SQLite
 * database with the same counts and a byte-identical re-export; with WENMING_TEST_PG also
 * into a fresh PostgreSQL database (identical re-export, new ids after the imported ones);
 * a tampered or broken line fails naming its line and leaves the target empty. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"
#include "store/demo_cases.h"
#include "store/export.h"
#include "store/migrate.h"
#include "store/seed.h"

static char dir[] = "/tmp/wm-export-XXXXXX";
static struct err e;

static char *path(const char *name)
{
	static char p[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

static struct db *open_db(const char *url)
{
	struct db *db;
	cr_assert_eq(db_open(url, &db, &e), 0, "db_open %s: %s", url, e.msg);
	return db;
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(export, .init = setup, .fini = teardown);

/* The whole export of db as a malloc'd string. */
static char *export_text(struct db *db, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	cr_assert_not_null(f);
	struct export_stats st;
	int rc = export_jsonl(db, f, &st, &e);
	fclose(f);
	cr_assert_eq(rc, 0, "export: %s", e.msg);
	int tables = 0;
	for (const struct export_table *t = export_tables; t->name; t++)
		tables++;
	cr_assert_eq(st.tables, tables);
	return text;
}

static int import_text(struct db *db, const char *text, size_t len)
{
	FILE *f = fmemopen((void *)text, len, "r");
	cr_assert_not_null(f);
	int rc = import_jsonl(db, f, NULL, &e);
	fclose(f);
	return rc;
}

static int64_t count(struct db *db, const char *table)
{
	char sql[128];
	int64_t n = -1;
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", table);
	cr_assert_eq(db_get_int(db, sql, NULL, 0, &n, &e), 0, "%s: %s", sql, e.msg);
	return n;
}

/* A demo city with cases: the source of every test. */
static char *demo_export(size_t *len)
{
	struct db *db = open_db(path("src.db"));
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	cr_assert_eq(seed_load(db, WM_DATA_DIR, 1, &e), 0, "%s", e.msg);
	cr_assert_eq(demo_cases_create(db, 40, (int64_t)time(NULL), "TX", &e), 0, "%s", e.msg);
	char *text = export_text(db, len);
	db_close(db);
	return text;
}

Test(export, sqlite_round_trip_is_byte_identical)
{
	size_t len, len2;
	char *text = demo_export(&len);
	cr_assert(strncmp(text, "{\"wenming_export\":1,\"schema_version\":", 37) == 0, "%.80s",
	          text);
	struct db *src = open_db(path("src.db"));
	struct db *dst = open_db(path("dst.db"));
	cr_assert_eq(import_text(dst, text, len), 0, "import: %s", e.msg);
	for (const struct export_table *t = export_tables; t->name; t++)
		cr_expect_eq(count(src, t->name), count(dst, t->name), "%s", t->name);
	cr_assert_gt(count(dst, "cases"), 0);
	char *again = export_text(dst, &len2);
	cr_assert_eq(len, len2);
	cr_assert(memcmp(text, again, len) == 0, "the re-export differs");
	/* A second import into the same, now filled, database is refused. */
	cr_assert_neq(import_text(dst, text, len), 0);
	cr_assert(strstr(e.msg, "not empty"), "%s", e.msg);
	db_close(src);
	db_close(dst);
	free(text);
	free(again);
}

/* Seeding sets parents in a second pass, so a unit may point at one with a larger id (and a
 * case at a later duplicate): the import must not trip over its own foreign keys. */
Test(export, references_to_later_rows_of_the_same_table)
{
	struct db *src = open_db(path("fwd.db"));
	cr_assert_eq(migrate_apply(src, &e), 0, "%s", e.msg);
	cr_assert_eq(seed_load(src, WM_DATA_DIR, 1, &e), 0, "%s", e.msg);
	cr_assert_eq(demo_cases_create(src, 5, (int64_t)time(NULL), "TX", &e), 0, "%s", e.msg);
	cr_assert_eq(
	    db_run(src,
	           "INSERT INTO unit (id, code, name, kind) VALUES (99999, 'LATE', '后建单位',"
	           " 'department')",
	           NULL, 0, &e),
	    0, "%s", e.msg);
	cr_assert_eq(
	    db_run(src, "UPDATE unit SET parent_id = 99999 WHERE id = (SELECT MIN(id) FROM unit)",
	           NULL, 0, &e),
	    0, "%s", e.msg);
	cr_assert_eq(db_run(src,
	                    "UPDATE cases SET duplicate_of = (SELECT MAX(id) FROM cases)"
	                    " WHERE id = (SELECT MIN(id) FROM cases)",
	                    NULL, 0, &e),
	             0, "%s", e.msg);
	size_t len, len2;
	char *text = export_text(src, &len);
	struct db *dst = open_db(path("fwd-dst.db"));
	cr_assert_eq(import_text(dst, text, len), 0, "import: %s", e.msg);
	char *again = export_text(dst, &len2);
	cr_assert(len == len2 && memcmp(text, again, len) == 0, "the re-export differs");
	db_close(src);
	db_close(dst);
	free(text);
	free(again);
}

/* The line number of the first line starting with prefix (1-based), and its offset. */
static long find_line(const char *text, const char *prefix, size_t *off)
{
	long no = 1;
	for (const char *p = text; *p; no++) {
		if (strncmp(p, prefix, strlen(prefix)) == 0) {
			*off = (size_t)(p - text);
			return no;
		}
		p = strchr(p, '\n');
		cr_assert_not_null(p);
		p++;
	}
	cr_assert_fail("no line starts with %s", prefix);
	return 0;
}

static void assert_empty(struct db *db)
{
	for (const struct export_table *t = export_tables; t->name; t++)
		cr_assert_eq(count(db, t->name), 0, "%s left rows behind", t->name);
}

Test(export, tampered_or_broken_lines_fail_naming_the_line)
{
	size_t len, off;
	char *text = demo_export(&len);
	char want[64];

	/* A changed value: the table's checksum no longer matches, named at its trailer with
	 * the lines of its rows. */
	long row = find_line(text, "{\"t\":\"cases\",\"r\":{\"id\":2,", &off);
	char *code = strstr(text + off, "\"code\":\"TX") + 9;
	cr_assert_eq(*code, 'X');
	*code = 'Y';
	size_t toff;
	long trailer = find_line(text, "{\"t\":\"cases\",\"count\"", &toff);
	struct db *db = open_db(path("t1.db"));
	cr_assert_neq(import_text(db, text, len), 0, "a tampered export must fail");
	snprintf(want, sizeof want, "line %ld: table cases: checksum mismatch", trailer);
	cr_assert(strstr(e.msg, want), "%s", e.msg);
	snprintf(want, sizeof want, "-%ld were changed", trailer - 1);
	cr_assert(strstr(e.msg, want), "%s", e.msg);
	assert_empty(db);
	db_close(db);
	*code = 'X';

	/* A line that is no longer JSON: named exactly. */
	text[off + 1] = 'X';
	db = open_db(path("t2.db"));
	cr_assert_neq(import_text(db, text, len), 0);
	snprintf(want, sizeof want, "line %ld: not a JSON object", row);
	cr_assert(strstr(e.msg, want), "%s", e.msg);
	assert_empty(db);
	db_close(db);
	text[off + 1] = '"';

	/* A value of the wrong type. */
	row = find_line(text, "{\"t\":\"cases\",\"r\":{\"id\":10,", &off);
	memcpy(strstr(text + off, "\"id\":10,"), "\"id\":\"\",", 8);
	db = open_db(path("t3.db"));
	cr_assert_neq(import_text(db, text, len), 0);
	snprintf(want, sizeof want, "line %ld: column id must be an integer", row);
	cr_assert(strstr(e.msg, want), "%s", e.msg);
	assert_empty(db);
	db_close(db);
	free(text);
}

/* ---- PostgreSQL: a fresh database on the test cluster ---- */

static void pg_admin(const char *fmt, const char *name)
{
	struct db *a = open_db(getenv("WENMING_TEST_PG"));
	char sql[256];
	snprintf(sql, sizeof sql, fmt, name);
	cr_assert_eq(db_exec_script(a, sql, &e), 0, "%s: %s", sql, e.msg);
	db_close(a);
}

Test(export, into_postgresql)
{
	const char *base = getenv("WENMING_TEST_PG");
	if (!base || !*base)
		cr_skip_test("WENMING_TEST_PG is not set");
	size_t len, len2;
	char *text = demo_export(&len);
	char name[64], url[1024];
	snprintf(name, sizeof name, "wm_export_%d", (int)getpid());
	snprintf(url, sizeof url, "%s%sdbname=%s", base, strchr(base, '?') ? "&" : "?", name);
	pg_admin("CREATE DATABASE %s", name);

	struct db *pg = open_db(url);
	/* A tampered export leaves it empty... */
	size_t off;
	find_line(text, "{\"t\":\"case_event\",\"r\":{\"id\":3,", &off);
	char *at = strstr(text + off, "\"at\":") + 5;
	char keep = *at;
	*at = *at == '9' ? '8' : '9';
	cr_assert_neq(import_text(pg, text, len), 0);
	cr_assert(strstr(e.msg, "table case_event: checksum mismatch"), "%s", e.msg);
	assert_empty(pg);
	*at = keep;

	/* ...the real one goes in whole and exports to the same bytes. */
	cr_assert_eq(import_text(pg, text, len), 0, "import into PostgreSQL: %s", e.msg);
	char *again = export_text(pg, &len2);
	cr_assert_eq(len, len2);
	cr_assert(memcmp(text, again, len) == 0, "the PostgreSQL re-export differs");

	/* New rows get ids after the imported ones. */
	int64_t max_unit = -1, max_event = -1, id = 0;
	cr_assert_eq(db_get_int(pg, "SELECT MAX(id) FROM unit", NULL, 0, &max_unit, &e), 0);
	cr_assert_eq(db_get_int(pg, "SELECT MAX(id) FROM case_event", NULL, 0, &max_event, &e), 0);
	cr_assert_eq(db_get_int(pg,
	                        "INSERT INTO unit (code, name, kind) VALUES ('X-NEW', 'x', "
	                        "'office') RETURNING id",
	                        NULL, 0, &id, &e),
	             0, "%s", e.msg);
	cr_assert_eq(id, max_unit + 1);
	cr_assert_eq(db_get_int(pg,
	                        "INSERT INTO case_event (case_id, at, actor, action, to_status) "
	                        "VALUES (1, 1, 'system', 'note', 'reported') RETURNING id",
	                        NULL, 0, &id, &e),
	             0, "%s", e.msg);
	cr_assert_eq(id, max_event + 1);
	db_close(pg);
	pg_admin("DROP DATABASE %s WITH (FORCE)", name);
	free(text);
	free(again);
}
