#include "store/tally.h"

#include <stddef.h>
#include <string.h>

#include "core/figures.h"

#include "lib/buf.h"
#include "store/db.h"
#include "store/jobs.h"

#define COUNT(f) {#f, offsetof(struct fig_counts, f)}
const struct tally_column tally_columns[] = {
    COUNT(reported),   COUNT(valid_reported), COUNT(registered),         COUNT(rejected),
    COUNT(dispatched), COUNT(dispatched_ontime), COUNT(handled),         COUNT(due_handle),
    COUNT(due_handled), COUNT(due_handled_ontime), COUNT(reworked),      COUNT(verified),
    COUNT(verified_ontime), COUNT(closed),    COUNT(place_closed),       COUNT(deferred),           COUNT(ratings),
    COUNT(satisfied),  COUNT(recurred),       {"late", TALLY_NOT_A_COUNT}, {NULL, 0},
};
#undef COUNT

static const char KEY[] = "day, unit_id, category_id, source";

/* "INSERT INTO case_tally (key, cols) SELECT key, SUM(cols) FROM <from> GROUP BY key
 *  ON CONFLICT (key) DO UPDATE SET col = case_tally.col + excluded.col, …" */
static void fold_sql(struct buf *b, const char *from)
{
	buf_printf(b, "INSERT INTO case_tally (%s", KEY);
	for (const struct tally_column *c = tally_columns; c->name; c++)
		buf_printf(b, ", %s", c->name);
	buf_printf(b, ") SELECT %s", KEY);
	for (const struct tally_column *c = tally_columns; c->name; c++)
		buf_printf(b, ", SUM(%s)", c->name);
	buf_printf(b, " FROM %s GROUP BY %s ON CONFLICT (%s) DO UPDATE SET ", from, KEY, KEY);
	for (const struct tally_column *c = tally_columns; c->name; c++)
		buf_printf(b, "%s%s = case_tally.%s + excluded.%s", c == tally_columns ? "" : ", ",
		           c->name, c->name, c->name);
}

/* One chunk in one transaction; *n = rows folded (0: nothing left). */
static int fold_chunk(struct db *db, int64_t chunk, int64_t *n, struct err *e)
{
	*n = 0;
	int pg = strcmp(db_dialect(db), "postgresql") == 0;
	struct buf sql = BUF_INIT;
	int rc = db_begin_write(db, e);
	if (rc < 0)
		return rc;
	int64_t last = 0;
	if (pg) {
		/* One statement: the rows deleted are exactly the rows summed, even while other
		 * instances append (a second statement would see rows committed in between). */
		buf_adds(&sql, "WITH d AS (DELETE FROM case_tally_delta WHERE id IN (SELECT id FROM"
		               " case_tally_delta ORDER BY id LIMIT ?) RETURNING *), f AS (");
		fold_sql(&sql, "d");
		buf_adds(&sql, " RETURNING 1) SELECT COUNT(*) FROM d");
		rc = db_get_int(db, sql.data, DB_ARGS(db_int(chunk)), n, e);
	} else {
		/* SQLite has one writer at a time: nothing appends between the statements. */
		struct db_stmt *st;
		rc = db_query(db,
		              "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM (SELECT id FROM"
		              " case_tally_delta ORDER BY id LIMIT ?)",
		              DB_ARGS(db_int(chunk)), &st, e);
		if (rc == 0) {
			if ((rc = db_step(st, e)) == DB_ROW) {
				*n = db_col_int(st, 0);
				last = db_col_int(st, 1);
				rc = 0;
			}
			db_done(st);
		}
		if (rc == 0 && last > 0) {
			fold_sql(&sql, "case_tally_delta WHERE id <= ?");
			rc = db_run(db, sql.data, DB_ARGS(db_int(last)), e);
			if (rc == 0)
				rc = db_run(db, "DELETE FROM case_tally_delta WHERE id <= ?",
				            DB_ARGS(db_int(last)), e);
		}
	}
	buf_free(&sql);
	if (rc == 0)
		rc = db_commit(db, e);
	if (rc < 0)
		db_rollback(db);
	return rc;
}

int tally_fold(struct db *db, int64_t chunk, int64_t *folded, struct err *e)
{
	if (chunk <= 0)
		chunk = 50000;
	int64_t total = 0, n;
	int rc;
	do {
		rc = fold_chunk(db, chunk, &n, e);
		total += n;
	} while (rc == 0 && n == chunk);
	if (folded)
		*folded = total;
	return rc;
}

int tally_fold_job(const struct job_ctx *ctx, struct err *e)
{
	int64_t n = 0;
	int rc = tally_fold(ctx->db, 0, &n, e);
	if (rc == 0)
		buf_printf(ctx->note, "%lld tally deltas folded", (long long)n);
	return rc;
}
