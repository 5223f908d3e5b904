/* The creation state machine: the table below is the whole policy, the functions walk it.
 * Adding a move is one row; for every (state, action) at most one row matches (the unit tests
 * check it).
 *
 * A unit's own handlers declare (申报), also again after a revocation; the office (文明办) and
 * admins review (复查: a declaration before naming, or a named unit when its term is up) and
 * name (命名); only the office revokes (撤销), and always with a reason. */
#include "core/creation_fsm.h"

#include <stdio.h>
#include <string.h>

#include "core/roles.h"
#include "core/validate.h"
#include "lib/err.h"

#define B(s) CREATION_BIT(CREATION_##s)

/* clang-format off */
#define T(from, act, to, roles, flags, label) {from, CREATION_ACT_##act, CREATION_##to, roles, flags, label}

static const struct creation_transition TABLE[] = {
	/* from, action, to, roles allowed, flags, label */
	T(B(NONE) | B(REVOKED), DECLARE, DECLARED, ROLE_HANDLER | ROLE_OFFICE | ROLE_ADMIN, 0, "申报"),
	T(B(DECLARED) | B(NAMED), REVIEW, REVIEWING, ROLE_OFFICE | ROLE_ADMIN, 0, "复查"),
	T(B(REVIEWING), NAME, NAMED, ROLE_OFFICE | ROLE_ADMIN, 0, "命名"),
	T(B(DECLARED) | B(REVIEWING) | B(NAMED), REVOKE, REVOKED, ROLE_OFFICE, CREATION_TF_NOTE, "撤销"),
};
/* clang-format on */

#define TABLE_LEN (sizeof TABLE / sizeof TABLE[0])

static const char *const STATE_NAMES[CREATION_STATE_COUNT] = {
    [CREATION_NONE] = NULL,
    [CREATION_DECLARED] = "declared",
    [CREATION_REVIEWING] = "reviewing",
    [CREATION_NAMED] = "named",
    [CREATION_REVOKED] = "revoked",
};

static const char *const STATE_LABELS[CREATION_STATE_COUNT] = {
    [CREATION_NONE] = "",      [CREATION_DECLARED] = "申报", [CREATION_REVIEWING] = "复查",
    [CREATION_NAMED] = "命名", [CREATION_REVOKED] = "撤销",
};

static const char *const ACTION_NAMES[CREATION_ACT_COUNT] = {
    [CREATION_ACT_DECLARE] = "declare",
    [CREATION_ACT_REVIEW] = "review",
    [CREATION_ACT_NAME] = "name",
    [CREATION_ACT_REVOKE] = "revoke",
};

const struct creation_transition *creation_fsm_table(size_t *n)
{
	*n = TABLE_LEN;
	return TABLE;
}

const char *creation_state_name(enum creation_state s)
{
	return (unsigned)s < CREATION_STATE_COUNT ? STATE_NAMES[s] : NULL;
}

const char *creation_state_label(enum creation_state s)
{
	return (unsigned)s < CREATION_STATE_COUNT ? STATE_LABELS[s] : "";
}

int creation_state_from_name(const char *name, enum creation_state *out)
{
	for (int s = CREATION_DECLARED; s < CREATION_STATE_COUNT; s++)
		if (name && strcmp(name, STATE_NAMES[s]) == 0) {
			*out = (enum creation_state)s;
			return 0;
		}
	return -1;
}

const char *creation_action_name(enum creation_action a)
{
	return (unsigned)a < CREATION_ACT_COUNT ? ACTION_NAMES[a] : NULL;
}

int creation_action_from_name(const char *name, enum creation_action *out)
{
	for (int a = 0; a < CREATION_ACT_COUNT; a++)
		if (name && strcmp(name, ACTION_NAMES[a]) == 0) {
			*out = (enum creation_action)a;
			return 0;
		}
	return -1;
}

int creation_fsm_apply(enum creation_state from, const char *action, unsigned roles,
                       const char *note, struct creation_move *out)
{
	enum creation_action a;
	if (creation_action_from_name(action, &a) < 0)
		return CREATION_FSM_UNKNOWN_ACTION;
	const struct creation_transition *row = NULL;
	unsigned allowed = 0;
	for (size_t i = 0; i < TABLE_LEN; i++) {
		if (TABLE[i].action != a)
			continue;
		allowed |= TABLE[i].roles;
		if (TABLE[i].from & CREATION_BIT(from))
			row = &TABLE[i];
	}
	if (!(allowed & roles))
		return CREATION_FSM_FORBIDDEN;
	if (!row)
		return CREATION_FSM_BAD_STATE;
	if (!(row->roles & roles))
		return CREATION_FSM_FORBIDDEN;
	if ((row->flags & CREATION_TF_NOTE) && validate_blank(note))
		return CREATION_FSM_NOTE_REQUIRED;
	if (out)
		*out = (struct creation_move){.row = row, .from = from, .to = row->to};
	return CREATION_FSM_OK;
}

int creation_fsm_err_code(int rc)
{
	switch (rc) {
	case CREATION_FSM_OK:
		return 0;
	case CREATION_FSM_FORBIDDEN:
		return ERR_FORBIDDEN;
	case CREATION_FSM_BAD_STATE:
		return ERR_CONFLICT;
	case CREATION_FSM_NOTE_REQUIRED:
		return ERR_UNPROCESSABLE;
	default:
		return ERR_BAD_REQUEST;
	}
}

void creation_fsm_message(int rc, enum creation_state from, const char *action, char *out,
                          size_t cap)
{
	enum creation_action a;
	int known = creation_action_from_name(action, &a) == 0;
	const char *label = "";
	unsigned starts = 0, roles = 0;
	for (size_t i = 0; known && i < TABLE_LEN; i++)
		if (TABLE[i].action == a) {
			label = TABLE[i].label;
			starts |= TABLE[i].from;
			roles |= TABLE[i].roles;
		}
	const char *state = from == CREATION_NONE ? "not declared" : creation_state_name(from);
	switch (rc) {
	case CREATION_FSM_UNKNOWN_ACTION:
		snprintf(out, cap, "unknown action \"%s\" (declare, review, name, revoke)",
		         action ? action : "");
		return;
	case CREATION_FSM_FORBIDDEN: {
		char who[96];
		roles_format(roles, who, sizeof who);
		snprintf(out, cap, "%s (%s) is for %s", action, label, who);
		return;
	}
	case CREATION_FSM_NOTE_REQUIRED:
		snprintf(out, cap, "%s (%s) needs a note: the reason", action, label);
		return;
	case CREATION_FSM_BAD_STATE: {
		char list[128] = "";
		size_t n = 0;
		for (int s = 0; s < CREATION_STATE_COUNT && n < sizeof list; s++)
			if (starts & CREATION_BIT(s))
				n += (size_t)snprintf(
				    list + n, sizeof list - n, "%s%s (%s)", n ? ", " : "",
				    s == CREATION_NONE ? "not declared" : creation_state_name(s),
				    s == CREATION_NONE ? "未申报" : STATE_LABELS[s]);
		snprintf(out, cap, "cannot %s (%s) a creation that is %s (%s): only from %s",
		         action, label, state,
		         from == CREATION_NONE ? "未申报" : creation_state_label(from), list);
		return;
	}
	default:
		snprintf(out, cap, "ok");
	}
}

int creation_level_ok(const char *level)
{
	return level &&
	       (!strcmp(level, "city") || !strcmp(level, "province") || !strcmp(level, "national"));
}

const char *creation_level_label(const char *level)
{
	if (level && !strcmp(level, "province"))
		return "省级";
	if (level && !strcmp(level, "national"))
		return "全国";
	return "市级";
}
