/* The reference-data cache and its parts: dialect sections of migrations, the bucketed area
 * index (checked against a brute-force scan), and snapshots that follow the database's
 * generation while older snapshots stay valid for whoever still holds them. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/geo.h"
#include "lib/buf.h"
#include "store/apikey.h"
#include "store/area_index.h"
#include "store/area_store.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/refcache.h"
#include "store/seed.h"
#include "store/sql_dialect.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

/* ---- dialect sections ---- */

static const char SCRIPT[] = "CREATE TABLE t (x INTEGER);\n"
                             "-- @dialect sqlite\n"
                             "CREATE TRIGGER a;\n"
                             "-- @dialect postgresql\n"
                             "CREATE FUNCTION f() $$ x; $$;\n"
                             "-- @dialect all\n"
                             "CREATE INDEX i ON t (x);";

Test(dialect, keeps_common_text_and_its_own_sections)
{
	struct buf b = BUF_INIT;
	struct err e = {0};
	cr_assert_eq(sql_select_dialect(SCRIPT, "sqlite", &b, &e), 0, "%s", e.msg);
	cr_expect_str_eq(b.data, "CREATE TABLE t (x INTEGER);\n\nCREATE TRIGGER a;\n\n\n\n"
	                         "CREATE INDEX i ON t (x);");
	buf_reset(&b);
	cr_assert_eq(sql_select_dialect(SCRIPT, "postgresql", &b, &e), 0, "%s", e.msg);
	cr_expect_str_eq(b.data, "CREATE TABLE t (x INTEGER);\n\n\n\nCREATE FUNCTION f() $$ x; $$;"
	                         "\n\nCREATE INDEX i ON t (x);");
	buf_free(&b);
}

Test(dialect, line_numbers_survive_and_unknown_dialects_fail)
{
	struct buf b = BUF_INIT;
	struct err e = {0};
	cr_assert_eq(sql_select_dialect(SCRIPT, "sqlite", &b, &e), 0);
	int lines_in = 0, lines_out = 0;
	for (const char *p = SCRIPT; *p; p++)
		lines_in += *p == '\n';
	for (const char *p = b.data; *p; p++)
		lines_out += *p == '\n';
	cr_expect_eq(lines_in, lines_out);
	buf_reset(&b);
	cr_expect_eq(sql_select_dialect("x;\n-- @dialect mysql\ny;\n", "sqlite", &b, &e),
	             ERR_INTERNAL);
	cr_expect(strstr(e.msg, "line 2") && strstr(e.msg, "mysql"), "%s", e.msg);
	buf_free(&b);
}

/* ---- the area index ---- */

static char *square(double lat, double lon, double size)
{
	char *s = malloc(256);
	snprintf(s, 256,
	         "{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],"
	         "[%.6f,%.6f],[%.6f,%.6f]]]}",
	         lon, lat, lon + size, lat, lon + size, lat + size, lon, lat + size, lon, lat);
	return s;
}

static void add(struct area_index *ix, int64_t id, int rank, char *geojson)
{
	struct err e = {0};
	cr_assert_eq(area_index_add(ix, id, rank, geojson, &e), 0, "%s", e.msg);
	free(geojson);
}

Test(area_index, most_specific_area_wins_and_holes_are_outside)
{
	struct area_index *ix;
	struct err e = {0};
	cr_assert_eq(area_index_new(&ix), 0);
	add(ix, 1, 2, square(38.0, 121.0, 1.0)); /* district */
	add(ix, 2, 1, square(38.2, 121.2, 0.5)); /* street inside it */
	add(ix, 3, 0, square(38.3, 121.3, 0.1)); /* grid inside the street */
	cr_assert_eq(area_index_add(ix, 4, 0,
	                            "{\"type\":\"Polygon\",\"coordinates\":[[[122,38],[123,38],"
	                            "[123,39],[122,39],[122,38]],[[122.4,38.4],[122.6,38.4],"
	                            "[122.6,38.6],[122.4,38.6],[122.4,38.4]]]}",
	                            &e),
	             0, "%s", e.msg);
	cr_assert_eq(area_index_finish(ix, &e), 0);
	cr_expect_eq(area_index_count(ix), 4);
	cr_expect_eq(area_index_locate(ix, 38.1, 121.1), 1);
	cr_expect_eq(area_index_locate(ix, 38.25, 121.25), 2);
	cr_expect_eq(area_index_locate(ix, 38.35, 121.35), 3);
	cr_expect_eq(area_index_locate(ix, 38.2, 122.2), 4);
	cr_expect_eq(area_index_locate(ix, 38.5, 122.5), 0, "inside the hole");
	cr_expect_eq(area_index_locate(ix, 37.0, 121.5), 0, "outside every area");
	cr_expect_eq(area_index_locate(ix, 39.0, 121.0), 1, "a corner belongs to its area");
	cr_expect_eq(area_index_locate(ix, 0.0 / 0.0, 121.0), 0, "NaN finds nothing");
	area_index_free(ix);
}

Test(area_index, rejects_what_is_not_a_polygon)
{
	struct area_index *ix;
	struct err e = {0};
	cr_assert_eq(area_index_new(&ix), 0);
	const char *bad[] = {
	    "not json",
	    "{\"type\":\"Point\",\"coordinates\":[121,38]}",
	    "{\"type\":\"Polygon\",\"coordinates\":[]}",
	    "{\"type\":\"Polygon\",\"coordinates\":[[[121,38],[122,38]]]}",
	    "{\"type\":\"Polygon\",\"coordinates\":[[[121,38],[122,38],[122,\"x\"],[121,38]]]}",
	    "{\"type\":\"Polygon\",\"coordinates\":[[[121,38],[122,38],[122,95],[121,38]]]}",
	    "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[121,38],[122,38]]]]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(area_index_add(ix, (int64_t)i + 1, 0, bad[i], &e), ERR_BAD_REQUEST,
		             "%s", bad[i]);
	cr_assert_eq(area_index_finish(ix, &e), 0);
	cr_expect_eq(area_index_count(ix), 0);
	cr_expect_eq(area_index_locate(ix, 38.5, 121.5), 0);
	area_index_free(ix);
}

/* A city tiled by 40 x 40 grid cells over 4 streets over a district, plus a MultiPolygon:
 * the bucketed answer equals a scan of every area in (rank, id) order. */
Test(area_index, buckets_agree_with_a_full_scan)
{
	enum { N = 40 };
	const double cell = 0.005, lat0 = 38.8, lon0 = 121.5;
	struct area_index *ix;
	struct err e = {0};
	cr_assert_eq(area_index_new(&ix), 0);
	add(ix, 9000, 2, square(lat0, lon0, N * cell));
	for (int s = 0; s < 4; s++)
		add(ix, 8000 + s, 1,
		    square(lat0 + (s / 2) * N * cell / 2, lon0 + (s % 2) * N * cell / 2,
		           N * cell / 2));
	for (int r = 0; r < N; r++)
		for (int c = 0; c < N; c++)
			if ((r * 7 + c * 3) % 11) /* leave some cells out: the street answers */
				add(ix, r * N + c + 1, 0,
				    square(lat0 + r * cell, lon0 + c * cell, cell));
	cr_assert_eq(area_index_add(ix, 9999, 0,
	                            "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[121,38],"
	                            "[121.01,38],[121.01,38.01],[121,38.01],[121,38]]],"
	                            "[[[121.02,38],[121.03,38],[121.03,38.01],[121.02,38.01],"
	                            "[121.02,38]]]]}",
	                            &e),
	             0, "%s", e.msg);
	cr_assert_eq(area_index_finish(ix, &e), 0);
	cr_expect_eq(area_index_locate(ix, 38.005, 121.025), 9999);
	cr_expect_eq(area_index_locate(ix, 38.005, 121.015), 0, "between the two parts");
	srand(42);
	for (int i = 0; i < 20000; i++) {
		double lat = lat0 - 0.01 + (N * cell + 0.02) * rand() / (double)RAND_MAX;
		double lon = lon0 - 0.01 + (N * cell + 0.02) * rand() / (double)RAND_MAX;
		int64_t want = 0;
		int r = (int)((lat - lat0) / cell), c = (int)((lon - lon0) / cell);
		int in_city =
		    lat >= lat0 && lon >= lon0 && lat <= lat0 + N * cell && lon <= lon0 + N * cell;
		/* Only decide away from edges, where the float cut is unambiguous. */
		double fr = (lat - lat0) / cell - r, fc = (lon - lon0) / cell - c;
		if (fr < 1e-6 || fr > 1 - 1e-6 || fc < 1e-6 || fc > 1 - 1e-6)
			continue;
		if (in_city && r < N && c < N) {
			if ((r * 7 + c * 3) % 11)
				want = r * N + c + 1;
			else
				want = 8000 + (r >= N / 2) * 2 + (c >= N / 2);
		}
		cr_assert_eq(area_index_locate(ix, lat, lon), want, "(%f, %f)", lat, lon);
	}
	area_index_free(ix);
}

/* ---- the cache ---- */

static char dbfile[64];
static struct db *db;

static void setup(void)
{
	struct err e = {0};
	snprintf(dbfile, sizeof dbfile, "/tmp/wm-refcache-%d.db", (int)getpid());
	unlink(dbfile);
	cr_assert_eq(db_open(dbfile, &db, &e), 0, "%s", e.msg);
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	cr_assert_eq(seed_load(db, WM_DATA_DIR, 1, &e), 0, "%s", e.msg);
}

static void teardown(void)
{
	db_close(db);
	char p[80];
	unlink(dbfile);
	snprintf(p, sizeof p, "%s-wal", dbfile);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", dbfile);
	unlink(p);
}

TestSuite(refcache, .init = setup, .fini = teardown);

static int64_t get_int(const char *sql)
{
	int64_t n = -1;
	struct err e = {0};
	cr_assert_eq(db_get_int(db, sql, NULL, 0, &n, &e), 0, "%s: %s", sql, e.msg);
	return n;
}

static void run(const char *sql)
{
	struct err e = {0};
	cr_assert_eq(db_run(db, sql, NULL, 0, &e), 0, "%s: %s", sql, e.msg);
}

Test(refcache, snapshot_answers_like_the_database)
{
	struct refcache *c;
	struct refdata *d;
	struct err e = {0};
	cr_assert_eq(refcache_new(&c), 0);
	cr_assert_eq(refcache_get(c, db, &d, &e), 0, "%s", e.msg);
	cr_expect_eq(refdata_generation(d),
	             (uint64_t)get_int("SELECT generation FROM refdata_version"));

	struct db_stmt *st;
	cr_assert_eq(db_query(db,
	                      "SELECT c.id, c.service_code, c.urgent, (SELECT COUNT(*) FROM"
	                      " category_attribute a WHERE a.category_id = c.id) FROM category c"
	                      " WHERE c.active = 1",
	                      NULL, 0, &st, &e),
	             0);
	int n = 0;
	while (db_step(st, &e) == DB_ROW) {
		const struct category *cat = refdata_category(d, db_col_text(st, 1));
		cr_assert(cat, "%s", db_col_text(st, 1));
		cr_expect_eq(cat->id, db_col_int(st, 0));
		cr_expect_eq(cat->urgent, db_col_int(st, 2));
		const struct attr_def *defs;
		size_t ndefs;
		refdata_attributes(d, cat->id, &defs, &ndefs);
		cr_expect_eq((int64_t)ndefs, db_col_int(st, 3), "%s", db_col_text(st, 1));
		n++;
	}
	db_done(st);
	cr_expect_gt(n, 100);
	cr_expect_null(refdata_category(d, "no-such-code"));
	cr_expect_null(refdata_category(d, NULL));

	/* Areas: the snapshot's index and the database query agree across the demo city. */
	for (double lat = 38.85; lat < 39.0; lat += 0.0071)
		for (double lon = 121.55; lon < 121.75; lon += 0.0093) {
			int64_t want;
			cr_assert_eq(area_locate(db, lat, lon, &want, &e), 0, "%s", e.msg);
			cr_expect_eq(refdata_area_at(d, lat, lon), want, "(%f, %f)", lat, lon);
		}
	refdata_release(d);
	refcache_free(c);
}

Test(refcache, a_change_in_the_database_reaches_the_next_check)
{
	struct refcache *c;
	struct refdata *d;
	struct err e = {0};
	cr_assert_eq(refcache_new(&c), 0);
	cr_assert_eq(refcache_get(c, db, &d, &e), 0, "%s", e.msg);
	uint64_t g0 = refdata_generation(d);

	char key[APIKEY_LEN];
	int64_t id;
	cr_assert_eq(apikey_create(db, "t", 1, key, &id, &e), 0, "%s", e.msg);
	cr_expect_eq(refdata_apikey(d, key), 0, "the held snapshot does not change");
	struct refdata *old; /* a second holder of the first snapshot, e.g. another request */
	cr_assert_eq(refcache_get(c, db, &old, &e), 0, "%s", e.msg);
	cr_assert_eq(old, d);
	int changed = 0;
	cr_assert_eq(refcache_recheck(c, db, &d, &changed, &e), 0, "%s", e.msg);
	cr_assert(changed);
	cr_expect_gt(refdata_generation(d), g0);
	cr_expect_eq(refdata_apikey(d, key), id);
	cr_expect_eq(refdata_apikey(d, "wm_wrong"), 0);
	cr_expect_eq(refdata_apikey(d, ""), 0);

	/* Nothing changed: a recheck keeps the snapshot. */
	struct refdata *same = d;
	cr_assert_eq(refcache_recheck(c, db, &d, &changed, &e), 0);
	cr_expect_not(changed);
	cr_expect_eq(d, same);

	/* Revoking, deactivating a category, editing an area: each bumps the generation. */
	char sql[160];
	snprintf(sql, sizeof sql, "UPDATE apikey SET revoked_at = 2 WHERE id = %lld",
	         (long long)id);
	run(sql);
	run("UPDATE category SET active = 0 WHERE id = (SELECT MIN(id) FROM category)");
	cr_assert_eq(refcache_recheck(c, db, &d, &changed, &e), 0);
	cr_expect(changed);
	cr_expect_eq(refdata_apikey(d, key), 0);
	int64_t g1 = (int64_t)refdata_generation(d);
	run("UPDATE area SET name = name || '区' WHERE kind = 'grid'");
	cr_expect_gt(get_int("SELECT generation FROM refdata_version"), g1);
	cr_expect_eq(refdata_apikey(old, key), 0, "still readable after two reloads");
	cr_expect_eq(refdata_generation(old), g0);
	refdata_release(d);
	refdata_release(old); /* released last: held snapshots outlive their replacement */
	refcache_free(c);
}

Test(refcache, an_api_key_made_a_moment_ago_is_found)
{
	struct refcache *c;
	struct refdata *d;
	struct err e = {0};
	cr_assert_eq(refcache_new(&c), 0);
	cr_assert_eq(refcache_get(c, db, &d, &e), 0, "%s", e.msg); /* loaded before the key */
	refdata_release(d);
	char key[APIKEY_LEN];
	int64_t id, found = -1;
	cr_assert_eq(apikey_create(db, "t", 1, key, &id, &e), 0, "%s", e.msg);
	cr_assert_eq(refcache_apikey(c, db, key, &found, &e), 0, "%s", e.msg);
	cr_expect_eq(found, id, "a miss rechecks the database once");
	cr_assert_eq(refcache_apikey(c, db, "wm_wrong", &found, &e), 0, "%s", e.msg);
	cr_expect_eq(found, 0);
	refcache_free(c);
}

/* Readers on their own connections take and release snapshots while another connection
 * keeps changing the reference data: no torn snapshot, no leak (ASan), no deadlock. */
struct reader_arg {
	struct refcache *c;
	int lookups;
	int fails;
};

static void *reader(void *p)
{
	struct reader_arg *a = p;
	struct db *mine;
	struct err e = {0};
	if (db_open(dbfile, &mine, &e) < 0) {
		a->fails++;
		return NULL;
	}
	for (int i = 0; i < 400; i++) {
		struct refdata *d;
		if (refcache_get(a->c, mine, &d, &e) < 0) {
			a->fails++;
			continue;
		}
		if (refdata_category(d, "0101") || refdata_area_at(d, 38.9, 121.64) >= 0)
			a->lookups++;
		if (i % 50 == 0) {
			int changed;
			if (refcache_recheck(a->c, mine, &d, &changed, &e) < 0)
				a->fails++;
		}
		refdata_release(d);
	}
	db_close(mine);
	return NULL;
}

Test(refcache, threads_share_snapshots_while_data_changes)
{
	struct refcache *c;
	cr_assert_eq(refcache_new(&c), 0);
	pthread_t t[4];
	struct reader_arg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (struct reader_arg){.c = c};
		cr_assert_eq(pthread_create(&t[i], NULL, reader, &args[i]), 0);
	}
	for (int i = 0; i < 20; i++) {
		run("UPDATE category SET sort = sort + 1 WHERE id = (SELECT MIN(id) FROM "
		    "category)");
		usleep(2000);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		cr_expect_eq(args[i].fails, 0);
		cr_expect_eq(args[i].lookups, 400);
	}
	refcache_free(c);
}
