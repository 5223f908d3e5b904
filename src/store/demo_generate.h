/* `wenming demo generate`: a year (or `days`) of history for a Dalian-size city, for
 * demonstrations and the workflow benchmark (bench/workflow_bench.sh). Cases arrive with a
 * daily and weekly rhythm (fewer on holidays and weekends, a summer peak), in the demo
 * categories, at points inside the demo areas, and each is walked through the state machine
 * (case_step_apply with the calendar and the category's limits, so events get due_at and
 * cases a stage and deadline): ~85% closed (some reworked, some late), ~5% rejected, ~10%
 * open in every stage (old open ones overdue), ratings for a share of the closed ones.
 * Then one escalation pass at `now` (store/escalate.h), as the running server would have
 * made: open cases get their yellow/red alerts and the overdue ones a supervision level.
 * The shape of the data is reproducible from the seed and `now`; tracking codes and tokens
 * are drawn by case_report_file and are not. */
#ifndef WM_DEMO_GENERATE_H
#define WM_DEMO_GENERATE_H

#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"

struct db;

enum { DEMO_GEN_MAX_EXISTING = 300 }; /* `init --demo`'s sample cases */

struct demo_gen_opts {
	long cases;      /* how many */
	int days;        /* spread over the last `days` days up to now */
	uint64_t seed;   /* same seed and now: same cases, timelines and figures */
	int64_t now;     /* unix seconds */
	int force;       /* also on a database holding more than DEMO_GEN_MAX_EXISTING cases */
	long batch;      /* cases per transaction (default 5000) */
	int no_escalate; /* skip the closing escalation pass */
	FILE *progress;  /* progress lines; NULL: quiet */
};

struct demo_gen_stats {
	long cases, closed, rejected, open, overdue; /* overdue: open and past its stage deadline */
	long by_status[8]; /* reported, registered, dispatched, handling, handled, deferred,
	                      closed, rejected */
	long reworked, late, returned, extended, rated, events;
	long escalated_yellow, escalated_red; /* by the closing escalation pass */
	long folded; /* tally deltas folded at the end (store/tally.h) */
	double seconds, escalate_seconds, fold_seconds;
};

/* ERR_CONFLICT when the database already holds too many cases (and not force). */
int demo_generate(struct db *db, const struct demo_gen_opts *o, struct demo_gen_stats *st,
                  struct err *e);

#endif
