/* store/standards: the shipped edition imports whole, a version is never rewritten, a second
 * one lives beside it and activation moves, the checklist of a site type keeps only its items,
 * and a bad file changes nothing and lists every error with its line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"
#include "store/migrate.h"
#include "store/seed.h"
#include "store/standards.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

static struct db *db;
static char path[64];
static struct err e;

static void setup(void)
{
	snprintf(path, sizeof path, "/tmp/wm-standards-%d.db", (int)getpid());
	unlink(path);
	cr_assert_eq(db_open(path, &db, &e), 0, "%s", e.msg);
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	cr_assert_eq(seed_load(db, WM_DATA_DIR, 0, &e), 0, "%s", e.msg); /* types + 2026 */
}

static void teardown(void)
{
	db_close(db);
	unlink(path);
}

TestSuite(standards, .init = setup, .fini = teardown);

static int64_t count(const char *sql)
{
	int64_t n = -1;
	cr_assert_eq(db_get_int(db, sql, NULL, 0, &n, &e), 0, "%s: %s", sql, e.msg);
	return n;
}

static int import(const char *file, const char *version, int activate, struct org_io_report *r)
{
	struct standards_import_opts o = {.version = version, .activate = activate, .now = 1};
	err_clear(&e);
	return standards_import(db, file, &o, r, &e);
}

Test(standards, versions_live_side_by_side)
{
	cr_assert_eq(count("SELECT COUNT(*) FROM standard_version WHERE active = 1 AND code = '2026'"),
	             1);
	int64_t items = count("SELECT COUNT(*) FROM standard_node WHERE kind = 'item'");
	cr_assert_geq(items, 80);
	struct org_io_report r;
	/* the same code again: refused, nothing written */
	cr_assert_eq(import(WM_DATA_DIR "/standards/2026.csv", "2026", 0, &r), ERR_CONFLICT);
	cr_assert_eq(count("SELECT COUNT(*) FROM standard_node WHERE kind = 'item'"), items);
	/* a new version beside it: new nodes, the old ones (and their ids) untouched */
	int64_t first_max = count("SELECT MAX(id) FROM standard_node");
	cr_assert_eq(import(WM_DATA_DIR "/standards/2026.csv", "2027", 1, &r), 0, "%s", e.msg);
	cr_assert_eq(r.inserted, items);
	cr_assert_eq(count("SELECT COUNT(*) FROM standard_node WHERE kind = 'item'"), 2 * items);
	cr_assert_eq(count("SELECT COUNT(*) FROM standard_node WHERE id <= (SELECT MAX(id) FROM"
	                   " standard_node) AND version_id = (SELECT id FROM standard_version"
	                   " WHERE code = '2026')"),
	             first_max);
	cr_assert_eq(count("SELECT COUNT(*) FROM standard_version WHERE active = 1"), 1);
	cr_assert_eq(count("SELECT active FROM standard_version WHERE code = '2027'"), 1);
	cr_assert_eq(standards_activate(db, "2026", &e), 0);
	cr_assert_eq(count("SELECT active FROM standard_version WHERE code = '2026'"), 1);
	cr_assert_eq(count("SELECT COUNT(*) FROM standard_version WHERE active = 1"), 1);
	cr_assert_eq(standards_activate(db, "1999", &e), ERR_NOT_FOUND);
}

Test(standards, checklist_of_a_site_type)
{
	json_t *all, *market;
	cr_assert_eq(standards_tree_json(db, "active", NULL, NULL, &all, &e), 0, "%s", e.msg);
	cr_assert_eq(standards_tree_json(db, "2026", "market", NULL, &market, &e), 0, "%s", e.msg);
	size_t n_all = 0, n_market = 0, n_market_in_all = 0, i, j, k;
	json_t *p, *c, *it, *t;
	json_array_foreach(json_object_get(all, "projects"), i, p)
	json_array_foreach(json_object_get(p, "contents"), j, c)
	json_array_foreach(json_object_get(c, "items"), k, it)
	{
		n_all++;
		size_t x;
		json_array_foreach(json_object_get(it, "site_types"), x, t)
		n_market_in_all += !strcmp(json_string_value(t), "market");
	}
	json_array_foreach(json_object_get(market, "projects"), i, p)
	{
		cr_assert_gt(json_array_size(json_object_get(p, "contents")), 0);
		json_array_foreach(json_object_get(p, "contents"), j, c)
		{
			cr_assert_gt(json_array_size(json_object_get(c, "items")), 0);
			n_market += json_array_size(json_object_get(c, "items"));
		}
	}
	cr_assert_eq((int64_t)n_all, count("SELECT COUNT(*) FROM standard_node WHERE kind = 'item'"));
	cr_assert_gt(n_market, 0);
	cr_assert_eq(n_market, n_market_in_all);
	json_decref(all);
	json_decref(market);
	cr_assert_eq(standards_tree_json(db, "1999", NULL, NULL, &all, &e), ERR_NOT_FOUND);
}

Test(standards, a_bad_file_changes_nothing)
{
	char bad[64];
	snprintf(bad, sizeof bad, "/tmp/wm-standards-%d.csv", (int)getpid());
	FILE *f = fopen(bad, "w");
	cr_assert(f);
	fputs("code,parent_code,kind,text,method,site_types,points,veto,service_codes,sort\n"
	      "P,,project,项目,,,,,,\n"
	      "P.1,P,content,内容,field,,,,,\n"   /* a content with a method */
	      "P.1.1,P.1,item,,field,market,1,,E0102,\n" /* no text */
	      "P.1.2,P,item,条目,online,,2,veto,,\n"     /* parent is a project */
	      "P.1.1,P.1,item,又一个,survey,,1,,,\n",    /* code twice */
	      f);
	fclose(f);
	int64_t before = count("SELECT COUNT(*) FROM standard_node");
	struct org_io_report r;
	cr_assert_eq(import(bad, "bad", 1, &r), ERR_BAD_REQUEST);
	cr_assert_eq(r.nerrors, 4, "%d errors", r.nerrors);
	long lines[] = {3, 4, 5, 6};
	for (int i = 0; i < 4; i++)
		cr_assert_eq(r.errors[i].line, lines[i], "error %d on line %ld: %s", i, r.errors[i].line,
		             r.errors[i].msg);
	cr_assert_eq(count("SELECT COUNT(*) FROM standard_node"), before);
	cr_assert_eq(count("SELECT COUNT(*) FROM standard_version WHERE code = 'bad'"), 0);
	cr_assert_eq(import(bad, "no spaces allowed", 0, &r), ERR_BAD_REQUEST);
	unlink(bad);
}
