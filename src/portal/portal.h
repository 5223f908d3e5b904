/* The public portal's pages (issue 8, docs/portal.md): citizens report and follow problems
 * without an account, in plain HTML that works without JavaScript, with a 关怀版. */
#ifndef WM_PORTAL_H
#define WM_PORTAL_H

#include "http/http.h"

int portal_home(struct http_req *r, struct http_resp *w, struct err *e);
int portal_care(struct http_req *r, struct http_resp *w, struct err *e);
int portal_report_form(struct http_req *r, struct http_resp *w, struct err *e);
int portal_report_post(struct http_req *r, struct http_resp *w, struct err *e);
int portal_cases(struct http_req *r, struct http_resp *w, struct err *e);
int portal_track_form(struct http_req *r, struct http_resp *w, struct err *e);
int portal_track_case(struct http_req *r, struct http_resp *w, struct err *e);
int portal_track_rate(struct http_req *r, struct http_resp *w, struct err *e);
int portal_search(struct http_req *r, struct http_resp *w, struct err *e);
int portal_map(struct http_req *r, struct http_resp *w, struct err *e);
/* The map's data (portal/map_data.c): masked points and counts, the area outlines. */
int public_map_get(struct http_req *r, struct http_resp *w, struct err *e);
int public_areas_get(struct http_req *r, struct http_resp *w, struct err *e);

extern const struct param_spec portal_care_params[];
extern const struct param_spec portal_cases_params[];
extern const struct param_spec portal_report_params[];
extern const struct param_spec portal_track_params[];
extern const struct param_spec portal_track_case_params[];
extern const struct param_spec portal_track_rate_params[];
extern const struct param_spec portal_search_params[];
/* days, district, service_code, state: GET /map and GET /api/v1/public/map. */
extern const struct param_spec map_filter_params[];

/* A case's district and street names (c the case; columns PORTAL_PLACE_COLS), never more
 * precise: the public pages show no address. */
#define PORTAL_PLACE_COLS "COALESCE(d.name, ''), COALESCE(s.name, '')"
#define PORTAL_PLACE_JOINS                                                                         \
	" LEFT JOIN area g ON g.id = c.area_id"                                                    \
	" LEFT JOIN area s ON s.id = CASE WHEN g.kind = 'grid' THEN g.parent_id"                   \
	" WHEN g.kind = 'street' THEN g.id END"                                                    \
	" LEFT JOIN area d ON d.id = CASE WHEN g.kind = 'district' THEN g.id ELSE s.parent_id END"

/* "2026-11-26 13:05" in Beijing time. */
void portal_time(char out[20], int64_t t);

#endif
