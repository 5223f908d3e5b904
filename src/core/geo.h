/* Geometry for case locations: distances, search boxes for index pre-filtering, and
 * point-in-polygon for GeoJSON areas (district, street, grid) when routing a case. */
#ifndef WM_GEO_H
#define WM_GEO_H

#include <stdbool.h>
#include <stddef.h>

/* Mean Earth radius (IUGG R1). Haversine on this sphere is within 0.5% of the ellipsoid. */
#define GEO_EARTH_RADIUS_M 6371008.8

struct geo_bbox {
	double min_lat, min_lon, max_lat, max_lon;
};

/* A linear ring as GeoJSON stores it: n positions, each [lon, lat], as 2n doubles. The
 * closing position (equal to the first) may be present or not. */
struct geo_ring {
	const double *lonlat;
	size_t n;
};

/* A GeoJSON Polygon: rings[0] is the outer boundary, the others are holes. */
struct geo_polygon {
	const struct geo_ring *rings;
	size_t nrings;
};

/* Finite, -90..90 and -180..180. NaN and infinities are invalid. */
bool geo_lat_valid(double lat);
bool geo_lon_valid(double lon);
bool geo_point_valid(double lat, double lon);

/* Great-circle distance in metres (haversine). */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);

/* A box that holds every point within radius_m of (lat, lon), for `lat BETWEEN ... AND lon
 * BETWEEN ...` before the exact distance. Near a pole it spans all longitudes; across the
 * antimeridian it also spans all longitudes (a superset, never a miss). Returns 0, or -1 on
 * an invalid point or a negative or non-finite radius. */
int geo_bbox_around(double lat, double lon, double radius_m, struct geo_bbox *out);
bool geo_bbox_contains(const struct geo_bbox *b, double lat, double lon);

/* Even-odd rule in the plane of lon/lat degrees (fine for city-sized areas; areas that cross
 * the antimeridian are not supported). The boundary belongs to the area: a point on an
 * edge or vertex of any ring, holes included, within GEO_EDGE_EPS degrees, is inside. */
#define GEO_EDGE_EPS 1e-9
bool geo_ring_contains(const struct geo_ring *r, double lat, double lon);
bool geo_polygon_contains(const struct geo_polygon *p, double lat, double lon);
/* A GeoJSON MultiPolygon: inside when inside any of its polygons. */
bool geo_multipolygon_contains(const struct geo_polygon *polys, size_t n, double lat, double lon);
/* The box around every position of the polygons (for area.min_lat ...). Returns -1 when
 * there is no position or one is invalid. */
int geo_multipolygon_bbox(const struct geo_polygon *polys, size_t n, struct geo_bbox *out);

#endif
