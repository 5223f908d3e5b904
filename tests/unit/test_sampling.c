/* core/sampling: a round's sample is reproducible from its seed (whatever the order of the
 * sites), stratified by site type × district with the asked number or share per stratum, never
 * holds a site twice, and one stratum's draw does not move when another stratum changes. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/sampling.h"

enum { N = 300 };
static const char *const TYPES[] = {"main_road", "market", "bus_stop", "park"};
static struct sample_site sites[N];

/* 4 types × 5 districts, uneven: stratum sizes from 1 to 30 */
static size_t make_sites(void)
{
	size_t n = 0;
	for (int t = 0; t < 4; t++)
		for (int d = 1; d <= 5; d++)
			for (int k = 0; k < 1 + (t * 7 + d * 5) % 30 && n < N; k++)
				sites[n] = (struct sample_site){(int64_t)(n + 1) * 10, TYPES[t], d}, n++;
	return n;
}

static size_t stratum_size(size_t n, const char *type, int64_t d)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += !strcmp(sites[i].type, type) && sites[i].district == d;
	return c;
}

static size_t drawn_in(const int64_t *out, size_t m, size_t n, const char *type, int64_t d)
{
	size_t c = 0;
	for (size_t k = 0; k < m; k++)
		for (size_t i = 0; i < n; i++)
			if (sites[i].id == out[k] && !strcmp(sites[i].type, type) && sites[i].district == d)
				c++;
	return c;
}

Test(sampling, all_takes_every_site_once)
{
	size_t n = make_sites();
	int64_t out[N];
	struct sample_plan p = {.all = 1};
	cr_assert_eq(sample_draw(sites, n, &p, out), n);
	for (size_t k = 1; k < n; k++)
		cr_assert_lt(out[k - 1], out[k], "sorted, no id twice");
}

Test(sampling, per_stratum_and_share)
{
	size_t n = make_sites();
	int64_t out[N];
	struct sample_plan p = {.per_stratum = 3, .seed = 42};
	size_t m = sample_draw(sites, n, &p, out);
	size_t want = 0;
	for (int t = 0; t < 4; t++)
		for (int d = 1; d <= 5; d++) {
			size_t s = stratum_size(n, TYPES[t], d), w = s < 3 ? s : 3;
			want += w;
			cr_assert_eq(drawn_in(out, m, n, TYPES[t], d), w, "%s/%d", TYPES[t], d);
		}
	cr_assert_eq(m, want);
	struct sample_plan q = {.share = 0.25, .seed = 42};
	m = sample_draw(sites, n, &q, out);
	for (int t = 0; t < 4; t++)
		for (int d = 1; d <= 5; d++) {
			size_t s = stratum_size(n, TYPES[t], d);
			size_t w = (s + 3) / 4; /* ⌈s/4⌉, at least 1 */
			cr_assert_eq(drawn_in(out, m, n, TYPES[t], d), w, "%s/%d", TYPES[t], d);
		}
	for (size_t k = 1; k < m; k++)
		cr_assert_lt(out[k - 1], out[k]);
}

Test(sampling, reproducible_whatever_the_order)
{
	size_t n = make_sites();
	int64_t a[N], b[N], c[N];
	struct sample_plan p = {.per_stratum = 2, .seed = 7};
	size_t ma = sample_draw(sites, n, &p, a);
	/* the same sites reversed */
	struct sample_site rev[N];
	for (size_t i = 0; i < n; i++)
		rev[i] = sites[n - 1 - i];
	size_t mb = sample_draw(rev, n, &p, b);
	cr_assert_eq(ma, mb);
	cr_assert_eq(memcmp(a, b, ma * sizeof *a), 0, "same seed, same sample");
	p.seed = 8;
	size_t mc = sample_draw(sites, n, &p, c);
	cr_assert_eq(mc, ma);
	cr_assert_neq(memcmp(a, c, ma * sizeof *a), 0, "another seed, another sample");
}

Test(sampling, other_strata_do_not_move_a_stratum)
{
	size_t n = make_sites();
	int64_t a[N], b[N];
	struct sample_plan p = {.per_stratum = 2, .seed = 99};
	size_t ma = sample_draw(sites, n, &p, a);
	/* drop every market: the main roads' draw stays the same */
	struct sample_site fewer[N];
	size_t f = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(sites[i].type, "market") != 0)
			fewer[f++] = sites[i];
	size_t mb = sample_draw(fewer, f, &p, b);
	for (size_t k = 0; k < ma; k++) {
		const struct sample_site *s = NULL;
		for (size_t i = 0; i < n; i++)
			if (sites[i].id == a[k])
				s = &sites[i];
		if (strcmp(s->type, "market") == 0)
			continue;
		int found = 0;
		for (size_t j = 0; j < mb; j++)
			found |= b[j] == a[k];
		cr_assert(found, "site %lld (%s) kept its place in the sample", (long long)a[k], s->type);
	}
}

Test(sampling, duplicates_and_empty)
{
	struct sample_site two[] = {{5, "park", 1}, {5, "park", 1}, {6, "park", 1}};
	int64_t out[3];
	struct sample_plan p = {.all = 1};
	cr_assert_eq(sample_draw(two, 3, &p, out), 2);
	cr_assert_eq(sample_draw(two, 0, &p, out), 0);
}
