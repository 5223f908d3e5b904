/* The audit trail: records chain by hash and verify as intact; every kind of tampering
 * behind the program's back (a changed summary or prev_hash, a deleted middle record or
 * tail, a forged record, a record rewritten with a recomputed hash) is found and named;
 * a rolled-back append leaves no trace; four threads with their own connections appending
 * at once keep one contiguous chain; the list filters and pages. Each test runs on SQLite
 * and, when WENMING_TEST_PG is set, on PostgreSQL in a database of its own. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/audit.h"
#include "store/writer.h"
#include "store/db.h"
#include "store/migrate.h"
#include "pg_testdb.h"

static char url[1024]; /* of the store under test */
static char dir[64], dbname[64];
static struct db *db;
static struct err e;

static void open_store(void)
{
	err_clear(&e);
	cr_assert_eq(db_open(url, &db, &e), 0, "db_open: %s", e.msg);
	cr_assert_eq(migrate_apply(db, &e), 0, "migrate: %s", e.msg);
}

static void setup_sqlite(void)
{
	snprintf(dir, sizeof dir, "/tmp/wm-audit-%d", (int)getpid());
	cr_assert_eq(mkdir(dir, 0755), 0);
	snprintf(url, sizeof url, "%s/w.db", dir);
	char tmpl[512]; /* the run's migrated database, when there is one: migrating costs more */
	if (testdb_template(0, -1, tmpl, sizeof tmpl))
		testdb_copy_file(tmpl, url);
	open_store();
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

/* A database of our own on the test cluster, as test_db_pg.c does. */
static void setup_pg(void)
{
	const char *base = getenv("WENMING_TEST_PG");
	if (!base || !*base)
		return;
	static int seq;
	snprintf(dbname, sizeof dbname, "wm_audit_%d_%d", (int)getpid(), ++seq);
	char tmpl[512], copy[192];
	if (testdb_template(1, -1, tmpl, sizeof tmpl)) {
		snprintf(copy, sizeof copy, "%.63s TEMPLATE %.100s", dbname, tmpl);
		admin("CREATE DATABASE %s", copy);
	} else {
		admin("CREATE DATABASE %s", dbname);
	}
	snprintf(url, sizeof url, "%s%sdbname=%s", base, strchr(base, '?') ? "&" : "?", dbname);
	open_store();
}

static void teardown_sqlite(void)
{
	db_close(db);
	db = NULL;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static void teardown_pg(void)
{
	if (!db)
		return;
	db_close(db);
	db = NULL;
	admin("DROP DATABASE %s WITH (FORCE)", dbname);
}

TestSuite(audit_sqlite, .init = setup_sqlite, .fini = teardown_sqlite);
TestSuite(audit_pg, .init = setup_pg, .fini = teardown_pg);

/* Defines test `name` on both stores with one body. */
#define BOTH(name)                                                                                 \
	static void name##_body(void);                                                             \
	Test(audit_sqlite, name)                                                                   \
	{                                                                                          \
		name##_body();                                                                     \
	}                                                                                          \
	Test(audit_pg, name)                                                                       \
	{                                                                                          \
		if (!db)                                                                           \
			cr_skip_test("WENMING_TEST_PG is not set");                                \
		name##_body();                                                                     \
	}                                                                                          \
	static void name##_body(void)

/* Appends one record in its own write transaction; returns its id. */
static int64_t append_on(struct db *d, int64_t at, const char *actor, const char *action,
                         const char *object, const char *summary)
{
	struct err le = {0};
	int64_t id = 0;
	struct audit_entry a = {.at = at,
	                        .actor = actor,
	                        .ip = "127.0.0.1",
	                        .action = action,
	                        .object = object,
	                        .summary = summary};
	cr_assert_eq(db_begin_write(d, &le), 0, "%s", le.msg);
	cr_assert_eq(audit_append_id(d, &a, &id, &le), 0, "%s", le.msg);
	cr_assert_eq(db_commit(d, &le), 0, "%s", le.msg);
	return id;
}

static void append_five(void)
{
	static const char *actions[] = {"case.report", "case.dispatch", "user.create", "login.fail",
	                                "case.close"};
	for (int i = 0; i < 5; i++) {
		char obj[32], sum[64];
		snprintf(obj, sizeof obj, "case:DL%d", i + 1);
		snprintf(sum, sizeof sum, "{\"before\":{\"n\":%d},\"after\":{\"n\":%d}}", i, i + 1);
		cr_assert_eq(
		    append_on(db, 1000 + i, i % 2 ? "user:7" : "apikey:3", actions[i], obj, sum),
		    i + 1);
	}
}

static void sql(const char *s)
{
	cr_assert_eq(db_run(db, s, NULL, 0, &e), 0, "%s: %s", s, e.msg);
}

static void expect_intact(int64_t count)
{
	struct audit_report r;
	cr_assert_eq(audit_verify(db, &r, &e), 0, "%s", e.msg);
	cr_expect_eq(r.broken_id, 0, "broken at %lld: %s", (long long)r.broken_id, r.reason);
	cr_expect_eq(r.count, count);
}

static void expect_broken(int64_t id, const char *why)
{
	struct audit_report r;
	cr_assert_eq(audit_verify(db, &r, &e), 0, "%s", e.msg);
	cr_expect_eq(r.broken_id, id, "broken at %lld (want %lld): %s", (long long)r.broken_id,
	             (long long)id, r.reason);
	cr_expect(strstr(r.reason, why) != NULL, "reason \"%s\" mentions \"%s\"", r.reason, why);
	cr_expect_eq(r.count, id - 1, "the records before it are intact");
}

BOTH(an_empty_log_and_a_fresh_chain_verify)
{
	expect_intact(0);
	append_five();
	expect_intact(5);
	/* The first record links to zeros; each hash is audit_hash of the stored fields. */
	struct db_stmt *st;
	cr_assert_eq(db_query(db, "SELECT prev_hash, hash, summary FROM audit_log WHERE id = 1",
	                      NULL, 0, &st, &e),
	             0);
	cr_assert_eq(db_step(st, &e), DB_ROW);
	cr_expect_str_eq(db_col_text(st, 0),
	                 "0000000000000000000000000000000000000000000000000000000000000000");
	char want[AUDIT_HASH_HEX];
	struct audit_entry a = {.at = 1000,
	                        .actor = "apikey:3",
	                        .ip = "127.0.0.1",
	                        .action = "case.report",
	                        .object = "case:DL1",
	                        .summary = db_col_text(st, 2)};
	audit_hash(1, &a, db_col_text(st, 0), want);
	cr_expect_str_eq(db_col_text(st, 1), want);
	db_done(st);
	int64_t last = -1;
	cr_assert_eq(db_get_int(db, "SELECT last_id FROM audit_head", NULL, 0, &last, &e), 0);
	cr_expect_eq(last, 5);
}

/* Length prefixes: moving text from one field to the next changes the hash. */
Test(audit_sqlite, the_canonical_form_is_unambiguous)
{
	char h1[AUDIT_HASH_HEX], h2[AUDIT_HASH_HEX];
	struct audit_entry a = {
	    .at = 1, .actor = "ab", .ip = "", .action = "c", .object = "", .summary = ""};
	struct audit_entry b = {
	    .at = 1, .actor = "a", .ip = "", .action = "bc", .object = "", .summary = ""};
	audit_hash(1, &a, "00", h1);
	audit_hash(1, &b, "00", h2);
	cr_expect_str_neq(h1, h2);
	audit_hash(2, &a, "00", h2);
	cr_expect_str_neq(h1, h2, "the id is hashed");
}

BOTH(a_rolled_back_append_leaves_no_trace_and_no_gap)
{
	append_on(db, 1, "cli", "apikey.create", "apikey:1", "{}");
	struct audit_entry a = {.at = 2, .actor = "cli", .action = "apikey.revoke"};
	cr_assert_eq(db_begin_write(db, &e), 0);
	cr_assert_eq(audit_append(db, &a, &e), 0, "%s", e.msg);
	db_rollback(db);
	cr_expect_eq(append_on(db, 3, "cli", "apikey.revoke", "apikey:1", "{}"), 2);
	expect_intact(2);
}

BOTH(an_append_outside_a_transaction_is_refused)
{
	struct audit_entry a = {.at = 2, .actor = "cli", .action = "x"};
	cr_expect_eq(audit_append(db, &a, &e), ERR_INTERNAL);
	cr_expect(strstr(e.msg, "transaction") != NULL, "%s", e.msg);
	expect_intact(0);
}

BOTH(a_changed_summary_is_found)
{
	append_five();
	sql("UPDATE audit_log SET summary = '{\"after\":{\"n\":99}}' WHERE id = 3");
	expect_broken(3, "altered");
}

BOTH(a_record_rewritten_with_its_hash_recomputed_breaks_the_next_link)
{
	append_five();
	struct db_stmt *st;
	cr_assert_eq(db_query(db, "SELECT prev_hash FROM audit_log WHERE id = 3", NULL, 0, &st, &e),
	             0);
	cr_assert_eq(db_step(st, &e), DB_ROW);
	char prev[AUDIT_HASH_HEX];
	snprintf(prev, sizeof prev, "%s", db_col_text(st, 0));
	db_done(st);
	struct audit_entry a = {.at = 1002,
	                        .actor = "apikey:3",
	                        .ip = "127.0.0.1",
	                        .action = "user.create",
	                        .object = "case:DL3",
	                        .summary = "{}"};
	char forged[AUDIT_HASH_HEX];
	audit_hash(3, &a, prev, forged);
	cr_assert_eq(db_run(db, "UPDATE audit_log SET summary = '{}', hash = ? WHERE id = 3",
	                    DB_ARGS(db_text(forged)), &e),
	             0, "%s", e.msg);
	expect_broken(4, "prev_hash");
}

BOTH(a_deleted_middle_record_is_found)
{
	append_five();
	sql("DELETE FROM audit_log WHERE id = 3");
	expect_broken(3, "missing");
}

BOTH(a_deleted_tail_is_found)
{
	append_five();
	sql("DELETE FROM audit_log WHERE id >= 4");
	expect_broken(4, "tail deleted");
}

BOTH(a_forged_record_is_found)
{
	append_five();
	sql("INSERT INTO audit_log (id, at, actor, ip, action, object, summary, prev_hash, hash)"
	    " SELECT 6, 2000, 'user:1', '', 'user.create', 'user:9', '{}', hash,"
	    " '1111111111111111111111111111111111111111111111111111111111111111'"
	    " FROM audit_log WHERE id = 5");
	expect_broken(6, "altered");
}

/* Even a forger who knows the canonical form cannot add at the end: audit_head says where
 * the chain ends. */
BOTH(a_forged_record_with_a_correct_hash_is_found)
{
	append_five();
	struct db_stmt *st;
	cr_assert_eq(db_query(db, "SELECT hash FROM audit_log WHERE id = 5", NULL, 0, &st, &e), 0);
	cr_assert_eq(db_step(st, &e), DB_ROW);
	char prev[AUDIT_HASH_HEX], hash[AUDIT_HASH_HEX];
	snprintf(prev, sizeof prev, "%s", db_col_text(st, 0));
	db_done(st);
	struct audit_entry a = {.at = 2000,
	                        .actor = "user:1",
	                        .ip = "",
	                        .action = "user.create",
	                        .object = "user:9",
	                        .summary = "{}"};
	audit_hash(6, &a, prev, hash);
	cr_assert_eq(db_run(db,
	                    "INSERT INTO audit_log (id, at, actor, ip, action, object, summary,"
	                    " prev_hash, hash) VALUES (6, 2000, 'user:1', '', 'user.create',"
	                    " 'user:9', '{}', ?, ?)",
	                    DB_ARGS(db_text(prev), db_text(hash)), &e),
	             0, "%s", e.msg);
	expect_broken(6, "not appended by wenming");
}

BOTH(a_changed_prev_hash_is_found)
{
	append_five();
	sql("UPDATE audit_log SET prev_hash ="
	    " 'abababababababababababababababababababababababababababababababab' WHERE id = 3");
	expect_broken(3, "prev_hash");
}

enum { THREADS = 4, PER_THREAD = 25 };

static void *appender(void *arg)
{
	int n = (int)(intptr_t)arg;
	struct db *d;
	struct err le = {0};
	cr_assert_eq(db_open(url, &d, &le), 0, "%s", le.msg);
	char actor[16];
	snprintf(actor, sizeof actor, "user:%d", n);
	for (int i = 0; i < PER_THREAD; i++)
		append_on(d, 5000 + i, actor, "case.report", "case:x", "{}");
	db_close(d);
	return NULL;
}

BOTH(concurrent_appenders_keep_one_contiguous_chain)
{
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, appender, (void *)(intptr_t)i), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	expect_intact(THREADS * PER_THREAD);
	int64_t n = -1;
	cr_assert_eq(db_get_int(db, "SELECT COUNT(*) FROM audit_log WHERE actor = 'user:2'", NULL,
	                        0, &n, &e),
	             0);
	cr_expect_eq(n, PER_THREAD);
}

static json_t *list(struct audit_filter f)
{
	json_t *arr = NULL;
	cr_assert_eq(audit_list_json(db, &f, &arr, &e), 0, "%s", e.msg);
	return arr;
}

static int64_t id_at(json_t *arr, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(arr, i), "id"));
}

BOTH(the_list_filters_and_pages_newest_first)
{
	append_five();
	json_t *all = list((struct audit_filter){0});
	cr_assert_eq(json_array_size(all), 5);
	cr_expect_eq(id_at(all, 0), 5, "newest first");
	json_t *s = json_object_get(json_array_get(all, 0), "summary");
	cr_expect(json_is_object(s), "summary is parsed JSON");
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(s, "after"), "n")), 5);
	json_decref(all);

	json_t *a = list((struct audit_filter){.actor = "user:7"});
	cr_expect_eq(json_array_size(a), 2);
	cr_expect_eq(id_at(a, 0), 4);
	json_decref(a);

	a = list((struct audit_filter){.action_prefix = "case."});
	cr_expect_eq(json_array_size(a), 3);
	json_decref(a);
	a = list((struct audit_filter){.action_prefix = "case_"});
	cr_expect_eq(json_array_size(a), 0, "no LIKE wildcards");
	json_decref(a);

	a = list((struct audit_filter){.object = "case:DL2"});
	cr_expect_eq(json_array_size(a), 1);
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "action")),
	                 "case.dispatch");
	json_decref(a);

	a = list((struct audit_filter){.since = 1001, .until = 1003});
	cr_expect_eq(json_array_size(a), 2);
	cr_expect_eq(id_at(a, 0), 3);
	json_decref(a);

	a = list((struct audit_filter){.limit = 2});
	cr_expect_eq(json_array_size(a), 2);
	int64_t next = id_at(a, 1);
	json_decref(a);
	a = list((struct audit_filter){.limit = 2, .before_id = next});
	cr_expect_eq(json_array_size(a), 2);
	cr_expect_eq(id_at(a, 0), 3);
	cr_expect_eq(id_at(a, 1), 2);
	json_decref(a);
}

/* What import does: rows copied as they were, then the head set from them. */
BOTH(a_copied_log_verifies_after_audit_head_sync)
{
	append_five();
	sql("UPDATE audit_head SET last_id = 0,"
	    " last_hash = '0000000000000000000000000000000000000000000000000000000000000000'");
	expect_broken(1, "not appended by wenming");
	cr_assert_eq(db_begin_write(db, &e), 0);
	cr_assert_eq(audit_head_sync(db, &e), 0, "%s", e.msg);
	cr_assert_eq(db_commit(db, &e), 0);
	expect_intact(5);
	cr_expect_eq(append_on(db, 3000, "cli", "x", "", "{}"), 6);
	expect_intact(6);
	sql("DELETE FROM audit_log");
	cr_assert_eq(audit_head_sync(db, &e), 0, "%s", e.msg);
	expect_intact(0);
}

/* ---- batches: the writer appends a whole batch's records at once ---- */

BOTH(append_many_chains_across_chunks)
{
	append_on(db, 1, "cli", "first", "", "{}");
	enum { N = 41 }; /* more than two chunks of 16 and a rest */
	struct audit_entry recs[N];
	const struct audit_entry *ptrs[N];
	char objects[N][32];
	for (int i = 0; i < N; i++) {
		snprintf(objects[i], sizeof objects[i], "case:%d", i);
		recs[i] = (struct audit_entry){.at = 100 + i,
		                               .actor = "apikey:1",
		                               .ip = "10.0.0.1",
		                               .action = "case.report",
		                               .object = objects[i],
		                               .summary = "{}"};
		ptrs[i] = &recs[i];
	}
	struct err le = {0};
	int64_t first = 0;
	cr_assert_eq(db_begin_write(db, &le), 0, "%s", le.msg);
	cr_assert_eq(audit_append_many(db, ptrs, N, &first, &le), 0, "%s", le.msg);
	cr_assert_eq(db_commit(db, &le), 0, "%s", le.msg);
	cr_expect_eq(first, 2);
	append_on(db, 200, "cli", "last", "", "{}");
	expect_intact(N + 2);
}

struct wjob {
	int fail;
	char object[32];
	struct audit_entry a;
};

static int wjob_run(struct db *d, void *arg, struct err *je)
{
	struct wjob *j = arg;
	if (j->fail)
		return err_set(je, ERR_CONFLICT, "this one fails");
	j->a = (struct audit_entry){.at = 7,
	                            .actor = "apikey:2",
	                            .action = "case.report",
	                            .object = j->object,
	                            .summary = "{}"};
	return db_run(d, "SELECT 1", NULL, 0, je);
}

static const struct audit_entry *wjob_audit(void *arg)
{
	return &((struct wjob *)arg)->a;
}

static void wjob_done(void *ctx, int rc, const struct err *je)
{
	(void)je;
	__atomic_store_n((int *)ctx, rc == 0 ? 1 : -1, __ATOMIC_SEQ_CST);
}

/* A batch with a failing job: the others' records are there, the failed one's is not, and
 * the chain is intact. */
BOTH(writer_appends_the_records_of_the_jobs_that_committed)
{
	struct writer *w;
	struct err le = {0};
	cr_assert_eq(writer_start(url, &w, &le), 0, "%s", le.msg);
	enum { N = 30 };
	static struct wjob jobs[N];
	static int done[N];
	for (int i = 0; i < N; i++) {
		jobs[i] = (struct wjob){.fail = i == 13};
		snprintf(jobs[i].object, sizeof jobs[i].object, "job:%d", i);
		done[i] = 0;
		cr_assert_eq(writer_enqueue_audited(w, wjob_run, &jobs[i], wjob_audit, wjob_done,
		                                    &done[i], &le),
		             0);
	}
	writer_stop(w); /* drains the queue */
	for (int i = 0; i < N; i++)
		cr_expect_eq(done[i], i == 13 ? -1 : 1, "job %d", i);
	int64_t n = -1;
	cr_assert_eq(db_get_int(db, "SELECT COUNT(*) FROM audit_log WHERE object = 'job:13'", NULL,
	                        0, &n, &le),
	             0);
	cr_expect_eq(n, 0);
	cr_assert_eq(db_get_int(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'case.report'",
	                        NULL, 0, &n, &le),
	             0);
	cr_expect_eq(n, N - 1);
	expect_intact(N - 1);
}
