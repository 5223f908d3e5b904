/* The working-time calendar for case deadlines: which days are workdays (Mon–Fri, except the
 * official holidays and 调休 makeup workdays given as data) and which periods of a workday are
 * working time, in Asia/Shanghai local time (UTC+8 all year, no DST). Pure: built from data
 * the caller read (store/calendar_store.h loads it from the database); immutable once built,
 * so one calendar may be shared by any number of threads. */
#ifndef WM_WORKCAL_H
#define WM_WORKCAL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct workcal;

enum workcal_kind { WORKCAL_HOLIDAY = 1, WORKCAL_WORKDAY = 2 };

/* An exception to Mon–Fri: a holiday (also on a weekend day inside a holiday span) or a
 * makeup workday. A year counts as having data when at least one exception names it. */
struct workcal_day {
	int y, m, d;
	enum workcal_kind kind;
};

/* A working period of every workday, minutes after local midnight, [start_min, end_min). */
struct workcal_period {
	int start_min, end_min;
};

enum { WORKCAL_MAX_PERIODS = 8 };

/* Built-in hours when none are given: 08:30–12:00 and 13:30–17:30 (Dalian government offices;
 * see docs/data.md). */
extern const struct workcal_period workcal_default_hours[2];

/* Builds a calendar. days may be in any order (no date twice; years 1971..9998); periods
 * must be ascending, non-overlapping, within 0..1440 and non-empty; NULL/0 periods take the
 * default hours. ERR_BAD_REQUEST with a message on bad input. Free with workcal_free. */
int workcal_new(const struct workcal_day *days, size_t ndays, const struct workcal_period *periods,
                size_t nperiods, struct workcal **out, struct err *e);
void workcal_free(struct workcal *cal);

/* 1 when the date is a workday, else 0. A year without data is Mon–Fri. */
int workcal_is_workday(const struct workcal *cal, int y, int m, int d);
/* 1 when the year has exception data (deadlines in other years fall back to Mon–Fri). */
int workcal_year_covered(const struct workcal *cal, int y);
/* Working minutes of one workday (the sum of the periods). */
int workcal_day_minutes(const struct workcal *cal);

enum workcal_mode {
	WORKCAL_WORKING, /* count working minutes only (the usual stage time limits) */
	WORKCAL_NATURAL, /* plain clock minutes (urgent categories) */
};

/* The deadline of a time limit of minutes (0..52,560,000, i.e. up to 100 years) started at
 * start (unix seconds). WORKING: a start outside working time begins at the next working
 * instant, and 0 minutes gives that instant; the deadline is the instant the last working
 * minute ends (17:30, not the next morning). *warned (may be NULL) is set to 1 when a day
 * from start to the deadline lies in a year without data, else 0. ERR_BAD_REQUEST for minutes
 * out of range. O(log) in the span, whatever its length. */
int workcal_add(const struct workcal *cal, int64_t start, int64_t minutes, enum workcal_mode mode,
                int64_t *deadline, int *warned);

/* Working time between two instants, in whole minutes (rounded toward zero; negative when to
 * is before from), so that workcal_working_minutes(c, s, add(c, s, n)) == n. *warned (may be
 * NULL) as for workcal_add. O(1). */
int64_t workcal_working_minutes(const struct workcal *cal, int64_t from, int64_t to, int *warned);
/* The same in seconds, for callers that sum many short spans (pauses) without rounding. */
int64_t workcal_working_seconds(const struct workcal *cal, int64_t from, int64_t to, int *warned);

#endif
