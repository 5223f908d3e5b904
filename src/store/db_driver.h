/* Private to src/store: what a database driver implements (struct db_ops) and the parts every
 * driver shares (the per-connection statement cache, in db.c). Callers use db.h only. */
#ifndef WM_DB_DRIVER_H
#define WM_DB_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "store/db.h"

/* A prepared statement. Drivers embed this as the first member of their own statement struct
 * and allocate it in ops->prepare; db.c owns the cache bookkeeping below. */
struct db_stmt {
	struct db *db;
	char *sql;                   /* owned copy of the SQL text: the cache key */
	uint64_t hash;               /* of sql */
	struct db_stmt *hnext;       /* hash bucket chain (cached only) */
	struct db_stmt *prev, *next; /* LRU list, most recent first (cached) or the loose list */
	unsigned busy : 1;   /* between db_query and db_done: never reused or evicted then */
	unsigned cached : 1; /* in the cache; else "loose", finalized by db_done */
};

enum { DB_CACHE_MAX = 256, DB_CACHE_BUCKETS = 512 };

struct db_cache {
	struct db_stmt *bucket[DB_CACHE_BUCKETS];
	struct db_stmt *head, *tail; /* LRU order */
	size_t n;
	/* Statements outside the cache: prepared while an equal one was busy (nested loops over
	 * the same query) or while every cached one was busy. Kept so db_close can free them. */
	struct db_stmt *loose;
};

struct db_ops {
	/* "sqlite" or "postgresql" (db_dialect) */
	const char *dialect;
	/* Takes the write lock up front: "BEGIN IMMEDIATE" (SQLite) or "BEGIN" (PostgreSQL). */
	const char *begin_write_sql;
	/* Frees the connection; every statement has been finalized already. */
	void (*close)(struct db *db);
	int (*exec_script)(struct db *db, const char *sql, struct err *e);
	/* Allocates and prepares one statement (sql holds exactly one); db.c fills the cache
	 * fields. */
	int (*prepare)(struct db *db, const char *sql, struct db_stmt **out, struct err *e);
	int (*bind)(struct db_stmt *st, const struct db_val *args, size_t nargs, struct err *e);
	int (*step)(struct db_stmt *st, struct err *e);
	/* Makes the statement ready for the next db_query and drops its bindings. */
	void (*reset)(struct db_stmt *st);
	/* Releases the driver's statement and frees st (db.c has freed st->sql already). */
	void (*finalize)(struct db_stmt *st);
	int (*col_count)(struct db_stmt *st);
	int (*col_is_null)(struct db_stmt *st, int col);
	int64_t (*col_int)(struct db_stmt *st, int col);
	double (*col_real)(struct db_stmt *st, int col);
	const char *(*col_text)(struct db_stmt *st, int col);
	size_t (*col_bytes)(struct db_stmt *st, int col);
	int64_t (*last_id)(struct db *db);
	/* Whether a transaction is open: lets the writer notice one the server rolled back by
	 * itself (SQLite does on disk full / I/O errors). */
	int (*in_transaction)(struct db *db);
	/* The dialect hook for migrations: rewrites portable DDL into out (PostgreSQL turns
	 * `id INTEGER PRIMARY KEY` into an identity column). NULL: run the DDL as written. */
	int (*translate_ddl)(struct db *db, const char *sql, struct buf *out, struct err *e);
	/* db_backup / db_restore (see db.h). */
	int (*backup)(struct db *db, const char *file, struct err *e);
	int (*restore)(struct db *db, const char *file, struct err *e);
};

/* Drivers embed this as the first member of their connection struct. */
struct db {
	const struct db_ops *ops;
	struct db_cache cache;
};

/* Called by a driver's open once its struct is allocated. */
void db_base_init(struct db *db, const struct db_ops *ops);

/* Driver entry points, chosen by db_open from the url. */
int db_sqlite_open(const char *path, struct db **out, struct err *e);
/* url: a libpq connection URI (postgresql://…). */
int db_pg_open(const char *url, struct db **out, struct err *e);

/* The script with the dialect hook applied; out is appended to (caller frees it). */
int db_translate_ddl(struct db *db, const char *sql, struct buf *out, struct err *e);
int db_in_transaction(struct db *db);

#endif
