/* Citizens follow their own case by tracking code (issue 5 §7): the public view with the
 * public timeline and deadline, and the reporter's one rating once the case is closed. */
#ifndef WM_API_PUBLIC_FOLLOWUP_H
#define WM_API_PUBLIC_FOLLOWUP_H

#include <jansson.h>

#include "http/http.h"

struct db;

/* An 'unsatisfied' rating given within this many seconds of closing reopens the case (the
 * same 30 days in which staff may reopen a closed case). */
enum { RATING_REOPEN_WINDOW_S = 30 * 86400 };
/* Longest rating comment, in characters. */
enum { RATING_COMMENT_MAX_CHARS = 500 };

/* The roles the rating's reopen move is made with: ROLE_SYSTEM once the transition table's
 * reopen row allows it, until then ROLE_OFFICE (the office's policy, applied automatically). */
unsigned rating_reopen_roles(void);

int public_case_get(struct http_req *r, struct http_resp *w, struct err *e);
/* The public view of the case with tracking code `code` (a new object in *out: status,
 * deadline, public timeline, rating), as GET /api/v1/public/cases/{code} answers it:
 * description, address, point and notes masked (core/mask.h) unless token (may be NULL) is
 * the report's own, the reporter's browser; then as filed, with "reporter": true.
 * ERR_NOT_FOUND when there is none. */
int public_case_view(struct http_req *r, struct db *db, const char *code, const char *token,
                     json_t **out, struct err *e);
int public_case_rate(struct http_req *r, struct http_resp *w, struct err *e);

extern const struct param_spec public_case_rate_params[];

/* What a rating did. */
struct public_rating {
	const char *rating; /* satisfied, basically, unsatisfied */
	int reopened;       /* an unsatisfied rating soon after closing reopened the case */
	const char *status; /* the case's status after it */
};
/* The reporter's one rating of closed case `code`, proven by its token (NULL: none):
 * ERR_NOT_FOUND, ERR_FORBIDDEN (token), ERR_CONFLICT (not closed, or rated already),
 * ERR_BAD_REQUEST (comment over RATING_COMMENT_MAX_CHARS). Written and audited before it
 * returns. */
int public_case_rate_apply(struct http_req *r, const char *code, const char *token,
                           const char *rating, const char *comment, struct public_rating *out,
                           struct err *e);
/* 满意, 基本满意, 不满意 for a rating value ("" for anything else). */
const char *public_rating_label(const char *rating);

#endif
