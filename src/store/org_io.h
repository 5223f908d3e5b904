/* Units (CSV) and areas (GeoJSON) in and out: `wenming import units|areas`, `wenming export
 * units|areas`, and `wenming init --demo` (seed.c), so every path applies the same rules.
 * An import is all or nothing: every row is validated first and every error found is listed
 * (file line, feature), then the rows are upserted by code in one transaction. Formats and
 * rules: docs/data.md. */
#ifndef WM_ORG_IO_H
#define WM_ORG_IO_H

#include <stdio.h>

#include "lib/err.h"

struct db;

/* Errors kept per import; the count of those left off is in org_io_report.more. */
enum { ORG_IO_MAX_ERRORS = 20 };

/* One problem found in the file: line is where the row or feature starts (0: unknown),
 * feature is the 1-based feature number of an areas file (0 for units), code is the row's
 * code when it has one. */
struct org_io_error {
	long line;
	int feature;
	char code[65];
	char msg[400];
};

struct org_io_report {
	int rows, inserted, updated;
	int nerrors;
	int more; /* errors found beyond ORG_IO_MAX_ERRORS */
	struct org_io_error errors[ORG_IO_MAX_ERRORS];
};

struct org_io_opts {
	int dry_run;           /* validate and roll back */
	int in_transaction;    /* the caller has a transaction open: use a savepoint in it */
	int ignore_area_codes; /* units: treat the area_code column as absent (see docs) */
};

/* Imports a units CSV. 0 on success; ERR_BAD_REQUEST or ERR_UNPROCESSABLE when the file has
 * errors (listed in r; e holds the first, rendered by org_io_render); any other negative code
 * is a failure outside the file (database, I/O), in e only. r must not be NULL. */
int org_import_units(struct db *db, const char *path, const struct org_io_opts *o,
                     struct org_io_report *r, struct err *e);
/* The same for an areas GeoJSON FeatureCollection. */
int org_import_areas(struct db *db, const char *path, const struct org_io_opts *o,
                     struct org_io_report *r, struct err *e);

/* "FILE:LINE: message", or "FILE:LINE: feature N (CODE): message" for areas; file is the
 * path given to the import. */
void org_io_render(const char *name, const struct org_io_error *x, char *out, size_t size);

/* Writes every unit as CSV (header code,name,kind,parent_code,phone,contact,email,address,
 * area_code,sort; parents before children), cells that a spreadsheet would run as a formula
 * prefixed with a quote. *rows (may be NULL) gets the number written. */
int org_export_units(struct db *db, FILE *out, long *rows, struct err *e);
/* Writes every area as a GeoJSON FeatureCollection, one feature per line, parents first. */
int org_export_areas(struct db *db, FILE *out, long *rows, struct err *e);

/* The spreadsheet-formula guard. A cell starting with = + - @ tab or CR (or a quote followed
 * by such a cell, so that the guard stays reversible) gets a leading quote; org_csv_cell
 * appends the guarded cell to b, in double quotes when it holds , " CR or LF.
 * org_csv_unguard returns s or s + 1: exactly the inverse of the guard. */
struct buf;
void org_csv_cell(struct buf *b, const char *s);
const char *org_csv_unguard(const char *s);

#endif
