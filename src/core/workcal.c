/* See workcal.h. Working time is a function W(t): the working seconds from a fixed origin to
 * the instant t. W(t) = cum(D) + the working seconds of day D before t, where cum(D) is the
 * working seconds of all days before day D. cum is O(1): a prefix-sum table over the years
 * with data, and outside it the count of Mon–Fri days (closed form per week). Then
 *   working time between a and b = W(b) - W(a), and
 *   a deadline = the first instant t >= start with W(t) = W(start) + limit,
 * found by a galloping then binary search over days on cum (monotone), then a walk over the
 * day's few periods. No loop ever runs per minute or per day. */
#include "core/workcal.h"

#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"

const struct workcal_period workcal_default_hours[2] = {{8 * 60 + 30, 12 * 60},
                                                        {13 * 60 + 30, 17 * 60 + 30}};

enum { DAY_S = 86400, MAX_MINUTES = 52560000 };

struct workcal {
	int nper;
	int64_t per_s[WORKCAL_MAX_PERIODS], per_e[WORKCAL_MAX_PERIODS]; /* seconds of the day */
	int64_t day_s;                                                  /* sum of the periods */
	/* Years with data: y_lo..y_hi, covered[y - y_lo]; ny == 0 when there are none. */
	int y_lo, y_hi, ny;
	unsigned char *covered;
	/* Days lo..lo+n-1 (Jan 1 of y_lo .. Dec 31 of y_hi): work[i] 1 for a workday;
	 * prefix[i] the working seconds of days lo..lo+i-1 (n+1 entries). */
	int64_t lo, n;
	unsigned char *work;
	int64_t *prefix;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* 1970-01-01 (day 0) was a Thursday: Monday = 0 ... Sunday = 6. */
static int weekday(int64_t day)
{
	return (int)(day + 3 - 7 * floor_div(day + 3, 7));
}

/* Mon–Fri days in [0, day) (negative for day < 0): differences count any interval. */
static int64_t weekdays_before(int64_t day)
{
	static const int pre[7] = {0, 1, 2, 2,
	                           2, 3, 4}; /* from Thursday: Thu Fri Sat Sun Mon Tue */
	int64_t w = floor_div(day, 7);
	return 5 * w + pre[day - 7 * w];
}

static int is_workday_num(const struct workcal *c, int64_t day)
{
	if (c->n && day >= c->lo && day < c->lo + c->n)
		return c->work[day - c->lo];
	return weekday(day) < 5;
}

/* Working seconds of the days before day. Below the table it is the plain weekday count;
 * above, the table's end plus the weekday count from there, so cum never decreases. */
static int64_t cum(const struct workcal *c, int64_t day)
{
	if (!c->n || day <= c->lo)
		return weekdays_before(day) * c->day_s;
	int64_t base = weekdays_before(c->lo) * c->day_s;
	if (day <= c->lo + c->n)
		return base + c->prefix[day - c->lo];
	int64_t end = c->lo + c->n;
	return base + c->prefix[c->n] + (weekdays_before(day) - weekdays_before(end)) * c->day_s;
}

static int64_t in_day(const struct workcal *c, int64_t day, int64_t sod)
{
	if (!is_workday_num(c, day))
		return 0;
	int64_t w = 0;
	for (int i = 0; i < c->nper; i++) {
		if (sod <= c->per_s[i])
			break;
		w += (sod < c->per_e[i] ? sod : c->per_e[i]) - c->per_s[i];
	}
	return w;
}

static void split(int64_t t, int64_t *day, int64_t *sod)
{
	int64_t local = t + TZ_SHANGHAI;
	*day = floor_div(local, DAY_S);
	*sod = local - *day * DAY_S;
}

static int64_t work_at(const struct workcal *c, int64_t t)
{
	int64_t day, sod;
	split(t, &day, &sod);
	return cum(c, day) + in_day(c, day, sod);
}

static int year_of(int64_t day)
{
	int y;
	unsigned m, d;
	time_civil_from_days(day, &y, &m, &d);
	return y;
}

int workcal_year_covered(const struct workcal *c, int y)
{
	return c->ny && y >= c->y_lo && y <= c->y_hi && c->covered[y - c->y_lo];
}

/* 1 when a day in [d1, d2] lies in a year without data. */
static int uncovered_between(const struct workcal *c, int64_t d1, int64_t d2)
{
	if (d2 < d1) {
		int64_t t = d1;
		d1 = d2;
		d2 = t;
	}
	for (int y = year_of(d1), y2 = year_of(d2); y <= y2; y++)
		if (!workcal_year_covered(c, y))
			return 1;
	return 0;
}

/* The first day >= from whose end passes target: cum(day + 1) > target when strict, >= when
 * not. Gallops to bracket it, then bisects; cum is monotone and grows at least by the Mon–Fri
 * rule outside the table, so the gallop ends. */
static int64_t find_day(const struct workcal *c, int64_t from, int64_t target, int strict)
{
#define PASSES(d) (strict ? cum(c, (d) + 1) > target : cum(c, (d) + 1) >= target)
	int64_t lo = from, hi = from, step = 1;
	while (!PASSES(hi)) {
		lo = hi + 1;
		hi = from + step;
		step *= 2;
	}
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (PASSES(mid))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
#undef PASSES
}

int workcal_add(const struct workcal *c, int64_t start, int64_t minutes, enum workcal_mode mode,
                int64_t *deadline, int *warned)
{
	if (warned)
		*warned = 0;
	if (minutes < 0 || minutes > MAX_MINUTES)
		return ERR_BAD_REQUEST;
	if (mode == WORKCAL_NATURAL) {
		*deadline = start + minutes * 60;
		return 0;
	}
	int64_t d0, sod;
	split(start, &d0, &sod);
	int64_t target = cum(c, d0) + in_day(c, d0, sod) + minutes * 60;
	/* 0 minutes: the first instant where work goes on (strictly past target); otherwise
	 * the first instant where target is reached, which may be a period's end. */
	int strict = minutes == 0;
	int64_t day = find_day(c, d0, target, strict);
	int64_t off = target - cum(c, day), acc = 0;
	int64_t t = start;
	for (int i = 0; i < c->nper; i++) {
		int64_t len = c->per_e[i] - c->per_s[i];
		if (strict ? off < acc + len : off <= acc + len) {
			t = day * DAY_S - TZ_SHANGHAI + c->per_s[i] + (off - acc);
			break;
		}
		acc += len;
	}
	*deadline = t < start ? start : t;
	if (warned)
		*warned = uncovered_between(c, d0, day);
	return 0;
}

int64_t workcal_working_seconds(const struct workcal *c, int64_t from, int64_t to, int *warned)
{
	if (warned) {
		int64_t d1, d2, s;
		split(from, &d1, &s);
		split(to, &d2, &s);
		*warned = uncovered_between(c, d1, d2);
	}
	return work_at(c, to) - work_at(c, from);
}

int64_t workcal_working_minutes(const struct workcal *c, int64_t from, int64_t to, int *warned)
{
	return workcal_working_seconds(c, from, to, warned) / 60;
}

int workcal_is_workday(const struct workcal *c, int y, int m, int d)
{
	return is_workday_num(c, time_days_from_civil(y, (unsigned)m, (unsigned)d));
}

int workcal_day_minutes(const struct workcal *c)
{
	return (int)(c->day_s / 60);
}

/* Building ----------------------------------------------------------------------------------- */

static int date_ok(int y, int m, int d)
{
	if (y < 1971 || y > 9998 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	int yy;
	unsigned mm, dd;
	time_civil_from_days(time_days_from_civil(y, (unsigned)m, (unsigned)d), &yy, &mm, &dd);
	return yy == y && (int)mm == m && (int)dd == d;
}

static int set_periods(struct workcal *c, const struct workcal_period *p, size_t n, struct err *e)
{
	if (!p || !n) {
		p = workcal_default_hours;
		n = 2;
	}
	if (n > WORKCAL_MAX_PERIODS)
		return err_set(e, ERR_BAD_REQUEST, "at most %d working periods a day",
		               WORKCAL_MAX_PERIODS);
	for (size_t i = 0; i < n; i++) {
		if (p[i].start_min < 0 || p[i].end_min > 1440 || p[i].start_min >= p[i].end_min)
			return err_set(
			    e, ERR_BAD_REQUEST,
			    "working period %zu: start must be before end, within the day", i + 1);
		if (i && p[i].start_min < p[i - 1].end_min)
			return err_set(e, ERR_BAD_REQUEST,
			               "working period %zu starts before the previous one ends",
			               i + 1);
		c->per_s[i] = p[i].start_min * 60;
		c->per_e[i] = p[i].end_min * 60;
		c->day_s += c->per_e[i] - c->per_s[i];
	}
	c->nper = (int)n;
	return 0;
}

static int set_days(struct workcal *c, const struct workcal_day *v, size_t n, struct err *e)
{
	if (!n)
		return 0;
	c->y_lo = 9999;
	c->y_hi = 0;
	for (size_t i = 0; i < n; i++) {
		if (!date_ok(v[i].y, v[i].m, v[i].d))
			return err_set(e, ERR_BAD_REQUEST,
			               "day %zu: %d-%d-%d is not a date (1971-9998)", i + 1, v[i].y,
			               v[i].m, v[i].d);
		if (v[i].kind != WORKCAL_HOLIDAY && v[i].kind != WORKCAL_WORKDAY)
			return err_set(e, ERR_BAD_REQUEST, "day %zu: unknown kind", i + 1);
		c->y_lo = v[i].y < c->y_lo ? v[i].y : c->y_lo;
		c->y_hi = v[i].y > c->y_hi ? v[i].y : c->y_hi;
	}
	c->ny = c->y_hi - c->y_lo + 1;
	c->lo = time_days_from_civil(c->y_lo, 1, 1);
	c->n = time_days_from_civil(c->y_hi + 1, 1, 1) - c->lo;
	c->covered = calloc((size_t)c->ny, 1);
	c->work = malloc((size_t)c->n);
	c->prefix = malloc(((size_t)c->n + 1) * sizeof *c->prefix);
	unsigned char *seen = calloc((size_t)c->n, 1);
	if (!c->covered || !c->work || !c->prefix || !seen) {
		free(seen);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	for (int64_t i = 0; i < c->n; i++)
		c->work[i] = weekday(c->lo + i) < 5;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		int64_t k =
		    time_days_from_civil(v[i].y, (unsigned)v[i].m, (unsigned)v[i].d) - c->lo;
		if (seen[k]++)
			rc = err_set(e, ERR_BAD_REQUEST, "%04d-%02d-%02d is given twice", v[i].y,
			             v[i].m, v[i].d);
		c->work[k] = v[i].kind == WORKCAL_WORKDAY;
		c->covered[v[i].y - c->y_lo] = 1;
	}
	free(seen);
	c->prefix[0] = 0;
	for (int64_t i = 0; i < c->n; i++)
		c->prefix[i + 1] = c->prefix[i] + (c->work[i] ? c->day_s : 0);
	return rc;
}

int workcal_new(const struct workcal_day *days, size_t ndays, const struct workcal_period *periods,
                size_t nperiods, struct workcal **out, struct err *e)
{
	struct workcal *c = calloc(1, sizeof *c);
	if (!c)
		return err_set(e, ERR_INTERNAL, "out of memory");
	int rc = set_periods(c, periods, nperiods, e);
	if (!rc)
		rc = set_days(c, days, ndays, e);
	if (rc) {
		workcal_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void workcal_free(struct workcal *c)
{
	if (!c)
		return;
	free(c->covered);
	free(c->work);
	free(c->prefix);
	free(c);
}
