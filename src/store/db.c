/* The driver-independent half of db.h: choosing a driver, the per-connection statement cache,
 * one-shot helpers and transactions (plain SQL that both dialects share). */
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

#include "store/db_driver.h"
#include "store/sql_dialect.h"

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int db_open(const char *url, struct db **out, struct err *e)
{
	*out = NULL;
	if (!url || !*url)
		return err_set(e, ERR_INTERNAL,
		               "no database given (a file path or postgresql://…)");
	if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://"))
		return db_pg_open(url, out, e);
	return db_sqlite_open(url, out, e);
}

void db_base_init(struct db *db, const struct db_ops *ops)
{
	memset(db, 0, sizeof *db);
	db->ops = ops;
}

struct db_val db_text(const char *s)
{
	if (!s)
		return db_null();
	return (struct db_val){.type = DB_TEXT, .p = s, .n = strlen(s)};
}

struct db_val db_textn(const char *s, size_t n)
{
	if (!s)
		return db_null();
	return (struct db_val){.type = DB_TEXT, .p = s, .n = n};
}

struct db_val db_blob(const void *p, size_t n)
{
	return (struct db_val){.type = DB_BLOB, .p = p, .n = n};
}

/* ---- statement cache: hash on the SQL text for lookup, LRU list for eviction ---- */

static uint64_t sql_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static void list_unlink(struct db_stmt **head, struct db_stmt **tail, struct db_stmt *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		*head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else if (tail)
		*tail = s->prev;
	s->prev = s->next = NULL;
}

static void list_push(struct db_stmt **head, struct db_stmt **tail, struct db_stmt *s)
{
	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	else if (tail)
		*tail = s;
	*head = s;
}

static void stmt_free(struct db_stmt *s)
{
	free(s->sql);
	s->sql = NULL;
	s->db->ops->finalize(s);
}

/* At most one cached statement per SQL text; lookups see busy ones too, so a nested query
 * with the same text gets a loose statement rather than a second cache entry. */
static struct db_stmt *cache_find(struct db_cache *c, const char *sql, uint64_t h)
{
	for (struct db_stmt *s = c->bucket[h % DB_CACHE_BUCKETS]; s; s = s->hnext)
		if (s->hash == h && strcmp(s->sql, sql) == 0)
			return s;
	return NULL;
}

static void cache_remove(struct db_cache *c, struct db_stmt *s)
{
	struct db_stmt **pp = &c->bucket[s->hash % DB_CACHE_BUCKETS];
	while (*pp != s)
		pp = &(*pp)->hnext;
	*pp = s->hnext;
	s->hnext = NULL;
	list_unlink(&c->head, &c->tail, s);
	c->n--;
	s->cached = 0;
}

/* Evicts the least recently used idle statement when full; 0 if every entry is busy. */
static int cache_make_room(struct db_cache *c)
{
	if (c->n < DB_CACHE_MAX)
		return 1;
	for (struct db_stmt *s = c->tail; s; s = s->prev) {
		if (!s->busy) {
			cache_remove(c, s);
			stmt_free(s);
			return 1;
		}
	}
	return 0;
}

static void cache_insert(struct db_cache *c, struct db_stmt *s)
{
	size_t b = s->hash % DB_CACHE_BUCKETS;
	s->hnext = c->bucket[b];
	c->bucket[b] = s;
	list_push(&c->head, &c->tail, s);
	c->n++;
	s->cached = 1;
}

int db_query(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
             struct db_stmt **out, struct err *e)
{
	*out = NULL;
	struct db_cache *c = &db->cache;
	uint64_t h = sql_hash(sql);
	struct db_stmt *s, *found = cache_find(c, sql, h);
	if (found && !found->busy) {
		s = found;
		list_unlink(&c->head, &c->tail, s);
		list_push(&c->head, &c->tail, s);
	} else {
		int keep = !found; /* an equal statement is busy: this one stays loose */
		int rc = db->ops->prepare(db, sql, &s, e);
		if (rc)
			return rc;
		s->db = db;
		s->hash = h;
		s->sql = strdup(sql);
		if (!s->sql) {
			stmt_free(s);
			return err_set(e, ERR_INTERNAL, "out of memory");
		}
		if (keep && cache_make_room(c))
			cache_insert(c, s);
		else
			list_push(&c->loose, NULL, s);
	}
	s->busy = 1;
	int rc = db->ops->bind(s, args, nargs, e);
	if (rc) {
		db_done(s);
		return rc;
	}
	*out = s;
	return 0;
}

int db_step(struct db_stmt *st, struct err *e)
{
	return st->db->ops->step(st, e);
}

void db_done(struct db_stmt *st)
{
	if (!st)
		return;
	st->db->ops->reset(st);
	st->busy = 0;
	if (!st->cached) {
		list_unlink(&st->db->cache.loose, NULL, st);
		stmt_free(st);
	}
}

void db_close(struct db *db)
{
	if (!db)
		return;
	struct db_cache *c = &db->cache;
	while (c->head) {
		struct db_stmt *s = c->head;
		cache_remove(c, s);
		stmt_free(s);
	}
	while (c->loose) {
		struct db_stmt *s = c->loose;
		list_unlink(&c->loose, NULL, s);
		stmt_free(s);
	}
	db->ops->close(db);
}

int db_exec_script(struct db *db, const char *sql, struct err *e)
{
	return db->ops->exec_script(db, sql, e);
}

int db_col_count(struct db_stmt *st)
{
	return st->db->ops->col_count(st);
}
int db_col_is_null(struct db_stmt *st, int col)
{
	return st->db->ops->col_is_null(st, col);
}
int64_t db_col_int(struct db_stmt *st, int col)
{
	return st->db->ops->col_int(st, col);
}
double db_col_real(struct db_stmt *st, int col)
{
	return st->db->ops->col_real(st, col);
}
const char *db_col_text(struct db_stmt *st, int col)
{
	return st->db->ops->col_text(st, col);
}
size_t db_col_bytes(struct db_stmt *st, int col)
{
	return st->db->ops->col_bytes(st, col);
}
int64_t db_last_id(struct db *db)
{
	return db->ops->last_id(db);
}
const char *db_dialect(const struct db *db)
{
	return db->ops->dialect;
}
int db_in_transaction(struct db *db)
{
	return db->ops->in_transaction(db);
}

int db_translate_ddl(struct db *db, const char *sql, struct buf *out, struct err *e)
{
	struct buf mine = BUF_INIT;
	int rc = sql_select_dialect(sql, db->ops->dialect, &mine, e);
	if (rc == 0 && db->ops->translate_ddl)
		rc = db->ops->translate_ddl(db, mine.data, out, e);
	else if (rc == 0)
		buf_add(out, mine.data, mine.len);
	buf_free(&mine);
	return rc;
}

int db_backup(struct db *db, const char *file, struct err *e)
{
	return db->ops->backup(db, file, e);
}

int db_restore(struct db *db, const char *file, struct err *e)
{
	return db->ops->restore(db, file, e);
}

/* ---- one-shot helpers ---- */

int db_run(struct db *db, const char *sql, const struct db_val *args, size_t nargs, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, sql, args, nargs, &st, e);
	if (rc)
		return rc;
	/* Step to the end so a statement with RETURNING also finishes. */
	while ((rc = db_step(st, e)) == DB_ROW)
		;
	db_done(st);
	return rc;
}

int db_get_int(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
               int64_t *out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, sql, args, nargs, &st, e);
	if (rc)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		*out = db_col_int(st, 0);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no row");
	}
	db_done(st);
	return rc;
}

int db_find_int(struct db *db, const char *sql, const char *key, int64_t *out, struct err *e)
{
	int rc = db_get_int(db, sql, DB_ARGS(db_text(key)), out, e);
	if (rc == ERR_NOT_FOUND) {
		err_clear(e);
		*out = 0;
		return 0;
	}
	return rc;
}

/* ---- transactions: the same SQL in both dialects, except how a writer locks up front ---- */

int db_begin(struct db *db, struct err *e)
{
	return db_run(db, "BEGIN", NULL, 0, e);
}

int db_begin_write(struct db *db, struct err *e)
{
	return db_run(db, db->ops->begin_write_sql, NULL, 0, e);
}

int db_commit(struct db *db, struct err *e)
{
	return db_run(db, "COMMIT", NULL, 0, e);
}

/* Errors are ignored: there is nothing left to undo when no transaction is open (the server
 * may have rolled back already, e.g. SQLite after a disk-full error). */
void db_rollback(struct db *db)
{
	struct err ignored;
	(void)db_run(db, "ROLLBACK", NULL, 0, &ignored);
}

/* Savepoint names are pasted into SQL, so only plain identifiers are accepted. */
static int savepoint_sql(struct buf *b, const char *verb, const char *name, struct err *e)
{
	size_t n = 0;
	for (const char *p = name; *p; p++, n++) {
		int alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_';
		if (!alpha && !(n > 0 && *p >= '0' && *p <= '9'))
			return err_set(e, ERR_INTERNAL, "bad savepoint name \"%s\"", name);
	}
	if (n == 0 || n > 63)
		return err_set(e, ERR_INTERNAL, "bad savepoint name \"%s\"", name);
	buf_printf(b, "%s %s", verb, name);
	return 0;
}

static int savepoint_run(struct db *db, const char *verb, const char *name, struct err *e)
{
	struct buf b = BUF_INIT;
	int rc = savepoint_sql(&b, verb, name, e);
	if (!rc)
		rc = db_run(db, b.data, NULL, 0, e);
	buf_free(&b);
	return rc;
}

int db_savepoint(struct db *db, const char *name, struct err *e)
{
	return savepoint_run(db, "SAVEPOINT", name, e);
}

int db_release(struct db *db, const char *name, struct err *e)
{
	return savepoint_run(db, "RELEASE SAVEPOINT", name, e);
}

/* Undoes everything since db_savepoint(name) and also ends that savepoint (both SQL dialects
 * would otherwise keep it open), so the caller needs no db_release after it. */
void db_rollback_to(struct db *db, const char *name)
{
	struct err ignored;
	if (savepoint_run(db, "ROLLBACK TO SAVEPOINT", name, &ignored) == 0)
		(void)savepoint_run(db, "RELEASE SAVEPOINT", name, &ignored);
}
