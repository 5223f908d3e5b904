/* Routing rules in the staff API (issue 5): list, add, change, deactivate, and the
 * suggestion of the responsible unit for a category at a point. All staff read the rules;
 * admins and the office edit them; dispatchers, the office and admins ask for suggestions. */
#ifndef WM_API_STAFF_ROUTING_H
#define WM_API_STAFF_ROUTING_H

#include "http/http.h"

int routing_rules_list(struct http_req *r, struct http_resp *w, struct err *e);
int routing_rules_create(struct http_req *r, struct http_resp *w, struct err *e);
int routing_rules_update(struct http_req *r, struct http_resp *w, struct err *e);
int routing_rules_deactivate(struct http_req *r, struct http_resp *w, struct err *e);
int routing_suggest_get(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec routing_rules_create_params[];
extern const struct param_spec routing_rules_update_params[];
extern const struct param_spec routing_suggest_params[];

#endif
