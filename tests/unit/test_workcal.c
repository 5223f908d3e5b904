#include <criterion/criterion.h>

#include "core/timefmt.h"
#include "core/workcal.h"
#include "lib/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The shipped 2026 calendar (data/calendar/2026.csv), so the data are tested too. */
static struct workcal *cal;

static void load_2026(void)
{
	struct csv *c;
	struct err e = {0};
	cr_assert_eq(csv_open_file(WM_DATA_DIR "/calendar/2026.csv", &c, &e), 0, "%s", e.msg);
	cr_assert_eq(csv_read_header(c, &e), 0, "%s", e.msg);
	struct workcal_day days[64];
	size_t n = 0;
	while (csv_next(c, &e) == 1) {
		cr_assert_lt(n, 64);
		const char *date = csv_get(c, "date"), *kind = csv_get(c, "kind");
		cr_assert_eq(sscanf(date, "%d-%d-%d", &days[n].y, &days[n].m, &days[n].d), 3);
		days[n].kind = strcmp(kind, "workday") == 0 ? WORKCAL_WORKDAY : WORKCAL_HOLIDAY;
		n++;
	}
	csv_free(c);
	cr_assert_eq(n, 39, "2026.csv rows: %zu", n);
	cr_assert_eq(workcal_new(days, n, NULL, 0, &cal, &e), 0, "%s", e.msg);
}

static void drop(void)
{
	workcal_free(cal);
	cal = NULL;
}

TestSuite(workcal, .init = load_2026, .fini = drop);

/* Local Shanghai time as unix seconds. */
static int64_t at(int y, int m, int d, int hh, int mm)
{
	return time_days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + hh * 3600 + mm * 60 -
	       TZ_SHANGHAI;
}

static void expect_add(int64_t start, int64_t minutes, int64_t want, int want_warned)
{
	int64_t got = -1;
	int warned = -1;
	cr_assert_eq(workcal_add(cal, start, minutes, WORKCAL_WORKING, &got, &warned), 0);
	char a[32], b[32], s[32];
	time_format_iso8601(start, TZ_SHANGHAI, s);
	time_format_iso8601(got, TZ_SHANGHAI, a);
	time_format_iso8601(want, TZ_SHANGHAI, b);
	cr_expect_eq(got, want, "%s + %lld working minutes: got %s, want %s", s, (long long)minutes,
	             a, b);
	cr_expect_eq(warned, want_warned, "%s + %lld: warned %d", s, (long long)minutes, warned);
	if (minutes > 0)
		cr_expect_eq(workcal_working_minutes(cal, start, got, NULL), minutes,
		             "working minutes back from %s", a);
}

Test(workcal, exception_days_from_the_table)
{
	cr_expect(!workcal_is_workday(cal, 2026, 1, 1));
	cr_expect(workcal_is_workday(cal, 2026, 1, 4), "Sunday 01-04 is a makeup workday");
	cr_expect(workcal_is_workday(cal, 2026, 2, 14), "Saturday 02-14 is a makeup workday");
	cr_expect(!workcal_is_workday(cal, 2026, 2, 21), "a Saturday inside 春节");
	cr_expect(!workcal_is_workday(cal, 2026, 2, 23), "Monday 02-23 is still 春节");
	cr_expect(workcal_is_workday(cal, 2026, 2, 24));
	cr_expect(workcal_is_workday(cal, 2026, 9, 20), "Sunday 09-20 is a makeup workday");
	cr_expect(!workcal_is_workday(cal, 2026, 10, 7));
	cr_expect(workcal_is_workday(cal, 2026, 10, 8));
	cr_expect(workcal_is_workday(cal, 2026, 10, 10), "Saturday 10-10 is a makeup workday");
	cr_expect(!workcal_is_workday(cal, 2026, 10, 11), "an ordinary Sunday");
	cr_expect(workcal_year_covered(cal, 2026));
	cr_expect(!workcal_year_covered(cal, 2027));
	cr_expect_eq(workcal_day_minutes(cal), 450);
}

Test(workcal, workdays_of_2026)
{
	/* 261 Mon–Fri days, 19 of them holidays, 6 makeup days: 248 workdays of 7.5 hours. */
	int n = 0;
	for (int64_t z = time_days_from_civil(2026, 1, 1); z < time_days_from_civil(2027, 1, 1);
	     z++) {
		int y;
		unsigned m, d;
		time_civil_from_days(z, &y, &m, &d);
		n += workcal_is_workday(cal, y, (int)m, (int)d);
	}
	cr_expect_eq(n, 248);
	int warned = -1;
	cr_expect_eq(
	    workcal_working_minutes(cal, at(2026, 1, 1, 0, 0), at(2027, 1, 1, 0, 0) - 1, &warned),
	    248 * 450);
	cr_expect_eq(warned, 0);
}

Test(workcal, national_day_eve)
{
	/* 09-30 (Wed) after hours: 10-01..07 are off, 10-08 (Thu) is the next workday. */
	expect_add(at(2026, 9, 30, 17, 59), 30, at(2026, 10, 8, 9, 0), 0);
	expect_add(at(2026, 9, 30, 17, 29), 30, at(2026, 10, 8, 8, 59), 0);
	expect_add(at(2026, 9, 30, 17, 0), 30, at(2026, 9, 30, 17, 30), 0);
	cr_expect_eq(
	    workcal_working_minutes(cal, at(2026, 9, 30, 17, 0), at(2026, 10, 8, 9, 0), NULL), 60);
	/* three workdays (10-08, 10-09, Saturday 10-10) of 450 minutes from 10-08 08:30 */
	expect_add(at(2026, 10, 1, 9, 0), 3 * 450, at(2026, 10, 10, 17, 30), 0);
	expect_add(at(2026, 10, 1, 9, 0), 3 * 450 + 1, at(2026, 10, 12, 8, 31), 0);
}

Test(workcal, weekend_makeup_days)
{
	expect_add(at(2026, 2, 13, 17, 0), 60, at(2026, 2, 14, 9, 0), 0);
	expect_add(at(2026, 9, 19, 10, 0), 0, at(2026, 9, 20, 8, 30), 0);
	expect_add(at(2026, 9, 19, 10, 0), 450, at(2026, 9, 20, 17, 30), 0);
	/* 02-14 (Sat, workday) 17:00 + 60: the holiday runs 02-15..23 */
	expect_add(at(2026, 2, 14, 17, 0), 60, at(2026, 2, 24, 9, 0), 0);
}

Test(workcal, across_new_year)
{
	/* 2025 has no data: Mon–Fri there, with the warning. 01-01..03 off, Sunday 01-04 works. */
	expect_add(at(2025, 12, 31, 17, 0), 60, at(2026, 1, 4, 9, 0), 1);
	expect_add(at(2026, 1, 1, 0, 0), 60, at(2026, 1, 4, 9, 30), 0);
	int warned = -1;
	cr_expect_eq(
	    workcal_working_minutes(cal, at(2025, 12, 31, 17, 0), at(2026, 1, 4, 9, 0), &warned),
	    60);
	cr_expect_eq(warned, 1);
}

Test(workcal, lunch_break)
{
	expect_add(at(2026, 3, 2, 11, 50), 10, at(2026, 3, 2, 12, 0), 0);
	expect_add(at(2026, 3, 2, 11, 50), 20, at(2026, 3, 2, 13, 40), 0);
	expect_add(at(2026, 3, 2, 12, 30), 0, at(2026, 3, 2, 13, 30), 0);
	expect_add(at(2026, 3, 2, 12, 30), 1, at(2026, 3, 2, 13, 31), 0);
	expect_add(at(2026, 3, 2, 10, 0), 0, at(2026, 3, 2, 10, 0), 0);
	cr_expect_eq(
	    workcal_working_minutes(cal, at(2026, 3, 2, 12, 0), at(2026, 3, 2, 13, 30), NULL), 0);
	cr_expect_eq(workcal_working_minutes(cal, at(2026, 3, 2, 0, 0), at(2026, 3, 3, 0, 0), NULL),
	             450);
}

Test(workcal, start_on_a_holiday)
{
	expect_add(at(2026, 5, 1, 10, 0), 60, at(2026, 5, 6, 9, 30), 0);
	expect_add(at(2026, 5, 3, 23, 59), 0, at(2026, 5, 6, 8, 30), 0);
	/* Saturday 05-09 is a makeup workday, Sunday 05-10 is not */
	expect_add(at(2026, 5, 8, 17, 0), 31, at(2026, 5, 9, 8, 31), 0);
	expect_add(at(2026, 5, 9, 17, 0), 31, at(2026, 5, 11, 8, 31), 0);
}

Test(workcal, working_minutes_symmetric_to_add)
{
	srand(42);
	int64_t from = at(2025, 11, 1, 0, 0), span = at(2028, 2, 1, 0, 0) - from;
	for (int i = 0; i < 20000; i++) {
		int64_t s = from + (int64_t)((double)rand() / RAND_MAX * (double)span);
		int64_t n = rand() % (450 * 40);
		int64_t dl;
		cr_assert_eq(workcal_add(cal, s, n, WORKCAL_WORKING, &dl, NULL), 0);
		cr_assert_geq(dl, s);
		if (n > 0)
			cr_assert_eq(workcal_working_minutes(cal, s, dl, NULL), n,
			             "start %lld + %lld", (long long)s, (long long)n);
		cr_assert_eq(workcal_working_minutes(cal, dl, s, NULL),
		             -workcal_working_minutes(cal, s, dl, NULL));
	}
}

Test(workcal, natural_mode)
{
	int64_t dl;
	int warned = -1;
	int64_t s = at(2026, 9, 30, 17, 59);
	cr_assert_eq(workcal_add(cal, s, 24 * 60, WORKCAL_NATURAL, &dl, &warned), 0);
	cr_expect_eq(dl, at(2026, 10, 1, 17, 59));
	cr_expect_eq(warned, 0);
	cr_assert_eq(workcal_add(cal, at(2027, 3, 6, 3, 0), 30, WORKCAL_NATURAL, &dl, &warned), 0);
	cr_expect_eq(dl, at(2027, 3, 6, 3, 30));
	cr_expect_eq(workcal_add(cal, s, -1, WORKCAL_WORKING, &dl, NULL), ERR_BAD_REQUEST);
	cr_expect_eq(workcal_add(cal, s, 52560001, WORKCAL_NATURAL, &dl, NULL), ERR_BAD_REQUEST);
}

Test(workcal, fallback_for_2027_is_weekdays_with_warning)
{
	/* 2027-01-01 is a Friday; without a 2027 notice it is an ordinary workday. */
	cr_expect(workcal_is_workday(cal, 2027, 1, 1));
	cr_expect(!workcal_is_workday(cal, 2027, 1, 2));
	expect_add(at(2027, 1, 1, 17, 0), 60, at(2027, 1, 4, 9, 0), 1);
	expect_add(at(2026, 12, 31, 17, 0), 30, at(2026, 12, 31, 17, 30), 0);
	expect_add(at(2026, 12, 31, 17, 0), 31, at(2027, 1, 1, 8, 31), 1);
	/* far ahead: whole fallback weeks of 5 * 450 minutes */
	expect_add(at(2031, 3, 3, 8, 30), 52 * 5 * 450, at(2032, 2, 27, 17, 30), 1);
	expect_add(at(2031, 3, 3, 8, 30), 52 * 5 * 450 + 1, at(2032, 3, 1, 8, 31), 1);
}

Test(workcal, shanghai_has_no_dst)
{
	/* 08:30 in Shanghai is 00:30 UTC in winter and in summer alike. */
	int64_t dl;
	cr_assert_eq(workcal_add(cal, at(2026, 1, 5, 0, 0), 0, WORKCAL_WORKING, &dl, NULL), 0);
	cr_expect_eq(dl, INT64_C(1767573000)); /* 2026-01-05T00:30:00Z */
	cr_assert_eq(workcal_add(cal, at(2026, 7, 6, 0, 0), 0, WORKCAL_WORKING, &dl, NULL), 0);
	cr_expect_eq(dl, INT64_C(1783297800)); /* 2026-07-06T00:30:00Z */
	/* a UTC evening is the next Shanghai morning: 2026-03-01T23:00Z is Monday 07:00 */
	cr_assert_eq(workcal_add(cal, INT64_C(1772406000), 0, WORKCAL_WORKING, &dl, NULL), 0);
	cr_expect_eq(dl, at(2026, 3, 2, 8, 30));
}

Test(workcal, bad_input)
{
	struct workcal *c = NULL;
	struct err e = {0};
	struct workcal_day twice[] = {{2026, 1, 1, WORKCAL_HOLIDAY}, {2026, 1, 1, WORKCAL_WORKDAY}};
	cr_expect_eq(workcal_new(twice, 2, NULL, 0, &c, &e), ERR_BAD_REQUEST);
	cr_expect(strstr(e.msg, "2026-01-01 is given twice"), "%s", e.msg);
	struct workcal_day feb30[] = {{2026, 2, 30, WORKCAL_HOLIDAY}};
	cr_expect_eq(workcal_new(feb30, 1, NULL, 0, &c, &e), ERR_BAD_REQUEST);
	struct workcal_period overlap[] = {{480, 720}, {700, 1000}};
	cr_expect_eq(workcal_new(NULL, 0, overlap, 2, &c, &e), ERR_BAD_REQUEST);
	struct workcal_period empty[] = {{480, 480}};
	cr_expect_eq(workcal_new(NULL, 0, empty, 1, &c, &e), ERR_BAD_REQUEST);
	/* no data at all: plain weeks, always warned */
	cr_assert_eq(workcal_new(NULL, 0, NULL, 0, &c, &e), 0, "%s", e.msg);
	int64_t dl;
	int warned = 0;
	cr_assert_eq(workcal_add(c, at(2026, 10, 1, 9, 0), 30, WORKCAL_WORKING, &dl, &warned), 0);
	cr_expect_eq(dl, at(2026, 10, 1, 9, 30));
	cr_expect_eq(warned, 1);
	workcal_free(c);
}

Test(workcal, fast_enough_for_an_escalation_pass)
{
	/* 100,000 open cases: a deadline and the time used each, well under a second. */
	clock_t t0 = clock();
	int64_t sum = 0;
	for (int i = 0; i < 100000; i++) {
		int64_t s = at(2026, 1, 1, 0, 0) + (int64_t)i * 317, dl;
		workcal_add(cal, s, 5 * 450, WORKCAL_WORKING, &dl, NULL);
		sum += workcal_working_minutes(cal, s, dl + 3600, NULL);
	}
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	cr_expect_gt(sum, 0);
	cr_expect_lt(secs, 2.0, "100,000 deadlines took %.2f s", secs);
}
