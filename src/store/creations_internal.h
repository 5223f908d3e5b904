/* Private to creations.c, creation_assess.c and creation_coverage.c: the SQL they share. */
#ifndef WM_CREATIONS_INTERNAL_H
#define WM_CREATIONS_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/scoring.h"
#include "lib/arena.h"

/* After WITH: ud(unit_id, district_id), every unit with the nearest unit of a district kind
 * at or above it (units under none have no row: 市直). The walk stops at the district, so
 * each unit has at most one row; the depth bound keeps a cycle in bad data from running on. */
#define CREATION_DISTRICT_CTE                                                                      \
	"RECURSIVE up(uid, aid, akind, depth) AS (SELECT id, id, kind, 0 FROM unit"                \
	" UNION ALL SELECT up.uid, p.id, p.kind, up.depth + 1 FROM up JOIN unit c ON c.id = "      \
	"up.aid"                                                                                   \
	" JOIN unit p ON p.id = c.parent_id WHERE up.akind NOT IN (" CREATION_DISTRICT_KINDS ")"   \
	" AND up.depth < 64), ud(unit_id, district_id) AS (SELECT uid, aid FROM up"                \
	" WHERE akind IN (" CREATION_DISTRICT_KINDS "))"

/* A condition over n (standard_node) and t (creation_title): n is an item a self-assessment
 * of t answers — a field item checked at one of t's site types, or an item of one of t's
 * methods. */
#define CREATION_APPLIES_SQL                                                                       \
	" (n.kind = 'item' AND ((n.method = 'field' AND EXISTS (SELECT 1 FROM"                     \
	" standard_item_site_type ist JOIN creation_title_site_type cts ON cts.site_type ="        \
	" ist.site_type WHERE ist.node_id = n.id AND cts.title = t.code)) OR EXISTS (SELECT 1"     \
	" FROM creation_title_method ctm WHERE ctm.title = t.code AND ctm.method = n.method)))"

struct db;
struct err;
/* The unit is known, active and of one of the title's kinds (ERR_UNPROCESSABLE otherwise). */
int creation_check_eligible(struct db *db, int64_t unit_id, const char *title, struct err *e);
/* Appends a creation_event row. */
int creation_add_event(struct db *db, int64_t id, int64_t at, const char *actor, const char *action,
                       const char *from, const char *to, const char *note, struct err *e);
/* "a;b; c" into arena strings (blanks around parts dropped, empty parts skipped). */
const char **creation_split(struct arena *a, const char *s, size_t *n);
/* 100 × kept / applicable as a JSON real, or null when nothing was applicable (new ref). */
json_t *creation_score_json(const struct score_sum *s);

#endif
