/* The task state machine of the action plan (docs/plans.md): one table of moves, who may make
 * each (the task's lead unit, a co-unit, the office), and which need a note. Like the case
 * state machine, every handler goes through it. State and action names are stable API: they
 * are stored in task.status and task_event.action. */
#ifndef WM_TASK_FSM_H
#define WM_TASK_FSM_H

#include <stdint.h>

enum task_state {
	TASK_PENDING,   /* 未启动 */
	TASK_ACTIVE,    /* 推进中 */
	TASK_SUBMITTED, /* 申请销号: the lead unit says it is done, the office checks */
	TASK_DONE,      /* 已销号 */
	TASK_CANCELLED, /* 已取消 */
	TASK_STATE_COUNT
};

/* The caller's standing towards a task, as bits. */
enum task_party {
	TASK_PARTY_LEAD = 1 << 0,   /* a handler of the lead unit (or above it) */
	TASK_PARTY_CO = 1 << 1,     /* a handler of a co-unit */
	TASK_PARTY_OFFICE = 1 << 2, /* the office (文明办) and admins */
};

enum task_fsm_result {
	TASK_FSM_OK = 0,
	TASK_FSM_UNKNOWN_ACTION = -1,
	TASK_FSM_BAD_STATE = -2,
	TASK_FSM_FORBIDDEN = -3,
	TASK_FSM_NOTE_REQUIRED = -4,
};

struct task_move {
	enum task_state from, to;
	const char *label; /* zh-CN, for the timeline */
};

/* "pending" … ; NULL for an out-of-range state. */
const char *task_state_name(enum task_state s);
/* 0 and *out set, or -1 for an unknown name. */
int task_state_parse(const char *name, enum task_state *out);

/* Decides a move: action (report, submit, accept, return, cancel, reopen) from state `from`
 * by a caller with `parties`, with note (NULL or blank counts as none). */
enum task_fsm_result task_fsm_apply(enum task_state from, const char *action, unsigned parties,
                                    const char *note, struct task_move *out);
/* An English message for a result, and the err code the API answers with. */
const char *task_fsm_strerror(enum task_fsm_result r);
int task_fsm_err_code(enum task_fsm_result r);

/* A task's deadline alert at now: 2 (red) once due; 1 (yellow) in its last quarter or its last
 * 7 days, whichever is shorter; else 0. Calendar time: tasks run for weeks and months. */
int task_alert(int64_t starts_at, int64_t due_at, int64_t now);

#endif
