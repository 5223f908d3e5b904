/* Geometry on a sphere for distances and search boxes; in the lon/lat plane for polygons,
 * which is what GeoJSON areas mean at city scale. */
#include "core/geo.h"

#include <math.h>

static const double PI = 3.14159265358979323846;
/* ~1 cm: covers rounding differences between the box and the haversine distance */
static const double BBOX_MARGIN_DEG = 1e-7;

static double rad(double deg)
{
	return deg * (PI / 180.0);
}

static double deg(double r)
{
	return r * (180.0 / PI);
}

bool geo_lat_valid(double lat)
{
	return isfinite(lat) && lat >= -90.0 && lat <= 90.0;
}

bool geo_lon_valid(double lon)
{
	return isfinite(lon) && lon >= -180.0 && lon <= 180.0;
}

bool geo_point_valid(double lat, double lon)
{
	return geo_lat_valid(lat) && geo_lon_valid(lon);
}

double geo_distance_m(double lat1, double lon1, double lat2, double lon2)
{
	double p1 = rad(lat1), p2 = rad(lat2);
	double sdp = sin((p2 - p1) / 2), sdl = sin(rad(lon2 - lon1) / 2);
	double a = sdp * sdp + cos(p1) * cos(p2) * sdl * sdl;
	/* asin form; clamp against rounding just above 1 for antipodal points */
	return 2.0 * GEO_EARTH_RADIUS_M * asin(fmin(1.0, sqrt(a)));
}

/* Bounding coordinates of a spherical cap after J. P. Matuschek, "Finding Points Within a
 * Distance of a Latitude/Longitude Using Bounding Coordinates": the longitude half-width is
 * asin(sin r / cos lat), not r / cos lat, which would be too narrow far from the equator. */
int geo_bbox_around(double lat, double lon, double radius_m, struct geo_bbox *out)
{
	if (!geo_point_valid(lat, lon) || !isfinite(radius_m) || radius_m < 0)
		return -1;
	double r = radius_m / GEO_EARTH_RADIUS_M;
	double la = rad(lat);
	double min_la = la - r, max_la = la + r;
	double min_lo = -PI, max_lo = PI;
	if (min_la > -PI / 2 && max_la < PI / 2) {
		double s = sin(r) / cos(la);
		if (s < 1.0) {
			double dl = asin(s);
			if (rad(lon) - dl >= -PI && rad(lon) + dl <= PI) {
				min_lo = rad(lon) - dl;
				max_lo = rad(lon) + dl;
			}
		}
	}
	/* a pole inside the cap, or the antimeridian crossed: all longitudes */
	out->min_lat = fmax(-90.0, deg(min_la) - BBOX_MARGIN_DEG);
	out->max_lat = fmin(90.0, deg(max_la) + BBOX_MARGIN_DEG);
	out->min_lon = fmax(-180.0, deg(min_lo) - BBOX_MARGIN_DEG);
	out->max_lon = fmin(180.0, deg(max_lo) + BBOX_MARGIN_DEG);
	return 0;
}

bool geo_bbox_contains(const struct geo_bbox *b, double lat, double lon)
{
	return lat >= b->min_lat && lat <= b->max_lat && lon >= b->min_lon && lon <= b->max_lon;
}

/* Distance from p to segment ab in the plane, compared squared against GEO_EDGE_EPS. */
static bool on_segment(double px, double py, double ax, double ay, double bx, double by)
{
	double dx = bx - ax, dy = by - ay;
	double len2 = dx * dx + dy * dy;
	double t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	double ex = ax + t * dx - px, ey = ay + t * dy - py;
	return ex * ex + ey * ey <= GEO_EDGE_EPS * GEO_EDGE_EPS;
}

static bool ring_on_boundary(const struct geo_ring *r, double x, double y)
{
	const double *v = r->lonlat;
	for (size_t i = 0, j = r->n - 1; i < r->n; j = i++)
		if (on_segment(x, y, v[2 * j], v[2 * j + 1], v[2 * i], v[2 * i + 1]))
			return true;
	return false;
}

/* W. R. Franklin's PNPOLY crossing test: a ray to +x crosses the edges an odd number of
 * times from inside. The half-open rule (yi > y) != (yj > y) counts a vertex on the ray
 * once, and horizontal edges never. A repeated closing position adds a zero-length edge,
 * which never counts. */
static bool ring_crossings_odd(const struct geo_ring *r, double x, double y)
{
	const double *v = r->lonlat;
	bool odd = false;
	for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
		double xi = v[2 * i], yi = v[2 * i + 1], xj = v[2 * j], yj = v[2 * j + 1];
		if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
			odd = !odd;
	}
	return odd;
}

bool geo_ring_contains(const struct geo_ring *r, double lat, double lon)
{
	if (!r || r->n == 0 || !geo_point_valid(lat, lon))
		return false;
	return ring_on_boundary(r, lon, lat) || ring_crossings_odd(r, lon, lat);
}

bool geo_polygon_contains(const struct geo_polygon *p, double lat, double lon)
{
	if (!p || p->nrings == 0 || !geo_point_valid(lat, lon))
		return false;
	bool odd = false;
	for (size_t k = 0; k < p->nrings; k++) {
		const struct geo_ring *r = &p->rings[k];
		if (r->n == 0)
			continue;
		if (ring_on_boundary(r, lon, lat))
			return true;
		odd ^= ring_crossings_odd(r, lon, lat);
	}
	return odd;
}

bool geo_multipolygon_contains(const struct geo_polygon *polys, size_t n, double lat, double lon)
{
	for (size_t i = 0; i < n; i++)
		if (geo_polygon_contains(&polys[i], lat, lon))
			return true;
	return false;
}

int geo_multipolygon_bbox(const struct geo_polygon *polys, size_t n, struct geo_bbox *out)
{
	struct geo_bbox b = {INFINITY, INFINITY, -INFINITY, -INFINITY};
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < polys[i].nrings; k++) {
			const struct geo_ring *r = &polys[i].rings[k];
			for (size_t j = 0; j < r->n; j++) {
				double lon = r->lonlat[2 * j], lat = r->lonlat[2 * j + 1];
				if (!geo_point_valid(lat, lon))
					return -1;
				b.min_lat = fmin(b.min_lat, lat);
				b.max_lat = fmax(b.max_lat, lat);
				b.min_lon = fmin(b.min_lon, lon);
				b.max_lon = fmax(b.max_lon, lon);
				count++;
			}
		}
	if (count == 0)
		return -1;
	*out = b;
	return 0;
}
