/* The one store interface. Drivers: SQLite (db_sqlite.c), PostgreSQL (db_pg.c, issue 3).
 * SQL uses `?` placeholders everywhere (the PostgreSQL driver rewrites them to $n), integer
 * unix seconds for times, `INSERT ... RETURNING id` for new ids, and nothing dialect-specific
 * outside the drivers. A `struct db` is one connection, used by one thread at a time. */
#ifndef WM_DB_H
#define WM_DB_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct db;
struct db_stmt;

enum db_type { DB_NULL, DB_INT, DB_REAL, DB_TEXT, DB_BLOB };

/* A bound parameter. Text and blob point at caller memory that must outlive the step loop. */
struct db_val {
	enum db_type type;
	int64_t i;
	double d;
	const char *p;
	size_t n;
};

static inline struct db_val db_int(int64_t v)
{
	return (struct db_val){.type = DB_INT, .i = v};
}
static inline struct db_val db_real(double v)
{
	return (struct db_val){.type = DB_REAL, .d = v};
}
static inline struct db_val db_null(void)
{
	return (struct db_val){.type = DB_NULL};
}
/* NULL s binds SQL NULL. */
struct db_val db_text(const char *s);
struct db_val db_textn(const char *s, size_t n);
struct db_val db_blob(const void *p, size_t n);

enum { DB_DONE = 0, DB_ROW = 1 };

/* url: a file path (SQLite) or postgresql://… (PostgreSQL). *out is freed with db_close. */
int db_open(const char *url, struct db **out, struct err *e);
void db_close(struct db *db);
/* Runs SQL text that may hold several statements and no parameters (migrations). */
int db_exec_script(struct db *db, const char *sql, struct err *e);

/* Prepares (from a per-connection cache of 256 statements keyed by the sql text) and binds
 * args without copying them. The statement belongs to the connection: call db_done when
 * finished stepping. The same SQL queried again while the first is still stepping gets a
 * separate, uncached statement. */
int db_query(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
             struct db_stmt **out, struct err *e);
/* DB_ROW, DB_DONE, or a negative error (unique violations give ERR_CONFLICT). */
int db_step(struct db_stmt *st, struct err *e);
/* Resets the statement for reuse; always call it, also after an error. */
void db_done(struct db_stmt *st);

int db_col_count(struct db_stmt *st);
int db_col_is_null(struct db_stmt *st, int col);
int64_t db_col_int(struct db_stmt *st, int col);
double db_col_real(struct db_stmt *st, int col);
/* Valid until the next db_step or db_done; "" for NULL. */
const char *db_col_text(struct db_stmt *st, int col);
size_t db_col_bytes(struct db_stmt *st, int col);

/* One-shot helpers: db_run steps to the end; db_get_int reads the first row's first column
 * (e.g. RETURNING id). */
int db_run(struct db *db, const char *sql, const struct db_val *args, size_t nargs, struct err *e);
/* *out is left unchanged and ERR_NOT_FOUND returned when there is no row. */
int db_get_int(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
               int64_t *out, struct err *e);
/* The first column of the row a one-text-parameter query finds (e.g. an id by code) into *out,
 * 0 when there is none; 0 or a negative error. */
int db_find_int(struct db *db, const char *sql, const char *key, int64_t *out, struct err *e);

/* Transactions. db_begin_write takes the write lock up front (SQLite BEGIN IMMEDIATE). */
int db_begin(struct db *db, struct err *e);
int db_begin_write(struct db *db, struct err *e);
int db_commit(struct db *db, struct err *e);
void db_rollback(struct db *db);
int db_savepoint(struct db *db, const char *name, struct err *e);
int db_release(struct db *db, const char *name, struct err *e);
/* Undoes the savepoint's changes and releases it (no db_release afterwards). */
void db_rollback_to(struct db *db, const char *name);

/* The id of the last inserted row on this connection (prefer RETURNING in portable SQL). */
int64_t db_last_id(struct db *db);
/* "sqlite" or "postgresql": for the rare dialect hook (migrations only). */
const char *db_dialect(const struct db *db);

/* Writes a consistent copy of the whole database to file, online (SQLite's backup API, or
 * pg_dump's custom format). */
int db_backup(struct db *db, const char *file, struct err *e);
/* Replaces the database's contents with a copy made by db_backup of the same store. Stop the
 * servers first: their connections would not see the swap coherently. */
int db_restore(struct db *db, const char *file, struct err *e);

/* Helper for ARRAY_SIZE-style calls: db_query(db, sql, ARGS(db_int(1), db_text(s)), &st, e) */
#define DB_ARGS(...)                                                                               \
	((const struct db_val[]){__VA_ARGS__}),                                                    \
	    (sizeof((const struct db_val[]){__VA_ARGS__}) / sizeof(struct db_val))

#endif
