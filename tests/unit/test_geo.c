#include <criterion/criterion.h>

#include "core/geo.h"

#include <math.h>
#include <stdlib.h>

/* Dalian city centre (中山广场 area) and Lüshunkou district centre. */
#define DL_LAT 38.9140
#define DL_LON 121.6147
#define LS_LAT 38.8120
#define LS_LON 121.2620

static const double PI_ = 3.14159265358979323846;

Test(geo, valid_ranges)
{
	cr_expect(geo_point_valid(0, 0));
	cr_expect(geo_point_valid(90, 180));
	cr_expect(geo_point_valid(-90, -180));
	cr_expect(geo_point_valid(DL_LAT, DL_LON));
	cr_expect_not(geo_lat_valid(90.0000001));
	cr_expect_not(geo_lat_valid(-91));
	cr_expect_not(geo_lon_valid(180.0000001));
	cr_expect_not(geo_lon_valid(-181));
	cr_expect_not(geo_lat_valid(NAN));
	cr_expect_not(geo_lon_valid(NAN));
	cr_expect_not(geo_lat_valid(INFINITY));
	cr_expect_not(geo_lon_valid(-INFINITY));
	/* a classic client bug: lat and lon swapped */
	cr_expect_not(geo_point_valid(DL_LON, DL_LAT));
}

/* Expected values from an independent Python haversine on the same sphere; the real
 * (ellipsoidal) distances differ by well under 0.5%. */
Test(geo, known_distances)
{
	cr_expect_float_eq(geo_distance_m(DL_LAT, DL_LON, DL_LAT, DL_LON), 0.0, 1e-9);
	cr_expect_float_eq(geo_distance_m(DL_LAT, DL_LON, LS_LAT, LS_LON), 32575.626, 0.01);
	cr_expect_float_eq(geo_distance_m(LS_LAT, LS_LON, DL_LAT, DL_LON), 32575.626, 0.01);
	/* Beijing to Shanghai, ~1068 km by the ellipsoid */
	cr_expect_float_eq(geo_distance_m(39.9042, 116.4074, 31.2304, 121.4737), 1067311.645, 0.01);
	cr_expect_float_eq(geo_distance_m(DL_LAT, DL_LON, 39.9042, 116.4074), 460647.992, 0.01);
	/* a degree along a meridian and along the equator: R * pi / 180 */
	double deg_m = GEO_EARTH_RADIUS_M * PI_ / 180.0;
	cr_expect_float_eq(geo_distance_m(0, 0, 1, 0), deg_m, 1e-6);
	cr_expect_float_eq(geo_distance_m(0, 0, 0, 1), deg_m, 1e-6);
	cr_expect_float_eq(geo_distance_m(0, 179.5, 0, -179.5), deg_m, 1e-6); /* antimeridian */
	cr_expect_float_eq(geo_distance_m(0, 0, 0, 180), PI_ * GEO_EARTH_RADIUS_M, 1e-3);
	cr_expect_float_eq(geo_distance_m(90, 0, -90, 0), PI_ * GEO_EARTH_RADIUS_M, 1e-3);
	cr_expect_float_eq(geo_distance_m(90, 0, 90, 123), 0.0, 1e-6);
	/* short distances stay accurate: 1e-5 degree of latitude is about 1.11 m */
	cr_expect_float_eq(geo_distance_m(DL_LAT, DL_LON, DL_LAT + 1e-5, DL_LON), deg_m * 1e-5,
	                   1e-6);
}

Test(geo, bbox_holds_every_point_within_radius)
{
	srand(3);
	static const double centres[][2] = {{DL_LAT, DL_LON}, {0, 0},     {60, 10}, {-45, -70},
	                                    {80, 100},        {0, 179.9}, {89.9, 0}};
	static const double radii[] = {0, 1, 500, 5000, 50000, 500000};
	for (size_t c = 0; c < sizeof centres / sizeof centres[0]; c++)
		for (size_t k = 0; k < sizeof radii / sizeof radii[0]; k++) {
			struct geo_bbox b;
			double lat = centres[c][0], lon = centres[c][1], r = radii[k];
			cr_assert_eq(geo_bbox_around(lat, lon, r, &b), 0);
			cr_assert(geo_bbox_contains(&b, lat, lon));
			for (int i = 0; i < 4000; i++) {
				/* random bearing, distance up to r, by the direct formula on the
				 * sphere */
				double br = 2 * PI_ * rand() / RAND_MAX;
				double d = r * rand() / RAND_MAX / GEO_EARTH_RADIUS_M;
				double p1 = lat * PI_ / 180, l1 = lon * PI_ / 180;
				double p2 = asin(sin(p1) * cos(d) + cos(p1) * sin(d) * cos(br));
				double l2 = l1 + atan2(sin(br) * sin(d) * cos(p1),
				                       cos(d) - sin(p1) * sin(p2));
				double plat = p2 * 180 / PI_,
				       plon = remainder(l2 * 180 / PI_, 360.0);
				if (geo_distance_m(lat, lon, plat, plon) > r)
					continue;
				if (!geo_bbox_contains(&b, plat, plon))
					cr_assert_fail("(%f,%f) r=%f: %f,%f outside box", lat, lon,
					               r, plat, plon);
			}
		}
}

Test(geo, bbox_shape)
{
	struct geo_bbox b;
	cr_assert_eq(geo_bbox_around(DL_LAT, DL_LON, 1000, &b), 0);
	double dlat = 1000 / GEO_EARTH_RADIUS_M * 180 / PI_;
	cr_expect_float_eq(b.max_lat - DL_LAT, dlat, 1e-6);
	cr_expect_float_eq(DL_LAT - b.min_lat, dlat, 1e-6);
	/* wider in longitude by about 1 / cos(lat) */
	cr_expect_float_eq(b.max_lon - DL_LON, dlat / cos(DL_LAT * PI_ / 180), 1e-6);
	/* not absurdly loose: a point 1.1 km north is outside */
	cr_expect_not(geo_bbox_contains(&b, DL_LAT + dlat * 1.1, DL_LON));
	cr_expect_not(geo_bbox_contains(&b, DL_LAT, DL_LON - 2 * dlat));

	/* a pole in the cap: every longitude */
	cr_assert_eq(geo_bbox_around(89.99, 10, 5000, &b), 0);
	cr_expect_eq(b.max_lat, 90.0);
	cr_expect_eq(b.min_lon, -180.0);
	cr_expect_eq(b.max_lon, 180.0);
	/* across the antimeridian: every longitude rather than a miss */
	cr_assert_eq(geo_bbox_around(0, 179.99, 5000, &b), 0);
	cr_expect_eq(b.min_lon, -180.0);
	cr_expect_eq(b.max_lon, 180.0);
	cr_expect_lt(b.max_lat, 1.0);
	/* half the planet */
	cr_assert_eq(geo_bbox_around(0, 0, 3e7, &b), 0);
	cr_expect_eq(b.min_lat, -90.0);
	cr_expect_eq(b.max_lon, 180.0);
}

Test(geo, bbox_rejects_bad_input)
{
	struct geo_bbox b;
	cr_expect_eq(geo_bbox_around(91, 0, 10, &b), -1);
	cr_expect_eq(geo_bbox_around(0, 181, 10, &b), -1);
	cr_expect_eq(geo_bbox_around(NAN, 0, 10, &b), -1);
	cr_expect_eq(geo_bbox_around(0, 0, -1, &b), -1);
	cr_expect_eq(geo_bbox_around(0, 0, NAN, &b), -1);
	cr_expect_eq(geo_bbox_around(0, 0, INFINITY, &b), -1);
}

/* A 10 x 10 square with a 4 x 4 hole in the middle, [lon, lat] as GeoJSON, closed. */
static const double OUTER[] = {0, 0, 10, 0, 10, 10, 0, 10, 0, 0};
static const double HOLE[] = {3, 3, 3, 7, 7, 7, 7, 3, 3, 3};
static const struct geo_ring SQUARE_RINGS[] = {{OUTER, 5}, {HOLE, 5}};
static const struct geo_polygon SQUARE = {SQUARE_RINGS, 2};

Test(geo, polygon_with_hole)
{
	/* (lat, lon) arguments, rings in (lon, lat) */
	cr_expect(geo_polygon_contains(&SQUARE, 1, 1));
	cr_expect(geo_polygon_contains(&SQUARE, 5, 1));
	cr_expect(geo_polygon_contains(&SQUARE, 9.5, 8));
	cr_expect_not(geo_polygon_contains(&SQUARE, 5, 5)); /* in the hole */
	cr_expect_not(geo_polygon_contains(&SQUARE, 4, 6));
	cr_expect_not(geo_polygon_contains(&SQUARE, 11, 5));
	cr_expect_not(geo_polygon_contains(&SQUARE, 5, -0.001));
	cr_expect_not(geo_polygon_contains(&SQUARE, -5, -5));
	/* the ray from a point passes through vertices (3,3) and (7,3) of the hole */
	cr_expect(geo_polygon_contains(&SQUARE, 3, 1));
	cr_expect(geo_polygon_contains(&SQUARE, 7, 1));
	/* the outer ring alone */
	cr_expect(geo_ring_contains(&SQUARE_RINGS[0], 5, 5));
	cr_expect(geo_ring_contains(&SQUARE_RINGS[1], 5, 5));
}

Test(geo, boundary_belongs_to_the_area)
{
	cr_expect(geo_polygon_contains(&SQUARE, 0, 5));   /* bottom edge */
	cr_expect(geo_polygon_contains(&SQUARE, 5, 10));  /* right edge */
	cr_expect(geo_polygon_contains(&SQUARE, 10, 10)); /* a corner */
	cr_expect(geo_polygon_contains(&SQUARE, 0, 0));
	cr_expect(geo_polygon_contains(&SQUARE, 3, 5)); /* the hole's edge */
	cr_expect(geo_polygon_contains(&SQUARE, 7, 7)); /* the hole's corner */
	cr_expect(geo_polygon_contains(&SQUARE, 5, 10 + 1e-10));
	cr_expect_not(geo_polygon_contains(&SQUARE, 5, 10 + 1e-8));
	cr_expect_not(geo_polygon_contains(&SQUARE, 5, 3 + 1e-8)); /* just inside the hole */
}

Test(geo, open_and_closed_rings_agree)
{
	static const double open_outer[] = {0, 0, 10, 0, 10, 10, 0, 10};
	static const double open_hole[] = {3, 3, 3, 7, 7, 7, 7, 3};
	const struct geo_ring rings[] = {{open_outer, 4}, {open_hole, 4}};
	const struct geo_polygon open = {rings, 2};
	for (double lat = -1; lat <= 11; lat += 0.25)
		for (double lon = -1; lon <= 11; lon += 0.25)
			cr_assert_eq(geo_polygon_contains(&open, lat, lon),
			             geo_polygon_contains(&SQUARE, lat, lon), "%f %f", lat, lon);
}

Test(geo, concave_polygon)
{
	/* a U: the notch from x 4..6, y 3..10 is outside */
	static const double u[] = {0, 0, 10, 0, 10, 10, 6, 10, 6, 3, 4, 3, 4, 10, 0, 10, 0, 0};
	const struct geo_ring r = {u, 9};
	const struct geo_polygon p = {&r, 1};
	cr_expect(geo_polygon_contains(&p, 5, 2));
	cr_expect(geo_polygon_contains(&p, 8, 2));
	cr_expect(geo_polygon_contains(&p, 8, 8));
	cr_expect_not(geo_polygon_contains(&p, 8, 5)); /* in the notch */
	cr_expect_not(geo_polygon_contains(&p, 10, 5));
	cr_expect(geo_polygon_contains(&p, 10, 2)); /* top edge of an arm, ray through the notch */
	cr_expect(geo_polygon_contains(&p, 3, 5));  /* bottom of the notch: boundary */
}

Test(geo, multipolygon)
{
	/* two islands near Dalian: a box around the centre, one around Lüshun with a hole */
	static const double a[] = {121.55, 38.88,  121.68, 38.88,  121.68,
	                           38.95,  121.55, 38.95,  121.55, 38.88};
	static const double b[] = {121.20, 38.78,  121.32, 38.78,  121.32,
	                           38.86,  121.20, 38.86,  121.20, 38.78};
	static const double bh[] = {121.25, 38.80,  121.25, 38.82,  121.27,
	                            38.82,  121.27, 38.80,  121.25, 38.80};
	const struct geo_ring ra[] = {{a, 5}};
	const struct geo_ring rb[] = {{b, 5}, {bh, 5}};
	const struct geo_polygon mp[] = {{ra, 1}, {rb, 2}};
	cr_expect(geo_multipolygon_contains(mp, 2, DL_LAT, DL_LON));
	cr_expect(geo_multipolygon_contains(mp, 2, 38.84, 121.30));
	cr_expect_not(geo_multipolygon_contains(mp, 2, LS_LAT, LS_LON)); /* in b's hole */
	cr_expect_not(geo_multipolygon_contains(mp, 2, 38.90, 121.40));  /* between islands */
	cr_expect_not(geo_multipolygon_contains(mp, 0, DL_LAT, DL_LON));
	cr_expect_not(geo_multipolygon_contains(mp, 2, NAN, DL_LON));

	struct geo_bbox bb;
	cr_assert_eq(geo_multipolygon_bbox(mp, 2, &bb), 0);
	cr_expect_eq(bb.min_lat, 38.78);
	cr_expect_eq(bb.max_lat, 38.95);
	cr_expect_eq(bb.min_lon, 121.20);
	cr_expect_eq(bb.max_lon, 121.68);
	cr_expect_eq(geo_multipolygon_bbox(mp, 0, &bb), -1);
	static const double bad[] = {121.2, 138.78, 121.3, 38.78, 121.3, 38.8};
	const struct geo_ring rbad = {bad, 3};
	const struct geo_polygon pbad = {&rbad, 1};
	cr_expect_eq(geo_multipolygon_bbox(&pbad, 1, &bb), -1);
}

Test(geo, degenerate_input)
{
	const struct geo_ring empty = {NULL, 0};
	const struct geo_polygon p0 = {NULL, 0};
	const struct geo_polygon p1 = {&empty, 1};
	cr_expect_not(geo_ring_contains(&empty, 0, 0));
	cr_expect_not(geo_ring_contains(NULL, 0, 0));
	cr_expect_not(geo_polygon_contains(&p0, 0, 0));
	cr_expect_not(geo_polygon_contains(&p1, 0, 0));
	cr_expect_not(geo_polygon_contains(NULL, 0, 0));
	static const double line[] = {0, 0, 10, 10};
	const struct geo_ring rl = {line, 2};
	cr_expect(geo_ring_contains(&rl, 5, 5)); /* on its only edge */
	cr_expect_not(geo_ring_contains(&rl, 4, 6));
	cr_expect_not(geo_polygon_contains(&SQUARE, 5, INFINITY));
}
