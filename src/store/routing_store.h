/* Routing rules in the database (routing_rule, schema 007): loading them, suggesting the
 * responsible unit of a case (core/routing.h decides), and the CSV that `wenming import
 * routing` reads and `wenming export routing` writes (columns category, area_code,
 * unit_code, priority, note; all or nothing, errors as FILE:LINE like units and areas). */
#ifndef WM_ROUTING_STORE_H
#define WM_ROUTING_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "core/routing.h"
#include "lib/arena.h"
#include "lib/err.h"
#include "store/org_io.h"

struct db;

/* Rules with their strings in one arena; free with routing_rules_free. */
struct routing_rules {
	struct routing_rule *v;
	size_t n;
	struct arena a;
};

/* Loads the rules (only active ones when active_only), by id. */
int routing_rules_load(struct db *db, int active_only, struct routing_rules *out, struct err *e);
void routing_rules_free(struct routing_rules *rs);

/* A category as a rule names it: "" or "*" (any), a service code (E0102), or a
 * kind-qualified group code (E01, P03) that some category has. On success exactly one of
 * code/group is filled (both "" for any); else ERR_UNPROCESSABLE with e saying why. */
int routing_category_resolve(struct db *db, const char *text, char code[16], char group[16],
                             struct err *e);

/* The suggestion for a case, with why. */
struct routing_suggestion {
	int64_t unit_id; /* 0: no rule and no default unit */
	int64_t rule_id; /* 0: the category's default unit */
	char reason[400];
};

/* area_id 0: the location lies in no area (only rules for any area apply). The area's
 * parents (grid -> street -> district) are walked in the database. ERR_NOT_FOUND for an
 * unknown category. */
int routing_explain(struct db *db, int64_t category_id, int64_t area_id,
                    struct routing_suggestion *out, struct err *e);
/* The same, only the unit and rule (0: default). */
int routing_suggest(struct db *db, int64_t category_id, int64_t area_id, int64_t *unit_id,
                    int64_t *rule_id, struct err *e);

/* Imports a routing CSV: the file becomes the set of active rules. A rule whose category
 * and area are in the file is updated (reactivated) in place, keeping its id; a new one is
 * inserted; active rules the file does not name are deactivated (*deactivated counts them;
 * may be NULL). Errors as org_import_units. */
int routing_import(struct db *db, const char *path, const struct org_io_opts *o,
                   struct org_io_report *r, int *deactivated, struct err *e);
/* Writes the active rules as CSV (header category,area_code,unit_code,priority,note), most
 * general first. *rows (may be NULL) gets the number written. */
int routing_export(struct db *db, FILE *out, long *rows, struct err *e);

#endif
