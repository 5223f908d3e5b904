/* A submitted checklist — an inspection of a site, a unit's self-assessment — against the
 * items it must answer: every answer names a listed item once with pass, fail or na, and
 * every listed item is answered. Pure: no store. */
#ifndef WM_CHECKLIST_H
#define WM_CHECKLIST_H

#include <stddef.h>

#include "lib/err.h"

/* Pairs the m answers (codes[i], results[i]) with the n listed codes: at[k] receives the
 * index of the answer to list entry k. The first problem found is the error:
 * ERR_BAD_REQUEST for a result other than pass, fail, na; ERR_UNPROCESSABLE for a code not
 * on the list, a code answered twice, or items left unanswered (how many, and the first).
 * `what` names the list in messages, e.g. "this site's checklist". */
int checklist_match(const char *const *list, size_t n, const char *const *codes,
                    const char *const *results, size_t m, const char *what, size_t *at,
                    struct err *e);

#endif
