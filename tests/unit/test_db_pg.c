/* The store interface on PostgreSQL: the same ground as test_db.c (binding, stepping, error
 * mapping, transactions, savepoints, the statement cache) plus what only PostgreSQL has:
 * booleans read as integers, COMMIT of a failed transaction, reconnecting after the server
 * dropped the connection, and the migrations through the DDL hook. Needs WENMING_TEST_PG
 * (a postgresql:// URL, see scripts/pg-test-server.sh); without it those tests skip. The
 * SQL rewriting tests (pg_sql) need no server and always run. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/embedded.h"
#include "store/db.h"
#include "store/db_driver.h"
#include "store/migrate.h"
#include "store/pg_sql.h"

static char url[1024]; /* of this test's own database */
static char dbname[64];
static struct db *db;
static struct err e;

/* The admin URL with another database: libpq lets a later dbname= override the path. */
static void url_for(char *out, size_t n, const char *name)
{
	const char *base = getenv("WENMING_TEST_PG");
	snprintf(out, n, "%s%sdbname=%s", base, strchr(base, '?') ? "&" : "?", name);
}

static void admin(const char *fmt, const char *name)
{
	struct db *a;
	char sql[256];
	cr_assert_eq(db_open(getenv("WENMING_TEST_PG"), &a, &e), 0, "admin: %s", e.msg);
	snprintf(sql, sizeof sql, fmt, name);
	cr_assert_eq(db_exec_script(a, sql, &e), 0, "%s: %s", sql, e.msg);
	db_close(a);
}

static void setup(void)
{
	const char *base = getenv("WENMING_TEST_PG");
	if (!base || !*base)
		return;
	static int seq;
	snprintf(dbname, sizeof dbname, "wm_unit_%d_%d", (int)getpid(), ++seq);
	admin("CREATE DATABASE %s", dbname);
	url_for(url, sizeof url, dbname);
	err_clear(&e);
	cr_assert_eq(db_open(url, &db, &e), 0, "db_open: %s", e.msg);
}

static void teardown(void)
{
	if (!db)
		return;
	db_close(db);
	db = NULL;
	admin("DROP DATABASE %s WITH (FORCE)", dbname);
}

#define NEED_PG()                                                                                  \
	do {                                                                                       \
		if (!db)                                                                           \
			cr_skip_test("WENMING_TEST_PG is not set");                                \
	} while (0)

TestSuite(pg, .init = setup, .fini = teardown);

static const char *text1(struct db *d, const char *sql)
{
	static char out[256];
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

Test(pg, open_and_settings)
{
	NEED_PG();
	cr_assert_str_eq(db_dialect(db), "postgresql");
	cr_assert_str_eq(text1(db, "SHOW synchronous_commit"), "on");
	cr_assert_str_eq(text1(db, "SHOW client_encoding"), "UTF8");
	cr_assert_str_eq(text1(db, "SHOW application_name"), "wenming");
	cr_assert_not(db_in_transaction(db));
	struct db *bad = (struct db *)&e;
	char u[1100];
	url_for(u, sizeof u, "wm_no_such_database");
	cr_assert_eq(db_open(u, &bad, &e), ERR_UNAVAILABLE);
	cr_assert_null(bad);
	cr_assert_not_null(strstr(e.msg, "wm_no_such_database"), "%s", e.msg);
}

Test(pg, bind_and_read_every_type)
{
	NEED_PG();
	cr_assert_eq(db_exec_script(db,
	                            "CREATE TABLE t (i BIGINT, r DOUBLE PRECISION, s TEXT, b BYTEA,"
	                            " n TEXT, s3 TEXT, eb BYTEA, k SERIAL)",
	                            &e),
	             0, "%s", e.msg);
	static const char blob[] = {'a', 0, 'b', (char)0xff};
	int rc = db_run(db, "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",
	                DB_ARGS(db_int(INT64_MIN), db_real(0.1), db_text("文明城市 'x' ?"),
	                        db_blob(blob, sizeof blob), db_text(NULL), db_textn("abcdef", 3),
	                        db_blob(NULL, 0)),
	                &e);
	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_assert_eq(db_run(db, "INSERT INTO t (n) VALUES (?)", DB_ARGS(db_null()), &e), 0);

	struct db_stmt *st;
	rc = db_query(db,
	              "SELECT i, r, s, b, n, s3, eb, n IS NULL, '?', EXISTS (SELECT 1 FROM t),"
	              " false FROM t ORDER BY k",
	              NULL, 0, &st, &e);
	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_assert_eq(db_col_count(st), 11, "known before the first step, as in SQLite");
	cr_assert_eq(db_step(st, &e), DB_ROW, "%s", e.msg);
	cr_assert_eq(db_col_count(st), 11);
	cr_assert_eq(db_col_int(st, 0), INT64_MIN);
	cr_assert_eq(db_col_real(st, 1), 0.1, "doubles round-trip exactly");
	cr_assert_str_eq(db_col_text(st, 2), "文明城市 'x' ?");
	cr_assert_eq(db_col_bytes(st, 2), strlen("文明城市 'x' ?"));
	cr_assert_eq(db_col_bytes(st, 3), sizeof blob);
	cr_assert_eq(memcmp(db_col_text(st, 3), blob, sizeof blob), 0);
	cr_assert(db_col_is_null(st, 4));
	cr_assert_str_eq(db_col_text(st, 4), "");
	cr_assert_eq(db_col_int(st, 4), 0);
	cr_assert_str_eq(db_col_text(st, 5), "abc");
	cr_assert_not(db_col_is_null(st, 6));
	cr_assert_eq(db_col_bytes(st, 6), 0);
	cr_assert_eq(db_col_int(st, 7), 1, "boolean true reads as 1");
	cr_assert_str_eq(db_col_text(st, 8), "?", "a quoted ? is not a placeholder");
	cr_assert_eq(db_col_int(st, 9), 1);
	cr_assert_eq(db_col_int(st, 10), 0, "boolean false reads as 0");
	cr_assert_eq(db_step(st, &e), DB_ROW);
	cr_assert(db_col_is_null(st, 0));
	cr_assert(db_col_is_null(st, 3));
	cr_assert_eq(db_col_bytes(st, 3), 0);
	cr_assert_eq(db_step(st, &e), DB_DONE);
	cr_assert_eq(db_step(st, &e), DB_DONE, "stepping past the end stays done");
	db_done(st);
	cr_assert_eq(db_run(db, "SELECT ?", DB_ARGS(db_text("a\0b")), &e), 0,
	             "NUL ends a C string");
	cr_assert_eq(db_run(db, "SELECT ?", DB_ARGS(db_textn("a\0b", 3)), &e), ERR_BAD_REQUEST);
}

Test(pg, step_many_rows_and_helpers)
{
	NEED_PG();
	struct buf ddl = BUF_INIT;
	cr_assert_eq(
	    db_translate_ddl(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", &ddl, &e), 0);
	cr_assert_eq(db_exec_script(db, ddl.data, &e), 0, "%s", e.msg);
	buf_free(&ddl);
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

Test(pg, constraint_errors_map_to_codes)
{
	NEED_PG();
	int rc =
	    db_exec_script(db,
	                   "CREATE TABLE p (id BIGINT PRIMARY KEY, code TEXT UNIQUE NOT NULL,"
	                   " n BIGINT CHECK (n >= 0));"
	                   "CREATE TABLE c (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	                   " p_id BIGINT REFERENCES p(id));"
	                   "INSERT INTO p (id, code, n) VALUES (1, 'a', 1);",
	                   &e);
	cr_assert_eq(rc, 0, "%s", e.msg);
	const char *ins = "INSERT INTO p (id, code, n) VALUES (?, ?, ?)";
	rc = db_run(db, ins, DB_ARGS(db_int(2), db_text("a"), db_int(0)), &e);
	cr_assert_eq(rc, ERR_CONFLICT, "%d %s", rc, e.msg);
	cr_assert_not_null(strstr(e.msg, "unique"), "%s", e.msg);
	rc = db_run(db, ins, DB_ARGS(db_int(1), db_text("b"), db_int(0)), &e);
	cr_assert_eq(rc, ERR_CONFLICT, "%d %s", rc, e.msg);
	rc = db_run(db, ins, DB_ARGS(db_int(3), db_null(), db_int(0)), &e);
	cr_assert_eq(rc, ERR_UNPROCESSABLE, "%d %s", rc, e.msg);
	rc = db_run(db, ins, DB_ARGS(db_int(3), db_text("c"), db_int(-1)), &e);
	cr_assert_eq(rc, ERR_UNPROCESSABLE, "%d %s", rc, e.msg);
	rc = db_run(db, "INSERT INTO c (p_id) VALUES (?)", DB_ARGS(db_int(99)), &e);
	cr_assert_eq(rc, ERR_UNPROCESSABLE, "%d %s", rc, e.msg);
	cr_assert_not_null(strstr(e.msg, "foreign key"), "%s", e.msg);
	/* The statement is usable again after an error. */
	rc = db_run(db, ins, DB_ARGS(db_int(3), db_text("c"), db_int(5)), &e);
	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_assert_eq(int1(db, "SELECT count(*) FROM p"), 2);
}

Test(pg, bad_sql_and_misuse_are_internal_errors)
{
	NEED_PG();
	struct db_stmt *st = (struct db_stmt *)&e;
	cr_assert_eq(db_query(db, "SELEC 1", NULL, 0, &st, &e), ERR_INTERNAL);
	cr_assert_null(st);
	cr_assert_not_null(strstr(e.msg, "syntax error"), "%s", e.msg);
	cr_assert_eq(db_run(db, "SELECT * FROM missing", NULL, 0, &e), ERR_INTERNAL);
	cr_assert_not_null(strstr(e.msg, "does not exist"), "%s", e.msg);
	cr_assert_eq(db_run(db, "SELECT ?", NULL, 0, &e), ERR_INTERNAL);
	cr_assert_eq(db_run(db, "SELECT 1", DB_ARGS(db_int(1)), &e), ERR_INTERNAL);
	cr_assert_eq(db_run(db, "SELECT 1; SELECT 2", NULL, 0, &e), ERR_INTERNAL);
	cr_assert_eq(db_run(db, "   ", NULL, 0, &e), ERR_INTERNAL);
	cr_assert_eq(db_run(db, "SELECT 1;  \n", NULL, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(db_run(db, "SELECT 'x'::bigint", NULL, 0, &e), ERR_INTERNAL);
	cr_assert_eq(db_exec_script(db, "CREATE TABLE a (x int); CREATE TABLE (", &e),
	             ERR_INTERNAL);
	/* A script is one implicit transaction in PostgreSQL: nothing of it stays. */
	cr_assert_eq(db_run(db, "SELECT count(*) FROM a", NULL, 0, &e), ERR_INTERNAL);
	cr_assert_eq(db_commit(db, &e), ERR_INTERNAL); /* no transaction */
	db_rollback(db);                               /* harmless without one */
}

Test(pg, transactions_commit_and_rollback)
{
	NEED_PG();
	cr_assert_eq(db_exec_script(db, "CREATE TABLE t (k int PRIMARY KEY, v BIGINT)", &e), 0);
	const char *ins = "INSERT INTO t VALUES (?, ?)";
	cr_assert_eq(db_begin(db, &e), 0, "%s", e.msg);
	cr_assert(db_in_transaction(db));
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(1), db_int(1)), &e), 0);
	db_rollback(db);
	cr_assert_not(db_in_transaction(db));
	cr_assert_eq(int1(db, "SELECT count(*) FROM t"), 0);

	cr_assert_eq(db_begin_write(db, &e), 0, "%s", e.msg);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(1), db_int(2)), &e), 0);
	cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);
	cr_assert_eq(int1(db, "SELECT sum(v) FROM t"), 2);

	/* A second connection sees the commit; a row we hold locked makes it wait, and its
	 * lock_timeout turns the wait into ERR_UNAVAILABLE (as SQLite's busy timeout does). */
	struct db *other;
	cr_assert_eq(db_open(url, &other, &e), 0, "%s", e.msg);
	cr_assert_eq(int1(other, "SELECT sum(v) FROM t"), 2);
	cr_assert_eq(db_run(other, "SET lock_timeout = 50", NULL, 0, &e), 0, "%s", e.msg);
	const char *upd = "UPDATE t SET v = v + ? WHERE k = 1";
	cr_assert_eq(db_begin_write(db, &e), 0);
	cr_assert_eq(db_run(db, upd, DB_ARGS(db_int(10)), &e), 0);
	cr_assert_eq(db_run(other, upd, DB_ARGS(db_int(100)), &e), ERR_UNAVAILABLE, "%s", e.msg);
	db_rollback(db);
	cr_assert_eq(db_run(other, upd, DB_ARGS(db_int(3)), &e), 0, "%s", e.msg);
	db_close(other);
	cr_assert_eq(int1(db, "SELECT sum(v) FROM t"), 5);
}

/* PostgreSQL aborts a transaction at its first error and then "commits" it as a rollback:
 * that must reach the caller as a failure, never as an acknowledged write. */
Test(pg, commit_of_a_failed_transaction_fails)
{
	NEED_PG();
	cr_assert_eq(db_exec_script(db, "CREATE TABLE t (v int UNIQUE)", &e), 0);
	const char *ins = "INSERT INTO t VALUES (?)";
	cr_assert_eq(db_begin_write(db, &e), 0);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(1)), &e), 0);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(1)), &e), ERR_CONFLICT);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(2)), &e), ERR_INTERNAL, "aborted: %s", e.msg);
	cr_assert(db_in_transaction(db));
	cr_assert_eq(db_commit(db, &e), ERR_UNAVAILABLE, "%s", e.msg);
	cr_assert_not(db_in_transaction(db));
	cr_assert_eq(int1(db, "SELECT count(*) FROM t"), 0);
}

Test(pg, savepoints)
{
	NEED_PG();
	cr_assert_eq(db_exec_script(db, "CREATE TABLE t (v TEXT UNIQUE)", &e), 0);
	const char *ins = "INSERT INTO t VALUES (?)";
	cr_assert_eq(db_begin(db, &e), 0);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_text("a")), &e), 0);
	cr_assert_eq(db_savepoint(db, "s1", &e), 0, "%s", e.msg);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_text("b")), &e), 0);
	db_rollback_to(db, "s1");
	/* rollback_to also ended s1. */
	cr_assert_eq(db_release(db, "s1", &e), ERR_INTERNAL);
	/* ...and that error aborted the transaction, as any error does in PostgreSQL: the
	 * writer's pattern is a savepoint per job, so redo this part inside one. */
	db_rollback(db);
	cr_assert_eq(db_begin(db, &e), 0);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_text("a")), &e), 0);
	cr_assert_eq(db_savepoint(db, "wj", &e), 0);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_text("a")), &e), ERR_CONFLICT);
	db_rollback_to(db, "wj"); /* undoes the failed job only; the transaction lives on */
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_text("c")), &e), 0, "%s", e.msg);
	cr_assert_eq(db_savepoint(db, "s_2", &e), 0, "%s", e.msg);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_text("d")), &e), 0);
	cr_assert_eq(db_release(db, "s_2", &e), 0, "%s", e.msg);
	cr_assert(db_in_transaction(db));
	cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);
	cr_assert_not(db_in_transaction(db));
	cr_assert_str_eq(text1(db, "SELECT string_agg(v, '' ORDER BY v) FROM t"), "acd");

	cr_assert_eq(db_savepoint(db, "x; DROP TABLE t", &e), ERR_INTERNAL);
	cr_assert_eq(db_savepoint(db, "", &e), ERR_INTERNAL);
	cr_assert_eq(db_savepoint(db, "1x", &e), ERR_INTERNAL);
}

Test(pg, statement_cache_reuses_and_stays_bounded)
{
	NEED_PG();
	struct db_stmt *first = NULL, *st;
	for (int i = 0; i < 500; i++) {
		cr_assert_eq(db_query(db, "SELECT ? + 1", DB_ARGS(db_int(i)), &st, &e), 0, "%s",
		             e.msg);
		if (!first)
			first = st;
		cr_assert_eq(st, first, "the same SQL must reuse its statement");
		cr_assert_eq(db_step(st, &e), DB_ROW);
		cr_assert_eq(db_col_int(st, 0), i + 1);
		db_done(st);
	}
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 3 * DB_CACHE_MAX; i++) {
			char sql[64];
			snprintf(sql, sizeof sql, "SELECT %d", i);
			int64_t v = -1;
			cr_assert_eq(db_get_int(db, sql, NULL, 0, &v, &e), 0, "%s", e.msg);
			cr_assert_eq(v, i);
			cr_assert_leq(db->cache.n, (size_t)DB_CACHE_MAX);
		}
	}
	cr_assert_eq(db->cache.n, (size_t)DB_CACHE_MAX);
	/* Evicted statements are deallocated on the server too (a few may wait for the next
	 * prepare). */
	int64_t server = int1(db, "SELECT count(*) FROM pg_prepared_statements");
	cr_assert_leq(server, DB_CACHE_MAX + 2, "%lld prepared on the server", (long long)server);
}

Test(pg, nested_queries_with_the_same_sql)
{
	NEED_PG();
	cr_assert_eq(
	    db_exec_script(db, "CREATE TABLE t (v int); INSERT INTO t VALUES (1), (2), (3);", &e),
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

/* Ends db's server process from another connection, as a restart or a network cut would. */
static void kill_backend(void)
{
	int64_t pid = int1(db, "SELECT pg_backend_pid()");
	struct db *other;
	cr_assert_eq(db_open(url, &other, &e), 0, "%s", e.msg);
	int64_t ok = 0;
	cr_assert_eq(
	    db_get_int(other, "SELECT pg_terminate_backend(?::int)", DB_ARGS(db_int(pid)), &ok, &e),
	    0, "%s", e.msg);
	cr_assert_eq(ok, 1);
	/* Wait until it is gone, so the next statement surely meets a dead connection. */
	for (int i = 0; i < 200; i++) {
		int64_t n = 1;
		cr_assert_eq(db_get_int(other,
		                        "SELECT count(*) FROM pg_stat_activity WHERE pid = ?",
		                        DB_ARGS(db_int(pid)), &n, &e),
		             0);
		if (n == 0)
			break;
		usleep(10000);
	}
	db_close(other);
}

Test(pg, reconnects_when_that_is_safe)
{
	NEED_PG();
	int rc;
	cr_assert_eq(db_exec_script(db, "CREATE TABLE t (v int)", &e), 0);
	const char *ins = "INSERT INTO t VALUES (?)";
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(1)), &e), 0);

	/* A read outside a transaction runs again on a new connection, with the cached
	 * statement prepared there anew. */
	kill_backend();
	cr_assert_eq(int1(db, "SELECT count(*) FROM t"), 1);

	/* A statement not yet prepared on the new connection: the prepare meets the dead one,
	 * nothing was sent, so reconnecting and going on is safe even for a write. */
	kill_backend();
	rc = db_run(db, ins, DB_ARGS(db_int(2)), &e);
	cr_assert_eq(rc, 0, "%d %s", rc, e.msg);

	/* A write sent outside a transaction might have committed before the connection died:
	 * it is not repeated; the caller hears 503 and the next statement works. */
	kill_backend();
	rc = db_run(db, ins, DB_ARGS(db_int(3)), &e);
	cr_assert_eq(rc, ERR_UNAVAILABLE, "%d %s", rc, e.msg);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(4)), &e), 0, "%s", e.msg);

	/* BEGIN runs again on a new connection: the writer's next batch just works. */
	kill_backend();
	cr_assert_eq(db_begin_write(db, &e), 0, "%s", e.msg);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(5)), &e), 0, "%s", e.msg);
	cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);

	/* Lost inside a transaction: the rest of it fails (no silent autocommit on a new
	 * connection), COMMIT fails, and ROLLBACK or the next BEGIN starts afresh. */
	cr_assert_eq(db_begin_write(db, &e), 0);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(6)), &e), 0);
	kill_backend();
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(7)), &e), ERR_UNAVAILABLE, "%s", e.msg);
	cr_assert_not(db_in_transaction(db), "the transaction is gone: the writer fails the batch");
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(8)), &e), ERR_UNAVAILABLE, "%s", e.msg);
	cr_assert_eq(db_commit(db, &e), ERR_UNAVAILABLE, "%s", e.msg);
	db_rollback(db);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(9)), &e), 0, "after ROLLBACK: %s", e.msg);

	/* Same, but the caller's next step is BEGIN (the writer's next batch) */
	cr_assert_eq(db_begin_write(db, &e), 0);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(10)), &e), 0);
	kill_backend();
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(11)), &e), ERR_UNAVAILABLE, "%s", e.msg);
	cr_assert_eq(db_begin_write(db, &e), 0, "%s", e.msg);
	cr_assert_eq(db_run(db, ins, DB_ARGS(db_int(12)), &e), 0, "%s", e.msg);
	cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);
	cr_assert_str_eq(text1(db, "SELECT string_agg(v::text, ',' ORDER BY v) FROM t"),
	                 "1,2,4,5,9,12");
}

Test(pg, migrations_run_through_the_ddl_hook)
{
	NEED_PG();
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	int pending = -1;
	cr_assert_eq(migrate_pending(db, &pending, &e), 0, "%s", e.msg);
	cr_assert_eq(pending, 0);
	cr_assert_eq(migrate_apply(db, &e), 0, "again: %s", e.msg);
	cr_assert_str_eq(text1(db, "SELECT data_type || ' ' || is_identity FROM"
	                           " information_schema.columns WHERE table_name = 'cases'"
	                           " AND column_name = 'id'"),
	                 "bigint YES");
	cr_assert_str_eq(text1(db, "SELECT data_type FROM information_schema.columns"
	                           " WHERE table_name = 'cases' AND column_name = 'requested_at'"),
	                 "bigint");
	cr_assert_str_eq(text1(db, "SELECT data_type FROM information_schema.columns"
	                           " WHERE table_name = 'cases' AND column_name = 'lat'"),
	                 "double precision");
	cr_assert_str_eq(text1(db, "SELECT data_type FROM information_schema.columns WHERE"
	                           " table_name = 'schema_version' AND column_name = 'applied_at'"),
	                 "bigint");
	/* Unix seconds past 2038 fit. The reference-data triggers (PostgreSQL section of
	 * 002_refdata.sql) bump the generation once per statement. */
	cr_assert_str_eq(text1(db, "SELECT generation FROM refdata_version"), "1");
	cr_assert_eq(db_run(db, "INSERT INTO apikey (name, key_hash, created_at) VALUES (?, ?, ?)",
	                    DB_ARGS(db_text("k"), db_text("h"), db_int(4102444800LL)), &e),
	             0, "%s", e.msg);
	cr_assert_str_eq(text1(db, "SELECT generation FROM refdata_version"), "2");
	cr_assert_eq(db_run(db, "UPDATE apikey SET revoked_at = 1", NULL, 0, &e), 0, "%s", e.msg);
	cr_assert_str_eq(text1(db, "SELECT generation FROM refdata_version"), "3");
	cr_assert_eq(db_run(db, "DELETE FROM apikey WHERE id < 0", NULL, 0, &e), 0, "%s", e.msg);
	cr_assert_str_eq(text1(db, "SELECT generation FROM refdata_version"), "4");
}

static void *migrate_thread(void *arg)
{
	(void)arg;
	struct db *d;
	struct err te;
	if (db_open(url, &d, &te))
		return NULL;
	int rc = migrate_apply(d, &te);
	db_close(d);
	return rc == 0 ? &url : NULL;
}

/* Several instances starting at once on a fresh database: each migration runs once, and
 * nobody fails (the advisory lock in migrate.c). */
Test(pg, concurrent_migrations_take_turns)
{
	NEED_PG();
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, migrate_thread, NULL), 0);
	for (int i = 0; i < 4; i++) {
		void *res;
		pthread_join(t[i], &res);
		cr_assert_not_null(res, "migration thread %d failed", i);
	}
	int files = 0;
	for (const struct embedded_file *f = embedded_schema; f->name; f++)
		files++;
	cr_assert_eq(int1(db, "SELECT count(*) FROM schema_version"), files);
}

Test(pg, last_id_without_a_sequence_keeps_the_transaction)
{
	NEED_PG();
	cr_assert_eq(db_last_id(db), 0);
	cr_assert_eq(db_exec_script(db, "CREATE TABLE t (id serial, v int)", &e), 0);
	cr_assert_eq(db_begin(db, &e), 0);
	cr_assert_eq(db_last_id(db), 0);
	cr_assert_eq(db_run(db, "INSERT INTO t (v) VALUES (?)", DB_ARGS(db_int(1)), &e), 0, "%s",
	             e.msg);
	cr_assert_eq(db_last_id(db), 1);
	cr_assert_eq(db_commit(db, &e), 0, "the transaction survived: %s", e.msg);
	cr_assert_eq(int1(db, "SELECT count(*) FROM t"), 1);
}

/* ---- SQL rewriting: no server needed ---- */

static const char *placeholders(const char *sql, int *n)
{
	static char out[512];
	struct buf b = BUF_INIT;
	pg_sql_placeholders(sql, &b, n);
	snprintf(out, sizeof out, "%s", b.data);
	buf_free(&b);
	return out;
}

Test(pg_sql, placeholders_skip_quotes_and_comments)
{
	int n = -1;
	cr_assert_str_eq(placeholders("SELECT 1", &n), "SELECT 1");
	cr_assert_eq(n, 0);
	cr_assert_str_eq(placeholders("INSERT INTO t VALUES (?, ?,?)", &n),
	                 "INSERT INTO t VALUES ($1, $2,$3)");
	cr_assert_eq(n, 3);
	cr_assert_str_eq(placeholders("SELECT '?', 'it''s ?', \"a?\" FROM t WHERE x = ?", &n),
	                 "SELECT '?', 'it''s ?', \"a?\" FROM t WHERE x = $1");
	cr_assert_eq(n, 1);
	cr_assert_str_eq(placeholders("SELECT ? -- why?\n, /* a ? /* nested ? */ ? */ ?", &n),
	                 "SELECT $1 -- why?\n, /* a ? /* nested ? */ ? */ $2");
	cr_assert_eq(n, 2);
	cr_assert_str_eq(placeholders("SELECT E'\\'?', $$ ? $$, $q$ ?$ $q$, ?", &n),
	                 "SELECT E'\\'?', $$ ? $$, $q$ ?$ $q$, $1");
	cr_assert_eq(n, 1);
	/* code'..' is not an E'' string: the e of code does not start one. */
	cr_assert_str_eq(placeholders("SELECT code'\\', ?", &n), "SELECT code'\\', $1");
	cr_assert_eq(n, 1);
	cr_assert_str_eq(placeholders("SELECT 'unterminated ?", &n), "SELECT 'unterminated ?");
	cr_assert_eq(n, 0);
	char many[256] = "SELECT ?";
	for (int i = 0; i < 11; i++)
		strcat(many, ",?");
	placeholders(many, &n);
	cr_assert_eq(n, 12);
	cr_assert_not_null(strstr(placeholders(many, &n), "$10,$11,$12"));
}

static const char *ddl(const char *sql)
{
	static char out[1024];
	struct buf b = BUF_INIT;
	pg_sql_translate_ddl(sql, &b);
	snprintf(out, sizeof out, "%s", b.data);
	buf_free(&b);
	return out;
}

Test(pg_sql, ddl_translation_is_minimal)
{
	cr_assert_str_eq(ddl("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"),
	                 "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	                 " n BIGINT NOT NULL)");
	cr_assert_str_eq(ddl("id integer\n\tprimary  key,"),
	                 "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,");
	cr_assert_str_eq(ddl("lat REAL, x REAL NOT NULL"),
	                 "lat DOUBLE PRECISION, x DOUBLE PRECISION NOT NULL");
	/* Words that merely contain the names, strings and comments stay as they are. */
	cr_assert_str_eq(ddl("realm TEXT, integers TEXT, my_integer TEXT, unreal TEXT"),
	                 "realm TEXT, integers TEXT, my_integer TEXT, unreal TEXT");
	cr_assert_str_eq(
	    ddl("k TEXT DEFAULT 'INTEGER', -- REAL comment\n/* INTEGER */ \"REAL\" TEXT"),
	    "k TEXT DEFAULT 'INTEGER', -- REAL comment\n/* INTEGER */ \"REAL\" TEXT");
	/* A composite key is not an identity column. */
	cr_assert_str_eq(ddl("a INTEGER, PRIMARY KEY (a)"), "a BIGINT, PRIMARY KEY (a)");
	cr_assert_str_eq(ddl("a INTEGER PRIMARY"), "a BIGINT PRIMARY");
	/* SQLite's clustered tables are plain tables with a primary key index. */
	cr_assert_str_eq(ddl("CREATE TABLE t (a INTEGER, PRIMARY KEY (a)) WITHOUT  ROWID;"),
	                 "CREATE TABLE t (a BIGINT, PRIMARY KEY (a)) ;");
	cr_assert_str_eq(ddl("without_rowid TEXT, WITHOUT x"), "without_rowid TEXT, WITHOUT x");
}
