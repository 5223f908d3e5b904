/* Creation news (创建宣传, migration 022, docs/news.md): articles written, moved through
 * core/article_fsm.c with their history, and read — by staff whole, by the portal published
 * only. The body arrives here already cleaned by lib/sanitize.h (the API does it), so what is
 * stored is what may be shown. */
#ifndef WM_ARTICLES_H
#define WM_ARTICLES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct db;

/* What a writer sends. On an edit, NULL fields stay as they are. */
struct article_in {
	const char *kind;                  /* news, practice, psa */
	const char *title, *summary, *source;
	const char *body, *body_text;      /* clean HTML and its visible text, set together */
	const char *cover;                 /* a stored media sha256; "" removes the cover */
	const char *cover_alt;
	const char *const *tags;           /* with tags_set: replaces every tag */
	size_t ntags;
	int tags_set;
};

enum { ARTICLE_TAGS_MAX = 10, ARTICLE_TAG_MAX = 40 /* bytes */ };

/* The body as stored: body cleaned by the allow-list sanitiser (lib/sanitize.h) into *html and
 * its visible text into *text, both NUL-terminated; the caller frees the buffers. The API's
 * writes and the demo's articles both go through here. ERR_BAD_REQUEST for a body that is
 * not UTF-8 or too large. */
struct buf;
int article_body_clean(const char *body, struct buf *html, struct buf *text, struct err *e);

struct article_actor {
	int64_t user_id;
	unsigned roles;
	const char *actor; /* "user:7" */
	int64_t now;
};

/* A new draft. Call inside a write transaction. ERR_UNPROCESSABLE for an unknown cover. */
int article_create(struct db *db, const struct article_in *in, const struct article_actor *a,
                   int64_t *id, struct err *e);
/* Changes a draft (only a draft: ERR_CONFLICT otherwise, or when version moved on). */
int article_update(struct db *db, int64_t id, int64_t version, const struct article_in *in,
                   const struct article_actor *a, struct err *e);
/* A status move (submit, publish, return, withdraw, revise) with its reason. ERR_NOT_FOUND,
 * and the state machine's refusals (403, 409, 422); ERR_CONFLICT when version moved on.
 * *from / *to get the states' names. */
int article_move(struct db *db, int64_t id, int64_t version, const char *action,
                 const char *note, const struct article_actor *a, const char **from,
                 const char **to, struct err *e);
/* The whole article for staff: fields, tags, history and the moves the caller may make. */
int article_json(struct db *db, int64_t id, const struct article_actor *who, json_t **out,
                 struct err *e);

struct article_filter {
	const char *status, *kind, *tag; /* NULL: any */
	const char *like;                /* a LIKE pattern (ESCAPE '\') on title and text, or NULL */
	int64_t limit, offset;
};
/* {total, articles: [{id, kind, title, status, author, updated_at, published_at, views,
 * version, tags}]}, the newest change first. */
int articles_list_json(struct db *db, const struct article_filter *f, json_t **out,
                       struct err *e);

/* Adds counted page views (store/article_views.c): n pairs of id and count. */
int articles_add_views(struct db *db, const int64_t *ids, const int64_t *counts, size_t n,
                       struct err *e);

#endif
