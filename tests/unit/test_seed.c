/* seed_load against the shipped data in a fresh migrated SQLite database: counts, idempotency,
 * errors with file:line, all-or-nothing, and the geometry rules of demo/areas.geojson. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/seed.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

static struct db *db;
static char tmpdir[64];

static void setup(void)
{
	struct err e = {0};
	cr_assert_eq(db_open(":memory:", &db, &e), 0, "%s", e.msg);
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	tmpdir[0] = '\0';
}

static void teardown(void)
{
	db_close(db);
	if (tmpdir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		cr_assert_eq(system(cmd), 0);
	}
}

TestSuite(seed, .init = setup, .fini = teardown);

static int64_t count(const char *sql)
{
	int64_t n = -1;
	struct err e = {0};
	cr_assert_eq(db_get_int(db, sql, NULL, 0, &n, &e), 0, "%s: %s", sql, e.msg);
	return n;
}

static int64_t get_int(const char *sql, const char *arg)
{
	int64_t n = -1;
	struct err e = {0};
	cr_assert_eq(db_get_int(db, sql, DB_ARGS(db_text(arg)), &n, &e), 0, "%s: %s", sql, e.msg);
	return n;
}

/* Every row of the reference tables as text, to compare the database before and after. */
static char *dump(void)
{
	static const char *const sql[] = {
	    "SELECT * FROM unit ORDER BY id",
	    "SELECT * FROM area ORDER BY id",
	    "SELECT * FROM category ORDER BY id",
	    "SELECT * FROM category_attribute ORDER BY id",
	    "SELECT * FROM category_attribute_value ORDER BY attribute_id, key",
	};
	struct buf b = BUF_INIT;
	struct err e = {0};
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		struct db_stmt *st;
		cr_assert_eq(db_query(db, sql[i], NULL, 0, &st, &e), 0, "%s", e.msg);
		while (db_step(st, &e) == DB_ROW) {
			for (int c = 0; c < db_col_count(st); c++)
				buf_printf(&b, "%s|",
				           db_col_is_null(st, c) ? "NULL" : db_col_text(st, c));
			buf_addc(&b, '\n');
		}
		db_done(st);
	}
	return buf_detach(&b, NULL);
}

static void warn_count(void *ctx, const char *msg)
{
	(void)msg;
	(*(int *)ctx)++;
}

static int load(const char *dir, int demo, struct seed_stats *st, struct err *e)
{
	struct seed_opts o = {.data_dir = dir, .demo = demo};
	int warnings = 0;
	o.warn = warn_count;
	o.warn_ctx = &warnings;
	int rc = seed_run(db, &o, st, e);
	if (rc == 0 && st)
		cr_assert_eq(st->warnings, warnings);
	return rc;
}

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	cr_assert(in && out, "copy %s -> %s", from, to);
	char b[8192];
	size_t n;
	while ((n = fread(b, 1, sizeof b, in)) > 0)
		cr_assert_eq(fwrite(b, 1, n, out), n);
	fclose(in);
	fclose(out);
}

/* A copy of the shipped data in a fresh temporary directory (removed by teardown). */
static void copy_data(void)
{
	static const char *const files[] = {"categories.csv", "category_attributes.csv",
	                                    "demo/units.csv", "demo/areas.geojson"};
	strcpy(tmpdir, "/tmp/wm_seed_XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	char from[512], to[512];
	snprintf(to, sizeof to, "%s/demo", tmpdir);
	cr_assert_eq(mkdir(to, 0700), 0);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(from, sizeof from, "%s/%s", WM_DATA_DIR, files[i]);
		snprintf(to, sizeof to, "%s/%s", tmpdir, files[i]);
		copy_file(from, to);
	}
}

/* In the copy of file, replaces the first `old` on line `line` (1-based) with `new_`. */
static void edit_line(const char *file, int line, const char *old, const char *new_)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, file);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f);
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	char *p = b.data;
	for (int i = 1; i < line; i++) {
		p = strchr(p, '\n');
		cr_assert_not_null(p, "%s has no line %d", file, line);
		p++;
	}
	char *eol = strchr(p, '\n'), *hit = strstr(p, old);
	cr_assert(hit && (!eol || hit < eol), "%s:%d has no \"%s\"", file, line, old);
	f = fopen(path, "wb");
	fwrite(b.data, 1, (size_t)(hit - b.data), f);
	fputs(new_, f);
	fputs(hit + strlen(old), f);
	fclose(f);
	buf_free(&b);
}

Test(seed, loads_the_shipped_data)
{
	struct seed_stats st;
	struct err e = {0};
	cr_assert_eq(load(WM_DATA_DIR, 1, &st, &e), 0, "%s", e.msg);
	cr_assert_eq(st.warnings, 0);
	cr_assert_geq(st.categories, 60);
	cr_assert_eq(count("SELECT COUNT(*) FROM category"), st.categories);
	cr_assert_geq(count("SELECT COUNT(*) FROM category WHERE kind = 'event'"), 30);
	cr_assert_geq(count("SELECT COUNT(*) FROM category WHERE kind = 'part'"), 30);
	cr_assert_eq(count("SELECT COUNT(*) FROM category WHERE default_unit_id IS NULL"), 0);
	cr_assert_eq(count("SELECT COUNT(DISTINCT datatype) FROM category_attribute"), 6);
	cr_assert_geq(count("SELECT COUNT(*) FROM category_attribute WHERE required = 1"), 5);
	cr_assert_eq(count("SELECT COUNT(*) FROM category_attribute"), st.attributes);
	cr_assert_eq(count("SELECT COUNT(*) FROM category_attribute_value"), st.values);
	cr_assert_eq(count("SELECT COUNT(*) FROM unit"), st.units);
	cr_assert_eq(count("SELECT COUNT(*) FROM unit WHERE kind IN"
	                   " ('district', 'county', 'county_city')"),
	             10);
	cr_assert_eq(count("SELECT COUNT(*) FROM unit WHERE parent_id IS NULL"), 1, "one root");
	cr_assert_eq(count("SELECT COUNT(*) FROM area"), st.areas);
	cr_assert_eq(count("SELECT COUNT(*) FROM area WHERE kind = 'district'"), 10);
	cr_assert_geq(count("SELECT COUNT(*) FROM area WHERE kind = 'street'"), 4);
	cr_assert_geq(count("SELECT COUNT(*) FROM area WHERE kind = 'grid'"), 4);
	cr_assert_eq(count("SELECT COUNT(*) FROM area WHERE unit_id IS NULL"), 0);

	/* a few facts that routing depends on */
	cr_assert_eq(get_int("SELECT urgent FROM category WHERE service_code = ?", "P0101"), 1);
	cr_assert_eq(get_int("SELECT u.id FROM category c JOIN unit u ON u.id = c.default_unit_id"
	                     " WHERE c.service_code = ?",
	                     "P0107"),
	             get_int("SELECT id FROM unit WHERE code = ?", "U-RQ"));
	cr_assert_eq(
	    get_int("SELECT c.default_unit_id FROM category c WHERE service_code = ?", "E0405"),
	    get_int("SELECT id FROM unit WHERE code = ?", "D-JJZD"));
	cr_assert_eq(get_int("SELECT handle_minutes FROM category WHERE service_code = ?", "E0102"),
	             240);
	cr_assert_eq(get_int("SELECT p.id FROM unit u JOIN unit p ON p.id = u.parent_id"
	                     " WHERE u.code = ?",
	                     "D-JJZD"),
	             get_int("SELECT id FROM unit WHERE code = ?", "D-GAJ"));
	cr_assert_eq(get_int("SELECT COUNT(*) FROM category_attribute_value v JOIN"
	                     " category_attribute a ON a.id = v.attribute_id JOIN category c ON"
	                     " c.id = a.category_id WHERE c.service_code = ? AND a.code ="
	                     " 'cover_issue'",
	                     "P0101"),
	             5);
	cr_assert_eq(get_int("SELECT p.id FROM area a JOIN area p ON p.id = a.parent_id"
	                     " WHERE a.code = ?",
	                     "210202001001001"),
	             get_int("SELECT id FROM area WHERE code = ?", "210202001"));
	cr_assert_eq(get_int("SELECT COUNT(*) FROM area WHERE code = ? AND min_lat < 38.914"
	                     " AND max_lat > 38.914 AND max_lon > 121.615",
	                     "210202"),
	             1);
}

Test(seed, idempotent_and_restores_edits)
{
	struct seed_stats a, b;
	struct err e = {0};
	cr_assert_eq(load(WM_DATA_DIR, 1, &a, &e), 0, "%s", e.msg);
	char *before = dump();
	int64_t id = get_int("SELECT id FROM category WHERE service_code = ?", "E0102");
	cr_assert_eq(count("UPDATE category SET name = 'edited', active = 0"
	                   " WHERE service_code = 'E0102' RETURNING id"),
	             id);
	cr_assert_eq(load(WM_DATA_DIR, 1, &b, &e), 0, "second load: %s", e.msg);
	cr_assert_eq(memcmp(&a, &b, sizeof a), 0, "same counts twice");
	char *after = dump();
	cr_assert_str_eq(after, before, "the second load changes nothing but the edit");
	free(before);
	free(after);
}

Test(seed, broken_csv_names_file_and_line_and_changes_nothing)
{
	struct err e = {0};
	cr_assert_eq(load(WM_DATA_DIR, 1, NULL, &e), 0, "%s", e.msg);
	char *before = dump();
	copy_data();
	edit_line("categories.csv", 17, ",D-CGJ,", ",D-XXX,");
	edit_line("demo/units.csv", 3, "（市文明办）", "（改名）"); /* applied, then undone */
	cr_assert_eq(load(tmpdir, 1, NULL, &e), ERR_UNPROCESSABLE);
	char want[256];
	snprintf(want, sizeof want,
	         "%s/categories.csv:17: default_unit \"D-XXX\" is not a known unit", tmpdir);
	cr_assert_str_eq(e.msg, want);
	char *after = dump();
	cr_assert_str_eq(after, before);
	free(before);
	free(after);
}

Test(seed, failure_on_a_fresh_database_leaves_it_empty)
{
	struct err e = {0};
	copy_data();
	edit_line("category_attributes.csv", 5, "singlevaluelist", "singlelist");
	cr_assert_eq(load(tmpdir, 1, NULL, &e), ERR_BAD_REQUEST);
	cr_assert(strstr(e.msg, "/category_attributes.csv:5: datatype \"singlelist\""), "%s",
	          e.msg);
	cr_assert_eq(count("SELECT COUNT(*) FROM unit"), 0, "units were rolled back");
	cr_assert_eq(count("SELECT COUNT(*) FROM area"), 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM category"), 0);
}

/* Runs the copy with one edit and expects an error message containing `want`. */
static void expect_error(const char *file, int line, const char *old, const char *new_,
                         const char *want)
{
	struct err e = {0};
	copy_data();
	edit_line(file, line, old, new_);
	cr_assert_lt(load(tmpdir, 1, NULL, &e), 0, "%s:%d should fail", file, line);
	cr_assert(strstr(e.msg, want), "got \"%s\", want \"%s\"", e.msg, want);
	cr_assert(strstr(e.msg, tmpdir), "names the file: %s", e.msg);
	cr_assert_eq(count("SELECT COUNT(*) FROM unit"), 0);
}

Test(seed, error_ragged_row)
{
	expect_error("categories.csv", 3, ",60,0", ",60",
	             "categories.csv:3: 12 fields, the header has 13");
}

Test(seed, error_unknown_parent)
{
	expect_error("demo/units.csv", 4, ",C-WMW,", ",C-NOPE,",
	             "units.csv:4: parent_code \"C-NOPE\" is not a known unit");
}

Test(seed, error_parent_cycle)
{
	expect_error("demo/units.csv", 2, "committee,,", "committee,D-XCB,", "is its own ancestor");
}

Test(seed, error_duplicate_unit)
{
	expect_error("demo/units.csv", 3, "O-WMB,", "D-XCB,",
	             "units.csv:4: unit code \"D-XCB\" appears twice");
}

Test(seed, error_bad_kind)
{
	expect_error("demo/units.csv", 5, ",department,", ",dept,", "units.csv:5: kind \"dept\"");
}

Test(seed, error_unknown_service)
{
	expect_error("category_attributes.csv", 2, "P0101,", "P9999,",
	             "category_attributes.csv:2: service_code \"P9999\" is not a known category");
}

Test(seed, error_list_without_values)
{
	expect_error("category_attributes.csv", 2,
	             ",missing=缺失|broken=破损|displaced=移位|sunken=下沉或凸起|noisy=异响", ",",
	             "category_attributes.csv:2: a singlevaluelist needs values");
}

Test(seed, error_duplicate_value_key)
{
	expect_error("category_attributes.csv", 2,
	             "broken=", "missing=", "value key \"missing\" appears twice");
}

Test(seed, error_bad_service_code)
{
	expect_error("categories.csv", 2, "E0101", "P0101",
	             "categories.csv:2: service_code \"P0101\" should be \"E0101\"");
}

Test(seed, error_minutes)
{
	expect_error("categories.csv", 3, ",240,", ",-5,",
	             "categories.csv:3: handle_minutes \"-5\"");
}

Test(seed, error_group_name)
{
	expect_error("categories.csv", 3, ",市容环境,", ",市容,",
	             "categories.csv:3: group_name \"市容\" differs");
}

Test(seed, error_unclosed_ring)
{
	expect_error("demo/areas.geojson", 4, "[121.615, 38.88]]]", "[121.615, 38.881]]]",
	             "areas.geojson: feature 1 (210202): a linear ring must end where it starts");
}

Test(seed, error_latitude_range)
{
	expect_error("demo/areas.geojson", 4, "[121.65, 38.86]", "[38.86, 121.65]",
	             "feature 1 (210202): position [38.86, 121.65] is out of range");
}

Test(seed, error_geometry_type)
{
	expect_error("demo/areas.geojson", 4, "\"Polygon\"", "\"LineString\"",
	             "geometry type \"LineString\" is not Polygon or MultiPolygon");
}

Test(seed, error_json_syntax)
{
	expect_error("demo/areas.geojson", 4, "}}", "}", "areas.geojson:");
}

Test(seed, error_grid_outside_parent)
{
	expect_error("demo/areas.geojson", 20, "\"parent_code\": \"210202001\"",
	             "\"parent_code\": \"210203001\"", "reaches outside its parent 210203001");
}

Test(seed, without_demo_categories_get_no_unit_and_a_warning)
{
	struct seed_stats st;
	struct err e = {0};
	cr_assert_eq(load(WM_DATA_DIR, 0, &st, &e), 0, "%s", e.msg);
	cr_assert_gt(st.warnings, 0, "one warning per missing unit code");
	cr_assert_eq(st.units, 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM unit"), 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM area"), 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM category WHERE default_unit_id IS NOT NULL"), 0);
	/* the demo later fills them in, and a plain reload keeps them */
	cr_assert_eq(load(WM_DATA_DIR, 1, &st, &e), 0, "%s", e.msg);
	cr_assert_eq(count("SELECT COUNT(*) FROM category WHERE default_unit_id IS NULL"), 0);
	cr_assert_eq(load(WM_DATA_DIR, 0, &st, &e), 0, "%s", e.msg);
	cr_assert_eq(st.warnings, 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM category WHERE default_unit_id IS NULL"), 0);
}

Test(seed, attribute_dropped_from_the_file_is_removed)
{
	struct seed_stats st;
	struct err e = {0};
	cr_assert_eq(load(WM_DATA_DIR, 1, &st, &e), 0, "%s", e.msg);
	int64_t before = count("SELECT COUNT(*) FROM category_attribute");
	copy_data();
	edit_line("category_attributes.csv", 3, "P0101,in_roadway", "P0101,in_roadway_x");
	cr_assert_eq(load(tmpdir, 1, &st, &e), 0, "%s", e.msg);
	cr_assert_eq(st.attributes_removed, 1);
	cr_assert_eq(count("SELECT COUNT(*) FROM category_attribute"), before);
	cr_assert_eq(count("SELECT COUNT(*) FROM category_attribute WHERE code = 'in_roadway'"), 6);
	cr_assert_eq(count("SELECT COUNT(*) FROM category_attribute WHERE code = 'in_roadway_x'"),
	             1);
}

Test(seed, inside_a_callers_transaction_uses_a_savepoint)
{
	struct err e = {0};
	copy_data();
	edit_line("categories.csv", 17, ",D-CGJ,", ",D-XXX,");
	cr_assert_eq(db_begin_write(db, &e), 0, "%s", e.msg);
	cr_assert_eq(db_run(db, "INSERT INTO unit (code, name, kind) VALUES ('X', 'x', 'school')",
	                    NULL, 0, &e),
	             0, "%s", e.msg);
	struct seed_opts o = {.data_dir = tmpdir, .demo = 1, .in_transaction = 1};
	cr_assert_lt(seed_run(db, &o, NULL, &e), 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM unit"), 1, "the caller's row survives");
	o.data_dir = WM_DATA_DIR;
	cr_assert_eq(seed_run(db, &o, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);
	cr_assert_gt(count("SELECT COUNT(*) FROM unit"), 10);
}

/* Signed area of a ring (lon, lat): positive when counter-clockwise. */
static double ring_area(json_t *ring)
{
	double s = 0;
	size_t n = json_array_size(ring);
	for (size_t i = 0; i + 1 < n; i++) {
		json_t *p = json_array_get(ring, i), *q = json_array_get(ring, i + 1);
		s += json_number_value(json_array_get(p, 0)) *
		         json_number_value(json_array_get(q, 1)) -
		     json_number_value(json_array_get(q, 0)) *
		         json_number_value(json_array_get(p, 1));
	}
	return s / 2;
}

static int ring_contains(json_t *ring, double x, double y)
{
	int in = 0;
	size_t n = json_array_size(ring);
	for (size_t i = 0, j = n - 1; i < n; j = i++) {
		double xi = json_number_value(json_array_get(json_array_get(ring, i), 0));
		double yi = json_number_value(json_array_get(json_array_get(ring, i), 1));
		double xj = json_number_value(json_array_get(json_array_get(ring, j), 0));
		double yj = json_number_value(json_array_get(json_array_get(ring, j), 1));
		if ((yi > y) != (yj > y) && x < xi + (y - yi) * (xj - xi) / (yj - yi))
			in = !in;
	}
	return in;
}

/* The outer rings of a feature's geometry, as an array of rings (a new reference). */
static json_t *outer_rings(json_t *geom)
{
	json_t *out = json_array(), *c = json_object_get(geom, "coordinates");
	if (strcmp(json_string_value(json_object_get(geom, "type")), "Polygon") == 0) {
		json_array_append(out, json_array_get(c, 0));
	} else {
		size_t i;
		json_t *poly;
		json_array_foreach(c, i, poly) json_array_append(out, json_array_get(poly, 0));
	}
	return out;
}

Test(seed, demo_areas_are_counter_clockwise_and_districts_do_not_overlap)
{
	json_error_t je;
	json_t *root = json_load_file(WM_DATA_DIR "/demo/areas.geojson", 0, &je);
	cr_assert_not_null(root, "%s", je.text);
	json_t *rings[32];
	size_t nd = 0, i;
	json_t *f;
	json_array_foreach(json_object_get(root, "features"), i, f)
	{
		json_t *outer = outer_rings(json_object_get(f, "geometry"));
		size_t k;
		json_t *r;
		json_array_foreach(outer, k, r)
		{
			cr_assert_gt(ring_area(r), 0, "feature %zu: outer ring is clockwise",
			             i + 1);
			size_t nv = json_array_size(r) - 1;
			cr_assert(nv >= 4 && nv <= 12, "feature %zu: %zu vertices", i + 1, nv);
		}
		const char *kind =
		    json_string_value(json_object_get(json_object_get(f, "properties"), "kind"));
		if (strcmp(kind, "district") == 0 && nd < 32)
			rings[nd++] = outer;
		else
			json_decref(outer);
	}
	cr_assert_eq(nd, 10);
	/* sample points over the peninsula: none lies inside two districts */
	for (int x = 0; x < 300; x++)
		for (int y = 0; y < 300; y++) {
			double lon = 121.0 + 2.6 * (x + 0.37) / 300,
			       lat = 38.6 + 1.7 * (y + 0.61) / 300;
			int hits = 0;
			for (size_t d = 0; d < nd; d++) {
				size_t k;
				json_t *r;
				json_array_foreach(rings[d], k, r) hits +=
				    ring_contains(r, lon, lat);
			}
			cr_assert_leq(hits, 1, "(%f, %f) lies in %d districts", lon, lat, hits);
		}
	for (size_t d = 0; d < nd; d++)
		json_decref(rings[d]);
	json_decref(root);
}
