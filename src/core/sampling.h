/* Drawing the sites of an inspection round (督查/模拟测评), as evaluators do: every site in
 * scope, or a stratified random sample — per stratum (site type × district) a number of sites
 * or a share of them — reproducible from a seed. Pure: no store. */
#ifndef WM_SAMPLING_H
#define WM_SAMPLING_H

#include <stddef.h>
#include <stdint.h>

struct sample_site {
	int64_t id;
	const char *type;  /* site type code */
	int64_t district;  /* district unit or area id; 0: none */
};

struct sample_plan {
	int all;           /* every site; the rest is ignored */
	int per_stratum;   /* > 0: this many per stratum (all of a smaller one) */
	double share;      /* else (0, 1]: this share per stratum, rounded up, at least 1 */
	uint64_t seed;
};

/* The drawn site ids into out (room for n), sorted by id; returns how many. Each stratum draws
 * from its own stream of the seed, so the sample of one stratum depends only on the seed and
 * that stratum's sites — not on the order of `sites` nor on the other strata. No id twice
 * (duplicate ids in `sites` are counted once). */
size_t sample_draw(const struct sample_site *sites, size_t n, const struct sample_plan *p,
                   int64_t *out);

#endif
