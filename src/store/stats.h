/* The counting behind the figures (core/figures.h; docs/figures.md): per group over a period
 * [from, to) of whole local days (unix seconds of UTC+8 midnights), per day for the trend, and
 * the grid cells with most cases. Counts come from the tallies (store/tally.h) and, for what
 * is open now, from the cases; a reach (root unit; 0 = citywide) keeps the counts of the units
 * in its subtree. Every row is malloc'd; free a set with stats_set_free. */
#ifndef WM_STATS_H
#define WM_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/figures.h"
#include "lib/err.h"

struct db;

enum stats_group { STATS_UNIT, STATS_DISTRICT, STATS_CATEGORY, STATS_SOURCE, STATS_NONE };

/* "unit", "district", … → *g; -1 when unknown. */
int stats_group_parse(const char *s, enum stats_group *g);

struct stats_row {
	int64_t day;     /* trend rows: local (UTC+8) midnight in unix seconds; else 0 */
	int64_t key;     /* unit, district unit or category id; 0 for none and for sources */
	char code[64];   /* unit code, service code or source */
	char label[128]; /* name */
	struct fig_counts c;
	int64_t late;  /* trend: stage-ending moves made after their deadline that day */
	double *hours; /* handling times (dispatch → handled) in hours, nhours of them */
	size_t nhours, caphours;
};

struct stats_set {
	struct stats_row *rows;
	size_t n, cap;
	size_t *slots, nslots; /* open addressing over rows: index + 1, 0 empty */
};

void stats_set_free(struct stats_set *s);

/* The local (UTC+8) midnight at or before t, and at or after t: figures are kept per day, so
 * a period is whole days. */
int64_t stats_day_floor(int64_t t);
int64_t stats_day_ceil(int64_t t);

/* Every figure's counts per group. now: for overdue_now. */
int stats_collect(struct db *db, enum stats_group g, int64_t root, int64_t from, int64_t to,
                  int64_t now, struct stats_set *out, struct err *e);
/* Per day (and group, unless STATS_NONE): c.reported and c.place_closed (at the place) and late. Sorted by day. */
int stats_trend(struct db *db, enum stats_group g, int64_t root, int64_t from, int64_t to,
                struct stats_set *out, struct err *e);
/* Grid cells (area kind 'grid') by cases reported in the period, most first, at most limit:
 * key = area id, code/label = its code and name, c.reported, c.overdue_now = still open. */
int stats_hotspots(struct db *db, int64_t root, int64_t from, int64_t to, int64_t limit,
                   struct stats_set *out, struct err *e);

#endif
