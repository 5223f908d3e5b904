/* Several writers on the same cases, each with its own connection as separate server
 * instances have: the version guard of case_step_apply lets exactly one of two concurrent
 * moves win and the other fail with ERR_CONFLICT, so retrying writers lose no update. Runs on
 * SQLite, and on PostgreSQL when WENMING_TEST_PG is set (READ COMMITTED: the loser's UPDATE
 * waits for the row, then finds the version moved). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/roles.h"
#include "store/case_store.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/seed.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

enum { THREADS = 4, CASES = 6, COMMENTS = 15 };

static char url[1024], dbname[64], dir[64];
static int on_pg;

static void admin(const char *fmt, const char *name)
{
	struct db *a;
	struct err e = {0};
	char sql[256];
	cr_assert_eq(db_open(getenv("WENMING_TEST_PG"), &a, &e), 0, "admin: %s", e.msg);
	snprintf(sql, sizeof sql, fmt, name);
	cr_assert_eq(db_exec_script(a, sql, &e), 0, "%s: %s", sql, e.msg);
	db_close(a);
}

static struct db *connect(void)
{
	struct db *db;
	struct err e = {0};
	cr_assert_eq(db_open(url, &db, &e), 0, "%s", e.msg);
	return db;
}

static int64_t case_ids[CASES];

static void prepare(int pg)
{
	on_pg = pg;
	if (pg) {
		snprintf(dbname, sizeof dbname, "wm_conc_%d", (int)getpid());
		admin("CREATE DATABASE %s", dbname);
		const char *base = getenv("WENMING_TEST_PG");
		snprintf(url, sizeof url, "%s%sdbname=%s", base, strchr(base, '?') ? "&" : "?",
		         dbname);
	} else {
		snprintf(dir, sizeof dir, "/tmp/wm-conc-%d", (int)getpid());
		cr_assert_eq(mkdir(dir, 0755), 0);
		snprintf(url, sizeof url, "%s/w.db", dir);
	}
	struct db *db = connect();
	struct err e = {0};
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	cr_assert_eq(seed_load(db, WM_DATA_DIR, 1, &e), 0, "%s", e.msg);
	int64_t cat;
	cr_assert_eq(db_get_int(db, "SELECT MIN(id) FROM category", NULL, 0, &cat, &e), 0);
	for (int i = 0; i < CASES; i++) {
		struct case_report r = {.prefix = "TC",
		                        .now = 1000 + i,
		                        .source = "test",
		                        .actor = "test",
		                        .roles = ROLE_PUBLIC,
		                        .category_id = cat,
		                        .description = "",
		                        .address = "here",
		                        .address_id = "",
		                        .zipcode = "",
		                        .media_url = "",
		                        .email = "",
		                        .phone = "",
		                        .first_name = "",
		                        .last_name = "",
		                        .device_id = "",
		                        .account_id = "",
		                        .status_notes = "",
		                        .service_notice = ""};
		struct case_ref ref;
		cr_assert_eq(db_begin_write(db, &e), 0);
		cr_assert_eq(case_report_file(db, &r, &ref, &e), 0, "%s", e.msg);
		cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);
		case_ids[i] = ref.id;
	}
	db_close(db);
}

static void cleanup(void)
{
	char cmd[160];
	if (on_pg) {
		admin("DROP DATABASE %s", dbname);
	} else {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		cr_assert_eq(system(cmd), 0);
	}
}

static int64_t version_of(struct db *db, int64_t id)
{
	int64_t v = -1;
	struct err e = {0};
	cr_assert_eq(
	    db_get_int(db, "SELECT version FROM cases WHERE id = ?", DB_ARGS(db_int(id)), &v, &e),
	    0, "%s", e.msg);
	return v;
}

/* One attempt: the version read first, in its own statement, as a client reads a case
 * before acting on it; then the move in a transaction. */
static int attempt(struct db *db, int64_t id, const char *action, unsigned roles, struct err *e)
{
	struct case_step s = {.case_id = id,
	                      .action = action,
	                      .roles = roles,
	                      .actor = "user:1",
	                      .note = "",
	                      .now = 5000,
	                      .expect_version = version_of(db, id)};
	int rc = db_begin_write(db, e);
	if (rc < 0)
		return rc;
	rc = case_step_apply(db, &s, NULL, e);
	if (rc == 0)
		rc = db_commit(db, e);
	if (rc < 0)
		db_rollback(db);
	return rc;
}

struct worker {
	int registered, conflicts, comments, other_errors;
	char last_error[600];
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct db *db = connect();
	struct err e = {0};
	/* Everyone races to register each case: one wins, the rest conflict (the version
	 * moved, or the case is no longer 'reported'). */
	for (int i = 0; i < CASES; i++) {
		int rc = attempt(db, case_ids[i], "register", ROLE_DISPATCHER, &e);
		if (rc == 0)
			w->registered++;
		else if (rc == ERR_CONFLICT) /* version moved, or no longer 'reported' */
			w->conflicts++;
		else {
			w->other_errors++;
			snprintf(w->last_error, sizeof w->last_error, "register: %d %s", rc, e.msg);
		}
	}
	/* Then comments on every case, retried on conflict until each is in. */
	for (int k = 0; k < COMMENTS; k++)
		for (int i = 0; i < CASES; i++) {
			int rc;
			while ((rc = attempt(db, case_ids[(i + k) % CASES], "comment", ROLE_OFFICE,
			                     &e)) == ERR_CONFLICT)
				w->conflicts++;
			if (rc == 0)
				w->comments++;
			else {
				w->other_errors++;
				snprintf(w->last_error, sizeof w->last_error, "comment: %d %s", rc,
				         e.msg);
			}
		}
	db_close(db);
	return NULL;
}

static void race(void)
{
	pthread_t t[THREADS];
	struct worker w[THREADS];
	memset(w, 0, sizeof w);
	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
	int registered = 0, comments = 0, conflicts = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		cr_expect_eq(w[i].other_errors, 0, "worker %d: %s", i, w[i].last_error);
		registered += w[i].registered;
		comments += w[i].comments;
		conflicts += w[i].conflicts;
	}
	cr_expect_eq(registered, CASES, "each case registered exactly once");
	cr_expect_eq(comments, THREADS * COMMENTS * CASES);
	struct db *db = connect();
	struct err e = {0};
	for (int i = 0; i < CASES; i++) {
		/* version 1 at filing, +1 per move: nothing was overwritten. */
		cr_expect_eq(version_of(db, case_ids[i]), 1 + 1 + THREADS * COMMENTS, "case %d", i);
		int64_t n = -1;
		cr_assert_eq(db_get_int(db,
		                        "SELECT COUNT(*) FROM case_event WHERE case_id = ? AND"
		                        " action = 'comment'",
		                        DB_ARGS(db_int(case_ids[i])), &n, &e),
		             0);
		cr_expect_eq(n, THREADS * COMMENTS);
		cr_assert_eq(db_get_int(db,
		                        "SELECT COUNT(*) FROM case_event WHERE case_id = ? AND"
		                        " action = 'register'",
		                        DB_ARGS(db_int(case_ids[i])), &n, &e),
		             0);
		cr_expect_eq(n, 1);
	}
	db_close(db);
	cr_log_info("%s: %d conflicts lost and retried", on_pg ? "postgresql" : "sqlite",
	            conflicts);
}

Test(concurrency, sqlite_writers_lose_no_update)
{
	prepare(0);
	race();
	cleanup();
}

Test(concurrency, postgresql_writers_lose_no_update)
{
	const char *base = getenv("WENMING_TEST_PG");
	if (!base || !*base)
		cr_skip_test("WENMING_TEST_PG is not set");
	prepare(1);
	race();
	cleanup();
}
