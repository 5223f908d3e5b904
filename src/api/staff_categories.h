/* The category catalogue in the staff API: every category (switched off ones too) for all
 * staff; admins and the office add categories and change names, keywords, the default unit,
 * stage limits, urgency, order, and switch them off or on. */
#ifndef WM_API_STAFF_CATEGORIES_H
#define WM_API_STAFF_CATEGORIES_H

#include "http/http.h"

int categories_list(struct http_req *r, struct http_resp *w, struct err *e);
int categories_create(struct http_req *r, struct http_resp *w, struct err *e);
int categories_update(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec categories_create_params[];
extern const struct param_spec categories_update_params[];

#endif
