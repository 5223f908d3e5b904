/* A throwaway PostgreSQL database per test, on the server named by WENMING_TEST_PG (a
 * postgresql:// URL, see scripts/pg-test-server.sh), and a fresh seeded database of either
 * store. Header-only for the unit tests that run the same checks on both stores. */
#ifndef WM_PG_TESTDB_H
#define WM_PG_TESTDB_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "store/db.h"
#include "store/migrate.h"
#include "store/seed.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

struct pg_testdb {
	char name[64];
	char url[1024];
};

static inline void pg_testdb_admin(const char *fmt, const char *name)
{
	struct db *a;
	struct err e;
	char sql[256];
	err_clear(&e);
	cr_assert_eq(db_open(getenv("WENMING_TEST_PG"), &a, &e), 0, "admin: %s", e.msg);
	snprintf(sql, sizeof sql, fmt, name);
	cr_assert_eq(db_exec_script(a, sql, &e), 0, "%s: %s", sql, e.msg);
	db_close(a);
}

/* Creates a fresh database (a copy of the database `template` when not NULL) and fills t; 0
 * when WENMING_TEST_PG is not set (skip). */
static inline int pg_testdb_create(struct pg_testdb *t, const char *prefix, const char *template)
{
	const char *base = getenv("WENMING_TEST_PG");
	if (!base || !*base)
		return 0;
	static int seq;
	snprintf(t->name, sizeof t->name, "wm_%s_%d_%d", prefix, (int)getpid(), ++seq);
	if (template) {
		char copy[192];
		snprintf(copy, sizeof copy, "%.63s TEMPLATE %.100s", t->name, template);
		pg_testdb_admin("CREATE DATABASE %s", copy);
	} else {
		pg_testdb_admin("CREATE DATABASE %s", t->name);
	}
	/* libpq lets a later dbname= override the path */
	snprintf(t->url, sizeof t->url, "%s%sdbname=%s", base, strchr(base, '?') ? "&" : "?",
	         t->name);
	return 1;
}

static inline void pg_testdb_drop(struct pg_testdb *t)
{
	pg_testdb_admin("DROP DATABASE %s WITH (FORCE)", t->name);
}

/* A fresh database of either store, migrated and seeded (the demo city too when demo): a
 * throwaway PostgreSQL database (the test is skipped without WENMING_TEST_PG), or the SQLite
 * file /tmp/wm-<prefix>-<pid>.db. testdb_close removes it. With WENMING_TEST_CACHE (a
 * directory `make test` makes for its run) the migrated and seeded database is made once per
 * run and store and copied for each test: a copy of the file, or CREATE DATABASE … TEMPLATE
 * (seeding the demo city under ASan costs a good part of a second per test). */
struct testdb {
	struct db *db;
	int pg;
	struct pg_testdb pgdb;
	char path[96];
};

/* Migrates db and, unless demo < 0, seeds it (the demo city too when demo). */
static inline void testdb_fill(struct db *db, int demo)
{
	struct err e;
	err_clear(&e);
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	if (demo >= 0)
		cr_assert_eq(seed_load(db, WM_DATA_DIR, demo, &e), 0, "%s", e.msg);
}

static inline void testdb_copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	cr_assert(in && out, "copy %s to %s", from, to);
	char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		cr_assert_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	cr_assert_eq(fclose(out), 0);
}

/* The run's template of the store (made by the first test that asks, under a lock): for
 * SQLite a file path, for PostgreSQL a database name, into out. demo < 0: migrated only.
 * 0 without a cache. */
static inline int testdb_template(int pg, int demo, char *out, size_t cap)
{
	const char *cache = getenv("WENMING_TEST_CACHE");
	if (!cache || !*cache)
		return 0;
	char lock[512], done[512];
	snprintf(lock, sizeof lock, "%s/unit-%s-%d.lock", cache, pg ? "pg" : "sqlite", demo);
	snprintf(done, sizeof done, "%s/unit-%s-%d.done", cache, pg ? "pg" : "sqlite", demo);
	if (pg) /* one name per run: the cache directory's own name is unique */
		snprintf(out, cap, "wm_tmpl_%d_%s", demo + 1, strrchr(cache, '-') ? strrchr(cache, '-') + 1 : "x");
	else
		snprintf(out, cap, "%s/unit-%d.db", cache, demo);
	for (char *c = out; pg && *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
			*c = '_';
	int fd = open(lock, O_CREAT | O_RDWR, 0600);
	cr_assert(fd >= 0 && flock(fd, LOCK_EX) == 0, "lock %s", lock);
	if (access(done, F_OK) != 0) {
		struct db *db;
		struct err e;
		err_clear(&e);
		struct pg_testdb t;
		if (pg) {
			pg_testdb_admin("CREATE DATABASE %s", out);
			snprintf(t.url, sizeof t.url, "%s%sdbname=%s", getenv("WENMING_TEST_PG"),
			         strchr(getenv("WENMING_TEST_PG"), '?') ? "&" : "?", out);
		} else {
			unlink(out);
		}
		cr_assert_eq(db_open(pg ? t.url : out, &db, &e), 0, "%s", e.msg);
		testdb_fill(db, demo);
		db_close(db); /* SQLite folds its WAL back into the file */
		int d = open(done, O_CREAT | O_WRONLY, 0600);
		cr_assert(d >= 0);
		close(d);
	}
	flock(fd, LOCK_UN);
	close(fd);
	return 1;
}

static inline void testdb_open(struct testdb *t, int pg, const char *prefix, int demo)
{
	struct err e;
	err_clear(&e);
	memset(t, 0, sizeof *t);
	t->pg = pg;
	char tmpl[512];
	if (pg) {
		if (!getenv("WENMING_TEST_PG") || !*getenv("WENMING_TEST_PG"))
			cr_skip_test("WENMING_TEST_PG is not set");
		int cached = testdb_template(1, demo, tmpl, sizeof tmpl);
		cr_assert(pg_testdb_create(&t->pgdb, prefix, cached ? tmpl : NULL));
		cr_assert_eq(db_open(t->pgdb.url, &t->db, &e), 0, "%s", e.msg);
		if (!cached)
			testdb_fill(t->db, demo);
	} else {
		snprintf(t->path, sizeof t->path, "/tmp/wm-%s-%d.db", prefix, (int)getpid());
		unlink(t->path);
		int cached = testdb_template(0, demo, tmpl, sizeof tmpl);
		if (cached)
			testdb_copy_file(tmpl, t->path);
		cr_assert_eq(db_open(t->path, &t->db, &e), 0, "%s", e.msg);
		if (!cached)
			testdb_fill(t->db, demo);
	}
}

static inline void testdb_close(struct testdb *t)
{
	if (!t->db)
		return;
	db_close(t->db);
	t->db = NULL;
	if (t->pg) {
		pg_testdb_drop(&t->pgdb);
		return;
	}
	char p[128];
	unlink(t->path);
	snprintf(p, sizeof p, "%s-wal", t->path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", t->path);
	unlink(p);
}

#endif
