#include "api/public_survey.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_common.h"
#include "lib/arena.h"
#include "store/db.h"
#include "store/surveys.h"

const struct param_spec public_survey_answer_params[] = {
    {.name = "device_id",
     .type = PT_STRING,
     .max_len = 64,
     .description = "an id the device keeps (8–64 characters); or phone"},
    {.name = "phone", .type = PT_STRING, .max_len = 20, .description = "or a phone number"},
    {.name = "answers",
     .type = PT_LIST,
     .flags = PF_REQUIRED,
     .max_len = 60,
     .max = 64,
     .description = "CODE:satisfied|fairly|neutral|unsatisfied|unknown"},
    {.name = "area_code",
     .type = PT_STRING,
     .max_len = 64,
     .description = "where the respondent lives (optional)"},
    {.name = NULL},
};

static int round_arg(struct http_req *r, int64_t *id, struct err *e)
{
	char *end;
	long long v = strtoll(r->path_args[0], &end, 10);
	if (*end || v <= 0)
		return err_set(e, ERR_NOT_FOUND, "no survey %s", r->path_args[0]);
	*id = v;
	return 0;
}

int public_survey_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t id = 0;
	int rc = round_arg(r, &id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	return survey_questions_json(db, id, &w->json, e);
}

/* A device id is 8–64 printable characters; a phone 6–15 digits (spaces, dashes and a
 * leading + ignored; a +86/0086 country code dropped). The respondent key is the normalised
 * value. */
static const char *respondent(struct http_req *r, struct err *e)
{
	const char *dev = req_str(r, "device_id"), *phone = req_str(r, "phone");
	if (!!dev == !!phone) {
		err_set(e, ERR_BAD_REQUEST, "give device_id or phone (one of them)");
		return NULL;
	}
	if (dev) {
		if (strlen(dev) < 8) {
			err_set(e, ERR_BAD_REQUEST, "device_id: at least 8 characters");
			return NULL;
		}
		return arena_printf(r->arena, "device:%s", dev);
	}
	char digits[24];
	size_t n = 0;
	for (const char *p = phone; *p; p++) {
		if (*p >= '0' && *p <= '9' && n < sizeof digits - 1)
			digits[n++] = *p;
		else if (*p != ' ' && *p != '-' && !(*p == '+' && p == phone)) {
			n = 0;
			break;
		}
	}
	digits[n] = 0;
	/* +86 / 0086 before a mainland number: the same phone as without it */
	const char *d = digits;
	if ((phone[0] == '+' && n == 13 && d[0] == '8' && d[1] == '6') ||
	    (n == 15 && d[0] == '0' && d[1] == '0' && d[2] == '8' && d[3] == '6'))
		d += n - 11, n = 11;
	if (n < 6 || n > 15) {
		err_set(e, ERR_BAD_REQUEST, "phone: 6–15 digits");
		return NULL;
	}
	return arena_printf(r->arena, "phone:%s", d);
}

struct answer_job {
	struct http_req *r;
	struct survey_in in;
	int64_t id;
};

static int answer_write(struct db *db, void *arg, struct err *e)
{
	struct answer_job *j = arg;
	int rc = survey_answer(db, &j->in, &j->id, e);
	if (rc)
		return rc;
	json_t *sum = json_pack("{s:I, s:I}", "round", (json_int_t)j->in.round_id, "answers",
	                        (json_int_t)j->in.nitems);
	return api_audit(db, j->r, "survey.answer",
	                 arena_printf(j->r->arena, "survey_answer:%lld", (long long)j->id),
	                 api_json_text(j->r, sum), e);
}

int public_survey_answer(struct http_req *r, struct http_resp *w, struct err *e)
{
	int rc = api_public_limit(r, w, e);
	if (rc < 0)
		return rc;
	struct answer_job *j = arena_alloc(r->arena, sizeof *j);
	memset(j, 0, sizeof *j);
	j->r = r;
	if ((rc = round_arg(r, &j->in.round_id, e)) < 0)
		return rc;
	if (!(j->in.respondent = respondent(r, e)))
		return e->code;
	size_t n;
	const char **tokens = arena_split(r->arena, req_str(r, "answers"), ',', &n);
	struct survey_item_in *items = arena_alloc(r->arena, (n + 1) * sizeof *items);
	for (size_t i = 0; i < n; i++) {
		const char *colon = strchr(tokens[i], ':');
		if (!colon || colon == tokens[i])
			return err_set(e, ERR_BAD_REQUEST, "answers: '%s' is not CODE:rating",
			               tokens[i]);
		items[i].code = arena_strndup(r->arena, tokens[i], (size_t)(colon - tokens[i]));
		items[i].rating = colon + 1;
	}
	j->in.items = items;
	j->in.nitems = n;
	j->in.area_code = req_str(r, "area_code");
	j->in.now = r->now;
	if ((rc = api_write(r, answer_write, j, e)) < 0)
		return rc;
	w->status = 201;
	w->json = json_pack("{s:I, s:I, s:s}", "id", (json_int_t)j->id, "answers", (json_int_t)n,
	                    "message", "感谢您参与文明城市创建问卷调查");
	return 0;
}
