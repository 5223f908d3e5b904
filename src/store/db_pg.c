/* The PostgreSQL driver (libpq): one PGconn per struct db, `?` rewritten to `$n`, each
 * statement prepared once per connection under a generated name and run with
 * PQexecPrepared (text parameters, types inferred by the server; blobs binary), SQLSTATEs
 * mapped to err codes, and a lost connection re-established when that cannot repeat or lose
 * a write. Durability is the server's: synchronous_commit=on (the default, forced on below)
 * means a COMMIT that returned is on disk. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/db_pg.h"
#include "store/pg_dump.h"
#include "store/pg_sql.h"

/* libpq prints NOTICE/WARNING (e.g. ROLLBACK without a transaction) to stderr by default. */
static void quiet_notice(void *arg, const char *msg)
{
	(void)arg, (void)msg;
}

/* The message of a failed result or of the connection, without libpq's trailing newline. */
static int set_msg(struct err *e, int code, const char *prefix, const char *msg)
{
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	return err_set(e, code, "%s%.*s", prefix, (int)n, msg);
}

/* The one mapping from SQLSTATE classes to err codes. */
static int sqlstate_code(const char *ss)
{
	if (!ss || strlen(ss) != 5)
		return ERR_UNAVAILABLE; /* no SQLSTATE: libpq lost the connection */
	if (strcmp(ss, "23505") == 0)
		return ERR_CONFLICT;
	if (strncmp(ss, "23", 2) == 0)
		return ERR_UNPROCESSABLE;
	if (strcmp(ss, "40001") == 0 || strcmp(ss, "40P01") == 0)
		return ERR_CONFLICT; /* serialization failure, deadlock: the caller may retry */
	if (strncmp(ss, "08", 2) == 0 || strncmp(ss, "53", 2) == 0 || strncmp(ss, "57P", 3) == 0 ||
	    strcmp(ss, "55P03") == 0 || strcmp(ss, "57014") == 0)
		return ERR_UNAVAILABLE; /* connection, resources, shutdown, lock/statement timeout
		                         */
	if (strcmp(ss, "54000") == 0 || strcmp(ss, "22001") == 0)
		return ERR_TOO_LARGE;
	return ERR_INTERNAL;
}

static int res_err(PGconn *c, PGresult *r, struct err *e)
{
	const char *ss = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorMessage(r) : "";
	if (!*msg)
		msg = PQerrorMessage(c);
	return set_msg(e, sqlstate_code(ss), "", msg);
}

static int conn_lost(PGconn *c, PGresult *r)
{
	const char *ss = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	return PQstatus(c) != CONNECTION_OK || (ss && strncmp(ss, "08", 2) == 0);
}

/* Settings every connection needs, also after a reconnect. */
static int session_setup(struct pg_db *d, struct err *e)
{
	PQsetNoticeProcessor(d->conn, quiet_notice, NULL);
	/* Acknowledged = committed: never let a role or database default weaken it. */
	PGresult *r = PQexec(d->conn, "SET synchronous_commit = on; SET client_encoding = 'UTF8'");
	int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : res_err(d->conn, r, e);
	PQclear(r);
	return rc;
}

/* PQreset keeps the conninfo; prepared statements and pending DEALLOCATEs die with the old
 * session. */
static int reconnect(struct pg_db *d, struct err *e)
{
	PQreset(d->conn);
	d->epoch++;
	buf_reset(&d->dealloc);
	d->broken_txn = 0;
	if (PQstatus(d->conn) != CONNECTION_OK)
		return set_msg(e, ERR_UNAVAILABLE, "PostgreSQL: ", PQerrorMessage(d->conn));
	return session_setup(d, e);
}

static const struct db_ops pg_ops;

int db_pg_open(const char *url, struct db **out, struct err *e)
{
	*out = NULL;
	struct pg_db *d = calloc(1, sizeof *d);
	if (!d)
		return err_set(e, ERR_INTERNAL, "out of memory");
	db_base_init(&d->base, &pg_ops);
	buf_init(&d->dealloc);
	if (!(d->url = strdup(url))) {
		free(d);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	/* Defaults the URL may override (expand_dbname: later entries win): a server that does
	 * not answer fails the open in 10 s rather than hanging a worker, and
	 * pg_stat_activity shows who is connected. */
	const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
	const char *const vals[] = {"10", "wenming", url, NULL};
	d->conn = PQconnectdbParams(keys, vals, 1);
	int rc = 0;
	if (!d->conn)
		rc = err_set(e, ERR_INTERNAL, "out of memory");
	else if (PQstatus(d->conn) != CONNECTION_OK)
		rc = set_msg(e, ERR_UNAVAILABLE,
		             "cannot connect to PostgreSQL: ", PQerrorMessage(d->conn));
	else
		rc = session_setup(d, e);
	if (rc) {
		PQfinish(d->conn);
		buf_free(&d->dealloc);
		free(d->url);
		free(d);
		return rc;
	}
	*out = &d->base;
	return 0;
}

static void pg_close(struct db *db)
{
	PQfinish(D(db)->conn); /* the session's prepared statements end with it */
	buf_free(&D(db)->dealloc);
	free(D(db)->url);
	free(db);
}

static int pg_exec_script(struct db *db, const char *sql, struct err *e)
{
	struct pg_db *d = D(db);
	if (PQstatus(d->conn) != CONNECTION_OK && !d->broken_txn && reconnect(d, e))
		return ERR_UNAVAILABLE;
	PGresult *r = PQexec(d->conn, sql);
	ExecStatusType s = PQresultStatus(r);
	int rc = (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY)
	             ? 0
	             : res_err(d->conn, r, e);
	PQclear(r);
	return rc;
}

static enum pg_kind kind_of(const char *sql)
{
	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' || *sql == '(')
		sql++;
	if (strncasecmp(sql, "SELECT", 6) == 0 || strncasecmp(sql, "WITH", 4) == 0)
		return K_SELECT; /* a WITH may write; see retry_safe for when this matters */
	if (strncasecmp(sql, "BEGIN", 5) == 0 || strncasecmp(sql, "START", 5) == 0)
		return K_BEGIN;
	if (strncasecmp(sql, "COMMIT", 6) == 0 || strncasecmp(sql, "END", 3) == 0)
		return K_COMMIT;
	if (strncasecmp(sql, "ROLLBACK", 8) == 0 && !strcasestr(sql, " TO "))
		return K_ROLLBACK;
	return K_OTHER;
}

static int only_space(const char *s)
{
	for (; *s; s++)
		if (!strchr(" \t\r\n;", *s))
			return 0;
	return 1;
}

/* Sends the DEALLOCATEs of finalized statements, unless a failed transaction would refuse
 * them (then they wait: the names are never reused, so a late DEALLOCATE is harmless). */
static void flush_dealloc(struct pg_db *d)
{
	if (!d->dealloc.len || PQtransactionStatus(d->conn) == PQTRANS_INERROR)
		return;
	PGresult *r = PQexec(d->conn, d->dealloc.data);
	PQclear(r);
	buf_reset(&d->dealloc);
}

/* Prepares s on the current connection under a fresh name. Preparing changes no data, so
 * a connection found lost is re-established and the prepare repeated, unless a transaction
 * was open (that is gone with the connection: see pg_exec). */
static int server_prepare(struct pg_db *d, struct pg_stmt *s, struct err *e)
{
	for (int attempt = 0;; attempt++) {
		int was_idle = PQtransactionStatus(d->conn) == PQTRANS_IDLE;
		flush_dealloc(d);
		snprintf(s->name, sizeof s->name, "s%u", ++d->next_name);
		PGresult *r = PQprepare(d->conn, s->name, s->pgsql, s->nparams, NULL);
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			PQclear(r);
			s->epoch = d->epoch;
			return 0;
		}
		s->name[0] = '\0';
		int lost = conn_lost(d->conn, r);
		int rc = res_err(d->conn, r, e);
		PQclear(r);
		if (!lost)
			return rc;
		if (!was_idle) {
			d->broken_txn = 1;
			return ERR_UNAVAILABLE;
		}
		if (attempt > 0 || reconnect(d, e))
			return ERR_UNAVAILABLE;
	}
}

static void stmt_free_parts(struct pg_stmt *s)
{
	free(s->pgsql);
	buf_free(&s->vals);
	free(s->off);
	free(s->len);
	free(s->fmt);
	free(s->isnull);
	free((void *)s->ptr);
	free(s);
}

static int pg_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e)
{
	struct pg_db *d = D(db);
	if (only_space(sql))
		return err_set(e, ERR_INTERNAL, "db_query needs exactly one statement: empty SQL");
	struct pg_stmt *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, ERR_INTERNAL, "out of memory");
	buf_init(&s->vals);
	struct buf b = BUF_INIT;
	pg_sql_placeholders(sql, &b, &s->nparams);
	s->pgsql = buf_detach(&b, NULL);
	s->kind = kind_of(sql);
	s->ncols = -1;
	size_t n = s->nparams ? (size_t)s->nparams : 1;
	s->off = calloc(n, sizeof *s->off);
	s->len = calloc(n, sizeof *s->len);
	s->fmt = calloc(n, sizeof *s->fmt);
	s->isnull = calloc(n, sizeof *s->isnull);
	s->ptr = calloc(n, sizeof *s->ptr);
	if (!s->pgsql || !s->off || !s->len || !s->fmt || !s->isnull || !s->ptr) {
		stmt_free_parts(s);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	int rc = 0;
	if (PQstatus(d->conn) != CONNECTION_OK && !d->broken_txn)
		rc = reconnect(d, e); /* nothing was sent: reconnecting is always safe here */
	if (rc == 0 && d->broken_txn)
		s->epoch = d->epoch - 1; /* prepared lazily, after the caller's ROLLBACK/BEGIN */
	else if (rc == 0)
		rc = server_prepare(d, s, e);
	if (rc) {
		stmt_free_parts(s);
		return rc;
	}
	*out = &s->base;
	return 0;
}

/* Copies every value: text needs a NUL the caller's db_textn may not have, and libpq reads
 * the pointers only during pg_exec. Blobs go in binary format (no escaping). */
static int pg_bind(struct db_stmt *st, const struct db_val *args, size_t nargs, struct err *e)
{
	struct pg_stmt *s = S(st);
	if ((size_t)s->nparams != nargs)
		return err_set(e, ERR_INTERNAL, "statement takes %d parameters, %zu given: %.300s",
		               s->nparams, nargs, st->sql);
	buf_reset(&s->vals);
	for (int i = 0; i < s->nparams; i++) {
		const struct db_val *v = &args[i];
		s->off[i] = s->vals.len;
		s->fmt[i] = 0;
		s->isnull[i] = 0;
		switch (v->type) {
		case DB_NULL:
			s->isnull[i] = 1;
			break;
		case DB_INT:
			buf_printf(&s->vals, "%lld", (long long)v->i);
			break;
		case DB_REAL:
			buf_printf(&s->vals, "%.17g", v->d); /* round-trips every double */
			break;
		case DB_TEXT:
			if (!v->p)
				s->isnull[i] = 1;
			else if (memchr(v->p, '\0', v->n))
				return err_set(e, ERR_BAD_REQUEST,
				               "text parameter %d holds a NUL byte", i + 1);
			else
				buf_add(&s->vals, v->p, v->n);
			break;
		case DB_BLOB:
			s->fmt[i] = 1;
			buf_add(&s->vals, v->p ? v->p : "", v->n);
			break;
		default:
			return err_set(e, ERR_INTERNAL, "parameter %d has unknown type %d", i + 1,
			               (int)v->type);
		}
		s->len[i] = (int)(s->vals.len - s->off[i]);
		buf_addc(&s->vals, '\0');
	}
	return 0;
}

/* A statement that can run again on a new connection without repeating a write: BEGIN and
 * ROLLBACK always, a SELECT outside a transaction. Anything else might have committed
 * before the connection died, so its caller hears ERR_UNAVAILABLE instead. */
static int retry_safe(const struct pg_stmt *s, int was_idle)
{
	return s->kind == K_BEGIN || s->kind == K_ROLLBACK || (s->kind == K_SELECT && was_idle);
}

static PGresult *run_prepared(struct pg_db *d, struct pg_stmt *s)
{
	for (int i = 0; i < s->nparams; i++)
		s->ptr[i] = s->isnull[i] ? NULL : s->vals.data + s->off[i];
	return PQexecPrepared(d->conn, s->name, s->nparams, s->ptr, s->len, s->fmt, 0);
}

/* Runs s and keeps its whole result. The retry rules:
 *  - connection found dead before sending: reconnect, then run (nothing was sent);
 *  - connection lost while running: reconnect and run once more when retry_safe; else
 *    ERR_UNAVAILABLE, and inside a transaction remember it (broken_txn) so the rest of that
 *    transaction fails too until the caller's ROLLBACK or next BEGIN;
 *  - serialization failure or deadlock outside a transaction: the server undid the whole
 *    statement, so run it again (a few times); inside one it is ERR_CONFLICT. */
static int pg_exec(struct pg_stmt *s, struct err *e)
{
	struct pg_db *d = D(s->base.db);
	for (int attempt = 0;; attempt++) {
		if (d->broken_txn && s->kind != K_BEGIN && s->kind != K_ROLLBACK)
			return err_set(e, ERR_UNAVAILABLE,
			               "the connection to PostgreSQL was lost in this transaction");
		if ((d->broken_txn || PQstatus(d->conn) != CONNECTION_OK) && reconnect(d, e))
			return ERR_UNAVAILABLE;
		if (s->epoch != d->epoch || !s->name[0]) {
			int rc = server_prepare(d, s, e);
			if (rc)
				return rc;
		}
		PGTransactionStatusType before = PQtransactionStatus(d->conn);
		int was_idle = before == PQTRANS_IDLE;
		/* PostgreSQL only warns; SQLite fails, and a stray COMMIT is a caller's bug. */
		if (s->kind == K_COMMIT && was_idle)
			return err_set(e, ERR_INTERNAL, "COMMIT without a transaction");
		PGresult *r = run_prepared(d, s);
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
			/* COMMIT of a failed transaction "succeeds" as ROLLBACK: not a commit. */
			if (s->kind == K_COMMIT && before == PQTRANS_INERROR) {
				PQclear(r);
				return err_set(
				    e, ERR_UNAVAILABLE,
				    "the transaction failed earlier and was rolled back");
			}
			s->res = r;
			s->nrows = st == PGRES_TUPLES_OK ? PQntuples(r) : 0;
			s->ncols = PQnfields(r);
			s->row = -1;
			return 0;
		}
		const char *ss = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		int serial = ss && (strcmp(ss, "40001") == 0 || strcmp(ss, "40P01") == 0);
		if (conn_lost(d->conn, r)) {
			int rc = res_err(d->conn, r, e);
			PQclear(r);
			if (!was_idle && s->kind != K_BEGIN && s->kind != K_ROLLBACK)
				d->broken_txn = 1;
			if (attempt == 0 && retry_safe(s, was_idle) && reconnect(d, e) == 0)
				continue;
			return rc ? rc : ERR_UNAVAILABLE;
		}
		int rc = res_err(d->conn, r, e);
		PQclear(r);
		if (serial && was_idle && attempt < SERIALIZATION_RETRIES)
			continue;
		return rc;
	}
}

static int pg_step(struct db_stmt *st, struct err *e)
{
	struct pg_stmt *s = S(st);
	if (!s->res) {
		int rc = pg_exec(s, e);
		if (rc)
			return rc;
	}
	if (s->row + 1 >= s->nrows) {
		s->row = s->nrows;
		return DB_DONE;
	}
	s->row++;
	return DB_ROW;
}

static void pg_reset(struct db_stmt *st)
{
	struct pg_stmt *s = S(st);
	pg_cell_clear(s);
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	buf_reset(&s->vals);
}

static void pg_finalize(struct db_stmt *st)
{
	struct pg_stmt *s = S(st);
	struct pg_db *d = D(st->db);
	pg_reset(st);
	if (s->name[0] && s->epoch == d->epoch)
		buf_printf(&d->dealloc, "DEALLOCATE %s;", s->name);
	stmt_free_parts(s);
}

static void exec_ignore(PGconn *c, const char *sql)
{
	PQclear(PQexec(c, sql));
}

/* lastval() fails when this session has used no sequence yet, and inside a transaction
 * that error would abort it: there it runs in a savepoint. 0 when there is no id. */
static int64_t pg_last_id(struct db *db)
{
	PGconn *c = D(db)->conn;
	int in_txn = PQtransactionStatus(c) == PQTRANS_INTRANS;
	if (in_txn)
		exec_ignore(c, "SAVEPOINT wm_lastval");
	PGresult *r = PQexec(c, "SELECT lastval()");
	int64_t id = 0;
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	if (ok)
		id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if (in_txn && !ok)
		exec_ignore(c, "ROLLBACK TO SAVEPOINT wm_lastval");
	if (in_txn)
		exec_ignore(c, "RELEASE SAVEPOINT wm_lastval");
	return id;
}

static int pg_in_transaction(struct db *db)
{
	PGTransactionStatusType t = PQtransactionStatus(D(db)->conn);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static int pg_translate_ddl(struct db *db, const char *sql, struct buf *out, struct err *e)
{
	(void)db, (void)e;
	pg_sql_translate_ddl(sql, out);
	return 0;
}

static int pg_backup(struct db *db, const char *file, struct err *e)
{
	return pg_dump_backup(D(db)->url, file, e);
}

static int pg_restore(struct db *db, const char *file, struct err *e)
{
	return pg_dump_restore(D(db)->url, file, e);
}

static const struct db_ops pg_ops = {
    .dialect = "postgresql",
    /* READ COMMITTED: each statement sees the latest commits and row locks serialise
     * writers on the same rows; `UPDATE ... WHERE version = ?` guards lost updates. */
    .begin_write_sql = "BEGIN",
    .close = pg_close,
    .exec_script = pg_exec_script,
    .prepare = pg_prepare,
    .bind = pg_bind,
    .step = pg_step,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .col_count = pg_col_count,
    .col_is_null = pg_col_is_null,
    .col_int = pg_col_int,
    .col_real = pg_col_real,
    .col_text = pg_col_text,
    .col_bytes = pg_col_bytes,
    .last_id = pg_last_id,
    .in_transaction = pg_in_transaction,
    .translate_ddl = pg_translate_ddl,
    .backup = pg_backup,
    .restore = pg_restore,
};
