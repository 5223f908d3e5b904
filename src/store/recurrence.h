/* Likely duplicates and recurrences of a new report (issue 5 §6): an open case of the same
 * category close by is probably the same problem (the dispatcher decides and may merge); a
 * case of the same category closed there recently means the problem came back (反复发生).
 * The decision is pure (recur_consider, unit-tested); recur_find runs the one indexed query. */
#ifndef WM_RECURRENCE_H
#define WM_RECURRENCE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct db;

/* The policy, in one place. A report within RECUR_RADIUS_M metres (inclusive) of another
 * case of its category is "at the same place": about the size of a street frontage or a
 * square's corner, and larger than phone GPS error in a city (10–30 m). A closed case counts
 * as a recurrence for RECUR_WINDOW_S seconds after closing (inclusive), the window in which
 * staff may still reopen it. */
#define RECUR_RADIUS_M 50.0
enum { RECUR_WINDOW_S = 30 * 86400 };

/* The new report. */
struct recur_report {
	int64_t category_id;
	double lat, lon;
	int64_t now; /* unix seconds */
};

/* An existing case near it. status is the stored name ("reported" … "rejected"). */
struct recur_candidate {
	int64_t id;
	int64_t category_id;
	double lat, lon;
	const char *status;
	int64_t closed_at; /* 0: never closed */
	int64_t requested_at;
};

/* What was decided; start from RECUR_PICK_INIT and feed candidates in any order. */
struct recur_pick {
	int64_t likely_duplicate_of; /* 0: none. The nearest open case; ties: the older report */
	int64_t recurrence_of;       /* 0: none. The most recently closed; ties: the higher id */
	double duplicate_m;          /* distance to likely_duplicate_of */
	int64_t recurrence_closed_at;
};
#define RECUR_PICK_INIT                                                                            \
	{                                                                                          \
		0, 0, 0.0, 0                                                                       \
	}

/* Takes one candidate into account. Other categories, cases without a place, cases beyond the
 * radius, rejected cases and cases closed outside the window are ignored. */
void recur_consider(const struct recur_report *r, const struct recur_candidate *c,
                    struct recur_pick *p);

/* The same over an array. */
void recur_pick_all(const struct recur_report *r, const struct recur_candidate *c, size_t n,
                    struct recur_pick *out);

/* Reads the candidates around r (one query on the cases_latlon index: the box around the
 * radius, the category, open or closed within the window) and decides. */
int recur_find(struct db *db, const struct recur_report *r, struct recur_pick *out, struct err *e);

#endif
