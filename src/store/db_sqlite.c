/* The SQLite driver: one sqlite3 handle per struct db, WAL with synchronous=FULL so an
 * acknowledged commit survives a power cut, and SQLite result codes mapped to err codes. */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/db_driver.h"

enum { BUSY_TIMEOUT_MS = 5000 };

struct sq_db {
	struct db base; /* first: struct db * and struct sq_db * convert */
	sqlite3 *h;
};

struct sq_stmt {
	struct db_stmt base; /* first, as above */
	sqlite3_stmt *st;
};

static sqlite3 *H(struct db *db)
{
	return ((struct sq_db *)db)->h;
}
static sqlite3_stmt *S(struct db_stmt *st)
{
	return ((struct sq_stmt *)st)->st;
}

/* The one mapping from SQLite result codes (extended codes are on) to err codes. */
static int sq_err(sqlite3 *h, int rc, struct err *e)
{
	int code;
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		code = (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ||
		        rc == SQLITE_CONSTRAINT_ROWID)
		           ? ERR_CONFLICT
		           : ERR_UNPROCESSABLE;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = ERR_UNAVAILABLE;
		break;
	case SQLITE_TOOBIG:
		code = ERR_TOO_LARGE;
		break;
	default:
		code = ERR_INTERNAL;
	}
	return err_set(e, code, "%s", h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
}

/* mkdir -p for the directory holding the database file. */
static int make_parent_dir(const char *path, struct err *e)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	char *dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return err_set(e, ERR_INTERNAL, "out of memory");
	int rc = 0;
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		struct stat sb;
		if (stat(dir, &sb) != 0 && mkdir(dir, 0750) != 0 && errno != EEXIST) {
			rc = err_set(e, ERR_INTERNAL, "cannot create directory %s: %s", dir,
			             strerror(errno));
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(dir);
	return rc;
}

/* Runs a pragma that answers one value and checks it is want; what says what failed. */
static int pragma_expect(sqlite3 *h, const char *sql, const char *want, const char *what,
                         struct err *e)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sq_err(h, rc, e);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		const char *got = t ? (const char *)t : "";
		rc = strcmp(got, want) == 0
		         ? 0
		         : err_set(e, ERR_INTERNAL, "%s (%s gave %s)", what, sql, got);
	} else {
		rc = sq_err(h, rc == SQLITE_DONE ? SQLITE_ERROR : rc, e);
	}
	sqlite3_finalize(st);
	return rc;
}

static int configure(sqlite3 *h, int memory, struct err *e)
{
	int rc = pragma_expect(h, "PRAGMA journal_mode=WAL", memory ? "memory" : "wal",
	                       "cannot use WAL", e);
	if (rc)
		return rc;
	/* FULL in WAL mode syncs the log on every commit: acknowledged = durable. The cache is
	 * per connection (there is one per worker thread), so keep it modest: 8 MiB. */
	rc = sqlite3_exec(h,
	                  "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
	                  "PRAGMA cache_size=-8000; PRAGMA temp_store=MEMORY;",
	                  NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sq_err(h, rc, e);
	return pragma_expect(h, "PRAGMA foreign_keys", "1",
	                     "this SQLite cannot enforce foreign keys", e);
}

static const struct db_ops sqlite_ops;

int db_sqlite_open(const char *path, struct db **out, struct err *e)
{
	*out = NULL;
	if (!sqlite3_threadsafe())
		return err_set(e, ERR_INTERNAL, "SQLite was built without thread support");
	int memory = strcmp(path, ":memory:") == 0;
	int rc = memory ? 0 : make_parent_dir(path, e);
	if (rc)
		return rc;
	struct sq_db *d = calloc(1, sizeof *d);
	if (!d)
		return err_set(e, ERR_INTERNAL, "out of memory");
	db_base_init(&d->base, &sqlite_ops);
	/* NOMUTEX: a connection is used by one thread at a time (db.h), so SQLite's own
	 * per-connection mutex would only cost. */
	rc = sqlite3_open_v2(
	    path, &d->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = err_set(e, ERR_INTERNAL, "cannot open database %s: %s", path,
		             d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
		sqlite3_close(d->h);
		free(d);
		return rc;
	}
	sqlite3_extended_result_codes(d->h, 1);
	sqlite3_busy_timeout(d->h, BUSY_TIMEOUT_MS);
	struct err cause;
	err_clear(&cause);
	rc = configure(d->h, memory, &cause);
	if (rc) {
		db_close(&d->base);
		return err_set(e, rc, "cannot open database %s: %s", path, cause.msg);
	}
	*out = &d->base;
	return 0;
}

static void sq_close(struct db *db)
{
	/* Fails only while statements are unfinalized, and db_close finalized them all. */
	(void)sqlite3_close_v2(H(db));
	free(db);
}

static int sq_exec_script(struct db *db, const char *sql, struct err *e)
{
	int rc = sqlite3_exec(H(db), sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sq_err(H(db), rc, e);
}

static int only_space(const char *s)
{
	for (; *s; s++)
		if (!strchr(" \t\r\n;", *s))
			return 0;
	return 1;
}

static int sq_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e)
{
	struct sq_stmt *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, ERR_INTERNAL, "out of memory");
	const char *tail = NULL;
	/* PERSISTENT: these live in the cache for the connection's lifetime. */
	int rc = sqlite3_prepare_v3(H(db), sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, &tail);
	if (rc != SQLITE_OK) {
		rc = sq_err(H(db), rc, e);
		free(s);
		return rc;
	}
	if (!s->st || (tail && !only_space(tail))) {
		sqlite3_finalize(s->st);
		free(s);
		return err_set(e, ERR_INTERNAL, "db_query needs exactly one statement: %.300s",
		               sql);
	}
	*out = &s->base;
	return 0;
}

/* Text and blobs are bound SQLITE_STATIC, without a copy: db.h makes the caller keep them
 * alive until db_done, and db_done clears the bindings so no stale pointer survives. */
static int sq_bind(struct db_stmt *st, const struct db_val *args, size_t nargs, struct err *e)
{
	sqlite3_stmt *s = S(st);
	int want = sqlite3_bind_parameter_count(s);
	if ((size_t)want != nargs)
		return err_set(e, ERR_INTERNAL, "statement takes %d parameters, %zu given: %.300s",
		               want, nargs, st->sql);
	for (int i = 0; i < want; i++) {
		const struct db_val *v = &args[i];
		int rc;
		switch (v->type) {
		case DB_NULL:
			rc = sqlite3_bind_null(s, i + 1);
			break;
		case DB_INT:
			rc = sqlite3_bind_int64(s, i + 1, v->i);
			break;
		case DB_REAL:
			rc = sqlite3_bind_double(s, i + 1, v->d);
			break;
		case DB_TEXT:
			rc = v->p ? sqlite3_bind_text64(s, i + 1, v->p, v->n, SQLITE_STATIC,
			                                SQLITE_UTF8)
			          : sqlite3_bind_null(s, i + 1);
			break;
		case DB_BLOB:
			/* A NULL pointer would bind SQL NULL; an empty blob is still a blob. */
			rc = v->n ? sqlite3_bind_blob64(s, i + 1, v->p, v->n, SQLITE_STATIC)
			          : sqlite3_bind_zeroblob(s, i + 1, 0);
			break;
		default:
			return err_set(e, ERR_INTERNAL, "parameter %d has unknown type %d", i + 1,
			               (int)v->type);
		}
		if (rc != SQLITE_OK)
			return sq_err(H(st->db), rc, e);
	}
	return 0;
}

static int sq_step(struct db_stmt *st, struct err *e)
{
	int rc = sqlite3_step(S(st));
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return sq_err(H(st->db), rc, e);
}

static void sq_reset(struct db_stmt *st)
{
	/* reset repeats the last step's error, which db_step has reported already. */
	(void)sqlite3_reset(S(st));
	(void)sqlite3_clear_bindings(S(st));
}

static void sq_finalize(struct db_stmt *st)
{
	(void)sqlite3_finalize(S(st));
	free(st);
}

static int sq_col_count(struct db_stmt *st)
{
	return sqlite3_column_count(S(st));
}

static int sq_col_is_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(S(st), col) == SQLITE_NULL;
}

static int64_t sq_col_int(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(S(st), col);
}
static double sq_col_real(struct db_stmt *st, int col)
{
	return sqlite3_column_double(S(st), col);
}

static const char *sq_col_text(struct db_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(S(st), col);
	return t ? (const char *)t : "";
}

static size_t sq_col_bytes(struct db_stmt *st, int col)
{
	return (size_t)sqlite3_column_bytes(S(st), col);
}

static int64_t sq_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(H(db));
}
static int sq_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(H(db));
}

/* Copies every page from src to dst with the online backup API: a consistent snapshot even
 * while servers write (it restarts when another connection writes mid-copy). */
static int copy_pages(sqlite3 *dst, sqlite3 *src, struct err *e)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b)
		return sq_err(dst, sqlite3_errcode(dst), e);
	int rc;
	while ((rc = sqlite3_backup_step(b, 1024)) == SQLITE_OK || rc == SQLITE_BUSY ||
	       rc == SQLITE_LOCKED)
		if (rc != SQLITE_OK)
			sqlite3_sleep(10);
	rc = sqlite3_backup_finish(b);
	return rc == SQLITE_OK ? 0 : sq_err(dst, rc, e);
}

/* Into file.tmp, synced, then renamed: a crash never leaves half a backup under the name. */
static int sq_backup(struct db *db, const char *file, struct err *e)
{
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp", file) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory");
	(void)remove(tmp);
	sqlite3 *dst = NULL;
	int rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	rc = rc == SQLITE_OK ? copy_pages(dst, H(db), e) : sq_err(dst, rc, e);
	if (rc == 0 &&
	    sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
		rc = sq_err(dst, sqlite3_errcode(dst), e);
	sqlite3_close(dst); /* journal_mode=DELETE: one self-contained, synced file */
	if (rc == 0 && rename(tmp, file) != 0)
		rc = err_set(e, ERR_INTERNAL, "cannot rename %s to %s: %s", tmp, file,
		             strerror(errno));
	if (rc)
		(void)remove(tmp);
	free(tmp);
	return rc;
}

static int sq_restore(struct db *db, const char *file, struct err *e)
{
	sqlite3 *src = NULL;
	int rc = sqlite3_open_v2(file, &src, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK) {
		rc = err_set(e, ERR_INTERNAL, "cannot open backup %s: %s", file,
		             src ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
		sqlite3_close(src);
		return rc;
	}
	rc = copy_pages(H(db), src, e);
	sqlite3_close(src);
	return rc;
}

static const struct db_ops sqlite_ops = {
    .dialect = "sqlite",
    .begin_write_sql = "BEGIN IMMEDIATE",
    .close = sq_close,
    .exec_script = sq_exec_script,
    .prepare = sq_prepare,
    .bind = sq_bind,
    .step = sq_step,
    .reset = sq_reset,
    .finalize = sq_finalize,
    .col_count = sq_col_count,
    .col_is_null = sq_col_is_null,
    .col_int = sq_col_int,
    .col_real = sq_col_real,
    .col_text = sq_col_text,
    .col_bytes = sq_col_bytes,
    .last_id = sq_last_id,
    .in_transaction = sq_in_transaction,
    .translate_ddl = NULL, /* SQLite runs the portable schema as written */
    .backup = sq_backup,
    .restore = sq_restore,
};
