/* Routing rules in the database: load, suggest (the area chain walked here, the choice made
 * by core/routing.c), and the CSV import/export. The import shares the error list, the
 * transaction and the spreadsheet guard of the units importer (org_io_internal.h), so its
 * messages and its all-or-nothing behaviour are the same. */
#include "store/routing_store.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/csv.h"
#include "store/db.h"
#include "store/org_io_internal.h"

/* Deeper area chains than grid -> street -> district would be a data error (or a cycle). */
enum { MAX_AREA_DEPTH = 8 };

/* Loading ------------------------------------------------------------------------------------ */

static const char RULE_COLS[] =
    "SELECT id, category_code, group_code, COALESCE(area_id, 0), unit_id, priority, active"
    " FROM routing_rule";

static void rules_add(struct routing_rules *rs, size_t *cap, struct db_stmt *st)
{
	if (rs->n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		struct routing_rule *grown = realloc(rs->v, *cap * sizeof *rs->v);
		if (!grown)
			abort(); /* as buf and arena do */
		rs->v = grown;
	}
	rs->v[rs->n++] = (struct routing_rule){
	    .id = db_col_int(st, 0),
	    .category_code =
	        db_col_is_null(st, 1) ? NULL : arena_strdup(&rs->a, db_col_text(st, 1)),
	    .group_code = db_col_is_null(st, 2) ? NULL : arena_strdup(&rs->a, db_col_text(st, 2)),
	    .area_id = db_col_int(st, 3),
	    .unit_id = db_col_int(st, 4),
	    .priority = db_col_int(st, 5),
	    .active = db_col_int(st, 6) != 0};
}

static int rules_query(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
                       struct routing_rules *out, struct err *e)
{
	*out = (struct routing_rules){0};
	arena_init(&out->a);
	size_t cap = 0;
	struct db_stmt *st;
	int rc = db_query(db, sql, args, nargs, &st, e);
	if (rc == 0) {
		while ((rc = db_step(st, e)) == DB_ROW)
			rules_add(out, &cap, st);
		db_done(st);
	}
	if (rc < 0) {
		routing_rules_free(out);
		return rc;
	}
	return 0;
}

int routing_rules_load(struct db *db, int active_only, struct routing_rules *out, struct err *e)
{
	char sql[256];
	snprintf(sql, sizeof sql, "%s%s ORDER BY id", RULE_COLS,
	         active_only ? " WHERE active = 1" : "");
	return rules_query(db, sql, NULL, 0, out, e);
}

void routing_rules_free(struct routing_rules *rs)
{
	free(rs->v);
	arena_free(&rs->a);
	*rs = (struct routing_rules){0};
}

/* Categories as rules name them ------------------------------------------------------------- */

static int exists(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
                  struct err *e)
{
	int64_t one;
	int rc = db_get_int(db, sql, args, nargs, &one, e);
	return rc == ERR_NOT_FOUND ? 0 : rc < 0 ? rc : 1;
}

static int is_group_form(const char *s)
{
	return (s[0] == 'E' || s[0] == 'P') && strlen(s) == 3 && strspn(s + 1, "0123456789") == 2;
}

int routing_category_resolve(struct db *db, const char *text, char code[16], char group[16],
                             struct err *e)
{
	code[0] = group[0] = '\0';
	if (!text || !*text || strcmp(text, "*") == 0)
		return 0;
	if (strlen(text) >= 16)
		return err_set(e, ERR_UNPROCESSABLE, "category \"%.40s\" is too long", text);
	int rc =
	    exists(db, "SELECT 1 FROM category WHERE service_code = ?", DB_ARGS(db_text(text)), e);
	if (rc == 1) {
		strcpy(code, text);
		return 0;
	}
	if (rc == 0 && is_group_form(text)) {
		rc = exists(db, "SELECT 1 FROM category WHERE kind = ? AND group_code = ? LIMIT 1",
		            DB_ARGS(db_text(text[0] == 'E' ? "event" : "part"), db_text(text + 1)),
		            e);
		if (rc == 1) {
			strcpy(group, text);
			return 0;
		}
	}
	if (rc < 0)
		return rc;
	/* Bare group digits name an event group and a part group at once (01 市容环境 and 01
	 * 公用设施 go to different units), so they are refused with the spelling to use. */
	if (strlen(text) == 2 && strspn(text, "0123456789") == 2)
		return err_set(e, ERR_UNPROCESSABLE,
		               "category \"%s\": write the group with its kind, E%s (events) or "
		               "P%s (parts)",
		               text, text, text);
	return err_set(e, ERR_UNPROCESSABLE,
	               "category \"%s\" is not a known service code (E0102), group code (E01, "
	               "P01) or * (any)",
	               text);
}

/* Suggesting ---------------------------------------------------------------------------------- */

struct chain {
	int64_t id[MAX_AREA_DEPTH];
	char code[MAX_AREA_DEPTH][65];
	char kind[MAX_AREA_DEPTH][16];
	size_t n;
};

static int chain_load(struct db *db, int64_t area_id, struct chain *c, struct err *e)
{
	c->n = 0;
	for (int64_t id = area_id; id > 0 && c->n < MAX_AREA_DEPTH;) {
		struct db_stmt *st;
		int rc =
		    db_query(db, "SELECT COALESCE(parent_id, 0), code, kind FROM area WHERE id = ?",
		             DB_ARGS(db_int(id)), &st, e);
		if (rc < 0)
			return rc;
		rc = db_step(st, e);
		if (rc == DB_ROW) {
			c->id[c->n] = id;
			snprintf(c->code[c->n], sizeof c->code[0], "%s", db_col_text(st, 1));
			snprintf(c->kind[c->n], sizeof c->kind[0], "%s", db_col_text(st, 2));
			c->n++;
			id = db_col_int(st, 0);
		}
		db_done(st);
		if (rc < 0)
			return rc;
		if (rc == DB_DONE)
			break;
	}
	return 0;
}

struct cat_info {
	char service[16], group[16];
	int64_t default_unit;
};

static int cat_load(struct db *db, int64_t category_id, struct cat_info *ci, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT service_code, kind, group_code, COALESCE(default_unit_id, 0)"
	                  " FROM category WHERE id = ?",
	                  DB_ARGS(db_int(category_id)), &st, e);
	if (rc < 0)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		snprintf(ci->service, sizeof ci->service, "%s", db_col_text(st, 0));
		routing_group_code(db_col_text(st, 1), db_col_text(st, 2), ci->group,
		                   sizeof ci->group);
		ci->default_unit = db_col_int(st, 3);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no category %lld", (long long)category_id);
	}
	db_done(st);
	return rc;
}

static void reason(const struct routing_result *res, const struct cat_info *ci,
                   const struct chain *c, struct routing_suggestion *out)
{
	const struct routing_rule *r = res->rule;
	if (!r) {
		snprintf(out->reason, sizeof out->reason,
		         res->unit_id ? "no rule matches: the default unit of %s"
		                      : "no rule matches and %s has no default unit",
		         ci->service);
		return;
	}
	char cat[40], area[100];
	if (res->cat == ROUTING_CAT_SERVICE)
		snprintf(cat, sizeof cat, "category %s", r->category_code);
	else if (res->cat == ROUTING_CAT_GROUP)
		snprintf(cat, sizeof cat, "group %s", r->group_code);
	else
		snprintf(cat, sizeof cat, "any category");
	if (res->area_depth >= 0)
		snprintf(area, sizeof area, "%s %s", c->kind[res->area_depth],
		         c->code[res->area_depth]);
	else
		snprintf(area, sizeof area, "any area");
	snprintf(out->reason, sizeof out->reason, "rule %lld: %s, %s, priority %lld",
	         (long long)r->id, cat, area, (long long)r->priority);
}

int routing_explain(struct db *db, int64_t category_id, int64_t area_id,
                    struct routing_suggestion *out, struct err *e)
{
	struct cat_info ci;
	struct chain c;
	*out = (struct routing_suggestion){0};
	int rc = cat_load(db, category_id, &ci, e);
	if (rc == 0)
		rc = chain_load(db, area_id, &c, e);
	if (rc < 0)
		return rc;
	/* Only the rules that can apply to this category; the areas are the pure part's job. */
	struct routing_rules rs;
	char sql[400];
	snprintf(sql, sizeof sql,
	         "%s WHERE active = 1 AND (category_code = ? OR group_code = ?"
	         " OR (category_code IS NULL AND group_code IS NULL)) ORDER BY id",
	         RULE_COLS);
	rc = rules_query(db, sql, DB_ARGS(db_text(ci.service), db_text(ci.group)), &rs, e);
	if (rc < 0)
		return rc;
	struct routing_case k = {.service_code = ci.service,
	                         .group_code = ci.group,
	                         .areas = c.id,
	                         .nareas = c.n,
	                         .default_unit_id = ci.default_unit};
	struct routing_result res;
	routing_pick(rs.v, rs.n, &k, &res);
	out->unit_id = res.unit_id;
	out->rule_id = res.rule ? res.rule->id : 0;
	reason(&res, &ci, &c, out);
	routing_rules_free(&rs);
	return 0;
}

int routing_suggest(struct db *db, int64_t category_id, int64_t area_id, int64_t *unit_id,
                    int64_t *rule_id, struct err *e)
{
	struct routing_suggestion s;
	int rc = routing_explain(db, category_id, area_id, &s, e);
	if (rc == 0) {
		*unit_id = s.unit_id;
		*rule_id = s.rule_id;
	}
	return rc;
}

/* Import ---------------------------------------------------------------------------------- */

enum rcol { R_CATEGORY, R_AREA, R_UNIT, R_PRIORITY, R_NOTE, R_NCOLS };
static const char *const rcols[R_NCOLS + 1] = {"category", "area_code", "unit_code",
                                               "priority", "note",      NULL};

/* One checked row of the file. */
struct rrow {
	char code[16], group[16];
	int64_t area_id, unit_id, priority;
	const char *note;
	long line;
};

struct rimport {
	struct db *db;
	struct org_io_report *r;
	struct arena a;
	struct rrow *v;
	size_t n, cap;
	int col[R_NCOLS];
};

static int code_id(struct db *db, const char *sql, const char *code, int64_t *id, struct err *e)
{
	int rc = db_get_int(db, sql, DB_ARGS(db_text(code)), id, e);
	return rc == ERR_NOT_FOUND ? 0 : rc < 0 ? rc : 1;
}

static int priority_parse(const char *s, int64_t *out)
{
	char *end;
	*out = 0;
	if (!*s)
		return 0;
	long long v = strtoll(s, &end, 10);
	if (*end || end == s || strchr(s, ' ') || v < -1000000 || v > 1000000)
		return -1;
	*out = v;
	return 0;
}

static const char *field(struct rimport *u, struct csv *csv, int c)
{
	return u->col[c] < 0 ? "" : org_csv_unguard(csv_field(csv, (size_t)u->col[c]));
}

/* Checks one row against the file so far and the database; a database failure is returned,
 * anything wrong with the row is listed. */
static int row_check(struct rimport *u, struct csv *csv, struct err *e)
{
	long line = csv_line(csv);
	struct rrow w = {.line = line};
	const char *cat = field(u, csv, R_CATEGORY), *area = field(u, csv, R_AREA),
	           *unit = field(u, csv, R_UNIT), *prio = field(u, csv, R_PRIORITY),
	           *note = field(u, csv, R_NOTE);
	int bad = 0, rc;
	struct err why;
	if ((rc = routing_category_resolve(u->db, cat, w.code, w.group, &why)) == ERR_UNPROCESSABLE)
		org_io_add(u->r, line, 0, NULL, "%s", why.msg), bad = 1;
	else if (rc < 0)
		return *e = why, rc;
	if (*area && strcmp(area, "*") != 0) {
		rc = org_code_ok(area)
		         ? code_id(u->db, "SELECT id FROM area WHERE code = ?", area, &w.area_id, e)
		         : 0;
		if (rc < 0)
			return rc;
		if (!rc)
			org_io_add(u->r, line, 0, NULL, "area_code \"%s\" is not a known area",
			           area),
			    bad = 1;
	}
	if (!*unit) {
		org_io_add(u->r, line, 0, NULL, "unit_code is empty: a rule names its unit");
		bad = 1;
	} else {
		rc = org_code_ok(unit)
		         ? code_id(u->db, "SELECT id FROM unit WHERE code = ? AND active = 1", unit,
		                   &w.unit_id, e)
		         : 0;
		if (rc < 0)
			return rc;
		if (!rc)
			org_io_add(u->r, line, 0, NULL,
			           "unit_code \"%s\" is not a known active unit", unit),
			    bad = 1;
	}
	if (priority_parse(prio, &w.priority))
		org_io_add(u->r, line, 0, NULL,
		           "priority \"%s\" is not a whole number from -1000000 to 1000000", prio),
		    bad = 1;
	const char *np = org_text_problem(note, 0, 500);
	if (np)
		org_io_add(u->r, line, 0, NULL, "note %s (500 characters at most)", np), bad = 1;
	if (bad)
		return 0;
	for (size_t i = 0; i < u->n; i++)
		if (strcmp(u->v[i].code, w.code) == 0 && strcmp(u->v[i].group, w.group) == 0 &&
		    u->v[i].area_id == w.area_id) {
			org_io_add(
			    u->r, line, 0, NULL,
			    "a rule for category \"%s\" and area \"%s\" is already on line %ld",
			    *cat ? cat : "*", *area ? area : "*", u->v[i].line);
			return 0;
		}
	w.note = arena_strdup(&u->a, note);
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 64;
		struct rrow *grown = realloc(u->v, u->cap * sizeof *u->v);
		if (!grown)
			abort();
		u->v = grown;
	}
	u->v[u->n++] = w;
	u->r->rows++;
	return 0;
}

static int header_check(struct rimport *u, struct csv *csv)
{
	int bad = 0;
	for (int i = 0; i < R_NCOLS; i++)
		u->col[i] = csv_col(csv, rcols[i]);
	for (size_t i = 0; i < csv_nfields(csv); i++) {
		const char *h = csv_field(csv, i);
		int known = 0;
		for (int k = 0; k < R_NCOLS; k++)
			known |= strcmp(h, rcols[k]) == 0;
		if (!known)
			org_io_add(u->r, csv_line(csv), 0, NULL,
			           "unknown column \"%s\" (the columns are category, area_code, "
			           "unit_code, priority, note)",
			           h),
			    bad = 1;
	}
	for (int i = R_CATEGORY; i <= R_UNIT; i++)
		if (u->col[i] < 0)
			org_io_add(u->r, csv_line(csv), 0, NULL, "the header has no column \"%s\"",
			           rcols[i]),
			    bad = 1;
	return bad;
}

static int read_file(struct rimport *u, const char *path, struct err *e)
{
	struct csv *csv;
	int rc = csv_open_file(path, &csv, e);
	if (rc)
		return rc;
	struct err se;
	if (csv_read_header(csv, &se)) {
		org_io_add(u->r, -1, 0, NULL, "%s", se.msg);
	} else if (!header_check(u, csv)) {
		int more;
		while ((more = csv_next(csv, &se)) == 1)
			if ((rc = row_check(u, csv, e)) < 0)
				break;
		if (more < 0) /* a syntax error: the rest cannot be trusted */
			org_io_add(u->r, -1, 0, NULL, "%s", se.msg);
	}
	csv_free(csv);
	return rc;
}

static int kept(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* Upserts every row by (category, group, area), then deactivates the active rules the file
 * did not name. The file's keys are unique and the database has at most one active rule per
 * key, which is the one updated, so the unique index never trips half-way. */
static int write_rules(struct rimport *u, int *deactivated, struct err *e)
{
	int64_t *ids = calloc(u->n + 1, sizeof *ids);
	if (!ids)
		return err_set(e, ERR_INTERNAL, "out of memory");
	int rc = 0;
	for (size_t i = 0; i < u->n && rc == 0; i++) {
		struct rrow *w = &u->v[i];
		rc = db_get_int(u->db,
		                "SELECT id FROM routing_rule WHERE COALESCE(category_code, '') = ?"
		                " AND COALESCE(group_code, '') = ? AND COALESCE(area_id, 0) = ?"
		                " ORDER BY active DESC, id LIMIT 1",
		                DB_ARGS(db_text(w->code), db_text(w->group), db_int(w->area_id)),
		                &ids[i], e);
		struct db_val area = w->area_id ? db_int(w->area_id) : db_null();
		if (rc == 0) {
			rc = db_run(u->db,
			            "UPDATE routing_rule SET unit_id = ?, priority = ?, note = ?,"
			            " active = 1 WHERE id = ?",
			            DB_ARGS(db_int(w->unit_id), db_int(w->priority),
			                    db_text(w->note), db_int(ids[i])),
			            e);
			u->r->updated++;
		} else if (rc == ERR_NOT_FOUND) {
			rc = db_get_int(
			    u->db,
			    "INSERT INTO routing_rule (category_code, group_code, area_id,"
			    " unit_id, priority, note) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			    DB_ARGS(db_text(*w->code ? w->code : NULL),
			            db_text(*w->group ? w->group : NULL), area, db_int(w->unit_id),
			            db_int(w->priority), db_text(w->note)),
			    &ids[i], e);
			u->r->inserted++;
		}
	}
	struct routing_rules old = {0};
	if (rc == 0)
		rc = routing_rules_load(u->db, 1, &old, e);
	int off = 0;
	for (size_t i = 0; rc == 0 && i < old.n; i++)
		if (!kept(ids, u->n, old.v[i].id)) {
			rc = db_run(u->db, "UPDATE routing_rule SET active = 0 WHERE id = ?",
			            DB_ARGS(db_int(old.v[i].id)), e);
			off++;
		}
	routing_rules_free(&old); /* a zeroed set frees nothing */
	if (deactivated)
		*deactivated = off;
	free(ids);
	return rc;
}

int routing_import(struct db *db, const char *path, const struct org_io_opts *o,
                   struct org_io_report *r, int *deactivated, struct err *e)
{
	struct rimport u = {.db = db, .r = r};
	memset(r, 0, sizeof *r);
	if (deactivated)
		*deactivated = 0;
	arena_init(&u.a);
	int rc = org_io_begin(db, o, e);
	if (rc == 0) {
		rc = read_file(&u, path, e);
		if (rc == 0)
			rc = org_io_failed(r, path, ERR_UNPROCESSABLE, e);
		if (rc == 0)
			rc = write_rules(&u, deactivated, e);
		rc = org_io_end(db, o, rc, e);
	}
	free(u.v);
	arena_free(&u.a);
	return rc;
}

/* Export ---------------------------------------------------------------------------------- */

int routing_export(struct db *db, FILE *out, long *rows, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(
	    db,
	    "SELECT COALESCE(r.category_code, r.group_code, '*'), COALESCE(a.code, '*'), u.code,"
	    " r.priority, r.note FROM routing_rule r JOIN unit u ON u.id = r.unit_id"
	    " LEFT JOIN area a ON a.id = r.area_id WHERE r.active = 1"
	    " ORDER BY CASE WHEN r.category_code IS NOT NULL THEN 2"
	    " WHEN r.group_code IS NOT NULL THEN 1 ELSE 0 END,"
	    " COALESCE(r.category_code, r.group_code, ''), COALESCE(a.code, ''), r.id",
	    NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	struct buf b = BUF_INIT;
	long n = 0;
	buf_adds(&b, "category,area_code,unit_code,priority,note\n");
	while ((rc = db_step(st, e)) == DB_ROW) {
		for (int i = 0; i < 3; i++) {
			org_csv_cell(&b, db_col_text(st, i));
			buf_addc(&b, ',');
		}
		/* A number is no formula: written bare so that spreadsheets sort it as one. */
		buf_printf(&b, "%lld,", (long long)db_col_int(st, 3));
		org_csv_cell(&b, db_col_text(st, 4));
		buf_addc(&b, '\n');
		n++;
	}
	db_done(st);
	if (rc == 0 && fwrite(b.data, 1, b.len, out) != b.len)
		rc = err_set(e, ERR_INTERNAL, "write failed");
	buf_free(&b);
	if (rc == 0 && rows)
		*rows = n;
	return rc;
}
