/* The action plan over HTTP (docs/plans.md): plans and their task trees, a unit's tasks,
 * progress reports, status moves and progress figures. */
#ifndef WM_STAFF_PLANS_H
#define WM_STAFF_PLANS_H

#include "http/http.h"

extern const struct param_spec plans_create_params[];
extern const struct param_spec plans_progress_params[];
extern const struct param_spec tasks_create_params[];
extern const struct param_spec tasks_edit_params[];
extern const struct param_spec tasks_list_params[];
extern const struct param_spec tasks_report_params[];
extern const struct param_spec tasks_action_params[];

int plans_list(struct http_req *r, struct http_resp *w, struct err *e);
int plans_create(struct http_req *r, struct http_resp *w, struct err *e);
int plans_get(struct http_req *r, struct http_resp *w, struct err *e);
int plans_progress(struct http_req *r, struct http_resp *w, struct err *e);
int tasks_create(struct http_req *r, struct http_resp *w, struct err *e);
int tasks_list(struct http_req *r, struct http_resp *w, struct err *e);
int tasks_get(struct http_req *r, struct http_resp *w, struct err *e);
int tasks_edit(struct http_req *r, struct http_resp *w, struct err *e);
int tasks_report(struct http_req *r, struct http_resp *w, struct err *e);
int tasks_action(struct http_req *r, struct http_resp *w, struct err *e);

#endif
