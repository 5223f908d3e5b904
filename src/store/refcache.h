/* Reference data cached in the process: categories with their Open311 attributes, area
 * polygons (indexed), api keys. A report reads all of them; from the cache it costs no
 * database round trip. The cache holds immutable snapshots. A snapshot is replaced when
 * the database's refdata_version.generation (bumped by triggers on every change, by any
 * instance or tool) differs, which is checked at most once per REFCACHE_CHECK_MS, and at
 * once when a lookup misses (so a key or category created a moment ago is found).
 * Nothing here must be shared between instances: losing it costs one reload. */
#ifndef WM_REFCACHE_H
#define WM_REFCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "store/catalog.h"

struct db;
struct refcache;
struct refdata;

enum { REFCACHE_CHECK_MS = 1000 };

int refcache_new(struct refcache **out);
/* Frees the holder and its current snapshot; snapshots still held are freed on release. */
void refcache_free(struct refcache *c);

/* The current snapshot (loading or refreshing it through db when due). The caller holds a
 * reference until refdata_release; any number of threads may share one snapshot. */
int refcache_get(struct refcache *c, struct db *db, struct refdata **out, struct err *e);
/* Checks the generation now (not waiting for the period) and reloads when it moved:
 * *out is replaced by the newer snapshot (the old reference released). *changed tells
 * whether it did, so a caller retries its lookup only then. */
int refcache_recheck(struct refcache *c, struct db *db, struct refdata **d, int *changed,
                     struct err *e);
void refdata_release(struct refdata *d);
/* *id: the active api key with this text, 0 when unknown or revoked, after one recheck of
 * the generation on a miss (a key created a moment ago is found). */
int refcache_apikey(struct refcache *c, struct db *db, const char *key, int64_t *id, struct err *e);

uint64_t refdata_generation(const struct refdata *d);
/* Any category, switched-off ones too (their cases keep their clock): check ->active before
 * accepting a new report. Valid while the snapshot is held. */
const struct category *refdata_category(const struct refdata *d, const char *service_code);
/* The category new reports may be filed in: NULL when unknown or switched off. */
const struct category *refdata_active_category(const struct refdata *d, const char *service_code);
/* The category's attribute definitions (none: *n = 0). Valid while the snapshot is held. */
void refdata_attributes(const struct refdata *d, int64_t category_id, const struct attr_def **defs,
                        size_t *n);
/* Most specific area holding the point, 0 when none. */
int64_t refdata_area_at(const struct refdata *d, double lat, double lon);
/* The id of the active api key with this text, 0 when unknown or revoked. */
int64_t refdata_apikey(const struct refdata *d, const char *key);
/* Whether key key_id may post to the category: its services list is '*' or names the
 * service code or the category's group code. */
int refdata_apikey_allows(const struct refdata *d, int64_t key_id, const struct category *c);
/* An active category by id; NULL when unknown or inactive. */
const struct category *refdata_category_by_id(const struct refdata *d, int64_t id);
/* The working-time calendar (holidays, makeup workdays, hours) for deadlines. */
struct workcal;
const struct workcal *refdata_calendar(const struct refdata *d);
/* A unit's parent (0 for a root) and kind; -1 when there is no such unit. */
int refdata_unit(const struct refdata *d, int64_t id, int64_t *parent_id, const char **kind);

#endif
