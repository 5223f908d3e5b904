/* Which area (district, street, CJ/T 213 grid) holds a point, from polygons parsed once.
 * A uniform grid of buckets over the areas' extent lists, per bucket, the areas whose box
 * touches it, most specific kind first, so a lookup tests a handful of polygons instead of
 * parsing or scanning them all. Built once per reference-data snapshot, then read-only:
 * any number of threads may look up at once. */
#ifndef WM_AREA_INDEX_H
#define WM_AREA_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct area_index;

/* Smaller rank wins when areas overlap: grid 0, street 1, anything else (district) 2. */
int area_kind_rank(const char *kind);

int area_index_new(struct area_index **out);
/* Adds an area with its GeoJSON Polygon or MultiPolygon geometry (copied). ERR_BAD_REQUEST
 * when the text is not such a geometry with valid positions. */
int area_index_add(struct area_index *ix, int64_t id, int rank, const char *geojson, struct err *e);
/* Builds the buckets; call once after the last add and before the first lookup. */
int area_index_finish(struct area_index *ix, struct err *e);
/* The id of the lowest-rank (then lowest-id) area containing the point; 0 when none. */
int64_t area_index_locate(const struct area_index *ix, double lat, double lon);
size_t area_index_count(const struct area_index *ix);
void area_index_free(struct area_index *ix);

#endif
