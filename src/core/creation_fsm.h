/* The state machine of a grassroots creation (基层创建, docs/creation.md): one table of moves
 * (from states, action, to, roles, flags) that every declaration and status change goes
 * through. State and action names are stable API: stored in creation.status and
 * creation_event. Pure: no I/O. */
#ifndef WM_CREATION_FSM_H
#define WM_CREATION_FSM_H

#include <stddef.h>

enum creation_state {
	CREATION_NONE = 0,  /* before the unit declared */
	CREATION_DECLARED,  /* 申报 */
	CREATION_REVIEWING, /* 复查 (of a declaration, or of a named unit) */
	CREATION_NAMED,     /* 命名 */
	CREATION_REVOKED,   /* 撤销 */
	CREATION_STATE_COUNT
};

enum creation_action {
	CREATION_ACT_DECLARE, /* 申报 (again, after a revocation) */
	CREATION_ACT_REVIEW,  /* 复查 */
	CREATION_ACT_NAME,    /* 命名 */
	CREATION_ACT_REVOKE,  /* 撤销 */
	CREATION_ACT_COUNT
};

enum creation_flag {
	CREATION_TF_NOTE = 1 << 0, /* a note (the reason) is required */
};

#define CREATION_BIT(s) (1u << (s))

struct creation_transition {
	unsigned from; /* CREATION_BIT()s of the states the move starts from */
	enum creation_action action;
	enum creation_state to;
	unsigned roles;    /* enum role bits (core/roles.h) allowed to make the move */
	unsigned flags;    /* enum creation_flag */
	const char *label; /* zh-CN, e.g. "命名" */
};

enum creation_fsm_result {
	CREATION_FSM_OK = 0,
	CREATION_FSM_UNKNOWN_ACTION = -1,
	CREATION_FSM_FORBIDDEN = -2,     /* none of the caller's roles may ever make this move */
	CREATION_FSM_BAD_STATE = -3,     /* the move exists, but not from this state */
	CREATION_FSM_NOTE_REQUIRED = -4, /* the move needs a non-blank note */
};

struct creation_move {
	const struct creation_transition *row;
	enum creation_state from, to;
};

/* Checks a requested move, in this order: action name, roles, state, note. On
 * CREATION_FSM_OK fills *out (when non-NULL). The caller checks what the table cannot know
 * (that the unit lies within a handler's reach, the version the caller saw). */
int creation_fsm_apply(enum creation_state from, const char *action, unsigned roles,
                       const char *note, struct creation_move *out);
/* The enum err_code (lib/err.h) of a result: 400, 403, 409, 422. */
int creation_fsm_err_code(int rc);
/* A message for the user about a refused move, into out (cap bytes): names the move, the
 * state and, for a bad state, the states it may start from. */
void creation_fsm_message(int rc, enum creation_state from, const char *action, char *out,
                          size_t cap);

/* The whole table, for documentation and tests. */
const struct creation_transition *creation_fsm_table(size_t *n);

/* "declared" …; NULL for CREATION_NONE and out-of-range values. */
const char *creation_state_name(enum creation_state s);
/* 0 and *out, or -1 for an unknown name. */
int creation_state_from_name(const char *name, enum creation_state *out);
/* 申报, 复查, 命名, 撤销; "" for CREATION_NONE. */
const char *creation_state_label(enum creation_state s);
const char *creation_action_name(enum creation_action a);
int creation_action_from_name(const char *name, enum creation_action *out);

/* The levels of a title: city (市级), province (省级), national (全国). */
int creation_level_ok(const char *level);
const char *creation_level_label(const char *level);

#endif
