/* The case state machine. Allowed moves are written out one by one here, not derived from the
 * table, so a change to the table has to be made twice: once on purpose, once in the test. */
#include <criterion/criterion.h>

#include "core/case_fsm.h"
#include "core/roles.h"
#include "lib/err.h"

#include <string.h>

#define NONE CASE_NONE
#define REPORTED CASE_REPORTED
#define REGISTERED CASE_REGISTERED
#define DISPATCHED CASE_DISPATCHED
#define HANDLING CASE_HANDLING
#define HANDLED CASE_HANDLED
#define DEFERRED CASE_DEFERRED
#define CLOSED CASE_CLOSED
#define REJECTED CASE_REJECTED

#define NOTE "情况说明"

static const unsigned ALL_ROLES = ROLE_PUBLIC | ROLE_ADMIN | ROLE_OFFICE | ROLE_DISPATCHER |
                                  ROLE_HANDLER | ROLE_INSPECTOR | ROLE_LEADER | ROLE_SYSTEM;

/* Allowed: exactly these roles may, each on its own; every other role alone may not. */
static void allowed(int from, const char *action, unsigned roles, const char *note, int to)
{
	for (unsigned r = 1; r <= ROLE_SYSTEM; r <<= 1) {
		struct case_move m = {0};
		int rc = case_fsm_apply((enum case_state)from, action, r, note, &m);
		if (roles & r) {
			cr_assert_eq(rc, CASE_FSM_OK, "%s from %s by role %#x: %d", action,
			             case_state_name((enum case_state)from), r, rc);
			cr_assert_eq(m.to, (enum case_state)to, "%s from %d goes to %d, not %d",
			             action, from, m.to, to);
			cr_assert_eq(m.from, (enum case_state)from);
			cr_assert_str_eq(case_action_name(m.row->action), action);
		} else {
			cr_assert_eq(rc, CASE_FSM_FORBIDDEN,
			             "%s from %s by role %#x should be forbidden", action,
			             case_state_name((enum case_state)from), r);
		}
	}
}

static void refused(int from, const char *action, unsigned roles, const char *note, int want)
{
	struct case_move m = {.to = CASE_STATE_COUNT};
	int rc = case_fsm_apply((enum case_state)from, action, roles, note, &m);
	cr_assert_eq(rc, want, "%s from %d by %#x: got %d, want %d", action ? action : "(null)",
	             from, roles, rc, want);
	cr_assert_eq(m.to, CASE_STATE_COUNT, "output written on refusal");
}

static void flags(const char *action, int from, unsigned want, const char *label)
{
	enum case_action a;
	cr_assert_eq(case_action_from_name(action, &a), 0, "%s", action);
	const struct case_transition *row = case_fsm_lookup((enum case_state)from, a);
	cr_assert_not_null(row, "%s", action);
	cr_expect_eq(row->flags, want, "flags of %s: %#x, want %#x", action, row->flags, want);
	cr_expect_str_eq(row->label, label);
}

#define O ROLE_OFFICE
#define D ROLE_DISPATCHER
#define H ROLE_HANDLER
#define I ROLE_INSPECTOR
#define L ROLE_LEADER
#define SYS ROLE_SYSTEM
#define PUB ROLE_PUBLIC

Test(fsm, main_line)
{
	allowed(NONE, "report", PUB | I | O | SYS, NULL, REPORTED);
	allowed(NONE, "onsite", I, NOTE, HANDLED);
	allowed(REPORTED, "register", O | D, NULL, REGISTERED);
	allowed(REPORTED, "reject", O | D, NOTE, REJECTED);
	allowed(REGISTERED, "dispatch", D | O, NULL, DISPATCHED);
	allowed(DISPATCHED, "accept", H, NULL, HANDLING);
	allowed(DISPATCHED, "return", H, NOTE, REGISTERED);
	allowed(DISPATCHED, "redispatch", D | O, NULL, DISPATCHED);
	allowed(HANDLING, "handle", H, NOTE, HANDLED);
	allowed(HANDLED, "verify_pass", I | O, NULL, CLOSED);
	allowed(HANDLED, "verify_fail", I | O, NOTE, HANDLING);
	allowed(CLOSED, "reopen", O | D | SYS, NOTE, HANDLING);
}

Test(fsm, extensions_and_deferral)
{
	allowed(HANDLING, "extend_request", H, NOTE, HANDLING);
	allowed(HANDLING, "extend_approve", D | O, NULL, HANDLING);
	allowed(HANDLING, "extend_deny", D | O, NULL, HANDLING);
	allowed(HANDLING, "defer", D | O, NOTE, DEFERRED);
	allowed(DEFERRED, "resume", D | O, NULL, HANDLING);
}

Test(fsm, side_paths_from_every_open_state)
{
	allowed(REPORTED, "supervise", O | L, NULL, REPORTED);
	allowed(REGISTERED, "supervise", O | L, NULL, REGISTERED);
	allowed(DISPATCHED, "supervise", O | L, NULL, DISPATCHED);
	allowed(HANDLING, "supervise", O | L, NULL, HANDLING);
	allowed(HANDLED, "supervise", O | L, NULL, HANDLED);
	allowed(DEFERRED, "supervise", O | L, NULL, DEFERRED);

	allowed(REPORTED, "escalate", SYS, NULL, REPORTED);
	allowed(REGISTERED, "escalate", SYS, NULL, REGISTERED);
	allowed(DISPATCHED, "escalate", SYS, NULL, DISPATCHED);
	allowed(HANDLING, "escalate", SYS, NULL, HANDLING);
	allowed(HANDLED, "escalate", SYS, NULL, HANDLED);

	allowed(REPORTED, "merge", O | D, NULL, REJECTED);
	allowed(REGISTERED, "merge", O | D, NULL, REJECTED);
	allowed(DISPATCHED, "merge", O | D, NULL, REJECTED);
	allowed(HANDLING, "merge", O | D, NULL, REJECTED);
	allowed(HANDLED, "merge", O | D, NULL, REJECTED);
	allowed(DEFERRED, "merge", O | D, NULL, REJECTED);
}

Test(fsm, comment_from_every_state_by_staff)
{
	allowed(REPORTED, "comment", ROLE_STAFF, NULL, REPORTED);
	allowed(REGISTERED, "comment", ROLE_STAFF, NULL, REGISTERED);
	allowed(DISPATCHED, "comment", ROLE_STAFF, NULL, DISPATCHED);
	allowed(HANDLING, "comment", ROLE_STAFF, NULL, HANDLING);
	allowed(HANDLED, "comment", ROLE_STAFF, NULL, HANDLED);
	allowed(DEFERRED, "comment", ROLE_STAFF, NULL, DEFERRED);
	allowed(CLOSED, "comment", ROLE_STAFF, NULL, CLOSED);
	allowed(REJECTED, "comment", ROLE_STAFF, NULL, REJECTED);
}

Test(fsm, flags_and_labels)
{
	const unsigned N = CASE_TF_NOTE, R = CASE_TF_REWORK, P = CASE_TF_PUBLIC;
	flags("report", NONE, P, "已上报");
	flags("onsite", NONE, N | P, "现场已处置");
	flags("register", REPORTED, P, "已立案");
	flags("reject", REPORTED, N | P, "不予立案");
	flags("dispatch", REGISTERED, P, "已派遣");
	flags("accept", DISPATCHED, P, "已签收");
	flags("return", DISPATCHED, N, "已退回");
	flags("redispatch", DISPATCHED, 0, "已改派");
	flags("handle", HANDLING, N | P, "已处置");
	flags("verify_pass", HANDLED, P, "已结案");
	flags("verify_fail", HANDLED, N | R | P, "核查未通过，返工");
	flags("extend_request", HANDLING, N, "申请延期");
	flags("extend_approve", HANDLING, P, "同意延期");
	flags("extend_deny", HANDLING, 0, "不同意延期");
	flags("defer", HANDLING, N | P, "缓办");
	flags("resume", DEFERRED, P, "恢复办理");
	flags("supervise", HANDLING, 0, "督办");
	flags("escalate", HANDLING, 0, "超期升级");
	flags("merge", HANDLING, P, "重复件，已合并");
	flags("reopen", CLOSED, N | P, "重新办理");
	flags("comment", CLOSED, 0, "备注");
}

Test(fsm, wrong_state)
{
	const int E = CASE_FSM_BAD_STATE;
	refused(REPORTED, "report", ALL_ROLES, NOTE, E);
	refused(REPORTED, "onsite", ALL_ROLES, NOTE, E);
	refused(NONE, "register", ALL_ROLES, NOTE, E);
	refused(REGISTERED, "register", ALL_ROLES, NOTE, E);
	refused(REGISTERED, "reject", ALL_ROLES, NOTE, E); /* after 立案 it is merge or close */
	refused(REPORTED, "dispatch", ALL_ROLES, NOTE, E); /* no dispatch before 立案 */
	refused(DISPATCHED, "dispatch", ALL_ROLES, NOTE, E);
	refused(REGISTERED, "redispatch", ALL_ROLES, NOTE, E);
	refused(REGISTERED, "accept", ALL_ROLES, NOTE, E);
	refused(HANDLING, "accept", ALL_ROLES, NOTE, E);
	refused(HANDLING, "return", ALL_ROLES, NOTE, E);   /* once accepted, it is theirs */
	refused(DISPATCHED, "handle", ALL_ROLES, NOTE, E); /* accept first */
	refused(HANDLED, "handle", ALL_ROLES, NOTE, E);
	refused(DEFERRED, "handle", ALL_ROLES, NOTE, E);
	refused(HANDLING, "verify_pass", ALL_ROLES, NOTE, E);
	refused(DEFERRED, "verify_pass", ALL_ROLES, NOTE, E);
	refused(CLOSED, "verify_pass", ALL_ROLES, NOTE, E);
	refused(HANDLING, "verify_fail", ALL_ROLES, NOTE, E);
	refused(DISPATCHED, "extend_request", ALL_ROLES, NOTE, E);
	refused(HANDLED, "extend_approve", ALL_ROLES, NOTE, E);
	refused(DEFERRED, "extend_deny", ALL_ROLES, NOTE, E);
	refused(DISPATCHED, "defer", ALL_ROLES, NOTE, E);
	refused(DEFERRED, "defer", ALL_ROLES, NOTE, E);
	refused(HANDLING, "resume", ALL_ROLES, NOTE, E);
	refused(DEFERRED, "escalate", ALL_ROLES, NOTE, E); /* its clock is stopped */
	refused(CLOSED, "escalate", ALL_ROLES, NOTE, E);
	refused(CLOSED, "supervise", ALL_ROLES, NOTE, E);
	refused(REJECTED, "supervise", ALL_ROLES, NOTE, E);
	refused(CLOSED, "merge", ALL_ROLES, NOTE, E);
	refused(REJECTED, "merge", ALL_ROLES, NOTE, E);
	refused(REJECTED, "reopen", ALL_ROLES, NOTE, E);
	refused(HANDLING, "reopen", ALL_ROLES, NOTE, E);
	refused(NONE, "comment", ALL_ROLES, NOTE, E);
	refused(NONE, "merge", ALL_ROLES, NOTE, E);
	refused(CASE_STATE_COUNT, "comment", ALL_ROLES, NOTE, E);
	refused(-1, "comment", ALL_ROLES, NOTE, E);
	refused(1000, "comment", ALL_ROLES, NOTE, E);
}

Test(fsm, wrong_role)
{
	const int E = CASE_FSM_FORBIDDEN;
	refused(REPORTED, "register", PUB, NULL, E);
	refused(REPORTED, "register", H | I | L, NULL, E);
	refused(REPORTED, "register", ROLE_ADMIN, NULL, E); /* admin runs the system, not cases */
	refused(REGISTERED, "dispatch", H, NULL, E);
	refused(DISPATCHED, "accept", D | O, NULL, E); /* only the unit accepts */
	refused(HANDLING, "handle", O | D | I, NOTE, E);
	refused(HANDLED, "verify_pass", H, NULL, E); /* no marking one's own homework */
	refused(HANDLED, "verify_fail", H | D, NOTE, E);
	refused(HANDLING, "extend_approve", H, NULL, E); /* nor approving one's own extension */
	refused(HANDLING, "defer", H, NOTE, E);
	refused(HANDLING, "supervise", D | H | I, NULL, E);
	refused(HANDLING, "escalate", O | L, NULL, E);
	refused(HANDLING, "comment", PUB | SYS, NOTE, E);
	refused(CLOSED, "reopen", PUB | H | I, NOTE, E);
	refused(NONE, "report", D | H | L | ROLE_ADMIN, NULL, E);
	refused(NONE, "onsite", O | PUB, NOTE, E);
	refused(REPORTED, "merge", L | H, NULL, E);
	refused(REPORTED, "register", 0, NULL, E);
	/* role is checked before the note */
	refused(REPORTED, "reject", PUB, NULL, E);
}

Test(fsm, note_required)
{
	const int E = CASE_FSM_NOTE_REQUIRED;
	static const char *blank[] = {NULL, "", " ", "\t\r\n ", "\xE3\x80\x80", " \xE3\x80\x80\n"};
	for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++) {
		refused(REPORTED, "reject", O, blank[i], E);
		refused(NONE, "onsite", I, blank[i], E);
		refused(DISPATCHED, "return", H, blank[i], E);
		refused(HANDLING, "handle", H, blank[i], E);
		refused(HANDLED, "verify_fail", I, blank[i], E);
		refused(HANDLING, "extend_request", H, blank[i], E);
		refused(HANDLING, "defer", D, blank[i], E);
		refused(CLOSED, "reopen", O, blank[i], E);
	}
	/* a note is not required elsewhere, and any visible character is a note */
	cr_expect_eq(case_fsm_apply(REPORTED, "register", O, NULL, NULL), CASE_FSM_OK);
	cr_expect_eq(case_fsm_apply(HANDLED, "verify_pass", I, "", NULL), CASE_FSM_OK);
	cr_expect_eq(case_fsm_apply(HANDLING, "handle", H, " x ", NULL), CASE_FSM_OK);
	cr_expect_eq(case_fsm_apply(HANDLING, "handle", H, "已清理", NULL), CASE_FSM_OK);
}

Test(fsm, unknown_action)
{
	const int E = CASE_FSM_UNKNOWN_ACTION;
	refused(REPORTED, NULL, ALL_ROLES, NOTE, E);
	refused(REPORTED, "", ALL_ROLES, NOTE, E);
	refused(REPORTED, "REGISTER", ALL_ROLES, NOTE, E);
	refused(REPORTED, "register ", ALL_ROLES, NOTE, E);
	refused(REPORTED, "close", ALL_ROLES, NOTE, E);
	refused(REPORTED, "立案", ALL_ROLES, NOTE, E);
	refused(1000, "nope", 0, NULL, E); /* the name is checked first */
}

Test(fsm, precedence_state_before_role_before_note)
{
	refused(HANDLING, "register", PUB, NULL, CASE_FSM_BAD_STATE);
	refused(REPORTED, "reject", H, NULL, CASE_FSM_FORBIDDEN);
	refused(REPORTED, "reject", O, NULL, CASE_FSM_NOTE_REQUIRED);
}

/* report -> 立案 -> 派遣 -> 退回 -> 改派... -> 签收 -> 处置 -> 返工 twice -> 结案 -> reopen. */
Test(fsm, rework_loop)
{
	struct step {
		const char *action;
		unsigned role;
		int to;
	} steps[] = {
	    {"report", PUB, REPORTED},       {"register", D, REGISTERED},
	    {"dispatch", D, DISPATCHED},     {"return", H, REGISTERED},
	    {"dispatch", D, DISPATCHED},     {"redispatch", D, DISPATCHED},
	    {"accept", H, HANDLING},         {"extend_request", H, HANDLING},
	    {"extend_approve", D, HANDLING}, {"handle", H, HANDLED},
	    {"verify_fail", I, HANDLING},    {"handle", H, HANDLED},
	    {"verify_fail", O, HANDLING},    {"defer", O, DEFERRED},
	    {"resume", O, HANDLING},         {"handle", H, HANDLED},
	    {"verify_pass", I, CLOSED},      {"reopen", O, HANDLING},
	    {"handle", H, HANDLED},          {"verify_pass", I, CLOSED},
	};
	enum case_state s = CASE_NONE;
	int rework = 0, public_events = 0;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		struct case_move m;
		int rc = case_fsm_apply(s, steps[i].action, steps[i].role, NOTE, &m);
		cr_assert_eq(rc, CASE_FSM_OK, "step %zu %s: %d", i, steps[i].action, rc);
		cr_assert_eq(m.to, (enum case_state)steps[i].to, "step %zu %s", i, steps[i].action);
		rework += (m.row->flags & CASE_TF_REWORK) != 0;
		public_events += (m.row->flags & CASE_TF_PUBLIC) != 0;
		s = m.to;
	}
	cr_expect_eq(rework, 2);
	cr_expect_eq(public_events, 17);
	cr_expect_not(case_state_is_open(s));
}

Test(fsm, onsite_shortcut_still_verified)
{
	struct case_move m;
	cr_assert_eq(case_fsm_apply(NONE, "onsite", I, "现场已清理", &m), CASE_FSM_OK);
	cr_assert_eq(m.to, CASE_HANDLED);
	cr_expect(case_state_is_open(m.to));
	cr_expect(case_fsm_can(m.to, CASE_ACT_VERIFY_PASS, I));
	cr_expect_not(case_fsm_can(m.to, CASE_ACT_HANDLE, H));
}

Test(fsm, can)
{
	cr_expect(case_fsm_can(REPORTED, CASE_ACT_REGISTER, O));
	cr_expect(case_fsm_can(REPORTED, CASE_ACT_REGISTER, PUB | D));
	cr_expect_not(case_fsm_can(REPORTED, CASE_ACT_REGISTER, PUB | H));
	cr_expect_not(case_fsm_can(REGISTERED, CASE_ACT_REGISTER, O));
	cr_expect(case_fsm_can(HANDLING, CASE_ACT_HANDLE, H)); /* the note is apply's business */
	cr_expect_not(case_fsm_can(HANDLING, CASE_ACT_COUNT, ALL_ROLES));
	cr_expect_not(case_fsm_can(CASE_STATE_COUNT, CASE_ACT_COMMENT, ALL_ROLES));
}

static size_t actions(int state, unsigned roles, const char *want)
{
	enum case_action out[CASE_ACT_COUNT];
	size_t n = case_fsm_actions((enum case_state)state, roles, out);
	char got[512] = "";
	for (size_t i = 0; i < n; i++) {
		strcat(got, i ? " " : "");
		strcat(got, case_action_name(out[i]));
	}
	cr_expect_str_eq(got, want, "actions from %d for %#x", state, roles);
	return n;
}

Test(fsm, actions_for_ui)
{
	actions(NONE, PUB, "report");
	actions(NONE, I, "report onsite");
	actions(REPORTED, D, "register reject merge comment");
	actions(REPORTED, PUB, "");
	actions(DISPATCHED, H, "accept return comment");
	actions(DISPATCHED, D, "redispatch merge comment");
	actions(HANDLING, H, "handle extend_request comment");
	actions(HANDLING, O, "extend_approve extend_deny defer supervise merge comment");
	actions(HANDLING, L, "supervise comment");
	actions(HANDLING, SYS, "escalate");
	actions(HANDLED, I, "verify_pass verify_fail comment");
	actions(DEFERRED, D, "resume merge comment");
	actions(CLOSED, O, "reopen comment");
	actions(CLOSED, H, "comment");
	actions(REJECTED, ALL_ROLES, "comment");
	actions(CASE_STATE_COUNT, ALL_ROLES, "");
	actions(HANDLING, 0, "");
}

Test(fsm, state_names)
{
	static const char *names[] = {"reported", "registered", "dispatched", "handling",
	                              "handled",  "deferred",   "closed",     "rejected"};
	for (int s = CASE_REPORTED; s < CASE_STATE_COUNT; s++) {
		cr_assert_str_eq(case_state_name((enum case_state)s), names[s - 1]);
		enum case_state back;
		cr_assert_eq(case_state_from_name(names[s - 1], &back), 0);
		cr_assert_eq(back, (enum case_state)s);
		cr_expect_neq(case_state_label((enum case_state)s)[0], '\0');
	}
	enum case_state x = CASE_HANDLED;
	cr_expect_null(case_state_name(CASE_NONE));
	cr_expect_null(case_state_name(CASE_STATE_COUNT));
	cr_expect_eq(case_state_from_name("none", &x), -1);
	cr_expect_eq(case_state_from_name("Closed", &x), -1);
	cr_expect_eq(case_state_from_name("", &x), -1);
	cr_expect_eq(case_state_from_name(NULL, &x), -1);
	cr_expect_eq(x, CASE_HANDLED);
	cr_expect_str_eq(case_state_label(CASE_HANDLING), "处置中");
	cr_expect_str_eq(case_state_label(CASE_NONE), "");
}

Test(fsm, open311_status)
{
	cr_expect(case_state_is_open(CASE_REPORTED));
	cr_expect(case_state_is_open(CASE_REGISTERED));
	cr_expect(case_state_is_open(CASE_DISPATCHED));
	cr_expect(case_state_is_open(CASE_HANDLING));
	cr_expect(case_state_is_open(CASE_HANDLED));
	cr_expect(case_state_is_open(CASE_DEFERRED));
	cr_expect_not(case_state_is_open(CASE_CLOSED));
	cr_expect_not(case_state_is_open(CASE_REJECTED));
	cr_expect_not(case_state_is_open(CASE_NONE));
	cr_expect_not(case_state_is_open(CASE_STATE_COUNT));
	cr_expect_str_eq(case_state_open311(CASE_DEFERRED), "open");
	cr_expect_str_eq(case_state_open311(CASE_HANDLED), "open");
	cr_expect_str_eq(case_state_open311(CASE_REJECTED), "closed");
	cr_expect_str_eq(case_state_open311(CASE_CLOSED), "closed");
	cr_expect_null(case_state_open311(CASE_NONE));
}

Test(fsm, action_names)
{
	static const char *names[CASE_ACT_COUNT] = {
	    "report",      "onsite",         "register",       "reject",      "dispatch",
	    "accept",      "return",         "redispatch",     "handle",      "verify_pass",
	    "verify_fail", "extend_request", "extend_approve", "extend_deny", "defer",
	    "resume",      "supervise",      "escalate",       "merge",       "reopen",
	    "comment"};
	for (int a = 0; a < CASE_ACT_COUNT; a++) {
		cr_assert_str_eq(case_action_name((enum case_action)a), names[a]);
		enum case_action back;
		cr_assert_eq(case_action_from_name(names[a], &back), 0);
		cr_assert_eq(back, (enum case_action)a);
	}
	cr_expect_null(case_action_name(CASE_ACT_COUNT));
	enum case_action x;
	cr_expect_eq(case_action_from_name("Report", &x), -1);
}

Test(fsm, error_mapping)
{
	cr_expect_eq(case_fsm_err_code(CASE_FSM_OK), ERR_OK);
	cr_expect_eq(case_fsm_err_code(CASE_FSM_UNKNOWN_ACTION), ERR_BAD_REQUEST);
	cr_expect_eq(case_fsm_err_code(CASE_FSM_BAD_STATE), ERR_CONFLICT);
	cr_expect_eq(case_fsm_err_code(CASE_FSM_FORBIDDEN), ERR_FORBIDDEN);
	cr_expect_eq(case_fsm_err_code(CASE_FSM_NOTE_REQUIRED), ERR_UNPROCESSABLE);
	cr_expect_eq(case_fsm_err_code(-99), ERR_INTERNAL);
	cr_expect_str_eq(case_fsm_strerror(CASE_FSM_FORBIDDEN), "无权执行此操作");
	cr_expect_neq(case_fsm_strerror(CASE_FSM_BAD_STATE)[0], '\0');
	cr_expect_neq(case_fsm_strerror(-99)[0], '\0');
}

/* The table's own invariants: what makes "one row per move" and the lookups sound. */
Test(fsm, table_is_well_formed)
{
	size_t n;
	const struct case_transition *t = case_fsm_table(&n);
	cr_assert_gt(n, 0);
	unsigned seen_actions = 0;
	for (size_t i = 0; i < n; i++) {
		cr_assert_neq(t[i].from, 0, "row %zu starts nowhere", i);
		cr_assert_eq(t[i].from >> CASE_STATE_COUNT, 0, "row %zu", i);
		cr_assert(t[i].to == CASE_SAME ||
		          (t[i].to > CASE_NONE && t[i].to < CASE_STATE_COUNT));
		cr_assert_neq(t[i].roles, 0, "row %zu: nobody may", i);
		cr_assert_eq(t[i].roles & ~ALL_ROLES, 0);
		cr_assert(t[i].label && t[i].label[0], "row %zu has no label", i);
		cr_assert_lt((unsigned)t[i].action, CASE_ACT_COUNT);
		seen_actions |= 1u << t[i].action;
		/* a staying move from NONE would leave a case without a state */
		cr_assert(!(t[i].to == CASE_SAME && (t[i].from & CASE_BIT(CASE_NONE))), "row %zu",
		          i);
		for (size_t j = i + 1; j < n; j++)
			cr_assert(t[i].action != t[j].action || !(t[i].from & t[j].from),
			          "rows %zu and %zu overlap", i, j);
	}
	cr_expect_eq(seen_actions, (1u << CASE_ACT_COUNT) - 1, "an action without a row");
	/* final states are left only by reopen (closed) and touched only by comments */
	for (size_t i = 0; i < n; i++)
		if (t[i].from & (CASE_BIT(CASE_CLOSED) | CASE_BIT(CASE_REJECTED)))
			cr_expect(t[i].action == CASE_ACT_COMMENT ||
			          t[i].action == CASE_ACT_REOPEN);
}
