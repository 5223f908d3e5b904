/* `wenming import areas`: a GeoJSON FeatureCollection of districts, streets and CJ/T 213
 * grids, upserted by code. The geometry is checked (Polygon or MultiPolygon, closed rings of
 * at least four positions, longitude and latitude in range), stored compact with its
 * bounding box, and a child's box must lie within its parent's. Like units: every feature is
 * checked first and all errors are listed, then a clean file is written in one transaction.
 * jansson keeps no positions, so a small scan of the text finds the line each feature starts
 * on, for messages. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/org_io_internal.h"

enum { AREAS_MAX_BYTES = 256 << 20 };

static const char *const area_kinds[] = {"district", "street", "grid", NULL};
static const char *const area_props[] = {"code", "name", "kind", "parent_code", "unit_code", NULL};

struct arow {
	const char *name, *kind;
	int64_t unit_id;
	char *geojson; /* compact geometry, from the arena */
};

struct aimport {
	struct db *db;
	struct org_io_report *r;
	struct arena a;
	struct org_tree t;
	long *lines; /* the line each feature starts on */
	size_t nlines;
};

/* Feature lines --------------------------------------------------------------------------- */

/* Scans valid JSON text for the root object's "features" array and records the line where
 * each of its elements starts. Strings are skipped whole, so brackets inside them do not
 * count. Returns the number found (at most max). */
static size_t feature_lines(const char *s, size_t len, long *lines, size_t max)
{
	long line = 1;
	int depth = 0, fdepth = 0, want = 0, key_features = 0;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\n') {
			line++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r')
			continue;
		if (fdepth && depth == fdepth && want && c != ']') {
			if (n < max)
				lines[n++] = line;
			want = 0;
		}
		if (c == '"') {
			size_t start = ++i;
			while (i < len && s[i] != '"')
				i += s[i] == '\\' ? 2 : 1;
			if (depth == 1)
				key_features =
				    i - start == 8 && memcmp(s + start, "features", 8) == 0;
		} else if (c == '{' || c == '[') {
			depth++;
			if (c == '[' && depth == 2 && key_features && !fdepth) {
				fdepth = 2;
				want = 1;
			}
		} else if (c == '}' || c == ']') {
			if (depth == fdepth)
				fdepth = 0;
			depth--;
		} else if (c == ',' && depth == fdepth) {
			want = 1;
		}
	}
	return n;
}

/* Geometry --------------------------------------------------------------------------------- */

/* Checks return a message, or NULL when fine; bb grows to cover the positions. */
static const char *ring_check(json_t *ring, double bb[4], char *msg, size_t size)
{
	if (!json_is_array(ring) || json_array_size(ring) < 4)
		return "a linear ring needs at least 4 positions";
	size_t i, n = json_array_size(ring);
	json_t *pos;
	json_array_foreach(ring, i, pos)
	{
		json_t *x = json_array_get(pos, 0), *y = json_array_get(pos, 1);
		if (!json_is_array(pos) || json_array_size(pos) < 2 || json_array_size(pos) > 3 ||
		    !json_is_number(x) || !json_is_number(y))
			return "a position must be [longitude, latitude]";
		double lon = json_number_value(x), lat = json_number_value(y);
		if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 ||
		    lat > 90) {
			snprintf(msg, size, "position [%g, %g] is out of range (longitude first)",
			         lon, lat);
			return msg;
		}
		bb[0] = fmin(bb[0], lat);
		bb[1] = fmin(bb[1], lon);
		bb[2] = fmax(bb[2], lat);
		bb[3] = fmax(bb[3], lon);
	}
	json_t *first = json_array_get(ring, 0), *last = json_array_get(ring, n - 1);
	if (json_number_value(json_array_get(first, 0)) !=
	        json_number_value(json_array_get(last, 0)) ||
	    json_number_value(json_array_get(first, 1)) !=
	        json_number_value(json_array_get(last, 1)))
		return "a linear ring must end where it starts";
	return NULL;
}

static const char *polygon_check(json_t *poly, double bb[4], char *msg, size_t size)
{
	if (!json_is_array(poly) || json_array_size(poly) < 1)
		return "a polygon needs at least one ring";
	size_t i;
	json_t *ring;
	const char *why = NULL;
	json_array_foreach(poly, i, ring)
	{
		if ((why = ring_check(ring, bb, msg, size)))
			break;
	}
	return why;
}

static const char *geometry_check(json_t *g, double bb[4], char *msg, size_t size)
{
	bb[0] = 90, bb[1] = 180, bb[2] = -90, bb[3] = -180;
	const char *type = json_string_value(json_object_get(g, "type"));
	json_t *coords = json_object_get(g, "coordinates");
	if (!json_is_object(g) || !type)
		return "geometry must be an object with a type";
	if (strcmp(type, "Polygon") == 0)
		return polygon_check(coords, bb, msg, size);
	if (strcmp(type, "MultiPolygon") != 0) {
		snprintf(msg, size, "geometry type \"%.40s\" is not Polygon or MultiPolygon", type);
		return msg;
	}
	if (!json_is_array(coords) || json_array_size(coords) < 1)
		return "a MultiPolygon needs at least one polygon";
	size_t i;
	json_t *poly;
	const char *why = NULL;
	json_array_foreach(coords, i, poly)
	{
		if ((why = polygon_check(poly, bb, msg, size)))
			break;
	}
	return why;
}

/* Features --------------------------------------------------------------------------------- */

/* A property that must be a non-empty, clean string (or, when nullable, null or absent). */
static const char *prop_str(json_t *props, const char *key, int nullable, const char **out,
                            char *msg, size_t size)
{
	json_t *v = json_object_get(props, key);
	*out = NULL;
	if ((!v || json_is_null(v)) && nullable)
		return NULL;
	if (!json_is_string(v) || !*json_string_value(v)) {
		snprintf(msg, size, "property \"%s\" must be %s", key,
		         nullable ? "a non-empty string or null" : "a non-empty string");
		return msg;
	}
	const char *why = org_text_problem(json_string_value(v), 0, 200);
	if (why) {
		snprintf(msg, size, "property \"%s\" %s (200 characters at most)", key, why);
		return msg;
	}
	*out = json_string_value(v);
	return NULL;
}

/* The form of a feature: properties and codes. */
static const char *feature_props(json_t *f, const char *p[5], char *msg, size_t size)
{
	json_t *props = json_object_get(f, "properties");
	const char *type = json_string_value(json_object_get(f, "type"));
	if (!json_is_object(f) || !type || strcmp(type, "Feature") != 0)
		return "not a GeoJSON Feature";
	if (!json_is_object(props))
		return "properties must be an object";
	const char *key, *why = NULL;
	json_t *v;
	json_object_foreach(props, key, v)
	{
		int known = 0;
		for (const char *const *k = area_props; *k; k++)
			known |= strcmp(*k, key) == 0;
		if (!known) {
			snprintf(msg, size,
			         "unknown property \"%.40s\" (the properties are code, name, kind, "
			         "parent_code, unit_code)",
			         key);
			return msg;
		}
	}
	for (int i = 0; i < 5 && !why; i++)
		why = prop_str(props, area_props[i], i >= 3, &p[i], msg, size);
	return why;
}

static const char *feature_rules(const char *p[5], char *msg, size_t size)
{
	const char *code = p[0], *kind = p[2], *parent = p[3];
	int known = 0;
	for (const char *const *k = area_kinds; *k; k++)
		known |= strcmp(*k, kind) == 0;
	if (!org_code_ok(code))
		return "code must be 1-64 letters, digits, - or _";
	if (!known) {
		snprintf(msg, size, "kind \"%s\" is not district, street or grid", kind);
		return msg;
	}
	if (strcmp(kind, "grid") == 0 && (strlen(code) != 15 || strspn(code, "0123456789") != 15))
		return "a grid code has 15 digits (CJ/T 213)";
	if (strcmp(kind, "district") != 0 && !parent) {
		snprintf(msg, size, "a %s needs a parent_code", kind);
		return msg;
	}
	if (parent && !org_code_ok(parent))
		return "parent_code is not a code";
	if (parent && strcmp(parent, code) == 0)
		return "an area cannot be its own parent";
	if (p[4] && !org_code_ok(p[4]))
		return "unit_code is not a code";
	return NULL;
}

static int unit_lookup(struct aimport *ai, const char *unit, int64_t *id, struct err *e)
{
	struct err miss;
	int rc = db_get_int(ai->db, "SELECT id FROM unit WHERE code = ?", DB_ARGS(db_text(unit)),
	                    id, &miss);
	if (rc && rc != ERR_NOT_FOUND)
		*e = miss;
	return rc;
}

/* Like units: a feature with a usable code joins the tree even when something else is wrong
 * with it, so that a code given twice is still reported. */
static int feature_read(struct aimport *ai, json_t *f, size_t idx, struct err *e)
{
	char msg[300];
	const char *p[5] = {0};
	int no = (int)idx + 1;
	long line = idx < ai->nlines ? ai->lines[idx] : 0;
	const char *why = feature_props(f, p, msg, sizeof msg);
	if (!why)
		why = feature_rules(p, msg, sizeof msg);
	struct org_node n = {.line = line, .feature = no, .in_file = 1};
	json_t *g = json_object_get(f, "geometry");
	if (!why)
		why = geometry_check(g, n.bb, msg, sizeof msg);
	const char *code = p[0] && org_code_ok(p[0]) ? p[0] : NULL;
	if (why)
		org_io_add(ai->r, line, no, code, "%s", why);
	struct arow *w = arena_alloc(&ai->a, sizeof *w);
	int rc = !why && p[4] ? unit_lookup(ai, p[4], &w->unit_id, e) : 0;
	if (rc == ERR_NOT_FOUND)
		org_io_add(ai->r, line, no, code, "unit_code \"%s\" is not a known unit", p[4]);
	else if (rc)
		return rc;
	if (!code)
		return 0;
	if (!why) {
		char *geo = json_dumps(g, JSON_COMPACT | JSON_REAL_PRECISION(10));
		if (!geo)
			return err_set(e, ERR_INTERNAL, "out of memory");
		w->geojson = arena_strdup(&ai->a, geo);
		free(geo);
		w->name = arena_strdup(&ai->a, p[1]);
		w->kind = arena_strdup(&ai->a, p[2]);
	}
	n.code = arena_strdup(&ai->a, code);
	n.parent = p[3] ? arena_strdup(&ai->a, p[3]) : NULL;
	n.row = w;
	org_tree_add(&ai->t, &n);
	ai->r->rows++;
	return 0;
}

static int load_db_areas(struct aimport *ai, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(ai->db,
	                  "SELECT a.code, a.id, p.code, a.min_lat, a.min_lon, a.max_lat,"
	                  " a.max_lon FROM area a LEFT JOIN area p ON p.id = a.parent_id",
	                  NULL, 0, &st, e);
	if (rc)
		return rc;
	while ((rc = db_step(st, e)) == DB_ROW) {
		struct org_node n = {.code = arena_strdup(&ai->a, db_col_text(st, 0)),
		                     .id = db_col_int(st, 1)};
		if (!db_col_is_null(st, 2))
			n.parent = arena_strdup(&ai->a, db_col_text(st, 2));
		for (int i = 0; i < 4; i++)
			n.bb[i] = db_col_real(st, 3 + i);
		org_tree_add(&ai->t, &n);
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

/* A child's bounding box must lie within its parent's (this catches swapped coordinates and
 * features filed under the wrong parent). */
static void check_boxes(struct aimport *ai)
{
	const double eps = 1e-9;
	for (size_t i = 0; i < ai->t.n; i++) {
		struct org_node *a = &ai->t.v[i], *p;
		if (!a->in_file || !a->parent || !(p = org_tree_find(&ai->t, a->parent)))
			continue;
		if (a->bb[0] < p->bb[0] - eps || a->bb[1] < p->bb[1] - eps ||
		    a->bb[2] > p->bb[2] + eps || a->bb[3] > p->bb[3] + eps)
			org_io_add(ai->r, a->line, a->feature, a->code,
			           "the shape reaches outside its parent %s", a->parent);
	}
}

/* Parses the file; a syntax error or a wrong top level is listed as an error of the file. */
static json_t *parse(struct aimport *ai, const char *path, const char *text, size_t len)
{
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		org_io_add(ai->r, -1, 0, NULL, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return NULL;
	}
	const char *type = json_string_value(json_object_get(root, "type"));
	json_t *features = json_object_get(root, "features");
	if (!type || strcmp(type, "FeatureCollection") != 0 || !json_is_array(features)) {
		org_io_add(ai->r, 1, 0, NULL, "not a GeoJSON FeatureCollection");
		json_decref(root);
		return NULL;
	}
	size_t n = json_array_size(features);
	ai->lines = arena_alloc(&ai->a, (n + 1) * sizeof *ai->lines);
	ai->nlines = feature_lines(text, len, ai->lines, n);
	if (ai->nlines != n)
		ai->nlines =
		    0; /* the scan disagrees with jansson: no lines rather than wrong ones */
	return root;
}

static int read_file(struct aimport *ai, const char *path, struct err *e)
{
	char *text;
	size_t len;
	int rc = org_read_file(path, AREAS_MAX_BYTES, &text, &len, e);
	if (rc)
		return rc;
	json_t *root = parse(ai, path, text, len);
	free(text);
	json_t *features = json_object_get(root, "features");
	for (size_t i = 0; root && i < json_array_size(features) && !rc; i++)
		rc = feature_read(ai, json_array_get(features, i), i, e);
	json_decref(root);
	return rc;
}

static int write_areas(struct aimport *ai, struct err *e)
{
	size_t n;
	struct org_node **order = org_tree_write_order(&ai->t, &n);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		struct org_node *x = order[i];
		struct arow *w = x->row;
		int64_t pid = x->parent ? org_tree_find(&ai->t, x->parent)->id : 0;
		rc = db_get_int(
		    ai->db,
		    "INSERT INTO area (code, name, kind, parent_id, unit_id, geojson, min_lat,"
		    " min_lon, max_lat, max_lon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		    " ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
		    " parent_id = excluded.parent_id, unit_id = excluded.unit_id,"
		    " geojson = excluded.geojson, min_lat = excluded.min_lat,"
		    " min_lon = excluded.min_lon, max_lat = excluded.max_lat,"
		    " max_lon = excluded.max_lon RETURNING id",
		    DB_ARGS(db_text(x->code), db_text(w->name), db_text(w->kind),
		            pid ? db_int(pid) : db_null(),
		            w->unit_id ? db_int(w->unit_id) : db_null(), db_text(w->geojson),
		            db_real(x->bb[0]), db_real(x->bb[1]), db_real(x->bb[2]),
		            db_real(x->bb[3])),
		    &x->id, e);
		if (rc) {
			struct err db_err = *e;
			rc = err_set(e, rc, "feature %d (%s): %s", x->feature, x->code, db_err.msg);
		}
		if (x->existed)
			ai->r->updated++;
		else
			ai->r->inserted++;
	}
	return rc;
}

int org_import_areas(struct db *db, const char *path, const struct org_io_opts *o,
                     struct org_io_report *r, struct err *e)
{
	struct aimport ai = {.db = db, .r = r};
	memset(r, 0, sizeof *r);
	arena_init(&ai.a);
	ai.t = (struct org_tree){.a = &ai.a, .what = "area"};
	int rc = org_io_begin(db, o, e);
	if (rc) {
		arena_free(&ai.a);
		return rc;
	}
	if (!(rc = load_db_areas(&ai, e)))
		rc = read_file(&ai, path, e);
	if (!rc) {
		org_tree_merge(&ai.t, r);
		if (!r->nerrors)
			org_tree_check(&ai.t, r);
		if (!r->nerrors)
			check_boxes(&ai);
		rc = org_io_failed(r, path, ERR_BAD_REQUEST, e);
	}
	if (!rc)
		rc = write_areas(&ai, e);
	rc = org_io_end(db, o, rc, e);
	org_tree_free(&ai.t);
	arena_free(&ai.a);
	return rc;
}
