/* Private to seed*.c: the load context and helpers shared by the units, catalogue and areas
 * loaders. */
#ifndef WM_SEED_INTERNAL_H
#define WM_SEED_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lib/arena.h"
#include "lib/err.h"
#include "store/seed.h"

struct csv;

struct seed_ctx {
	struct db *db;
	const struct seed_opts *o;
	struct seed_stats *st;
	struct arena a; /* everything temporary of one load */
};

/* data_dir + "/" + rel, from the arena. */
char *seed_path(struct seed_ctx *c, const char *rel);
void seed_warn(struct seed_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Opens a CSV file, reads its header and checks the columns (NULL-ended). Free with csv_free. */
int seed_csv_open(const char *path, const char *const *cols, struct csv **out, struct err *e);
/* Fails at the current record unless every field is valid UTF-8 without control characters
 * (newlines and tabs are allowed). */
int seed_csv_check_text(struct csv *csv, struct err *e);
/* Strict decimal integer in [min, max]; 0 or -1. */
int seed_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);
/* A code: 1..64 characters of [A-Za-z0-9_-]. */
int seed_code_ok(const char *s);

/* The demo creation news, published (seed_articles.c); skipped when there are articles. */
int seed_articles(struct seed_ctx *c, struct err *e);
/* The demo action plan with its reported progress (seed_plan.c); skipped when loaded. */
int seed_plan(struct seed_ctx *c, struct err *e);

/* The id of the unit with this code: 0, ERR_NOT_FOUND (e untouched) or a database error. */
int seed_unit_id(struct seed_ctx *c, const char *code, int64_t *id, struct err *e);

/* One row of a tree read from a file: code, parent code (NULL for none) and where it was
 * read ("file:line" or "file: feature N"), for messages. */
struct seed_node {
	const char *code;
	const char *parent;
	const char *where;
	int64_t id; /* filled by the loader after the upsert */
	size_t seq; /* scratch for seed_tree_check: the row's position in the file */
	int state;  /* scratch for seed_tree_check */
};
/* Sorts nodes by code and fails (naming the later row) on a duplicate code or a cycle of
 * parents among the rows; what is "unit" or "area" for messages. */
int seed_tree_check(struct seed_node *nodes, size_t n, const char *what, struct err *e);
/* The node with this code in sorted nodes, or NULL. */
struct seed_node *seed_tree_find(struct seed_node *nodes, size_t n, const char *code);

int seed_units(struct seed_ctx *c, struct err *e);
int seed_areas(struct seed_ctx *c, struct err *e);
int seed_categories(struct seed_ctx *c, struct err *e);

#endif
