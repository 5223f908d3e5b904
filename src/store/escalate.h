/* The escalation pass (a background job, once a minute, once across instances): open cases
 * whose stage has used 75% of its time turn yellow, overdue ones red; a red case's
 * supervision level rises. Each change is an `escalate` move on the timeline, a notification
 * for the users of the responsible unit and of its parent, and an audit record, all in one
 * transaction. An alert only rises within a stage (a new stage starts green), so each
 * escalation happens once. */
#ifndef WM_ESCALATE_H
#define WM_ESCALATE_H

#include <stdint.h>

#include "lib/err.h"

struct db;
struct job_ctx;

struct escalate_stats {
	int64_t scanned, yellow, red;
};

int escalate_pass(struct db *db, int64_t now, struct escalate_stats *st, struct err *e);
/* The job (store/jobs.h): escalate_pass with its figures as the note. */
int escalate_job(const struct job_ctx *ctx, struct err *e);

#endif
