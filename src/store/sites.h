/* Sites (点位) in and out (migration 013, docs/standards.md): `wenming import sites FILE.csv`
 * (upserted by code, all or nothing, errors listed as the org importers list them), `export
 * sites` as CSV or map-ready GeoJSON, and the same GeoJSON for the API. */
#ifndef WM_SITES_H
#define WM_SITES_H

#include <stdint.h>
#include <stdio.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "store/org_io.h"

struct db;

struct sites_import_opts {
	int dry_run;
	int in_transaction;
	int64_t now;
};

/* Columns code,name,type,area_code,unit_code,lat,lon,address (code, name and type required;
 * lat/lon both or neither). A site without area_code gets the most specific area holding its
 * point. r->inserted / r->updated count the rows. */
int sites_import(struct db *db, const char *path, const struct sites_import_opts *o,
                 struct org_io_report *r, struct err *e);

/* Filters of a site list; 0 / NULL: any. */
struct site_filter {
	const char *type;
	int64_t unit_root; /* sites of this unit's subtree (the 包保 unit), or in its areas */
	int64_t area_root; /* sites in this area or below */
	int active_only;
};

/* SQL over s (site) and a (its area, LEFT JOINed): the site's 包保 unit or its area's unit
 * lies in the subtree of the unit bound twice (with ? = 0 in front: any). */
#define SITE_IN_UNIT_SQL                                                                           \
	" (WITH RECURSIVE su(id) AS (SELECT id FROM unit WHERE id = ? UNION SELECT uu.id FROM"     \
	" unit uu JOIN su ON uu.parent_id = su.id) SELECT id FROM su)"
#define SITE_REACH_SQL                                                                             \
	" (? = 0 OR s.unit_id IN" SITE_IN_UNIT_SQL " OR a.unit_id IN" SITE_IN_UNIT_SQL ")"

/* A GeoJSON FeatureCollection of the sites with a location (Point features; properties code,
 * name, type, type_name, area_code, area_name, unit_code, unit_name, address, active). */
int sites_geojson(struct db *db, const struct site_filter *f, struct buf *out, long *rows,
                  struct err *e);
/* The same columns as the import, cells formula-guarded. */
int sites_export_csv(struct db *db, FILE *out, long *rows, struct err *e);

#endif
