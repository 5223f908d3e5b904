/* Areas from a GeoJSON FeatureCollection (demo/areas.geojson): districts, streets and CJ/T 213
 * grids. The geometry is checked (Polygon or MultiPolygon, closed rings of at least four
 * positions, longitude and latitude in range) and stored as compact GeoJSON with its bounding
 * box; parents are resolved by code once every feature is in, so features may come in any
 * order. jansson keeps no positions, so messages name the feature by number and code. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/seed_internal.h"

struct bbox {
	double min_lat, min_lon, max_lat, max_lon;
};

static const char *const area_kinds[] = {"district", "street", "grid", NULL};

static int bad(struct err *e, const char *where, const char *what)
{
	return err_set(e, ERR_BAD_REQUEST, "%s: %s", where, what);
}

static int ring_check(json_t *ring, struct bbox *bb, const char *where, struct err *e)
{
	if (!json_is_array(ring) || json_array_size(ring) < 4)
		return bad(e, where, "a linear ring needs at least 4 positions");
	size_t i, n = json_array_size(ring);
	json_t *pos;
	json_array_foreach(ring, i, pos)
	{
		json_t *x = json_array_get(pos, 0), *y = json_array_get(pos, 1);
		if (!json_is_array(pos) || json_array_size(pos) < 2 || json_array_size(pos) > 3 ||
		    !json_is_number(x) || !json_is_number(y))
			return bad(e, where, "a position must be [longitude, latitude]");
		double lon = json_number_value(x), lat = json_number_value(y);
		if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 ||
		    lat > 90)
			return err_set(e, ERR_BAD_REQUEST,
			               "%s: position [%g, %g] is out of range (longitude first)",
			               where, lon, lat);
		bb->min_lon = fmin(bb->min_lon, lon);
		bb->max_lon = fmax(bb->max_lon, lon);
		bb->min_lat = fmin(bb->min_lat, lat);
		bb->max_lat = fmax(bb->max_lat, lat);
	}
	json_t *first = json_array_get(ring, 0), *last = json_array_get(ring, n - 1);
	if (json_number_value(json_array_get(first, 0)) !=
	        json_number_value(json_array_get(last, 0)) ||
	    json_number_value(json_array_get(first, 1)) !=
	        json_number_value(json_array_get(last, 1)))
		return bad(e, where, "a linear ring must end where it starts");
	return 0;
}

static int polygon_check(json_t *poly, struct bbox *bb, const char *where, struct err *e)
{
	if (!json_is_array(poly) || json_array_size(poly) < 1)
		return bad(e, where, "a polygon needs at least one ring");
	size_t i;
	json_t *ring;
	json_array_foreach(poly, i, ring)
	{
		int rc = ring_check(ring, bb, where, e);
		if (rc)
			return rc;
	}
	return 0;
}

static int geometry_check(json_t *g, struct bbox *bb, const char *where, struct err *e)
{
	*bb = (struct bbox){90, 180, -90, -180};
	const char *type = json_string_value(json_object_get(g, "type"));
	json_t *coords = json_object_get(g, "coordinates");
	if (!json_is_object(g) || !type)
		return bad(e, where, "geometry must be an object with a type");
	if (strcmp(type, "Polygon") == 0)
		return polygon_check(coords, bb, where, e);
	if (strcmp(type, "MultiPolygon") != 0)
		return err_set(e, ERR_BAD_REQUEST,
		               "%s: geometry type \"%s\" is not Polygon or MultiPolygon", where,
		               type);
	if (!json_is_array(coords) || json_array_size(coords) < 1)
		return bad(e, where, "a MultiPolygon needs at least one polygon");
	size_t i;
	json_t *poly;
	json_array_foreach(coords, i, poly)
	{
		int rc = polygon_check(poly, bb, where, e);
		if (rc)
			return rc;
	}
	return 0;
}

/* A property that must be a non-empty string (or, when nullable, null or absent). */
static int prop_str(json_t *props, const char *key, int nullable, const char **out,
                    const char *where, struct err *e)
{
	json_t *v = json_object_get(props, key);
	*out = NULL;
	if ((!v || json_is_null(v)) && nullable)
		return 0;
	if (!json_is_string(v) || !*json_string_value(v))
		return err_set(e, ERR_BAD_REQUEST, "%s: property \"%s\" must be %s", where, key,
		               nullable ? "a non-empty string or null" : "a non-empty string");
	*out = json_string_value(v);
	return 0;
}

static int feature(struct seed_ctx *c, json_t *f, size_t idx, const char *path,
                   struct seed_node *node, struct err *e)
{
	const char *where = arena_printf(&c->a, "%s: feature %zu", path, idx + 1);
	json_t *props = json_object_get(f, "properties");
	if (!json_is_object(f) || !json_is_string(json_object_get(f, "type")) ||
	    strcmp(json_string_value(json_object_get(f, "type")), "Feature") != 0)
		return bad(e, where, "not a GeoJSON Feature");
	if (!json_is_object(props))
		return bad(e, where, "properties must be an object");
	const char *code, *name, *kind, *parent, *unit;
	int rc;
	if ((rc = prop_str(props, "code", 0, &code, where, e)))
		return rc;
	where = arena_printf(&c->a, "%s: feature %zu (%s)", path, idx + 1, code);
	if ((rc = prop_str(props, "name", 0, &name, where, e)) ||
	    (rc = prop_str(props, "kind", 0, &kind, where, e)) ||
	    (rc = prop_str(props, "parent_code", 1, &parent, where, e)) ||
	    (rc = prop_str(props, "unit_code", 1, &unit, where, e)))
		return rc;
	if (!seed_code_ok(code))
		return bad(e, where, "code must be 1-64 letters, digits, - or _");
	int known = 0;
	for (const char *const *k = area_kinds; *k; k++)
		known |= strcmp(*k, kind) == 0;
	if (!known)
		return err_set(e, ERR_BAD_REQUEST,
		               "%s: kind \"%s\" is not district, street or grid", where, kind);
	if (strcmp(kind, "grid") == 0 && (strlen(code) != 15 || strspn(code, "0123456789") != 15))
		return bad(e, where, "a grid code has 15 digits (CJ/T 213)");
	if (strcmp(kind, "district") != 0 && !parent)
		return err_set(e, ERR_BAD_REQUEST, "%s: a %s needs a parent_code", where, kind);
	if (parent && strcmp(parent, code) == 0)
		return bad(e, where, "an area cannot be its own parent");
	struct bbox bb;
	if ((rc = geometry_check(json_object_get(f, "geometry"), &bb, where, e)))
		return rc;
	int64_t unit_id = 0;
	if (unit && (rc = seed_unit_id(c, unit, &unit_id, e)) == ERR_NOT_FOUND)
		return err_set(e, ERR_UNPROCESSABLE, "%s: unit_code \"%s\" is not a known unit",
		               where, unit);
	if (rc)
		return rc;
	char *geojson =
	    json_dumps(json_object_get(f, "geometry"), JSON_COMPACT | JSON_REAL_PRECISION(10));
	if (!geojson)
		return err_set(e, ERR_INTERNAL, "out of memory");
	rc = db_get_int(c->db,
	                "INSERT INTO area (code, name, kind, unit_id, geojson, min_lat, min_lon,"
	                " max_lat, max_lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
	                " ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
	                " kind = excluded.kind, unit_id = excluded.unit_id,"
	                " geojson = excluded.geojson, min_lat = excluded.min_lat,"
	                " min_lon = excluded.min_lon, max_lat = excluded.max_lat,"
	                " max_lon = excluded.max_lon RETURNING id",
	                DB_ARGS(db_text(code), db_text(name), db_text(kind),
	                        unit_id ? db_int(unit_id) : db_null(), db_text(geojson),
	                        db_real(bb.min_lat), db_real(bb.min_lon), db_real(bb.max_lat),
	                        db_real(bb.max_lon)),
	                &node->id, e);
	free(geojson);
	if (rc) {
		struct err db_err = *e; /* e->msg cannot be both source and destination */
		return err_set(e, rc, "%s: %s", where, db_err.msg);
	}
	node->code = arena_strdup(&c->a, code);
	node->parent = parent ? arena_strdup(&c->a, parent) : NULL;
	node->where = where;
	return 0;
}

static int area_bbox(struct seed_ctx *c, int64_t id, struct bbox *bb, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(c->db, "SELECT min_lat, min_lon, max_lat, max_lon FROM area WHERE id = ?",
	                  DB_ARGS(db_int(id)), &st, e);
	if (rc)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		*bb = (struct bbox){db_col_real(st, 0), db_col_real(st, 1), db_col_real(st, 2),
		                    db_col_real(st, 3)};
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "area %lld vanished", (long long)id);
	}
	db_done(st);
	return rc;
}

/* Sets parent_id; a child's bounding box must lie within its parent's (this catches swapped
 * coordinates and features filed under the wrong parent). */
static int area_parents(struct seed_ctx *c, struct seed_node *nodes, size_t n, struct err *e)
{
	int rc = seed_tree_check(nodes, n, "area", e);
	for (size_t i = 0; i < n && !rc; i++) {
		struct seed_node *a = &nodes[i];
		int64_t pid = 0;
		if (a->parent) {
			struct seed_node *p = seed_tree_find(nodes, n, a->parent);
			struct err miss;
			if (p)
				pid = p->id;
			else if ((rc = db_get_int(c->db, "SELECT id FROM area WHERE code = ?",
			                          DB_ARGS(db_text(a->parent)), &pid, &miss)))
				return rc == ERR_NOT_FOUND
				           ? err_set(e, ERR_UNPROCESSABLE,
				                     "%s: parent_code \"%s\" is not a known area",
				                     a->where, a->parent)
				           : err_set(e, rc, "%s", miss.msg);
			struct bbox in, out;
			if ((rc = area_bbox(c, a->id, &in, e)) || (rc = area_bbox(c, pid, &out, e)))
				return rc;
			const double eps = 1e-9;
			if (in.min_lat < out.min_lat - eps || in.min_lon < out.min_lon - eps ||
			    in.max_lat > out.max_lat + eps || in.max_lon > out.max_lon + eps)
				return err_set(e, ERR_UNPROCESSABLE,
				               "%s: the shape reaches outside its parent %s",
				               a->where, a->parent);
		}
		rc = db_run(c->db, "UPDATE area SET parent_id = ? WHERE id = ?",
		            DB_ARGS(pid ? db_int(pid) : db_null(), db_int(a->id)), e);
	}
	return rc;
}

int seed_areas(struct seed_ctx *c, struct err *e)
{
	const char *path = seed_path(c, "demo/areas.geojson");
	json_error_t jerr;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return err_set(e, ERR_BAD_REQUEST, "%s:%d:%d: %s", path, jerr.line, jerr.column,
		               jerr.text);
	json_t *features = json_object_get(root, "features");
	const char *type = json_string_value(json_object_get(root, "type"));
	int rc = 0;
	struct seed_node *nodes = NULL;
	size_t n = json_array_size(features);
	if (!type || strcmp(type, "FeatureCollection") != 0 || !json_is_array(features))
		rc = err_set(e, ERR_BAD_REQUEST, "%s: not a GeoJSON FeatureCollection", path);
	else if (n && !(nodes = calloc(n, sizeof *nodes)))
		rc = err_set(e, ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < n && !rc; i++)
		rc = feature(c, json_array_get(features, i), i, path, &nodes[i], e);
	if (rc == 0)
		rc = area_parents(c, nodes, n, e);
	if (rc == 0)
		c->st->areas = (int)n;
	free(nodes);
	json_decref(root);
	return rc;
}
