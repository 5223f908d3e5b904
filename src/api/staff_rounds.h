/* Inspection rounds (督查 / 模拟测评) and inspections over HTTP (docs/standards.md). */
#ifndef WM_API_STAFF_ROUNDS_H
#define WM_API_STAFF_ROUNDS_H

#include "http/http.h"

/* Who runs rounds and inspects: the office and admins make rounds; inspectors (and the
 * office) inspect; everyone on staff may follow them. */
#define ROUND_EDIT (ROLE_ADMIN | ROLE_OFFICE)
#define INSPECTS (ROLE_INSPECTOR | ROLE_OFFICE | ROLE_ADMIN)

int rounds_create(struct http_req *r, struct http_resp *w, struct err *e);
int rounds_list(struct http_req *r, struct http_resp *w, struct err *e);
/* The active inspectors (id, login, name, unit), for naming them in a round. */
int inspectors_list(struct http_req *r, struct http_resp *w, struct err *e);
int rounds_close(struct http_req *r, struct http_resp *w, struct err *e);
int rounds_get(struct http_req *r, struct http_resp *w, struct err *e);
int rounds_site_checklist(struct http_req *r, struct http_resp *w, struct err *e);
int inspections_submit(struct http_req *r, struct http_resp *w, struct err *e);
int inspections_get(struct http_req *r, struct http_resp *w, struct err *e);
int rounds_scores(struct http_req *r, struct http_resp *w, struct err *e);
int scores_trend(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec rounds_scores_params[];
extern const struct param_spec rounds_create_params[];
extern const struct param_spec inspections_submit_params[];

#endif
