/* Private to the PostgreSQL driver (db_pg.c: connection, statements, retries; db_pg_cols.c:
 * reading the columns of a result). */
#ifndef WM_DB_PG_H
#define WM_DB_PG_H

#include <libpq-fe.h>

#include "store/db_driver.h"

/* Type OIDs from PostgreSQL's catalog/pg_type.h (fixed since forever; that header is not in
 * libpq-dev). */
enum { BOOLOID = 16, BYTEAOID = 17 };
enum { SERIALIZATION_RETRIES = 3 };

struct pg_db {
	struct db base; /* first: struct db * and struct pg_db * convert */
	PGconn *conn;
	char *url;          /* for pg_dump / pg_restore */
	unsigned epoch;     /* bumped on reconnect: statements prepared before are gone */
	unsigned next_name; /* server-side statement names s1, s2, … */
	int broken_txn;     /* the connection died inside a transaction: see pg_exec */
	struct buf dealloc; /* DEALLOCATE commands for finalized statements, sent lazily */
};

/* What a statement is, for the retry rules in pg_exec. */
enum pg_kind { K_OTHER, K_SELECT, K_BEGIN, K_COMMIT, K_ROLLBACK };

struct pg_stmt {
	struct db_stmt base; /* first, as above */
	char name[16];
	char *pgsql; /* with $n placeholders */
	int nparams;
	enum pg_kind kind;
	unsigned epoch; /* of the connection it was prepared on */
	int ncols;      /* from the last result or describe; -1 unknown */
	/* bindings: values copied into vals, as offsets until pg_exec turns them to pointers */
	struct buf vals;
	size_t *off;
	int *len, *fmt, *isnull;
	const char **ptr;
	/* result: fetched whole by the first step */
	PGresult *res;
	int row, nrows;
	unsigned char *unesc; /* the current bytea cell, unescaped (PQfreemem) */
	size_t unesc_len;
	int unesc_row, unesc_col;
};

static inline struct pg_db *D(struct db *db)
{
	return (struct pg_db *)db;
}
static inline struct pg_stmt *S(struct db_stmt *st)
{
	return (struct pg_stmt *)st;
}

/* db_pg_cols.c: the column readers of struct db_ops, and dropping the unescaped bytea cell. */
void pg_cell_clear(struct pg_stmt *s);
int pg_col_count(struct db_stmt *st);
int pg_col_is_null(struct db_stmt *st, int col);
int64_t pg_col_int(struct db_stmt *st, int col);
double pg_col_real(struct db_stmt *st, int col);
const char *pg_col_text(struct db_stmt *st, int col);
size_t pg_col_bytes(struct db_stmt *st, int col);

#endif
