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

Test(scoring, counts_add_up_like_results)
{
	/* an item of 1.5 points passed at 3 sites, failed at 1, n/a at 2 */
	struct score_sum one = {0}, counted = {0};
	for (int i = 0; i < 3; i++)
		add(&one, 1.5, "none", "pass");
	add(&one, 1.5, "none", "fail");
	add(&one, 1.5, "none", "na");
	add(&one, 1.5, "none", "na");
	score_add_counts(&counted, 1.5, "none", 3, 1, 2);
	cr_assert_float_eq(counted.kept, one.kept, EPS);
	cr_assert_float_eq(counted.applicable, one.applicable, EPS);
	cr_assert_eq(counted.passed, 3);
	cr_assert_eq(counted.sites, 6);
	struct score_sum v = {0};
	score_add_counts(&v, 5, "veto", 0, 2, 1);
	cr_assert_eq(v.veto_failed, 2);
	cr_assert_float_eq(v.applicable, 0, EPS);
}
