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

/* Each result of the round's latest inspection per site: the site's columns, then the item's
 * (code, text, points, veto, result). Ordered by site, or by item for the item group. */
static const char RESULTS_SQL[] =
    "SELECT s.code, s.name, s.type, t.name, COALESCE(u.code, ''), COALESCE(u.name, ''),"
    " COALESCE(s.area_id, 0), n.code, n.text, n.points, n.veto, r.result"
    " FROM inspection i JOIN inspection_result r ON r.inspection_id = i.id"
    " JOIN standard_node n ON n.id = r.node_id JOIN site s ON s.id = i.site_id"
    " JOIN site_type t ON t.code = s.type LEFT JOIN unit u ON u.id = s.unit_id"
    " WHERE i.round_id = ? AND i.id = (SELECT MAX(j.id) FROM inspection j"
    " WHERE j.round_id = i.round_id AND j.site_id = i.site_id)";

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
	struct area_tree tree = {0};
	if (g == SCORE_DISTRICT && (rc = area_tree_load(db, &tree, e)))
		return rc;
	char sql[2048];
	snprintf(sql, sizeof sql, "%s ORDER BY %s", RESULTS_SQL,
	         g == SCORE_ITEM ? "n.code, s.code" : "s.code, n.code");
	struct db_stmt *st;
	if ((rc = db_query(db, sql, DB_ARGS(db_int(round_id)), &st, e))) {
		area_tree_free(&tree);
		return rc;
	}
	struct groups gs = {0};
	struct score_sum city = {0};
	char last_site[72] = "", key[72], label[256];
	while ((rc = db_step(st, e)) == DB_ROW) {
		const char *site = db_col_text(st, 0);
		switch (g) {
		case SCORE_SITE:
			snprintf(key, sizeof key, "%s", site);
			snprintf(label, sizeof label, "%s", db_col_text(st, 1));
			break;
		case SCORE_DISTRICT:
			snprintf(key, sizeof key, "%lld",
			         (long long)area_tree_district(&tree, db_col_int(st, 6)));
			label[0] = 0; /* named once, when the group is new */
			break;
		case SCORE_UNIT:
			snprintf(key, sizeof key, "%s", db_col_text(st, 4));
			snprintf(label, sizeof label, "%s", *db_col_text(st, 4) ? db_col_text(st, 5)
			                                                       : "未指定单位");
			break;
		case SCORE_TYPE:
			snprintf(key, sizeof key, "%s", db_col_text(st, 2));
			snprintf(label, sizeof label, "%s", db_col_text(st, 3));
			break;
		case SCORE_ITEM:
			snprintf(key, sizeof key, "%s", db_col_text(st, 7));
			snprintf(label, sizeof label, "%s", db_col_text(st, 8));
			break;
		}
		struct group *gr = group_find(&gs, key);
		if (!gr && g == SCORE_DISTRICT) {
			int64_t d = strtoll(key, NULL, 10);
			if (d)
				area_name(db, d, label, sizeof label);
			else
				snprintf(label, sizeof label, "未指定区域");
		}
		if (!gr)
			gr = group_new(&gs, key, label);
		struct score_result res = {db_col_real(st, 9), db_col_text(st, 10),
		                           db_col_text(st, 11)};
		score_add(&gr->sum, &res);
		score_add(&city, &res);
		/* a site counts once per group it first appears in (rows of a site are adjacent
		 * unless grouped by item, where sites are the item's inspections) */
		if (g == SCORE_ITEM || strcmp(last_site, site) != 0) {
			gr->sum.sites++;
			if (strcmp(last_site, site) != 0 && g != SCORE_ITEM)
				city.sites++;
		}
		snprintf(last_site, sizeof last_site, "%s", site);
	}
	db_done(st);
	area_tree_free(&tree);
	if (rc < 0) {
		free(gs.v);
		return rc;
	}
	if (g == SCORE_ITEM) /* the inspected sites, once each */
		rc = db_get_int(db, "SELECT COUNT(DISTINCT site_id) FROM inspection WHERE round_id = ?",
		                DB_ARGS(db_int(round_id)), &city.sites, e);
	qsort(gs.v, gs.n, sizeof *gs.v, g == SCORE_ITEM ? cmp_lost : cmp_weakest);
	json_t *rows = json_array();
	for (size_t i = 0; i < gs.n; i++) {
		json_t *o = sum_json(&gs.v[i].sum);
		json_object_set_new(o, "key", json_string(gs.v[i].key));
		json_object_set_new(o, "label", json_string(gs.v[i].label));
		json_array_append_new(rows, o);
	}
	free(gs.v);
	if (rc < 0) {
		json_decref(rows);
		return rc;
	}
	*out = json_pack("{s:I, s:s, s:o, s:o}", "round", (json_int_t)round_id, "group",
	                 GROUPS[g], "city", sum_json(&city), "rows", rows);
	return 0;
}

int score_trend_json(struct db *db, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT r.id, r.name, r.kind, r.starts_at, n.points, n.veto, x.result,"
	                  " x.inspection_id FROM inspection_round r"
	                  " JOIN inspection i ON i.round_id = r.id AND i.id = (SELECT MAX(j.id)"
	                  " FROM inspection j WHERE j.round_id = i.round_id AND j.site_id = i.site_id)"
	                  " JOIN inspection_result x ON x.inspection_id = i.id"
	                  " JOIN standard_node n ON n.id = x.node_id ORDER BY r.id, i.id",
	                  NULL, 0, &st, e);
	if (rc)
		return rc;
	json_t *arr = json_array();
	struct score_sum s = {0};
	int64_t round = 0, last_insp = 0;
	json_t *cur = NULL;
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (db_col_int(st, 0) != round) {
			if (cur) {
				json_t *t = sum_json(&s);
				json_object_update(cur, t);
				json_decref(t);
				json_array_append_new(arr, cur);
			}
			round = db_col_int(st, 0);
			s = (struct score_sum){0};
			cur = json_pack("{s:I, s:s, s:s, s:I}", "round", (json_int_t)round, "name",
			                db_col_text(st, 1), "kind", db_col_text(st, 2), "starts_at",
			                (json_int_t)db_col_int(st, 3));
		}
		if (db_col_int(st, 7) != last_insp) {
			s.sites++;
			last_insp = db_col_int(st, 7);
		}
		struct score_result res = {db_col_real(st, 4), db_col_text(st, 5), db_col_text(st, 6)};
		score_add(&s, &res);
	}
	db_done(st);
	if (cur && rc == 0) {
		json_t *t = sum_json(&s);
		json_object_update(cur, t);
		json_decref(t);
		json_array_append_new(arr, cur);
	} else {
		json_decref(cur);
	}
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
