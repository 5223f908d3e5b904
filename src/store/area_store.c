#include "store/area_store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/geo.h"
#include "store/db.h"

enum { MAX_RINGS = 64, MAX_POLYGONS = 64 };

/* Fills one polygon from GeoJSON coordinates [[[lon, lat], …], …]. The doubles go in *pts,
 * which the caller frees. Returns 0, or -1 when the shape is not a polygon. */
static int polygon_from_json(json_t *coords, struct geo_ring *rings, struct geo_polygon *poly,
                             double **pts)
{
	size_t nrings = json_array_size(coords), total = 0;
	if (nrings == 0 || nrings > MAX_RINGS)
		return -1;
	for (size_t i = 0; i < nrings; i++)
		total += json_array_size(json_array_get(coords, i));
	double *p = malloc((total ? total : 1) * 2 * sizeof *p);
	if (!p)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < nrings; i++) {
		json_t *ring = json_array_get(coords, i);
		rings[i].lonlat = p + k;
		rings[i].n = json_array_size(ring);
		for (size_t j = 0; j < rings[i].n; j++) {
			json_t *pos = json_array_get(ring, j);
			p[k++] = json_number_value(json_array_get(pos, 0));
			p[k++] = json_number_value(json_array_get(pos, 1));
		}
	}
	poly->rings = rings;
	poly->nrings = nrings;
	*pts = p;
	return 0;
}

/* True when the GeoJSON Polygon or MultiPolygon geometry holds the point. */
static int geometry_contains(const char *text, double lat, double lon)
{
	json_t *g = json_loads(text, 0, NULL);
	if (!g)
		return 0;
	const char *type = json_string_value(json_object_get(g, "type"));
	json_t *coords = json_object_get(g, "coordinates");
	int inside = 0;
	size_t npoly = 0;
	json_t *polys[MAX_POLYGONS];
	if (type && strcmp(type, "Polygon") == 0) {
		polys[npoly++] = coords;
	} else if (type && strcmp(type, "MultiPolygon") == 0) {
		for (size_t i = 0; i < json_array_size(coords) && npoly < MAX_POLYGONS; i++)
			polys[npoly++] = json_array_get(coords, i);
	}
	for (size_t i = 0; i < npoly && !inside; i++) {
		struct geo_ring rings[MAX_RINGS];
		struct geo_polygon poly;
		double *pts;
		if (polygon_from_json(polys[i], rings, &poly, &pts) < 0)
			continue;
		inside = geo_polygon_contains(&poly, lat, lon);
		free(pts);
	}
	json_decref(g);
	return inside;
}

int area_locate(struct db *db, double lat, double lon, int64_t *area_id, struct err *e)
{
	*area_id = 0;
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT id, geojson FROM area WHERE min_lat <= ? AND max_lat >= ?"
	             " AND min_lon <= ? AND max_lon >= ?"
	             " ORDER BY CASE kind WHEN 'grid' THEN 0 WHEN 'street' THEN 1 ELSE 2 END, id",
	             DB_ARGS(db_real(lat), db_real(lat), db_real(lon), db_real(lon)), &st, e);
	if (rc < 0)
		return rc;
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (geometry_contains(db_col_text(st, 1), lat, lon)) {
			*area_id = db_col_int(st, 0);
			break;
		}
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}
