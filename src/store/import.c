/* wenming import: the reverse of export.c (format in export.h). Everything goes in in one
 * transaction; a table's count and checksum are checked at its trailer line (over the lines
 * as read) and again before COMMIT (over the rows read back from this database), so what is
 * committed is exactly what was exported. SQL identifiers come from export_tables only;
 * every value from the file is a bound parameter. */
#include "store/export.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "store/audit.h"
#include "store/case_search.h"
#include "store/db.h"
#include "store/migrate.h"

struct reader {
	FILE *in;
	char *line;
	size_t cap;
	size_t len;
	long no; /* line number of line */
};

/* 1 with a line (its '\n' kept in len, stripped from the text), 0 at the end. */
static int next_line(struct reader *r)
{
	ssize_t n = getline(&r->line, &r->cap, r->in);
	if (n <= 0)
		return 0;
	r->len = (size_t)n;
	r->no++;
	return 1;
}

static int fail(struct err *e, long line, const char *fmt, const char *a, const char *b)
{
	char msg[400];
	snprintf(msg, sizeof msg, fmt, a, b);
	return err_set(e, ERR_BAD_REQUEST, "line %ld: %s", line, msg);
}

static json_t *parse(struct reader *r, struct err *e)
{
	json_error_t je;
	json_t *j = json_loadb(r->line, r->len, JSON_ALLOW_NUL, &je);
	if (!j)
		fail(e, r->no, "not a JSON object: %s%s", je.text, "");
	else if (!json_is_object(j)) {
		json_decref(j);
		j = NULL;
		fail(e, r->no, "not a JSON object%s%s", "", "");
	}
	return j;
}

static int check_header(struct db *db, struct reader *r, struct err *e)
{
	if (!next_line(r))
		return err_set(e, ERR_BAD_REQUEST, "line 1: the file is empty");
	json_t *h = parse(r, e);
	if (!h)
		return e->code;
	int rc = 0;
	json_t *tables = json_object_get(h, "tables");
	int64_t want;
	if (json_integer_value(json_object_get(h, "wenming_export")) != 1 || !json_is_array(tables))
		rc = fail(e, r->no, "not a wenming export header (format version 1)%s%s", "", "");
	else if ((rc = export_schema_version(db, &want, e)) == 0 &&
	         json_integer_value(json_object_get(h, "schema_version")) != want) {
		char a[32], b[32];
		snprintf(a, sizeof a, "%lld",
		         (long long)json_integer_value(json_object_get(h, "schema_version")));
		snprintf(b, sizeof b, "%lld", (long long)want);
		rc = fail(e, r->no,
		          "the export is of schema version %s, this database is at %s: export and "
		          "import with the same wenming version",
		          a, b);
	}
	size_t i = 0;
	for (const struct export_table *t = export_tables; t->name && !rc; t++, i++) {
		const char *name = json_string_value(json_array_get(tables, i));
		if (!name || strcmp(name, t->name) != 0)
			rc =
			    fail(e, r->no, "the header lists tables %s where this build expects %s",
			         name ? name : "(missing)", t->name);
	}
	if (!rc && json_array_size(tables) != i)
		rc = fail(e, r->no, "the header lists more tables than this build knows%s%s", "",
		          "");
	json_decref(h);
	return rc;
}

static int refuse_nonempty(struct db *db, struct err *e)
{
	for (const struct export_table *t = export_tables; t->name; t++) {
		char sql[128];
		int64_t n = 0;
		snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s", t->name);
		int rc = db_get_int(db, sql, NULL, 0, &n, e);
		if (rc)
			return rc;
		if (n)
			return err_set(e, ERR_CONFLICT,
			               "the database is not empty (table %s has %lld rows): import "
			               "only into a new database (do not run `wenming init` on it)",
			               t->name, (long long)n);
	}
	return 0;
}

/* Columns that may point at a row not inserted yet: into their own table (seeding sets
 * parents in a second pass, so a child can have the smaller id), or into a table that comes
 * later (units and areas point at each other). Foreign keys are checked at once, so these
 * are inserted as NULL and set once table `after` is in. Table and column names come from
 * this fixed list only, never from the file. */
static const struct {
	const char *table, *col, *after;
} self_refs[] = {
    {"unit", "parent_id", "unit"},       {"unit", "area_id", "area"},
    {"area", "parent_id", "area"},       {"cases", "duplicate_of", "cases"},
    {"cases", "recurrence_of", "cases"}, {"cases", "likely_duplicate_of", "cases"},
};
enum { NSELF_REFS = sizeof self_refs / sizeof self_refs[0] };

struct fixup {
	int64_t id, value;
	int ref; /* index in self_refs */
};

struct fixups {
	struct fixup *v;
	size_t n, cap;
};

static int self_ref(const char *table, const char *col)
{
	for (int i = 0; i < NSELF_REFS; i++)
		if (strcmp(self_refs[i].table, table) == 0 && strcmp(self_refs[i].col, col) == 0)
			return i;
	return -1;
}

static int fixup_add(struct fixups *fx, int64_t id, int ref, int64_t value, struct err *e)
{
	if (fx->n == fx->cap) {
		size_t cap = fx->cap ? fx->cap * 2 : 64;
		struct fixup *v = realloc(fx->v, cap * sizeof *v);
		if (!v)
			return err_set(e, ERR_INTERNAL, "out of memory");
		fx->v = v;
		fx->cap = cap;
	}
	fx->v[fx->n++] = (struct fixup){.id = id, .value = value, .ref = ref};
	return 0;
}

/* Sets the references held back until table `done` was in (and drops them from fx). */
static int fixups_apply(struct db *db, struct fixups *fx, const char *done, struct err *e)
{
	size_t kept = 0;
	for (size_t i = 0; i < fx->n; i++) {
		if (strcmp(self_refs[fx->v[i].ref].after, done) != 0) {
			fx->v[kept++] = fx->v[i];
			continue;
		}
		char sql[128];
		snprintf(sql, sizeof sql, "UPDATE %s SET %s = ? WHERE id = ?",
		         self_refs[fx->v[i].ref].table, self_refs[fx->v[i].ref].col);
		int rc = db_run(db, sql, DB_ARGS(db_int(fx->v[i].value), db_int(fx->v[i].id)), e);
		if (rc)
			return err_set(e, rc, "table %s: %s %lld of row %lld: %.200s",
			               self_refs[fx->v[i].ref].table, self_refs[fx->v[i].ref].col,
			               (long long)fx->v[i].value, (long long)fx->v[i].id, e->msg);
	}
	fx->n = kept;
	return 0;
}

/* Binds the row object's values in column order and runs the INSERT. */
static int insert_row(struct db *db, const struct export_table *t, const char *sql, json_t *row,
                      long line, struct fixups *fx, struct err *e)
{
	struct db_val args[48]; /* export_table.cols */
	size_t n = 0;
	for (; t->cols[n]; n++) {
		json_t *v = json_object_get(row, t->cols[n]);
		char ty = t->types[n];
		if (!v)
			return fail(e, line, "column %s is missing%s", t->cols[n], "");
		int ref = json_is_integer(v) ? self_ref(t->name, t->cols[n]) : -1;
		json_t *id = json_object_get(row, "id");
		if (ref >= 0 && json_is_integer(id)) {
			int rc =
			    fixup_add(fx, json_integer_value(id), ref, json_integer_value(v), e);
			if (rc)
				return rc;
			args[n] = db_null();
		} else if (json_is_null(v))
			args[n] = db_null();
		else if (ty == 'i' && json_is_integer(v))
			args[n] = db_int(json_integer_value(v));
		else if (ty == 'r' && json_is_number(v))
			args[n] = db_real(json_number_value(v));
		else if (ty == 't' && json_is_string(v))
			args[n] = db_textn(json_string_value(v), json_string_length(v));
		else
			return fail(e, line, "column %s must be %s", t->cols[n],
			            ty == 'i'   ? "an integer"
			            : ty == 'r' ? "a number"
			                        : "a string");
	}
	if (json_object_size(row) != n)
		return fail(e, line, "the row of %s has columns this build does not know%s",
		            t->name, "");
	int rc = db_run(db, sql, args, n, e);
	if (rc) {
		char cause[300];
		snprintf(cause, sizeof cause, "%.280s", e->msg);
		return err_set(e, rc, "line %ld: inserting into %s failed: %s", line, t->name,
		               cause);
	}
	return 0;
}

static void insert_sql(const struct export_table *t, struct buf *sql)
{
	buf_printf(sql, "INSERT INTO %s (", t->name);
	for (int i = 0; t->cols[i]; i++)
		buf_printf(sql, "%s%s", i ? ", " : "", t->cols[i]);
	buf_adds(sql, ") VALUES (");
	for (int i = 0; t->cols[i]; i++)
		buf_adds(sql, i ? ", ?" : "?");
	buf_adds(sql, ")");
}

struct expected {
	int64_t count;
	char sha[65];
};

/* Reads one table's rows and its trailer. */
static int import_table(struct db *db, struct reader *r, const struct export_table *t,
                        struct expected *want, struct fixups *fx, struct err *e)
{
	struct buf sql = BUF_INIT;
	insert_sql(t, &sql);
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	int64_t count = 0;
	long first = r->no + 1;
	int rc = 0;
	for (;;) {
		if (!next_line(r)) {
			rc = err_set(e, ERR_BAD_REQUEST,
			             "line %ld: the file ends before the trailer of table %s",
			             r->no + 1, t->name);
			break;
		}
		json_t *j = parse(r, e);
		if (!j) {
			rc = e->code;
			break;
		}
		const char *name = json_string_value(json_object_get(j, "t"));
		json_t *row = json_object_get(j, "r");
		if (!name || strcmp(name, t->name) != 0) {
			rc = fail(e, r->no, "expected a row or the trailer of table %s, found %s",
			          t->name, name ? name : "no \"t\"");
		} else if (json_is_object(row)) {
			crypto_hash_sha256_update(&h, (const unsigned char *)r->line, r->len);
			count++;
			rc = insert_row(db, t, sql.data, row, r->no, fx, e);
		} else {
			json_t *c = json_object_get(j, "count");
			const char *sha = json_string_value(json_object_get(j, "sha256"));
			unsigned char sum[crypto_hash_sha256_BYTES];
			char hex[65];
			crypto_hash_sha256_final(&h, sum);
			sodium_bin2hex(hex, sizeof hex, sum, sizeof sum);
			char range[64];
			snprintf(range, sizeof range, "%ld-%ld", first, r->no - 1);
			if (!json_is_integer(c) || !sha || strlen(sha) != 64)
				rc = fail(e, r->no, "a bad trailer for table %s%s", t->name, "");
			else if (json_integer_value(c) != count)
				rc = fail(e, r->no,
				          "table %s: the trailer's count does not match the rows "
				          "on lines %s",
				          t->name, range);
			else if (strcmp(sha, hex) != 0)
				rc = fail(e, r->no,
				          "table %s: checksum mismatch: the rows on lines %s were "
				          "changed",
				          t->name, range);
			want->count = count;
			snprintf(want->sha, sizeof want->sha, "%s", hex);
			json_decref(j);
			if (!rc)
				rc = fixups_apply(db, fx, t->name, e);
			break;
		}
		json_decref(j);
		if (rc)
			break;
	}
	buf_free(&sql);
	return rc;
}

/* PostgreSQL identity columns keep their own counter: move it past the imported ids. */
static int move_sequences(struct db *db, struct err *e)
{
	if (strcmp(db_dialect(db), "postgresql") != 0)
		return 0;
	for (const struct export_table *t = export_tables; t->name; t++) {
		if (strcmp(t->order_by, "id") != 0)
			continue;
		char sql[256];
		snprintf(sql, sizeof sql,
		         "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
		         "COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)",
		         t->name, t->name);
		int rc = db_run(db, sql, NULL, 0, e);
		if (rc)
			return rc;
	}
	return 0;
}

static int import_all(struct db *db, struct reader *r, struct export_stats *stats, struct err *e)
{
	size_t ntables = 0;
	while (export_tables[ntables].name)
		ntables++;
	struct expected *want = calloc(ntables, sizeof *want);
	if (!want)
		return err_set(e, ERR_INTERNAL, "out of memory");
	struct fixups fx = {0};
	int i = 0, rc = 0;
	for (const struct export_table *t = export_tables; t->name && rc == 0; t++, i++) {
		if ((rc = import_table(db, r, t, &want[i], &fx, e)))
			break;
		stats->tables++;
		stats->rows += want[i].count;
	}
	free(fx.v);
	if (rc == 0 && next_line(r))
		rc = fail(e, r->no, "unexpected content after the last table%s%s", "", "");
	/* Read back what was inserted: the database must now export to the same lines. */
	i = 0;
	for (const struct export_table *t = export_tables; t->name && rc == 0; t++, i++) {
		int64_t count;
		char hex[65];
		if ((rc = export_table_rows(db, t, NULL, &count, hex, e)))
			break;
		if (count != want[i].count || strcmp(hex, want[i].sha) != 0)
			rc = err_set(e, ERR_INTERNAL,
			             "table %s reads back differently from the export (%lld rows, "
			             "sha256 %.12s…): nothing imported",
			             t->name, (long long)count, hex);
	}
	free(want);
	if (rc)
		return rc;
	return move_sequences(db, e);
}

int import_jsonl(struct db *db, FILE *in, struct export_stats *stats, struct err *e)
{
	struct export_stats ignored;
	if (!stats)
		stats = &ignored;
	*stats = (struct export_stats){0};
	if (sodium_init() < 0)
		return err_set(e, ERR_INTERNAL, "libsodium failed to initialise");
	int rc = migrate_apply(db, e);
	if (rc || (rc = export_check_schema(db, e)))
		return rc;
	struct reader r = {.in = in};
	if ((rc = db_begin_write(db, e)) == 0) {
		rc = refuse_nonempty(db, e);
		if (!rc)
			rc = check_header(db, &r, e);
		if (!rc)
			rc = import_all(db, &r, stats, e);
		if (!rc) /* the chain's head is the target's own: point it at the last row */
			rc = audit_head_sync(db, e);
		if (!rc) /* the search index is derived: made again from the cases copied in */
			rc = case_search_reset(db, e);
		if (!rc)
			rc = db_commit(db, e);
		if (rc)
			db_rollback(db);
	}
	free(r.line);
	return rc ? rc : case_search_catch_up(db, NULL, e);
}
