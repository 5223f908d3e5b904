/* Self-assessments (自评) of a creation: the checklist — the active standard's items that apply
 * to the creation's title — and a whole assessment recorded against it, idempotent by the
 * client's id, its sums added by core/scoring.c as an inspection's are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/scoring.h"
#include "core/checklist.h"
#include "lib/arena.h"
#include "store/creations.h"
#include "store/creations_internal.h"
#include "store/db.h"

struct citem {
	int64_t node_id;
	const char *code, *veto;
	double points;
	const struct creation_assess_item *in; /* the submitted result; NULL: missing */
};

static int client_id_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
	return n >= 8 && n <= 64 && s[n] == 0;
}

/* The creation's status and title, and the active version. */
static int load_creation(struct db *db, int64_t id, char status[16], int64_t *version,
                         struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT c.status, COALESCE((SELECT v.id FROM standard_version v WHERE"
	                  " v.active = 1), 0) FROM creation c WHERE c.id = ?",
	                  DB_ARGS(db_int(id)), &st, e);
	if (rc)
		return rc;
	if ((rc = db_step(st, e)) == DB_ROW) {
		snprintf(status, 16, "%s", db_col_text(st, 0));
		*version = db_col_int(st, 1);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no creation %lld", (long long)id);
	}
	db_done(st);
	return rc;
}

static const char CHECKLIST_SQL[] =
    "SELECT n.id, n.code, n.text, n.method, n.points, n.veto, COALESCE(pc.text, '') AS"
    " content, COALESCE(pp.text, '') AS project FROM creation c JOIN creation_title t ON t.code = "
    "c.title"
    " JOIN standard_node n ON n.version_id = ? LEFT JOIN standard_node pc ON pc.id ="
    " n.parent_id LEFT JOIN standard_node pp ON pp.id = pc.parent_id"
    " WHERE c.id = ? AND" CREATION_APPLIES_SQL " ORDER BY n.code";

static int load_items(struct db *db, int64_t id, int64_t version, struct arena *a,
                      struct citem **out, size_t *n, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, CHECKLIST_SQL, DB_ARGS(db_int(version), db_int(id)), &st, e);
	if (rc)
		return rc;
	size_t cap = 16, m = 0;
	struct citem *v = arena_alloc(a, cap * sizeof *v);
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (m == cap) {
			struct citem *p = arena_alloc(a, 2 * cap * sizeof *p);
			memcpy(p, v, m * sizeof *p);
			v = p;
			cap *= 2;
		}
		v[m++] = (struct citem){.node_id = db_col_int(st, 0),
		                        .code = arena_strdup(a, db_col_text(st, 1)),
		                        .veto = arena_strdup(a, db_col_text(st, 5)),
		                        .points = db_col_real(st, 4)};
	}
	db_done(st);
	*out = v;
	*n = m;
	return rc < 0 ? rc : 0;
}

/* The submitted results paired with the title's items (core/checklist.h): c[k].in is set. */
static int match(const struct creation_assess_in *in, struct citem *c, size_t n, struct arena *a,
                 struct err *e)
{
	const char **list = arena_alloc(a, (n + 1) * sizeof *list);
	const char **codes = arena_alloc(a, (in->nitems + 1) * sizeof *codes);
	const char **results = arena_alloc(a, (in->nitems + 1) * sizeof *results);
	size_t *at = arena_alloc(a, (n + 1) * sizeof *at);
	for (size_t k = 0; k < n; k++)
		list[k] = c[k].code;
	for (size_t i = 0; i < in->nitems; i++) {
		codes[i] = in->items[i].code;
		results[i] = in->items[i].result;
	}
	int rc = checklist_match(list, n, codes, results, in->nitems, "the self-assessment", at, e);
	for (size_t k = 0; k < n && rc == 0; k++)
		c[k].in = &in->items[at[k]];
	return rc;
}

/* An earlier assessment with this client id: 1 when it was this creation's (replayed). */
static int find_replay(struct db *db, const struct creation_assess_in *in,
                       struct creation_assess_out *out, struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT id, creation_id, kept, applicable, passed, failed, na,"
	             " deduct_failed, veto_failed FROM creation_assessment WHERE client_id = ?",
	             DB_ARGS(db_text(in->client_id)), &st, e);
	if (rc)
		return rc;
	if ((rc = db_step(st, e)) == DB_ROW) {
		if (db_col_int(st, 1) != in->creation_id) {
			rc = err_set(e, ERR_CONFLICT,
			             "client_id %s was already used for another self-assessment",
			             in->client_id);
		} else {
			*out =
			    (struct creation_assess_out){.id = db_col_int(st, 0),
			                                 .replayed = 1,
			                                 .sum = {.kept = db_col_real(st, 2),
			                                         .applicable = db_col_real(st, 3),
			                                         .passed = db_col_int(st, 4),
			                                         .failed = db_col_int(st, 5),
			                                         .na = db_col_int(st, 6),
			                                         .deduct_failed = db_col_int(st, 7),
			                                         .veto_failed = db_col_int(st, 8)}};
			rc = 1;
		}
	}
	db_done(st);
	return rc;
}

int creation_assess(struct db *db, const struct creation_assess_in *in,
                    struct creation_assess_out *out, struct err *e)
{
	*out = (struct creation_assess_out){0};
	if (!client_id_ok(in->client_id))
		return err_set(e, ERR_BAD_REQUEST, "client_id is 8–64 of A–Z a–z 0–9 _ -");
	char status[16] = "";
	int64_t version = 0;
	int rc = load_creation(db, in->creation_id, status, &version, e);
	if (rc == 0)
		rc = find_replay(db, in, out, e);
	if (rc)
		return rc < 0 ? rc : 0;
	if (!strcmp(status, "revoked"))
		return err_set(e, ERR_CONFLICT,
		               "creation %lld is revoked: declare it again before assessing",
		               (long long)in->creation_id);
	if (!version)
		return err_set(e, ERR_UNPROCESSABLE, "no version of the standard is active");
	struct arena a;
	arena_init(&a);
	struct citem *c;
	size_t n;
	rc = load_items(db, in->creation_id, version, &a, &c, &n, e);
	if (rc == 0 && n == 0)
		rc = err_set(e, ERR_UNPROCESSABLE,
		             "the active standard has no item for this title's self-assessment");
	if (rc == 0)
		rc = match(in, c, n, &a, e);
	struct score_sum sum = {0};
	for (size_t k = 0; rc == 0 && k < n; k++) {
		struct score_result r = {
		    .points = c[k].points, .veto = c[k].veto, .result = c[k].in->result};
		score_add(&sum, &r);
	}
	if (rc == 0)
		rc = db_get_int(
		    db,
		    "INSERT INTO creation_assessment (client_id, creation_id, version_id,"
		    " submitted_by, submitted_at, note, passed, failed, na, kept, applicable,"
		    " deduct_failed, veto_failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " ?) RETURNING id",
		    DB_ARGS(db_text(in->client_id), db_int(in->creation_id), db_int(version),
		            in->user_id ? db_int(in->user_id) : db_null(), db_int(in->now),
		            db_text(in->note ? in->note : ""), db_int(sum.passed),
		            db_int(sum.failed), db_int(sum.na), db_real(sum.kept),
		            db_real(sum.applicable), db_int(sum.deduct_failed),
		            db_int(sum.veto_failed)),
		    &out->id, e);
	for (size_t k = 0; rc == 0 && k < n; k++)
		rc = db_run(db,
		            "INSERT INTO creation_assessment_item (assessment_id, node_id, result,"
		            " note) VALUES (?, ?, ?, ?)",
		            DB_ARGS(db_int(out->id), db_int(c[k].node_id), db_text(c[k].in->result),
		                    db_text(c[k].in->note ? c[k].in->note : "")),
		            e);
	arena_free(&a);
	if (rc == 0)
		out->sum = sum;
	return rc;
}

int creation_checklist_json(struct db *db, int64_t id, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT c.id, u.code, u.name, c.title, t.name, c.status, COALESCE((SELECT"
	             " v.id FROM standard_version v WHERE v.active = 1), 0), COALESCE((SELECT"
	             " v.code FROM standard_version v WHERE v.active = 1), ''), COALESCE((SELECT"
	             " MAX(a.id) FROM creation_assessment a WHERE a.creation_id = c.id), 0)"
	             " FROM creation c JOIN unit u ON u.id = c.unit_id JOIN creation_title t ON"
	             " t.code = c.title WHERE c.id = ?",
	             DB_ARGS(db_int(id)), &st, e);
	if (rc)
		return rc;
	json_t *o = NULL;
	int64_t version = 0, last = 0;
	if ((rc = db_step(st, e)) == DB_ROW) {
		o = json_pack("{s:{s:I, s:s, s:s, s:s, s:s, s:s}, s:s}", "creation", "id",
		              (json_int_t)db_col_int(st, 0), "unit_code", db_col_text(st, 1),
		              "unit_name", db_col_text(st, 2), "title", db_col_text(st, 3),
		              "title_name", db_col_text(st, 4), "status", db_col_text(st, 5),
		              "version", db_col_text(st, 7));
		version = db_col_int(st, 6);
		last = db_col_int(st, 8);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no creation %lld", (long long)id);
	}
	db_done(st);
	if (rc)
		return rc;
	char *sql = NULL;
	if (asprintf(&sql,
	             "SELECT q.*, r.result, r.note FROM (%s) q LEFT JOIN creation_assessment_item r"
	             " ON r.node_id = q.id AND r.assessment_id = ? ORDER BY q.code",
	             CHECKLIST_SQL) < 0) {
		json_decref(o);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	rc = db_query(db, sql, DB_ARGS(db_int(version), db_int(id), db_int(last)), &st, e);
	free(sql);
	if (rc) {
		json_decref(o);
		return rc;
	}
	json_t *items = json_array();
	while ((rc = db_step(st, e)) == DB_ROW) {
		json_t *it = json_pack(
		    "{s:I, s:s, s:s, s:s, s:f, s:s, s:s, s:s}", "id", (json_int_t)db_col_int(st, 0),
		    "code", db_col_text(st, 1), "text", db_col_text(st, 2), "method",
		    db_col_text(st, 3), "points", db_col_real(st, 4), "veto", db_col_text(st, 5),
		    "content", db_col_text(st, 6), "project", db_col_text(st, 7));
		json_object_set_new(it, "last",
		                    db_col_is_null(st, 8)
		                        ? json_null()
		                        : json_pack("{s:s, s:s}", "result", db_col_text(st, 8),
		                                    "note", db_col_text(st, 9)));
		json_array_append_new(items, it);
	}
	db_done(st);
	json_object_set_new(o, "items", items);
	if (rc < 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}
