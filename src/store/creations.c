/* Creation titles and records: the titles file, declaring and moving a
 * creation through core/creation_fsm.c (each move guarded by the version the caller saw and
 * recorded as an event), one creation with its history and self-assessments, and the list.
 * The records import is in creation_import.c, self-assessments in creation_assess.c, the
 * coverage figures in creation_coverage.c. */
#include "store/creations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/creation_fsm.h"
#include "lib/arena.h"
#include "lib/csv.h"
#include "store/creations_internal.h"
#include "store/db.h"
#include "store/org_io_internal.h"
#include "store/sites.h"

/* The unit kinds of store/org_io_units.c: a title may only name kinds a unit can have. */
static const char *const UNIT_KINDS[] = {
    "committee", "office", "department", "utility", "district", "county_city", "county", "zone",
    "street",    "town",   "community",  "village", "school",   "enterprise",  NULL};
static const char *const METHODS[] = {"field", "survey", "material", "online", NULL};

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

const char **creation_split(struct arena *a, const char *s, size_t *n)
{
	size_t cap = 1;
	for (const char *p = s; *p; p++)
		cap += *p == ';';
	const char **out = arena_alloc(a, cap * sizeof *out);
	*n = 0;
	for (const char *p = s; *p;) {
		size_t len = strcspn(p, ";");
		const char *b = p, *end = p + len;
		while (b < end && *b == ' ')
			b++;
		while (end > b && end[-1] == ' ')
			end--;
		if (end > b)
			out[(*n)++] = arena_strndup(a, b, (size_t)(end - b));
		p += len + (p[len] == ';');
	}
	return out;
}

/* ---- titles */

static int title_links(struct db *db, struct csv *csv, struct arena *a, const char *code,
                       struct err *e)
{
	static const char *const del[] = {
	    "DELETE FROM creation_title_kind WHERE title = ?",
	    "DELETE FROM creation_title_site_type WHERE title = ?",
	    "DELETE FROM creation_title_method WHERE title = ?",
	};
	int rc = 0;
	for (int i = 0; i < 3 && rc == 0; i++)
		rc = db_run(db, del[i], DB_ARGS(db_text(code)), e);
	size_t n;
	const char **v = creation_split(a, csv_get(csv, "unit_kinds"), &n);
	if (rc == 0 && n == 0)
		return csv_error(csv, e, ERR_BAD_REQUEST, "a title needs its unit_kinds");
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = !in_list(v[i], UNIT_KINDS)
		         ? csv_error(csv, e, ERR_BAD_REQUEST, "unknown unit kind \"%s\"", v[i])
		         : db_run(db,
		                  "INSERT INTO creation_title_kind (title, unit_kind) VALUES (?, ?)"
		                  " ON CONFLICT DO NOTHING",
		                  DB_ARGS(db_text(code), db_text(v[i])), e);
	v = creation_split(a, csv_get(csv, "site_types"), &n);
	for (size_t i = 0; i < n && rc == 0; i++) {
		int64_t one;
		if ((rc = db_find_int(db, "SELECT 1 FROM site_type WHERE code = ?", v[i], &one, e)))
			break;
		rc = !one ? csv_error(csv, e, ERR_BAD_REQUEST, "unknown site type \"%s\"", v[i])
		          : db_run(db,
		                   "INSERT INTO creation_title_site_type (title, site_type) VALUES"
		                   " (?, ?) ON CONFLICT DO NOTHING",
		                   DB_ARGS(db_text(code), db_text(v[i])), e);
	}
	v = creation_split(a, csv_get(csv, "methods"), &n);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = !in_list(v[i], METHODS)
		         ? csv_error(csv, e, ERR_BAD_REQUEST,
		                     "method \"%s\" is not one of field, survey, material, online",
		                     v[i])
		         : db_run(db,
		                  "INSERT INTO creation_title_method (title, method) VALUES (?, ?)"
		                  " ON CONFLICT DO NOTHING",
		                  DB_ARGS(db_text(code), db_text(v[i])), e);
	return rc;
}

int creation_titles_import(struct db *db, const char *path, int *rows, struct err *e)
{
	struct csv *csv;
	int rc = csv_open_file(path, &csv, e);
	if (rc)
		return rc;
	static const char *const cols[] = {"code",    "name", "unit_kinds", "site_types",
	                                   "methods", "sort", NULL};
	if (!(rc = csv_read_header(csv, e)))
		rc = csv_require(csv, cols, e);
	struct arena a;
	arena_init(&a);
	int n = 0;
	while (rc == 0 && (rc = csv_next(csv, e)) == 1) {
		const char *code = csv_get(csv, "code"), *name = csv_get(csv, "name");
		const char *problem = org_text_problem(name, 0, 100), *sort = csv_get(csv, "sort");
		char *end;
		long long sv = strtoll(sort, &end, 10);
		rc = 0;
		if (!org_code_ok(code) || strlen(code) > 40)
			rc = csv_error(csv, e, ERR_BAD_REQUEST, "bad title code \"%s\"", code);
		else if (!*name || problem)
			rc = csv_error(csv, e, ERR_BAD_REQUEST, "name %s",
			               problem ? problem : "is empty");
		else if (*end || sv < -1000000 || sv > 1000000)
			rc = csv_error(csv, e, ERR_BAD_REQUEST, "sort is not a whole number");
		else
			rc = db_run(db,
			            "INSERT INTO creation_title (code, name, sort) VALUES (?, ?, ?)"
			            " ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
			            " sort = excluded.sort",
			            DB_ARGS(db_text(code), db_text(name), db_int(sv)), e);
		if (rc == 0)
			rc = title_links(db, csv, &a, code, e);
		n += rc == 0;
	}
	csv_free(csv);
	arena_free(&a);
	if (rows)
		*rows = n;
	return rc < 0 ? rc : 0;
}

static int strings_of(struct db *db, const char *sql, const char *key, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, sql, DB_ARGS(db_text(key)), &st, e);
	if (rc)
		return rc;
	json_t *arr = json_array();
	while ((rc = db_step(st, e)) == DB_ROW)
		json_array_append_new(arr, json_string(db_col_text(st, 0)));
	db_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int creation_titles_json(struct db *db, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT t.code, t.name, t.sort, (SELECT COUNT(*) FROM standard_node n"
	                  " JOIN standard_version v ON v.id = n.version_id AND v.active = 1"
	                  " WHERE" CREATION_APPLIES_SQL ") FROM creation_title t"
	                  " ORDER BY t.sort, t.code",
	                  NULL, 0, &st, e);
	if (rc)
		return rc;
	json_t *arr = json_array();
	while ((rc = db_step(st, e)) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:I, s:I}", "code",
		                                     db_col_text(st, 0), "name", db_col_text(st, 1),
		                                     "sort", (json_int_t)db_col_int(st, 2), "items",
		                                     (json_int_t)db_col_int(st, 3)));
	db_done(st);
	size_t i;
	json_t *t;
	json_array_foreach(arr, i, t)
	{
		const char *code = json_string_value(json_object_get(t, "code"));
		json_t *k = NULL, *s = NULL, *m = NULL;
		if (rc == 0)
			rc = strings_of(db,
			                "SELECT unit_kind FROM creation_title_kind WHERE title = ?"
			                " ORDER BY unit_kind",
			                code, &k, e);
		if (rc == 0)
			rc = strings_of(
			    db,
			    "SELECT site_type FROM creation_title_site_type WHERE title = ?"
			    " ORDER BY site_type",
			    code, &s, e);
		if (rc == 0)
			rc = strings_of(db,
			                "SELECT method FROM creation_title_method WHERE title = ?"
			                " ORDER BY method",
			                code, &m, e);
		if (rc == 0) {
			json_object_set_new(t, "unit_kinds", k);
			json_object_set_new(t, "site_types", s);
			json_object_set_new(t, "methods", m);
		}
	}
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

/* ---- declaring and moving */

/* The unit is active and of one of the title's kinds. */
int creation_check_eligible(struct db *db, int64_t unit_id, const char *title, struct err *e)
{
	int64_t n = 0;
	int rc = db_find_int(db, "SELECT 1 FROM creation_title WHERE code = ?", title, &n, e);
	if (rc)
		return rc;
	if (!n)
		return err_set(e, ERR_UNPROCESSABLE, "unknown title %s", title);
	struct db_stmt *st;
	if ((rc =
	         db_query(db,
	                  "SELECT u.kind, u.active, EXISTS (SELECT 1 FROM creation_title_kind k"
	                  " WHERE k.title = ? AND k.unit_kind = u.kind) FROM unit u WHERE u.id = ?",
	                  DB_ARGS(db_text(title), db_int(unit_id)), &st, e)))
		return rc;
	if ((rc = db_step(st, e)) == DB_DONE)
		rc = err_set(e, ERR_UNPROCESSABLE, "unknown unit %lld", (long long)unit_id);
	else if (rc == DB_ROW && !db_col_int(st, 1))
		rc = err_set(e, ERR_UNPROCESSABLE, "unit %lld is not active", (long long)unit_id);
	else if (rc == DB_ROW && !db_col_int(st, 2))
		rc = err_set(e, ERR_UNPROCESSABLE, "a unit of kind %s cannot create %s",
		             db_col_text(st, 0), title);
	else if (rc == DB_ROW)
		rc = 0;
	db_done(st);
	return rc;
}

int creation_add_event(struct db *db, int64_t id, int64_t at, const char *actor, const char *action,
                       const char *from, const char *to, const char *note, struct err *e)
{
	return db_run(db,
	              "INSERT INTO creation_event (creation_id, at, actor, action, from_status,"
	              " to_status, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
	              DB_ARGS(db_int(id), db_int(at), db_text(actor), db_text(action),
	                      db_text(from ? from : ""), db_text(to), db_text(note ? note : "")),
	              e);
}

static int fsm_error(int fr, enum creation_state from, const char *action, struct err *e)
{
	char msg[400];
	creation_fsm_message(fr, from, action, msg, sizeof msg);
	return err_set(e, creation_fsm_err_code(fr), "%s", msg);
}

int creation_declare(struct db *db, const struct creation_declare *d, int64_t *id, struct err *e)
{
	int fr = creation_fsm_apply(CREATION_NONE, "declare", d->roles, d->note, NULL);
	if (fr)
		return fsm_error(fr, CREATION_NONE, "declare", e);
	const char *level = d->level ? d->level : "city";
	if (!creation_level_ok(level))
		return err_set(e, ERR_UNPROCESSABLE, "level is city, province or national");
	int rc = creation_check_eligible(db, d->unit_id, d->title, e);
	if (rc)
		return rc;
	struct db_stmt *st;
	if ((rc = db_query(db, "SELECT id, status FROM creation WHERE unit_id = ? AND title = ?",
	                   DB_ARGS(db_int(d->unit_id), db_text(d->title)), &st, e)))
		return rc;
	if ((rc = db_step(st, e)) == DB_ROW)
		rc = err_set(e, ERR_CONFLICT, "unit %lld already has creation %lld of %s (%s)%s",
		             (long long)d->unit_id, (long long)db_col_int(st, 0), d->title,
		             db_col_text(st, 1),
		             strcmp(db_col_text(st, 1), "revoked")
		                 ? ""
		                 : ": declare it again with the action declare");
	db_done(st);
	if (rc < 0)
		return rc;
	rc =
	    db_get_int(db,
	               "INSERT INTO creation (unit_id, title, status, level, year, batch,"
	               " declared_at, note, version, updated_at) VALUES (?, ?, 'declared', ?, ?, ?,"
	               " ?, ?, 1, ?) RETURNING id",
	               DB_ARGS(db_int(d->unit_id), db_text(d->title), db_text(level),
	                       db_int(d->year), db_text(d->batch ? d->batch : ""), db_int(d->now),
	                       db_text(d->note ? d->note : ""), db_int(d->now)),
	               id, e);
	if (rc == 0)
		rc = creation_add_event(db, *id, d->now, d->actor, "declare", "", "declared",
		                        d->note, e);
	return rc;
}

int creation_unit(struct db *db, int64_t id, int64_t *unit_id, struct err *e)
{
	int rc = db_get_int(db, "SELECT unit_id FROM creation WHERE id = ?", DB_ARGS(db_int(id)),
	                    unit_id, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, "no creation %lld", (long long)id);
	return rc;
}

int creation_move(struct db *db, const struct creation_step *s, const char **from_name,
                  const char **to_name, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, "SELECT status, version FROM creation WHERE id = ?",
	                  DB_ARGS(db_int(s->id)), &st, e);
	if (rc)
		return rc;
	enum creation_state from = CREATION_NONE;
	int64_t version = 0;
	if ((rc = db_step(st, e)) == DB_ROW) {
		(void)creation_state_from_name(db_col_text(st, 0), &from);
		version = db_col_int(st, 1);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no creation %lld", (long long)s->id);
	}
	db_done(st);
	if (rc)
		return rc;
	struct creation_move mv;
	int fr = creation_fsm_apply(from, s->action, s->roles, s->note, &mv);
	if (fr)
		return fsm_error(fr, from, s->action, e);
	if (version != s->version)
		return err_set(e, ERR_CONFLICT,
		               "creation %lld changed meanwhile: it is now %s at version %lld",
		               (long long)s->id, creation_state_name(from), (long long)version);
	if (s->level && !creation_level_ok(s->level))
		return err_set(e, ERR_UNPROCESSABLE, "level is city, province or national");
	const char *to = creation_state_name(mv.to), *note = s->note ? s->note : "";
	int named = mv.to == CREATION_NAMED, revoked = mv.to == CREATION_REVOKED;
	/* Each step's column keeps the last time it was taken; a revocation keeps its reason,
	 * a new declaration clears it. */
	rc =
	    db_run(db,
	           "UPDATE creation SET status = ?, version = version + 1, updated_at = ?,"
	           " declared_at = CASE WHEN ? = 'declared' THEN ? ELSE declared_at END,"
	           " reviewing_at = CASE WHEN ? = 'reviewing' THEN ? ELSE reviewing_at END,"
	           " named_at = CASE WHEN ? = 'named' THEN ? ELSE named_at END,"
	           " revoked_at = CASE WHEN ? = 'revoked' THEN ? ELSE revoked_at END,"
	           " revoke_reason = CASE WHEN ? = 'revoked' THEN ? WHEN ? = 'declared' THEN ''"
	           " ELSE revoke_reason END,"
	           " level = CASE WHEN ? = 1 AND ? <> '' THEN ? ELSE level END,"
	           " batch = CASE WHEN ? = 1 AND ? <> '' THEN ? ELSE batch END"
	           " WHERE id = ? AND version = ?",
	           DB_ARGS(db_text(to), db_int(s->now), db_text(to), db_int(s->now), db_text(to),
	                   db_int(s->now), db_text(to), db_int(s->now), db_text(to), db_int(s->now),
	                   db_text(to), db_text(revoked ? note : ""), db_text(to), db_int(named),
	                   db_text(s->level ? s->level : ""), db_text(s->level ? s->level : ""),
	                   db_int(named), db_text(s->batch ? s->batch : ""),
	                   db_text(s->batch ? s->batch : ""), db_int(s->id), db_int(s->version)),
	           e);
	if (rc == 0)
		rc = creation_add_event(db, s->id, s->now, s->actor, s->action,
		                        creation_state_name(from), to, note, e);
	if (rc == 0 && from_name)
		*from_name = creation_state_name(from);
	if (rc == 0 && to_name)
		*to_name = to;
	return rc;
}

/* ---- reading */

static json_t *opt_int(struct db_stmt *st, int col)
{
	return db_col_is_null(st, col) ? json_null() : json_integer(db_col_int(st, col));
}

json_t *creation_score_json(const struct score_sum *s)
{
	double v;
	return score_value(s, &v) ? json_real(v) : json_null();
}

static int history_json(struct db *db, int64_t id, json_t *o, struct err *e)
{
	struct db_stmt *st;
	int rc =
	    db_query(db,
	             "SELECT at, actor, action, from_status, to_status, note FROM creation_event"
	             " WHERE creation_id = ? ORDER BY id",
	             DB_ARGS(db_int(id)), &st, e);
	if (rc)
		return rc;
	json_t *arr = json_array();
	while ((rc = db_step(st, e)) == DB_ROW)
		json_array_append_new(
		    arr, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "at",
		                   (json_int_t)db_col_int(st, 0), "actor", db_col_text(st, 1),
		                   "action", db_col_text(st, 2), "from", db_col_text(st, 3), "to",
		                   db_col_text(st, 4), "note", db_col_text(st, 5)));
	db_done(st);
	json_object_set_new(o, "history", arr);
	if (rc < 0)
		return rc;
	if ((rc = db_query(
	         db,
	         "SELECT a.id, a.client_id, a.submitted_at, COALESCE(a.submitted_by, 0),"
	         " COALESCE(u.login, ''), v.code, a.note, a.kept, a.applicable, a.passed,"
	         " a.failed, a.na, a.deduct_failed, a.veto_failed FROM creation_assessment a"
	         " JOIN standard_version v ON v.id = a.version_id LEFT JOIN users u ON"
	         " u.id = a.submitted_by WHERE a.creation_id = ? ORDER BY a.id DESC",
	         DB_ARGS(db_int(id)), &st, e)))
		return rc;
	arr = json_array();
	while ((rc = db_step(st, e)) == DB_ROW) {
		struct score_sum s = {.kept = db_col_real(st, 7), .applicable = db_col_real(st, 8)};
		json_array_append_new(
		    arr,
		    json_pack("{s:I, s:s, s:I, s:I, s:s, s:s, s:s, s:o, s:f, s:f, s:I, s:I, s:I,"
		              " s:I, s:I}",
		              "id", (json_int_t)db_col_int(st, 0), "client_id", db_col_text(st, 1),
		              "submitted_at", (json_int_t)db_col_int(st, 2), "submitted_by",
		              (json_int_t)db_col_int(st, 3), "login", db_col_text(st, 4), "version",
		              db_col_text(st, 5), "note", db_col_text(st, 6), "score",
		              creation_score_json(&s), "kept", s.kept, "applicable", s.applicable,
		              "passed", (json_int_t)db_col_int(st, 9), "failed",
		              (json_int_t)db_col_int(st, 10), "na", (json_int_t)db_col_int(st, 11),
		              "deduct_failed", (json_int_t)db_col_int(st, 12), "veto_failed",
		              (json_int_t)db_col_int(st, 13)));
	}
	db_done(st);
	json_object_set_new(o, "assessments", arr);
	return rc < 0 ? rc : 0;
}

int creation_json(struct db *db, int64_t id, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(
	    db,
	    "WITH " CREATION_DISTRICT_CTE
	    " SELECT c.id, c.unit_id, u.code, u.name, u.kind, COALESCE(d.code, ''),"
	    " COALESCE(d.name, ''), c.title, t.name, c.status, c.level, c.year, c.batch,"
	    " c.declared_at, c.reviewing_at, c.named_at, c.revoked_at, c.revoke_reason, c.note,"
	    " c.version, c.updated_at FROM creation c JOIN unit u ON u.id = c.unit_id"
	    " JOIN creation_title t ON t.code = c.title LEFT JOIN ud ON ud.unit_id = u.id"
	    " LEFT JOIN unit d ON d.id = ud.district_id WHERE c.id = ?",
	    DB_ARGS(db_int(id)), &st, e);
	if (rc)
		return rc;
	json_t *o = NULL;
	if ((rc = db_step(st, e)) == DB_ROW) {
		enum creation_state s = CREATION_NONE;
		(void)creation_state_from_name(db_col_text(st, 9), &s);
		o = json_pack(
		    "{s:I, s:{s:I, s:s, s:s, s:s}, s:{s:s, s:s}, s:s, s:s, s:s, s:s, s:s, s:s, s:I,"
		    " s:s, s:I, s:o, s:o, s:o, s:s, s:s, s:I, s:I}",
		    "id", (json_int_t)db_col_int(st, 0), "unit", "id",
		    (json_int_t)db_col_int(st, 1), "code", db_col_text(st, 2), "name",
		    db_col_text(st, 3), "kind", db_col_text(st, 4), "district", "code",
		    db_col_text(st, 5), "name", *db_col_text(st, 6) ? db_col_text(st, 6) : "市直",
		    "title", db_col_text(st, 7), "title_name", db_col_text(st, 8), "status",
		    db_col_text(st, 9), "status_label", creation_state_label(s), "level",
		    db_col_text(st, 10), "level_label", creation_level_label(db_col_text(st, 10)),
		    "year", (json_int_t)db_col_int(st, 11), "batch", db_col_text(st, 12),
		    "declared_at", (json_int_t)db_col_int(st, 13), "reviewing_at", opt_int(st, 14),
		    "named_at", opt_int(st, 15), "revoked_at", opt_int(st, 16), "revoke_reason",
		    db_col_text(st, 17), "note", db_col_text(st, 18), "version",
		    (json_int_t)db_col_int(st, 19), "updated_at", (json_int_t)db_col_int(st, 20));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "no creation %lld", (long long)id);
	}
	db_done(st);
	if (rc == 0)
		rc = history_json(db, id, o, e);
	if (rc) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

int creations_list_json(struct db *db, const struct creation_filter *f, json_t **out, struct err *e)
{
	const char *title = f->title ? f->title : "", *status = f->status ? f->status : "",
	           *kind = f->unit_kind ? f->unit_kind : "";
	struct db_stmt *st;
	int rc = db_query(
	    db,
	    "WITH " CREATION_DISTRICT_CTE
	    " SELECT c.id, c.unit_id, u.code, u.name, u.kind, COALESCE(d.code, ''),"
	    " COALESCE(d.name, '市直'), c.title, t.name, c.status, c.level, c.year, c.batch,"
	    " c.declared_at, c.named_at, c.revoked_at, c.version, la.kept, la.applicable"
	    " FROM creation c JOIN unit u ON u.id = c.unit_id JOIN creation_title t ON"
	    " t.code = c.title LEFT JOIN ud ON ud.unit_id = u.id LEFT JOIN unit d ON"
	    " d.id = ud.district_id LEFT JOIN creation_assessment la ON la.id = (SELECT MAX(x.id)"
	    " FROM creation_assessment x WHERE x.creation_id = c.id)"
	    " WHERE (? = '' OR c.title = ?) AND (? = '' OR c.status = ?) AND (? = '' OR u.kind = ?)"
	    " AND (? = 0 OR c.year = ?) AND (? = 0 OR u.id IN" SITE_IN_UNIT_SQL ")"
	    " AND (? = 0 OR u.id IN" SITE_IN_UNIT_SQL ")"
	    " ORDER BY COALESCE(d.sort, 1000000), COALESCE(d.code, ''), t.sort, u.code"
	    " LIMIT ? OFFSET ?",
	    DB_ARGS(db_text(title), db_text(title), db_text(status), db_text(status), db_text(kind),
	            db_text(kind), db_int(f->year), db_int(f->year), db_int(f->district_root),
	            db_int(f->district_root), db_int(f->reach_root), db_int(f->reach_root),
	            db_int(f->limit > 0 ? f->limit : 500), db_int(f->offset)),
	    &st, e);
	if (rc)
		return rc;
	json_t *arr = json_array();
	while ((rc = db_step(st, e)) == DB_ROW) {
		struct score_sum s = {.kept = db_col_real(st, 17),
		                      .applicable = db_col_real(st, 18)};
		json_array_append_new(
		    arr,
		    json_pack(
		        "{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I,"
		        " s:o, s:o, s:I, s:o}",
		        "id", (json_int_t)db_col_int(st, 0), "unit_id",
		        (json_int_t)db_col_int(st, 1), "unit_code", db_col_text(st, 2), "unit_name",
		        db_col_text(st, 3), "unit_kind", db_col_text(st, 4), "district_code",
		        db_col_text(st, 5), "district_name", db_col_text(st, 6), "title",
		        db_col_text(st, 7), "title_name", db_col_text(st, 8), "status",
		        db_col_text(st, 9), "level", db_col_text(st, 10), "year",
		        (json_int_t)db_col_int(st, 11), "batch", db_col_text(st, 12), "declared_at",
		        (json_int_t)db_col_int(st, 13), "named_at", opt_int(st, 14), "revoked_at",
		        opt_int(st, 15), "version", (json_int_t)db_col_int(st, 16), "score",
		        db_col_is_null(st, 18) ? json_null() : creation_score_json(&s)));
	}
	db_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}
