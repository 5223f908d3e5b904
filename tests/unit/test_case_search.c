/* The case search index on both stores: over the demo cases, a search through the index finds
 * exactly what a full scan finds; emptied and rebuilt (as after an import) it finds them
 * again; text without two Chinese characters in a row gives no filter. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "lib/arena.h"
#include "store/case_search.h"
#include "store/db.h"
#include "store/demo_cases.h"

#include "pg_testdb.h"

static struct testdb tdb;
static struct db *db;
static struct err e;

/* The demo city with 300 demo cases, filed through the case store (so indexed as filed). */
static void open_with_cases(int pg)
{
	testdb_open(&tdb, pg, "search", 1);
	db = tdb.db;
	cr_assert_eq(demo_cases_create(db, 300, 1795000000, "DL", &e), 0, "%s", e.msg);
}

static void setup_sqlite(void)
{
	open_with_cases(0);
}

static void setup_pg(void)
{
	open_with_cases(1);
}

static void teardown(void)
{
	testdb_close(&tdb);
	db = NULL;
}

TestSuite(search, .init = setup_sqlite, .fini = teardown);
TestSuite(search_pg, .init = setup_pg, .fini = teardown);

#define BOTH(name)                                                                                 \
	static void name(void);                                                                    \
	Test(search, name)                                                                         \
	{                                                                                          \
		name();                                                                            \
	}                                                                                          \
	Test(search_pg, name)                                                                      \
	{                                                                                          \
		name();                                                                            \
	}                                                                                          \
	static void name(void)

/* The sum of the ids of cases whose description or address holds word, and how many: through
 * the index (indexed) or by scanning. */
static int64_t matches(const char *word, int indexed, int64_t *n)
{
	struct arena a = {0};
	const char *arg = NULL;
	const char *filter = indexed ? case_search_filter(db, &a, word, &arg) : NULL;
	cr_assert(!indexed || filter, "%s has bigrams", word);
	char like[128];
	snprintf(like, sizeof like, "%%%s%%", word);
	char *sql = arena_printf(&a,
	                         "SELECT COALESCE(sum(c.id), 0), count(*) FROM cases c WHERE %s"
	                         " AND (c.description LIKE ? OR c.address LIKE ?)",
	                         filter ? filter : "1 = 1");
	struct db_val with[] = {db_text(arg), db_text(like), db_text(like)};
	struct db_stmt *st;
	cr_assert_eq(db_query(db, sql, filter ? with : with + 1, filter ? 3 : 2, &st, &e), 0, "%s",
	             e.msg);
	cr_assert_eq(db_step(st, &e), DB_ROW, "%s", e.msg);
	int64_t sum = db_col_int(st, 0);
	*n = db_col_int(st, 1);
	db_done(st);
	arena_free(&a);
	return sum;
}

static const char *const WORDS[] = {"垃圾", "井盖", "路灯", "中山路", "占道经营", "无此词语", NULL};

static void same_as_a_scan(void)
{
	int64_t found = 0;
	for (const char *const *w = WORDS; *w; w++) {
		int64_t n1, n2;
		int64_t s1 = matches(*w, 1, &n1), s2 = matches(*w, 0, &n2);
		cr_expect_eq(n1, n2, "%s: %lld through the index, %lld by scanning", *w, (long long)n1,
		             (long long)n2);
		cr_expect_eq(s1, s2, "%s: not the same cases", *w);
		found += n1;
	}
	cr_assert_gt(found, 0, "the demo cases hold some of the words");
}

BOTH(the_index_finds_what_a_scan_finds)
{
	same_as_a_scan();
}

BOTH(reset_and_catch_up_index_every_case_again)
{
	int64_t cases = 0, indexed = -1;
	cr_assert_eq(db_get_int(db, "SELECT count(*) FROM cases", NULL, 0, &cases, &e), 0);
	cr_assert_eq(db_begin_write(db, &e), 0, "%s", e.msg);
	cr_assert_eq(case_search_reset(db, &e), 0, "%s", e.msg);
	cr_assert_eq(db_commit(db, &e), 0, "%s", e.msg);
	int64_t n;
	matches("垃圾", 1, &n);
	cr_assert_eq(n, 0, "an empty index finds nothing");
	cr_assert_eq(case_search_catch_up(db, &indexed, &e), 0, "%s", e.msg);
	cr_assert_eq(indexed, cases);
	same_as_a_scan();
	cr_assert_eq(case_search_catch_up(db, &indexed, &e), 0, "%s", e.msg);
	cr_assert_eq(indexed, 0, "nothing left to do");
}

BOTH(no_bigram_no_filter)
{
	struct arena a = {0};
	const char *arg = NULL;
	cr_assert_null(case_search_filter(db, &a, "井", &arg));
	cr_assert_null(case_search_filter(db, &a, "DL2026 12号", &arg));
	cr_assert_not_null(case_search_filter(db, &a, "12号井盖", &arg));
	arena_free(&a);
}
