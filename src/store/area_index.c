#include "store/area_index.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/geo.h"

/* Enough for any city's districts, streets and grids; bounds a malformed file's cost. */
enum { RINGS_MAX = 256, POLYGONS_MAX = 1024, GRID_MAX = 256 };

struct area {
	int64_t id;
	int rank;
	struct geo_bbox box;
	struct geo_polygon *polys;
	size_t npolys;
	struct geo_ring *rings; /* every polygon's rings, one block */
	double *points;         /* every ring's positions, one block */
};

struct area_index {
	struct area *areas;
	size_t n, cap;
	struct geo_bbox extent;
	int cols, rows;
	double cell_lat, cell_lon;
	size_t *cell_start; /* cols*rows + 1 offsets into cell_items */
	uint32_t *cell_items;
};

int area_kind_rank(const char *kind)
{
	if (strcmp(kind, "grid") == 0)
		return 0;
	if (strcmp(kind, "street") == 0)
		return 1;
	return 2;
}

int area_index_new(struct area_index **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : ERR_INTERNAL;
}

static void area_release(struct area *a)
{
	free(a->polys);
	free(a->rings);
	free(a->points);
}

void area_index_free(struct area_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->n; i++)
		area_release(&ix->areas[i]);
	free(ix->areas);
	free(ix->cell_start);
	free(ix->cell_items);
	free(ix);
}

size_t area_index_count(const struct area_index *ix)
{
	return ix->n;
}

/* The polygons' coordinate arrays of a Polygon or MultiPolygon geometry, in polys. */
static size_t geometry_polygons(json_t *g, json_t **polys)
{
	const char *type = json_string_value(json_object_get(g, "type"));
	json_t *coords = json_object_get(g, "coordinates");
	if (!type || !json_is_array(coords))
		return 0;
	if (strcmp(type, "Polygon") == 0) {
		polys[0] = coords;
		return 1;
	}
	if (strcmp(type, "MultiPolygon") != 0 || json_array_size(coords) > POLYGONS_MAX)
		return 0;
	for (size_t i = 0; i < json_array_size(coords); i++)
		polys[i] = json_array_get(coords, i);
	return json_array_size(coords);
}

/* Counts rings and positions, checking shapes and coordinates on the way. */
static int measure(json_t **polys, size_t npolys, size_t *nrings, size_t *npoints)
{
	*nrings = *npoints = 0;
	for (size_t i = 0; i < npolys; i++) {
		size_t k = json_array_size(polys[i]);
		if (!json_is_array(polys[i]) || k == 0 || k > RINGS_MAX)
			return -1;
		*nrings += k;
		for (size_t r = 0; r < k; r++) {
			json_t *ring = json_array_get(polys[i], r);
			if (!json_is_array(ring) || json_array_size(ring) < 3)
				return -1;
			for (size_t j = 0; j < json_array_size(ring); j++) {
				json_t *pos = json_array_get(ring, j);
				json_t *lon = json_array_get(pos, 0), *lat = json_array_get(pos, 1);
				if (!json_is_number(lon) || !json_is_number(lat) ||
				    !geo_point_valid(json_number_value(lat),
				                     json_number_value(lon)))
					return -1;
			}
			*npoints += json_array_size(ring);
		}
	}
	return 0;
}

static int fill_area(struct area *a, json_t **polys, size_t npolys)
{
	size_t nrings, npoints;
	if (npolys == 0 || measure(polys, npolys, &nrings, &npoints) < 0)
		return -1;
	a->polys = calloc(npolys, sizeof *a->polys);
	a->rings = calloc(nrings, sizeof *a->rings);
	a->points = malloc(npoints * 2 * sizeof *a->points);
	if (!a->polys || !a->rings || !a->points)
		return -1;
	size_t ri = 0, pi = 0;
	for (size_t i = 0; i < npolys; i++) {
		a->polys[i].rings = &a->rings[ri];
		a->polys[i].nrings = json_array_size(polys[i]);
		for (size_t r = 0; r < a->polys[i].nrings; r++, ri++) {
			json_t *ring = json_array_get(polys[i], r);
			a->rings[ri].lonlat = &a->points[pi];
			a->rings[ri].n = json_array_size(ring);
			for (size_t j = 0; j < a->rings[ri].n; j++) {
				json_t *pos = json_array_get(ring, j);
				a->points[pi++] = json_number_value(json_array_get(pos, 0));
				a->points[pi++] = json_number_value(json_array_get(pos, 1));
			}
		}
	}
	a->npolys = npolys;
	return geo_multipolygon_bbox(a->polys, npolys, &a->box);
}

int area_index_add(struct area_index *ix, int64_t id, int rank, const char *geojson, struct err *e)
{
	if (ix->n == ix->cap) {
		size_t ncap = ix->cap ? ix->cap * 2 : 32;
		struct area *na = realloc(ix->areas, ncap * sizeof *na);
		if (!na)
			return err_set(e, ERR_INTERNAL, "out of memory");
		ix->areas = na;
		ix->cap = ncap;
	}
	json_error_t jerr;
	json_t *g = json_loads(geojson, 0, &jerr);
	if (!g)
		return err_set(e, ERR_BAD_REQUEST, "area %lld: geometry is not JSON: %s",
		               (long long)id, jerr.text);
	json_t **polys = malloc(POLYGONS_MAX * sizeof *polys);
	struct area a = {.id = id, .rank = rank};
	int bad = !polys || fill_area(&a, polys, geometry_polygons(g, polys)) < 0;
	free(polys);
	json_decref(g);
	if (bad) {
		area_release(&a);
		return err_set(e, ERR_BAD_REQUEST,
		               "area %lld: geometry is not a Polygon or MultiPolygon of valid"
		               " positions",
		               (long long)id);
	}
	ix->areas[ix->n++] = a;
	return 0;
}

static int by_rank_then_id(const void *x, const void *y)
{
	const struct area *a = x, *b = y;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

static int clamp_cell(double v, int n)
{
	if (!(v >= 0)) /* also NaN */
		return 0;
	return v >= n ? n - 1 : (int)v;
}

static void cell_span(const struct area_index *ix, const struct geo_bbox *b, int *c0, int *c1,
                      int *r0, int *r1)
{
	*c0 = clamp_cell((b->min_lon - ix->extent.min_lon) / ix->cell_lon, ix->cols);
	*c1 = clamp_cell((b->max_lon - ix->extent.min_lon) / ix->cell_lon, ix->cols);
	*r0 = clamp_cell((b->min_lat - ix->extent.min_lat) / ix->cell_lat, ix->rows);
	*r1 = clamp_cell((b->max_lat - ix->extent.min_lat) / ix->cell_lat, ix->rows);
}

int area_index_finish(struct area_index *ix, struct err *e)
{
	free(ix->cell_start);
	free(ix->cell_items);
	ix->cell_start = NULL;
	ix->cell_items = NULL;
	if (ix->n == 0)
		return 0;
	qsort(ix->areas, ix->n, sizeof *ix->areas, by_rank_then_id);
	ix->extent = ix->areas[0].box;
	for (size_t i = 1; i < ix->n; i++) {
		const struct geo_bbox *b = &ix->areas[i].box;
		ix->extent.min_lat = fmin(ix->extent.min_lat, b->min_lat);
		ix->extent.min_lon = fmin(ix->extent.min_lon, b->min_lon);
		ix->extent.max_lat = fmax(ix->extent.max_lat, b->max_lat);
		ix->extent.max_lon = fmax(ix->extent.max_lon, b->max_lon);
	}
	/* About two cells per area along each axis keeps buckets short for grids of small,
	 * tiling cells (the common case: CJ/T 213 grids cover the city). */
	int g = (int)ceil(2 * sqrt((double)ix->n));
	ix->cols = ix->rows = g < 1 ? 1 : g > GRID_MAX ? GRID_MAX : g;
	ix->cell_lon = fmax((ix->extent.max_lon - ix->extent.min_lon) / ix->cols, 1e-12);
	ix->cell_lat = fmax((ix->extent.max_lat - ix->extent.min_lat) / ix->rows, 1e-12);
	size_t ncells = (size_t)ix->cols * (size_t)ix->rows;
	ix->cell_start = calloc(ncells + 1, sizeof *ix->cell_start);
	if (!ix->cell_start)
		return err_set(e, ERR_INTERNAL, "out of memory for the area index");
	size_t total = 0;
	for (int pass = 0; pass < 2; pass++) { /* count, then place */
		size_t *fill = NULL;
		if (pass == 1) {
			for (size_t c = 0; c < ncells; c++)
				ix->cell_start[c + 1] += ix->cell_start[c];
			total = ix->cell_start[ncells];
			ix->cell_items = malloc((total ? total : 1) * sizeof *ix->cell_items);
			fill = calloc(ncells, sizeof *fill);
			if (!ix->cell_items || !fill) {
				free(fill);
				free(ix->cell_start);
				ix->cell_start = NULL; /* locate finds nothing rather than crash */
				return err_set(e, ERR_INTERNAL, "out of memory for the area index");
			}
		}
		for (size_t i = 0; i < ix->n; i++) {
			int c0, c1, r0, r1;
			cell_span(ix, &ix->areas[i].box, &c0, &c1, &r0, &r1);
			for (int r = r0; r <= r1; r++)
				for (int c = c0; c <= c1; c++) {
					size_t cell = (size_t)r * (size_t)ix->cols + (size_t)c;
					if (pass == 0)
						ix->cell_start[cell + 1]++;
					else
						ix->cell_items[ix->cell_start[cell] +
						               fill[cell]++] = (uint32_t)i;
				}
		}
		free(fill);
	}
	return 0;
}

int64_t area_index_locate(const struct area_index *ix, double lat, double lon)
{
	if (!ix->cell_start || !geo_point_valid(lat, lon) ||
	    !geo_bbox_contains(&ix->extent, lat, lon))
		return 0;
	struct geo_bbox pt = {lat, lon, lat, lon};
	int c, c1, r, r1;
	cell_span(ix, &pt, &c, &c1, &r, &r1);
	size_t cell = (size_t)r * (size_t)ix->cols + (size_t)c;
	/* Items are in (rank, id) order, so the first hit is the answer. */
	for (size_t k = ix->cell_start[cell]; k < ix->cell_start[cell + 1]; k++) {
		const struct area *a = &ix->areas[ix->cell_items[k]];
		if (geo_bbox_contains(&a->box, lat, lon) &&
		    geo_multipolygon_contains(a->polys, a->npolys, lat, lon))
			return a->id;
	}
	return 0;
}
