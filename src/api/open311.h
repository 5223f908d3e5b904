/* Open311 GeoReport v2 at /open311/v2/: discovery, services, requests, tokens. */
#ifndef WM_API_OPEN311_H
#define WM_API_OPEN311_H

#include "http/http.h"

int open311_discovery(struct http_req *r, struct http_resp *w, struct err *e);
int open311_services(struct http_req *r, struct http_resp *w, struct err *e);
int open311_service_definition(struct http_req *r, struct http_resp *w, struct err *e);
int open311_post_request(struct http_req *r, struct http_resp *w, struct err *e);
int open311_get_requests(struct http_req *r, struct http_resp *w, struct err *e);
int open311_get_request(struct http_req *r, struct http_resp *w, struct err *e);
int open311_get_token(struct http_req *r, struct http_resp *w, struct err *e);

/* Shared by the handlers: the jurisdiction_id check (absent is fine, another is 404). */
int open311_check_jurisdiction(struct http_req *r, struct err *e);

extern const struct param_spec open311_post_params[];
extern const struct param_spec open311_query_params[];
extern const struct param_spec open311_request_params[];
extern const struct param_spec open311_jurisdiction_params[];

#endif
