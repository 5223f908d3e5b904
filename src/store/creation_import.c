/* `wenming import creation` and the demo records: creation records from CSV, checked whole
 * (every error listed with its line, as the org importers list them) and written only when
 * the whole file is clean. Only unit × title pairs not recorded yet: a recorded creation
 * changes through its moves. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/creation_fsm.h"
#include "lib/arena.h"
#include "lib/csv.h"
#include "store/creations.h"
#include "store/creations_internal.h"
#include "store/db.h"
#include "store/org_io_internal.h"

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

struct crow {
	const char *unit, *title, *status, *level, *batch, *note;
	int64_t unit_id, year;
	long line;
};

static int import_check(struct db *db, struct org_io_report *r, struct crow *w, struct crow *v,
                        size_t n, struct err *e)
{
	const char *key = w->unit;
	enum creation_state s;
	if (creation_state_from_name(w->status, &s) < 0)
		org_io_add(r, w->line, 0, key,
		           "status \"%s\" is not one of declared, reviewing, named, revoked",
		           w->status);
	else if (s == CREATION_REVOKED && !*w->note)
		org_io_add(r, w->line, 0, key, "a revoked creation needs its reason in note");
	if (!creation_level_ok(w->level))
		org_io_add(r, w->line, 0, key,
		           "level \"%s\" is not one of city, province, national", w->level);
	const char *p;
	if ((p = org_text_problem(w->batch, 0, 100)))
		org_io_add(r, w->line, 0, key, "batch %s", p);
	if ((p = org_text_problem(w->note, 1, 2000)))
		org_io_add(r, w->line, 0, key, "note %s", p);
	for (size_t k = 0; k < n; k++)
		if (!strcmp(v[k].unit, w->unit) && !strcmp(v[k].title, w->title))
			org_io_add(r, w->line, 0, key, "%s × %s is given twice (line %ld)", w->unit,
			           w->title, v[k].line);
	int rc = db_find_int(db, "SELECT id FROM unit WHERE code = ?", w->unit, &w->unit_id, e);
	if (rc)
		return rc;
	if (!w->unit_id) {
		org_io_add(r, w->line, 0, key, "unknown unit \"%s\"", w->unit);
		return 0;
	}
	struct err why;
	if ((rc = creation_check_eligible(db, w->unit_id, w->title, &why)) == ERR_UNPROCESSABLE) {
		org_io_add(r, w->line, 0, key, "%s", why.msg);
	} else if (rc) {
		*e = why;
		return rc;
	}
	int64_t old = 0;
	if ((rc = db_get_int(db, "SELECT COUNT(*) FROM creation WHERE unit_id = ? AND title = ?",
	                     DB_ARGS(db_int(w->unit_id), db_text(w->title)), &old, e)))
		return rc;
	if (old)
		org_io_add(r, w->line, 0, key,
		           "%s already has a creation of %s: it changes through its moves", w->unit,
		           w->title);
	return 0;
}

static int import_write(struct db *db, const struct creation_import_opts *o, const struct crow *w,
                        struct err *e)
{
	int64_t id, now = o->now;
	const char *st = w->status;
	int rc = db_get_int(
	    db,
	    "INSERT INTO creation (unit_id, title, status, level, year, batch, declared_at,"
	    " reviewing_at, named_at, revoked_at, revoke_reason, note, version, updated_at) VALUES"
	    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id",
	    DB_ARGS(db_int(w->unit_id), db_text(w->title), db_text(st), db_text(w->level),
	            db_int(w->year), db_text(w->batch), db_int(now),
	            !strcmp(st, "reviewing") ? db_int(now) : db_null(),
	            !strcmp(st, "named") || !strcmp(st, "reviewing") ? db_int(now) : db_null(),
	            !strcmp(st, "revoked") ? db_int(now) : db_null(),
	            db_text(!strcmp(st, "revoked") ? w->note : ""),
	            db_text(!strcmp(st, "revoked") ? "" : w->note), db_int(now)),
	    &id, e);
	return rc ? rc
	          : creation_add_event(db, id, now, o->actor ? o->actor : "cli", "import", "", st,
	                               w->note, e);
}

int creations_import(struct db *db, const char *path, const struct creation_import_opts *o,
                     struct org_io_report *r, struct err *e)
{
	memset(r, 0, sizeof *r);
	struct org_io_opts io = {.dry_run = o->dry_run, .in_transaction = o->in_transaction};
	int rc = org_io_begin(db, &io, e);
	if (rc)
		return rc;
	struct csv *csv = NULL;
	struct arena a;
	arena_init(&a);
	struct crow *v = NULL;
	size_t n = 0, cap = 0;
	struct err se;
	static const char *const need[] = {"unit_code", "title", "status", NULL};
	static const char *const known[] = {"unit_code", "title", "batch", "status",
	                                    "level",     "year",  "note",  NULL};
	rc = csv_open_file(path, &csv, e);
	if (rc == 0 && (csv_read_header(csv, &se) || csv_require(csv, need, &se)))
		org_io_add(r, 1, 0, NULL, "%s", se.msg);
	for (size_t i = 0; rc == 0 && !r->nerrors && i < csv_nfields(csv); i++)
		if (!in_list(csv_field(csv, i), known))
			org_io_add(
			    r, 1, 0, NULL,
			    "unknown column \"%s\" (the columns are unit_code, title, status,"
			    " level, year, batch, note)",
			    csv_field(csv, i));
	time_t now = (time_t)o->now;
	struct tm tm;
	localtime_r(&now, &tm);
	int step = 0, bad_header = r->nerrors > 0; /* no rows under a bad header */
	while (rc == 0 && !bad_header && (step = csv_next(csv, &se)) == 1) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			struct crow *p = realloc(v, cap * sizeof *p);
			if (!p)
				abort(); /* as buf.c */
			v = p;
		}
		struct crow *w = &v[n];
#define COL(name) arena_strdup(&a, csv_get(csv, name) ? org_csv_unguard(csv_get(csv, name)) : "")
		*w = (struct crow){.unit = COL("unit_code"),
		                   .title = COL("title"),
		                   .status = COL("status"),
		                   .level = COL("level"),
		                   .batch = COL("batch"),
		                   .note = COL("note"),
		                   .line = csv_line(csv),
		                   .year = tm.tm_year + 1900};
		const char *year = COL("year");
#undef COL
		if (!*w->level)
			w->level = "city";
		char *end;
		if (*year && ((w->year = strtoll(year, &end, 10)) < 1949 || w->year > 2200 || *end))
			org_io_add(r, w->line, 0, w->unit, "year \"%s\" is not a year", year);
		r->rows++;
		rc = import_check(db, r, w, v, n, e);
		n++;
	}
	if (rc == 0 && step < 0)
		org_io_add(r, -1, 0, NULL, "%s", se.msg);
	if (rc == 0)
		rc = org_io_failed(r, path, ERR_BAD_REQUEST, e);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if ((rc = import_write(db, o, &v[i], e)) == 0)
			r->inserted++;
	rc = org_io_end(db, &io, rc, e);
	if (csv)
		csv_free(csv);
	free(v);
	arena_free(&a);
	return rc;
}
