/* RFC 4180 reader. The whole input is held in memory (data files are small) and parsed one
 * record at a time into `row`: the unescaped fields back to back, each NUL-terminated, with
 * their start offsets in `off`. Line numbers count LF characters, also those inside quotes. */
#include "lib/csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

struct csv {
	char *name;
	char *data;
	size_t len, pos;
	long line;     /* line of data[pos] */
	long rec_line; /* line the current record starts on */
	struct buf row;
	size_t *off; /* field start offsets into row.data */
	size_t nf, capf;
	char **hdr; /* owned copies of the header names */
	size_t nhdr;
	int have_header;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fputs("out of memory\n", stderr);
		abort();
	}
	return q;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xrealloc(NULL, n), s, n);
}

int csv_open_mem(const char *name, const char *data, size_t len, struct csv **out, struct err *e)
{
	if (len > CSV_MAX_BYTES)
		return err_set(e, ERR_TOO_LARGE, "%s: larger than %d bytes", name, CSV_MAX_BYTES);
	struct csv *c = xrealloc(NULL, sizeof *c);
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	c->data = xrealloc(NULL, len + 1);
	if (len)
		memcpy(c->data, data, len);
	c->data[len] = '\0';
	c->len = len;
	c->line = 1;
	buf_init(&c->row);
	if (len >= 3 && memcmp(c->data, "\xEF\xBB\xBF", 3) == 0)
		c->pos = 3;
	*out = c;
	return 0;
}

int csv_open_file(const char *path, struct csv **out, struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, ERR_NOT_FOUND, "%s: %s", path, strerror(errno));
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	int rc = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + n > CSV_MAX_BYTES) {
			rc = err_set(e, ERR_TOO_LARGE, "%s: larger than %d bytes", path,
			             CSV_MAX_BYTES);
			break;
		}
		buf_add(&b, chunk, n);
	}
	if (!rc && ferror(f))
		rc = err_set(e, ERR_INTERNAL, "%s: read error", path);
	fclose(f);
	if (!rc)
		rc = csv_open_mem(path, b.data, b.len, out, e);
	buf_free(&b);
	return rc;
}

void csv_free(struct csv *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nhdr; i++)
		free(c->hdr[i]);
	free(c->hdr);
	free(c->off);
	buf_free(&c->row);
	free(c->data);
	free(c->name);
	free(c);
}

static int at_error(const struct csv *c, long line, struct err *e, const char *what)
{
	return err_set(e, ERR_BAD_REQUEST, "%s:%ld: %s", c->name, line, what);
}

static void push_field(struct csv *c, size_t start)
{
	buf_addc(&c->row, '\0');
	if (c->nf == c->capf) {
		c->capf = c->capf ? c->capf * 2 : 16;
		c->off = xrealloc(c->off, c->capf * sizeof *c->off);
	}
	c->off[c->nf++] = start;
}

/* Consumes a line end at pos (LF or CRLF); 0 when there is none, -1 for a CR without LF. */
static int eat_eol(struct csv *c)
{
	if (c->data[c->pos] == '\n') {
		c->pos++;
		c->line++;
		return 1;
	}
	if (c->data[c->pos] == '\r') {
		if (c->data[c->pos + 1] != '\n')
			return -1;
		c->pos += 2;
		c->line++;
		return 1;
	}
	return 0;
}

static int read_quoted(struct csv *c, struct err *e)
{
	long open_line = c->line;
	c->pos++; /* the opening quote */
	for (;;) {
		if (c->pos >= c->len)
			return at_error(c, open_line, e, "unterminated quoted field");
		char ch = c->data[c->pos];
		if (ch == '"') {
			if (c->data[c->pos + 1] == '"') {
				buf_addc(&c->row, '"');
				c->pos += 2;
				continue;
			}
			c->pos++;
			break;
		}
		if (ch == '\0')
			return at_error(c, c->line, e, "NUL byte in input");
		if (ch == '\n')
			c->line++;
		buf_addc(&c->row, ch);
		c->pos++;
	}
	char ch = c->data[c->pos];
	if (c->pos < c->len && ch != ',' && ch != '\n' && ch != '\r')
		return at_error(c, c->line, e, "unexpected character after a closing quote");
	return 0;
}

static int read_plain(struct csv *c, struct err *e)
{
	size_t start = c->pos;
	while (c->pos < c->len) {
		char ch = c->data[c->pos];
		if (ch == ',' || ch == '\n' || ch == '\r')
			break;
		if (ch == '"')
			return at_error(c, c->line, e, "quote inside an unquoted field");
		if (ch == '\0')
			return at_error(c, c->line, e, "NUL byte in input");
		c->pos++;
	}
	buf_add(&c->row, c->data + start, c->pos - start);
	return 0;
}

/* 1 record read, 0 end of input, negative error. */
static int read_record(struct csv *c, struct err *e)
{
	for (;;) { /* skip empty lines */
		int r = c->pos < c->len ? eat_eol(c) : 0;
		if (r < 0)
			return at_error(c, c->line, e, "carriage return without line feed");
		if (r == 0)
			break;
	}
	if (c->pos >= c->len)
		return 0;
	c->rec_line = c->line;
	buf_reset(&c->row);
	c->nf = 0;
	for (;;) {
		size_t start = c->row.len;
		int rc = c->data[c->pos] == '"' ? read_quoted(c, e) : read_plain(c, e);
		if (rc)
			return rc;
		push_field(c, start);
		if (c->pos >= c->len)
			return 1;
		if (c->data[c->pos] == ',') {
			c->pos++;
			continue;
		}
		if (eat_eol(c) < 0)
			return at_error(c, c->line, e, "carriage return without line feed");
		return 1;
	}
}

int csv_read_header(struct csv *c, struct err *e)
{
	if (c->have_header)
		return err_set(e, ERR_INTERNAL, "%s: header read twice", c->name);
	int rc = read_record(c, e);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return at_error(c, c->line, e, "empty file: no header row");
	c->hdr = xrealloc(NULL, c->nf * sizeof *c->hdr);
	for (size_t i = 0; i < c->nf; i++) {
		const char *h = c->row.data + c->off[i];
		if (!*h) {
			c->nhdr = i;
			return csv_error(c, e, ERR_BAD_REQUEST, "header column %zu is empty",
			                 i + 1);
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->hdr[j], h) == 0) {
				c->nhdr = i;
				return csv_error(c, e, ERR_BAD_REQUEST,
				                 "header column \"%s\" appears twice", h);
			}
		c->hdr[i] = xstrdup(h);
	}
	c->nhdr = c->nf;
	c->have_header = 1;
	return 0;
}

int csv_require(struct csv *c, const char *const *names, struct err *e)
{
	for (; *names; names++)
		if (csv_col(c, *names) < 0)
			return err_set(e, ERR_BAD_REQUEST, "%s:1: header has no column \"%s\"",
			               c->name, *names);
	return 0;
}

int csv_next(struct csv *c, struct err *e)
{
	if (!c->have_header)
		return err_set(e, ERR_INTERNAL, "%s: csv_next before csv_read_header", c->name);
	int rc = read_record(c, e);
	if (rc <= 0) {
		c->nf = 0;
		return rc;
	}
	if (c->nf != c->nhdr) {
		size_t nf = c->nf;
		c->nf = 0;
		return err_set(e, ERR_BAD_REQUEST, "%s:%ld: %zu fields, the header has %zu",
		               c->name, c->rec_line, nf, c->nhdr);
	}
	return 1;
}

size_t csv_nfields(const struct csv *c)
{
	return c->nf;
}

const char *csv_field(const struct csv *c, size_t i)
{
	return i < c->nf ? c->row.data + c->off[i] : NULL;
}

int csv_col(const struct csv *c, const char *name)
{
	for (size_t i = 0; i < c->nhdr; i++)
		if (strcmp(c->hdr[i], name) == 0)
			return (int)i;
	return -1;
}

const char *csv_get(const struct csv *c, const char *name)
{
	int i = csv_col(c, name);
	return i < 0 ? NULL : csv_field(c, (size_t)i);
}

long csv_line(const struct csv *c)
{
	return c->rec_line;
}

const char *csv_name(const struct csv *c)
{
	return c->name;
}

int csv_error(const struct csv *c, struct err *e, int code, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	buf_printf(&b, "%s:%ld: ", c->name, c->rec_line);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	err_set(e, code, "%s", b.data);
	buf_free(&b);
	return code;
}
