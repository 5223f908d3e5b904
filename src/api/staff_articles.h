/* Creation news in the staff API (docs/news.md): write, review, publish, withdraw. */
#ifndef WM_STAFF_ARTICLES_H
#define WM_STAFF_ARTICLES_H

#include "http/http.h"

int articles_list(struct http_req *r, struct http_resp *w, struct err *e);
int articles_create(struct http_req *r, struct http_resp *w, struct err *e);
int articles_get(struct http_req *r, struct http_resp *w, struct err *e);
int articles_update(struct http_req *r, struct http_resp *w, struct err *e);
int articles_act(struct http_req *r, struct http_resp *w, struct err *e);

extern const struct param_spec articles_list_params[];
extern const struct param_spec articles_create_params[];
extern const struct param_spec articles_update_params[];
extern const struct param_spec articles_act_params[];

#endif
