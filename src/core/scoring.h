/* Scores of an inspection round (docs/standards.md, "Scores"): per site, points kept over
 * points applicable — an item inspected pass or fail is applicable, n/a is not — counting the
 * ordinary items only; negative-list (deduct) and veto items are kept apart as counts of
 * failures. Groups (district, unit, site type, the city) add their sites' points, so a site
 * with more applicable items weighs more, as a sampled evaluation does. Pure: no store. */
#ifndef WM_SCORING_H
#define WM_SCORING_H

#include <stdint.h>

/* One item's result at one site. */
struct score_result {
	double points;
	const char *veto;   /* none, deduct, veto */
	const char *result; /* pass, fail, na */
};

struct score_sum {
	double kept, applicable; /* ordinary items' points */
	int64_t passed, failed, na;
	int64_t deduct_failed, veto_failed; /* negative-list and veto items failed */
	int64_t sites;
};

/* Adds one result into s. */
void score_add(struct score_sum *s, const struct score_result *r);
/* Adds pass/fail/na counts of one item (its points and veto kind) into s, as score_add would
 * one result at a time; sites gains the item's inspections. */
void score_add_counts(struct score_sum *s, double points, const char *veto, int64_t passed,
                      int64_t failed, int64_t na);
/* Adds a whole group (e.g. a site) into another. */
void score_merge(struct score_sum *into, const struct score_sum *from);
/* 100 × kept / applicable into *out and 1; 0 when nothing was applicable. */
int score_value(const struct score_sum *s, double *out);

#endif
