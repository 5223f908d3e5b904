/* The case state machine: the table below is the whole policy; the functions only walk it.
 * Adding a move is one row. A row may start from several states (a from mask) and may keep
 * the state (CASE_SAME); for every (state, action) at most one row matches, which the unit
 * tests check.
 *
 * Why 缓办 (deferred) is a state and not a flag: a deferred case is waiting for funding or a
 * season, so nobody may handle or verify it until it is resumed, its time limit stops, and
 * the figures leave it out (结案率 = 结案数 / (应结案数 − 缓办数) in cities that count so).
 * All three follow from the status column alone when it is a state; as a flag every rule
 * would have to remember to look at it. Only a case being handled can be deferred, so
 * resuming always returns to handling and the table stays (from, action) -> to. */
#include "core/case_fsm.h"

#include "core/roles.h"
#include "core/validate.h"
#include "lib/err.h"

#include <string.h>

#define B(s) CASE_BIT(CASE_##s)
#define OPEN (B(REPORTED) | B(REGISTERED) | B(DISPATCHED) | B(HANDLING) | B(HANDLED) | B(DEFERRED))
#define FINAL (B(CLOSED) | B(REJECTED))

enum {
	NOTE = CASE_TF_NOTE,
	REWORK = CASE_TF_REWORK,
	PUB = CASE_TF_PUBLIC,
	PUBLIC = ROLE_PUBLIC,
	OFFICE = ROLE_OFFICE,
	DISPATCHER = ROLE_DISPATCHER,
	HANDLER = ROLE_HANDLER,
	INSPECTOR = ROLE_INSPECTOR,
	LEADER = ROLE_LEADER,
	SYSTEM = ROLE_SYSTEM,
	STAFF = ROLE_STAFF,
};

/* One row per line, read as a table. */
/* clang-format off */
#define T(from, act, to, roles, flags, label) {from, CASE_ACT_##act, to, roles, flags, label}
#define S(name) CASE_##name

static const struct case_transition TABLE[] = {
	/* from, action, to, roles allowed, flags, label */
	T(B(NONE), REPORT, S(REPORTED), PUBLIC | INSPECTOR | OFFICE | SYSTEM, PUB, "已上报"),
	/* 现场解决: the inspector fixed it on the spot; it still goes through verification */
	T(B(NONE), ONSITE, S(HANDLED), INSPECTOR, NOTE | PUB, "现场已处置"),
	T(B(REPORTED), REGISTER, S(REGISTERED), OFFICE | DISPATCHER, PUB, "已立案"),
	T(B(REPORTED), REJECT, S(REJECTED), OFFICE | DISPATCHER, NOTE | PUB, "不予立案"),
	T(B(REGISTERED), DISPATCH, S(DISPATCHED), DISPATCHER | OFFICE, PUB, "已派遣"),
	T(B(DISPATCHED), ACCEPT, S(HANDLING), HANDLER, PUB, "已签收"),
	/* 退回: not our case; back to the dispatcher, who sends it elsewhere */
	T(B(DISPATCHED), RETURN, S(REGISTERED), HANDLER, NOTE, "已退回"),
	T(B(DISPATCHED), REDISPATCH, CASE_SAME, DISPATCHER | OFFICE, 0, "已改派"),
	T(B(HANDLING), HANDLE, S(HANDLED), HANDLER, NOTE | PUB, "已处置"),
	T(B(HANDLED), VERIFY_PASS, S(CLOSED), INSPECTOR | OFFICE, PUB, "已结案"),
	/* public: otherwise the citizen would still read "已处置" on a case being redone */
	T(B(HANDLED), VERIFY_FAIL, S(HANDLING), INSPECTOR | OFFICE, NOTE | REWORK | PUB,
	  "核查未通过，返工"),
	T(B(HANDLING), EXTEND_REQUEST, CASE_SAME, HANDLER, NOTE, "申请延期"),
	T(B(HANDLING), EXTEND_APPROVE, CASE_SAME, DISPATCHER | OFFICE, PUB, "同意延期"),
	T(B(HANDLING), EXTEND_DENY, CASE_SAME, DISPATCHER | OFFICE, 0, "不同意延期"),
	T(B(HANDLING), DEFER, S(DEFERRED), DISPATCHER | OFFICE, NOTE | PUB, "缓办"),
	T(B(DEFERRED), RESUME, S(HANDLING), DISPATCHER | OFFICE, PUB, "恢复办理"),
	T(OPEN, SUPERVISE, CASE_SAME, OFFICE | LEADER, 0, "督办"),
	/* a deferred case's clock is stopped, so it cannot run late */
	T(OPEN & ~B(DEFERRED), ESCALATE, CASE_SAME, SYSTEM, 0, "超期升级"),
	/* the caller sets duplicate_of */
	T(OPEN, MERGE, S(REJECTED), OFFICE | DISPATCHER, PUB, "重复件，已合并"),
	/* the caller checks the reopen window */
	/* SYSTEM: an unsatisfied citizen rating reopens it (api/public_followup.c) */
	T(B(CLOSED), REOPEN, S(HANDLING), OFFICE | DISPATCHER | SYSTEM, NOTE | PUB, "重新办理"),
	T(OPEN | FINAL, COMMENT, CASE_SAME, STAFF, 0, "备注"),
};
/* clang-format on */

#define TABLE_LEN (sizeof TABLE / sizeof TABLE[0])

static const char *const STATE_NAMES[CASE_STATE_COUNT] = {
    [CASE_NONE] = NULL,
    [CASE_REPORTED] = "reported",
    [CASE_REGISTERED] = "registered",
    [CASE_DISPATCHED] = "dispatched",
    [CASE_HANDLING] = "handling",
    [CASE_HANDLED] = "handled",
    [CASE_DEFERRED] = "deferred",
    [CASE_CLOSED] = "closed",
    [CASE_REJECTED] = "rejected",
};

static const char *const STATE_LABELS[CASE_STATE_COUNT] = {
    [CASE_NONE] = "",
    [CASE_REPORTED] = "已上报",
    [CASE_REGISTERED] = "已立案",
    [CASE_DISPATCHED] = "已派遣",
    [CASE_HANDLING] = "处置中",
    [CASE_HANDLED] = "待核查",
    [CASE_DEFERRED] = "缓办",
    [CASE_CLOSED] = "已结案",
    [CASE_REJECTED] = "不予立案",
};

static const char *const ACTION_NAMES[CASE_ACT_COUNT] = {
    [CASE_ACT_REPORT] = "report",
    [CASE_ACT_ONSITE] = "onsite",
    [CASE_ACT_REGISTER] = "register",
    [CASE_ACT_REJECT] = "reject",
    [CASE_ACT_DISPATCH] = "dispatch",
    [CASE_ACT_ACCEPT] = "accept",
    [CASE_ACT_RETURN] = "return",
    [CASE_ACT_REDISPATCH] = "redispatch",
    [CASE_ACT_HANDLE] = "handle",
    [CASE_ACT_VERIFY_PASS] = "verify_pass",
    [CASE_ACT_VERIFY_FAIL] = "verify_fail",
    [CASE_ACT_EXTEND_REQUEST] = "extend_request",
    [CASE_ACT_EXTEND_APPROVE] = "extend_approve",
    [CASE_ACT_EXTEND_DENY] = "extend_deny",
    [CASE_ACT_DEFER] = "defer",
    [CASE_ACT_RESUME] = "resume",
    [CASE_ACT_SUPERVISE] = "supervise",
    [CASE_ACT_ESCALATE] = "escalate",
    [CASE_ACT_MERGE] = "merge",
    [CASE_ACT_REOPEN] = "reopen",
    [CASE_ACT_COMMENT] = "comment",
};

static bool state_ok(enum case_state s)
{
	return (unsigned)s < CASE_STATE_COUNT;
}

const struct case_transition *case_fsm_table(size_t *n)
{
	*n = TABLE_LEN;
	return TABLE;
}

const struct case_transition *case_fsm_lookup(enum case_state from, enum case_action action)
{
	if (!state_ok(from))
		return NULL;
	for (size_t i = 0; i < TABLE_LEN; i++)
		if (TABLE[i].action == action && (TABLE[i].from & CASE_BIT(from)))
			return &TABLE[i];
	return NULL;
}

enum case_state case_fsm_target(const struct case_transition *row, enum case_state from)
{
	return row->to == CASE_SAME ? from : row->to;
}

bool case_fsm_can(enum case_state state, enum case_action action, unsigned roles)
{
	const struct case_transition *row = case_fsm_lookup(state, action);
	return row && (row->roles & roles);
}

int case_fsm_apply(enum case_state from, const char *action, unsigned roles, const char *note,
                   struct case_move *out)
{
	enum case_action a;
	if (case_action_from_name(action, &a) < 0)
		return CASE_FSM_UNKNOWN_ACTION;
	const struct case_transition *row = case_fsm_lookup(from, a);
	if (!row)
		return CASE_FSM_BAD_STATE;
	if (!(row->roles & roles))
		return CASE_FSM_FORBIDDEN;
	if ((row->flags & CASE_TF_NOTE) && validate_blank(note))
		return CASE_FSM_NOTE_REQUIRED;
	if (out) {
		out->row = row;
		out->from = from;
		out->to = case_fsm_target(row, from);
	}
	return CASE_FSM_OK;
}

const char *case_fsm_strerror(int rc)
{
	switch (rc) {
	case CASE_FSM_OK:
		return "";
	case CASE_FSM_UNKNOWN_ACTION:
		return "未知的操作";
	case CASE_FSM_BAD_STATE:
		return "案件当前状态不允许此操作";
	case CASE_FSM_FORBIDDEN:
		return "无权执行此操作";
	case CASE_FSM_NOTE_REQUIRED:
		return "此操作须填写说明";
	default:
		return "状态机错误";
	}
}

int case_fsm_err_code(int rc)
{
	switch (rc) {
	case CASE_FSM_OK:
		return ERR_OK;
	case CASE_FSM_UNKNOWN_ACTION:
		return ERR_BAD_REQUEST;
	case CASE_FSM_BAD_STATE:
		return ERR_CONFLICT; /* usually someone else moved the case first */
	case CASE_FSM_FORBIDDEN:
		return ERR_FORBIDDEN;
	case CASE_FSM_NOTE_REQUIRED:
		return ERR_UNPROCESSABLE;
	default:
		return ERR_INTERNAL;
	}
}

size_t case_fsm_actions(enum case_state state, unsigned roles, enum case_action out[CASE_ACT_COUNT])
{
	size_t n = 0;
	if (!state_ok(state))
		return 0;
	for (size_t i = 0; i < TABLE_LEN && n < CASE_ACT_COUNT; i++)
		if ((TABLE[i].from & CASE_BIT(state)) && (TABLE[i].roles & roles))
			out[n++] = TABLE[i].action;
	return n;
}

const char *case_state_name(enum case_state s)
{
	return state_ok(s) ? STATE_NAMES[s] : NULL;
}

int case_state_from_name(const char *name, enum case_state *out)
{
	for (int s = 0; name && s < CASE_STATE_COUNT; s++)
		if (STATE_NAMES[s] && strcmp(STATE_NAMES[s], name) == 0) {
			*out = (enum case_state)s;
			return 0;
		}
	return -1;
}

const char *case_state_label(enum case_state s)
{
	return state_ok(s) ? STATE_LABELS[s] : "";
}

bool case_state_is_open(enum case_state s)
{
	return state_ok(s) && (OPEN & CASE_BIT(s));
}

const char *case_state_open311(enum case_state s)
{
	if (!state_ok(s) || s == CASE_NONE)
		return NULL;
	return case_state_is_open(s) ? "open" : "closed";
}

const char *case_action_name(enum case_action a)
{
	return (unsigned)a < CASE_ACT_COUNT ? ACTION_NAMES[a] : NULL;
}

int case_action_from_name(const char *name, enum case_action *out)
{
	for (int a = 0; name && a < CASE_ACT_COUNT; a++)
		if (strcmp(ACTION_NAMES[a], name) == 0) {
			*out = (enum case_action)a;
			return 0;
		}
	return -1;
}
