#include "core/sampling.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A number below bound, without modulo bias. */
static uint64_t below(uint64_t *state, uint64_t bound)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound, r;
	do
		r = splitmix64(state);
	while (r >= limit);
	return r % bound;
}

static uint64_t stratum_stream(uint64_t seed, const char *type, int64_t district)
{
	uint64_t h = 1469598103934665603ull ^ seed; /* FNV-1a over the stratum's key */
	for (const unsigned char *p = (const unsigned char *)type; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	for (int i = 0; i < 8; i++)
		h = (h ^ (unsigned char)((uint64_t)district >> (8 * i))) * 1099511628211ull;
	return h;
}

static int by_stratum(const void *a, const void *b)
{
	const struct sample_site *x = a, *y = b;
	int c = strcmp(x->type ? x->type : "", y->type ? y->type : "");
	if (c)
		return c;
	if (x->district != y->district)
		return x->district < y->district ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static int by_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

size_t sample_draw(const struct sample_site *sites, size_t n, const struct sample_plan *p,
                   int64_t *out)
{
	if (n == 0)
		return 0;
	struct sample_site *v = malloc(n * sizeof *v);
	if (!v)
		abort(); /* as buf.c: a pure helper with no error path for memory */
	memcpy(v, sites, n * sizeof *v);
	qsort(v, n, sizeof *v, by_stratum);
	size_t m = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && !strcmp(v[j].type ? v[j].type : "", v[i].type ? v[i].type : "") &&
		       v[j].district == v[i].district)
			j++;
		/* the stratum v[i..j) without duplicate ids (sorted: neighbours) */
		size_t k = i + 1;
		for (size_t t = i + 1; t < j; t++)
			if (v[t].id != v[k - 1].id)
				v[k++] = v[t];
		size_t size = k - i, want = size;
		if (!p->all) {
			if (p->per_stratum > 0)
				want = (size_t)p->per_stratum < size ? (size_t)p->per_stratum : size;
			else if (p->share > 0 && p->share < 1)
				want = (size_t)ceil(p->share * (double)size);
		}
		uint64_t state = stratum_stream(p->seed, v[i].type ? v[i].type : "", v[i].district);
		/* the first `want` of a Fisher–Yates shuffle of the stratum (in its sorted order) */
		for (size_t t = 0; t < want; t++) {
			size_t r = t + (size_t)below(&state, size - t);
			struct sample_site tmp = v[i + t];
			v[i + t] = v[i + r];
			v[i + r] = tmp;
			out[m++] = v[i + t].id;
		}
		i = j;
	}
	free(v);
	qsort(out, m, sizeof *out, by_id);
	return m;
}
