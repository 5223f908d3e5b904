/* The state machine of a creation-news article (docs/news.md): one table of moves that every
 * status change goes through. Editors (the propaganda department) and the office write and
 * submit; the office reviews: publishes, or returns with a reason; a published article is
 * withdrawn with a reason and revised as a new draft. State and action names are stable API
 * (article.status, article_event). Pure: no I/O. */
#ifndef WM_ARTICLE_FSM_H
#define WM_ARTICLE_FSM_H

#include <stddef.h>

#include "core/roles.h"

/* Who writes and submits articles, and who reviews them. */
#define ARTICLE_WRITERS (ROLE_EDITOR | ROLE_OFFICE | ROLE_ADMIN)
#define ARTICLE_REVIEWERS (ROLE_OFFICE | ROLE_ADMIN)

enum article_state {
	ARTICLE_DRAFT,     /* 草稿 */
	ARTICLE_REVIEW,    /* 待审核 */
	ARTICLE_PUBLISHED, /* 已发布 */
	ARTICLE_WITHDRAWN, /* 已撤下 */
	ARTICLE_STATE_COUNT
};

enum article_flag {
	ARTICLE_TF_NOTE = 1 << 0,       /* a reason is required */
	ARTICLE_TF_NOT_AUTHOR = 1 << 1, /* 四眼原则: not by the article's author */
};

struct article_transition {
	unsigned from; /* 1u << state of the states the move starts from */
	const char *action;
	enum article_state to;
	unsigned roles; /* enum role bits allowed */
	unsigned flags; /* enum article_flag */
	const char *label;
};

enum article_fsm_result {
	ARTICLE_FSM_OK = 0,
	ARTICLE_FSM_UNKNOWN_ACTION = -1,
	ARTICLE_FSM_FORBIDDEN = -2,     /* none of the caller's roles may make this move */
	ARTICLE_FSM_BAD_STATE = -3,     /* not from this state */
	ARTICLE_FSM_NOTE_REQUIRED = -4, /* the move needs a non-blank reason */
	ARTICLE_FSM_OWN_ARTICLE = -5,   /* the author may not publish their own article */
};

/* Checks a move in this order: action, roles, state, author, note. On ARTICLE_FSM_OK sets
 * *to (when non-NULL). is_author: the caller wrote the article. */
int article_fsm_apply(enum article_state from, const char *action, unsigned roles, int is_author,
                      const char *note, enum article_state *to);
/* The enum err_code (lib/err.h) of a result: 400, 403, 409, 422. */
int article_fsm_err_code(int rc);
/* A message for the user about a refused move, into out (cap bytes). */
void article_fsm_message(int rc, enum article_state from, const char *action, char *out,
                         size_t cap);
/* The moves from state `from` the roles may make (is_author as above), as a JSON-ready list
 * of action names into out (at most cap); returns how many. */
size_t article_fsm_moves(enum article_state from, unsigned roles, int is_author,
                         const char **out, size_t cap);

const struct article_transition *article_fsm_table(size_t *n);
/* "draft" …; NULL out of range. */
const char *article_state_name(enum article_state s);
/* 草稿 … */
const char *article_state_label(enum article_state s);
/* 0 and *out, or -1 for an unknown name. */
int article_state_from_name(const char *name, enum article_state *out);

/* The kinds: news (创城动态), practice (经验做法), psa (公益广告). NULL-terminated names and
 * their labels ("" for an unknown kind). */
extern const char *const ARTICLE_KINDS[];
const char *article_kind_label(const char *kind);

#endif
