#include "store/case_search.h"

#include <string.h>

#include "core/search_grams.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "store/db.h"

enum { BATCH = 2000 };

static int is_pg(const struct db *db)
{
	return strcmp(db_dialect(db), "postgresql") == 0;
}

/* Writes the grams (space-separated, non-empty) of one case. ON CONFLICT: a catch-up racing
 * another instance's on PostgreSQL; SQLite's run one at a time under the write lock. */
static int put(struct db *db, int64_t case_id, const char *grams, struct err *e)
{
	return db_run(db,
	              is_pg(db) ? "INSERT INTO case_search (case_id, grams)"
	                          " VALUES (?, string_to_array(?, ' ')) ON CONFLICT DO NOTHING"
	                        : "INSERT INTO case_search (rowid, grams) VALUES (?, ?)",
	              DB_ARGS(db_int(case_id), db_text(grams)), e);
}

int case_search_add(struct db *db, int64_t case_id, const char *description, const char *address,
                    struct err *e)
{
	struct buf b = BUF_INIT;
	size_t n = search_grams(description, strlen(description), &b);
	struct buf more = BUF_INIT;
	size_t m = address ? search_grams(address, strlen(address), &more) : 0;
	if (n && m)
		buf_addc(&b, ' ');
	buf_add(&b, more.data, more.len);
	buf_addc(&b, '\0');
	int rc = n + m ? put(db, case_id, b.data, e) : 0;
	buf_free(&more);
	buf_free(&b);
	return rc;
}

const char *case_search_filter(const struct db *db, struct arena *a, const char *q,
                               const char **arg)
{
	struct buf b = BUF_INIT;
	size_t n = search_grams(q, strlen(q), &b);
	if (!n) {
		buf_free(&b);
		return NULL;
	}
	if (is_pg(db)) {
		*arg = arena_strndup(a, b.data, b.len);
		buf_free(&b);
		return "c.id IN (SELECT case_id FROM case_search WHERE grams @> string_to_array(?, ' '))";
	}
	/* An FTS5 query: each bigram a quoted string (they hold no quote), all of them required. */
	struct buf m = BUF_INIT;
	buf_addc(&m, '"');
	for (size_t i = 0; i < b.len; i++) {
		if (b.data[i] == ' ')
			buf_adds(&m, "\" \"");
		else
			buf_addc(&m, b.data[i]);
	}
	buf_addc(&m, '"');
	*arg = arena_strndup(a, m.data, m.len);
	buf_free(&m);
	buf_free(&b);
	return "c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH ?)";
}

/* One batch: the cases after `done` up to `through`; *last is the highest id indexed. */
static int batch(struct db *db, int64_t done, int64_t through, int64_t *last, int64_t *count,
                 struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT id, description, address FROM cases WHERE id > ? AND id <= ?"
	                  " ORDER BY id LIMIT ?",
	                  DB_ARGS(db_int(done), db_int(through), db_int(BATCH)), &st, e);
	if (rc < 0)
		return rc;
	/* Read the batch first: one statement at a time on a connection. */
	struct arena a = {0};
	int64_t ids[BATCH];
	const char *text[BATCH][2];
	int n = 0;
	while (n < BATCH && (rc = db_step(st, e)) == DB_ROW) {
		ids[n] = db_col_int(st, 0);
		const char *d = db_col_text(st, 1), *addr = db_col_text(st, 2);
		text[n][0] = arena_strdup(&a, d ? d : "");
		text[n][1] = arena_strdup(&a, addr ? addr : "");
		n++;
	}
	db_done(st);
	rc = rc < 0 ? rc : 0;
	for (int i = 0; i < n && rc == 0; i++)
		rc = case_search_add(db, ids[i], text[i][0], text[i][1], e);
	*last = n ? ids[n - 1] : through;
	*count += n;
	arena_free(&a);
	return rc;
}

int case_search_catch_up(struct db *db, int64_t *indexed, struct err *e)
{
	int64_t count = 0;
	int rc = 0;
	for (;;) {
		if ((rc = db_begin_write(db, e)) < 0)
			break;
		int64_t through = 0, done = 0, last = 0;
		struct db_stmt *st;
		rc = db_query(db, "SELECT backfill_through, backfilled FROM case_search_state", NULL, 0,
		              &st, e);
		if (rc == 0) {
			if ((rc = db_step(st, e)) == DB_ROW) {
				through = db_col_int(st, 0);
				done = db_col_int(st, 1);
			}
			db_done(st);
			rc = rc < 0 ? rc : 0;
		}
		if (rc == 0 && done >= through) {
			db_rollback(db);
			break;
		}
		if (rc == 0)
			rc = batch(db, done, through, &last, &count, e);
		if (rc == 0)
			rc = db_run(db, "UPDATE case_search_state SET backfilled = ?",
			            DB_ARGS(db_int(last)), e);
		if (rc == 0)
			rc = db_commit(db, e);
		else
			db_rollback(db);
		if (rc < 0)
			break;
	}
	if (indexed)
		*indexed = count;
	return rc < 0 ? rc : 0;
}

int case_search_reset(struct db *db, struct err *e)
{
	int rc = db_run(db,
	                is_pg(db) ? "DELETE FROM case_search"
	                          : "INSERT INTO case_search (case_search) VALUES ('delete-all')",
	                NULL, 0, e);
	if (rc == 0)
		rc = db_run(db,
		            "UPDATE case_search_state SET backfilled = 0,"
		            " backfill_through = (SELECT COALESCE(max(id), 0) FROM cases)",
		            NULL, 0, e);
	return rc;
}
