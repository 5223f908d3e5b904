/* The figures the office is judged by (docs/figures.md): rates from counts, the composite
 * score under configurable weights, and the 红黑榜 ranking. Pure: no store, no HTTP. A rate
 * whose denominator is 0 is undefined (never 0, never NaN): callers print it as null. */
#ifndef WM_FIGURES_H
#define WM_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* What one group (a unit, district, category or source) did in a period. */
struct fig_counts {
	int64_t reported;           /* cases requested in the period */
	int64_t valid_reported;     /* … not merged as duplicates: 有效上报数 */
	int64_t registered;         /* register moves: 立案数 */
	int64_t rejected;           /* reject moves (不予立案) */
	int64_t dispatched;         /* dispatch moves: 派遣数 */
	int64_t dispatched_ontime;  /* … made by the dispatch stage's deadline */
	int64_t handled;            /* handle (and onsite) moves: 处置数 */
	int64_t due_handle;         /* 应处置数 (cases; see docs/figures.md) */
	int64_t due_handled;        /* … of which handled */
	int64_t due_handled_ontime; /* … of which the last handling was on time */
	int64_t reworked;           /* verify_fail moves: 返工次数 */
	int64_t verified;           /* verify_pass + verify_fail moves: 应核查数 */
	int64_t verified_ontime;    /* … made by the verify stage's deadline */
	int64_t closed;             /* verify_pass moves: 结案数 (of the unit that did the work) */
	int64_t place_closed;       /* … counted for the place, as registered is: 结案率's */
	int64_t deferred;           /* defer moves: 缓办数 */
	int64_t ratings;            /* 评价数 */
	int64_t satisfied;          /* 满意 + 基本满意 */
	int64_t recurred;           /* 反复发生: new cases at the place of one this unit closed */
	int64_t overdue_now;        /* open cases past their stage deadline now */
};

enum fig_id {
	FIG_REGISTER,        /* 立案率 */
	FIG_DISPATCH_ONTIME, /* 按期派遣率 */
	FIG_HANDLE,          /* 处置率 */
	FIG_HANDLE_ONTIME,   /* 按期处置率 */
	FIG_REWORK,          /* 返工率 (lower is better) */
	FIG_VERIFY_ONTIME,   /* 按期核查率 */
	FIG_CLOSE,           /* 结案率 */
	FIG_SATISFACTION,    /* 满意率 */
	FIG_RECUR,           /* 复发率 (lower is better) */
	FIG_COUNT
};

struct fig_def {
	const char *name;  /* JSON/CSV key and weights.csv figure, e.g. "register_rate" */
	const char *label; /* 立案率 */
	int lower_is_better;
};
extern const struct fig_def fig_defs[FIG_COUNT];

struct fig_rates {
	double v[FIG_COUNT];
	unsigned char set[FIG_COUNT]; /* 0: undefined (denominator 0) */
};

/* num / den into *out and 1; 0 (out untouched) when den <= 0. */
int figures_rate(int64_t num, int64_t den, double *out);
void figures_rates(const struct fig_counts *c, struct fig_rates *out);

struct fig_weights {
	double w[FIG_COUNT];
};
/* The defaults that data/figures/weights.csv ships with. */
void figures_weights_default(struct fig_weights *w);
/* Reads figure,weight[,…] rows (figure names as in fig_defs; unknown ones and negative or
 * non-numeric weights are errors, figures not listed weigh 0). */
int figures_weights_load(const char *path, struct fig_weights *w, struct err *e);

/* 100 × Σ wᵢ·sᵢ / Σ wᵢ over the defined figures, sᵢ the rate clamped to [0, 1] (1 − rate when
 * lower is better). 0 (out untouched) when no weighted figure is defined. */
int figures_composite(const struct fig_rates *r, const struct fig_weights *w, double *out);

/* Nearest-rank percentile p (0 < p <= 100) of v[0..n); reorders v. 0 when n == 0. */
int figures_percentile(double *v, size_t n, double p, double *out);

struct fig_rank_item {
	int64_t key;
	int has_score;
	double score;
};
/* Sorts items best first (score descending, ties by key; unscored last) and returns how many
 * are scored. 红榜: items[0 .. *red); 黑榜: the *black worst scored items, worst first, i.e.
 * items[scored-1], items[scored-2], … . Nobody is on both lists: with fewer than 2·top scored
 * units the black list is what the red one leaves. */
size_t figures_rank(struct fig_rank_item *items, size_t n, size_t top, size_t *red, size_t *black);

#endif
