/* Areas (district, street, grid polygons): which one holds a point. */
#ifndef WM_AREA_STORE_H
#define WM_AREA_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "lib/err.h"

struct db;

/* The ids of the area with code `?` and everything below it (district > street > grid: the
 * area and two levels down), for "area_id IN (" AREA_SUBTREE_OF_CODE ")". One bound text. */
#define AREA_SUBTREE_OF_CODE                                                                       \
	"SELECT x.id FROM area x JOIN area p ON p.code = ? WHERE x.id = p.id OR x.parent_id = "    \
	"p.id"                                                                                     \
	" OR x.parent_id IN (SELECT m.id FROM area m WHERE m.parent_id = p.id)"

/* The most specific area (grid, then street, then district) containing (lat, lon);
 * *area_id = 0 when none does. Candidates come from the bounding-box columns, so only the
 * few polygons whose box holds the point are parsed and tested. */
int area_locate(struct db *db, double lat, double lon, int64_t *area_id, struct err *e);

/* Areas as a GeoJSON FeatureCollection (a new object in *out), districts, then streets, then
 * grids, by code. AREAS_STAFF: every area with its id, parent_id and unit_id (the console);
 * AREAS_PUBLIC: districts and streets with code, name and kind only (the portal's map). */
enum area_view { AREAS_PUBLIC, AREAS_STAFF };
int area_feature_collection(struct db *db, enum area_view view, json_t **out, struct err *e);

/* A case's district and street names (c the case; columns CASE_PLACE_COLS), never more
 * precise: the public pages and views show no address. */
#define CASE_PLACE_COLS "COALESCE(d.name, ''), COALESCE(s.name, '')"
#define CASE_PLACE_JOINS                                                                           \
	" LEFT JOIN area g ON g.id = c.area_id"                                                    \
	" LEFT JOIN area s ON s.id = CASE WHEN g.kind = 'grid' THEN g.parent_id"                   \
	" WHEN g.kind = 'street' THEN g.id END"                                                    \
	" LEFT JOIN area d ON d.id = CASE WHEN g.kind = 'district' THEN g.id ELSE s.parent_id END"

#endif
