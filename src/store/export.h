/* A portable dump of a whole database as JSON lines, for moving a city between stores
 * (SQLite -> PostgreSQL): `wenming export` / `wenming import`. Photo files are not in it.
 *
 * Format (one JSON object per line, UTF-8, '\n' after every line):
 *   {"wenming_export":1,"schema_version":N,"tables":["unit",...]}      header
 *   {"t":"unit","r":{"id":1,"code":"D-01",...}}                          one per row
 *   {"t":"unit","count":N,"sha256":"<64 hex>"}                          trailer per table
 * Tables come in export_tables order (parents before children), each table's rows ordered by
 * primary key (texts compared bytewise), every column present in the order of the schema:
 * integers as JSON integers, reals as JSON reals (shortest text that reads back as the same
 * double, always with '.' or 'e'), NULL as null, text as JSON strings (only '"', '\\' and
 * control characters escaped; other UTF-8 written as is). So a given database state has
 * exactly one export text, whichever store it is in.
 * Checksum: the SHA-256 (lowercase hex) of the table's row lines concatenated, each line
 * exactly as written including its '\n' — i.e. of the bytes between the previous table's
 * trailer (or the header) and this table's trailer. */
#ifndef WM_EXPORT_H
#define WM_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "lib/err.h"

struct db;

/* One exported table. Names are compiled in and pasted into SQL: they never come from the
 * input or the database. types: one letter per column, i(nteger), r(eal) or t(ext). */
struct export_table {
	const char *name;
	const char *order_by; /* the primary key columns */
	const char *types;
	const char *cols[48]; /* NULL-terminated, in schema order */
};

/* In dependency order; ends with a NULL name. schema_version (migration bookkeeping) is not
 * a data table: the header carries its version instead. */
extern const struct export_table export_tables[];

struct export_stats {
	int tables;
	int64_t rows;
};

/* Writes the whole database to out in one read transaction (a consistent snapshot). Fails
 * when the database's tables or columns differ from export_tables. */
int export_jsonl(struct db *db, FILE *out, struct export_stats *stats, struct err *e);

/* Loads an export into db: applies pending migrations, refuses a database that holds any
 * rows, then inserts everything in one transaction, checking each table's count and
 * checksum (of the lines read and of the rows read back) before COMMIT. Errors name the
 * line: "line 42: ...". On PostgreSQL the id sequences are moved past the largest id. */
int import_jsonl(struct db *db, FILE *in, struct export_stats *stats, struct err *e);

/* Shared by export and import. */
int export_check_schema(struct db *db, struct err *e);
int export_schema_version(struct db *db, int64_t *version, struct err *e);
/* Reads one table (ordered as exported) and writes its row lines to out (NULL: only count
 * them), giving the count and checksum hex (65 bytes with the NUL). */
int export_table_rows(struct db *db, const struct export_table *t, FILE *out, int64_t *count,
                      char hex[65], struct err *e);

#endif
