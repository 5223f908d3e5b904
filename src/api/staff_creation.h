/* Grassroots creation (基层创建) over HTTP (docs/creation.md): titles, creations listed and read
 * within the caller's read scope, declared by a unit's handlers (or the office), moved by the
 * office, self-assessed whole, and counted by district with their coverage (JSON or CSV). */
#ifndef WM_API_STAFF_CREATION_H
#define WM_API_STAFF_CREATION_H

#include "core/roles.h"
#include "http/http.h"

/* Who declares and self-assesses (the state machine narrows the moves further). */
#define CREATION_WRITE (ROLE_HANDLER | ROLE_OFFICE | ROLE_ADMIN)

int creation_titles_get(struct http_req *r, struct http_resp *w, struct err *e);
int creations_list(struct http_req *r, struct http_resp *w, struct err *e);
int creations_declare(struct http_req *r, struct http_resp *w, struct err *e);
int creations_coverage(struct http_req *r, struct http_resp *w, struct err *e);
int creations_get(struct http_req *r, struct http_resp *w, struct err *e);
int creations_checklist(struct http_req *r, struct http_resp *w, struct err *e);
int creations_act(struct http_req *r, struct http_resp *w, struct err *e);
int creations_assess(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec creations_list_params[];
extern const struct param_spec creations_declare_params[];
extern const struct param_spec creations_coverage_params[];
extern const struct param_spec creations_act_params[];
extern const struct param_spec creations_assess_params[];

#endif
