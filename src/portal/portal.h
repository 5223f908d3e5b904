/* The public portal's pages (issue 8, docs/portal.md): citizens report and follow problems
 * without an account, in plain HTML that works without JavaScript, with a 关怀版. */
#ifndef WM_PORTAL_H
#define WM_PORTAL_H

#include "http/http.h"
#include "store/area_store.h" /* CASE_PLACE_COLS, CASE_PLACE_JOINS */

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


/* "2026-11-26 13:05" in Beijing time. */
void portal_time(char out[20], int64_t t);

#endif
