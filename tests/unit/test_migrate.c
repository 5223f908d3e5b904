/* Migrations: applied once and in order, recorded with checksums, idempotent, rolled back
 * whole on failure, and loud about edited files, bad names and unknown versions. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/embedded.h"
#include "store/db.h"
#include "store/migrate.h"

static char dir[64];
static char path[128];
static struct db *db;
static struct err e;

static int rm_entry(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb, (void)type, (void)ftw;
	return remove(p);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/wm-test-migrate-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/test.db", dir);
	err_clear(&e);
	cr_assert_eq(db_open(path, &db, &e), 0, "db_open: %s", e.msg);
}

static void teardown(void)
{
	db_close(db);
	db = NULL;
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(migrate, .init = setup, .fini = teardown);

static int64_t int1(const char *sql)
{
	int64_t v = -1;
	cr_assert_eq(db_get_int(db, sql, NULL, 0, &v, &e), 0, "%s: %s", sql, e.msg);
	return v;
}

static int table_exists(const char *name)
{
	int64_t n = 0;
	cr_assert_eq(
	    db_get_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
	               DB_ARGS(db_text(name)), &n, &e),
	    0);
	return n > 0;
}

#define MIG(name, sql)                                                                             \
	{                                                                                          \
		name, sql, sizeof(sql) - 1                                                         \
	}
#define END                                                                                        \
	{                                                                                          \
		NULL, NULL, 0                                                                      \
	}

Test(migrate, applies_the_embedded_schema_once)
{
	int nfiles = 0;
	for (const struct embedded_file *f = embedded_schema; f->name; f++)
		nfiles++;
	cr_assert_gt(nfiles, 0);

	int pending = -1;
	cr_assert_eq(migrate_pending(db, &pending, &e), 0, "%s", e.msg);
	cr_assert_eq(pending, nfiles);
	int64_t before = (int64_t)time(NULL);
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	cr_assert(table_exists("cases"));
	cr_assert(table_exists("case_event"));
	cr_assert_eq(int1("SELECT count(*) FROM cases"), 0);
	cr_assert_eq(migrate_pending(db, &pending, &e), 0, "%s", e.msg);
	cr_assert_eq(pending, 0);

	/* Recorded with name, sha256 hex of the file and time. */
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof h + 1];
	crypto_hash_sha256(h, (const unsigned char *)embedded_schema[0].data,
	                   embedded_schema[0].len);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	struct db_stmt *st;
	cr_assert_eq(db_query(db,
	                      "SELECT version, name, checksum, applied_at FROM schema_version "
	                      "ORDER BY version",
	                      NULL, 0, &st, &e),
	             0);
	cr_assert_eq(db_step(st, &e), DB_ROW);
	cr_assert_eq(db_col_int(st, 0), atoi(embedded_schema[0].name));
	cr_assert_str_eq(db_col_text(st, 1), embedded_schema[0].name);
	cr_assert_str_eq(db_col_text(st, 2), hex);
	cr_assert_geq(db_col_int(st, 3), before);
	cr_assert_leq(db_col_int(st, 3), (int64_t)time(NULL));
	db_done(st);

	/* Idempotent: a second run (as on every start) changes nothing. */
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	cr_assert_eq(int1("SELECT count(*) FROM schema_version"), nfiles);
}

Test(migrate, applies_in_order_and_only_new_files)
{
	const struct embedded_file v1[] = {MIG("001_a.sql", "CREATE TABLE a (x INTEGER);"), END};
	const struct embedded_file v2[] = {
	    MIG("001_a.sql", "CREATE TABLE a (x INTEGER);"),
	    MIG("002_b.sql", "CREATE TABLE b (y INTEGER);\nINSERT INTO a VALUES (2);"),
	    MIG("010_c.sql", "INSERT INTO a SELECT x * 10 FROM a;"),
	    END,
	};
	int pending;
	cr_assert_eq(migrate_apply_files(db, v1, &e), 0, "%s", e.msg);
	cr_assert_eq(migrate_pending_files(db, v2, &pending, &e), 0, "%s", e.msg);
	cr_assert_eq(pending, 2);
	cr_assert_eq(migrate_apply_files(db, v2, &e), 0, "%s", e.msg);
	cr_assert(table_exists("b"));
	cr_assert_eq(int1("SELECT sum(x) FROM a"), 22); /* 002 ran before 010, each once */
	cr_assert_eq(migrate_apply_files(db, v2, &e), 0, "%s", e.msg);
	cr_assert_eq(int1("SELECT sum(x) FROM a"), 22);
	cr_assert_eq(int1("SELECT count(*) FROM schema_version"), 3);
	cr_assert_eq(int1("SELECT max(version) FROM schema_version"), 10);
}

Test(migrate, changed_checksum_is_an_error_naming_the_file)
{
	const struct embedded_file old[] = {MIG("001_a.sql", "CREATE TABLE a (x);"), END};
	const struct embedded_file edited[] = {MIG("001_a.sql", "CREATE TABLE a (x, y);"),
	                                       MIG("002_b.sql", "CREATE TABLE b (x);"), END};
	cr_assert_eq(migrate_apply_files(db, old, &e), 0, "%s", e.msg);
	int rc = migrate_apply_files(db, edited, &e);
	cr_assert_eq(rc, ERR_INTERNAL);
	cr_assert_not_null(strstr(e.msg, "001_a.sql"), "%s", e.msg);
	cr_assert_not_null(strstr(e.msg, "changed"), "%s", e.msg);
	cr_assert_not(table_exists("b"), "nothing after the edited file may run");
	int pending = -1;
	cr_assert_eq(migrate_pending_files(db, edited, &pending, &e), ERR_INTERNAL);
	cr_assert_not_null(strstr(e.msg, "001_a.sql"), "%s", e.msg);
}

Test(migrate, bad_names_are_errors)
{
	static const char *bad[] = {"foo.sql",  "01_a.sql",  "0001_a.sql", "001a.sql",
	                            "001_.sql", "001_a.txt", "abc_a.sql"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const struct embedded_file files[] = {
		    MIG("001_ok.sql", "CREATE TABLE ok (x);"),
		    {bad[i], "SELECT 1;", 9},
		    END,
		};
		cr_assert_eq(migrate_apply_files(db, files, &e), ERR_INTERNAL, "%s", bad[i]);
		cr_assert_not_null(strstr(e.msg, bad[i]), "%s", e.msg);
	}
	const struct embedded_file unordered[] = {MIG("002_a.sql", "SELECT 1;"),
	                                          MIG("001_b.sql", "SELECT 1;"), END};
	cr_assert_eq(migrate_apply_files(db, unordered, &e), ERR_INTERNAL);
	cr_assert_not_null(strstr(e.msg, "001_b.sql"), "%s", e.msg);
	const struct embedded_file twice[] = {MIG("001_a.sql", "SELECT 1;"),
	                                      MIG("001_b.sql", "SELECT 1;"), END};
	cr_assert_eq(migrate_apply_files(db, twice, &e), ERR_INTERNAL);
	cr_assert_not(table_exists("ok"), "names are checked before anything runs");
}

Test(migrate, a_failing_migration_is_rolled_back_whole)
{
	const struct embedded_file broken[] = {
	    MIG("001_a.sql", "CREATE TABLE a (x);"),
	    MIG("002_b.sql", "CREATE TABLE b (x);\nINSERT INTO a VALUES (1);\nCREATE TABLE oops ("),
	    END,
	};
	int rc = migrate_apply_files(db, broken, &e);
	cr_assert_eq(rc, ERR_INTERNAL);
	cr_assert_not_null(strstr(e.msg, "002_b.sql"), "%s", e.msg);
	cr_assert(table_exists("a"));
	cr_assert_not(table_exists("b"));
	cr_assert_eq(int1("SELECT count(*) FROM a"), 0);
	cr_assert_eq(int1("SELECT count(*) FROM schema_version"), 1);

	const struct embedded_file fixed[] = {
	    MIG("001_a.sql", "CREATE TABLE a (x);"),
	    MIG("002_b.sql", "CREATE TABLE b (x);\nINSERT INTO a VALUES (1);"),
	    END,
	};
	cr_assert_eq(migrate_apply_files(db, fixed, &e), 0, "%s", e.msg);
	cr_assert(table_exists("b"));
	cr_assert_eq(int1("SELECT count(*) FROM schema_version"), 2);
}

Test(migrate, a_database_from_a_newer_build_is_refused)
{
	const struct embedded_file newer[] = {MIG("001_a.sql", "CREATE TABLE a (x);"),
	                                      MIG("002_b.sql", "CREATE TABLE b (x);"), END};
	const struct embedded_file older[] = {MIG("001_a.sql", "CREATE TABLE a (x);"), END};
	cr_assert_eq(migrate_apply_files(db, newer, &e), 0, "%s", e.msg);
	cr_assert_eq(migrate_apply_files(db, older, &e), ERR_INTERNAL);
	cr_assert_not_null(strstr(e.msg, "002_b.sql"), "%s", e.msg);
}

/* Several processes starting at once: each migration still runs exactly once. */
static const struct embedded_file race_files[] = {
    MIG("001_a.sql", "CREATE TABLE a (x);"),
    MIG("002_b.sql", "INSERT INTO a VALUES (1);"),
    MIG("003_c.sql", "INSERT INTO a VALUES (2);"),
    END,
};

static void *race(void *arg)
{
	struct db *d;
	struct err te;
	if (db_open(path, &d, &te))
		return NULL;
	int rc = migrate_apply_files(d, race_files, &te);
	db_close(d);
	return rc ? NULL : arg;
}

Test(migrate, concurrent_starts_apply_each_file_once)
{
	pthread_t t[6];
	int ids[6];
	for (int i = 0; i < 6; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, race, &ids[i]), 0);
	for (int i = 0; i < 6; i++) {
		void *res;
		pthread_join(t[i], &res);
		cr_assert_not_null(res);
	}
	cr_assert_eq(int1("SELECT count(*) FROM schema_version"), 3);
	cr_assert_eq(int1("SELECT sum(x) FROM a"), 3);
}
