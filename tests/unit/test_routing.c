/* Routing precedence (core/routing.c): each step of the order (exact category > group > any;
 * grid > street > district > any area; priority; lower id), inactive rules, fallback to the
 * default unit; and the store (store/routing_store.c): the demo rules, suggest walking the
 * area chain, CSV import errors as FILE:LINE with nothing imported, export -> import. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/routing.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/routing_store.h"
#include "store/seed.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

/* The case: E0102 (group E01) in grid 3 < street 2 < district 1, default unit 99. */
static const int64_t CHAIN[] = {3, 2, 1};
static const struct routing_case CASE = {.service_code = "E0102",
                                         .group_code = "E01",
                                         .areas = CHAIN,
                                         .nareas = 3,
                                         .default_unit_id = 99};

#define RULE(id_, cat, grp, area, unit, prio)                                                      \
	{                                                                                          \
		.id = id_, .category_code = cat, .group_code = grp, .area_id = area,               \
		.unit_id = unit, .priority = prio, .active = 1                                     \
	}

static int64_t pick(const struct routing_rule *rules, size_t n, int64_t *rule_id)
{
	struct routing_result res;
	routing_pick(rules, n, &CASE, &res);
	*rule_id = res.rule ? res.rule->id : 0;
	return res.unit_id;
}

Test(routing_pick, exact_category_beats_group_beats_any)
{
	/* The less specific categories have the more specific areas and higher priority. */
	struct routing_rule r[] = {RULE(1, NULL, NULL, 3, 10, 9), RULE(2, NULL, "E01", 3, 20, 9),
	                           RULE(3, "E0102", NULL, 0, 30, 0)};
	int64_t id;
	cr_assert_eq(pick(r, 3, &id), 30);
	cr_assert_eq(id, 3);
	cr_assert_eq(pick(r, 2, &id), 20, "group beats any");
	cr_assert_eq(pick(r, 1, &id), 10, "any category matches");
}

Test(routing_pick, other_categories_and_groups_do_not_match)
{
	struct routing_rule r[] = {RULE(1, "E0103", NULL, 0, 10, 0), RULE(2, NULL, "P01", 0, 20, 0),
	                           RULE(3, NULL, "E02", 3, 30, 0)};
	int64_t id;
	cr_assert_eq(pick(r, 3, &id), 99, "default unit");
	cr_assert_eq(id, 0);
}

Test(routing_pick, grid_beats_street_beats_district_beats_any)
{
	struct routing_rule r[] = {RULE(1, NULL, "E01", 0, 10, 5), RULE(2, NULL, "E01", 1, 20, 4),
	                           RULE(3, NULL, "E01", 2, 30, 3), RULE(4, NULL, "E01", 3, 40, 2)};
	int64_t id;
	cr_assert_eq(pick(r, 4, &id), 40);
	cr_assert_eq(pick(r, 3, &id), 30);
	cr_assert_eq(pick(r, 2, &id), 20);
	cr_assert_eq(pick(r, 1, &id), 10);
	/* Reversed order gives the same answers: the result does not depend on order. */
	struct routing_rule rev[] = {r[3], r[2], r[1], r[0]};
	cr_assert_eq(pick(rev, 4, &id), 40);
	cr_assert_eq(id, 4);
}

Test(routing_pick, areas_outside_the_chain_do_not_match)
{
	struct routing_rule r[] = {RULE(1, "E0102", NULL, 7, 10, 100)};
	int64_t id;
	cr_assert_eq(pick(r, 1, &id), 99);
	struct routing_case none = CASE;
	none.areas = NULL;
	none.nareas = 0;
	struct routing_rule any[] = {RULE(2, "E0102", NULL, 0, 20, 0),
	                             RULE(3, NULL, NULL, 1, 30, 0)};
	struct routing_result res;
	routing_pick(any, 2, &none, &res);
	cr_assert_eq(res.unit_id, 20, "a point in no area: only rules for any area");
}

Test(routing_pick, priority_then_lower_id_break_ties)
{
	struct routing_rule r[] = {RULE(5, NULL, "E01", 2, 10, 1), RULE(4, NULL, "E01", 2, 20, 3),
	                           RULE(6, NULL, "E01", 2, 30, 3)};
	int64_t id;
	cr_assert_eq(pick(r, 3, &id), 20, "higher priority, then the lower id");
	cr_assert_eq(id, 4);
	struct routing_rule same[] = {RULE(9, NULL, NULL, 0, 10, 0), RULE(8, NULL, NULL, 0, 20, 0)};
	cr_assert_eq(pick(same, 2, &id), 20);
	cr_assert_eq(id, 8);
}

Test(routing_pick, inactive_rules_are_ignored)
{
	struct routing_rule r[] = {RULE(1, "E0102", NULL, 3, 10, 0), RULE(2, NULL, NULL, 0, 20, 0)};
	r[0].active = 0;
	int64_t id;
	cr_assert_eq(pick(r, 2, &id), 20);
	r[1].active = 0;
	cr_assert_eq(pick(r, 2, &id), 99, "all inactive: the default unit");
	cr_assert_eq(id, 0);
}

Test(routing_pick, no_rule_and_no_default_unit)
{
	struct routing_case c = CASE;
	c.default_unit_id = 0;
	struct routing_result res;
	routing_pick(NULL, 0, &c, &res);
	cr_assert_eq(res.unit_id, 0);
	cr_assert_null(res.rule);
}

Test(routing_pick, group_codes_carry_the_kind)
{
	char g[8];
	routing_group_code("event", "01", g, sizeof g);
	cr_assert_str_eq(g, "E01");
	routing_group_code("part", "03", g, sizeof g);
	cr_assert_str_eq(g, "P03");
	routing_group_code("other", "03", g, sizeof g);
	cr_assert_str_eq(g, "");
}

/* ---- the store, on the demo city ---- */

static struct db *db;
static char tmpdir[64];

static void setup(void)
{
	struct err e = {0};
	cr_assert_eq(db_open(":memory:", &db, &e), 0, "%s", e.msg);
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	cr_assert_eq(seed_load(db, WM_DATA_DIR, 1, &e), 0, "%s", e.msg);
	/* init --demo loads the demo rules; these tests load them themselves. */
	cr_assert_eq(db_run(db, "DELETE FROM routing_rule", NULL, 0, &e), 0, "%s", e.msg);
	strcpy(tmpdir, "/tmp/wm_routing_XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
	db_close(db);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

static char *put(const char *name, const char *text)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int64_t id_of(const char *sql, const char *code)
{
	int64_t id = 0;
	struct err e = {0};
	cr_assert_eq(db_get_int(db, sql, DB_ARGS(db_text(code)), &id, &e), 0, "%s: %s", code,
	             e.msg);
	return id;
}
#define CAT(c) id_of("SELECT id FROM category WHERE service_code = ?", c)
#define AREA(c) id_of("SELECT id FROM area WHERE code = ?", c)
#define UNIT(c) id_of("SELECT id FROM unit WHERE code = ?", c)

static void import_demo(void)
{
	struct org_io_opts o = {0};
	struct org_io_report r;
	struct err e = {0};
	int off = -1;
	cr_assert_eq(routing_import(db, WM_DATA_DIR "/demo/routing.csv", &o, &r, &off, &e), 0, "%s",
	             e.msg);
	cr_assert_eq(r.inserted, r.rows);
	cr_assert_eq(off, 0);
}

static void expect(const char *service, const char *area, const char *unit, int by_rule)
{
	struct routing_suggestion s;
	struct err e = {0};
	cr_assert_eq(routing_explain(db, CAT(service), area ? AREA(area) : 0, &s, &e), 0, "%s",
	             e.msg);
	cr_assert_eq(s.unit_id, UNIT(unit), "%s in %s: got unit %lld (%s)", service,
	             area ? area : "nowhere", (long long)s.unit_id, s.reason);
	cr_assert_eq(s.rule_id != 0, by_rule, "%s in %s: %s", service, area ? area : "-", s.reason);
}

Test(routing_store, demo_rules_suggest_along_the_area_chain, .init = setup, .fini = teardown)
{
	import_demo();
	expect("E0102", "210202001002001", "210202001002", 1); /* grid override */
	expect("E0102", "210202001002002", "210202001", 1);    /* the street's group rule */
	expect("E0102", "210202002", "210202", 1);             /* the district's */
	expect("E0102", "210203", "210203", 1);
	expect("E0102", NULL, "D-CGJ", 0);                /* outside every area: default */
	expect("E0107", "210202001002001", "D-STHJJ", 1); /* exact category, any area */
	expect("E0301", "210204", "D-ZJJ", 1);            /* 施工管理 group */
	expect("E0407", "210202", "D-JTJ", 1);            /* exact beats the district's E04 */
	expect("E0401", "210202", "210202", 1);
	expect("E0405", "210203001", "D-JJZD", 1);
	expect("P0101", "210202", "U-ZLS", 0);
}

Test(routing_store, import_errors_name_the_line_and_import_nothing, .init = setup, .fini = teardown)
{
	import_demo();
	char *path = put("bad.csv", "category,area_code,unit_code,priority,note\n"
	                            "E9999,*,D-CGJ,0,\n"
	                            "01,*,D-CGJ,0,\n"
	                            "E01,999999,D-CGJ,0,\n"
	                            "E01,*,NOPE,0,\n"
	                            "E01,*,D-CGJ,high,\n"
	                            "E02,210202,D-CGJ,1,\n"
	                            "E02,210202,D-CGJ,2,\n");
	struct org_io_opts o = {0};
	struct org_io_report r;
	struct err e = {0};
	cr_assert_eq(routing_import(db, path, &o, &r, NULL, &e), ERR_UNPROCESSABLE);
	cr_assert_eq(r.nerrors, 6);
	const long lines[] = {2, 3, 4, 5, 6, 8};
	const char *words[] = {"E9999",    "E01 (events) or P01", "999999", "NOPE",
	                       "priority", "already on line 7"};
	for (int i = 0; i < 6; i++) {
		cr_assert_eq(r.errors[i].line, lines[i], "error %d: %s", i, r.errors[i].msg);
		cr_assert(strstr(r.errors[i].msg, words[i]), "%s", r.errors[i].msg);
	}
	cr_assert(strstr(e.msg, "bad.csv:2: "), "%s", e.msg);
	struct routing_rules rs;
	cr_assert_eq(routing_rules_load(db, 1, &rs, &e), 0);
	cr_assert_eq(rs.n, 26, "nothing changed");
	routing_rules_free(&rs);
	char *head = put("head.csv", "category,unit,colour\nE01,D-CGJ,red\n");
	cr_assert_eq(routing_import(db, head, &o, &r, NULL, &e), ERR_UNPROCESSABLE);
	cr_assert_eq(r.nerrors, 4); /* unit, colour unknown; area_code, unit_code missing */
	cr_assert(strstr(r.errors[1].msg, "colour"), "%s", r.errors[1].msg);
}

Test(routing_store, export_then_import_is_the_same_and_deactivates_the_rest, .init = setup,
     .fini = teardown)
{
	import_demo();
	char path[600];
	snprintf(path, sizeof path, "%s/out.csv", tmpdir);
	FILE *f = fopen(path, "w");
	struct err e = {0};
	long rows = 0;
	cr_assert_eq(routing_export(db, f, &rows, &e), 0, "%s", e.msg);
	fclose(f);
	cr_assert_eq(rows, 26);
	struct org_io_opts o = {0};
	struct org_io_report r;
	int off = -1;
	cr_assert_eq(routing_import(db, path, &o, &r, &off, &e), 0, "%s", e.msg);
	cr_assert_eq(r.updated, 26);
	cr_assert_eq(r.inserted, 0);
	cr_assert_eq(off, 0);
	char *one = put("one.csv", "category,area_code,unit_code\n*,,O-WMB\n");
	cr_assert_eq(routing_import(db, one, &o, &r, &off, &e), 0, "%s", e.msg);
	cr_assert_eq(off, 26);
	expect("E0102", "210202", "O-WMB", 1);
	/* Importing the demo again reactivates its rules in place. */
	cr_assert_eq(routing_import(db, WM_DATA_DIR "/demo/routing.csv", &o, &r, &off, &e), 0);
	cr_assert_eq(r.updated, 26);
	cr_assert_eq(off, 1);
}
