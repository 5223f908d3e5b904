/* A throwaway PostgreSQL database per test, on the server named by WENMING_TEST_PG (a
 * postgresql:// URL, see scripts/pg-test-server.sh), and a fresh seeded database of either
 * store. Header-only for the unit tests that run the same checks on both stores. */
#ifndef WM_PG_TESTDB_H
#define WM_PG_TESTDB_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Creates a fresh database and fills t; 0 when WENMING_TEST_PG is not set (skip). */
static inline int pg_testdb_create(struct pg_testdb *t, const char *prefix)
{
	const char *base = getenv("WENMING_TEST_PG");
	if (!base || !*base)
		return 0;
	static int seq;
	snprintf(t->name, sizeof t->name, "wm_%s_%d_%d", prefix, (int)getpid(), ++seq);
	pg_testdb_admin("CREATE DATABASE %s", t->name);
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
 * file /tmp/wm-<prefix>-<pid>.db. testdb_close removes it. */
struct testdb {
	struct db *db;
	int pg;
	struct pg_testdb pgdb;
	char path[96];
};

static inline void testdb_open(struct testdb *t, int pg, const char *prefix, int demo)
{
	struct err e;
	err_clear(&e);
	memset(t, 0, sizeof *t);
	t->pg = pg;
	if (pg) {
		if (!pg_testdb_create(&t->pgdb, prefix))
			cr_skip_test("WENMING_TEST_PG is not set");
		cr_assert_eq(db_open(t->pgdb.url, &t->db, &e), 0, "%s", e.msg);
	} else {
		snprintf(t->path, sizeof t->path, "/tmp/wm-%s-%d.db", prefix, (int)getpid());
		unlink(t->path);
		cr_assert_eq(db_open(t->path, &t->db, &e), 0, "%s", e.msg);
	}
	cr_assert_eq(migrate_apply(t->db, &e), 0, "%s", e.msg);
	cr_assert_eq(seed_load(t->db, WM_DATA_DIR, demo, &e), 0, "%s", e.msg);
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
