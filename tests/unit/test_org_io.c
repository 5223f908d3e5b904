/* Import and export of units (CSV) and areas (GeoJSON), store/org_io.h: valid files, upsert,
 * every validation error with its line, all or nothing (the database byte for byte as
 * before), cycles, the spreadsheet-formula guard, geometry errors, and export -> import into
 * a new database giving the same rows. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/csv.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/org_io.h"
#include "store/seed.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

static struct db *db;
static char tmpdir[64];

static struct db *fresh_db(void)
{
	struct db *d;
	struct err e = {0};
	cr_assert_eq(db_open(":memory:", &d, &e), 0, "%s", e.msg);
	cr_assert_eq(migrate_apply(d, &e), 0, "%s", e.msg);
	return d;
}

static void setup(void)
{
	db = fresh_db();
	strcpy(tmpdir, "/tmp/wm_orgio_XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
	db_close(db);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(org_io, .init = setup, .fini = teardown);

/* Writes text to tmpdir/name; returns the path (static buffer per call site is not needed:
 * each test keeps what it uses). */
static char *put(const char *name, const char *text)
{
	char *path = malloc(512);
	snprintf(path, 512, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int64_t count(struct db *d, const char *sql)
{
	int64_t n = -1;
	struct err e = {0};
	cr_assert_eq(db_get_int(d, sql, NULL, 0, &n, &e), 0, "%s: %s", sql, e.msg);
	return n;
}

static char *text_of(struct db *d, const char *sql, const char *arg)
{
	struct db_stmt *st;
	struct err e = {0};
	cr_assert_eq(db_query(d, sql, DB_ARGS(db_text(arg)), &st, &e), 0, "%s", e.msg);
	cr_assert_eq(db_step(st, &e), DB_ROW, "%s [%s]", sql, arg);
	char *s = strdup(db_col_text(st, 0));
	db_done(st);
	return s;
}

/* Every row of the organisation tables and the reference-data generation, as text. */
static char *dump(struct db *d)
{
	static const char *const sql[] = {
	    "SELECT * FROM unit ORDER BY id",
	    "SELECT * FROM area ORDER BY id",
	    "SELECT * FROM refdata_version",
	};
	struct buf b = BUF_INIT;
	struct err e = {0};
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		struct db_stmt *st;
		cr_assert_eq(db_query(d, sql[i], NULL, 0, &st, &e), 0, "%s", e.msg);
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

static int units(struct db *d, const char *path, struct org_io_report *r, struct err *e)
{
	struct org_io_opts o = {0};
	return org_import_units(d, path, &o, r, e);
}

static int areas(struct db *d, const char *path, struct org_io_report *r, struct err *e)
{
	struct org_io_opts o = {0};
	return org_import_areas(d, path, &o, r, e);
}

/* r holds an error on line with msg in its text. */
static void has_error(const struct org_io_report *r, long line, const char *msg)
{
	for (int i = 0; i < r->nerrors; i++)
		if (r->errors[i].line == line && strstr(r->errors[i].msg, msg))
			return;
	struct buf b = BUF_INIT;
	for (int i = 0; i < r->nerrors; i++)
		buf_printf(&b, "\n  %ld: %s", r->errors[i].line, r->errors[i].msg);
	cr_assert_fail("no error \"%s\" on line %ld; got:%s", msg, line, b.data);
}

static const char SMALL[] =
    "code,name,kind,parent_code,phone,contact,email,address,area_code,sort\n"
    "ROOT,委员会,committee,,0411-1,张三,a@b.cn,中山路1号,,1\n"
    "D-A,部门甲,department,ROOT,,李四,,,,2\n"
    "D-B,部门乙,department,ROOT,,,,,,3\n";

Test(org_io, imports_a_valid_file_in_any_order)
{
	/* children before their parent: the write order puts parents first */
	char *p = put("u.csv", "sort,kind,name,code,parent_code\n"
	                       "5,street,街道,S-1,D-X\n"
	                       "4,department,部门,D-X,R\n"
	                       "3,committee,根,R,\n");
	struct org_io_report r;
	struct err e = {0};
	cr_assert_eq(units(db, p, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.rows, 3);
	cr_assert_eq(r.inserted, 3);
	cr_assert_eq(r.updated, 0);
	cr_assert_eq(count(db, "SELECT COUNT(*) FROM unit u JOIN unit p ON p.id = u.parent_id"
	                       " WHERE u.code = 'S-1' AND p.code = 'D-X'"),
	             1);
	cr_assert_eq(count(db, "SELECT sort FROM unit WHERE code = 'D-X'"), 4);
	free(p);
}

Test(org_io, upsert_keeps_ids_and_columns_the_file_lacks)
{
	char *p = put("u.csv", SMALL);
	struct org_io_report r;
	struct err e = {0};
	cr_assert_eq(units(db, p, &r, &e), 0, "%s", e.msg);
	int64_t id = count(db, "SELECT id FROM unit WHERE code = 'D-A'");
	char *q = put("u2.csv", "code,name,kind,parent_code\n"
	                        "D-A,部门甲（新）,office,ROOT\n"
	                        "D-C,部门丙,department,D-A\n");
	cr_assert_eq(units(db, q, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.inserted, 1);
	cr_assert_eq(r.updated, 1);
	cr_assert_eq(count(db, "SELECT id FROM unit WHERE code = 'D-A'"), id);
	char *name = text_of(db, "SELECT name || kind || contact FROM unit WHERE code = ?", "D-A");
	cr_assert_str_eq(name, "部门甲（新）office李四", "contact kept: not a column of u2.csv");
	cr_assert_eq(count(db, "SELECT sort FROM unit WHERE code = 'D-A'"), 2);
	free(name);
	free(p);
	free(q);
}

Test(org_io, every_error_is_listed_with_its_line_and_nothing_changes)
{
	char *p = put("u.csv", SMALL);
	struct org_io_report r;
	struct err e = {0};
	cr_assert_eq(units(db, p, &r, &e), 0, "%s", e.msg);
	char *before = dump(db);
	char *q = put("bad.csv", "code,name,kind,parent_code,phone,email,sort,area_code\n"
	                         "D-A,改名,department,ROOT,,,,\n"     /* 2: fine, would update */
	                         "D-K,部门,dept,ROOT,,,,\n"           /* 3 */
	                         "D-L,部门,department,NOPE,,,,\n"     /* 4 */
	                         "D-M,部门,department,ROOT,12ab,,,\n" /* 5 */
	                         "D-N,部门,department,ROOT,,not-mail,,\n" /* 6 */
	                         "D-O,部门,department,ROOT,,,x1,\n"       /* 7 */
	                         "D-P,部门,department,ROOT,,,,G-1\n"      /* 8 */
	                         "bad code,部门,department,ROOT,,,,\n"    /* 9 */
	                         "D-Q,,department,ROOT,,,,\n"             /* 10 */
	                         "D-R,\"a\x01b\",department,ROOT,,,,\n"   /* 11 */
	                         "D-S,\"\xff\xfe\",department,ROOT,,,,\n" /* 12 */
	                         "D-B,部门,department,D-B,,,,\n"          /* 13 */
	                         "D-T,部门,department,ROOT,,,,\n"         /* 14 */
	                         "\"D-T\",部门,department,ROOT,,,,\n");   /* 15 */
	int rc = units(db, q, &r, &e);
	cr_assert_eq(rc, ERR_BAD_REQUEST, "%s", e.msg);
	has_error(&r, 3, "kind \"dept\" is not one of");
	has_error(&r, 5, "phone \"12ab\"");
	has_error(&r, 6, "email \"not-mail\"");
	has_error(&r, 7, "sort \"x1\"");
	has_error(&r, 8, "area_code \"G-1\" is not a known area");
	has_error(&r, 9, "code \"bad code\" is not a code");
	has_error(&r, 10, "unit D-Q has no name");
	has_error(&r, 11, "name holds control characters");
	has_error(&r, 12, "name is not valid UTF-8");
	has_error(&r, 13, "unit D-B is its own parent");
	has_error(&r, 15, "unit code \"D-T\" appears twice (first on line 14)");
	cr_assert_eq(r.nerrors, 11, "the unknown parent waits until the rows are clean");
	char want[600];
	snprintf(want, sizeof want, "%s:3: kind \"dept\"", q);
	cr_assert(strncmp(e.msg, want, strlen(want)) == 0, "%s", e.msg);
	cr_assert(strstr(e.msg, "(and 10 more errors)"), "%s", e.msg);
	char *after = dump(db);
	cr_assert_str_eq(after, before, "one bad line: nothing changes");

	/* alone, the unknown parent is reported too */
	char *u = put("parent.csv", "code,name,kind,parent_code\nD-L,部门,department,NOPE\n");
	cr_assert_eq(units(db, u, &r, &e), ERR_BAD_REQUEST);
	has_error(&r, 2, "parent_code \"NOPE\" is not a known unit");
	free(before);
	free(after);
	free(p);
	free(q);
	free(u);
}

Test(org_io, header_errors)
{
	struct org_io_report r;
	struct err e = {0};
	char *p = put("h.csv", "code,name,kind,parnet_code\nA,甲,office,\n");
	cr_assert_eq(units(db, p, &r, &e), ERR_BAD_REQUEST);
	has_error(&r, 1, "unknown column \"parnet_code\"");
	char *q = put("h2.csv", "code,name\nA,甲\n");
	cr_assert_eq(units(db, q, &r, &e), ERR_BAD_REQUEST);
	has_error(&r, 1, "the header has no column \"kind\"");
	char *s = put("h3.csv", "code,name,kind\nA,甲,office\nB,乙\n");
	cr_assert_eq(units(db, s, &r, &e), ERR_BAD_REQUEST);
	cr_assert(strstr(e.msg, "h3.csv:3: 2 fields, the header has 3"), "%s", e.msg);
	cr_assert_eq(count(db, "SELECT COUNT(*) FROM unit"), 0);
	free(p);
	free(q);
	free(s);
}

Test(org_io, many_errors_are_capped)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "code,name,kind\n");
	for (int i = 0; i < 30; i++)
		buf_printf(&b, "U%d,名,nokind\n", i);
	char *p = put("many.csv", b.data);
	struct org_io_report r;
	struct err e = {0};
	cr_assert_eq(units(db, p, &r, &e), ERR_BAD_REQUEST);
	cr_assert_eq(r.nerrors, ORG_IO_MAX_ERRORS);
	cr_assert_eq(r.more, 30 - ORG_IO_MAX_ERRORS);
	cr_assert_eq(r.errors[19].line, 21);
	buf_free(&b);
	free(p);
}

Test(org_io, cycles_in_the_file_and_through_the_database)
{
	struct org_io_report r;
	struct err e = {0};
	char *p = put("c.csv", "code,name,kind,parent_code\n"
	                       "A,甲,office,C\n"
	                       "B,乙,office,A\n"
	                       "C,丙,office,B\n"
	                       "D,丁,office,A\n");
	cr_assert_eq(units(db, p, &r, &e), ERR_BAD_REQUEST);
	has_error(&r, 2, "unit \"A\" is its own ancestor");
	has_error(&r, 3, "unit \"B\" is its own ancestor");
	has_error(&r, 4, "unit \"C\" is its own ancestor");
	cr_assert_eq(r.nerrors, 3, "D hangs below the cycle but is not in it");

	/* the database holds X <- Y; the file makes X a child of Y */
	char *q = put("ok.csv", "code,name,kind,parent_code\nX,甲,office,\nY,乙,office,X\n");
	cr_assert_eq(units(db, q, &r, &e), 0, "%s", e.msg);
	char *before = dump(db);
	char *s = put("loop.csv", "code,name,kind,parent_code\nX,甲,office,Y\n");
	cr_assert_eq(units(db, s, &r, &e), ERR_BAD_REQUEST);
	has_error(&r, 2, "unit \"X\" is its own ancestor");
	char *after = dump(db);
	cr_assert_str_eq(after, before);
	free(before);
	free(after);
	free(p);
	free(q);
	free(s);
}

Test(org_io, dry_run_checks_and_changes_nothing)
{
	char *p = put("u.csv", SMALL);
	struct org_io_opts o = {.dry_run = 1};
	struct org_io_report r;
	struct err e = {0};
	char *before = dump(db);
	cr_assert_eq(org_import_units(db, p, &o, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.inserted, 3);
	char *after = dump(db);
	cr_assert_str_eq(after, before);
	free(before);
	free(after);
	free(p);
}

/* Exports units and areas of d to files in tmpdir, named with tag. */
static void export_to(struct db *d, const char *tag, char **u, char **a)
{
	char name[64];
	struct err e = {0};
	snprintf(name, sizeof name, "%s.csv", tag);
	*u = put(name, "");
	FILE *f = fopen(*u, "wb");
	cr_assert_eq(org_export_units(d, f, NULL, &e), 0, "%s", e.msg);
	fclose(f);
	snprintf(name, sizeof name, "%s.geojson", tag);
	*a = put(name, "");
	f = fopen(*a, "wb");
	cr_assert_eq(org_export_areas(d, f, NULL, &e), 0, "%s", e.msg);
	fclose(f);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f);
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b, NULL);
}

/* The organisation without ids: what a round trip must keep. */
static char *dump_by_code(struct db *d)
{
	static const char *const sql[] = {
	    "SELECT u.code, u.name, u.kind, p.code, u.phone, u.contact, u.email, u.address,"
	    " a.code, u.sort, u.active FROM unit u LEFT JOIN unit p ON p.id = u.parent_id"
	    " LEFT JOIN area a ON a.id = u.area_id ORDER BY u.code",
	    "SELECT a.code, a.name, a.kind, p.code, u.code, a.geojson, a.min_lat, a.min_lon,"
	    " a.max_lat, a.max_lon FROM area a LEFT JOIN area p ON p.id = a.parent_id"
	    " LEFT JOIN unit u ON u.id = a.unit_id ORDER BY a.code",
	};
	struct buf b = BUF_INIT;
	struct err e = {0};
	for (size_t i = 0; i < 2; i++) {
		struct db_stmt *st;
		cr_assert_eq(db_query(d, sql[i], NULL, 0, &st, &e), 0, "%s", e.msg);
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

Test(org_io, demo_export_import_round_trip_with_area_codes)
{
	struct err e = {0};
	cr_assert_eq(seed_load(db, WM_DATA_DIR, 1, &e), 0, "%s", e.msg);
	/* give two units an area and awkward text, then round trip everything */
	char *p = put("extra.csv", "code,area_code,name,kind,parent_code,address\n"
	                           "210202001001,210202001001001,站北社区,community,210202001,"
	                           "\"第一行\n第二行, \"\"引号\"\"\"\n"
	                           "210202,210202,=中山区,district,C-WMW,-负号\n");
	struct org_io_report r;
	cr_assert_eq(units(db, p, &r, &e), 0, "%s", e.msg);
	char *u, *a;
	export_to(db, "one", &u, &a);
	char *csv = slurp(u);
	cr_assert(strstr(csv, "210202,'=中山区,district"), "formula guard:\n%s", csv);
	cr_assert(strstr(csv, ",'-负号,"), "%s", csv);
	/* parents before children */
	cr_assert_lt(strstr(csv, "\nC-WMW,"), strstr(csv, "\n210202,"));
	cr_assert_lt(strstr(csv, "\n210202001,"), strstr(csv, "\n210202001001,"));

	struct db *d2 = fresh_db();
	struct org_io_opts first = {.ignore_area_codes = 1}, plain = {0};
	cr_assert_eq(org_import_units(d2, u, &first, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(areas(d2, a, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(org_import_units(d2, u, &plain, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.updated, r.rows);
	char *x = dump_by_code(db), *y = dump_by_code(d2);
	cr_assert_str_eq(y, x, "the same rows in the new database");
	char *u2, *a2;
	export_to(d2, "two", &u2, &a2);
	char *csv2 = slurp(u2), *geo = slurp(a), *geo2 = slurp(a2);
	cr_assert_str_eq(csv2, csv, "the same export text");
	cr_assert_str_eq(geo2, geo);
	db_close(d2);
	free(x), free(y), free(csv), free(csv2), free(geo), free(geo2);
	free(p), free(u), free(a), free(u2), free(a2);
}

Test(org_io, formula_guard_is_exactly_reversible)
{
	static const char *const cells[] = {"=1+2", "+86 411", "-5",     "@SUM(A1)", "\tx", "\rx",
	                                    "'=x",  "''=x",    "'plain", "plain",    "",    "'",
	                                    "a,b",  "=\"q\"",  "'-",     NULL};
	for (const char *const *c = cells; *c; c++) {
		struct buf b = BUF_INIT;
		buf_adds(&b, "h\n");
		org_csv_cell(&b, *c);
		buf_adds(&b, "\n");
		struct csv *csv;
		struct err e = {0};
		cr_assert_eq(csv_open_mem("t", b.data, b.len, &csv, &e), 0, "%s", e.msg);
		cr_assert_eq(csv_read_header(csv, &e), 0);
		int rc = csv_next(csv, &e);
		if (!**c) {
			cr_assert_eq(rc, 0, "an empty one-column line is skipped");
		} else {
			cr_assert_eq(rc, 1, "[%s] %s", *c, e.msg);
			const char *raw = csv_field(csv, 0);
			int guarded = strchr("=+-@\t\r", **c) ||
			              (**c == '\'' && (*c)[1] && strchr("'=+-@", (*c)[1]));
			cr_assert_eq(raw[0] == '\'' && strcmp(raw, *c) != 0, guarded,
			             "[%s] -> [%s]", *c, raw);
			cr_assert_str_eq(org_csv_unguard(raw), *c);
		}
		csv_free(csv);
		buf_free(&b);
	}
}

static const char AREA_HEAD[] = "{\"type\": \"FeatureCollection\", \"features\": [\n";
#define SQUARE(x0, y0, x1, y1)                                                                     \
	"{\"type\":\"Polygon\",\"coordinates\":[[[" #x0 "," #y0 "],[" #x1 "," #y0 "],[" #x1        \
	"," #y1 "],[" #x0 "," #y1 "],[" #x0 "," #y0 "]]]}"

Test(org_io, areas_import_and_geometry_errors_name_feature_and_line)
{
	struct err e = {0};
	struct org_io_report r;
	char *u = put("u.csv", "code,name,kind\nU1,单位,office\n");
	cr_assert_eq(units(db, u, &r, &e), 0, "%s", e.msg);
	struct buf b = BUF_INIT;
	buf_adds(&b, AREA_HEAD);
	buf_adds(&b, "{\"type\":\"Feature\",\"properties\":{\"code\":\"D1\",\"name\":\"区\","
	             "\"kind\":\"district\",\"parent_code\":null,\"unit_code\":\"U1\"},"
	             "\"geometry\":" SQUARE(121, 38, 122, 39) "}\n]}\n");
	char *ok = put("ok.geojson", b.data);
	cr_assert_eq(areas(db, ok, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.inserted, 1);
	cr_assert_eq(count(db, "SELECT COUNT(*) FROM area WHERE code = 'D1' AND min_lat = 38"
	                       " AND max_lon = 122"),
	             1);
	char *before = dump(db);

	buf_reset(&b);
	buf_adds(&b, AREA_HEAD);
	/* feature 1, line 2: fine (an update) */
	buf_adds(&b, "{\"type\":\"Feature\",\"properties\":{\"code\":\"D1\",\"name\":\"改\","
	             "\"kind\":\"district\"},\"geometry\":" SQUARE(121, 38, 122, 39) "},\n");
	/* feature 2, lines 3-6: a ring that does not close, spread over lines */
	buf_adds(&b, "{\"type\":\"Feature\",\n\"properties\":{\"code\":\"S1\",\"name\":\"街\","
	             "\"kind\":\"street\",\"parent_code\":\"D1\"},\n\"geometry\":{\"type\":"
	             "\"Polygon\",\"coordinates\":[[[121,38],[121.5,38],[121.5,38.5],"
	             "[121,38.4]]]}\n},\n");
	/* feature 3, line 7: latitude out of range */
	buf_adds(&b, "{\"type\":\"Feature\",\"properties\":{\"code\":\"S2\",\"name\":\"街\","
	             "\"kind\":\"street\",\"parent_code\":\"D1\"},\"geometry\":" SQUARE(
	                 38, 121, 39, 122) "},\n");
	/* feature 4, line 8: LineString */
	buf_adds(&b, "{\"type\":\"Feature\",\"properties\":{\"code\":\"S3\",\"name\":\"街\","
	             "\"kind\":\"street\",\"parent_code\":\"D1\"},\"geometry\":{\"type\":"
	             "\"LineString\",\"coordinates\":[[121,38],[122,39]]}},\n");
	/* feature 5, line 9: a grid code of 14 digits */
	buf_adds(&b,
	         "{\"type\":\"Feature\",\"properties\":{\"code\":\"21020200100100\","
	         "\"name\":\"网格\",\"kind\":\"grid\",\"parent_code\":\"D1\"},\"geometry\":" SQUARE(
	             121, 38, 121.1, 38.1) "},\n");
	/* feature 6, line 10: unknown unit */
	buf_adds(&b, "{\"type\":\"Feature\",\"properties\":{\"code\":\"S4\",\"name\":\"街\","
	             "\"kind\":\"street\",\"parent_code\":\"D1\",\"unit_code\":\"U9\"},"
	             "\"geometry\":" SQUARE(121, 38, 121.1, 38.1) "},\n");
	/* feature 7, line 11: an unknown property */
	buf_adds(&b, "{\"type\":\"Feature\",\"properties\":{\"code\":\"S5\",\"name\":\"街\","
	             "\"kind\":\"street\",\"parent_code\":\"D1\",\"colour\":\"red\"},"
	             "\"geometry\":" SQUARE(121, 38, 121.1, 38.1) "}\n]}\n");
	char *bad = put("bad.geojson", b.data);
	cr_assert_eq(areas(db, bad, &r, &e), ERR_BAD_REQUEST);
	has_error(&r, 3, "a linear ring must end where it starts");
	has_error(&r, 7, "position [38, 121] is out of range");
	has_error(&r, 8, "geometry type \"LineString\"");
	has_error(&r, 9, "a grid code has 15 digits");
	has_error(&r, 10, "unit_code \"U9\" is not a known unit");
	has_error(&r, 11, "unknown property \"colour\"");
	cr_assert_eq(r.nerrors, 6);
	char want[600];
	snprintf(want, sizeof want, "%s:3: feature 2 (S1): a linear ring", bad);
	cr_assert(strncmp(e.msg, want, strlen(want)) == 0, "%s", e.msg);
	char *after = dump(db);
	cr_assert_str_eq(after, before);

	/* a child outside its parent, and an unknown parent */
	buf_reset(&b);
	buf_adds(&b, AREA_HEAD);
	buf_adds(&b, "{\"type\":\"Feature\",\"properties\":{\"code\":\"S6\",\"name\":\"街\","
	             "\"kind\":\"street\",\"parent_code\":\"D1\"},\"geometry\":" SQUARE(
	                 121.5, 38.5, 122.5, 38.6) "},\n");
	buf_adds(&b, "{\"type\":\"Feature\",\"properties\":{\"code\":\"S7\",\"name\":\"街\","
	             "\"kind\":\"street\",\"parent_code\":\"D9\"},\"geometry\":" SQUARE(
	                 121.5, 38.5, 121.6, 38.6) "}\n]}\n");
	char *out = put("out.geojson", b.data);
	cr_assert_eq(areas(db, out, &r, &e), ERR_BAD_REQUEST);
	has_error(&r, 3, "parent_code \"D9\" is not a known area");
	buf_reset(&b);
	buf_adds(&b, AREA_HEAD);
	buf_adds(&b, "{\"type\":\"Feature\",\"properties\":{\"code\":\"S6\",\"name\":\"街\","
	             "\"kind\":\"street\",\"parent_code\":\"D1\"},\"geometry\":" SQUARE(
	                 121.5, 38.5, 122.5, 38.6) "}\n]}\n");
	char *out2 = put("out2.geojson", b.data);
	cr_assert_eq(areas(db, out2, &r, &e), ERR_BAD_REQUEST);
	has_error(&r, 2, "the shape reaches outside its parent D1");

	/* JSON syntax: jansson's line and column */
	char *syn = put("syn.geojson", "{\"type\": \"FeatureCollection\",\n\"features\": [}\n");
	cr_assert_eq(areas(db, syn, &r, &e), ERR_BAD_REQUEST);
	cr_assert(strstr(e.msg, "syn.geojson:2:"), "%s", e.msg);
	char *after2 = dump(db);
	cr_assert_str_eq(after2, before);
	buf_free(&b);
	free(before), free(after), free(after2);
	free(u), free(ok), free(bad), free(out), free(out2), free(syn);
}
