/* See calendar_store.h. The importer mirrors org_io_units.c: read and check every row, list
 * every error with its line, and write only a clean file, in one transaction (a savepoint when
 * the caller has one, as at init). */
#include "store/calendar_store.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/timefmt.h"
#include "core/workcal.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/csv.h"
#include "lib/utf8.h"
#include "store/db.h"

enum { NAME_MAX_CHARS = 50 };

static const char *const WEEKDAYS[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};

/* Errors ------------------------------------------------------------------------------------ */

static void add_error(struct org_io_report *r, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_error(struct org_io_report *r, long line, const char *fmt, ...)
{
	if (r->nerrors >= ORG_IO_MAX_ERRORS) {
		r->more++;
		return;
	}
	struct org_io_error *x = &r->errors[r->nerrors++];
	memset(x, 0, sizeof *x);
	x->line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof x->msg, fmt, ap);
	va_end(ap);
}

static int error_cmp(const void *pa, const void *pb)
{
	const struct org_io_error *a = pa, *b = pb;
	return (a->line > b->line) - (a->line < b->line);
}

/* Errors in file order (duplicates are found after the rows), the first one in e. */
static int report_failed(struct org_io_report *r, const char *path, struct err *e)
{
	if (!r->nerrors)
		return 0;
	qsort(r->errors, (size_t)r->nerrors, sizeof *r->errors, error_cmp);
	char first[600];
	org_io_render(path, &r->errors[0], first, sizeof first);
	int more = r->nerrors - 1 + r->more;
	if (more)
		return err_set(e, ERR_BAD_REQUEST, "%s (and %d more error%s)", first, more,
		               more > 1 ? "s" : "");
	return err_set(e, ERR_BAD_REQUEST, "%s", first);
}

/* Parsing ------------------------------------------------------------------------------------ */

/* Exactly YYYY-MM-DD, a real date from 2000 to 2100 (a calendar outside is a typing error). */
static int date_parse(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	if (*y < 2000 || *y > 2100 || *m < 1 || *m > 12 || *d < 1)
		return -1;
	int yy;
	unsigned mm, dd;
	time_civil_from_days(time_days_from_civil(*y, (unsigned)*m, (unsigned)*d), &yy, &mm, &dd);
	return (int)mm == *m && (int)dd == *d ? 0 : -1;
}

static int weekday_of(int y, int m, int d)
{
	int64_t z = time_days_from_civil(y, (unsigned)m, (unsigned)d) + 3; /* day 0: Thursday */
	return (int)(((z % 7) + 7) % 7);                                   /* Monday = 0 */
}

/* H:MM or HH:MM from 00:00 to 24:00, as minutes. */
static int hhmm_parse(const char *s, int *out)
{
	size_t n = strlen(s);
	if ((n != 4 && n != 5) || s[n - 3] != ':')
		return -1;
	for (size_t i = 0; i < n; i++)
		if (i != n - 3 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int h = atoi(s), mi = atoi(s + n - 2);
	if (h > 24 || mi > 59 || (h == 24 && mi))
		return -1;
	*out = h * 60 + mi;
	return 0;
}

static const char *text_problem(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (!utf8_valid(s, n))
		return "is not valid UTF-8";
	if (utf8_has_controls(s, n, false))
		return "holds control characters";
	if (utf8_length(s, n) > max)
		return "is too long";
	return NULL;
}

/* Days ----------------------------------------------------------------------------------------- */

struct dayrow {
	char day[11];
	const char *kind, *name;
	long line;
};

struct import {
	struct db *db;
	const struct calendar_import_opts *o;
	struct org_io_report *r;
	struct arena a;
	struct dayrow *rows;
	size_t n, cap;
};

static int header_only(struct csv *csv, struct org_io_report *r, const char *const *known,
                       const char *list)
{
	int bad = 0;
	for (size_t i = 0; i < csv_nfields(csv); i++) {
		const char *h = csv_field(csv, i);
		int ok = 0;
		for (const char *const *k = known; *k; k++)
			ok |= strcmp(h, *k) == 0;
		if (!ok) {
			add_error(r, csv_line(csv), "unknown column \"%s\" (the columns are %s)", h,
			          list);
			bad = 1;
		}
	}
	return bad;
}

static void day_row(struct import *im, struct csv *csv)
{
	long line = csv_line(csv);
	const char *date = csv_get(csv, "date"), *kind = csv_get(csv, "kind");
	const char *name = csv_get(csv, "name");
	name = name ? org_csv_unguard(name) : "";
	int y, m, d, bad = 0;
	if (date_parse(date, &y, &m, &d)) {
		add_error(im->r, line, "date \"%s\" is not a date YYYY-MM-DD from 2000 to 2100",
		          date);
		return;
	}
	if (im->o->year && y != im->o->year) {
		add_error(im->r, line, "date %s is not in %d, the year of this file", date,
		          im->o->year);
		bad = 1;
	}
	int holiday = strcmp(kind, "holiday") == 0, workday = strcmp(kind, "workday") == 0;
	if (!holiday && !workday) {
		add_error(im->r, line, "kind \"%s\" is not holiday or workday", kind);
		bad = 1;
	}
	/* Mon–Fri are workdays without a row: a makeup workday is always a weekend day. */
	int wd = weekday_of(y, m, d);
	if (workday && wd < 5) {
		add_error(im->r, line,
		          "%s is a %s, a workday already: only a Saturday or Sunday can be a "
		          "makeup workday",
		          date, WEEKDAYS[wd]);
		bad = 1;
	}
	const char *why = text_problem(name, NAME_MAX_CHARS);
	if (why) {
		add_error(im->r, line, "name %s (%d characters at most)", why, NAME_MAX_CHARS);
		bad = 1;
	} else if (holiday && !*name) {
		add_error(im->r, line, "holiday %s has no name", date);
		bad = 1;
	}
	if (bad)
		return;
	if (im->n == im->cap) {
		im->cap = im->cap ? im->cap * 2 : 64;
		struct dayrow *grown = realloc(im->rows, im->cap * sizeof *im->rows);
		if (!grown)
			abort(); /* as buf and arena do */
		im->rows = grown;
	}
	struct dayrow *w = &im->rows[im->n++];
	memcpy(w->day, date, 11);
	w->kind = holiday ? "holiday" : "workday";
	w->name = arena_strdup(&im->a, name);
	w->line = line;
}

static int dayrow_cmp(const void *pa, const void *pb)
{
	const struct dayrow *a = pa, *b = pb;
	int c = strcmp(a->day, b->day);
	return c ? c : (a->line > b->line) - (a->line < b->line);
}

static void check_duplicates(struct import *im)
{
	if (im->n)
		qsort(im->rows, im->n, sizeof *im->rows, dayrow_cmp);
	for (size_t i = 1; i < im->n; i++)
		if (strcmp(im->rows[i].day, im->rows[i - 1].day) == 0)
			add_error(im->r, im->rows[i].line,
			          "day %s appears twice (first on line %ld)", im->rows[i].day,
			          im->rows[i - 1].line);
}

static int write_days(struct import *im, struct err *e)
{
	for (size_t i = 0; i < im->n; i++) {
		struct dayrow *w = &im->rows[i];
		int64_t seen = 0;
		int rc = db_get_int(im->db, "SELECT 1 FROM calendar_day WHERE day = ?",
		                    DB_ARGS(db_text(w->day)), &seen, e);
		if (rc && rc != ERR_NOT_FOUND)
			return rc;
		/* Unchanged rows are not rewritten, so loading the same file twice bumps no
		 * generation (on SQLite; PostgreSQL's statement trigger fires regardless). */
		rc = db_run(im->db,
		            "INSERT INTO calendar_day (day, kind, name) VALUES (?, ?, ?)"
		            " ON CONFLICT (day) DO UPDATE SET kind = excluded.kind,"
		            " name = excluded.name WHERE calendar_day.kind <> excluded.kind"
		            " OR calendar_day.name <> excluded.name",
		            DB_ARGS(db_text(w->day), db_text(w->kind), db_text(w->name)), e);
		if (rc)
			return rc;
		if (seen)
			im->r->updated++;
		else
			im->r->inserted++;
	}
	return 0;
}

static int import_days(struct import *im, struct csv *csv, struct err *e)
{
	static const char *const known[] = {"date", "kind", "name", NULL};
	if (header_only(csv, im->r, known, "date, kind, name"))
		return 0;
	if (csv_col(csv, "date") < 0 || csv_col(csv, "kind") < 0) {
		add_error(im->r, csv_line(csv), "the header needs the columns date and kind");
		return 0;
	}
	struct err se;
	int rc;
	while ((rc = csv_next(csv, &se)) == 1) {
		im->r->rows++;
		day_row(im, csv);
	}
	if (rc < 0)
		add_error(im->r, -1, "%s", se.msg);
	check_duplicates(im);
	return im->r->nerrors ? 0 : write_days(im, e);
}

/* Hours ---------------------------------------------------------------------------------------- */

static int import_hours(struct import *im, struct csv *csv, struct err *e)
{
	static const char *const known[] = {"start", "end", NULL};
	if (header_only(csv, im->r, known, "start, end"))
		return 0;
	if (csv_col(csv, "start") < 0 || csv_col(csv, "end") < 0) {
		add_error(im->r, csv_line(csv), "the header needs the columns start and end");
		return 0;
	}
	struct workcal_period p[WORKCAL_MAX_PERIODS];
	int n = 0, prev_end = -1;
	struct err se;
	int rc;
	while ((rc = csv_next(csv, &se)) == 1) {
		long line = csv_line(csv);
		const char *s = csv_get(csv, "start"), *t = csv_get(csv, "end");
		int a, b;
		im->r->rows++;
		if (hhmm_parse(s, &a) || hhmm_parse(t, &b)) {
			add_error(im->r, line, "start \"%s\" and end \"%s\" must be times HH:MM", s,
			          t);
			continue;
		}
		if (a >= b) {
			add_error(im->r, line, "the period %s–%s does not end after it starts", s,
			          t);
			continue;
		}
		if (a < prev_end) {
			add_error(
			    im->r, line,
			    "the period %s–%s starts before the one above ends (periods go in "
			    "order of the day and do not overlap)",
			    s, t);
			continue;
		}
		prev_end = b;
		if (n == WORKCAL_MAX_PERIODS) {
			add_error(im->r, line, "at most %d working periods a day",
			          WORKCAL_MAX_PERIODS);
			continue;
		}
		p[n++] = (struct workcal_period){a, b};
	}
	if (rc < 0)
		add_error(im->r, -1, "%s", se.msg);
	if (!n && !im->r->nerrors)
		add_error(im->r, csv_line(csv), "no working period: a workday needs at least one");
	if (im->r->nerrors)
		return 0;
	if ((rc = db_run(im->db, "DELETE FROM calendar_hours", NULL, 0, e)))
		return rc;
	for (int i = 0; i < n && !rc; i++) {
		rc = db_run(
		    im->db, "INSERT INTO calendar_hours (seq, start_min, end_min) VALUES (?, ?, ?)",
		    DB_ARGS(db_int(i + 1), db_int(p[i].start_min), db_int(p[i].end_min)), e);
		im->r->inserted++;
	}
	return rc;
}

/* Import -----------------------------------------------------------------------------------------
 */

int calendar_import(struct db *db, const char *path, const struct calendar_import_opts *o,
                    enum calendar_file *kind, struct org_io_report *r, struct err *e)
{
	memset(r, 0, sizeof *r);
	struct csv *csv;
	int rc = csv_open_file(path, &csv, e);
	if (rc)
		return rc;
	struct import im = {.db = db, .o = o, .r = r};
	arena_init(&im.a);
	rc = o->in_transaction ? db_savepoint(db, "calendar", e) : db_begin_write(db, e);
	if (rc) {
		csv_free(csv);
		arena_free(&im.a);
		return rc;
	}
	struct err se;
	int hours = 0;
	if (csv_read_header(csv, &se)) {
		add_error(r, -1, "%s", se.msg);
	} else {
		hours = csv_col(csv, "date") < 0 &&
		        (csv_col(csv, "start") >= 0 || csv_col(csv, "end") >= 0);
		rc = hours ? import_hours(&im, csv, e) : import_days(&im, csv, e);
	}
	if (kind)
		*kind = hours ? CALENDAR_HOURS : CALENDAR_DAYS;
	if (!rc)
		rc = report_failed(r, path, e);
	if (rc == 0 && !o->dry_run) {
		rc = o->in_transaction ? db_release(db, "calendar", e) : db_commit(db, e);
	} else if (o->in_transaction) {
		db_rollback_to(db, "calendar");
		struct err ignored;
		(void)db_release(db, "calendar", &ignored);
	} else {
		db_rollback(db);
	}
	csv_free(csv);
	free(im.rows);
	arena_free(&im.a);
	return rc;
}

/* Export ------------------------------------------------------------------------------------------
 */

int calendar_export(struct db *db, FILE *out, int hours, long *rows, struct err *e)
{
	struct db_stmt *st;
	long n = 0;
	int rc = db_query(db,
	                  hours ? "SELECT start_min, end_min FROM calendar_hours ORDER BY seq"
	                        : "SELECT day, kind, name FROM calendar_day ORDER BY day",
	                  NULL, 0, &st, e);
	if (rc)
		return rc;
	struct buf b = BUF_INIT;
	buf_adds(&b, hours ? "start,end\n" : "date,kind,name\n");
	while ((rc = db_step(st, e)) == DB_ROW) {
		if (hours) {
			int a = (int)db_col_int(st, 0), z = (int)db_col_int(st, 1);
			buf_printf(&b, "%02d:%02d,%02d:%02d\n", a / 60, a % 60, z / 60, z % 60);
		} else {
			for (int i = 0; i < 3; i++) {
				if (i)
					buf_addc(&b, ',');
				org_csv_cell(&b, db_col_text(st, i));
			}
			buf_addc(&b, '\n');
		}
		n++;
	}
	db_done(st);
	if (rc == DB_DONE) {
		rc = fwrite(b.data, 1, b.len, out) == b.len
		         ? 0
		         : err_set(e, ERR_INTERNAL, "write failed");
		if (rows)
			*rows = n;
	}
	buf_free(&b);
	return rc;
}

/* Load ----------------------------------------------------------------------------------------- */

int calendar_load(struct db *db, struct workcal **out, struct err *e)
{
	struct workcal_day *days = NULL;
	size_t n = 0, cap = 0;
	struct workcal_period p[WORKCAL_MAX_PERIODS];
	size_t np = 0;
	struct db_stmt *st;
	int rc = db_query(db, "SELECT day, kind FROM calendar_day ORDER BY day", NULL, 0, &st, e);
	if (rc)
		return rc;
	while ((rc = db_step(st, e)) == DB_ROW) {
		int y, m, d;
		const char *day = db_col_text(st, 0);
		if (date_parse(day, &y, &m, &d)) {
			rc = err_set(e, ERR_INTERNAL, "calendar_day holds a bad date \"%s\"", day);
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 128;
			struct workcal_day *grown = realloc(days, cap * sizeof *days);
			if (!grown)
				abort();
			days = grown;
		}
		days[n++] = (struct workcal_day){
		    y, m, d,
		    strcmp(db_col_text(st, 1), "workday") == 0 ? WORKCAL_WORKDAY : WORKCAL_HOLIDAY};
	}
	db_done(st);
	if (rc == DB_DONE)
		rc = db_query(db, "SELECT start_min, end_min FROM calendar_hours ORDER BY seq",
		              NULL, 0, &st, e);
	if (rc == 0) {
		while ((rc = db_step(st, e)) == DB_ROW && np < WORKCAL_MAX_PERIODS)
			p[np++] =
			    (struct workcal_period){(int)db_col_int(st, 0), (int)db_col_int(st, 1)};
		db_done(st);
		if (rc == DB_ROW)
			rc = err_set(e, ERR_INTERNAL, "calendar_hours has more than %d periods",
			             WORKCAL_MAX_PERIODS);
	}
	if (rc == DB_DONE)
		rc = workcal_new(days, n, p, np, out, e);
	free(days);
	return rc;
}

/* Seed ------------------------------------------------------------------------------------------
 */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int seed_file(struct db *db, const char *path, int year, struct err *e)
{
	struct calendar_import_opts o = {.in_transaction = 1, .year = year};
	struct org_io_report *r = calloc(1, sizeof *r);
	if (!r)
		return err_set(e, ERR_INTERNAL, "out of memory");
	int rc = calendar_import(db, path, &o, NULL, r, e);
	free(r);
	return rc;
}

int calendar_seed(struct db *db, const char *data_dir, int *years, struct err *e)
{
	struct buf dir = BUF_INIT;
	buf_printf(&dir, "%s/calendar", data_dir && *data_dir ? data_dir : ".");
	if (years)
		*years = 0;
	DIR *dp = opendir(dir.data);
	if (!dp) { /* a data directory without a calendar (tests, old layouts): nothing to do */
		buf_free(&dir);
		return 0;
	}
	char *names[256] = {0};
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(dp)) && n < 256) {
		const char *s = de->d_name;
		if (strlen(s) == 8 && strspn(s, "0123456789") == 4 && strcmp(s + 4, ".csv") == 0)
			names[n++] = strdup(s);
	}
	closedir(dp);
	qsort(names, n, sizeof *names, name_cmp);
	int rc = 0;
	struct buf path = BUF_INIT;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!names[i]) {
			rc = err_set(e, ERR_INTERNAL, "out of memory");
			break;
		}
		int y = atoi(names[i]);
		char from[24], to[24];
		snprintf(from, sizeof from, "%04d-01-01", y);
		snprintf(to, sizeof to, "%04d-01-01", y + 1);
		int64_t have = 0;
		rc = db_get_int(db, "SELECT count(*) FROM calendar_day WHERE day >= ? AND day < ?",
		                DB_ARGS(db_text(from), db_text(to)), &have, e);
		if (rc || have) /* the year is there: an administrator's import stands */
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir.data, names[i]);
		rc = seed_file(db, path.data, y, e);
		if (!rc && years)
			(*years)++;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	int64_t periods = 0;
	struct stat sb;
	buf_reset(&path);
	buf_printf(&path, "%s/hours.csv", dir.data);
	if (!rc)
		rc = db_get_int(db, "SELECT count(*) FROM calendar_hours", NULL, 0, &periods, e);
	if (!rc && !periods && stat(path.data, &sb) == 0)
		rc = seed_file(db, path.data, 0, e);
	buf_free(&path);
	buf_free(&dir);
	return rc;
}
