/* The demo city's creation news (data/demo/articles.csv): published articles, so the portal's
 * 创城动态 is not empty on a fresh `make run`. Bodies go through the sanitiser as the API's
 * do. Loaded into a database without articles only: after that they belong to the office. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/article_fsm.h"
#include "lib/buf.h"
#include "lib/csv.h"
#include "lib/sanitize.h"
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
	const char *body = csv_get(csv, "body");
	struct buf clean = BUF_INIT, text = BUF_INIT;
	int rc = html_sanitize(body, strlen(body), &clean, e);
	if (rc == 0)
		rc = html_plain_text(clean.data ? clean.data : "", clean.len, &text, e);
	buf_addc(&clean, '\0');
	buf_addc(&text, '\0');
	/* Tags: the file's ;-free comma list, as the API takes it. */
	const char *tags[ARTICLE_TAGS_MAX];
	size_t ntags = 0;
	char *list = arena_strdup(&c->a, csv_get(csv, "tags"));
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t && ntags < ARTICLE_TAGS_MAX;
	     t = strtok_r(NULL, ",", &save))
		tags[ntags++] = t;
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
