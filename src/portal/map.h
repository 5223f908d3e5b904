/* The public map's data (docs/portal.md, "Maps and masking"), shared by GET /map (the page,
 * which without JavaScript is a table of districts) and GET /api/v1/public/map (its points):
 * one filter, one count per district, points moved by mask_point. Nothing else of a case —
 * no code, address, description, person or exact place. */
#ifndef WM_PORTAL_MAP_H
#define WM_PORTAL_MAP_H

#include <stdint.h>

#include "http/http.h"

struct db;

enum { MAP_DAYS_DEFAULT = 30, MAP_DAYS_MAX = 90, MAP_POINTS_MAX = 2000 };

/* The request's filter: cases reported since `since` (Beijing midnight, days - 1 days before
 * today), not rejected, in the area `district` and below it, of category service_code, in
 * state open (not closed) or solved (closed); "" and "all" mean any. */
struct map_filter {
	int days;
	int64_t since;
	const char *district, *service_code, *state;
};
/* Per district: cases matching the filter and how many of them are solved. */
struct map_district {
	const char *code, *name; /* in the request's arena */
	int64_t reported, solved;
};
struct map_counts {
	int64_t total, located; /* matching cases; those with coordinates */
	int64_t solved;
	struct map_district *districts; /* every district (only the chosen one when filtered) */
	int ndistricts;
};
/* What both answers start from: this thread's connection, the request's filter (from
 * map_filter_params; ERR_NOT_FOUND for an unknown area or category code, so a typo is not
 * taken for "no problems") and its counts. */
int map_load(struct http_req *r, struct db **db, struct map_filter *f, struct map_counts *n,
             struct err *e);

#endif
