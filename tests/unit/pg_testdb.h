/* A throwaway PostgreSQL database per test, on the server named by WENMING_TEST_PG (a
 * postgresql:// URL, see scripts/pg-test-server.sh). Header-only for the unit tests that run
 * the same checks on both stores. */
#ifndef WM_PG_TESTDB_H
#define WM_PG_TESTDB_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"

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

#endif
