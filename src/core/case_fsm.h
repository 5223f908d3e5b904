/* The case state machine of DESIGN §3: one table of transitions (from, action, to, roles,
 * flags, label) that every handler goes through, so a forbidden move is impossible anywhere.
 * State and action names are stable API: they are stored in cases.status and case_event. */
#ifndef WM_CASE_FSM_H
#define WM_CASE_FSM_H

#include <stdbool.h>
#include <stddef.h>

enum case_state {
	CASE_NONE = 0, /* pseudo-state before the case exists (report, onsite) */
	CASE_REPORTED,
	CASE_REGISTERED, /* 立案 */
	CASE_DISPATCHED, /* 派遣, waiting for the unit to accept */
	CASE_HANDLING,   /* the unit works on it */
	CASE_HANDLED,    /* waiting for verification (核查) */
	CASE_DEFERRED,   /* 缓办: see case_fsm.c for why this is a state */
	CASE_CLOSED,     /* final: 结案 */
	CASE_REJECTED,   /* final: 不予立案, 作废, merged duplicate */
	CASE_STATE_COUNT
};

enum case_action {
	CASE_ACT_REPORT,
	CASE_ACT_ONSITE,
	CASE_ACT_REGISTER,
	CASE_ACT_REJECT,
	CASE_ACT_DISPATCH,
	CASE_ACT_ACCEPT,
	CASE_ACT_RETURN,
	CASE_ACT_REDISPATCH,
	CASE_ACT_HANDLE,
	CASE_ACT_VERIFY_PASS,
	CASE_ACT_VERIFY_FAIL,
	CASE_ACT_EXTEND_REQUEST,
	CASE_ACT_EXTEND_APPROVE,
	CASE_ACT_EXTEND_DENY,
	CASE_ACT_DEFER,
	CASE_ACT_RESUME,
	CASE_ACT_SUPERVISE,
	CASE_ACT_ESCALATE,
	CASE_ACT_MERGE,
	CASE_ACT_REOPEN,
	CASE_ACT_COMMENT,
	CASE_ACT_COUNT
};

enum case_transition_flag {
	CASE_TF_NOTE = 1 << 0,   /* a note (reason, what was done) is required */
	CASE_TF_REWORK = 1 << 1, /* counts one rework (返工): cases.rework_count += 1 */
	CASE_TF_PUBLIC = 1 << 2, /* shown to citizens: public timeline, Open311 status_notes */
};

/* A state bit for case_transition.from; rows may start from several states. */
#define CASE_BIT(s) (1u << (s))
/* case_transition.to for moves that keep the state (comment, supervise, extensions). */
#define CASE_SAME CASE_STATE_COUNT

struct case_transition {
	unsigned from; /* CASE_BIT()s of the states this move starts from */
	enum case_action action;
	enum case_state to; /* or CASE_SAME: use case_fsm_target() */
	unsigned roles;     /* enum role bits (core/roles.h) allowed to make the move */
	unsigned flags;     /* enum case_transition_flag */
	const char *label;  /* zh-CN for timelines and status_notes, e.g. "已立案" */
};

enum case_fsm_result {
	CASE_FSM_OK = 0,
	CASE_FSM_UNKNOWN_ACTION = -1, /* no such action name */
	CASE_FSM_BAD_STATE = -2,      /* the action exists but not from this state */
	CASE_FSM_FORBIDDEN = -3,      /* none of the caller's roles may make this move */
	CASE_FSM_NOTE_REQUIRED = -4,  /* the move needs a non-blank note */
};

/* What case_fsm_apply decided: the row and the concrete next state. */
struct case_move {
	const struct case_transition *row;
	enum case_state from, to;
};

/* The row for (from, action), or NULL when the action is not possible from that state. */
const struct case_transition *case_fsm_lookup(enum case_state from, enum case_action action);
/* The state after taking row from `from` (resolves CASE_SAME). */
enum case_state case_fsm_target(const struct case_transition *row, enum case_state from);
/* Whether some role in `roles` may take `action` from `state` (a note may still be needed). */
bool case_fsm_can(enum case_state state, enum case_action action, unsigned roles);
/* Checks a requested move, in this order: action name, state, roles, note. On CASE_FSM_OK
 * fills *out (when non-NULL). The caller records the event and checks what the table cannot
 * know (that a handler belongs to the case's unit, the reopen window, the merge target). */
int case_fsm_apply(enum case_state from, const char *action, unsigned roles, const char *note,
                   struct case_move *out);
/* zh-CN message for a case_fsm_result, and the enum err_code (lib/err.h) it maps to. */
const char *case_fsm_strerror(int rc);
int case_fsm_err_code(int rc);

/* Actions available from `state` to someone with `roles`, in table order (for the UI).
 * Returns how many were written to out. */
size_t case_fsm_actions(enum case_state state, unsigned roles,
                        enum case_action out[CASE_ACT_COUNT]);

/* The whole table, for documentation and tests. */
const struct case_transition *case_fsm_table(size_t *n);

/* "reported" ... "rejected"; NULL for CASE_NONE (no from_status) and out-of-range values. */
const char *case_state_name(enum case_state s);
/* 0 and *out, or -1 for an unknown name ("none" is not a stored state). */
int case_state_from_name(const char *name, enum case_state *out);
/* zh-CN state label for the UI, e.g. "处置中"; "" for CASE_NONE. */
const char *case_state_label(enum case_state s);
/* Open311 status: open for every non-final state, closed for closed and rejected.
 * case_state_is_open(CASE_NONE) is false; case_state_open311(CASE_NONE) is NULL. */
bool case_state_is_open(enum case_state s);
const char *case_state_open311(enum case_state s);

/* "report", "verify_pass" ...; NULL when out of range. */
const char *case_action_name(enum case_action a);
/* 0 and *out, or -1 for an unknown name. */
int case_action_from_name(const char *name, enum case_action *out);

#endif
