/* The figures as arithmetic over counts (docs/figures.md says which counts and why). Every
 * rate goes through figures_rate, the one place that refuses a zero denominator. */
#include "core/figures.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"

const struct fig_def fig_defs[FIG_COUNT] = {
    [FIG_REGISTER] = {"register_rate", "立案率", 0},
    [FIG_DISPATCH_ONTIME] = {"dispatch_ontime_rate", "按期派遣率", 0},
    [FIG_HANDLE] = {"handle_rate", "处置率", 0},
    [FIG_HANDLE_ONTIME] = {"handle_ontime_rate", "按期处置率", 0},
    [FIG_REWORK] = {"rework_rate", "返工率", 1},
    [FIG_VERIFY_ONTIME] = {"verify_ontime_rate", "按期核查率", 0},
    [FIG_CLOSE] = {"close_rate", "结案率", 0},
    [FIG_SATISFACTION] = {"satisfaction_rate", "满意率", 0},
    [FIG_RECUR] = {"recurrence_rate", "复发率", 1},
};

int figures_rate(int64_t num, int64_t den, double *out)
{
	if (den <= 0)
		return 0;
	*out = (double)num / (double)den;
	return 1;
}

void figures_rates(const struct fig_counts *c, struct fig_rates *out)
{
	/* numerator, denominator per figure: the table of docs/figures.md */
	const int64_t nd[FIG_COUNT][2] = {
	    [FIG_REGISTER] = {c->registered, c->valid_reported},
	    [FIG_DISPATCH_ONTIME] = {c->dispatched_ontime, c->dispatched},
	    [FIG_HANDLE] = {c->due_handled, c->due_handle},
	    [FIG_HANDLE_ONTIME] = {c->due_handled_ontime, c->due_handle},
	    [FIG_REWORK] = {c->reworked, c->handled},
	    [FIG_VERIFY_ONTIME] = {c->verified_ontime, c->verified},
	    [FIG_CLOSE] = {c->place_closed, c->registered},
	    [FIG_SATISFACTION] = {c->satisfied, c->ratings},
	    [FIG_RECUR] = {c->recurred, c->closed},
	};
	for (int i = 0; i < FIG_COUNT; i++) {
		out->v[i] = 0;
		out->set[i] = (unsigned char)figures_rate(nd[i][0], nd[i][1], &out->v[i]);
	}
}

void figures_weights_default(struct fig_weights *w)
{
	static const double DEF[FIG_COUNT] = {
	    [FIG_REGISTER] = 10,      [FIG_DISPATCH_ONTIME] = 10, [FIG_HANDLE] = 15,
	    [FIG_HANDLE_ONTIME] = 20, [FIG_REWORK] = 10,          [FIG_VERIFY_ONTIME] = 10,
	    [FIG_CLOSE] = 10,         [FIG_SATISFACTION] = 10,    [FIG_RECUR] = 5,
	};
	memcpy(w->w, DEF, sizeof DEF);
}

int figures_weights_load(const char *path, struct fig_weights *w, struct err *e)
{
	static const char *const COLS[] = {"figure", "weight", NULL};
	struct csv *c;
	int rc = csv_open_file(path, &c, e);
	if (rc < 0)
		return rc;
	memset(w, 0, sizeof *w);
	if ((rc = csv_read_header(c, e)) < 0 || (rc = csv_require(c, COLS, e)) < 0)
		goto out;
	while ((rc = csv_next(c, e)) == 1) {
		const char *name = csv_get(c, "figure"), *val = csv_get(c, "weight");
		int id = -1;
		for (int i = 0; i < FIG_COUNT; i++)
			if (strcmp(fig_defs[i].name, name) == 0)
				id = i;
		if (id < 0) {
			rc = csv_error(c, e, ERR_UNPROCESSABLE, "unknown figure %.60s", name);
			goto out;
		}
		char *end;
		errno = 0;
		double v = strtod(val, &end);
		if (errno || end == val || *end || !isfinite(v) || v < 0) {
			rc = csv_error(c, e, ERR_UNPROCESSABLE, "weight %.40s is not a number >= 0",
			               val);
			goto out;
		}
		w->w[id] = v;
	}
out:
	csv_free(c);
	return rc < 0 ? rc : 0;
}

int figures_composite(const struct fig_rates *r, const struct fig_weights *w, double *out)
{
	double sum = 0, wsum = 0;
	for (int i = 0; i < FIG_COUNT; i++) {
		if (!r->set[i] || w->w[i] <= 0)
			continue;
		/* 结案率 may pass 1 when a period closes an older backlog; a score must not reward
		 * a figure beyond "all done" */
		double s = r->v[i] < 0 ? 0 : r->v[i] > 1 ? 1 : r->v[i];
		if (fig_defs[i].lower_is_better)
			s = 1 - s;
		sum += w->w[i] * s;
		wsum += w->w[i];
	}
	if (wsum <= 0)
		return 0;
	/* figures that are undefined leave the score to the others instead of counting as 0,
	 * so a unit with no ratings yet is not punished for its citizens' silence */
	*out = 100 * sum / wsum;
	return 1;
}

static void swap_d(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

/* The k-th smallest of v[0..n) (0-based), reordering v: quickselect with a median-of-three
 * pivot and a three-way partition (ties cost nothing), linear on average — a month's handling
 * times of a city are ~150,000 values, and sorting them all was a tenth of the figures' time. */
static double select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n; /* the k-th lies in [lo, hi) */
	while (hi - lo > 1) {
		double a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1];
		double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		/* [lo, lt) < pivot, [lt, i) == pivot, [gt, hi) > pivot */
		size_t lt = lo, i = lo, gt = hi;
		while (i < gt) {
			if (v[i] < pivot)
				swap_d(&v[lt++], &v[i++]);
			else if (v[i] > pivot)
				swap_d(&v[i], &v[--gt]);
			else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return pivot;
	}
	return v[lo];
}

int figures_percentile(double *v, size_t n, double p, double *out)
{
	if (n == 0 || !(p > 0 && p <= 100))
		return 0;
	size_t rank = (size_t)ceil(p / 100 * (double)n); /* nearest rank, 1-based */
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	*out = select_kth(v, n, rank - 1);
	return 1;
}

static int cmp_rank(const void *a, const void *b)
{
	const struct fig_rank_item *x = a, *y = b;
	if (x->has_score != y->has_score)
		return x->has_score ? -1 : 1;
	if (x->has_score && x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->key > y->key) - (x->key < y->key);
}

size_t figures_rank(struct fig_rank_item *items, size_t n, size_t top, size_t *red, size_t *black)
{
	qsort(items, n, sizeof *items, cmp_rank);
	size_t scored = 0;
	while (scored < n && items[scored].has_score)
		scored++;
	*red = top < scored ? top : scored;
	size_t rest = scored - *red;
	*black = top < rest ? top : rest;
	return scored;
}
