/* The demo city's creation news (data/demo/articles.csv): published articles, so the portal's
 * 创城动态 is not empty on a fresh `make run`. Bodies go through the sanitiser as the API's
 * do. Loaded into a database without articles only: after that they belong to the office. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/article_fsm.h"
#include "lib/buf.h"
#include "lib/csv.h"
#include "store/articles.h"
#include "store/db.h"
#include "store/seed_internal.h"

static int one_article(struct seed_ctx *c, struct csv *csv, int64_t now, struct err *e)
{
	const char *kind = csv_get(csv, "kind");
	int64_t days;
	if (!*article_kind_label(kind))
		return err_set(e, ERR_BAD_REQUEST, "articles.csv:%ld: unknown kind", csv_line(csv));
	if (seed_parse_int(csv_get(csv, "days_ago"), 0, 36500, &days) < 0)
		return err_set(e, ERR_BAD_REQUEST, "articles.csv:%ld: bad days_ago", csv_line(csv));
	struct buf clean = BUF_INIT, text = BUF_INIT;
	int rc = article_body_clean(csv_get(csv, "body"), &clean, &text, e);
	/* Tags: a comma list, as the API takes it. */
	size_t ntags;
	const char **tags = arena_split(&c->a, csv_get(csv, "tags"), ',', &ntags);
	if (ntags > ARTICLE_TAGS_MAX)
		ntags = ARTICLE_TAGS_MAX;
	struct article_in in = {.kind = kind,
	                        .title = csv_get(csv, "title"),
	                        .summary = csv_get(csv, "summary"),
	                        .source = csv_get(csv, "source"),
	                        .body = clean.data,
	                        .body_text = text.data,
	                        .tags = tags,
	                        .ntags = ntags,
	                        .tags_set = 1};
	int64_t at = now - days * 86400, id;
	struct article_actor a = {.actor = "init", .roles = ROLE_ADMIN, .now = at};
	if (rc == 0)
		rc = article_create(c->db, &in, &a, &id, e);
	if (rc == 0)
		rc = db_run(c->db,
		            "UPDATE article SET status = 'published', published_at = ? WHERE id = ?",
		            DB_ARGS(db_int(at), db_int(id)), e);
	buf_free(&clean);
	buf_free(&text);
	return rc;
}

int seed_articles(struct seed_ctx *c, struct err *e)
{
	static const char *const cols[] = {"kind", "title", "source", "tags", "summary",
	                                   "days_ago", "body", NULL};
	const char *path = seed_path(c, "demo/articles.csv");
	int64_t n = 0;
	if (access(path, F_OK) != 0)
		return 0;
	int rc = db_get_int(c->db, "SELECT count(*) FROM article", NULL, 0, &n, e);
	c->st->articles = (int)n; /* the articles there are: the same count every time */
	if (rc < 0 || n > 0)
		return rc;
	struct csv *csv;
	if ((rc = seed_csv_open(path, cols, &csv, e)) < 0)
		return rc;
	int64_t now = (int64_t)time(NULL);
	while (rc == 0 && (rc = csv_next(csv, e)) > 0) {
		rc = seed_csv_check_text(csv, e);
		if (rc == 0)
			rc = one_article(c, csv, now, e);
		if (rc == 0)
			c->st->articles++;
	}
	csv_free(csv);
	return rc < 0 ? rc : 0;
}
