/* Background jobs: a pass runs once however many instances try it (SQLite and, with
 * WENMING_TEST_PG, PostgreSQL with its advisory lock), failures are recorded, the job thread
 * starts and stops cleanly, and the media sweep removes only old unreferenced files. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "store/db.h"
#include "store/jobs.h"
#include "store/media_store.h"
#include "store/migrate.h"

static char dir[64], dbfile[96], media[96];
static struct db *db;
static struct err e;
static int calls;

static int counting_job(const struct job_ctx *ctx, struct err *err)
{
	(void)err;
	__atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
	buf_printf(ctx->note, "counted");
	return 0;
}

static int failing_job(const struct job_ctx *ctx, struct err *err)
{
	buf_printf(ctx->note, "half done");
	return err_set(err, ERR_INTERNAL, "disk on fire at %lld", (long long)ctx->now);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/wm-jobs-%d", (int)getpid());
	snprintf(dbfile, sizeof dbfile, "%s/w.db", dir);
	snprintf(media, sizeof media, "%s/media", dir);
	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_eq(db_open(dbfile, &db, &e), 0, "%s", e.msg);
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	calls = 0;
}

static void teardown(void)
{
	db_close(db);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(jobs, .init = setup, .fini = teardown);

static int64_t get_int(struct db *d, const char *sql)
{
	int64_t n = -1;
	cr_assert_eq(db_get_int(d, sql, NULL, 0, &n, &e), 0, "%s: %s", sql, e.msg);
	return n;
}

Test(jobs, a_pass_runs_once_across_instances)
{
	const struct job_def j = {.name = "count", .period_s = 60, .fn = counting_job};
	struct db *other;
	cr_assert_eq(db_open(dbfile, &other, &e), 0, "%s", e.msg);
	struct buf note = BUF_INIT;
	struct job_ctx a = {.db = db, .media_dir = media, .now = 6000, .note = &note};
	struct job_ctx b = {.db = other, .media_dir = media, .now = 6059, .note = &note};
	cr_expect_eq(job_run_pass(&j, &a, "host:1", 60, &e), 1, "%s", e.msg);
	cr_expect_eq(job_run_pass(&j, &b, "host:2", 60, &e), 0, "same pass on the other instance");
	cr_expect_eq(job_run_pass(&j, &a, "host:1", 60, &e), 0, "same pass again");
	b.now = 6060;
	cr_expect_eq(job_run_pass(&j, &b, "host:2", 60, &e), 1, "the next pass");
	cr_expect_eq(calls, 2);
	cr_expect_eq(get_int(db, "SELECT COUNT(*) FROM job_run WHERE ok = 1 AND note = 'counted'"
	                         " AND finished_at IS NOT NULL"),
	             2);
	cr_expect_eq(get_int(db, "SELECT pass FROM job_run WHERE instance = 'host:2'"), 101);
	buf_free(&note);
	db_close(other);
}

Test(jobs, a_failed_pass_is_recorded_and_not_retried_in_its_period)
{
	const struct job_def j = {.name = "fail", .period_s = 10, .fn = failing_job};
	struct buf note = BUF_INIT;
	struct job_ctx c = {.db = db, .media_dir = media, .now = 1000, .note = &note};
	cr_expect_eq(job_run_pass(&j, &c, "h:1", 10, &e), 1);
	cr_expect_eq(job_run_pass(&j, &c, "h:1", 10, &e), 0);
	cr_expect_eq(get_int(db, "SELECT ok FROM job_run WHERE name = 'fail'"), 0);
	struct db_stmt *st;
	cr_assert_eq(db_query(db, "SELECT note FROM job_run", NULL, 0, &st, &e), 0);
	cr_assert_eq(db_step(st, &e), DB_ROW);
	cr_expect_str_eq(db_col_text(st, 0), "disk on fire at 1000");
	db_done(st);
	buf_free(&note);
}

/* SQLite has no advisory lock: a pass started recently and not finished keeps others off. */
Test(jobs, an_unfinished_recent_pass_blocks_the_next_on_sqlite)
{
	const struct job_def j = {.name = "slow", .period_s = 10, .fn = counting_job};
	cr_assert_eq(db_run(db,
	                    "INSERT INTO job_run (name, pass, instance, started_at)"
	                    " VALUES ('slow', 100, 'h:9', 1000)",
	                    NULL, 0, &e),
	             0);
	struct buf note = BUF_INIT;
	struct job_ctx c = {.db = db, .media_dir = media, .now = 1010, .note = &note};
	cr_expect_eq(job_run_pass(&j, &c, "h:1", 10, &e), 0, "still running elsewhere");
	c.now = 1031; /* three periods on: that instance is taken for dead */
	cr_expect_eq(job_run_pass(&j, &c, "h:1", 10, &e), 1);
	buf_free(&note);
}

static const struct job_def test_jobs[] = {
    {.name = "count", .period_s = 3600, .fn = counting_job},
    {.name = NULL},
};

Test(jobs, the_thread_runs_due_jobs_and_stops)
{
	struct jobs *js;
	cr_assert_eq(jobs_start(dbfile, media, test_jobs, 1, &js, &e), 0, "%s", e.msg);
	for (int i = 0; i < 400 && __atomic_load_n(&calls, __ATOMIC_SEQ_CST) < 2; i++)
		usleep(10000);
	jobs_stop(js);
	cr_expect_geq(calls, 2, "a pass at start and one a second later");
	cr_expect_eq(get_int(db, "SELECT COUNT(*) FROM job_run"), calls);
	jobs_stop(NULL);
}

static void put_file(const char *sub, const char *name, time_t mtime)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", media, sub);
	mkdir(media, 0755);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/%s/%s", media, sub, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0, "%s", p);
	cr_assert_eq(write(fd, "x", 1), 1);
	close(fd);
	struct utimbuf t = {.actime = mtime, .modtime = mtime};
	cr_assert_eq(utime(p, &t), 0);
}

static int exists(const char *sub, const char *name)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s/%s", media, sub, name);
	return access(p, F_OK) == 0;
}

Test(jobs, media_sweep_removes_only_old_orphans)
{
	time_t now = time(NULL), old = now - 7200;
	const char *kept_sha = "aa00000000000000000000000000000000000000000000000000000000000001";
	const char *orphan = "aa00000000000000000000000000000000000000000000000000000000000002.jpg";
	const char *young = "aa00000000000000000000000000000000000000000000000000000000000003.jpg";
	char kept[80];
	snprintf(kept, sizeof kept, "%s.jpg", kept_sha);
	put_file("aa", kept, old);
	put_file("aa", orphan, old);
	put_file("aa", young, now);
	put_file("aa", ".tmp-abc123", old);
	put_file("aa", "README", old); /* not ours: left alone */
	put_file("zz", orphan, old);   /* not a shard directory */
	cr_assert_eq(media_record(db, kept_sha, MEDIA_JPEG, 1, now, &e), 0, "%s", e.msg);
	struct buf note = BUF_INIT;
	struct job_ctx c = {.db = db, .media_dir = media, .now = now, .note = &note};
	cr_assert_eq(media_sweep_job(&c, &e), 0, "%s", e.msg);
	cr_expect(exists("aa", kept));
	cr_expect_not(exists("aa", orphan));
	cr_expect(exists("aa", young));
	cr_expect_not(exists("aa", ".tmp-abc123"));
	cr_expect(exists("aa", "README"));
	cr_expect(exists("zz", orphan));
	cr_expect_str_eq(note.data, "2 orphan files removed, 3 kept");
	/* No media directory yet: nothing to do, no error. */
	buf_reset(&note);
	c.media_dir = "/nonexistent-wm-media";
	cr_expect_eq(media_sweep_job(&c, &e), 0);
	buf_free(&note);
}

/* ---- PostgreSQL: the advisory lock ---- */

static void pg_admin(const char *sql)
{
	struct db *a;
	cr_assert_eq(db_open(getenv("WENMING_TEST_PG"), &a, &e), 0, "admin: %s", e.msg);
	cr_assert_eq(db_exec_script(a, sql, &e), 0, "%s: %s", sql, e.msg);
	db_close(a);
}

Test(jobs_pg, a_job_running_on_another_instance_is_skipped)
{
	const char *base = getenv("WENMING_TEST_PG");
	if (!base || !*base)
		cr_skip_test("WENMING_TEST_PG is not set");
	char name[64], url[1024], sql[128];
	snprintf(name, sizeof name, "wm_jobs_%d", (int)getpid());
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
	pg_admin(sql);
	snprintf(url, sizeof url, "%s%sdbname=%s", base, strchr(base, '?') ? "&" : "?", name);
	struct db *a, *b;
	cr_assert_eq(db_open(url, &a, &e), 0, "%s", e.msg);
	cr_assert_eq(db_open(url, &b, &e), 0, "%s", e.msg);
	cr_assert_eq(migrate_apply(a, &e), 0, "%s", e.msg);
	const struct job_def j = {.name = "count", .period_s = 60, .fn = counting_job};
	struct buf note = BUF_INIT;
	struct job_ctx ca = {.db = a, .now = 6000, .note = &note};
	struct job_ctx cb = {.db = b, .now = 6000, .note = &note};
	cr_expect_eq(job_run_pass(&j, &ca, "a:1", 60, &e), 1, "%s", e.msg);
	cr_expect_eq(job_run_pass(&j, &cb, "b:1", 60, &e), 0, "pass 100 is a's");
	/* a is inside the next pass (holds the job's lock, as job_run_pass does): b keeps off
	 * even though that pass has no row yet. */
	cr_assert_eq(db_run(a, "SELECT pg_advisory_lock(?, ?)",
	                    DB_ARGS(db_int(JOB_LOCK_SPACE), db_int(job_lock_key("count"))), &e),
	             0, "%s", e.msg);
	cb.now = 6060;
	cr_expect_eq(job_run_pass(&j, &cb, "b:1", 60, &e), 0, "locked by a");
	cr_expect_eq(get_int(b, "SELECT COUNT(*) FROM job_run"), 1);
	cr_assert_eq(db_run(a, "SELECT pg_advisory_unlock(?, ?)",
	                    DB_ARGS(db_int(JOB_LOCK_SPACE), db_int(job_lock_key("count"))), &e),
	             0, "%s", e.msg);
	cr_expect_eq(job_run_pass(&j, &cb, "b:1", 60, &e), 1, "free again");
	cr_expect_eq(calls, 2);
	cr_expect_eq(get_int(b, "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'"), 0,
	             "no lock left behind");
	buf_free(&note);
	db_close(a);
	db_close(b);
	snprintf(sql, sizeof sql, "DROP DATABASE %s", name);
	pg_admin(sql);
}
