#include "store/recurrence.h"

#include <math.h>
#include <string.h>

#include "core/geo.h"
#include "store/db.h"

void recur_consider(const struct recur_report *r, const struct recur_candidate *c,
                    struct recur_pick *p)
{
	if (c->category_id != r->category_id || !c->status || !isfinite(c->lat) ||
	    !isfinite(c->lon))
		return;
	double d = geo_distance_m(r->lat, r->lon, c->lat, c->lon);
	if (!(d <= RECUR_RADIUS_M))
		return;
	int closed = strcmp(c->status, "closed") == 0;
	if (!closed && strcmp(c->status, "rejected") != 0) {
		/* The original report is the one to merge into: on a tie, the older one. */
		if (!p->likely_duplicate_of || d < p->duplicate_m ||
		    (d == p->duplicate_m && c->id < p->likely_duplicate_of)) {
			p->likely_duplicate_of = c->id;
			p->duplicate_m = d;
		}
		return;
	}
	/* Rejected cases were never a real problem (or were merged), so they cannot recur. */
	if (!closed || c->closed_at <= 0 || c->closed_at > r->now ||
	    r->now - c->closed_at > RECUR_WINDOW_S)
		return;
	if (!p->recurrence_of || c->closed_at > p->recurrence_closed_at ||
	    (c->closed_at == p->recurrence_closed_at && c->id > p->recurrence_of)) {
		p->recurrence_of = c->id;
		p->recurrence_closed_at = c->closed_at;
	}
}

void recur_pick_all(const struct recur_report *r, const struct recur_candidate *c, size_t n,
                    struct recur_pick *out)
{
	*out = (struct recur_pick)RECUR_PICK_INIT;
	for (size_t i = 0; i < n; i++)
		recur_consider(r, &c[i], out);
}

int recur_find(struct db *db, const struct recur_report *r, struct recur_pick *out, struct err *e)
{
	*out = (struct recur_pick)RECUR_PICK_INIT;
	struct geo_bbox box;
	if (geo_bbox_around(r->lat, r->lon, RECUR_RADIUS_M, &box) < 0)
		return err_set(e, ERR_BAD_REQUEST, "lat/long out of range");
	/* The box narrows on the (lat, lon) index; the exact circle and the policy are decided
	 * in C (recur_consider), so the SQL only has to be a superset. The streamed rows are
	 * taken one by one: no limit, no array, a hot spot cannot hide the nearest case. */
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT id, category_id, lat, lon, status, COALESCE(closed_at, 0),"
	                  " requested_at FROM cases"
	                  " WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? AND category_id = ?"
	                  " AND (status NOT IN ('closed', 'rejected')"
	                  " OR (status = 'closed' AND closed_at >= ?))",
	                  DB_ARGS(db_real(box.min_lat), db_real(box.max_lat), db_real(box.min_lon),
	                          db_real(box.max_lon), db_int(r->category_id),
	                          db_int(r->now - RECUR_WINDOW_S)),
	                  &st, e);
	if (rc < 0)
		return rc;
	while ((rc = db_step(st, e)) == DB_ROW) {
		struct recur_candidate c = {.id = db_col_int(st, 0),
		                            .category_id = db_col_int(st, 1),
		                            .lat = db_col_real(st, 2),
		                            .lon = db_col_real(st, 3),
		                            .status = db_col_text(st, 4),
		                            .closed_at = db_col_int(st, 5),
		                            .requested_at = db_col_int(st, 6)};
		recur_consider(r, &c, out);
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}
