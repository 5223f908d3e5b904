/* A plan's tasks from CSV (store/plans.h, docs/plans.md): every row checked first with
 * FILE:LINE errors, then written through task_create, all or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timefmt.h"
#include "lib/csv.h"
#include "store/db.h"
#include "store/org_io_internal.h"
#include "store/plans.h"
#include "store/standards.h"

enum {
	C_CODE,
	C_PARENT,
	C_TITLE,
	C_KIND,
	C_LEAD,
	C_CO,
	C_STARTS,
	C_DUE,
	C_ITEMS,
	C_MILESTONES,
	C_DESC,
	NCOLS
};
static const char *const COLS[NCOLS + 1] = {"code",      "parent_code", "title",       "kind",
                                            "lead_unit", "co_units",    "starts_on",   "due_on",
                                            "items",     "milestones",  "description", NULL};

enum { MAX_LIST = 32 };

struct prow {
	long line;
	char *f[NCOLS];
	struct task_in in;
	int64_t co[MAX_LIST], items[MAX_LIST];
	struct milestone_in ms[MAX_LIST];
};

/* "YYYY-MM-DD" as the start of that day (end_of_day: its last second), Beijing time. */
static int day(const char *s, int end_of_day, int64_t *out)
{
	if (strlen(s) != 10 || time_parse_iso8601(s, TZ_SHANGHAI, out) != 0)
		return -1;
	if (end_of_day)
		*out += 86399;
	return 0;
}

int plan_milestone_parse(const char *s, struct milestone_in *out)
{
	char date[11];
	if (strlen(s) <= 11 || s[10] != ' ')
		return -1;
	memcpy(date, s, 10);
	date[10] = 0;
	const char *title = s + 11;
	while (*title == ' ')
		title++;
	if (day(date, 1, &out->due_at) < 0 || !*title)
		return -1;
	out->title = title;
	return 0;
}

/* Splits "a;b" in place into at most MAX_LIST trimmed parts. -1 when there are more. */
static int split(char *s, char **parts, size_t *n)
{
	*n = 0;
	for (char *p = s; *p;) {
		size_t len = strcspn(p, ";");
		char *b = p, *end = p + len;
		p += len + (p[len] == ';');
		*end = 0;
		while (*b == ' ')
			b++;
		for (char *t = b + strlen(b); t > b && t[-1] == ' ';)
			*--t = 0;
		if (!*b)
			continue;
		if (*n == MAX_LIST)
			return -1;
		parts[(*n)++] = b;
	}
	return 0;
}

static int unit_id(struct db *db, const char *code, int64_t *id, struct err *e)
{
	return db_find_int(db, "SELECT id FROM unit WHERE code = ?", code, id, e);
}

/* Checks one row and fills its task_in; problems go to r. <0 only for database errors. */
static int check_row(struct db *db, struct prow *w, struct org_io_report *r, struct err *e)
{
	const char *code = w->f[C_CODE];
	struct task_in *in = &w->in;
	int rc;
	if (!*code)
		org_io_add(r, w->line, 0, NULL, "code is required");
	if (!*w->f[C_TITLE])
		org_io_add(r, w->line, 0, code, "title is required");
	else if (org_text_problem(w->f[C_TITLE], 0, 200))
		org_io_add(r, w->line, 0, code, "title: %s",
		           org_text_problem(w->f[C_TITLE], 0, 200));
	if (*w->f[C_KIND] && strcmp(w->f[C_KIND], "hard") && strcmp(w->f[C_KIND], "soft"))
		org_io_add(r, w->line, 0, code, "kind is hard or soft, not \"%s\"", w->f[C_KIND]);
	if ((rc = unit_id(db, w->f[C_LEAD], &in->lead_unit_id, e)) < 0)
		return rc;
	if (!in->lead_unit_id)
		org_io_add(r, w->line, 0, code, "no lead unit \"%s\"", w->f[C_LEAD]);
	char *parts[MAX_LIST];
	size_t n;
	if (split(w->f[C_CO], parts, &n) < 0)
		org_io_add(r, w->line, 0, code, "more than %d co-units", MAX_LIST);
	for (size_t i = 0; i < n; i++) {
		if ((rc = unit_id(db, parts[i], &w->co[i], e)) < 0)
			return rc;
		if (!w->co[i])
			org_io_add(r, w->line, 0, code, "no co-unit \"%s\"", parts[i]);
	}
	in->co_units = w->co;
	in->nco = n;
	in->set_co = 1;
	if (split(w->f[C_ITEMS], parts, &n) < 0)
		org_io_add(r, w->line, 0, code, "more than %d items", MAX_LIST);
	for (size_t i = 0; i < n; i++) {
		rc = standards_active_item(db, parts[i], &w->items[i], e);
		if (rc < 0)
			return rc;
		if (!w->items[i])
			org_io_add(r, w->line, 0, code, "no item \"%s\" in the active standard",
			           parts[i]);
	}
	in->items = w->items;
	in->nitems = n;
	in->set_items = 1;
	if (day(w->f[C_STARTS], 0, &in->starts_at) < 0)
		org_io_add(r, w->line, 0, code, "starts_on is a date YYYY-MM-DD");
	if (day(w->f[C_DUE], 1, &in->due_at) < 0)
		org_io_add(r, w->line, 0, code, "due_on is a date YYYY-MM-DD");
	else if (in->due_at <= in->starts_at)
		org_io_add(r, w->line, 0, code, "due_on is before starts_on");
	if (split(w->f[C_MILESTONES], parts, &n) < 0)
		org_io_add(r, w->line, 0, code, "more than %d milestones", MAX_LIST);
	for (size_t i = 0; i < n; i++)
		if (plan_milestone_parse(parts[i], &w->ms[i]) < 0)
			org_io_add(r, w->line, 0, code,
			           "a milestone is \"YYYY-MM-DD 名称\", not \"%s\"", parts[i]);
	in->milestones = w->ms;
	in->nmilestones = n;
	in->code = code;
	in->parent_code = w->f[C_PARENT];
	in->title = w->f[C_TITLE];
	in->kind = *w->f[C_KIND] ? w->f[C_KIND] : "hard";
	in->description = w->f[C_DESC];
	return 0;
}

static void free_rows(struct prow *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < NCOLS; c++)
			free(v[i].f[c]);
	free(v);
}

static int read_rows(struct db *db, const char *path, struct prow **out, size_t *nout,
                     struct org_io_report *r, struct err *e)
{
	*out = NULL;
	*nout = 0;
	struct csv *csv;
	int rc = csv_open_file(path, &csv, e);
	if (rc)
		return rc;
	struct err se;
	if (csv_read_header(csv, &se) || csv_require(csv, COLS, &se)) {
		org_io_add(r, 1, 0, NULL, "%s", se.msg);
		csv_free(csv);
		return 0;
	}
	struct prow *v = NULL;
	size_t n = 0, cap = 0;
	int dbrc = 0;
	while ((rc = csv_next(csv, &se)) == 1) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			struct prow *p = realloc(v, cap * sizeof *p);
			if (!p)
				abort(); /* as buf.c */
			v = p;
		}
		struct prow *w = &v[n++];
		memset(w, 0, sizeof *w);
		w->line = csv_line(csv);
		for (int c = 0; c < NCOLS; c++)
			if (!(w->f[c] = strdup(org_csv_unguard(csv_get(csv, COLS[c])))))
				abort();
		r->rows++;
		for (size_t k = 0; k + 1 < n; k++)
			if (!strcmp(v[k].f[C_CODE], w->f[C_CODE]))
				org_io_add(r, w->line, 0, w->f[C_CODE], "code given twice");
		if (*w->f[C_PARENT]) {
			size_t k = 0;
			while (k + 1 < n && strcmp(v[k].f[C_CODE], w->f[C_PARENT]))
				k++;
			if (k + 1 == n)
				org_io_add(r, w->line, 0, w->f[C_CODE],
				           "parent %s is not on an earlier line", w->f[C_PARENT]);
		}
		if ((dbrc = check_row(db, w, r, e)) < 0)
			break;
	}
	/* a syntax error ends the reading: the rest of the file cannot be trusted */
	if (!dbrc && rc < 0)
		org_io_add(r, -1, 0, NULL, "%s", se.msg);
	csv_free(csv);
	*out = v;
	*nout = n;
	if (!dbrc && n == 0 && !r->nerrors)
		org_io_add(r, 1, 0, NULL, "the file has no rows");
	return dbrc;
}

int plan_import(struct db *db, const char *path, const struct plan_import_opts *o,
                struct org_io_report *r, struct err *e)
{
	memset(r, 0, sizeof *r);
	struct org_io_opts io = {.dry_run = o->dry_run, .in_transaction = o->in_transaction};
	int rc = org_io_begin(db, &io, e);
	if (rc)
		return rc;
	int64_t plan = 0, issuer = 0;
	struct prow *v = NULL;
	size_t n = 0;
	rc = db_find_int(db, "SELECT id FROM plan WHERE code = ?", o->code, &plan, e);
	if (rc == 0 && o->issuer_code && *o->issuer_code &&
	    (rc = unit_id(db, o->issuer_code, &issuer, e)) == 0 && !issuer)
		rc = err_set(e, ERR_UNPROCESSABLE, "no unit %s to issue the plan", o->issuer_code);
	if (rc == 0)
		rc = read_rows(db, path, &v, &n, r, e);
	int64_t starts = INT64_MAX, ends = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].in.starts_at && v[i].in.starts_at < starts)
			starts = v[i].in.starts_at;
		if (v[i].in.due_at > ends)
			ends = v[i].in.due_at;
	}
	if (rc == 0)
		rc = org_io_failed(r, path, ERR_BAD_REQUEST, e);
	if (rc == 0 && !plan)
		rc = plan_create(db,
		                 &(struct plan_in){.code = o->code,
		                                   .title = o->title,
		                                   .issuer_unit_id = issuer,
		                                   .starts_at = starts,
		                                   .ends_at = ends,
		                                   .now = o->now},
		                 &plan, e);
	for (size_t i = 0; i < n && rc == 0; i++) {
		int64_t id;
		v[i].in.plan_id = plan;
		v[i].in.actor = "cli";
		v[i].in.now = o->now;
		if ((rc = task_create(db, &v[i].in, &id, e)) < 0)
			rc = err_set(e, rc, "%s:%ld: %s", path, v[i].line, e->msg);
		else
			r->inserted++;
	}
	rc = org_io_end(db, &io, rc, e);
	free_rows(v, n);
	return rc;
}
