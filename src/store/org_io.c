/* What the units and areas importers share: the error list and its rendering, the
 * transaction, text checks, the code tree (duplicates, unknown parents, cycles, write order)
 * and the spreadsheet-formula guard of CSV cells. */
#include "store/org_io.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/utf8.h"
#include "store/db.h"
#include "store/org_io_internal.h"

/* Errors ------------------------------------------------------------------------------------ */

void org_io_add(struct org_io_report *r, long line, int feature, const char *code, const char *fmt,
                ...)
{
	if (r->nerrors >= ORG_IO_MAX_ERRORS) {
		r->more++;
		return;
	}
	struct org_io_error *x = &r->errors[r->nerrors++];
	x->line = line;
	x->feature = feature;
	snprintf(x->code, sizeof x->code, "%s", code ? code : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof x->msg, fmt, ap);
	va_end(ap);
}

void org_io_render(const char *file, const struct org_io_error *x, char *out, size_t size)
{
	/* line < 0: the message already names its place (a CSV syntax error from lib/csv). */
	if (x->line < 0)
		snprintf(out, size, "%s", x->msg);
	else if (x->feature && x->code[0])
		snprintf(out, size, "%s:%ld: feature %d (%s): %s", file, x->line, x->feature,
		         x->code, x->msg);
	else if (x->feature)
		snprintf(out, size, "%s:%ld: feature %d: %s", file, x->line, x->feature, x->msg);
	else
		snprintf(out, size, "%s:%ld: %s", file, x->line, x->msg);
}

int org_io_failed(const struct org_io_report *r, const char *path, int code, struct err *e)
{
	if (!r->nerrors)
		return 0;
	char first[600];
	org_io_render(path, &r->errors[0], first, sizeof first);
	int more = r->nerrors - 1 + r->more;
	if (more)
		return err_set(e, code, "%s (and %d more error%s)", first, more,
		               more > 1 ? "s" : "");
	return err_set(e, code, "%s", first);
}

/* The transaction ----------------------------------------------------------------------------- */

int org_io_begin(struct db *db, const struct org_io_opts *o, struct err *e)
{
	return o->in_transaction ? db_savepoint(db, "org_io", e) : db_begin_write(db, e);
}

int org_io_end(struct db *db, const struct org_io_opts *o, int rc, struct err *e)
{
	if (rc == 0 && !o->dry_run)
		return o->in_transaction ? db_release(db, "org_io", e) : db_commit(db, e);
	if (o->in_transaction)
		db_rollback_to(db, "org_io");
	else
		db_rollback(db);
	return rc;
}

/* Text ------------------------------------------------------------------------------------- */

int org_code_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
	return n >= 1 && n <= 64 && s[n] == '\0';
}

const char *org_text_problem(const char *s, int newlines, size_t max)
{
	size_t n = strlen(s);
	if (!utf8_valid(s, n))
		return "is not valid UTF-8";
	if (utf8_has_controls(s, n, newlines))
		return "holds control characters";
	if (utf8_length(s, n) > max)
		return "is too long";
	return NULL;
}

int org_read_file(const char *path, size_t max, char **out, size_t *len, struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, ERR_NOT_FOUND, "%s: %s", path, strerror(errno));
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	int rc = 0;
	while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > max)
			rc = err_set(e, ERR_TOO_LARGE, "%s: larger than %zu bytes", path, max);
	}
	if (!rc && ferror(f))
		rc = err_set(e, ERR_INTERNAL, "%s: read error", path);
	fclose(f);
	if (rc) {
		buf_free(&b);
		return rc;
	}
	*out = buf_detach(&b, len);
	return 0;
}

/* The tree ------------------------------------------------------------------------------------ */

void org_tree_add(struct org_tree *t, const struct org_node *node)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		struct org_node *grown = realloc(t->v, t->cap * sizeof *t->v);
		if (!grown)
			abort(); /* as buf and arena do: a loader that cannot allocate cannot go on
			          */
		t->v = grown;
	}
	t->v[t->n++] = *node;
}

/* By code; for one code the database row first, then file rows in file order. */
static int node_cmp(const void *pa, const void *pb)
{
	const struct org_node *a = pa, *b = pb;
	int d = strcmp(a->code, b->code);
	if (d)
		return d;
	if (a->in_file != b->in_file)
		return a->in_file - b->in_file;
	return (a->line > b->line) - (a->line < b->line) + (a->feature > b->feature) -
	       (a->feature < b->feature);
}

void org_tree_merge(struct org_tree *t, struct org_io_report *r)
{
	if (t->n)
		qsort(t->v, t->n, sizeof *t->v, node_cmp);
	size_t out = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct org_node *prev = out ? &t->v[out - 1] : NULL;
		struct org_node *cur = &t->v[i];
		if (!prev || strcmp(prev->code, cur->code) != 0) {
			t->v[out++] = *cur;
		} else if (!prev->in_file) { /* the file updates a database row */
			int64_t id = prev->id;
			*prev = *cur;
			prev->id = id;
			prev->existed = 1;
		} else if (cur->feature) {
			org_io_add(r, cur->line, cur->feature, cur->code,
			           "%s code \"%s\" appears twice (first in feature %d)", t->what,
			           cur->code, prev->feature);
		} else {
			org_io_add(r, cur->line, 0, cur->code,
			           "%s code \"%s\" appears twice (first on line %ld)", t->what,
			           cur->code, prev->line);
		}
	}
	t->n = out;
}

struct org_node *org_tree_find(struct org_tree *t, const char *code)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(t->v[mid].code, code);
		if (d == 0)
			return &t->v[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Walks up from node: its depth, or -1 when the walk comes back to node (a cycle through
 * it). A walk that enters a cycle elsewhere stops after t->n steps; that cycle holds a file
 * row of its own, which is reported there. Unknown parents end the walk (reported apart). */
static int node_depth(struct org_tree *t, struct org_node *node)
{
	int depth = 0;
	struct org_node *p = node;
	while (p->parent && (size_t)depth <= t->n) {
		p = org_tree_find(t, p->parent);
		if (!p)
			break;
		if (p == node)
			return -1;
		depth++;
	}
	return depth;
}

void org_tree_check(struct org_tree *t, struct org_io_report *r)
{
	for (size_t i = 0; i < t->n; i++) {
		struct org_node *u = &t->v[i];
		if (!u->in_file)
			continue;
		if (u->parent && !org_tree_find(t, u->parent)) {
			org_io_add(r, u->line, u->feature, u->code,
			           "parent_code \"%s\" is not a known %s", u->parent, t->what);
			continue;
		}
		u->depth = node_depth(t, u);
		if (u->depth < 0)
			org_io_add(r, u->line, u->feature, u->code,
			           "%s \"%s\" is its own ancestor (a cycle of parent codes)",
			           t->what, u->code);
	}
}

static int order_cmp(const void *pa, const void *pb)
{
	const struct org_node *a = *(struct org_node *const *)pa,
	                      *b = *(struct org_node *const *)pb;
	if (a->depth != b->depth)
		return a->depth - b->depth;
	if (a->line != b->line)
		return (a->line > b->line) - (a->line < b->line);
	return a->feature - b->feature;
}

struct org_node **org_tree_write_order(struct org_tree *t, size_t *n)
{
	struct org_node **v = arena_alloc(t->a, (t->n + 1) * sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].in_file)
			v[k++] = &t->v[i];
	if (k)
		qsort(v, k, sizeof *v, order_cmp);
	*n = k;
	return v;
}

void org_tree_free(struct org_tree *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

/* The formula guard --------------------------------------------------------------------------- */

/* Spreadsheets run a cell starting with = + - @ as a formula (tab and CR can hide such a
 * start). A quote before it makes it text. A cell that starts with a quote followed by a
 * guarded cell is guarded as well, so that unguarding (dropping one quote) is exact. */
static int needs_guard(const char *s)
{
	if (*s && strchr("=+-@\t\r", *s))
		return 1;
	return *s == '\'' && needs_guard(s + 1);
}

const char *org_csv_unguard(const char *s)
{
	return *s == '\'' && needs_guard(s + 1) ? s + 1 : s;
}

void org_csv_cell(struct buf *b, const char *s)
{
	int guard = needs_guard(s);
	if (!strpbrk(s, ",\"\r\n")) {
		if (guard)
			buf_addc(b, '\'');
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '"');
	if (guard)
		buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}
