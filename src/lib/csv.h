/* An RFC 4180 CSV reader for data files: quoted fields with doubled quotes, commas and newlines,
 * CRLF or LF line ends, a UTF-8 byte-order mark skipped. Read row by row; fields are looked up
 * by header name. Errors name the source and the line: "data/x.csv:17: unterminated quote". */
#ifndef WM_CSV_H
#define WM_CSV_H

#include <stddef.h>

#include "lib/err.h"

struct csv;

/* Largest input accepted (csv_open_file): data files are small; this guards against mistakes. */
enum { CSV_MAX_BYTES = 64 << 20 };

/* Reads the whole file. name (usually the path) is used in messages. Free with csv_free. */
int csv_open_file(const char *path, struct csv **out, struct err *e);
/* Parses a copy of data[0..len). name is used in messages. Free with csv_free. */
int csv_open_mem(const char *name, const char *data, size_t len, struct csv **out, struct err *e);
void csv_free(struct csv *c);

/* Reads the first record as the header; must be called before csv_next. Column names must be
 * unique and non-empty. Every later record must have as many fields as the header. */
int csv_read_header(struct csv *c, struct err *e);
/* Fails, naming the first one missing, unless the header has every column in names (NULL-ended). */
int csv_require(struct csv *c, const char *const *names, struct err *e);

/* Advances to the next record: 1 when there is one, 0 at the end, negative on a syntax error.
 * Lines that are entirely empty are skipped (a one-column file cannot hold empty values). */
int csv_next(struct csv *c, struct err *e);

/* The current record. Strings are NUL-terminated and valid until the next csv_next. */
size_t csv_nfields(const struct csv *c);
const char *csv_field(const struct csv *c, size_t i); /* NULL when i is out of range */
/* Index of a header column, or -1. */
int csv_col(const struct csv *c, const char *name);
/* The current record's field in column name; NULL when the header has no such column. */
const char *csv_get(const struct csv *c, const char *name);

/* The line the current record starts on (1-based; the header is line 1 unless blank lines
 * precede it), and the name given at open. For messages: "%s:%ld: ...". */
long csv_line(const struct csv *c);
const char *csv_name(const struct csv *c);

/* Sets e to "name:line: <message>" for the current record and returns code. */
int csv_error(const struct csv *c, struct err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
