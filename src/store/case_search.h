/* The case search index (migration 020, docs/search.md): each case's Chinese bigrams, so a
 * search for words in descriptions and addresses reads a few candidates instead of every
 * case. The list query still confirms each candidate with a substring test, so the index
 * only ever narrows: its answers are those of a full scan. */
#ifndef WM_CASE_SEARCH_H
#define WM_CASE_SEARCH_H

#include <stdint.h>

#include "lib/err.h"

struct db;
struct arena;

/* Indexes one new case, in the caller's transaction (the case's insert). */
int case_search_add(struct db *db, int64_t case_id, const char *description, const char *address,
                    struct err *e);

/* A condition on cases aliased c ("c.id IN (…)") holding every bigram of q, its one bound
 * argument in *arg; both in a. NULL when q has no bigram: the caller scans instead. */
const char *case_search_filter(const struct db *db, struct arena *a, const char *q,
                               const char **arg);

/* Indexes the cases the index does not hold yet (made before migration 020, or copied in by
 * import), a batch per transaction; *indexed (may be NULL) counts them. Not in a transaction. */
int case_search_catch_up(struct db *db, int64_t *indexed, struct err *e);

/* Empties the index and marks every case to be indexed again (after import copied rows in),
 * in the caller's transaction. */
int case_search_reset(struct db *db, struct err *e);

#endif
