/* The citizens' questionnaire (问卷调查) of a round: no account, one answer per device or phone,
 * the public posting limit per address (docs/standards.md). */
#ifndef WM_API_PUBLIC_SURVEY_H
#define WM_API_PUBLIC_SURVEY_H

#include "http/http.h"

int public_survey_get(struct http_req *r, struct http_resp *w, struct err *e);
int public_survey_answer(struct http_req *r, struct http_resp *w, struct err *e);
extern const struct param_spec public_survey_answer_params[];

#endif
