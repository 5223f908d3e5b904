#include "core/checklist.h"

#include <string.h>

enum { NONE = (size_t)-1 };

int checklist_match(const char *const *list, size_t n, const char *const *codes,
                    const char *const *results, size_t m, const char *what, size_t *at,
                    struct err *e)
{
	for (size_t k = 0; k < n; k++)
		at[k] = NONE;
	for (size_t i = 0; i < m; i++) {
		if (strcmp(results[i], "pass") && strcmp(results[i], "fail") &&
		    strcmp(results[i], "na"))
			return err_set(e, ERR_BAD_REQUEST,
			               "item %s: the result is pass, fail or na", codes[i]);
		size_t k = 0;
		while (k < n && strcmp(list[k], codes[i]))
			k++;
		if (k == n)
			return err_set(e, ERR_UNPROCESSABLE, "item %s is not on %s", codes[i],
			               what);
		if (at[k] != NONE)
			return err_set(e, ERR_UNPROCESSABLE, "item %s is given twice", codes[i]);
		at[k] = i;
	}
	size_t missing = 0;
	const char *first = NULL;
	for (size_t k = 0; k < n; k++)
		if (at[k] == NONE && !missing++)
			first = list[k];
	if (missing)
		return err_set(e, ERR_UNPROCESSABLE,
		               "%s is not complete: %zu item%s without a result (first %s)", what,
		               missing, missing > 1 ? "s" : "", first);
	return 0;
}
