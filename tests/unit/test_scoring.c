/* core/scoring: points kept over points applicable, n/a items out of both, negative-list and
 * veto items apart, groups weighted by their sites' applicable points — against a small data
 * set worked out by hand. */
#include <criterion/criterion.h>

#include "core/scoring.h"

#define EPS 1e-9

static void add(struct score_sum *s, double pts, const char *veto, const char *res)
{
	struct score_result r = {pts, veto, res};
	score_add(s, &r);
}

Test(scoring, site_with_na_deduct_and_veto)
{
	/* items: 2 pass, 1 fail, 1.5 na, 0.5 pass, deduct(1) fail, veto(5) pass
	 * kept 2 + 0.5 = 2.5; applicable 2 + 1 + 0.5 = 3.5 → 71.428…; 1 deduction, 0 veto */
	struct score_sum s = {0};
	add(&s, 2, "none", "pass");
	add(&s, 1, "none", "fail");
	add(&s, 1.5, "none", "na");
	add(&s, 0.5, "none", "pass");
	add(&s, 1, "deduct", "fail");
	add(&s, 5, "veto", "pass");
	double v = -1;
	cr_assert_eq(score_value(&s, &v), 1);
	cr_assert_float_eq(v, 100 * 2.5 / 3.5, EPS);
	cr_assert_eq(s.passed, 3);
	cr_assert_eq(s.failed, 2);
	cr_assert_eq(s.na, 1);
	cr_assert_eq(s.deduct_failed, 1);
	cr_assert_eq(s.veto_failed, 0);
}

Test(scoring, groups_weigh_sites_by_points)
{
	/* site A: kept 3 of 4; site B: kept 0 of 1 → district 3 / 5 = 60 (not the mean of 75 and
	 * 0); site C: everything n/a → no score, but it counts as a site */
	struct score_sum a = {.sites = 1}, b = {.sites = 1}, c = {.sites = 1}, d = {0};
	add(&a, 3, "none", "pass");
	add(&a, 1, "none", "fail");
	add(&b, 1, "none", "fail");
	add(&c, 2, "none", "na");
	add(&c, 5, "veto", "fail");
	score_merge(&d, &a);
	score_merge(&d, &b);
	score_merge(&d, &c);
	double v = -1;
	cr_assert_eq(score_value(&d, &v), 1);
	cr_assert_float_eq(v, 60, EPS);
	cr_assert_eq(d.sites, 3);
	cr_assert_eq(d.veto_failed, 1);
	cr_assert_eq(score_value(&c, &v), 0, "nothing applicable: no score");
	cr_assert_float_eq(v, 60, EPS, "left untouched");
}
