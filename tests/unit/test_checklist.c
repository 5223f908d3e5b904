/* core/checklist: answers paired with the listed items; every refusal and its message. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/checklist.h"

static const char *const LIST[] = {"A1", "A2", "A3"};

static int run(const char *const *codes, const char *const *results, size_t m, size_t *at,
               struct err *e)
{
	return checklist_match(LIST, 3, codes, results, m, "this site's checklist", at, e);
}

Test(checklist, pairs_answers_in_any_order)
{
	const char *codes[] = {"A3", "A1", "A2"}, *results[] = {"na", "pass", "fail"};
	size_t at[3];
	struct err e = {0};
	cr_assert_eq(run(codes, results, 3, at, &e), 0, "%s", e.msg);
	cr_assert_eq(at[0], 1);
	cr_assert_eq(at[1], 2);
	cr_assert_eq(at[2], 0);
}

Test(checklist, refusals)
{
	size_t at[3];
	struct err e = {0};
	const char *bad[] = {"A1", "A2", "A3"}, *r1[] = {"pass", "maybe", "na"};
	cr_assert_eq(run(bad, r1, 3, at, &e), ERR_BAD_REQUEST);
	cr_assert_str_eq(e.msg, "item A2: the result is pass, fail or na");
	const char *unknown[] = {"A1", "Z9"}, *r2[] = {"pass", "pass"};
	cr_assert_eq(run(unknown, r2, 2, at, &e), ERR_UNPROCESSABLE);
	cr_assert_str_eq(e.msg, "item Z9 is not on this site's checklist");
	const char *twice[] = {"A1", "A1"};
	cr_assert_eq(run(twice, r2, 2, at, &e), ERR_UNPROCESSABLE);
	cr_assert_str_eq(e.msg, "item A1 is given twice");
	const char *short_[] = {"A2"}, *r3[] = {"fail"};
	cr_assert_eq(run(short_, r3, 1, at, &e), ERR_UNPROCESSABLE);
	cr_assert_str_eq(e.msg,
	                 "this site's checklist is not complete: 2 items without a result (first A1)");
}
