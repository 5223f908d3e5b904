/* ISO 8601 / W3C date-times without libc time zones: the server must give the same answer
 * whatever TZ the process runs under, so all civil-date arithmetic is done here with
 * Howard Hinnant's algorithms (http://howardhinnant.github.io/date_algorithms.html). */
#include "core/timefmt.h"

#include <stdbool.h>

enum {
	DAY_S = 86400,
	OFFSET_MAX_S = 14 * 3600, /* UTC-12:00 .. UTC+14:00 are real zones; allow ±14:00 */
	FRAC_MAX = 9,             /* nanoseconds: Go's RFC 3339 output; longer is junk */
};

/* Days of 0001-01-01 and 9999-12-31: the range this module parses and formats. */
#define DAYS_MIN INT64_C(-719162)
#define DAYS_MAX INT64_C(2932896)

/* Clamp for time_civil_from_days so its arithmetic cannot overflow (years fit in int). */
#define CIVIL_DAYS_LIMIT INT64_C(700000000000)

int64_t time_days_from_civil(int y, unsigned m, unsigned d)
{
	int64_t yy = (int64_t)y - (m <= 2); /* the year starts in March: leap day is last */
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	unsigned yoe = (unsigned)(yy - era * 400);                      /* [0, 399] */
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
	return era * 146097 + (int64_t)doe - 719468;
}

void time_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	if (z > CIVIL_DAYS_LIMIT)
		z = CIVIL_DAYS_LIMIT;
	if (z < -CIVIL_DAYS_LIMIT)
		z = -CIVIL_DAYS_LIMIT;
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);                          /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static bool is_leap(int y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static unsigned days_in_month(int y, unsigned m)
{
	static const unsigned char len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Reads exactly n ASCII digits. */
static bool read_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool read_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* Z | z | ±HH | ±HHMM | ±HH:MM, at most ±14:00. */
static bool read_zone(const char **p, int *offset_s)
{
	if (read_char(p, 'Z') || read_char(p, 'z')) {
		*offset_s = 0;
		return true;
	}
	int sign = **p == '+' ? 1 : **p == '-' ? -1 : 0;
	if (!sign)
		return false;
	(*p)++;
	int hh, mm = 0;
	if (!read_digits(p, 2, &hh))
		return false;
	if (**p == ':') {
		(*p)++;
		if (!read_digits(p, 2, &mm))
			return false;
	} else if (**p >= '0' && **p <= '9') {
		if (!read_digits(p, 2, &mm))
			return false;
	}
	if (mm > 59)
		return false;
	int off = hh * 3600 + mm * 60;
	if (off > OFFSET_MAX_S)
		return false;
	*offset_s = sign * off;
	return true;
}

int time_parse_iso8601(const char *s, int tz_offset_s, int64_t *out)
{
	if (!s)
		return -1;
	const char *p = s;
	int y, mo, d;
	if (!read_digits(&p, 4, &y) || !read_char(&p, '-') || !read_digits(&p, 2, &mo) ||
	    !read_char(&p, '-') || !read_digits(&p, 2, &d))
		return -1;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || (unsigned)d > days_in_month(y, (unsigned)mo))
		return -1;
	int64_t days = time_days_from_civil(y, (unsigned)mo, (unsigned)d);
	if (*p == '\0') {
		*out = days * DAY_S - tz_offset_s;
		return 0;
	}
	/* RFC 3339 §5.6 allows a lower-case t and z; the header allows a space. */
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	int hh, mi, ss = 0, off;
	if (!read_digits(&p, 2, &hh) || !read_char(&p, ':') || !read_digits(&p, 2, &mi))
		return -1;
	if (read_char(&p, ':')) {
		if (!read_digits(&p, 2, &ss))
			return -1;
		if (*p == '.' || *p == ',') { /* ISO 8601 allows both; the fraction is dropped */
			p++;
			int n = 0;
			while (*p >= '0' && *p <= '9' && n <= FRAC_MAX)
				p++, n++;
			if (n < 1 || n > FRAC_MAX)
				return -1;
		}
	}
	/* Hour 24 and leap second 60 are valid ISO 8601 but meaningless to a case timeline. */
	if (hh > 23 || mi > 59 || ss > 59)
		return -1;
	if (!read_zone(&p, &off) || *p != '\0')
		return -1;
	*out = days * DAY_S + hh * 3600 + mi * 60 + ss - off;
	return 0;
}

static char *put_digits(char *p, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

void time_format_iso8601(int64_t t, int tz_offset_s, char out[32])
{
	/* Clamp instead of failing: output must always be 25 well-formed characters. */
	if (tz_offset_s > OFFSET_MAX_S)
		tz_offset_s = OFFSET_MAX_S;
	if (tz_offset_s < -OFFSET_MAX_S)
		tz_offset_s = -OFFSET_MAX_S;
	const int64_t lo = DAYS_MIN * DAY_S, hi = (DAYS_MAX + 1) * DAY_S - 1;
	int64_t local = t;
	if (local < lo - tz_offset_s)
		local = lo - tz_offset_s;
	if (local > hi - tz_offset_s)
		local = hi - tz_offset_s;
	local += tz_offset_s;

	int64_t days = local >= 0 ? local / DAY_S : -((-local + DAY_S - 1) / DAY_S);
	int64_t secs = local - days * DAY_S; /* [0, 86399] */
	int y;
	unsigned m, d;
	time_civil_from_days(days, &y, &m, &d);

	char *p = out;
	p = put_digits(p, (unsigned)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)(secs / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(secs / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(secs % 60), 2);
	int off_min = (tz_offset_s < 0 ? -tz_offset_s : tz_offset_s) / 60;
	*p++ = tz_offset_s < 0 ? '-' : '+';
	p = put_digits(p, (unsigned)(off_min / 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(off_min % 60), 2);
	*p = '\0';
}
