/* Stage clocks: which move starts which stage with which limit, extensions, deferral keeping
 * the time left, closing, and the yellow/red thresholds, on a calendar with the 2026 National
 * Day holiday (10-01 … 10-07 off, Sat 10-10 a makeup workday). */
#include <criterion/criterion.h>

#include "core/sla.h"
#include "core/workcal.h"
#include "lib/err.h"

static struct workcal *cal;

/* Shanghai local time as unix seconds (UTC+8, no DST). */
static int64_t sh(int y, int mo, int d, int h, int mi)
{
	/* days from civil (Howard Hinnant) */
	y -= mo <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + h * 3600 + mi * 60 - 8 * 3600;
}

static void setup(void)
{
	struct workcal_day days[8];
	for (int i = 0; i < 7; i++)
		days[i] = (struct workcal_day){2026, 10, 1 + i, WORKCAL_HOLIDAY};
	days[7] = (struct workcal_day){2026, 10, 10, WORKCAL_WORKDAY};
	struct err e = {0};
	cr_assert_eq(workcal_new(days, 8, NULL, 0, &cal, &e), 0, "%s", e.msg);
}

static void teardown(void)
{
	workcal_free(cal);
}

TestSuite(sla, .init = setup, .fini = teardown);

/* A workday is 08:30–12:00 and 13:30–17:30: 450 minutes. */
static const struct sla_limits LIM = {
    .register_minutes = 60, .handle_minutes = 450, .verify_minutes = 120, .urgent = 0};

Test(sla, each_move_starts_its_stage)
{
	struct sla_clock c;
	int warned = 0;
	sla_start(cal, &LIM, sh(2026, 9, 29, 9, 0), &c, &warned);
	cr_expect_str_eq(c.stage, "register");
	cr_expect_eq(c.due_at, sh(2026, 9, 29, 10, 0));
	sla_after(cal, &LIM, "register", "registered", sh(2026, 9, 29, 9, 30), 0, &c, &warned);
	cr_expect_str_eq(c.stage, "dispatch");
	cr_expect_eq(c.due_at, sh(2026, 9, 29, 10, 30));
	/* Dispatched on the holiday eve afternoon with one working day (450 minutes): the next
	 * workday after 09-30 is Thu 10-08, the holiday's end. */
	sla_after(cal, &LIM, "dispatch", "dispatched", sh(2026, 9, 30, 13, 30), 0, &c, &warned);
	cr_expect_str_eq(c.stage, "handle");
	/* 13:30–17:30 on 09-30 is 240 min; the other 210 on 10-08: 08:30–12:00. */
	cr_expect_eq(c.due_at, sh(2026, 10, 8, 12, 0), "due %lld", (long long)c.due_at);
	int64_t due = c.due_at;
	sla_after(cal, &LIM, "accept", "handling", sh(2026, 10, 8, 9, 0), 0, &c, &warned);
	cr_expect_eq(c.due_at, due, "accepting does not restart the clock");
	sla_after(cal, &LIM, "handle", "handled", sh(2026, 10, 8, 11, 0), 0, &c, &warned);
	cr_expect_str_eq(c.stage, "verify");
	cr_expect_eq(c.due_at, sh(2026, 10, 8, 14, 30), "11:00 + 2 h over lunch");
	sla_after(cal, &LIM, "verify_fail", "handling", sh(2026, 10, 8, 14, 0), 0, &c, &warned);
	cr_expect_str_eq(c.stage, "handle", "rework: a fresh handling limit");
	sla_after(cal, &LIM, "verify_pass", "closed", sh(2026, 10, 9, 9, 0), 0, &c, &warned);
	cr_expect_str_eq(c.stage, "");
	cr_expect_eq(c.due_at, 0);
	cr_expect_not(warned, "2026 has data");
}

Test(sla, extension_and_deferral)
{
	struct sla_clock c;
	sla_start(cal, &LIM, sh(2026, 11, 2, 8, 30), &c, NULL);
	sla_after(cal, &LIM, "dispatch", "dispatched", sh(2026, 11, 2, 8, 30), 0, &c, NULL);
	cr_expect_eq(c.due_at, sh(2026, 11, 2, 17, 30), "due %lld want %lld", (long long)c.due_at,
	             (long long)sh(2026, 11, 2, 17, 30));
	sla_after(cal, &LIM, "extend_request", "handling", sh(2026, 11, 2, 9, 0), 900, &c, NULL);
	cr_expect_eq(c.due_at, sh(2026, 11, 2, 17, 30), "asking moves nothing");
	cr_expect_eq(c.extension_minutes, 900);
	sla_after(cal, &LIM, "extend_approve", "handling", sh(2026, 11, 2, 10, 0), 0, &c, NULL);
	cr_expect_eq(c.due_at, sh(2026, 11, 4, 17, 30), "two more working days");
	cr_expect_eq(c.extension_minutes, 0);
	sla_after(cal, &LIM, "extend_request", "handling", sh(2026, 11, 2, 11, 0), 60, &c, NULL);
	sla_after(cal, &LIM, "extend_deny", "handling", sh(2026, 11, 2, 11, 5), 0, &c, NULL);
	cr_expect_eq(c.due_at, sh(2026, 11, 4, 17, 30));
	/* 缓办 on Wed 11-04 at 16:30: one working hour left, kept while paused. */
	sla_after(cal, &LIM, "defer", "deferred", sh(2026, 11, 4, 16, 30), 0, &c, NULL);
	cr_expect_eq(c.due_at, 0);
	cr_expect_eq(c.paused_minutes, 60);
	cr_expect_eq(sla_alert(cal, &LIM, &c, sh(2026, 12, 1, 9, 0)), 0,
	             "a paused case is never late");
	sla_after(cal, &LIM, "resume", "handling", sh(2026, 11, 20, 17, 0), 0, &c, NULL);
	cr_expect_eq(c.due_at, sh(2026, 11, 23, 9, 0), "30 min on Friday, 30 on Monday");
}

Test(sla, thresholds_and_urgent_natural_time)
{
	struct sla_clock c;
	sla_start(cal, &LIM, sh(2026, 11, 2, 8, 30), &c, NULL);
	sla_after(cal, &LIM, "dispatch", "dispatched", sh(2026, 11, 2, 8, 30), 0, &c, NULL);
	/* 450 working minutes: 75% is 337.5, reached at 15:37:30 (lunch not counted). */
	cr_expect_eq(sla_alert(cal, &LIM, &c, sh(2026, 11, 2, 15, 37)), 0);
	cr_expect_eq(sla_alert(cal, &LIM, &c, sh(2026, 11, 2, 15, 38)), 1);
	cr_expect_eq(sla_alert(cal, &LIM, &c, sh(2026, 11, 2, 17, 30)), 1, "due is still in time");
	cr_expect_eq(sla_alert(cal, &LIM, &c, sh(2026, 11, 2, 17, 31)), 2);
	struct sla_limits urgent = LIM;
	urgent.urgent = 1;
	sla_start(cal, &urgent, sh(2026, 10, 1, 23, 0), &c, NULL);
	cr_expect_eq(c.due_at, sh(2026, 10, 2, 0, 0), "urgent: natural hours, holidays too");
	cr_expect_eq(sla_alert(cal, &urgent, &c, sh(2026, 10, 1, 23, 45)), 1);
	int warned = 0;
	sla_start(cal, &LIM, sh(2027, 2, 8, 9, 0), &c, &warned);
	cr_expect(warned, "2027 has no holiday data yet: the deadline says so");
}
