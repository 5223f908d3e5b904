/* The figures' pre-counted tallies (migration 011, docs/figures.md): triggers append a delta
 * row per counted move, report, merge, recurrence and rating; folding sums the deltas into
 * case_tally and deletes them. Readers add case_tally and the deltas not yet folded, so folding
 * changes no figure, only how fast it is read. */
#ifndef WM_TALLY_H
#define WM_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct db;
struct job_ctx;

/* The counter columns of case_tally and case_tally_delta, ending with {NULL}; counts_offset is
 * where the column adds up in struct fig_counts (core/figures.h), or TALLY_NOT_A_COUNT (late:
 * the trend's, kept beside the counts). */
#define TALLY_NOT_A_COUNT ((size_t)-1)
struct tally_column {
	const char *name;
	size_t counts_offset;
};
extern const struct tally_column tally_columns[];

/* Folds all deltas, in transactions of at most chunk rows (0: 50,000) so a large backlog
 * (after an import, or with the jobs off) never holds the write lock long. *folded: delta
 * rows folded (may be NULL). */
int tally_fold(struct db *db, int64_t chunk, int64_t *folded, struct err *e);

/* The tally_fold job (every minute in `wenming serve`). */
int tally_fold_job(const struct job_ctx *ctx, struct err *e);

#endif
