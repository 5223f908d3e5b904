#include "store/surveys.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"

const char *const survey_ratings[] = {"satisfied", "fairly", "neutral", "unsatisfied", "unknown",
                                      NULL};
static const char *const RATING_LABELS[] = {"满意", "比较满意", "一般", "不满意", "不了解"};

/* The round's version when it is open, else ERR_NOT_FOUND. */
static int open_round(struct db *db, int64_t round_id, int64_t *version, char *name, size_t n,
                      struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT version_id, name FROM inspection_round WHERE id = ? AND"
	                  " status = 'open'",
	                  DB_ARGS(db_int(round_id)), &st, e);
	if (rc)
		return rc;
	if ((rc = db_step(st, e)) == DB_ROW) {
		*version = db_col_int(st, 0);
		if (name)
			snprintf(name, n, "%s", db_col_text(st, 1));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no open survey for round %lld", (long long)round_id);
	}
	db_done(st);
	return rc;
}

static const char SURVEY_ITEMS[] = "SELECT id, code, text, points FROM standard_node"
                                   " WHERE version_id = ? AND kind = 'item' AND"
                                   " method = 'survey' ORDER BY code";

int survey_questions_json(struct db *db, int64_t round_id, json_t **out, struct err *e)
{
	int64_t version;
	char name[256];
	int rc = open_round(db, round_id, &version, name, sizeof name, e);
	struct db_stmt *st;
	if (rc || (rc = db_query(db, SURVEY_ITEMS, DB_ARGS(db_int(version)), &st, e)))
		return rc;
	json_t *q = json_array();
	while ((rc = db_step(st, e)) == DB_ROW)
		json_array_append_new(q, json_pack("{s:s, s:s}", "code", db_col_text(st, 1), "text",
		                                   db_col_text(st, 2)));
	db_done(st);
	if (rc == 0 && json_array_size(q) == 0)
		rc = err_set(e, ERR_NOT_FOUND, "round %lld has no questionnaire", (long long)round_id);
	if (rc < 0) {
		json_decref(q);
		return rc;
	}
	json_t *scale = json_array();
	for (int i = 0; survey_ratings[i]; i++)
		json_array_append_new(scale, json_pack("{s:s, s:s}", "value", survey_ratings[i],
		                                       "label", RATING_LABELS[i]));
	*out = json_pack("{s:I, s:s, s:o, s:o}", "round", (json_int_t)round_id, "name", name,
	                 "questions", q, "scale", scale);
	return 0;
}

/* sha256("survey:" round ":" respondent) as hex: the key that refuses a second answer. */
static void respondent_key(int64_t round_id, const char *who, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	char head[48];
	int n = snprintf(head, sizeof head, "survey:%lld:", (long long)round_id);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)head, (unsigned long long)n);
	crypto_hash_sha256_update(&st, (const unsigned char *)who, strlen(who));
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, 65, h, sizeof h);
}

static int rating_ok(const char *r)
{
	for (int i = 0; survey_ratings[i]; i++)
		if (!strcmp(r, survey_ratings[i]))
			return 1;
	return 0;
}

int survey_answer(struct db *db, const struct survey_in *in, int64_t *id, struct err *e)
{
	int64_t version;
	int rc = open_round(db, in->round_id, &version, NULL, 0, e);
	if (rc)
		return rc;
	if (in->nitems == 0)
		return err_set(e, ERR_BAD_REQUEST, "answer at least one question");
	int64_t area = 0;
	if (in->area_code && *in->area_code) {
		rc = db_get_int(db, "SELECT id FROM area WHERE code = ?", DB_ARGS(db_text(in->area_code)),
		                &area, e);
		if (rc == ERR_NOT_FOUND)
			return err_set(e, ERR_UNPROCESSABLE, "unknown area %s", in->area_code);
		if (rc)
			return rc;
	}
	int64_t nodes[64];
	if (in->nitems > 64)
		return err_set(e, ERR_BAD_REQUEST, "at most 64 answers");
	for (size_t i = 0; i < in->nitems; i++) {
		if (!rating_ok(in->items[i].rating))
			return err_set(e, ERR_BAD_REQUEST,
			               "%s: the answer is satisfied, fairly, neutral, unsatisfied or"
			               " unknown",
			               in->items[i].code);
		rc = db_get_int(db,
		                "SELECT id FROM standard_node WHERE version_id = ? AND code = ? AND"
		                " kind = 'item' AND method = 'survey'",
		                DB_ARGS(db_int(version), db_text(in->items[i].code)), &nodes[i], e);
		if (rc == ERR_NOT_FOUND)
			return err_set(e, ERR_UNPROCESSABLE, "%s is not a question of this survey",
			               in->items[i].code);
		if (rc)
			return rc;
		for (size_t k = 0; k < i; k++)
			if (nodes[k] == nodes[i])
				return err_set(e, ERR_UNPROCESSABLE, "%s is answered twice",
				               in->items[i].code);
	}
	char key[65];
	respondent_key(in->round_id, in->respondent, key);
	int64_t seen = 0;
	/* asked first: on PostgreSQL a failed insert would abort the writer's whole batch */
	rc = db_get_int(db, "SELECT COUNT(*) FROM survey_answer WHERE round_id = ? AND respondent = ?",
	                DB_ARGS(db_int(in->round_id), db_text(key)), &seen, e);
	if (rc == 0 && seen)
		return err_set(e, ERR_CONFLICT, "this device or phone has answered this survey");
	if (rc == 0)
		rc = db_get_int(db,
	                "INSERT INTO survey_answer (round_id, respondent, area_id, answered_at)"
	                " VALUES (?, ?, ?, ?) RETURNING id",
	                DB_ARGS(db_int(in->round_id), db_text(key), area ? db_int(area) : db_null(),
	                        db_int(in->now)),
	                id, e);
	if (rc == ERR_CONFLICT)
		return err_set(e, ERR_CONFLICT, "this device or phone has answered this survey");
	for (size_t i = 0; i < in->nitems && !rc; i++)
		rc = db_run(db,
		            "INSERT INTO survey_answer_item (answer_id, node_id, rating) VALUES (?, ?, ?)",
		            DB_ARGS(db_int(*id), db_int(nodes[i]), db_text(in->items[i].rating)), e);
	return rc;
}

int survey_scores_json(struct db *db, int64_t round_id, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(
	    db,
	    "SELECT n.code, n.text, n.points, COUNT(x.rating),"
	    " SUM(CASE WHEN x.rating IN ('satisfied', 'fairly') THEN 1 ELSE 0 END),"
	    " SUM(CASE WHEN x.rating = 'unknown' THEN 1 ELSE 0 END)"
	    " FROM inspection_round r JOIN standard_node n ON n.version_id = r.version_id"
	    " AND n.kind = 'item' AND n.method = 'survey'"
	    " LEFT JOIN (SELECT i.node_id, i.rating FROM survey_answer_item i"
	    " JOIN survey_answer a ON a.id = i.answer_id WHERE a.round_id = ?) x"
	    " ON x.node_id = n.id WHERE r.id = ?"
	    " GROUP BY n.id, n.code, n.text, n.points ORDER BY n.code",
	    DB_ARGS(db_int(round_id), db_int(round_id)), &st, e);
	if (rc)
		return rc;
	json_t *items = json_array();
	double kept = 0, applicable = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		double points = db_col_real(st, 2);
		int64_t answers = db_col_int(st, 3), sat = db_col_int(st, 4), unk = db_col_int(st, 5);
		int64_t rated = answers - unk;
		json_t *rate = json_null();
		if (rated > 0) {
			double v = (double)sat / (double)rated;
			rate = json_real(v);
			kept += points * v;
			applicable += points;
		}
		json_array_append_new(items, json_pack("{s:s, s:s, s:f, s:I, s:I, s:I, s:o}", "code",
		                                       db_col_text(st, 0), "text", db_col_text(st, 1),
		                                       "points", points, "answers",
		                                       (json_int_t)answers, "satisfied",
		                                       (json_int_t)sat, "unknown", (json_int_t)unk,
		                                       "rate", rate));
	}
	db_done(st);
	int64_t answers = 0;
	if (rc == 0)
		rc = db_get_int(db, "SELECT COUNT(*) FROM survey_answer WHERE round_id = ?",
		                DB_ARGS(db_int(round_id)), &answers, e);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:I, s:o, s:f, s:f, s:o}", "answers", (json_int_t)answers, "items", items,
	                 "kept", kept, "applicable", applicable, "score",
	                 applicable > 0 ? json_real((double)(int64_t)(10000 * kept / applicable + 0.5) / 100)
	                                : json_null());
	return 0;
}
