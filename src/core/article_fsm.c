/* The article state machine: the table is the whole policy, the functions walk it. For every
 * (state, action) at most one row matches (the unit tests check it). */
#include "core/article_fsm.h"

#include <stdio.h>
#include <string.h>

#include "core/roles.h"
#include "core/validate.h"
#include "lib/err.h"

#define B(s) (1u << ARTICLE_##s)
#define WRITERS ARTICLE_WRITERS
#define REVIEWERS ARTICLE_REVIEWERS

static const struct article_transition TABLE[] = {
    {B(DRAFT), "submit", ARTICLE_REVIEW, WRITERS, 0, "提交审核"},
    {B(REVIEW), "publish", ARTICLE_PUBLISHED, REVIEWERS, ARTICLE_TF_NOT_AUTHOR, "审核发布"},
    {B(REVIEW), "return", ARTICLE_DRAFT, REVIEWERS, ARTICLE_TF_NOTE, "退回修改"},
    {B(PUBLISHED), "withdraw", ARTICLE_WITHDRAWN, REVIEWERS, ARTICLE_TF_NOTE, "撤下"},
    {B(REVIEW) | B(WITHDRAWN), "revise", ARTICLE_DRAFT, WRITERS, 0, "改为草稿"},
};
#define TABLE_LEN (sizeof TABLE / sizeof TABLE[0])

static const char *const STATE_NAMES[ARTICLE_STATE_COUNT] = {"draft", "review", "published",
                                                             "withdrawn"};
static const char *const STATE_LABELS[ARTICLE_STATE_COUNT] = {"草稿", "待审核", "已发布",
                                                              "已撤下"};

const char *const ARTICLE_KINDS[] = {"news", "practice", "psa", NULL};
static const char *const KIND_LABELS[] = {"创城动态", "经验做法", "公益广告"};

const char *article_kind_label(const char *kind)
{
	for (int i = 0; kind && ARTICLE_KINDS[i]; i++)
		if (strcmp(kind, ARTICLE_KINDS[i]) == 0)
			return KIND_LABELS[i];
	return "";
}

const struct article_transition *article_fsm_table(size_t *n)
{
	*n = TABLE_LEN;
	return TABLE;
}

const char *article_state_name(enum article_state s)
{
	return (unsigned)s < ARTICLE_STATE_COUNT ? STATE_NAMES[s] : NULL;
}

const char *article_state_label(enum article_state s)
{
	return (unsigned)s < ARTICLE_STATE_COUNT ? STATE_LABELS[s] : "";
}

int article_state_from_name(const char *name, enum article_state *out)
{
	for (int s = 0; name && s < ARTICLE_STATE_COUNT; s++)
		if (strcmp(name, STATE_NAMES[s]) == 0) {
			*out = (enum article_state)s;
			return 0;
		}
	return -1;
}

int article_fsm_apply(enum article_state from, const char *action, unsigned roles, int is_author,
                      const char *note, enum article_state *to)
{
	int known = 0, allowed = 0;
	for (size_t i = 0; i < TABLE_LEN; i++) {
		const struct article_transition *t = &TABLE[i];
		if (!action || strcmp(t->action, action) != 0)
			continue;
		known = 1;
		if (!(roles & t->roles))
			continue;
		allowed = 1;
		if (!(t->from & (1u << from)))
			continue;
		if ((t->flags & ARTICLE_TF_NOT_AUTHOR) && is_author)
			return ARTICLE_FSM_OWN_ARTICLE;
		if ((t->flags & ARTICLE_TF_NOTE) && validate_blank(note))
			return ARTICLE_FSM_NOTE_REQUIRED;
		if (to)
			*to = t->to;
		return ARTICLE_FSM_OK;
	}
	return !known ? ARTICLE_FSM_UNKNOWN_ACTION
	              : !allowed ? ARTICLE_FSM_FORBIDDEN : ARTICLE_FSM_BAD_STATE;
}

int article_fsm_err_code(int rc)
{
	switch (rc) {
	case ARTICLE_FSM_OK:
		return 0;
	case ARTICLE_FSM_UNKNOWN_ACTION:
		return ERR_BAD_REQUEST;
	case ARTICLE_FSM_FORBIDDEN:
	case ARTICLE_FSM_OWN_ARTICLE:
		return ERR_FORBIDDEN;
	case ARTICLE_FSM_BAD_STATE:
		return ERR_CONFLICT;
	default:
		return ERR_UNPROCESSABLE;
	}
}

void article_fsm_message(int rc, enum article_state from, const char *action, char *out,
                         size_t cap)
{
	const char *a = action ? action : "";
	switch (rc) {
	case ARTICLE_FSM_UNKNOWN_ACTION:
		snprintf(out, cap, "unknown action '%s'", a);
		break;
	case ARTICLE_FSM_FORBIDDEN:
		snprintf(out, cap, "your roles may not %s an article", a);
		break;
	case ARTICLE_FSM_BAD_STATE:
		snprintf(out, cap, "cannot %s an article that is %s (%s)", a,
		         article_state_name(from), article_state_label(from));
		break;
	case ARTICLE_FSM_NOTE_REQUIRED:
		snprintf(out, cap, "%s needs a reason (note)", a);
		break;
	case ARTICLE_FSM_OWN_ARTICLE:
		snprintf(out, cap, "an article is published by someone other than its author");
		break;
	default:
		snprintf(out, cap, "ok");
	}
}

size_t article_fsm_moves(enum article_state from, unsigned roles, int is_author,
                         const char **out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < TABLE_LEN && n < cap; i++) {
		const struct article_transition *t = &TABLE[i];
		if ((t->from & (1u << from)) && (roles & t->roles) &&
		    !((t->flags & ARTICLE_TF_NOT_AUTHOR) && is_author))
			out[n++] = t->action;
	}
	return n;
}
