/* Dialect sections in migration files. Most DDL is portable (the PostgreSQL driver rewrites
 * the few type names that differ); what cannot be, such as triggers, goes in sections:
 *
 *     -- @dialect sqlite
 *     CREATE TRIGGER ... BEGIN ...; END;
 *     -- @dialect postgresql
 *     CREATE FUNCTION ... $$ ... $$; CREATE TRIGGER ...;
 *     -- @dialect all
 *
 * A marker is a whole line. Text before the first marker and after `@dialect all` is kept
 * for every dialect. */
#ifndef WM_SQL_DIALECT_H
#define WM_SQL_DIALECT_H

#include "lib/buf.h"
#include "lib/err.h"

/* Appends to out the lines of sql meant for dialect ("sqlite" or "postgresql"); the lines
 * of other dialects' sections become empty lines, so error line numbers still match the
 * file. ERR_INTERNAL on a marker naming an unknown dialect. */
int sql_select_dialect(const char *sql, const char *dialect, struct buf *out, struct err *e);

#endif
