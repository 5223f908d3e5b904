/* Creation news for the office and the propaganda department (docs/news.md): editors and the
 * office write drafts and submit them; the office publishes them (not the author: 四眼原则)
 * or returns them with a reason, and withdraws published ones. The body is cleaned by the
 * allow-list sanitiser before it is stored, so the database never holds what a page may not
 * show. Every write is audited in its transaction. */
#include "api/staff_articles.h"

#include <jansson.h>
#include <string.h>

#include "api/api_common.h"
#include "core/article_fsm.h"
#include "core/validate.h"
#include "lib/buf.h"
#include "store/articles.h"
#include "store/db.h"

static const char *const STATUSES[] = {"draft", "review", "published", "withdrawn", NULL};
static const char *const ACTIONS[] = {"submit", "publish", "return", "withdraw", "revise", NULL};

enum { BODY_MAX = 200000 };

#define ARTICLE_FIELDS(required)                                                                   \
	{.name = "kind",                                                                           \
	 .type = PT_ENUM,                                                                          \
	 .flags = (required),                                                                      \
	 .values = ARTICLE_KINDS,                                                                  \
	 .description = "news (创城动态), practice (经验做法) or psa (公益广告)"},                 \
	    {.name = "title", .type = PT_STRING, .flags = (required), .max_len = 300},             \
	    {.name = "summary",                                                                    \
	     .type = PT_TEXT,                                                                      \
	     .max_len = 1000,                                                                      \
	     .description = "the list's text; empty: the body's beginning"},                      \
	    {.name = "body",                                                                       \
	     .type = PT_TEXT,                                                                      \
	     .max_len = BODY_MAX,                                                                  \
	     .description = "rich text (HTML): kept to the allow-list of docs/news.md"},          \
	    {.name = "source", .type = PT_STRING, .max_len = 120, .description = "来源"},          \
	    {.name = "cover",                                                                      \
	     .type = PT_STRING,                                                                    \
	     .max_len = 80,                                                                        \
	     .description = "a stored picture (POST /api/v1/media); empty: none"},                \
	    {.name = "cover_alt", .type = PT_STRING, .max_len = 300},                              \
	{                                                                                          \
		.name = "tags", .type = PT_LIST, .flags = PF_EMPTY, .max_len = ARTICLE_TAG_MAX,    \
		.max = ARTICLE_TAGS_MAX, .description = "comma-separated; empty: none"             \
	}

const struct param_spec articles_list_params[] = {
    {.name = "status", .type = PT_ENUM, .values = STATUSES},
    {.name = "kind", .type = PT_ENUM, .values = ARTICLE_KINDS},
    {.name = "tag", .type = PT_STRING, .max_len = ARTICLE_TAG_MAX},
    {.name = "q", .type = PT_STRING, .max_len = 100, .description = "words in title or text"},
    {.name = "limit", .type = PT_INT, .min = 1, .max = 200},
    {.name = "offset", .type = PT_INT, .min = 0, .max = 1000000},
    {.name = NULL},
};

const struct param_spec articles_create_params[] = {
    ARTICLE_FIELDS(PF_REQUIRED),
    {.name = NULL},
};

const struct param_spec articles_update_params[] = {
    ARTICLE_FIELDS(0),
    {.name = "version",
     .type = PT_INT,
     .flags = PF_REQUIRED,
     .min = 1,
     .max = 1e15,
     .description = "the article's version the caller saw"},
    {.name = NULL},
};

const struct param_spec articles_act_params[] = {
    {.name = "action", .type = PT_ENUM, .flags = PF_REQUIRED, .values = ACTIONS},
    {.name = "version", .type = PT_INT, .flags = PF_REQUIRED, .min = 1, .max = 1e15},
    {.name = "note",
     .type = PT_TEXT,
     .max_len = 2000,
     .description = "return, withdraw: the reason (required)"},
    {.name = NULL},
};

static struct article_actor actor_of(struct http_req *r)
{
	return (struct article_actor){.user_id = r->who.user_id,
	                              .roles = r->who.roles,
	                              .actor = api_actor(r),
	                              .now = r->now};
}

/* The sent fields as an article_in: the body cleaned (and its text), the cover as a stored
 * file's sha256, tags split. */
static int take_fields(struct http_req *r, struct article_in *in, struct err *e)
{
	memset(in, 0, sizeof *in);
	in->kind = req_str(r, "kind");
	in->title = req_str(r, "title");
	in->summary = req_str(r, "summary");
	in->source = req_str(r, "source");
	in->cover_alt = req_str(r, "cover_alt");
	if (in->title && validate_blank(in->title))
		return err_set(e, ERR_UNPROCESSABLE, "title: must not be blank");
	const char *body = req_str(r, "body");
	if (body) {
		struct buf clean = BUF_INIT, text = BUF_INIT;
		int rc = article_body_clean(body, &clean, &text, e);
		if (rc == 0) {
			in->body = arena_strdup(r->arena, clean.data);
			in->body_text = arena_strdup(r->arena, text.data);
		}
		buf_free(&clean);
		buf_free(&text);
		if (rc < 0)
			return rc;
	}
	const char *cover = req_str(r, "cover");
	if (cover && !*cover) {
		in->cover = "";
	} else if (cover) {
		const char *const *files;
		size_t n;
		int rc = api_media_list(r, "cover", &files, &n, e);
		if (rc < 0)
			return rc;
		if (n != 1)
			return err_set(e, ERR_BAD_REQUEST, "cover: one stored picture");
		in->cover = files[0];
	}
	const struct param *tags = req_param(r, "tags");
	if (tags) {
		size_t n;
		const char **v = arena_split(r->arena, tags->value, ',', &n);
		for (size_t i = 0; i < n; i++)
			if (!validate_blank(v[i]))
				v[in->ntags++] = v[i];
		in->tags = v;
		in->tags_set = 1;
	}
	return 0;
}

int articles_list(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	const struct param *limit = req_param(r, "limit"), *offset = req_param(r, "offset");
	const char *q = req_str(r, "q");
	struct article_filter f = {.status = req_str(r, "status"),
	                           .kind = req_str(r, "kind"),
	                           .tag = req_str(r, "tag"),
	                           .like = q && *q ? api_like_anywhere(r, q) : NULL,
	                           .limit = limit ? limit->ival : 50,
	                           .offset = offset ? offset->ival : 0};
	return articles_list_json(db, &f, &w->json, e);
}

int articles_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t id;
	int rc = api_path_id(r, 0, &id, e);
	if (rc < 0 || (rc = api_db(r, &db, e)) < 0)
		return rc;
	struct article_actor who = actor_of(r);
	return article_json(db, id, &who, &w->json, e);
}

struct article_job {
	struct http_req *r;
	int64_t id, version;
	struct article_in in;
	struct article_actor who;
	const char *action, *note, *from, *to;
};

static int create_write(struct db *db, void *arg, struct err *e)
{
	struct article_job *j = arg;
	int rc = article_create(db, &j->in, &j->who, &j->id, e);
	if (rc < 0)
		return rc;
	json_t *sum = json_pack("{s:s, s:s}", "kind", j->in.kind, "title", j->in.title);
	return api_audit(db, j->r, "article.create",
	                 arena_printf(j->r->arena, "article:%lld", (long long)j->id),
	                 api_json_text(j->r, sum), e);
}

static int update_write(struct db *db, void *arg, struct err *e)
{
	struct article_job *j = arg;
	int rc = article_update(db, j->id, j->version, &j->in, &j->who, e);
	if (rc < 0)
		return rc;
	return api_audit(db, j->r, "article.edit",
	                 arena_printf(j->r->arena, "article:%lld", (long long)j->id),
	                 api_sent_summary(j->r, articles_update_params), e);
}

static int act_write(struct db *db, void *arg, struct err *e)
{
	struct article_job *j = arg;
	int rc = article_move(db, j->id, j->version, j->action, j->note, &j->who, &j->from, &j->to,
	                      e);
	if (rc < 0)
		return rc;
	json_t *sum = json_pack("{s:s, s:s, s:s}", "from", j->from, "to", j->to, "note",
	                        j->note ? j->note : "");
	return api_audit(db, j->r, arena_printf(j->r->arena, "article.%s", j->action),
	                 arena_printf(j->r->arena, "article:%lld", (long long)j->id),
	                 api_json_text(j->r, sum), e);
}

/* After a write: the article as it is now. */
static int answer(struct http_req *r, struct http_resp *w, struct article_job *j, struct err *e)
{
	struct db *db;
	int rc = api_db(r, &db, e);
	return rc < 0 ? rc : article_json(db, j->id, &j->who, &w->json, e);
}

int articles_create(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct article_job j = {.r = r, .who = actor_of(r)};
	int rc = take_fields(r, &j.in, e);
	if (rc < 0 || (rc = api_write(r, create_write, &j, e)) < 0)
		return rc;
	w->status = 201;
	return answer(r, w, &j, e);
}

int articles_update(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct article_job j = {.r = r, .who = actor_of(r)};
	int rc = api_path_id(r, 0, &j.id, e);
	if (rc < 0 || (rc = take_fields(r, &j.in, e)) < 0)
		return rc;
	j.version = req_param(r, "version")->ival;
	if ((rc = api_write(r, update_write, &j, e)) < 0)
		return rc;
	return answer(r, w, &j, e);
}

int articles_act(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct article_job j = {.r = r, .who = actor_of(r)};
	int rc = api_path_id(r, 0, &j.id, e);
	if (rc < 0)
		return rc;
	j.version = req_param(r, "version")->ival;
	j.action = req_str(r, "action");
	j.note = req_str(r, "note");
	if ((rc = api_write(r, act_write, &j, e)) < 0)
		return rc;
	return answer(r, w, &j, e);
}
