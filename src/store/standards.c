/* Standards CSV import (checked whole, written as a new version), activation, and the tree
 * and checklists as JSON. The error list, text checks and transaction are the org importers'
 * (org_io_internal.h), so every data file of the office reports problems the same way. */
#include "store/standards.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/csv.h"
#include "store/db.h"
#include "store/org_io_internal.h"

enum scol {
	S_CODE,
	S_PARENT,
	S_KIND,
	S_TEXT,
	S_METHOD,
	S_SITE_TYPES,
	S_POINTS,
	S_VETO,
	S_SERVICE_CODES,
	S_SORT,
	S_NCOLS
};

static const char *const scols[S_NCOLS + 1] = {"code",          "parent_code", "kind",   "text",
                                               "method",        "site_types",  "points", "veto",
                                               "service_codes", "sort",        NULL};

static const char *const KINDS[] = {"project", "content", "item", NULL};
static const char *const METHODS[] = {"field", "survey", "material", "online", NULL};
static const char *const VETOS[] = {"none", "deduct", "veto", NULL};

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* 1..max characters of [A-Za-z0-9._-] */
static int code_ok(const char *s, size_t max)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
	return n >= 1 && n <= max && s[n] == '\0';
}

static int int_parse(const char *s, int64_t *out)
{
	if (!*s) {
		*out = 0;
		return 0;
	}
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end || v < -1000000000LL || v > 1000000000LL)
		return -1;
	*out = v;
	return 0;
}

/* ---- site types */

int site_types_import(struct db *db, const char *path, int *rows, struct err *e)
{
	struct csv *csv;
	int rc = csv_open_file(path, &csv, e);
	if (rc)
		return rc;
	static const char *const cols[] = {"code", "name", "sort", NULL};
	if (!(rc = csv_read_header(csv, e)))
		rc = csv_require(csv, cols, e);
	int n = 0;
	while (rc == 0 && (rc = csv_next(csv, e)) == 1) {
		const char *code = csv_get(csv, "code"), *name = csv_get(csv, "name");
		const char *problem = org_text_problem(name, 0, 100);
		int64_t sort;
		rc = 0;
		if (!code_ok(code, 32))
			rc = csv_error(csv, e, ERR_BAD_REQUEST, "bad site type code \"%s\"", code);
		else if (!*name || problem)
			rc = csv_error(csv, e, ERR_BAD_REQUEST, "name %s",
			               problem ? problem : "is empty");
		else if (int_parse(csv_get(csv, "sort"), &sort))
			rc = csv_error(csv, e, ERR_BAD_REQUEST, "sort is not a whole number");
		else
			rc = db_run(db,
			            "INSERT INTO site_type (code, name, sort) VALUES (?, ?, ?)"
			            " ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
			            " sort = excluded.sort",
			            DB_ARGS(db_text(code), db_text(name), db_int(sort)), e);
		n += rc == 0;
	}
	csv_free(csv);
	if (rows)
		*rows = n;
	return rc < 0 ? rc : 0;
}

/* ---- standards import */

struct srow {
	const char *f[S_NCOLS];
	long line;
	double points;
	int64_t sort;
	int has_points;
	struct srow *parent;
	int64_t id;
	/* items: site types and category ids */
	const char **types;
	size_t ntypes;
	int64_t *cats;
	size_t ncats;
};

struct simport {
	struct db *db;
	struct org_io_report *r;
	struct arena a;
	struct srow *rows;
	size_t n, cap;
};

static struct srow *find_row(struct simport *s, const char *code)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->rows[i].f[S_CODE], code) == 0)
			return &s->rows[i];
	return NULL;
}

/* The item-only columns of a row: method, site types, points, veto, service codes. */
static int check_item(struct simport *s, struct srow *w, struct err *e)
{
	const char *code = w->f[S_CODE], *method = w->f[S_METHOD];
	long line = w->line;
	if (!in_list(method, METHODS))
		org_io_add(s->r, line, 0, code,
		           "method \"%s\" is not one of field, survey, material, online", method);
	w->types = arena_split(&s->a, w->f[S_SITE_TYPES], ';', &w->ntypes);
	if (!strcmp(method, "field") && w->ntypes == 0)
		org_io_add(s->r, line, 0, code, "a field (实地考察) item needs its site_types");
	if (strcmp(method, "field") != 0 && w->ntypes)
		org_io_add(s->r, line, 0, code, "only field (实地考察) items have site_types");
	for (size_t i = 0; i < w->ntypes; i++) {
		int64_t one;
		int rc = db_find_int(s->db, "SELECT 1 FROM site_type WHERE code = ?", w->types[i],
		                     &one, e);
		if (rc < 0)
			return rc;
		if (!one)
			org_io_add(s->r, line, 0, code, "unknown site type \"%s\"", w->types[i]);
	}
	char *end;
	const char *p = w->f[S_POINTS];
	w->points = strtod(p, &end);
	if (!*p || *end || !isfinite(w->points) || w->points <= 0 || w->points > 1000)
		org_io_add(s->r, line, 0, code, "points must be a number above 0 (at most 1000)");
	w->has_points = 1;
	if (*w->f[S_VETO] && !in_list(w->f[S_VETO], VETOS))
		org_io_add(s->r, line, 0, code, "veto \"%s\" is not one of none, deduct, veto",
		           w->f[S_VETO]);
	size_t nsc;
	const char **sc = arena_split(&s->a, w->f[S_SERVICE_CODES], ';', &nsc);
	if (!strcmp(method, "field") && nsc == 0)
		org_io_add(
		    s->r, line, 0, code,
		    "a field (实地考察) item needs its service_codes: the case a failure opens");
	w->cats = arena_alloc(&s->a, (nsc ? nsc : 1) * sizeof *w->cats);
	w->ncats = 0;
	for (size_t i = 0; i < nsc; i++) {
		int64_t id;
		int rc = db_find_int(s->db, "SELECT id FROM category WHERE service_code = ?", sc[i],
		                     &id, e);
		if (rc < 0)
			return rc;
		if (!id)
			org_io_add(s->r, line, 0, code, "unknown service code \"%s\"", sc[i]);
		else
			w->cats[w->ncats++] = id;
	}
	return 0;
}

static int check_row(struct simport *s, struct srow *w, struct err *e)
{
	const char *code = w->f[S_CODE], *kind = w->f[S_KIND], *parent = w->f[S_PARENT];
	long line = w->line;
	if (!code_ok(code, 64)) {
		org_io_add(s->r, line, 0, NULL, "bad code \"%s\" (1–64 of A–Z a–z 0–9 . _ -)",
		           code);
		return 0;
	}
	const char *problem = org_text_problem(w->f[S_TEXT], 0, 1000);
	if (problem || !*w->f[S_TEXT])
		org_io_add(s->r, line, 0, code, "text %s", problem ? problem : "is empty");
	if (!in_list(kind, KINDS)) {
		org_io_add(s->r, line, 0, code, "kind \"%s\" is not one of project, content, item",
		           kind);
		return 0;
	}
	/* project at the top, content under a project, item under a content; parents above */
	const char *want = !strcmp(kind, "content") ? "project"
	                   : !strcmp(kind, "item")  ? "content"
	                                            : NULL;
	if (!want && *parent)
		org_io_add(s->r, line, 0, code, "a project has no parent_code");
	if (want) {
		w->parent = *parent ? find_row(s, parent) : NULL;
		if (!*parent)
			org_io_add(s->r, line, 0, code, "%s",
			           !strcmp(kind, "item")
			               ? "an item needs a parent_code (a content)"
			               : "a content needs a parent_code (a project)");
		else if (!w->parent || w->parent == w)
			org_io_add(s->r, line, 0, code,
			           "parent_code \"%s\" is not a row above this one", parent);
		else if (strcmp(w->parent->f[S_KIND], want) != 0)
			org_io_add(s->r, line, 0, code, "%s, not a %s",
			           !strcmp(kind, "item") ? "an item's parent must be a content"
			                                 : "a content's parent must be a project",
			           w->parent->f[S_KIND]);
	}
	if (int_parse(w->f[S_SORT], &w->sort))
		org_io_add(s->r, line, 0, code, "sort is not a whole number");
	if (!strcmp(kind, "item"))
		return check_item(s, w, e);
	for (int c = S_METHOD; c <= S_SERVICE_CODES; c++)
		if (*w->f[c])
			org_io_add(s->r, line, 0, code, "only items have %s", scols[c]);
	return 0;
}

static int read_rows(struct simport *s, const char *path, struct err *e)
{
	struct csv *csv;
	int rc = csv_open_file(path, &csv, e);
	if (rc)
		return rc;
	struct err se;
	int col[S_NCOLS];
	if (csv_read_header(csv, &se)) {
		org_io_add(s->r, -1, 0, NULL, "%s", se.msg);
		csv_free(csv);
		return 0;
	}
	for (int i = 0; i < S_NCOLS; i++)
		col[i] = csv_col(csv, scols[i]);
	for (size_t i = 0; i < csv_nfields(csv); i++)
		if (!in_list(csv_field(csv, i), scols))
			org_io_add(
			    s->r, 1, 0, NULL,
			    "unknown column \"%s\" (the columns are code, parent_code, kind, text,"
			    " method, site_types, points, veto, service_codes, sort)",
			    csv_field(csv, i));
	for (int i = S_CODE; i <= S_TEXT; i++)
		if (col[i] < 0 && i != S_PARENT)
			org_io_add(s->r, 1, 0, NULL, "the header has no column \"%s\"", scols[i]);
	if (s->r->nerrors) {
		csv_free(csv);
		return 0;
	}
	int dbrc = 0;
	while ((rc = csv_next(csv, &se)) == 1) {
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 256;
			struct srow *p = realloc(s->rows, s->cap * sizeof *p);
			if (!p)
				abort(); /* as buf.c */
			s->rows = p;
		}
		struct srow *w = &s->rows[s->n];
		*w = (struct srow){.line = csv_line(csv)};
		for (int i = 0; i < S_NCOLS; i++)
			w->f[i] = arena_strdup(
			    &s->a,
			    col[i] < 0 ? "" : org_csv_unguard(csv_field(csv, (size_t)col[i])));
		if (find_row(s, w->f[S_CODE])) {
			org_io_add(s->r, w->line, 0, w->f[S_CODE], "code given twice");
			continue;
		}
		s->n++;
		s->r->rows++;
		if ((dbrc = check_row(s, w, e)) < 0)
			break;
	}
	/* a syntax error ends the reading: the rest of the file cannot be trusted */
	if (!dbrc && rc < 0)
		org_io_add(s->r, -1, 0, NULL, "%s", se.msg);
	csv_free(csv);
	if (!dbrc && s->n == 0 && !s->r->nerrors)
		org_io_add(s->r, 1, 0, NULL, "the file has no rows");
	return dbrc;
}

static int write_version(struct simport *s, const struct standards_import_opts *o, struct err *e)
{
	int64_t vid;
	char name[160];
	snprintf(name, sizeof name, "%s", o->name && *o->name ? o->name : "");
	if (!*name)
		snprintf(name, sizeof name, "测评体系 %s", o->version);
	int rc = db_get_int(s->db,
	                    "INSERT INTO standard_version (code, name, active, imported_at)"
	                    " VALUES (?, ?, 0, ?) RETURNING id",
	                    DB_ARGS(db_text(o->version), db_text(name), db_int(o->now)), &vid, e);
	for (size_t i = 0; i < s->n && rc == 0; i++) {
		struct srow *w = &s->rows[i];
		int item = !strcmp(w->f[S_KIND], "item");
		rc = db_get_int(
		    s->db,
		    "INSERT INTO standard_node (version_id, code, parent_id, kind, text, method,"
		    " points, veto, sort) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
		    DB_ARGS(db_int(vid), db_text(w->f[S_CODE]),
		            w->parent ? db_int(w->parent->id) : db_null(), db_text(w->f[S_KIND]),
		            db_text(w->f[S_TEXT]), db_text(w->f[S_METHOD]),
		            item ? db_real(w->points) : db_null(),
		            db_text(item && *w->f[S_VETO] ? w->f[S_VETO] : "none"),
		            db_int(w->sort)),
		    &w->id, e);
		for (size_t k = 0; k < w->ntypes && rc == 0; k++)
			rc = db_run(
			    s->db,
			    "INSERT INTO standard_item_site_type (node_id, site_type) VALUES (?, ?)"
			    " ON CONFLICT DO NOTHING",
			    DB_ARGS(db_int(w->id), db_text(w->types[k])), e);
		for (size_t k = 0; k < w->ncats && rc == 0; k++)
			rc = db_run(s->db,
			            "INSERT INTO standard_item_category (node_id, category_id) "
			            "VALUES (?, ?)"
			            " ON CONFLICT DO NOTHING",
			            DB_ARGS(db_int(w->id), db_int(w->cats[k])), e);
		s->r->inserted += item;
	}
	if (rc == 0 && o->activate)
		rc = standards_activate(s->db, o->version, e);
	return rc;
}

int standards_import(struct db *db, const char *path, const struct standards_import_opts *o,
                     struct org_io_report *r, struct err *e)
{
	memset(r, 0, sizeof *r);
	if (!o->version || !code_ok(o->version, 32))
		return err_set(e, ERR_BAD_REQUEST,
		               "the version code must be 1–32 of A–Z a–z 0–9 . _ - (e.g. 2026)");
	struct org_io_opts io = {.dry_run = o->dry_run, .in_transaction = o->in_transaction};
	int rc = org_io_begin(db, &io, e);
	if (rc)
		return rc;
	struct simport s = {.db = db, .r = r};
	arena_init(&s.a);
	int64_t found = 0;
	rc = db_find_int(db, "SELECT id FROM standard_version WHERE code = ?", o->version, &found,
	                 e);
	if (rc == 0 && found)
		rc = err_set(e, ERR_CONFLICT,
		             "version %s is already imported; a version is never rewritten (past"
		             " inspections refer to its items): import the new edition under a new"
		             " version code",
		             o->version);
	if (rc == 0)
		rc = read_rows(&s, path, e);
	if (rc == 0)
		rc = org_io_failed(r, path, ERR_BAD_REQUEST, e);
	if (rc == 0)
		rc = write_version(&s, o, e);
	rc = org_io_end(db, &io, rc, e);
	free(s.rows);
	arena_free(&s.a);
	return rc;
}

int standards_active_item(struct db *db, const char *code, int64_t *id, struct err *e)
{
	return db_find_int(db,
	                   "SELECT n.id FROM standard_node n JOIN standard_version v ON"
	                   " v.id = n.version_id WHERE v.active = 1 AND n.kind = 'item'"
	                   " AND n.code = ?",
	                   code, id, e);
}

int standards_activate(struct db *db, const char *code, struct err *e)
{
	int64_t id;
	int rc = db_get_int(db, "SELECT id FROM standard_version WHERE code = ?",
	                    DB_ARGS(db_text(code)), &id, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, "no standard version %s", code);
	if (rc == 0)
		rc = db_run(
		    db, "UPDATE standard_version SET active = CASE WHEN id = ? THEN 1 ELSE 0 END",
		    DB_ARGS(db_int(id)), e);
	return rc;
}

/* ---- JSON */

int site_types_json(struct db *db, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, "SELECT code, name, sort FROM site_type ORDER BY sort, code", NULL, 0,
	                  &st, e);
	if (rc)
		return rc;
	json_t *a = json_array();
	while ((rc = db_step(st, e)) == DB_ROW)
		json_array_append_new(a, json_pack("{s:s, s:s, s:I}", "code", db_col_text(st, 0),
		                                   "name", db_col_text(st, 1), "sort",
		                                   (json_int_t)db_col_int(st, 2)));
	db_done(st);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return 0;
}

int standards_versions_json(struct db *db, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(
	    db,
	    "SELECT v.code, v.name, v.active, v.imported_at,"
	    " SUM(CASE WHEN n.kind = 'project' THEN 1 ELSE 0 END),"
	    " SUM(CASE WHEN n.kind = 'content' THEN 1 ELSE 0 END),"
	    " SUM(CASE WHEN n.kind = 'item' THEN 1 ELSE 0 END),"
	    " COALESCE(SUM(CASE WHEN n.kind = 'item' AND n.veto = 'none' THEN n.points END), 0)"
	    " FROM standard_version v LEFT JOIN standard_node n ON n.version_id = v.id"
	    " GROUP BY v.id, v.code, v.name, v.active, v.imported_at ORDER BY v.id DESC",
	    NULL, 0, &st, e);
	if (rc)
		return rc;
	json_t *a = json_array();
	while ((rc = db_step(st, e)) == DB_ROW)
		json_array_append_new(
		    a, json_pack(
		           "{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:f}", "code", db_col_text(st, 0),
		           "name", db_col_text(st, 1), "active", (int)db_col_int(st, 2),
		           "imported_at", (json_int_t)db_col_int(st, 3), "projects",
		           (json_int_t)db_col_int(st, 4), "contents", (json_int_t)db_col_int(st, 5),
		           "items", (json_int_t)db_col_int(st, 6), "points", db_col_real(st, 7)));
	db_done(st);
	if (rc < 0) {
		json_decref(a);
		return rc;
	}
	*out = a;
	return 0;
}

/* "a;b" lists of an item's site types and service codes, keyed by node id. */
static int item_lists(struct db *db, int64_t vid, json_t *items_by_id, struct err *e)
{
	static const char *const sql[2] = {
	    "SELECT t.node_id, t.site_type FROM standard_item_site_type t"
	    " JOIN standard_node n ON n.id = t.node_id WHERE n.version_id = ?"
	    " ORDER BY t.node_id, t.site_type",
	    "SELECT c.node_id, k.service_code FROM standard_item_category c"
	    " JOIN standard_node n ON n.id = c.node_id JOIN category k ON k.id = c.category_id"
	    " WHERE n.version_id = ? ORDER BY c.node_id, k.service_code"};
	static const char *const key[2] = {"site_types", "service_codes"};
	for (int k = 0; k < 2; k++) {
		struct db_stmt *st;
		int rc = db_query(db, sql[k], DB_ARGS(db_int(vid)), &st, e);
		if (rc)
			return rc;
		char id[24];
		while ((rc = db_step(st, e)) == DB_ROW) {
			snprintf(id, sizeof id, "%lld", (long long)db_col_int(st, 0));
			json_t *item = json_object_get(items_by_id, id);
			if (item)
				json_array_append_new(json_object_get(item, key[k]),
				                      json_string(db_col_text(st, 1)));
		}
		db_done(st);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int version_id(struct db *db, const char *version, int64_t *vid, json_t **head,
                      struct err *e)
{
	struct db_stmt *st;
	int active = !strcmp(version, "active");
	int rc = active ? db_query(db,
	                           "SELECT id, code, name, active FROM standard_version"
	                           " WHERE active = 1",
	                           NULL, 0, &st, e)
	                : db_query(db,
	                           "SELECT id, code, name, active FROM standard_version"
	                           " WHERE code = ?",
	                           DB_ARGS(db_text(version)), &st, e);
	if (rc)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		*vid = db_col_int(st, 0);
		*head = json_pack("{s:s, s:s, s:b}", "code", db_col_text(st, 1), "name",
		                  db_col_text(st, 2), "active", (int)db_col_int(st, 3));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND,
		             active ? "no standard version is active" : "no standard version %s",
		             version);
	}
	db_done(st);
	return rc;
}

int standards_tree_json(struct db *db, const char *version, const char *site_type,
                        const char *method, json_t **out, struct err *e)
{
	int64_t vid = 0;
	json_t *root = NULL;
	int rc = version_id(db, version, &vid, &root, e);
	if (rc)
		return rc;
	struct db_stmt *st;
	rc = db_query(db,
	              "SELECT n.id, n.code, n.kind, n.text, n.method, n.points, n.veto,"
	              " COALESCE(p.code, '') FROM standard_node n"
	              " LEFT JOIN standard_node p ON p.id = n.parent_id"
	              " WHERE n.version_id = ? ORDER BY n.kind = 'item', n.kind = 'content',"
	              " n.sort, n.code",
	              DB_ARGS(db_int(vid)), &st, e);
	if (rc) {
		json_decref(root);
		return rc;
	}
	/* projects come first, then contents, then items: each finds its parent already made */
	json_t *projects = json_array(), *by_code = json_object(), *items = json_object();
	while ((rc = db_step(st, e)) == DB_ROW) {
		const char *code = db_col_text(st, 1), *kind = db_col_text(st, 2);
		json_t *node;
		if (!strcmp(kind, "item")) {
			char id[24];
			snprintf(id, sizeof id, "%lld", (long long)db_col_int(st, 0));
			node = json_pack("{s:I, s:s, s:s, s:s, s:f, s:s, s:[], s:[]}", "id",
			                 (json_int_t)db_col_int(st, 0), "code", code, "text",
			                 db_col_text(st, 3), "method", db_col_text(st, 4), "points",
			                 db_col_real(st, 5), "veto", db_col_text(st, 6),
			                 "site_types", "service_codes");
			json_object_set(items, id, node);
		} else {
			node =
			    json_pack("{s:s, s:s, s:[]}", "code", code, "text", db_col_text(st, 3),
			              !strcmp(kind, "project") ? "contents" : "items");
			json_object_set(by_code, code, node);
		}
		json_t *parent = json_object_get(by_code, db_col_text(st, 7));
		if (!strcmp(kind, "project"))
			json_array_append(projects, node);
		else if (parent)
			json_array_append(json_object_get(parent, !strcmp(kind, "content")
			                                              ? "contents"
			                                              : "items"),
			                  node);
		json_decref(node);
	}
	db_done(st);
	if (rc == 0)
		rc = item_lists(db, vid, items, e);
	if (rc == 0 && (site_type || method)) {
		/* keep the matching items; drop what is left empty */
		size_t i;
		json_t *p;
		json_array_foreach(projects, i, p)
		{
			json_t *contents = json_object_get(p, "contents");
			for (size_t c = json_array_size(contents); c-- > 0;) {
				json_t *list =
				    json_object_get(json_array_get(contents, c), "items");
				for (size_t k = json_array_size(list); k-- > 0;) {
					json_t *it = json_array_get(list, k);
					int keep =
					    !method || !strcmp(json_string_value(
					                           json_object_get(it, "method")),
					                       method);
					if (keep && site_type) {
						keep = 0;
						size_t t;
						json_t *v;
						json_array_foreach(
						    json_object_get(it, "site_types"), t, v) keep |=
						    !strcmp(json_string_value(v), site_type);
					}
					if (!keep)
						json_array_remove(list, k);
				}
				if (!json_array_size(list))
					json_array_remove(contents, c);
			}
		}
		for (size_t k = json_array_size(projects); k-- > 0;)
			if (!json_array_size(
			        json_object_get(json_array_get(projects, k), "contents")))
				json_array_remove(projects, k);
	}
	json_decref(by_code);
	json_decref(items);
	if (rc < 0) {
		json_decref(projects);
		json_decref(root);
		return rc;
	}
	json_object_set_new(root, "projects", projects);
	*out = root;
	return 0;
}
