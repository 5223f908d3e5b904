/* Reading a PostgreSQL result's columns (see db_pg.h): text as libpq gives it, bytea
 * unescaped, booleans as 1/0, NULL as "" and 0. */
#include <stdlib.h>

#include "store/db_pg.h"

void pg_cell_clear(struct pg_stmt *s)
{
	if (s->unesc)
		PQfreemem(s->unesc);
	s->unesc = NULL;
}

/* Whether (current row, col) is a cell of the result: not before the first step or after
 * the last. */
static int in_row(struct pg_stmt *s, int col)
{
	return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < s->ncols;
}

int pg_col_count(struct db_stmt *st)
{
	struct pg_stmt *s = S(st);
	if (s->ncols < 0 && s->name[0]) { /* before the first step, as SQLite can answer */
		struct pg_db *d = D(st->db);
		PGresult *r = PQdescribePrepared(d->conn, s->name);
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			s->ncols = PQnfields(r);
		PQclear(r);
	}
	return s->ncols < 0 ? 0 : s->ncols;
}

int pg_col_is_null(struct db_stmt *st, int col)
{
	struct pg_stmt *s = S(st);
	return !in_row(s, col) || PQgetisnull(s->res, s->row, col);
}

/* bytea arrives hex-escaped in text results; unescape the cell once per row. */
static const unsigned char *bytea_cell(struct pg_stmt *s, int col, size_t *n)
{
	if (!s->unesc || s->unesc_row != s->row || s->unesc_col != col) {
		pg_cell_clear(s);
		s->unesc = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, col),
		                           &s->unesc_len);
		s->unesc_row = s->row;
		s->unesc_col = col;
	}
	*n = s->unesc ? s->unesc_len : 0;
	return s->unesc ? s->unesc : (const unsigned char *)"";
}

const char *pg_col_text(struct db_stmt *st, int col)
{
	struct pg_stmt *s = S(st);
	if (!in_row(s, col))
		return "";
	if (PQftype(s->res, col) == BYTEAOID && !PQgetisnull(s->res, s->row, col)) {
		size_t n;
		return (const char *)bytea_cell(s, col, &n);
	}
	return PQgetvalue(s->res, s->row, col); /* "" for NULL */
}

size_t pg_col_bytes(struct db_stmt *st, int col)
{
	struct pg_stmt *s = S(st);
	if (!in_row(s, col))
		return 0;
	if (PQftype(s->res, col) == BYTEAOID && !PQgetisnull(s->res, s->row, col)) {
		size_t n;
		(void)bytea_cell(s, col, &n);
		return n;
	}
	return (size_t)PQgetlength(s->res, s->row, col);
}

/* Booleans read as 1/0: portable SQL like EXISTS(...) yields one here, an integer in
 * SQLite. */
int64_t pg_col_int(struct db_stmt *st, int col)
{
	const char *v = pg_col_text(st, col);
	if (v[0] == 't' && !v[1])
		return 1;
	if (v[0] == 'f' && !v[1])
		return 0;
	return strtoll(v, NULL, 10);
}

double pg_col_real(struct db_stmt *st, int col)
{
	const char *v = pg_col_text(st, col);
	if (v[0] == 't' && !v[1])
		return 1;
	return strtod(v, NULL);
}
