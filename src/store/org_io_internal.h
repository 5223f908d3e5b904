/* Private to org_io*.c: error collection, the transaction, and the code tree shared by the
 * units and areas importers. */
#ifndef WM_ORG_IO_INTERNAL_H
#define WM_ORG_IO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/arena.h"
#include "store/org_io.h"

struct db;

/* Records an error of the file in r (beyond ORG_IO_MAX_ERRORS it is only counted). */
void org_io_add(struct org_io_report *r, long line, int feature, const char *code, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
/* After validation: when r holds errors, sets e to the first one rendered and returns
 * ERR_UNPROCESSABLE (or ERR_BAD_REQUEST when only the form was wrong); else 0. */
int org_io_failed(const struct org_io_report *r, const char *path, int code, struct err *e);

int org_io_begin(struct db *db, const struct org_io_opts *o, struct err *e);
/* Commits (or releases the savepoint) when rc is 0 and this is no dry run; else undoes. */
int org_io_end(struct db *db, const struct org_io_opts *o, int rc, struct err *e);

/* A code: 1..64 characters of [A-Za-z0-9_-]. */
int org_code_ok(const char *s);
/* Valid UTF-8 without control characters (newlines allowed or not), at most max code
 * points; NULL when fine, else what is wrong. */
const char *org_text_problem(const char *s, int newlines, size_t max);

/* One row of the tree after the import: a row of the file, or one of the database that the
 * file does not name. */
struct org_node {
	const char *code;
	const char *parent; /* NULL: a root */
	int64_t id;         /* database id; 0 for a new row until it is written */
	long line;
	int feature;  /* 1-based feature number (areas) or 0 */
	int in_file;  /* 0: from the database */
	int existed;  /* a file row whose code is already in the database */
	int depth;    /* file rows: distance from their root, for the write order */
	double bb[4]; /* areas: min_lat, min_lon, max_lat, max_lon */
	void *row;    /* the importer's parsed row (file rows) */
};

struct org_tree {
	struct org_node *v;
	size_t n, cap;
	struct arena *a;
	const char *what; /* "unit" or "area", for messages */
};

/* Adds a node (copied; strings are the caller's and must outlive the tree). */
void org_tree_add(struct org_tree *t, const struct org_node *node);
/* Merges: sorts by code, reports a file code given twice, lets file rows replace the
 * database rows of the same code (keeping their id, marking existed). */
void org_tree_merge(struct org_tree *t, struct org_io_report *r);
struct org_node *org_tree_find(struct org_tree *t, const char *code);
/* Reports file rows whose parent is unknown or that are their own ancestor, and sets the
 * depth of the others. */
void org_tree_check(struct org_tree *t, struct org_io_report *r);
/* The file rows, parents before children (then in file order), from the arena. */
struct org_node **org_tree_write_order(struct org_tree *t, size_t *n);
void org_tree_free(struct org_tree *t);

/* Reads a whole file (at most max bytes) into a malloc'd, NUL-terminated buffer. */
int org_read_file(const char *path, size_t max, char **out, size_t *len, struct err *e);

#endif
