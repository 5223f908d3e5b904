/* Reference data from data/: categories and their Open311 attributes (always), and with demo
 * the Dalian organisation (demo/units.csv) and areas (demo/areas.geojson). One transaction,
 * all or nothing; rows are upserted by code, so loading again updates in place. Errors name
 * the file and line: "data/categories.csv:17: default_unit "D-XXX" is not a known unit".
 * The formats are described in docs/data.md. */
#ifndef WM_SEED_H
#define WM_SEED_H

#include "lib/err.h"

struct db;

/* What a load did. Rows counted are rows read from the files (inserted or updated). */
struct seed_stats {
	int units, areas, categories, attributes, values;
	int attributes_removed; /* attributes of loaded categories no longer in the file */
	int warnings;
	int site_types, standard_items, sites;
	int tasks; /* of the demo action plan */
	int creation_titles, creations;
	int articles; /* demo creation news */
};

/* A warning: msg is "file:line: text"; valid only during the call. */
typedef void (*seed_warn_fn)(void *ctx, const char *msg);

struct seed_opts {
	const char *data_dir; /* holds categories.csv, category_attributes.csv, demo/ */
	int demo;             /* also load demo/units.csv and demo/areas.geojson */
	seed_warn_fn warn;    /* NULL: print "wenming: warning: msg" to stderr */
	void *warn_ctx;
	int in_transaction; /* the caller has a transaction open: use a savepoint in it */
};

/* The usual call (wenming init): 0 or a negative err code. Warnings go to stderr.
 * Without demo, a category whose default_unit is not in the database is loaded with no
 * default unit and a warning; with demo that is an error. */
int seed_load(struct db *db, const char *data_dir, int demo, struct err *e);
/* The same with options; stats (may be NULL) is filled on success. */
int seed_run(struct db *db, const struct seed_opts *o, struct seed_stats *stats, struct err *e);

#endif
