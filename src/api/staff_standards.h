/* The evaluation standard (测评体系) and the sites (点位) over HTTP: staff read them, the
 * office and admins activate a version and save sites (docs/standards.md). */
#ifndef WM_API_STAFF_STANDARDS_H
#define WM_API_STAFF_STANDARDS_H

#include "http/http.h"

int site_types_list(struct http_req *r, struct http_resp *w, struct err *e);
int standards_list(struct http_req *r, struct http_resp *w, struct err *e);
int standards_get(struct http_req *r, struct http_resp *w, struct err *e);
int standards_activate_post(struct http_req *r, struct http_resp *w, struct err *e);
int sites_list(struct http_req *r, struct http_resp *w, struct err *e);
int sites_geojson_get(struct http_req *r, struct http_resp *w, struct err *e);
int sites_get(struct http_req *r, struct http_resp *w, struct err *e);
int sites_save(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec standards_get_params[];
extern const struct param_spec sites_list_params[];
extern const struct param_spec sites_geojson_params[];
extern const struct param_spec sites_save_params[];

#endif
