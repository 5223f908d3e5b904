/* The route table: every endpoint, its formats, roles and declared parameters. */
#ifndef WM_ROUTES_H
#define WM_ROUTES_H

#include "http/http.h"

extern const struct route routes[];

int media_get(struct http_req *r, struct http_resp *w, struct err *e);
int media_upload(struct http_req *r, struct http_resp *w, struct err *e);
int console_get(struct http_req *r, struct http_resp *w, struct err *e);
int static_get(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec media_upload_params[];
int health_get(struct http_req *r, struct http_resp *w, struct err *e);
int openapi_get(struct http_req *r, struct http_resp *w, struct err *e);

#endif
