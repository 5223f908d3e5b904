/* `wenming export units|areas`: the formats `wenming import units|areas` reads, so that an
 * export imported into a new database gives the same rows. Rows come in tree order (a parent,
 * then its children by sort and code, depth first), which a reader can follow and the
 * importer does not need but keeps. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "store/db.h"
#include "store/org_io.h"

/* One exported row: its place in the tree and its finished text. */
struct xrow {
	int64_t id, pid, sort;
	const char *code;
	char *text; /* one CSV line or one feature, without the line end */
	int done;
};

struct xtree {
	struct xrow *v;
	size_t n, cap;
	struct arena a;
};

static void xtree_add(struct xtree *t, const struct xrow *r)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		struct xrow *grown = realloc(t->v, t->cap * sizeof *t->v);
		if (!grown)
			abort(); /* as buf and arena do */
		t->v = grown;
	}
	t->v[t->n++] = *r;
}

static int sibling_cmp(const void *pa, const void *pb)
{
	const struct xrow *a = pa, *b = pb;
	if (a->pid != b->pid)
		return (a->pid > b->pid) - (a->pid < b->pid);
	if (a->sort != b->sort)
		return (a->sort > b->sort) - (a->sort < b->sort);
	return strcmp(a->code, b->code);
}

/* The first row whose parent is pid, in rows sorted by sibling_cmp; n when none. */
static size_t first_child(const struct xtree *t, int64_t pid)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->v[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->v[lo].pid == pid ? lo : t->n;
}

static int has_id(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id;
}

static void emit_row(struct xtree *t, size_t i, struct buf *out, const char *sep, long *count)
{
	t->v[i].done = 1;
	buf_printf(out, "%s%s", *count ? sep : "", t->v[i].text);
	(*count)++;
}

/* Writes row i and, depth first, its subtree. A stack of child cursors (the next sibling to
 * visit at each level) keeps deep trees off the C stack; each row is pushed once, when it is
 * written, and done marks guard against cycles typed into the database by hand. */
static void emit_tree(struct xtree *t, size_t i, struct buf *out, const char *sep, long *count)
{
	size_t *stack = malloc((t->n + 1) * sizeof *stack);
	if (!stack)
		abort();
	size_t top = 0;
	emit_row(t, i, out, sep, count);
	stack[top++] = first_child(t, t->v[i].id);
	while (top) {
		size_t c = stack[top - 1];
		if (c >= t->n) {
			top--;
			continue;
		}
		int more = c + 1 < t->n && t->v[c + 1].pid == t->v[c].pid;
		stack[top - 1] = more ? c + 1 : t->n;
		if (t->v[c].done)
			continue;
		emit_row(t, c, out, sep, count);
		stack[top++] = first_child(t, t->v[c].id);
	}
	free(stack);
}

static int id_cmp(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
	return (a > b) - (a < b);
}

/* Roots (no parent, or a parent that is not there) first with their subtrees, then anything
 * left over (rows in a cycle), in sibling order. */
static void emit_all(struct xtree *t, struct buf *out, const char *sep, long *count)
{
	if (!t->n)
		return;
	qsort(t->v, t->n, sizeof *t->v, sibling_cmp);
	int64_t *ids = malloc(t->n * sizeof *ids);
	if (!ids)
		abort();
	for (size_t i = 0; i < t->n; i++)
		ids[i] = t->v[i].id;
	qsort(ids, t->n, sizeof *ids, id_cmp);
	for (size_t i = 0; i < t->n; i++)
		if (!t->v[i].done && (!t->v[i].pid || !has_id(ids, t->n, t->v[i].pid)))
			emit_tree(t, i, out, sep, count);
	for (size_t i = 0; i < t->n; i++)
		if (!t->v[i].done)
			emit_tree(t, i, out, sep, count);
	free(ids);
}

static void xtree_free(struct xtree *t)
{
	free(t->v);
	arena_free(&t->a);
}

static int write_out(FILE *out, const struct buf *b, struct err *e)
{
	if (fwrite(b->data, 1, b->len, out) != b->len || fflush(out) != 0)
		return err_set(e, ERR_INTERNAL, "write error");
	return 0;
}

/* Units ------------------------------------------------------------------------------------ */

static const char UNIT_HEADER[] =
    "code,name,kind,parent_code,phone,contact,email,address,area_code,sort";

static char *unit_line(struct arena *a, struct db_stmt *st)
{
	struct buf b = BUF_INIT;
	for (int c = 4; c <= 12; c++) {
		org_csv_cell(&b, db_col_text(st, c));
		buf_addc(&b, ',');
	}
	buf_printf(&b, "%lld", (long long)db_col_int(st, 3));
	char *s = arena_strdup(a, b.data);
	buf_free(&b);
	return s;
}

int org_export_units(struct db *db, FILE *out, long *rows, struct err *e)
{
	struct xtree t = {0};
	arena_init(&t.a);
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT u.id, u.parent_id, u.code, u.sort, u.code, u.name, u.kind,"
	                  " p.code, u.phone, u.contact, u.email, u.address, a.code FROM unit u"
	                  " LEFT JOIN unit p ON p.id = u.parent_id"
	                  " LEFT JOIN area a ON a.id = u.area_id",
	                  NULL, 0, &st, e);
	if (!rc) {
		while ((rc = db_step(st, e)) == DB_ROW) {
			struct xrow r = {.id = db_col_int(st, 0),
			                 .pid = db_col_int(st, 1),
			                 .sort = db_col_int(st, 3),
			                 .code = arena_strdup(&t.a, db_col_text(st, 2))};
			r.text = unit_line(&t.a, st);
			xtree_add(&t, &r);
		}
		db_done(st);
	}
	long count = 0;
	if (rc >= 0) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "%s\n", UNIT_HEADER);
		emit_all(&t, &b, "\n", &count);
		if (count)
			buf_addc(&b, '\n');
		rc = write_out(out, &b, e);
		buf_free(&b);
	}
	xtree_free(&t);
	if (rc == 0 && rows)
		*rows = count;
	return rc < 0 ? rc : 0;
}

/* Areas ------------------------------------------------------------------------------------ */

static json_t *nullable(const char *s, int is_null)
{
	return is_null ? json_null() : json_string(s);
}

static int area_feature(struct arena *a, struct db_stmt *st, char **text, struct err *e)
{
	json_error_t je;
	json_t *geo = json_loads(db_col_text(st, 7), 0, &je);
	if (!geo)
		return err_set(e, ERR_INTERNAL, "area %s: stored geometry is not JSON: %s",
		               db_col_text(st, 2), je.text);
	json_t *props = json_pack("{s:s, s:s, s:s, s:o, s:o}", "code", db_col_text(st, 2), "name",
	                          db_col_text(st, 4), "kind", db_col_text(st, 5), "parent_code",
	                          nullable(db_col_text(st, 6), db_col_is_null(st, 6)), "unit_code",
	                          nullable(db_col_text(st, 8), db_col_is_null(st, 8)));
	json_t *f =
	    json_pack("{s:s, s:o, s:o}", "type", "Feature", "properties", props, "geometry", geo);
	char *s = f ? json_dumps(f, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
	json_decref(f);
	if (!s)
		return err_set(e, ERR_INTERNAL, "out of memory");
	*text = arena_strdup(a, s);
	free(s);
	return 0;
}

int org_export_areas(struct db *db, FILE *out, long *rows, struct err *e)
{
	struct xtree t = {0};
	arena_init(&t.a);
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT a.id, a.parent_id, a.code, 0, a.name, a.kind, p.code,"
	                  " a.geojson, u.code FROM area a"
	                  " LEFT JOIN area p ON p.id = a.parent_id"
	                  " LEFT JOIN unit u ON u.id = a.unit_id",
	                  NULL, 0, &st, e);
	if (!rc) {
		while ((rc = db_step(st, e)) == DB_ROW) {
			struct xrow r = {.id = db_col_int(st, 0),
			                 .pid = db_col_int(st, 1),
			                 .code = arena_strdup(&t.a, db_col_text(st, 2))};
			if ((rc = area_feature(&t.a, st, &r.text, e)))
				break;
			xtree_add(&t, &r);
		}
		db_done(st);
	}
	long count = 0;
	if (rc >= 0) {
		struct buf b = BUF_INIT;
		buf_adds(&b, "{\"type\":\"FeatureCollection\",\"features\":[\n");
		emit_all(&t, &b, ",\n", &count);
		buf_adds(&b, count ? "\n]}\n" : "]}\n");
		rc = write_out(out, &b, e);
		buf_free(&b);
	}
	xtree_free(&t);
	if (rc == 0 && rows)
		*rows = count;
	return rc < 0 ? rc : 0;
}
