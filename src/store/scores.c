#include "store/scores.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/scoring.h"
#include "store/area_tree.h"
#include "store/db.h"

static const char *const GROUPS[] = {[SCORE_SITE] = "site",
                                     [SCORE_DISTRICT] = "district",
                                     [SCORE_UNIT] = "unit",
                                     [SCORE_TYPE] = "type",
                                     [SCORE_ITEM] = "item"};

int score_group_parse(const char *s, enum score_group *g)
{
	for (int i = 0; i <= SCORE_ITEM; i++)
		if (s && !strcmp(s, GROUPS[i])) {
			*g = (enum score_group)i;
			return 0;
		}
	return -1;
}

struct group {
	char key[72];
	char label[256];
	struct score_sum sum;
};

struct groups {
	struct group *v;
	size_t n, cap;
};

static struct group *group_find(struct groups *gs, const char *key)
{
	for (size_t i = gs->n; i-- > 0;) /* the last one first: rows come grouped */
		if (!strcmp(gs->v[i].key, key))
			return &gs->v[i];
	return NULL;
}

static struct group *group_new(struct groups *gs, const char *key, const char *label)
{
	if (gs->n == gs->cap) {
		gs->cap = gs->cap ? 2 * gs->cap : 64;
		struct group *p = realloc(gs->v, gs->cap * sizeof *p);
		if (!p)
			abort(); /* as buf.c */
		gs->v = p;
	}
	struct group *g = &gs->v[gs->n++];
	memset(g, 0, sizeof *g);
	snprintf(g->key, sizeof g->key, "%s", key);
	snprintf(g->label, sizeof g->label, "%s", label);
	return g;
}

/* The round's latest inspection per site, with the site's columns and the inspection's sums. */
static const char SITES_SQL[] =
    "SELECT s.code, s.name, s.type, t.name, COALESCE(u.code, ''), COALESCE(u.name, ''),"
    " COALESCE(s.area_id, 0), i.kept, i.applicable, i.passed, i.failed, i.na,"
    " i.deduct_failed, i.veto_failed FROM inspection i JOIN site s ON s.id = i.site_id"
    " JOIN site_type t ON t.code = s.type LEFT JOIN unit u ON u.id = s.unit_id"
    " WHERE i.round_id = ? AND i.id = (SELECT MAX(j.id) FROM inspection j"
    " WHERE j.round_id = i.round_id AND j.site_id = i.site_id) ORDER BY s.code";

/* Per item over the same inspections: pass, fail and n/a counts. */
static const char ITEMS_SQL[] =
    "SELECT n.code, n.text, n.points, n.veto,"
    " SUM(CASE WHEN r.result = 'pass' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN r.result = 'fail' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN r.result = 'na' THEN 1 ELSE 0 END)"
    " FROM inspection i JOIN inspection_result r ON r.inspection_id = i.id"
    " JOIN standard_node n ON n.id = r.node_id"
    " WHERE i.round_id = ? AND i.id = (SELECT MAX(j.id) FROM inspection j"
    " WHERE j.round_id = i.round_id AND j.site_id = i.site_id)"
    " GROUP BY n.id, n.code, n.text, n.points, n.veto";

static int cmp_weakest(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	double vx, vy;
	int hx = score_value(&x->sum, &vx), hy = score_value(&y->sum, &vy);
	if (hx != hy)
		return hx ? -1 : 1;
	if (hx && vx != vy)
		return vx < vy ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int cmp_lost(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	double lx = x->sum.applicable - x->sum.kept, ly = y->sum.applicable - y->sum.kept;
	if (lx != ly)
		return lx > ly ? -1 : 1;
	return strcmp(x->key, y->key);
}

static json_t *sum_json(const struct score_sum *s)
{
	double v = 0;
	int has = score_value(s, &v);
	return json_pack("{s:o, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:I, s:I}", "score",
	                 has ? json_real((double)(int64_t)(v * 100 + 0.5) / 100) : json_null(),
	                 "kept", s->kept, "applicable", s->applicable, "lost",
	                 s->applicable - s->kept, "passed", (json_int_t)s->passed, "failed",
	                 (json_int_t)s->failed, "na", (json_int_t)s->na, "deduct_failed",
	                 (json_int_t)s->deduct_failed, "veto_failed", (json_int_t)s->veto_failed,
	                 "sites", (json_int_t)s->sites);
}

/* The district areas' names, for labels. */
static const char *area_name(struct db *db, int64_t id, char *buf, size_t n)
{
	struct err e;
	struct db_stmt *st;
	buf[0] = 0;
	if (db_query(db, "SELECT name FROM area WHERE id = ?", DB_ARGS(db_int(id)), &st, &e) == 0) {
		if (db_step(st, &e) == DB_ROW)
			snprintf(buf, n, "%s", db_col_text(st, 0));
		db_done(st);
	}
	return buf;
}

static struct score_sum row_sum(struct db_stmt *st, int col)
{
	return (struct score_sum){.kept = db_col_real(st, col),
	                          .applicable = db_col_real(st, col + 1),
	                          .passed = db_col_int(st, col + 2),
	                          .failed = db_col_int(st, col + 3),
	                          .na = db_col_int(st, col + 4),
	                          .deduct_failed = db_col_int(st, col + 5),
	                          .veto_failed = db_col_int(st, col + 6),
	                          .sites = 1};
}

/* Sites into groups (and the city); items are counted apart. */
static int group_sites(struct db *db, int64_t round_id, enum score_group g, struct groups *gs,
                       struct score_sum *city, struct err *e)
{
	struct area_tree tree = {0};
	int rc = g == SCORE_DISTRICT ? area_tree_load(db, &tree, e) : 0;
	struct db_stmt *st;
	if (rc || (rc = db_query(db, SITES_SQL, DB_ARGS(db_int(round_id)), &st, e))) {
		area_tree_free(&tree);
		return rc;
	}
	char key[72], label[256];
	while ((rc = db_step(st, e)) == DB_ROW) {
		struct score_sum s = row_sum(st, 7);
		score_merge(city, &s);
		if (g == SCORE_ITEM)
			continue;
		label[0] = 0;
		switch (g) {
		case SCORE_DISTRICT:
			snprintf(key, sizeof key, "%lld",
			         (long long)area_tree_district(&tree, db_col_int(st, 6)));
			break;
		case SCORE_UNIT:
			snprintf(key, sizeof key, "%s", db_col_text(st, 4));
			snprintf(label, sizeof label, "%s",
			         *db_col_text(st, 4) ? db_col_text(st, 5) : "未指定单位");
			break;
		case SCORE_TYPE:
			snprintf(key, sizeof key, "%s", db_col_text(st, 2));
			snprintf(label, sizeof label, "%s", db_col_text(st, 3));
			break;
		default: /* SCORE_SITE */
			snprintf(key, sizeof key, "%s", db_col_text(st, 0));
			snprintf(label, sizeof label, "%s", db_col_text(st, 1));
			break;
		}
		struct group *gr = group_find(gs, key);
		if (!gr && g == SCORE_DISTRICT) {
			int64_t d = strtoll(key, NULL, 10);
			if (d)
				area_name(db, d, label, sizeof label);
			else
				snprintf(label, sizeof label, "未指定区域");
		}
		if (!gr)
			gr = group_new(gs, key, label);
		score_merge(&gr->sum, &s);
	}
	db_done(st);
	area_tree_free(&tree);
	return rc < 0 ? rc : 0;
}

static int group_items(struct db *db, int64_t round_id, struct groups *gs, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, ITEMS_SQL, DB_ARGS(db_int(round_id)), &st, e);
	if (rc)
		return rc;
	while ((rc = db_step(st, e)) == DB_ROW) {
		struct group *gr = group_new(gs, db_col_text(st, 0), db_col_text(st, 1));
		score_add_counts(&gr->sum, db_col_real(st, 2), db_col_text(st, 3), db_col_int(st, 4),
		                 db_col_int(st, 5), db_col_int(st, 6));
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

int round_scores_json(struct db *db, int64_t round_id, enum score_group g, json_t **out,
                      struct err *e)
{
	int64_t exists = 0;
	int rc = db_get_int(db, "SELECT COUNT(*) FROM inspection_round WHERE id = ?",
	                    DB_ARGS(db_int(round_id)), &exists, e);
	if (rc)
		return rc;
	if (!exists)
		return err_set(e, ERR_NOT_FOUND, "no round %lld", (long long)round_id);
	struct groups gs = {0};
	struct score_sum city = {0};
	rc = group_sites(db, round_id, g, &gs, &city, e);
	if (rc == 0 && g == SCORE_ITEM)
		rc = group_items(db, round_id, &gs, e);
	if (rc < 0) {
		free(gs.v);
		return rc;
	}
	qsort(gs.v, gs.n, sizeof *gs.v, g == SCORE_ITEM ? cmp_lost : cmp_weakest);
	json_t *rows = json_array();
	for (size_t i = 0; i < gs.n; i++) {
		json_t *o = sum_json(&gs.v[i].sum);
		json_object_set_new(o, "key", json_string(gs.v[i].key));
		json_object_set_new(o, "label", json_string(gs.v[i].label));
		json_array_append_new(rows, o);
	}
	free(gs.v);
	*out = json_pack("{s:I, s:s, s:o, s:o}", "round", (json_int_t)round_id, "group",
	                 GROUPS[g], "city", sum_json(&city), "rows", rows);
	return 0;
}

int score_trend_json(struct db *db, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT r.id, r.name, r.kind, r.starts_at, SUM(i.kept), SUM(i.applicable),"
	                  " SUM(i.passed), SUM(i.failed), SUM(i.na), SUM(i.deduct_failed),"
	                  " SUM(i.veto_failed), COUNT(*) FROM inspection_round r"
	                  " JOIN inspection i ON i.round_id = r.id AND i.id = (SELECT MAX(j.id)"
	                  " FROM inspection j WHERE j.round_id = i.round_id AND j.site_id = i.site_id)"
	                  " GROUP BY r.id, r.name, r.kind, r.starts_at ORDER BY r.id",
	                  NULL, 0, &st, e);
	if (rc)
		return rc;
	json_t *arr = json_array();
	while ((rc = db_step(st, e)) == DB_ROW) {
		struct score_sum s = row_sum(st, 4);
		s.sites = db_col_int(st, 11);
		json_t *o = sum_json(&s);
		json_object_set_new(o, "round", json_integer(db_col_int(st, 0)));
		json_object_set_new(o, "name", json_string(db_col_text(st, 1)));
		json_object_set_new(o, "kind", json_string(db_col_text(st, 2)));
		json_object_set_new(o, "starts_at", json_integer(db_col_int(st, 3)));
		json_array_append_new(arr, o);
	}
	db_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
