/* The area tree in memory (id, parent, kind) for the round and score code: whether an area
 * lies within others, and the district above it. Loaded per call; areas are few (thousands). */
#ifndef WM_AREA_TREE_H
#define WM_AREA_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct db;

struct area_link {
	int64_t id, parent;
	int district;
};

struct area_tree {
	struct area_link *v; /* sorted by id */
	size_t n;
};

int area_tree_load(struct db *db, struct area_tree *t, struct err *e);
void area_tree_free(struct area_tree *t);
/* The district area at or above id; 0 when none. */
int64_t area_tree_district(const struct area_tree *t, int64_t id);
/* Whether id is one of roots or below one (nroots == 0: always). */
int area_tree_within(const struct area_tree *t, int64_t id, const int64_t *roots, size_t nroots);

#endif
