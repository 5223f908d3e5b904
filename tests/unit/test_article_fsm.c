/* The article state machine: the review workflow of creation news (docs/news.md). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/article_fsm.h"
#include "core/roles.h"
#include "lib/err.h"

static int move(enum article_state from, const char *action, unsigned roles, int author,
                const char *note, enum article_state *to)
{
	return article_fsm_apply(from, action, roles, author, note, to);
}

Test(article_fsm, the_whole_way_to_publication_and_back)
{
	enum article_state s = ARTICLE_DRAFT;
	cr_assert_eq(move(s, "submit", ROLE_EDITOR, 1, NULL, &s), ARTICLE_FSM_OK);
	cr_assert_eq(s, ARTICLE_REVIEW);
	cr_assert_eq(move(s, "return", ROLE_OFFICE, 0, "标题不准确", &s), ARTICLE_FSM_OK);
	cr_assert_eq(s, ARTICLE_DRAFT);
	cr_assert_eq(move(s, "submit", ROLE_EDITOR, 1, NULL, &s), ARTICLE_FSM_OK);
	cr_assert_eq(move(s, "publish", ROLE_OFFICE, 0, NULL, &s), ARTICLE_FSM_OK);
	cr_assert_eq(s, ARTICLE_PUBLISHED);
	cr_assert_eq(move(s, "withdraw", ROLE_OFFICE, 0, "数据有误", &s), ARTICLE_FSM_OK);
	cr_assert_eq(s, ARTICLE_WITHDRAWN);
	cr_assert_eq(move(s, "revise", ROLE_EDITOR, 0, NULL, &s), ARTICLE_FSM_OK);
	cr_assert_eq(s, ARTICLE_DRAFT);
}

Test(article_fsm, refusals_in_order_and_their_http_codes)
{
	enum article_state to = ARTICLE_DRAFT;
	cr_assert_eq(move(ARTICLE_DRAFT, "delete", ROLE_ADMIN, 0, NULL, &to),
	             ARTICLE_FSM_UNKNOWN_ACTION);
	cr_assert_eq(move(ARTICLE_REVIEW, "publish", ROLE_EDITOR, 0, NULL, &to),
	             ARTICLE_FSM_FORBIDDEN, "editors write, the office publishes");
	cr_assert_eq(move(ARTICLE_REVIEW, "publish", ROLE_DISPATCHER | ROLE_LEADER, 0, NULL, &to),
	             ARTICLE_FSM_FORBIDDEN);
	cr_assert_eq(move(ARTICLE_DRAFT, "publish", ROLE_OFFICE, 0, NULL, &to),
	             ARTICLE_FSM_BAD_STATE, "a draft is submitted before it is published");
	cr_assert_eq(move(ARTICLE_REVIEW, "publish", ROLE_OFFICE, 1, NULL, &to),
	             ARTICLE_FSM_OWN_ARTICLE, "四眼原则");
	cr_assert_eq(move(ARTICLE_REVIEW, "return", ROLE_OFFICE, 0, "  ", &to),
	             ARTICLE_FSM_NOTE_REQUIRED);
	cr_assert_eq(move(ARTICLE_PUBLISHED, "withdraw", ROLE_ADMIN, 0, NULL, &to),
	             ARTICLE_FSM_NOTE_REQUIRED);
	cr_assert_eq(move(ARTICLE_PUBLISHED, "submit", ROLE_EDITOR, 0, NULL, &to),
	             ARTICLE_FSM_BAD_STATE, "a published article is withdrawn, then revised");
	cr_assert_eq(article_fsm_err_code(ARTICLE_FSM_UNKNOWN_ACTION), ERR_BAD_REQUEST);
	cr_assert_eq(article_fsm_err_code(ARTICLE_FSM_FORBIDDEN), ERR_FORBIDDEN);
	cr_assert_eq(article_fsm_err_code(ARTICLE_FSM_OWN_ARTICLE), ERR_FORBIDDEN);
	cr_assert_eq(article_fsm_err_code(ARTICLE_FSM_BAD_STATE), ERR_CONFLICT);
	cr_assert_eq(article_fsm_err_code(ARTICLE_FSM_NOTE_REQUIRED), ERR_UNPROCESSABLE);
	char msg[200];
	article_fsm_message(ARTICLE_FSM_BAD_STATE, ARTICLE_DRAFT, "publish", msg, sizeof msg);
	cr_assert(strstr(msg, "draft") && strstr(msg, "草稿"), "%s", msg);
}

Test(article_fsm, one_row_per_state_and_action)
{
	size_t n;
	const struct article_transition *t = article_fsm_table(&n);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			cr_assert(strcmp(t[i].action, t[j].action) != 0 || !(t[i].from & t[j].from),
			          "%s twice from one state", t[i].action);
}

Test(article_fsm, moves_offered_match_moves_allowed)
{
	const char *m[8];
	cr_assert_eq(article_fsm_moves(ARTICLE_REVIEW, ROLE_OFFICE, 0, m, 8), 3);
	cr_assert_str_eq(m[0], "publish");
	cr_assert_eq(article_fsm_moves(ARTICLE_REVIEW, ROLE_OFFICE, 1, m, 8), 2,
	             "the author is not offered publish");
	cr_assert_eq(article_fsm_moves(ARTICLE_PUBLISHED, ROLE_EDITOR, 0, m, 8), 0);
	for (int s = 0; s < ARTICLE_STATE_COUNT; s++) {
		enum article_state st;
		cr_assert_eq(article_state_from_name(article_state_name(s), &st), 0);
		cr_assert_eq(st, s);
	}
	cr_assert_str_eq(article_kind_label("psa"), "公益广告");
	cr_assert_str_eq(article_kind_label("other"), "");
}
