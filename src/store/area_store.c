#include "store/area_store.h"

#include "store/area_index.h"
#include "store/db.h"

static json_t *id_or_null(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

int area_feature_collection(struct db *db, enum area_view view, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT id, code, name, kind, COALESCE(parent_id, 0), COALESCE(unit_id, 0),"
	             " geojson FROM area WHERE ? = 1 OR kind IN ('district', 'street')"
	             " ORDER BY CASE kind WHEN 'district' THEN 0 WHEN 'street' THEN 1 ELSE 2"
	             " END, code",
	             DB_ARGS(db_int(view == AREAS_STAFF)), &st, e);
	if (rc < 0)
		return rc;
	json_t *features = json_array();
	while ((rc = db_step(st, e)) == DB_ROW) {
		json_t *geom = json_loads(db_col_text(st, 6), 0, NULL);
		json_t *props = json_pack("{s:s, s:s, s:s}", "code", db_col_text(st, 1), "name",
		                          db_col_text(st, 2), "kind", db_col_text(st, 3));
		json_t *f = json_pack("{s:s, s:o, s:o}", "type", "Feature", "properties", props,
		                      "geometry", geom ? geom : json_null());
		if (view == AREAS_STAFF) {
			json_object_set_new(f, "id", json_integer(db_col_int(st, 0)));
			json_object_set_new(props, "parent_id", id_or_null(db_col_int(st, 4)));
			json_object_set_new(props, "unit_id", id_or_null(db_col_int(st, 5)));
		}
		json_array_append_new(features, f);
	}
	db_done(st);
	if (rc < 0) {
		json_decref(features);
		return rc;
	}
	*out = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features);
	return 0;
}

/* Reads only the few areas whose box holds the point, and tests them through an index of
 * just those (the server itself uses the whole-city index of its reference-data cache). */
int area_locate(struct db *db, double lat, double lon, int64_t *area_id, struct err *e)
{
	*area_id = 0;
	struct area_index *ix;
	if (area_index_new(&ix) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory");
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT id, kind, geojson FROM area WHERE min_lat <= ? AND max_lat >= ?"
	                  " AND min_lon <= ? AND max_lon >= ?",
	                  DB_ARGS(db_real(lat), db_real(lat), db_real(lon), db_real(lon)), &st, e);
	if (rc < 0) {
		area_index_free(ix);
		return rc;
	}
	while ((rc = db_step(st, e)) == DB_ROW) {
		struct err skip; /* a broken stored geometry just never matches */
		(void)area_index_add(ix, db_col_int(st, 0), area_kind_rank(db_col_text(st, 1)),
		                     db_col_text(st, 2), &skip);
	}
	db_done(st);
	if (rc == 0 && (rc = area_index_finish(ix, e)) == 0)
		*area_id = area_index_locate(ix, lat, lon);
	area_index_free(ix);
	return rc < 0 ? rc : 0;
}
