/* `wenming import units`: a units CSV (columns in docs/data.md) upserted by code. Every row
 * is checked first, against the file and the database, and all errors are listed; only a
 * clean file is written, parents before children, in one transaction. A column the file
 * does not have keeps its value in existing units (the file is the source of truth for the
 * columns it holds, as for the demo data). */
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "store/db.h"
#include "store/org_io_internal.h"

enum ucol {
	U_CODE,
	U_NAME,
	U_KIND,
	U_PARENT,
	U_PHONE,
	U_CONTACT,
	U_EMAIL,
	U_ADDRESS,
	U_AREA,
	U_SORT,
	U_NCOLS
};

static const char *const ucols[U_NCOLS + 1] = {"code",      "name",    "kind",  "parent_code",
                                               "phone",     "contact", "email", "address",
                                               "area_code", "sort",    NULL};

/* Longest text accepted per column, in characters (0: a code-like column, 64; codes,
 * kinds, phones and sort are checked further on their own). */
static const size_t umax[U_NCOLS] = {0, 200, 0, 0, 0, 100, 254, 500, 0, 0};

static const char *const unit_kinds[] = {
    "committee", "office", "department", "utility", "district", "county_city", "county", "zone",
    "street",    "town",   "community",  "village", "school",   "enterprise",  NULL};

struct urow {
	const char *f[U_NCOLS]; /* unguarded; NULL for columns the file does not have */
	int64_t area_id;        /* 0: none */
	int64_t sort;
};

struct uimport {
	struct db *db;
	const struct org_io_opts *o;
	struct org_io_report *r;
	struct arena a;
	struct org_tree t;
	int col[U_NCOLS]; /* header index, -1 when absent */
};

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int phone_ok(const char *s)
{
	return strspn(s, "0123456789-+ ()") == strlen(s) && strlen(s) <= 32;
}

static int email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	return !*s || (at && at > s && at[1] && !strchr(at + 1, '@') && !strpbrk(s, " \t\r\n<>,;"));
}

static int sort_parse(const char *s, int64_t *out)
{
	char *end;
	if (!*s) {
		*out = 0;
		return 0;
	}
	long long v = strtoll(s, &end, 10);
	if (*end || end == s || v < -1000000000LL || v > 1000000000LL || strchr(s, ' '))
		return -1;
	*out = v;
	return 0;
}

/* Header: every column known, the required ones present. */
static int header_check(struct uimport *u, struct csv *csv)
{
	for (int i = 0; i < U_NCOLS; i++)
		u->col[i] = csv_col(csv, ucols[i]);
	int bad = 0;
	for (size_t i = 0; i < csv_nfields(csv); i++) {
		const char *h = csv_field(csv, i);
		if (!in_list(h, ucols)) {
			org_io_add(u->r, csv_line(csv), 0, NULL,
			           "unknown column \"%s\" (the columns are code, name, kind, "
			           "parent_code, phone, contact, email, address, area_code, sort)",
			           h);
			bad = 1;
		}
	}
	for (int i = U_CODE; i <= U_KIND; i++)
		if (u->col[i] < 0) {
			org_io_add(u->r, csv_line(csv), 0, NULL, "the header has no column \"%s\"",
			           ucols[i]);
			bad = 1;
		}
	if (u->o->ignore_area_codes)
		u->col[U_AREA] = -1;
	return bad;
}

/* Copies the row's fields, unguarded; reports (and returns 1 for) bad text. */
static int row_text(struct uimport *u, struct csv *csv, struct urow *row)
{
	for (int i = 0; i < U_NCOLS; i++) {
		if (u->col[i] < 0)
			continue;
		const char *v = org_csv_unguard(csv_field(csv, (size_t)u->col[i]));
		size_t max = umax[i] ? umax[i] : 64;
		const char *why = org_text_problem(v, i == U_ADDRESS, max);
		if (why) {
			org_io_add(u->r, csv_line(csv), 0, NULL, "%s %s (%zu characters at most)",
			           ucols[i], why, max);
			return 1;
		}
		row->f[i] = arena_strdup(&u->a, v);
	}
	return 0;
}

static const char KINDS[] = "committee, office, department, utility, district, county_city, "
                            "county, zone, street, town, community, village, school, "
                            "enterprise";

/* The checks of one row by itself. */
static void row_fields(struct uimport *u, long line, struct urow *w)
{
	const char *code = w->f[U_CODE], *par = w->f[U_PARENT];
	struct org_io_report *r = u->r;
	if (!org_code_ok(code))
		org_io_add(r, line, 0, code,
		           "code \"%s\" is not a code (1-64 letters, digits, - or _)", code);
	if (!*w->f[U_NAME])
		org_io_add(r, line, 0, code, "unit %s has no name", code);
	if (!in_list(w->f[U_KIND], unit_kinds))
		org_io_add(r, line, 0, code, "kind \"%s\" is not one of %s", w->f[U_KIND], KINDS);
	if (par && *par && !org_code_ok(par))
		org_io_add(r, line, 0, code, "parent_code \"%s\" is not a code", par);
	else if (par && strcmp(par, code) == 0)
		org_io_add(r, line, 0, code, "unit %s is its own parent", code);
	if (w->f[U_PHONE] && !phone_ok(w->f[U_PHONE]))
		org_io_add(r, line, 0, code,
		           "phone \"%s\" may hold only digits, spaces, + - ( ) (32 at most)",
		           w->f[U_PHONE]);
	if (w->f[U_EMAIL] && !email_ok(w->f[U_EMAIL]))
		org_io_add(r, line, 0, code, "email \"%s\" is not an e-mail address",
		           w->f[U_EMAIL]);
	if (w->f[U_SORT] && sort_parse(w->f[U_SORT], &w->sort))
		org_io_add(r, line, 0, code,
		           "sort \"%s\" is not a whole number from -1000000000 to 1000000000",
		           w->f[U_SORT]);
}

static int area_lookup(struct uimport *u, long line, struct urow *w, struct err *e)
{
	const char *ac = w->f[U_AREA];
	if (!ac || !*ac)
		return 0;
	if (!org_code_ok(ac)) {
		org_io_add(u->r, line, 0, w->f[U_CODE], "area_code \"%s\" is not a code", ac);
		return 0;
	}
	struct err miss;
	int rc = db_get_int(u->db, "SELECT id FROM area WHERE code = ?", DB_ARGS(db_text(ac)),
	                    &w->area_id, &miss);
	if (rc == ERR_NOT_FOUND) {
		org_io_add(u->r, line, 0, w->f[U_CODE],
		           "area_code \"%s\" is not a known area (import the areas first)", ac);
		return 0;
	}
	if (rc)
		*e = miss;
	return rc;
}

/* Columns the file lacks take the existing unit's values (or the defaults for a new one). */
static int keep_absent(struct uimport *u, struct urow *w, struct err *e)
{
	static const int keep[] = {U_PARENT, U_PHONE, U_CONTACT, U_EMAIL, U_ADDRESS};
	for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
		if (!w->f[keep[i]])
			w->f[keep[i]] = "";
	int need = u->col[U_PARENT] < 0 || u->col[U_PHONE] < 0 || u->col[U_CONTACT] < 0 ||
	           u->col[U_EMAIL] < 0 || u->col[U_ADDRESS] < 0 || u->col[U_AREA] < 0 ||
	           u->col[U_SORT] < 0;
	if (!need)
		return 0;
	struct db_stmt *st;
	int rc = db_query(u->db,
	                  "SELECT p.code, u.phone, u.contact, u.email, u.address, u.area_id,"
	                  " u.sort FROM unit u LEFT JOIN unit p ON p.id = u.parent_id"
	                  " WHERE u.code = ?",
	                  DB_ARGS(db_text(w->f[U_CODE])), &st, e);
	if (rc)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		static const int cols[] = {U_PARENT, U_PHONE, U_CONTACT, U_EMAIL, U_ADDRESS};
		for (int i = 0; i < 5; i++)
			if (u->col[cols[i]] < 0)
				w->f[cols[i]] = arena_strdup(&u->a, db_col_text(st, i));
		if (u->col[U_AREA] < 0)
			w->area_id = db_col_int(st, 5);
		if (u->col[U_SORT] < 0)
			w->sort = db_col_int(st, 6);
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

/* A row with a usable code joins the tree even when other fields are wrong, so that a code
 * given twice is still reported; nothing is written once any error is found. */
static int row_read(struct uimport *u, struct csv *csv, struct err *e)
{
	struct urow *w = arena_alloc(&u->a, sizeof *w);
	long line = csv_line(csv);
	if (row_text(u, csv, w))
		return 0;
	row_fields(u, line, w);
	if (!org_code_ok(w->f[U_CODE]))
		return 0;
	int rc = area_lookup(u, line, w, e);
	if (!rc)
		rc = keep_absent(u, w, e);
	if (rc)
		return rc;
	struct org_node n = {.code = w->f[U_CODE],
	                     .parent = *w->f[U_PARENT] ? w->f[U_PARENT] : NULL,
	                     .line = line,
	                     .in_file = 1,
	                     .row = w};
	org_tree_add(&u->t, &n);
	u->r->rows++;
	return 0;
}

static int load_db_units(struct uimport *u, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(u->db,
	                  "SELECT u.code, u.id, p.code FROM unit u"
	                  " LEFT JOIN unit p ON p.id = u.parent_id",
	                  NULL, 0, &st, e);
	if (rc)
		return rc;
	while ((rc = db_step(st, e)) == DB_ROW) {
		struct org_node n = {.code = arena_strdup(&u->a, db_col_text(st, 0)),
		                     .id = db_col_int(st, 1)};
		if (!db_col_is_null(st, 2))
			n.parent = arena_strdup(&u->a, db_col_text(st, 2));
		org_tree_add(&u->t, &n);
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

/* Syntax errors of the CSV end the reading (the rest cannot be trusted) and are listed like
 * the others; a database error is returned. */
static int read_rows(struct uimport *u, struct csv *csv, struct err *e)
{
	struct err se;
	int rc;
	while ((rc = csv_next(csv, &se)) == 1)
		if ((rc = row_read(u, csv, e)) != 0)
			return rc;
	if (rc < 0)
		org_io_add(u->r, -1, 0, NULL, "%s", se.msg);
	return 0;
}

static int read_file(struct uimport *u, const char *path, struct err *e)
{
	struct csv *csv;
	int rc = csv_open_file(path, &csv, e);
	if (rc)
		return rc;
	struct err se;
	if (csv_read_header(csv, &se))
		org_io_add(u->r, -1, 0, NULL, "%s", se.msg);
	else if (!header_check(u, csv))
		rc = read_rows(u, csv, e);
	csv_free(csv);
	return rc;
}

static int write_units(struct uimport *u, struct err *e)
{
	size_t n;
	struct org_node **order = org_tree_write_order(&u->t, &n);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		struct org_node *x = order[i];
		struct urow *w = x->row;
		int64_t pid = x->parent ? org_tree_find(&u->t, x->parent)->id : 0;
		const char *phone = w->f[U_PHONE];
		rc = db_get_int(
		    u->db,
		    "INSERT INTO unit (code, name, kind, parent_id, phone, contact, email, address,"
		    " area_id, sort, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
		    " ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
		    " parent_id = excluded.parent_id, phone = excluded.phone,"
		    " contact = excluded.contact, email = excluded.email,"
		    " address = excluded.address, area_id = excluded.area_id,"
		    " sort = excluded.sort, active = 1 RETURNING id",
		    DB_ARGS(db_text(x->code), db_text(w->f[U_NAME]), db_text(w->f[U_KIND]),
		            pid ? db_int(pid) : db_null(), *phone ? db_text(phone) : db_null(),
		            db_text(w->f[U_CONTACT]), db_text(w->f[U_EMAIL]),
		            db_text(w->f[U_ADDRESS]), w->area_id ? db_int(w->area_id) : db_null(),
		            db_int(w->sort)),
		    &x->id, e);
		if (rc) {
			struct err db_err = *e;
			rc = err_set(e, rc, "line %ld: unit %s: %s", x->line, x->code, db_err.msg);
		}
		if (x->existed)
			u->r->updated++;
		else
			u->r->inserted++;
	}
	return rc;
}

int org_import_units(struct db *db, const char *path, const struct org_io_opts *o,
                     struct org_io_report *r, struct err *e)
{
	struct uimport u = {.db = db, .o = o, .r = r};
	memset(r, 0, sizeof *r);
	arena_init(&u.a);
	u.t = (struct org_tree){.a = &u.a, .what = "unit"};
	int rc = org_io_begin(db, o, e);
	if (rc) {
		arena_free(&u.a);
		return rc;
	}
	if (!(rc = load_db_units(&u, e)))
		rc = read_file(&u, path, e);
	if (!rc) {
		org_tree_merge(&u.t, r);
		if (!r->nerrors)
			org_tree_check(&u.t, r);
		rc = org_io_failed(r, path, ERR_BAD_REQUEST, e);
	}
	if (!rc)
		rc = write_units(&u, e);
	rc = org_io_end(db, o, rc, e);
	org_tree_free(&u.t);
	arena_free(&u.a);
	return rc;
}
