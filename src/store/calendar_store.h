/* The working-time calendar in the database (tables calendar_day and calendar_hours,
 * 006_calendar.sql): loading it into a struct workcal, `wenming import|export calendar`, and
 * the shipped data/calendar/ files at init. Imports are all or nothing like the units import
 * (store/org_io.h): every row is checked, every error listed as FILE:LINE, then written in one
 * transaction. Formats: docs/data.md. */
#ifndef WM_CALENDAR_STORE_H
#define WM_CALENDAR_STORE_H

#include <stdio.h>

#include "lib/err.h"
#include "store/org_io.h"

struct db;
struct workcal;

/* The calendar as stored: every exception day, and the working periods (the built-in
 * 08:30–12:00, 13:30–17:30 while calendar_hours is empty). Free with workcal_free. */
int calendar_load(struct db *db, struct workcal **out, struct err *e);

struct calendar_import_opts {
	int dry_run;        /* check and roll back */
	int in_transaction; /* the caller has a transaction open: use a savepoint in it */
	int year;           /* days files: when nonzero, every date must be in this year */
};

/* What a file holds, told by its header: days (date,kind[,name]) or hours (start,end). */
enum calendar_file { CALENDAR_DAYS, CALENDAR_HOURS };

/* Imports a calendar CSV, days or hours by its header (*kind, may be NULL, says which).
 * Days are upserted by date; hours replace all working periods. Returns as org_import_units:
 * 0; ERR_BAD_REQUEST with the errors in r (e holds the first, rendered); or another negative
 * code for a failure outside the file. r->rows counts the file's rows, r->inserted and
 * r->updated the days new and changed (for hours: the periods written, 0). */
int calendar_import(struct db *db, const char *path, const struct calendar_import_opts *o,
                    enum calendar_file *kind, struct org_io_report *r, struct err *e);

/* Writes every day as CSV date,kind,name in date order (formula cells guarded as in
 * org_csv_cell), or with hours the periods as start,end (HH:MM). *rows may be NULL. */
int calendar_export(struct db *db, FILE *out, int hours, long *rows, struct err *e);

/* At init: imports data_dir/calendar/YYYY.csv for each year with no day in the database yet,
 * and hours.csv while calendar_hours is empty, so that a later import by an administrator is
 * never undone by `wenming init`. A data_dir without calendar/ loads nothing. *years (may be
 * NULL) gets the number of year files loaded. Runs in the caller's transaction. */
int calendar_seed(struct db *db, const char *data_dir, int *years, struct err *e);

#endif
