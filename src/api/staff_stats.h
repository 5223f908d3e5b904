/* The figures the office is judged by, over HTTP (docs/figures.md): grouped stats (JSON or
 * CSV), the 红黑榜 ranking by composite score, the daily trend and the grid hotspots. Rows
 * are limited to the caller's reach (reach.h). */
#ifndef WM_API_STAFF_STATS_H
#define WM_API_STAFF_STATS_H

#include "http/http.h"

/* Who may read the figures: those who run or answer for units. Inspectors (监督员) report
 * and verify and do not manage units, so they get none. */
#define STATS_ROLES (ROLE_ADMIN | ROLE_OFFICE | ROLE_LEADER | ROLE_DISPATCHER | ROLE_HANDLER)

int stats_get(struct http_req *r, struct http_resp *w, struct err *e);
int stats_ranking(struct http_req *r, struct http_resp *w, struct err *e);
int stats_trend_get(struct http_req *r, struct http_resp *w, struct err *e);
int stats_hotspots_get(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec stats_params[];
extern const struct param_spec stats_ranking_params[];
extern const struct param_spec stats_trend_params[];
extern const struct param_spec stats_hotspots_params[];

#endif
