#include "store/area_store.h"

#include "store/area_index.h"
#include "store/db.h"

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
