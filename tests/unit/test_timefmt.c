#include <criterion/criterion.h>

#include "core/timefmt.h"

#include <stdlib.h>

static int64_t parse_ok(const char *s, int tz)
{
	int64_t t = -12345;
	cr_assert_eq(time_parse_iso8601(s, tz, &t), 0, "should parse: %s", s);
	return t;
}

static void parse_bad(const char *s)
{
	int64_t t = 777;
	cr_expect_eq(time_parse_iso8601(s, TZ_SHANGHAI, &t), -1, "should reject: '%s'", s);
	cr_expect_eq(t, 777, "output touched on failure: '%s'", s);
}

/* 2026-11-25T22:44:50+08:00 = 2026-11-25T14:44:50Z; checked with `date -u -d ... +%s`. */
#define T0 INT64_C(1795617890)

Test(timefmt, civil_known_days)
{
	cr_expect_eq(time_days_from_civil(1970, 1, 1), 0);
	cr_expect_eq(time_days_from_civil(1969, 12, 31), -1);
	cr_expect_eq(time_days_from_civil(2000, 3, 1), 11017);
	cr_expect_eq(time_days_from_civil(2026, 11, 25), 20782);
	cr_expect_eq(time_days_from_civil(1, 1, 1), -719162);
	cr_expect_eq(time_days_from_civil(9999, 12, 31), 2932896);
	cr_expect_eq(time_days_from_civil(2024, 2, 29) + 1, time_days_from_civil(2024, 3, 1));
	cr_expect_eq(time_days_from_civil(2100, 2, 28) + 1, time_days_from_civil(2100, 3, 1));
}

Test(timefmt, civil_round_trip_every_day)
{
	int py = 0;
	unsigned pm = 0, pd = 0;
	for (int64_t z = -800000; z <= 3000000; z++) {
		int y;
		unsigned m, d;
		time_civil_from_days(z, &y, &m, &d);
		if (time_days_from_civil(y, m, d) != z)
			cr_assert_fail("day %lld -> %d-%u-%u does not round trip", (long long)z, y,
			               m, d);
		/* consecutive days are consecutive dates */
		if (z > -800000 &&
		    !((y == py && m == pm && d == pd + 1) || (y == py && m == pm + 1 && d == 1) ||
		      (y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31)))
			cr_assert_fail("day %lld: %d-%u-%u after %d-%u-%u", (long long)z, y, m, d,
			               py, pm, pd);
		py = y, pm = m, pd = d;
	}
}

Test(timefmt, civil_extreme_input_is_defined)
{
	int y;
	unsigned m, d;
	time_civil_from_days(INT64_MAX, &y, &m, &d);
	time_civil_from_days(INT64_MIN, &y, &m, &d);
	cr_expect(m >= 1 && m <= 12 && d >= 1 && d <= 31);
}

Test(timefmt, parse_forms)
{
	cr_expect_eq(parse_ok("2026-11-25T22:44:50+08:00", 0), T0);
	cr_expect_eq(parse_ok("2026-11-25T14:44:50Z", 0), T0);
	cr_expect_eq(parse_ok("2026-11-25t14:44:50z", 0), T0);
	cr_expect_eq(parse_ok("2026-11-25 22:44:50+08:00", 0), T0);
	cr_expect_eq(parse_ok("2026-11-25T22:44:50+0800", 0), T0);
	cr_expect_eq(parse_ok("2026-11-25T22:44:50+08", 0), T0);
	cr_expect_eq(parse_ok("2026-11-25T06:44:50-08:00", 0), T0);
	cr_expect_eq(parse_ok("2026-11-25T20:14:50+05:30", 0), T0);
	cr_expect_eq(parse_ok("2026-11-25T14:44:50-00:00", 0), T0);
	cr_expect_eq(parse_ok("2026-11-25T22:44+08:00", 0), T0 - 50);
	/* fractions are accepted and dropped, never rounded */
	cr_expect_eq(parse_ok("2026-11-25T22:44:50.999+08:00", 0), T0);
	cr_expect_eq(parse_ok("2026-11-25T22:44:50,5Z", 0), T0 + 8 * 3600);
	cr_expect_eq(parse_ok("2026-11-25T22:44:50.123456789+08:00", 0), T0);
	/* the zone of a date-time wins over the caller's default */
	cr_expect_eq(parse_ok("2026-11-25T22:44:50+08:00", -5 * 3600), T0);
}

Test(timefmt, parse_bare_date_is_midnight_at_offset)
{
	cr_expect_eq(parse_ok("2026-11-25", TZ_SHANGHAI), INT64_C(20782) * 86400 - 8 * 3600);
	cr_expect_eq(parse_ok("2026-11-25", 0), INT64_C(20782) * 86400);
	cr_expect_eq(parse_ok("1970-01-01", 0), 0);
	cr_expect_eq(parse_ok("1970-01-01", TZ_SHANGHAI), -8 * 3600);
}

Test(timefmt, parse_edges_of_calendar)
{
	cr_expect_eq(parse_ok("2024-02-29T00:00:00Z", 0), INT64_C(19782) * 86400);
	cr_expect_eq(parse_ok("2000-02-29", 0), INT64_C(11016) * 86400);
	cr_expect_eq(parse_ok("0001-01-01T00:00:00Z", 0), INT64_C(-719162) * 86400);
	cr_expect_eq(parse_ok("9999-12-31T23:59:59Z", 0), INT64_C(2932897) * 86400 - 1);
	cr_expect_eq(parse_ok("2026-12-31T23:59:59+14:00", 0), parse_ok("2026-12-31T09:59:59Z", 0));
	cr_expect_eq(parse_ok("2026-01-01T00:00:00-14:00", 0), parse_ok("2026-01-01T14:00:00Z", 0));
}

Test(timefmt, parse_rejects)
{
	static const char *bad[] = {
	    "",
	    "2026",
	    "2026-11",
	    "2026-1-25",
	    "26-11-25",
	    "2026/11/25",
	    "20261125",
	    "2026-11-25T",
	    "2026-11-25T22",
	    "2026-11-25T22:44:50", /* date-time needs a zone */
	    "2026-11-25T22:44:50+08:00 ",
	    " 2026-11-25T22:44:50Z",
	    "2026-11-25x",
	    "2026-11-25T22:44:50Zjunk",
	    "2026-11-25T22:44:50+08:00Z",
	    "2026-11-25 ",
	    "2026-00-10",
	    "2026-13-01",
	    "2026-11-00",
	    "2026-11-31",
	    "2026-04-31",
	    "2026-02-29",
	    "2100-02-29",
	    "1900-02-29",
	    "2026-02-30",
	    "0000-01-01",
	    "2026-11-25T24:00:00Z",
	    "2026-11-25T23:60:00Z",
	    "2026-11-25T23:59:60Z",
	    "2026-11-25T2:44:50Z",
	    "2026-11-25T22:4:50Z",
	    "2026-11-25T22:44:5Z",
	    "2026-11-25T22:44:50.Z",
	    "2026-11-25T22:44:50.1234567890Z",
	    "2026-11-25T22:44.5Z",
	    "2026-11-25T22:44:50+14:01",
	    "2026-11-25T22:44:50-15:00",
	    "2026-11-25T22:44:50+08:60",
	    "2026-11-25T22:44:50+8:00",
	    "2026-11-25T22:44:50+08:0",
	    "2026-11-25T22:44:50+080",
	    "2026-11-25T22:44:50+",
	    "2026-11-25T22:44:50 +08:00",
	    "2026-11-25T22:44:50UTC",
	    "2026-11-25T22:44:50GMT+8",
	    "+2026-11-25",
	    "-2026-11-25",
	    "2026-11-25TT22:44:50Z",
	    "２０２６-11-25",
	    "2026-11-25T22:44:50+08:00\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		parse_bad(bad[i]);
	int64_t t;
	cr_expect_eq(time_parse_iso8601(NULL, 0, &t), -1);
	/* an embedded NUL ends the string: what follows it is not seen */
	cr_expect_eq(time_parse_iso8601("2026-11-25\0junk", 0, &t), 0);
}

Test(timefmt, format_shanghai)
{
	char out[32];
	time_format_iso8601(T0, TZ_SHANGHAI, out);
	cr_expect_str_eq(out, "2026-11-25T22:44:50+08:00");
	time_format_iso8601(T0, 0, out);
	cr_expect_str_eq(out, "2026-11-25T14:44:50+00:00");
	time_format_iso8601(T0, -(5 * 3600 + 30 * 60), out);
	cr_expect_str_eq(out, "2026-11-25T09:14:50-05:30");
	time_format_iso8601(0, TZ_SHANGHAI, out);
	cr_expect_str_eq(out, "1970-01-01T08:00:00+08:00");
	time_format_iso8601(-1, 0, out);
	cr_expect_str_eq(out, "1969-12-31T23:59:59+00:00");
	time_format_iso8601(-8 * 3600 - 1, TZ_SHANGHAI, out);
	cr_expect_str_eq(out, "1969-12-31T23:59:59+08:00");
	/* midnight in Shanghai is 16:00 UTC the day before */
	time_format_iso8601(INT64_C(20782) * 86400 - 8 * 3600, TZ_SHANGHAI, out);
	cr_expect_str_eq(out, "2026-11-25T00:00:00+08:00");
}

Test(timefmt, format_clamps_absurd_input)
{
	char out[32];
	time_format_iso8601(INT64_MAX, TZ_SHANGHAI, out);
	cr_expect_str_eq(out, "9999-12-31T23:59:59+08:00");
	time_format_iso8601(INT64_MIN, TZ_SHANGHAI, out);
	cr_expect_str_eq(out, "0001-01-01T00:00:00+08:00");
	time_format_iso8601(T0, 99 * 3600, out);
	cr_expect_str_eq(out, "2026-11-26T04:44:50+14:00");
	time_format_iso8601(T0, -99 * 3600, out);
	cr_expect_str_eq(out, "2026-11-25T00:44:50-14:00");
}

Test(timefmt, format_parse_round_trip)
{
	char out[32];
	srand(42);
	for (int i = 0; i < 100000; i++) {
		/* 0001-01-02 .. 9999-12-30 UTC, so that every offset stays inside the years */
		const int64_t lo = INT64_C(-62135596800) + 86400,
		              hi = INT64_C(253402300799) - 86400;
		int64_t t = lo + ((int64_t)rand() << 20 ^ rand()) % (hi - lo);
		int off = (rand() % 57 - 28) * 30 * 60; /* ±14:00 in half hours */
		time_format_iso8601(t, off, out);
		int64_t back;
		if (strlen(out) != 25 || time_parse_iso8601(out, 0, &back) != 0 || back != t)
			cr_assert_fail("round trip of %lld at %d failed: %s", (long long)t, off,
			               out);
	}
}
