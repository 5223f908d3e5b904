/* core/figures: rates from counts (undefined, not 0 or NaN, on a zero denominator), the
 * composite score under weights (lower-is-better figures inverted, rates capped, undefined
 * figures left out), percentiles and the 红黑榜 ranking. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/figures.h"

#define EPS 1e-9

Test(figures, rate_refuses_zero_denominator)
{
	double v = 42;
	cr_assert_eq(figures_rate(0, 0, &v), 0);
	cr_assert_eq(figures_rate(5, 0, &v), 0);
	cr_assert_eq(figures_rate(1, -1, &v), 0);
	cr_assert_float_eq(v, 42, EPS, "an undefined rate leaves out untouched");
	cr_assert_eq(figures_rate(1, 4, &v), 1);
	cr_assert_float_eq(v, 0.25, EPS);
	cr_assert_eq(figures_rate(0, 3, &v), 1);
	cr_assert_float_eq(v, 0, EPS);
}

Test(figures, rates_use_the_documented_denominators)
{
	struct fig_counts c = {
	    .reported = 12,
	    .valid_reported = 10,
	    .registered = 8,
	    .dispatched = 8,
	    .dispatched_ontime = 6,
	    .handled = 5,
	    .due_handle = 10,
	    .due_handled = 7,
	    .due_handled_ontime = 4,
	    .reworked = 1,
	    .verified = 5,
	    .verified_ontime = 5,
	    .closed = 5,
	    .place_closed = 4,
	    .deferred = 1,
	    .ratings = 4,
	    .satisfied = 3,
	    .recurred = 1,
	};
	struct fig_rates r;
	figures_rates(&c, &r);
	for (int i = 0; i < FIG_COUNT; i++)
		cr_assert(r.set[i], "%s defined", fig_defs[i].name);
	cr_assert_float_eq(r.v[FIG_REGISTER], 0.8, EPS);         /* 8 / 10 (valid, not 12) */
	cr_assert_float_eq(r.v[FIG_DISPATCH_ONTIME], 0.75, EPS); /* 6 / 8 */
	cr_assert_float_eq(r.v[FIG_HANDLE], 0.7, EPS);           /* 7 / 10 */
	cr_assert_float_eq(r.v[FIG_HANDLE_ONTIME], 0.4, EPS);    /* 4 / 10 */
	cr_assert_float_eq(r.v[FIG_REWORK], 0.2, EPS);           /* 1 / 5 handled */
	cr_assert_float_eq(r.v[FIG_VERIFY_ONTIME], 1.0, EPS);    /* 5 / 5 */
	cr_assert_float_eq(r.v[FIG_CLOSE], 0.5, EPS);            /* 4 at the place / 8 registered */
	cr_assert_float_eq(r.v[FIG_SATISFACTION], 0.75, EPS);    /* 3 / 4 */
	cr_assert_float_eq(r.v[FIG_RECUR], 0.2, EPS);            /* 1 / 5 closed */
}

Test(figures, empty_counts_give_no_rates)
{
	struct fig_counts c = {0};
	struct fig_rates r;
	figures_rates(&c, &r);
	for (int i = 0; i < FIG_COUNT; i++) {
		cr_assert_not(r.set[i], "%s undefined", fig_defs[i].name);
		cr_assert(isfinite(r.v[i]));
	}
	struct fig_weights w;
	figures_weights_default(&w);
	double s = -1;
	cr_assert_eq(figures_composite(&r, &w, &s), 0, "no figure, no score");
	cr_assert_float_eq(s, -1, EPS);
}

Test(figures, composite_weights_inverts_and_caps)
{
	struct fig_weights w = {{0}};
	w.w[FIG_HANDLE] = 3;
	w.w[FIG_REWORK] = 1;
	w.w[FIG_CLOSE] = 1;
	struct fig_rates r = {{0}, {0}};
	r.set[FIG_HANDLE] = 1, r.v[FIG_HANDLE] = 0.5;
	r.set[FIG_REWORK] = 1, r.v[FIG_REWORK] = 0.25;          /* scored 0.75 */
	r.set[FIG_CLOSE] = 1, r.v[FIG_CLOSE] = 1.5;             /* capped to 1 */
	r.set[FIG_SATISFACTION] = 1, r.v[FIG_SATISFACTION] = 0; /* weight 0: ignored */
	double s;
	cr_assert_eq(figures_composite(&r, &w, &s), 1);
	/* 100 × (3·0.5 + 1·0.75 + 1·1) / 5 = 65 */
	cr_assert_float_eq(s, 65, EPS);

	/* an undefined figure leaves the score to the others: handle alone (3·0.5 / 3) */
	r.set[FIG_REWORK] = 0, r.set[FIG_CLOSE] = 0;
	cr_assert_eq(figures_composite(&r, &w, &s), 1);
	cr_assert_float_eq(s, 50, EPS);
}

Test(figures, default_weights_match_the_shipped_file)
{
	struct fig_weights def, file;
	struct err e = {0};
	figures_weights_default(&def);
	cr_assert_eq(figures_weights_load(WM_DATA_DIR "/figures/weights.csv", &file, &e), 0, "%s",
	             e.msg);
	double sum = 0;
	for (int i = 0; i < FIG_COUNT; i++) {
		cr_assert_float_eq(def.w[i], file.w[i], EPS, "%s", fig_defs[i].name);
		sum += def.w[i];
	}
	cr_assert_float_eq(sum, 100, EPS);
}

static int load_text(const char *text, struct fig_weights *w, struct err *e)
{
	char path[64];
	snprintf(path, sizeof path, "/tmp/wm-weights-%d.csv", (int)getpid());
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
	int rc = figures_weights_load(path, w, e);
	unlink(path);
	return rc;
}

Test(figures, weights_file_errors)
{
	struct fig_weights w;
	struct err e = {0};
	cr_assert_eq(load_text("figure,weight\nhandle_rate,2\n", &w, &e), 0, "%s", e.msg);
	cr_assert_float_eq(w.w[FIG_HANDLE], 2, EPS);
	cr_assert_float_eq(w.w[FIG_REGISTER], 0, EPS, "unlisted figures weigh 0");
	cr_assert_lt(load_text("figure,weight\nspeed_rate,2\n", &w, &e), 0);
	cr_assert(strstr(e.msg, "unknown figure"), "%s", e.msg);
	cr_assert_lt(load_text("figure,weight\nhandle_rate,-1\n", &w, &e), 0);
	cr_assert_lt(load_text("figure,weight\nhandle_rate,abc\n", &w, &e), 0);
	cr_assert_lt(load_text("figure,weight\nhandle_rate,nan\n", &w, &e), 0);
	cr_assert_lt(load_text("name,weight\nhandle_rate,1\n", &w, &e), 0);
}

Test(figures, percentile_nearest_rank)
{
	double v[] = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
	double p;
	cr_assert_eq(figures_percentile(v, 0, 90, &p), 0);
	cr_assert_eq(figures_percentile(v, 10, 90, &p), 1);
	cr_assert_float_eq(p, 9, EPS); /* rank ceil(9) = 9th of 1..10 */
	cr_assert_eq(figures_percentile(v, 10, 100, &p), 1);
	cr_assert_float_eq(p, 10, EPS);
	double one[] = {7.5};
	cr_assert_eq(figures_percentile(one, 1, 90, &p), 1);
	cr_assert_float_eq(p, 7.5, EPS);
	double two[] = {25, 20};
	cr_assert_eq(figures_percentile(two, 2, 90, &p), 1);
	cr_assert_float_eq(p, 25, EPS); /* rank ceil(1.8) = 2 */
}

Test(figures, ranking_red_and_black_lists)
{
	struct fig_rank_item it[] = {
	    {.key = 1, .has_score = 1, .score = 50},
	    {.key = 2, .has_score = 1, .score = 90},
	    {.key = 3, .has_score = 0},
	    {.key = 4, .has_score = 1, .score = 70},
	    {.key = 5, .has_score = 1, .score = 70},
	    {.key = 6, .has_score = 1, .score = 10},
	};
	size_t red, black;
	size_t scored = figures_rank(it, 6, 2, &red, &black);
	cr_assert_eq(scored, 5);
	/* best first; ties by key; unscored last */
	int64_t order[] = {2, 4, 5, 1, 6, 3};
	for (int i = 0; i < 6; i++)
		cr_assert_eq(it[i].key, order[i], "place %d", i);
	cr_assert_eq(red, 2);   /* 2, 4 */
	cr_assert_eq(black, 2); /* 6, then 1: it[scored-1], it[scored-2] */

	/* fewer than 2N: nobody on both lists */
	scored = figures_rank(it, 6, 4, &red, &black);
	cr_assert_eq(red, 4);
	cr_assert_eq(black, 1);
	scored = figures_rank(it, 6, 10, &red, &black);
	cr_assert_eq(red, 5);
	cr_assert_eq(black, 0);
	scored = figures_rank(it, 0, 5, &red, &black);
	cr_assert_eq(scored, 0);
	cr_assert_eq(red + black, 0);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The selection agrees with sorting, on random data, many ties, sorted and reversed input. */
Test(figures, percentile_matches_a_sort)
{
	enum { N = 1001 };
	static double v[N], w[N];
	unsigned seed = 12345;
	for (int shape = 0; shape < 4; shape++)
		for (size_t n = 1; n <= N; n += (n < 20 ? 1 : 97)) {
			for (size_t i = 0; i < n; i++) {
				seed = seed * 1103515245u + 12345u;
				double r = (double)(seed >> 16 & 0x7fff);
				v[i] = shape == 0 ? r : shape == 1 ? (double)((int)r % 5) :
				       shape == 2 ? (double)i : (double)(n - i);
			}
			memcpy(w, v, n * sizeof *v);
			qsort(w, n, sizeof *w, cmp_d);
			for (double p = 10; p <= 100; p += 10) {
				double got = -1;
				double copy[N];
				memcpy(copy, v, n * sizeof *v);
				cr_assert_eq(figures_percentile(copy, n, p, &got), 1);
				size_t rank = (size_t)ceil(p / 100 * (double)n);
				cr_assert_float_eq(got, w[(rank ? rank : 1) - 1], 0, "shape %d n %zu p %g",
				                   shape, n, p);
			}
		}
}
