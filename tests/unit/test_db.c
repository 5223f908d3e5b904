/* The store interface on SQLite: open and pragmas, binding every type, stepping, error
 * mapping, transactions and savepoints, the statement cache; and app_db's per-thread
 * connections. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "store/db.h"
#include "store/db_driver.h"

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
	snprintf(dir, sizeof dir, "/tmp/wm-test-db-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	/* A missing parent directory is created by db_open. */
	snprintf(path, sizeof path, "%s/sub/dir/test.db", dir);
	err_clear(&e);
	int rc = db_open(path, &db, &e);
	cr_assert_eq(rc, 0, "db_open: %s", e.msg);
}

static void teardown(void)
{
	db_close(db);
	db = NULL;
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(db, .init = setup, .fini = teardown);

static const char *text1(struct db *d, const char *sql)
{
	static char out[64];
	struct db_stmt *st;
	cr_assert_eq(db_query(d, sql, NULL, 0, &st, &e), 0, "%s", e.msg);
	cr_assert_eq(db_step(st, &e), DB_ROW, "%s", e.msg);
	snprintf(out, sizeof out, "%s", db_col_text(st, 0));
	db_done(st);
	return out;
}

static int64_t int1(struct db *d, const char *sql)
{
	int64_t v = -1;
	cr_assert_eq(db_get_int(d, sql, NULL, 0, &v, &e), 0, "%s: %s", sql, e.msg);
	return v;
}

Test(db, open_sets_pragmas)
{
	struct stat sb;
	cr_assert_eq(stat(path, &sb), 0);
	cr_assert_str_eq(text1(db, "PRAGMA journal_mode"), "wal");
	cr_assert_eq(int1(db, "PRAGMA synchronous"), 2); /* FULL */
	cr_assert_eq(int1(db, "PRAGMA foreign_keys"), 1);
	cr_assert_eq(int1(db, "PRAGMA busy_timeout"), 5000);
	cr_assert_lt(int1(db, "PRAGMA cache_size"), 0);
	cr_assert_str_eq(db_dialect(db), "sqlite");
}

Test(db, bad_urls_fail_cleanly)
{
	struct db *pg = (struct db *)&e; /* must be reset to NULL */
	/* postgresql:// goes to the PostgreSQL driver (tests/unit/test_db_pg.c); a server that
	 * is not there is "unavailable", not a SQLite file named like a URL. */
	cr_assert_eq(db_open("postgresql://u@/db?host=/nonexistent-wm-dir", &pg, &e),
	             ERR_UNAVAILABLE, "%s", e.msg);
	cr_assert_null(pg);
	cr_assert_not_null(strstr(e.msg, "PostgreSQL"), "%s", e.msg);
	cr_assert_eq(db_open("postgres://u@/db?host=/nonexistent-wm-dir", &pg, &e),
	             ERR_UNAVAILABLE);
	cr_assert_eq(db_open("", &pg, &e), ERR_INTERNAL);
	cr_assert_eq(db_open("/proc/nonexistent/x.db", &pg, &e), ERR_INTERNAL);
	cr_assert_null(pg);
	db_close(NULL); /* a no-op */
}

Test(db, bind_and_read_every_type)
{
	cr_assert_eq(db_exec_script(db, "CREATE TABLE t (i, r, s, b, n, s3, eb);", &e), 0, "%s",
	             e.msg);
	static const char blob[] = {'a', 0, 'b', (char)0xff};
	int rc = db_run(db, "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",
	                DB_ARGS(db_int(INT64_MIN), db_real(3.25), db_text("文明城市"),
	                        db_blob(blob, sizeof blob), db_text(NULL), db_textn("abcdef", 3),
	                        db_blob(NULL, 0)),
	                &e);
	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_assert_eq(db_run(db, "INSERT INTO t (n) VALUES (?)", DB_ARGS(db_null()), &e), 0);

	struct db_stmt *st;
	rc = db_query(db,
	              "SELECT i, r, s, b, n, s3, eb, typeof(n), typeof(eb), typeof(s3) "
	              "FROM t ORDER BY rowid",
	              NULL, 0, &st, &e);
	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_assert_eq(db_step(st, &e), DB_ROW, "%s", e.msg);
	cr_assert_eq(db_col_count(st), 10);
	cr_assert_eq(db_col_int(st, 0), INT64_MIN);
	cr_assert_float_eq(db_col_real(st, 1), 3.25, 1e-12);
	cr_assert_str_eq(db_col_text(st, 2), "文明城市");
	cr_assert_eq(db_col_bytes(st, 2), strlen("文明城市"));
	cr_assert_eq(db_col_bytes(st, 3), sizeof blob);
	cr_assert_eq(memcmp(db_col_text(st, 3), blob, sizeof blob), 0);
	cr_assert(db_col_is_null(st, 4));
	cr_assert_str_eq(db_col_text(st, 4), "");
	cr_assert_str_eq(db_col_text(st, 5), "abc");
	cr_assert_not(db_col_is_null(st, 6));
	cr_assert_eq(db_col_bytes(st, 6), 0);
	cr_assert_str_eq(db_col_text(st, 7), "null");
	cr_assert_str_eq(db_col_text(st, 8), "blob");
	cr_assert_str_eq(db_col_text(st, 9), "text");
	cr_assert_eq(db_step(st, &e), DB_ROW);
	cr_assert(db_col_is_null(st, 0));
	cr_assert(db_col_is_null(st, 4));
	cr_assert_eq(db_step(st, &e), DB_DONE);
	db_done(st);
}

Test(db, step_many_rows_and_helpers)
{
	cr_assert_eq(db_exec_script(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", &e), 0);
	for (int i = 0; i < 50; i++) {
		int64_t id = -1;
		char v[16];
		snprintf(v, sizeof v, "v%d", i);
		int rc = db_get_int(db, "INSERT INTO t (v) VALUES (?) RETURNING id",
		                    DB_ARGS(db_text(v)), &id, &e);
		cr_assert_eq(rc, 0, "%s", e.msg);
		cr_assert_eq(id, i + 1);
		cr_assert_eq(db_last_id(db), id);
	}
	struct db_stmt *st;
	cr_assert_eq(db_query(db, "SELECT id, v FROM t WHERE id > ? ORDER BY id",
	                      DB_ARGS(db_int(10)), &st, &e),
	             0);
	int n = 0, rc;
	while ((rc = db_step(st, &e)) == DB_ROW) {
		char want[16];
		snprintf(want, sizeof want, "v%d", 10 + n);
		cr_assert_eq(db_col_int(st, 0), 11 + n);
		cr_assert_str_eq(db_col_text(st, 1), want);
		n++;
	}
	db_done(st);
	cr_assert_eq(rc, DB_DONE);
	cr_assert_eq(n, 40);

	int64_t out = 77;
	cr_assert_eq(
	    db_get_int(db, "SELECT id FROM t WHERE v = ?", DB_ARGS(db_text("none")), &out, &e),
	    ERR_NOT_FOUND);
	cr_assert_eq(out, 77);
}

Test(db, constraint_errors_map_to_codes)
{
	int rc =
	    db_exec_script(db,
	                   "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE NOT NULL,"
	                   " n INTEGER CHECK (n >= 0));"
	                   "CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id));"
	                   "INSERT INTO p (id, code, n) VALUES (1, 'a', 1);",
	                   &e);
	cr_assert_eq(rc, 0, "%s", e.msg);
	const char *ins = "INSERT INTO p (id, code, n) VALUES (?, ?, ?)";
	rc = db_run(db, ins, DB_ARGS(db_int(2), db_text("a"), db_int(0)), &e);
	cr_assert_eq(rc, ERR_CONFLICT, "%d %s", rc, e.msg);
	cr_assert_not_null(strstr(e.msg, "UNIQUE"), "%s", e.msg);
	rc = db_run(db, ins, DB_ARGS(db_int(1), db_text("b"), db_int(0)), &e);
	cr_assert_eq(rc, ERR_CONFLICT, "%d %s", rc, e.msg);
	rc = db_run(db, ins, DB_ARGS(db_int(3), db_null(), db_int(0)), &e);
	cr_assert_eq(rc, ERR_UNPROCESSABLE, "%d %s", rc, e.msg);
	rc = db_run(db, ins, DB_ARGS(db_int(3), db_text("c"), db_int(-1)), &e);
	cr_assert_eq(rc, ERR_UNPROCESSABLE, "%d %s", rc, e.msg);
	rc = db_run(db, "INSERT INTO c (p_id) VALUES (?)", DB_ARGS(db_int(99)), &e);
	cr_assert_eq(rc, ERR_UNPROCESSABLE, "%d %s", rc, e.msg);
	cr_assert_not_null(strstr(e.msg, "FOREIGN KEY"), "%s", e.msg);
	/* The statement is usable again after an error. */
	rc = db_run(db, ins, DB_ARGS(db_int(3), db_text("c"), db_int(5)), &e);
	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_assert_eq(int1(db, "SELECT count(*) FROM p"), 2);
}

Test(db, bad_sql_and_misuse_are_internal_errors)
{
	struct db_stmt *st = (struct db_stmt *)&e;
	cr_assert_eq(db_query(db, "SELEC 1", NULL, 0, &st, &e), ERR_INTERNAL);
	cr_assert_null(st);
	cr_assert_not_null(strstr(e.msg, "syntax error"), "%s", e.msg);
	cr_assert_eq(db_run(db, "SELECT * FROM missing", NULL, 0, &e), ERR_INTERNAL);
	cr_assert_not_null(strstr(e.msg, "no such table"), "%s", e.msg);
	cr_assert_eq(db_run(db, "SELECT ?", NULL, 0, &e), ERR_INTERNAL);
	cr_assert_eq(db_run(db, "SELECT 1", DB_ARGS(db_int(1)), &e), ERR_INTERNAL);
	cr_assert_eq(db_run(db, "SELECT 1; SELECT 2", NULL, 0, &e), ERR_INTERNAL);
	cr_assert_eq(db_run(db, "   ", NULL, 0, &e), ERR_INTERNAL);
	cr_assert_eq(db_run(db, "SELECT 1;  \n", NULL, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(db_exec_script(db, "CREATE TABLE a (x); CREATE TABLE (", &e), ERR_INTERNAL);
	cr_assert_eq(int1(db, "SELECT count(*) FROM a"), 0); /* statements before the error ran */
	cr_assert_eq(db_commit(db, &e), ERR_INTERNAL);       /* no transaction */
	db_rollback(db);                                     /* harmless without one */
}

Test(db, transactions_commit_and_rollback)
{
	cr_assert_eq(db_exec_script(db, "CREATE TABLE t (v INTEGER)", &e), 0);
	const char *ins = "INSERT INTO t VALUES (?)";
	cr_assert_eq(db_begin(db, &e), 0, "%s", e.msg);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(1)), &e), 0);
	db_rollback(db);
	cr_assert_eq(int1(db, "SELECT count(*) FROM t"), 0);

	cr_assert_eq(db_begin_write(db, &e), 0, "%s", e.msg);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(2)), &e), 0);
	cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);
	cr_assert_eq(int1(db, "SELECT sum(v) FROM t"), 2);

	/* A second connection sees the commit; while we hold the write lock it gets BUSY. */
	struct db *other;
	cr_assert_eq(db_open(path, &other, &e), 0, "%s", e.msg);
	cr_assert_eq(int1(other, "SELECT sum(v) FROM t"), 2);
	cr_assert_eq(db_run(other, "PRAGMA busy_timeout = 20", NULL, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(db_begin_write(db, &e), 0);
	cr_assert_eq(db_begin_write(other, &e), ERR_UNAVAILABLE, "%s", e.msg);
	cr_assert_eq(db_run(other, ins, DB_ARGS(db_int(9)), &e), ERR_UNAVAILABLE, "%s", e.msg);
	db_rollback(db);
	cr_assert_eq(db_run(other, ins, DB_ARGS(db_int(3)), &e), 0, "%s", e.msg);
	db_close(other);
	cr_assert_eq(int1(db, "SELECT sum(v) FROM t"), 5);
}

Test(db, savepoints)
{
	cr_assert_eq(db_exec_script(db, "CREATE TABLE t (v TEXT)", &e), 0);
	const char *ins = "INSERT INTO t VALUES (?)";
	cr_assert_eq(db_begin(db, &e), 0);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_text("a")), &e), 0);
	cr_assert_eq(db_savepoint(db, "s1", &e), 0, "%s", e.msg);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_text("b")), &e), 0);
	db_rollback_to(db, "s1");
	/* rollback_to also ended s1. */
	cr_assert_eq(db_release(db, "s1", &e), ERR_INTERNAL);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_text("c")), &e), 0);
	cr_assert_eq(db_savepoint(db, "s_2", &e), 0, "%s", e.msg);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_text("d")), &e), 0);
	cr_assert_eq(db_release(db, "s_2", &e), 0, "%s", e.msg);
	cr_assert(db_in_transaction(db));
	cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);
	cr_assert_not(db_in_transaction(db));
	cr_assert_str_eq(text1(db, "SELECT group_concat(v, '') FROM (SELECT v FROM t ORDER BY v)"),
	                 "acd");

	cr_assert_eq(db_savepoint(db, "x; DROP TABLE t", &e), ERR_INTERNAL);
	cr_assert_eq(db_savepoint(db, "", &e), ERR_INTERNAL);
	cr_assert_eq(db_savepoint(db, "1x", &e), ERR_INTERNAL);
}

Test(db, statement_cache_reuses_and_stays_bounded)
{
	struct db_stmt *first = NULL, *st;
	for (int i = 0; i < 2000; i++) {
		cr_assert_eq(db_query(db, "SELECT ? + 1", DB_ARGS(db_int(i)), &st, &e), 0);
		if (!first)
			first = st;
		cr_assert_eq(st, first, "the same SQL must reuse its statement");
		cr_assert_eq(db_step(st, &e), DB_ROW);
		cr_assert_eq(db_col_int(st, 0), i + 1);
		db_done(st);
	}
	/* Many distinct texts: the cache evicts, and evicted SQL prepares again fine. */
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 3 * DB_CACHE_MAX; i++) {
			char sql[64];
			snprintf(sql, sizeof sql, "SELECT %d", i);
			cr_assert_eq(db_get_int(db, sql, NULL, 0, &(int64_t){0}, &e), 0);
			cr_assert_leq(db->cache.n, (size_t)DB_CACHE_MAX);
		}
	}
	cr_assert_eq(db->cache.n, (size_t)DB_CACHE_MAX);
}

Test(db, nested_queries_with_the_same_sql)
{
	cr_assert_eq(db_exec_script(
	                 db, "CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2), (3);", &e),
	             0);
	const char *sql = "SELECT v FROM t WHERE v >= ? ORDER BY v";
	struct db_stmt *outer, *inner;
	cr_assert_eq(db_query(db, sql, DB_ARGS(db_int(1)), &outer, &e), 0);
	int64_t sum = 0;
	while (db_step(outer, &e) == DB_ROW) {
		int64_t v = db_col_int(outer, 0);
		cr_assert_eq(db_query(db, sql, DB_ARGS(db_int(v)), &inner, &e), 0);
		cr_assert_neq(inner, outer);
		cr_assert(db->cache.loose != NULL);
		while (db_step(inner, &e) == DB_ROW)
			sum += db_col_int(inner, 0);
		db_done(inner);
	}
	db_done(outer);
	cr_assert_eq(sum, (1 + 2 + 3) + (2 + 3) + 3);
	cr_assert_null(db->cache.loose);
	/* Closing with a statement still busy frees it too (checked by LeakSanitizer). */
	cr_assert_eq(db_query(db, sql, DB_ARGS(db_int(1)), &outer, &e), 0);
	cr_assert_eq(db_query(db, sql, DB_ARGS(db_int(1)), &inner, &e), 0);
	cr_assert_eq(db_step(inner, &e), DB_ROW);
}

/* ---- app_db: one connection per thread, closed when the thread ends ---- */

static struct app test_app;

static void *use_app_db(void *arg)
{
	struct db **seen = arg;
	struct err te;
	struct db *a, *b;
	if (app_db(&test_app, &a, &te) || app_db(&test_app, &b, &te) || a != b)
		return NULL;
	int64_t v = 0;
	if (db_get_int(a, "SELECT 41 + 1", NULL, 0, &v, &te) || v != 42)
		return NULL;
	*seen = a;
	return arg; /* the connection is closed by the key destructor as the thread ends */
}

Test(db, app_db_per_thread)
{
	test_app.db_url = path;
	pthread_t t[4];
	struct db *seen[4] = {0};
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, use_app_db, &seen[i]), 0);
	for (int i = 0; i < 4; i++) {
		void *res;
		pthread_join(t[i], &res);
		cr_assert_not_null(res);
	}
	struct db *mine, *again;
	cr_assert_eq(app_db(&test_app, &mine, &e), 0, "%s", e.msg);
	cr_assert_eq(app_db(&test_app, &again, &e), 0);
	cr_assert_eq(mine, again);

	/* Another url on the same thread: the old connection is replaced. */
	char other[160];
	snprintf(other, sizeof other, "%s/other.db", dir);
	struct app app2 = {.db_url = other};
	cr_assert_eq(app_db(&app2, &again, &e), 0, "%s", e.msg);
	cr_assert_eq(int1(again, "SELECT 1"), 1);
	app_db_close_thread();
	app_db_close_thread(); /* twice is fine */

	struct app bad = {.db_url = "postgresql://x@/y?host=/nonexistent-wm-dir"};
	cr_assert_eq(app_db(&bad, &again, &e), ERR_UNAVAILABLE);
}
