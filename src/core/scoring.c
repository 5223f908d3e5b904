#include "core/scoring.h"

#include <string.h>

void score_add(struct score_sum *s, const struct score_result *r)
{
	int fail = !strcmp(r->result, "fail"), pass = !strcmp(r->result, "pass");
	s->passed += pass;
	s->failed += fail;
	s->na += !pass && !fail;
	if (r->veto && !strcmp(r->veto, "veto")) {
		s->veto_failed += fail;
		return;
	}
	if (r->veto && !strcmp(r->veto, "deduct")) {
		s->deduct_failed += fail;
		return;
	}
	if (pass || fail)
		s->applicable += r->points;
	if (pass)
		s->kept += r->points;
}

void score_add_counts(struct score_sum *s, double points, const char *veto, int64_t passed,
                      int64_t failed, int64_t na)
{
	s->passed += passed;
	s->failed += failed;
	s->na += na;
	s->sites += passed + failed + na;
	if (veto && !strcmp(veto, "veto"))
		s->veto_failed += failed;
	else if (veto && !strcmp(veto, "deduct"))
		s->deduct_failed += failed;
	else {
		s->applicable += points * (double)(passed + failed);
		s->kept += points * (double)passed;
	}
}

void score_merge(struct score_sum *into, const struct score_sum *from)
{
	into->kept += from->kept;
	into->applicable += from->applicable;
	into->passed += from->passed;
	into->failed += from->failed;
	into->na += from->na;
	into->deduct_failed += from->deduct_failed;
	into->veto_failed += from->veto_failed;
	into->sites += from->sites;
}

int score_value(const struct score_sum *s, double *out)
{
	if (!(s->applicable > 0))
		return 0;
	*out = 100.0 * s->kept / s->applicable;
	return 1;
}
