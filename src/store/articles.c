/* Articles: writes in the caller's transaction, every one recorded in article_event. */
#include "store/articles.h"

#include <stdio.h>
#include <string.h>

#include "core/article_fsm.h"
#include "core/media_type.h"
#include "core/roles.h"
#include "lib/buf.h"
#include "lib/sanitize.h"
#include "store/db.h"

int article_body_clean(const char *body, struct buf *html, struct buf *text, struct err *e)
{
	int rc = html_sanitize(body, strlen(body), html, e);
	if (rc == 0)
		rc = html_plain_text(html->data ? html->data : "", html->len, text, e);
	buf_addc(html, '\0');
	buf_addc(text, '\0');
	return rc;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static int record(struct db *db, int64_t id, const struct article_actor *a, const char *action,
                  const char *from, const char *to, const char *note, struct err *e)
{
	return db_run(db,
	              "INSERT INTO article_event (article_id, at, actor, action, from_status,"
	              " to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
	              DB_ARGS(db_int(id), db_int(a->now), db_text(a->actor), db_text(action),
	                      db_text(from), db_text(to), db_text(or_empty(note))),
	              e);
}

static int cover_known(struct db *db, const char *sha, struct err *e)
{
	if (!sha || !*sha)
		return 0;
	int64_t one;
	int rc = db_get_int(db, "SELECT 1 FROM media WHERE sha256 = ?", DB_ARGS(db_text(sha)), &one,
	                    e);
	return rc == ERR_NOT_FOUND ? err_set(e, ERR_UNPROCESSABLE, "cover: no stored file %.64s", sha)
	                           : rc;
}

static int put_tags(struct db *db, int64_t id, const struct article_in *in, struct err *e)
{
	if (!in->tags_set)
		return 0;
	int rc = db_run(db, "DELETE FROM article_tag WHERE article_id = ?", DB_ARGS(db_int(id)), e);
	for (size_t i = 0; rc == 0 && i < in->ntags; i++)
		rc = db_run(db,
		            "INSERT INTO article_tag (article_id, tag) VALUES (?, ?)"
		            " ON CONFLICT DO NOTHING",
		            DB_ARGS(db_int(id), db_text(in->tags[i])), e);
	return rc;
}

int article_create(struct db *db, const struct article_in *in, const struct article_actor *a,
                   int64_t *id, struct err *e)
{
	int rc = cover_known(db, in->cover, e);
	if (rc < 0)
		return rc;
	const char *cover = in->cover && *in->cover ? in->cover : NULL;
	rc = db_run(db,
	            "INSERT INTO article (kind, title, summary, body, body_text, source, cover,"
	            " cover_alt, status, author_id, created_at, updated_at)"
	            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)",
	            DB_ARGS(db_text(in->kind), db_text(in->title), db_text(or_empty(in->summary)),
	                    db_text(or_empty(in->body)), db_text(or_empty(in->body_text)),
	                    db_text(or_empty(in->source)), cover ? db_text(cover) : db_null(),
	                    db_text(or_empty(in->cover_alt)),
	                    a->user_id ? db_int(a->user_id) : db_null(), db_int(a->now),
	                    db_int(a->now)),
	            e);
	if (rc < 0)
		return rc;
	*id = db_last_id(db);
	if ((rc = put_tags(db, *id, in, e)) < 0)
		return rc;
	return record(db, *id, a, "create", "", "draft", NULL, e);
}

/* The article's status and version: ERR_NOT_FOUND, or ERR_CONFLICT when the caller saw
 * another version. */
static int current(struct db *db, int64_t id, int64_t version, enum article_state *state,
                   int64_t *author, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, "SELECT status, version, COALESCE(author_id, 0) FROM article"
	                      " WHERE id = ?",
	                  DB_ARGS(db_int(id)), &st, e);
	if (rc < 0)
		return rc;
	if ((rc = db_step(st, e)) <= 0) {
		db_done(st);
		return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, "no article %lld", (long long)id);
	}
	int known = article_state_from_name(db_col_text(st, 0), state) == 0;
	int64_t v = db_col_int(st, 1);
	*author = db_col_int(st, 2);
	db_done(st);
	if (!known)
		return err_set(e, ERR_INTERNAL, "article %lld has an unknown status", (long long)id);
	if (v != version)
		return err_set(e, ERR_CONFLICT,
		               "article %lld is at version %lld (you saw %lld): reload it",
		               (long long)id, (long long)v, (long long)version);
	return 0;
}

int article_update(struct db *db, int64_t id, int64_t version, const struct article_in *in,
                   const struct article_actor *a, struct err *e)
{
	enum article_state state;
	int64_t author;
	int rc = current(db, id, version, &state, &author, e);
	if (rc < 0 || (rc = cover_known(db, in->cover, e)) < 0)
		return rc;
	if (state != ARTICLE_DRAFT)
		return err_set(e, ERR_CONFLICT,
		               "article %lld is %s: only a draft is edited (revise it first)",
		               (long long)id, article_state_name(state));
	/* One statement: NULL keeps a column ("" clears the cover). */
	const char *cover = in->cover;
	rc = db_run(db,
	            "UPDATE article SET kind = COALESCE(?, kind), title = COALESCE(?, title),"
	            " summary = COALESCE(?, summary), body = COALESCE(?, body),"
	            " body_text = COALESCE(?, body_text), source = COALESCE(?, source),"
	            " cover = CASE WHEN ? = 1 THEN cover WHEN ? = '' THEN NULL ELSE ? END,"
	            " cover_alt = COALESCE(?, cover_alt), updated_at = ?, version = version + 1"
	            " WHERE id = ?",
	            DB_ARGS(in->kind ? db_text(in->kind) : db_null(),
	                    in->title ? db_text(in->title) : db_null(),
	                    in->summary ? db_text(in->summary) : db_null(),
	                    in->body ? db_text(in->body) : db_null(),
	                    in->body_text ? db_text(in->body_text) : db_null(),
	                    in->source ? db_text(in->source) : db_null(), db_int(cover == NULL),
	                    db_text(or_empty(cover)), db_text(or_empty(cover)),
	                    in->cover_alt ? db_text(in->cover_alt) : db_null(), db_int(a->now),
	                    db_int(id)),
	            e);
	if (rc < 0 || (rc = put_tags(db, id, in, e)) < 0)
		return rc;
	return record(db, id, a, "edit", "draft", "draft", NULL, e);
}

int article_move(struct db *db, int64_t id, int64_t version, const char *action,
                 const char *note, const struct article_actor *a, const char **from,
                 const char **to, struct err *e)
{
	enum article_state state, next;
	int64_t author;
	int rc = current(db, id, version, &state, &author, e);
	if (rc < 0)
		return rc;
	int is_author = author && author == a->user_id;
	if ((rc = article_fsm_apply(state, action, a->roles, is_author, note, &next)) != 0) {
		char msg[256];
		article_fsm_message(rc, state, action, msg, sizeof msg);
		return err_set(e, article_fsm_err_code(rc), "%s", msg);
	}
	*from = article_state_name(state);
	*to = article_state_name(next);
	int publish = next == ARTICLE_PUBLISHED;
	/* published_at is the first publication: a revised article keeps its date and place. */
	rc = db_run(db,
	            "UPDATE article SET status = ?, note = ?, updated_at = ?, version = version + 1,"
	            " published_at = CASE WHEN ? = 1 THEN COALESCE(published_at, ?)"
	            " ELSE published_at END,"
	            " reviewer_id = CASE WHEN ? = 1 THEN ? ELSE reviewer_id END WHERE id = ?",
	            DB_ARGS(db_text(*to), db_text(or_empty(note)), db_int(a->now), db_int(publish),
	                    db_int(a->now), db_int(publish),
	                    a->user_id ? db_int(a->user_id) : db_null(), db_int(id)),
	            e);
	if (rc < 0)
		return rc;
	return record(db, id, a, action, *from, *to, note, e);
}

static json_t *opt_int(struct db_stmt *st, int col)
{
	return db_col_is_null(st, col) ? json_null() : json_integer(db_col_int(st, col));
}

static json_t *cover_url(struct db_stmt *st, int sha_col, int mime_col)
{
	if (db_col_is_null(st, sha_col))
		return json_null();
	char path[MEDIA_PATH_MAX];
	media_path(db_col_text(st, sha_col), db_col_text(st, mime_col), path);
	return json_string(path);
}

static int tags_json(struct db *db, int64_t id, json_t *arr, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, "SELECT tag FROM article_tag WHERE article_id = ? ORDER BY tag",
	                  DB_ARGS(db_int(id)), &st, e);
	while (rc == 0 && (rc = db_step(st, e)) > 0) {
		json_array_append_new(arr, json_string(db_col_text(st, 0)));
		rc = 0;
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

static int events_json(struct db *db, int64_t id, json_t *arr, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT ev.at, ev.actor, ev.action, ev.from_status, ev.to_status, ev.note,"
	                  " COALESCE(u.name, '') FROM article_event ev LEFT JOIN users u"
	                  " ON ev.actor = 'user:' || u.id WHERE ev.article_id = ? ORDER BY ev.id",
	                  DB_ARGS(db_int(id)), &st, e);
	while (rc == 0 && (rc = db_step(st, e)) > 0) {
		json_array_append_new(
		    arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "at",
		                   (json_int_t)db_col_int(st, 0), "actor", db_col_text(st, 1),
		                   "actor_name", db_col_text(st, 6), "action", db_col_text(st, 2),
		                   "from", db_col_text(st, 3), "to", db_col_text(st, 4), "note",
		                   db_col_text(st, 5)));
		rc = 0;
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

int article_json(struct db *db, int64_t id, const struct article_actor *who, json_t **out,
                 struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(
	    db,
	    "SELECT a.id, a.kind, a.title, a.summary, a.body, a.source, a.cover, m.mime,"
	    " a.cover_alt, a.status, COALESCE(a.author_id, 0), COALESCE(au.name, ''),"
	    " COALESCE(rv.name, ''), a.note, a.created_at, a.updated_at, a.published_at, a.views,"
	    " a.version FROM article a LEFT JOIN media m ON m.sha256 = a.cover"
	    " LEFT JOIN users au ON au.id = a.author_id LEFT JOIN users rv ON rv.id = a.reviewer_id"
	    " WHERE a.id = ?",
	    DB_ARGS(db_int(id)), &st, e);
	if (rc < 0)
		return rc;
	if ((rc = db_step(st, e)) <= 0) {
		db_done(st);
		return rc < 0 ? rc : err_set(e, ERR_NOT_FOUND, "no article %lld", (long long)id);
	}
	enum article_state state = ARTICLE_DRAFT;
	article_state_from_name(db_col_text(st, 9), &state);
	int is_author = db_col_int(st, 10) && db_col_int(st, 10) == who->user_id;
	const char *moves[8];
	size_t nmoves = article_fsm_moves(state, who->roles, is_author, moves, 8);
	json_t *mv = json_array();
	for (size_t i = 0; i < nmoves; i++)
		json_array_append_new(mv, json_string(moves[i]));
	json_t *o = json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:{s:I, s:s}, s:s, s:s,"
	    " s:I, s:I, s:o, s:I, s:I, s:o, s:b}",
	    "id", (json_int_t)db_col_int(st, 0), "kind", db_col_text(st, 1), "kind_label",
	    article_kind_label(db_col_text(st, 1)), "title", db_col_text(st, 2), "summary",
	    db_col_text(st, 3), "body", db_col_text(st, 4), "source", db_col_text(st, 5), "cover",
	    cover_url(st, 6, 7), "cover_alt", db_col_text(st, 8), "status", db_col_text(st, 9),
	    "status_label", article_state_label(state), "author", "id",
	    (json_int_t)db_col_int(st, 10), "name", db_col_text(st, 11), "reviewer",
	    db_col_text(st, 12), "note", db_col_text(st, 13), "created_at",
	    (json_int_t)db_col_int(st, 14), "updated_at", (json_int_t)db_col_int(st, 15),
	    "published_at", opt_int(st, 16), "views", (json_int_t)db_col_int(st, 17), "version",
	    (json_int_t)db_col_int(st, 18), "moves", mv, "editable",
	    state == ARTICLE_DRAFT && (who->roles & ARTICLE_WRITERS) != 0);
	db_done(st);
	if (!o)
		return err_set(e, ERR_INTERNAL, "out of memory");
	json_t *tags = json_array(), *events = json_array();
	json_object_set_new(o, "tags", tags);
	json_object_set_new(o, "events", events);
	if ((rc = tags_json(db, id, tags, e)) < 0 || (rc = events_json(db, id, events, e)) < 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

int articles_list_json(struct db *db, const struct article_filter *f, json_t **out,
                       struct err *e)
{
	/* Absent filters are bound as '' and switched off in SQL: one fixed statement. */
	static const char WHERE[] =
	    " FROM article a WHERE (? = '' OR a.status = ?) AND (? = '' OR a.kind = ?)"
	    " AND (? = '' OR a.id IN (SELECT article_id FROM article_tag WHERE tag = ?))"
	    " AND (? = '' OR a.title LIKE ? ESCAPE '\\' OR a.body_text LIKE ? ESCAPE '\\')";
	const char *status = or_empty(f->status), *kind = or_empty(f->kind),
	           *tag = or_empty(f->tag), *like = or_empty(f->like);
	struct db_val args[] = {db_text(status), db_text(status), db_text(kind), db_text(kind),
	                        db_text(tag),    db_text(tag),    db_text(like), db_text(like),
	                        db_text(like),   db_int(f->limit), db_int(f->offset)};
	char sql[1024];
	int64_t total;
	snprintf(sql, sizeof sql, "SELECT count(*)%s", WHERE);
	int rc = db_get_int(db, sql, args, 9, &total, e);
	if (rc < 0)
		return rc;
	snprintf(sql, sizeof sql,
	         "SELECT a.id, a.kind, a.title, a.status, COALESCE(u.name, ''), a.updated_at,"
	         " a.published_at, a.views, a.version FROM (SELECT a.*%s) a"
	         " LEFT JOIN users u ON u.id = a.author_id ORDER BY a.updated_at DESC, a.id DESC"
	         " LIMIT ? OFFSET ?",
	         WHERE);
	struct db_stmt *st;
	if ((rc = db_query(db, sql, args, 11, &st, e)) < 0)
		return rc;
	json_t *arr = json_array();
	while ((rc = db_step(st, e)) > 0) {
		enum article_state s = ARTICLE_DRAFT;
		article_state_from_name(db_col_text(st, 3), &s);
		json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:I, s:I, s:[]}",
		                      "id", (json_int_t)db_col_int(st, 0), "kind", db_col_text(st, 1),
		                      "kind_label", article_kind_label(db_col_text(st, 1)), "title",
		                      db_col_text(st, 2), "status", db_col_text(st, 3),
		                      "status_label", article_state_label(s), "author",
		                      db_col_text(st, 4), "updated_at", (json_int_t)db_col_int(st, 5),
		                      "published_at", opt_int(st, 6), "views",
		                      (json_int_t)db_col_int(st, 7), "version",
		                      (json_int_t)db_col_int(st, 8), "tags");
		json_array_append_new(arr, o);
	}
	db_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	/* Tags after the list's statement is done (one connection, one statement at a time). */
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o)
	{
		if ((rc = tags_json(db, json_integer_value(json_object_get(o, "id")),
		                    json_object_get(o, "tags"), e)) < 0) {
			json_decref(arr);
			return rc;
		}
	}
	*out = json_pack("{s:I, s:o}", "total", (json_int_t)total, "articles", arr);
	return *out ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
}

int articles_add_views(struct db *db, const int64_t *ids, const int64_t *counts, size_t n,
                       struct err *e)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = db_run(db, "UPDATE article SET views = views + ? WHERE id = ?",
		            DB_ARGS(db_int(counts[i]), db_int(ids[i])), e);
	return rc;
}
