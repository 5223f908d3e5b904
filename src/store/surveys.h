/* Questionnaires (问卷调查, migration 016, docs/standards.md): the survey items of a round's
 * standard version asked of citizens, one answer per device or phone, and the satisfaction
 * rates that score those items. */
#ifndef WM_SURVEYS_H
#define WM_SURVEYS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct db;

/* The answer scale, in order: satisfied 满意, fairly 比较满意, neutral 一般, unsatisfied 不满意,
 * unknown 不了解 (out of the rate's denominator). */
extern const char *const survey_ratings[];

/* {round, name, questions: [{code, text}], scale: [{value, label}]}; ERR_NOT_FOUND when the
 * round is unknown, has no survey item, or is closed. */
int survey_questions_json(struct db *db, int64_t round_id, json_t **out, struct err *e);

struct survey_item_in {
	const char *code;
	const char *rating;
};

struct survey_in {
	int64_t round_id;
	const char *respondent; /* a device id or a phone number, as given; only its hash is kept */
	const char *area_code;  /* NULL or "": not given */
	const struct survey_item_in *items;
	size_t nitems;
	int64_t now;
};

/* Records one answer. Call inside a write transaction. ERR_CONFLICT: this device or phone has
 * answered this round; ERR_UNPROCESSABLE: an item not on the questionnaire or given twice, an
 * unknown rating or area; ERR_NOT_FOUND: no open round with a questionnaire. */
int survey_answer(struct db *db, const struct survey_in *in, int64_t *id, struct err *e);

/* {answers, items: [{code, text, points, answers, satisfied, unknown, rate}], kept,
 * applicable, score}: each survey item scores points × rate, rate = (满意 + 比较满意) / the
 * answers that rated it (不了解 out); an item nobody rated is not applicable. */
int survey_scores_json(struct db *db, int64_t round_id, json_t **out, struct err *e);

#endif
