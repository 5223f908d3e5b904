/* The staff JSON API at /api/v1/: login and sessions, users, units and areas, cases within
 * the caller's reach, api keys, the audit trail. Every route declares its roles in the route
 * table (routes.c); handlers also check the object's unit scope (reach.h). */
#ifndef WM_API_STAFF_H
#define WM_API_STAFF_H

#include "http/http.h"

/* http_config.authenticate: the session cookie -> r->who. */
int api_authenticate(struct http_req *r, struct err *e);

/* Session */
int session_login(struct http_req *r, struct http_resp *w, struct err *e);
int session_me(struct http_req *r, struct http_resp *w, struct err *e);
int session_logout(struct http_req *r, struct http_resp *w, struct err *e);
int session_totp(struct http_req *r, struct http_resp *w, struct err *e);
int me_password(struct http_req *r, struct http_resp *w, struct err *e);
int me_totp_begin(struct http_req *r, struct http_resp *w, struct err *e);
int me_totp_confirm(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec session_login_params[];
extern const struct param_spec session_totp_params[];
extern const struct param_spec me_password_params[];
extern const struct param_spec me_totp_confirm_params[];

/* Users and sessions (admin) */
int users_list(struct http_req *r, struct http_resp *w, struct err *e);
int users_create(struct http_req *r, struct http_resp *w, struct err *e);
int users_get(struct http_req *r, struct http_resp *w, struct err *e);
int users_update(struct http_req *r, struct http_resp *w, struct err *e);
int users_reset_password(struct http_req *r, struct http_resp *w, struct err *e);
int sessions_list(struct http_req *r, struct http_resp *w, struct err *e);
int sessions_revoke(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec users_create_params[];
extern const struct param_spec users_update_params[];
extern const struct param_spec users_password_params[];

/* Units and areas */
int units_list(struct http_req *r, struct http_resp *w, struct err *e);
int units_get(struct http_req *r, struct http_resp *w, struct err *e);
int units_create(struct http_req *r, struct http_resp *w, struct err *e);
int units_update(struct http_req *r, struct http_resp *w, struct err *e);
int areas_list(struct http_req *r, struct http_resp *w, struct err *e);
int areas_locate(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec units_create_params[];
extern const struct param_spec units_update_params[];
extern const struct param_spec areas_locate_params[];
/* Uploads, as `wenming import units|areas` (staff_org_import.c) */
int units_import(struct http_req *r, struct http_resp *w, struct err *e);
int areas_import(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec org_import_params[];

/* Cases within reach */
int cases_list(struct http_req *r, struct http_resp *w, struct err *e);
int cases_get(struct http_req *r, struct http_resp *w, struct err *e);
int cases_timeline(struct http_req *r, struct http_resp *w, struct err *e);
int cases_act(struct http_req *r, struct http_resp *w, struct err *e);
int cases_file(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec cases_file_params[];
extern const struct param_spec cases_list_params[];
extern const struct param_spec case_action_params[];

/* The caller's notifications */
int notifications_list(struct http_req *r, struct http_resp *w, struct err *e);
int notifications_read(struct http_req *r, struct http_resp *w, struct err *e);
int notifications_read_all(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec notifications_params[];

/* Api keys (admin) */
int apikeys_list(struct http_req *r, struct http_resp *w, struct err *e);
int apikeys_create(struct http_req *r, struct http_resp *w, struct err *e);
int apikeys_revoke(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec apikeys_create_params[];

/* Audit (admin) */
int audit_list(struct http_req *r, struct http_resp *w, struct err *e);
int audit_check(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec audit_list_params[];

#endif
