#include "store/area_tree.h"

#include <stdlib.h>
#include <string.h>

#include "store/db.h"

static const struct area_link *find(const struct area_tree *t, int64_t id)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->v[lo].id == id ? &t->v[lo] : NULL;
}

int area_tree_load(struct db *db, struct area_tree *t, struct err *e)
{
	*t = (struct area_tree){0};
	struct db_stmt *st;
	int rc = db_query(db, "SELECT id, COALESCE(parent_id, 0), kind FROM area ORDER BY id", NULL,
	                  0, &st, e);
	if (rc)
		return rc;
	size_t cap = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (t->n == cap) {
			cap = cap ? 2 * cap : 64;
			struct area_link *p = realloc(t->v, cap * sizeof *p);
			if (!p)
				abort(); /* as buf.c */
			t->v = p;
		}
		t->v[t->n++] = (struct area_link){db_col_int(st, 0), db_col_int(st, 1),
		                                  !strcmp(db_col_text(st, 2), "district")};
	}
	db_done(st);
	if (rc < 0)
		area_tree_free(t);
	return rc < 0 ? rc : 0;
}

void area_tree_free(struct area_tree *t)
{
	free(t->v);
	*t = (struct area_tree){0};
}

int64_t area_tree_district(const struct area_tree *t, int64_t id)
{
	for (int depth = 0; id && depth < 32; depth++) { /* bounded: bad data must not hang */
		const struct area_link *l = find(t, id);
		if (!l)
			return 0;
		if (l->district)
			return l->id;
		id = l->parent;
	}
	return 0;
}

int area_tree_within(const struct area_tree *t, int64_t id, const int64_t *roots, size_t nroots)
{
	if (nroots == 0)
		return 1;
	for (int depth = 0; id && depth < 32; depth++) {
		for (size_t i = 0; i < nroots; i++)
			if (roots[i] == id)
				return 1;
		const struct area_link *l = find(t, id);
		id = l ? l->parent : 0;
	}
	return 0;
}
