#include "core/task_fsm.h"

#include <stddef.h>
#include <string.h>

#include "core/validate.h"
#include "lib/err.h"

#define BIT(s) (1u << (s))
#define SAME TASK_STATE_COUNT
#define OPEN (BIT(TASK_PENDING) | BIT(TASK_ACTIVE))

enum { NOTE = 1 };

struct row {
	const char *action;
	unsigned from; /* BIT()s */
	enum task_state to;
	unsigned parties;
	unsigned flags;
	const char *label;
};

/* Co-units report what they did; only the lead unit says the task is finished, and only the
 * office accepts it (销号) or sends it back. A report on a pending task starts it. */
static const struct row ROWS[] = {
    {"report", OPEN, TASK_ACTIVE, TASK_PARTY_LEAD | TASK_PARTY_CO | TASK_PARTY_OFFICE, 0,
     "报送进展"},
    {"submit", OPEN, TASK_SUBMITTED, TASK_PARTY_LEAD | TASK_PARTY_OFFICE, 0, "申请销号"},
    {"accept", BIT(TASK_SUBMITTED), TASK_DONE, TASK_PARTY_OFFICE, 0, "审核通过，予以销号"},
    {"return", BIT(TASK_SUBMITTED), TASK_ACTIVE, TASK_PARTY_OFFICE, NOTE, "退回继续推进"},
    {"cancel", OPEN | BIT(TASK_SUBMITTED), TASK_CANCELLED, TASK_PARTY_OFFICE, NOTE, "取消任务"},
    {"reopen", BIT(TASK_DONE) | BIT(TASK_CANCELLED), TASK_ACTIVE, TASK_PARTY_OFFICE, NOTE,
     "重新开启"},
};

static const char *const NAMES[TASK_STATE_COUNT] = {"pending", "active", "submitted", "done",
                                                    "cancelled"};

const char *task_state_name(enum task_state s)
{
	return (unsigned)s < TASK_STATE_COUNT ? NAMES[s] : NULL;
}

int task_state_parse(const char *name, enum task_state *out)
{
	for (int i = 0; i < TASK_STATE_COUNT; i++)
		if (strcmp(name, NAMES[i]) == 0) {
			*out = (enum task_state)i;
			return 0;
		}
	return -1;
}

enum task_fsm_result task_fsm_apply(enum task_state from, const char *action, unsigned parties,
                                    const char *note, struct task_move *out)
{
	const struct row *r = NULL;
	for (size_t i = 0; i < sizeof ROWS / sizeof ROWS[0] && !r; i++)
		if (strcmp(ROWS[i].action, action) == 0)
			r = &ROWS[i];
	if (!r)
		return TASK_FSM_UNKNOWN_ACTION;
	if (!(r->parties & parties))
		return TASK_FSM_FORBIDDEN;
	if ((unsigned)from >= TASK_STATE_COUNT || !(r->from & BIT(from)))
		return TASK_FSM_BAD_STATE;
	if ((r->flags & NOTE) && validate_blank(note))
		return TASK_FSM_NOTE_REQUIRED;
	*out =
	    (struct task_move){.from = from, .to = r->to == SAME ? from : r->to, .label = r->label};
	return TASK_FSM_OK;
}

const char *task_fsm_strerror(enum task_fsm_result r)
{
	switch (r) {
	case TASK_FSM_OK:
		return "ok";
	case TASK_FSM_UNKNOWN_ACTION:
		return "unknown action (report, submit, accept, return, cancel, reopen)";
	case TASK_FSM_BAD_STATE:
		return "this move is not possible from the task's status";
	case TASK_FSM_FORBIDDEN:
		return "you may not make this move on this task";
	case TASK_FSM_NOTE_REQUIRED:
		return "this move needs a note (the reason)";
	}
	return "?";
}

int task_fsm_err_code(enum task_fsm_result r)
{
	switch (r) {
	case TASK_FSM_UNKNOWN_ACTION:
		return ERR_BAD_REQUEST;
	case TASK_FSM_BAD_STATE:
		return ERR_CONFLICT;
	case TASK_FSM_FORBIDDEN:
		return ERR_FORBIDDEN;
	case TASK_FSM_NOTE_REQUIRED:
		return ERR_UNPROCESSABLE;
	default:
		return ERR_INTERNAL;
	}
}

int task_alert(int64_t starts_at, int64_t due_at, int64_t now)
{
	if (now >= due_at)
		return 2;
	int64_t span = due_at > starts_at ? due_at - starts_at : 0, week = 7 * 86400;
	int64_t warn = span / 4 < week ? span / 4 : week;
	return now >= due_at - warn ? 1 : 0;
}
