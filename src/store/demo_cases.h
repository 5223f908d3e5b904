/* Sample cases for the demo city: reports spread over the districts and the last 60 days,
 * walked along the state machine to every stage, so lists, maps and figures have content. */
#ifndef WM_DEMO_CASES_H
#define WM_DEMO_CASES_H

#include <stdint.h>

#include "lib/err.h"

struct db;

/* Creates n cases unless the database already holds cases (then does nothing). */
int demo_cases_create(struct db *db, int n, int64_t now, const char *prefix, struct err *e);

#endif
