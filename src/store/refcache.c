#include "store/refcache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/arena.h"
#include "store/apikey.h"
#include "core/workcal.h"
#include "store/area_index.h"
#include "store/calendar_store.h"
#include "store/db.h"

struct cat_entry {
	struct category cat;
	const struct attr_def *defs;
	size_t ndefs;
};

struct key_entry {
	char hash[APIKEY_HASH_HEX];
	int64_t id;
	const char *services; /* '*' or "code,code,…" */
};

struct unit_entry {
	int64_t id, parent_id;
	char kind[16];
};

struct refdata {
	atomic_int refs;
	uint64_t generation;
	struct arena arena;     /* categories, attributes, keys */
	struct cat_entry *cats; /* by service_code */
	const struct cat_entry **by_id;
	size_t ncats;
	struct key_entry *keys; /* by hash */
	size_t nkeys;
	struct unit_entry *units; /* by id */
	size_t nunits;
	struct area_index *areas;
	struct workcal *calendar;
};

struct refcache {
	pthread_mutex_t mu;      /* guards cur and next_check_ns */
	pthread_mutex_t load_mu; /* one thread checks and loads at a time */
	struct refdata *cur;
	int64_t next_check_ns;
	int64_t last_check_start_ns; /* under load_mu */
};

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void refdata_free(struct refdata *d)
{
	workcal_free(d->calendar);
	area_index_free(d->areas);
	arena_free(&d->arena);
	free(d);
}

void refdata_release(struct refdata *d)
{
	if (d && atomic_fetch_sub(&d->refs, 1) == 1)
		refdata_free(d);
}

static struct refdata *refdata_hold(struct refdata *d)
{
	atomic_fetch_add(&d->refs, 1);
	return d;
}

/* ---- loading ---- */

static int read_generation(struct db *db, uint64_t *gen, struct err *e)
{
	int64_t g = 0;
	int rc =
	    db_get_int(db, "SELECT generation FROM refdata_version WHERE id = 1", NULL, 0, &g, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_INTERNAL, "refdata_version has no row: run wenming migrate");
	*gen = (uint64_t)g;
	return rc;
}

static void copy_col(char *dst, size_t cap, struct db_stmt *st, int col)
{
	const char *s = db_col_text(st, col);
	size_t n = strlen(s);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Grows an arena array by doubling (the old copy stays in the arena until it is freed). */
static void *grow(struct arena *a, void *arr, size_t count, size_t *cap, size_t size)
{
	if (count < *cap)
		return arr;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *na = arena_alloc(a, ncap * size);
	if (count)
		memcpy(na, arr, count * size);
	*cap = ncap;
	return na;
}

static int by_code(const void *x, const void *y)
{
	return strcmp(((const struct cat_entry *)x)->cat.service_code,
	              ((const struct cat_entry *)y)->cat.service_code);
}

static int by_id(const void *x, const void *y)
{
	int64_t a = (*(const struct cat_entry *const *)x)->cat.id;
	int64_t b = (*(const struct cat_entry *const *)y)->cat.id;
	return (a > b) - (a < b);
}

static int by_hash(const void *x, const void *y)
{
	return strcmp(((const struct key_entry *)x)->hash, ((const struct key_entry *)y)->hash);
}

static int load_categories(struct db *db, struct refdata *d, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(
	    db,
	    "SELECT id, service_code, name, group_name, COALESCE(default_unit_id, 0), urgent,"
	    " handle_minutes, group_code, register_minutes, verify_minutes, active FROM category",
	    NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	size_t cap = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		d->cats = grow(&d->arena, d->cats, d->ncats, &cap, sizeof *d->cats);
		struct category *c = &d->cats[d->ncats++].cat;
		c->id = db_col_int(st, 0);
		copy_col(c->service_code, sizeof c->service_code, st, 1);
		copy_col(c->name, sizeof c->name, st, 2);
		copy_col(c->group_name, sizeof c->group_name, st, 3);
		c->default_unit_id = db_col_int(st, 4);
		c->urgent = (int)db_col_int(st, 5);
		c->handle_minutes = (int)db_col_int(st, 6);
		copy_col(c->group_code, sizeof c->group_code, st, 7);
		c->register_minutes = (int)db_col_int(st, 8);
		c->verify_minutes = (int)db_col_int(st, 9);
		c->active = (int)db_col_int(st, 10);
	}
	db_done(st);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < d->ncats; i++) {
		struct attr_def *defs;
		rc = catalog_attributes(db, d->cats[i].cat.id, &d->arena, &defs, &d->cats[i].ndefs,
		                        e);
		if (rc < 0)
			return rc;
		d->cats[i].defs = defs;
	}
	qsort(d->cats, d->ncats, sizeof *d->cats, by_code);
	d->by_id = arena_alloc(&d->arena, (d->ncats + 1) * sizeof *d->by_id);
	for (size_t i = 0; i < d->ncats; i++)
		d->by_id[i] = &d->cats[i];
	qsort(d->by_id, d->ncats, sizeof *d->by_id, by_id);
	return 0;
}

static int load_keys(struct db *db, struct refdata *d, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, "SELECT id, key_hash, services FROM apikey WHERE revoked_at IS NULL",
	                  NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	size_t cap = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		d->keys = grow(&d->arena, d->keys, d->nkeys, &cap, sizeof *d->keys);
		struct key_entry *k = &d->keys[d->nkeys++];
		k->id = db_col_int(st, 0);
		copy_col(k->hash, sizeof k->hash, st, 1);
		k->services = arena_strdup(&d->arena, db_col_text(st, 2));
	}
	db_done(st);
	if (rc == 0 && d->nkeys)
		qsort(d->keys, d->nkeys, sizeof *d->keys, by_hash);
	return rc;
}

static int load_units(struct db *db, struct refdata *d, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, "SELECT id, COALESCE(parent_id, 0), kind FROM unit ORDER BY id", NULL,
	                  0, &st, e);
	if (rc < 0)
		return rc;
	size_t cap = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		d->units = grow(&d->arena, d->units, d->nunits, &cap, sizeof *d->units);
		struct unit_entry *u = &d->units[d->nunits++];
		u->id = db_col_int(st, 0);
		u->parent_id = db_col_int(st, 1);
		copy_col(u->kind, sizeof u->kind, st, 2);
	}
	db_done(st);
	return rc;
}

static int load_areas(struct db *db, struct refdata *d, struct err *e)
{
	if (area_index_new(&d->areas) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory");
	struct db_stmt *st;
	int rc = db_query(db, "SELECT id, kind, geojson FROM area", NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	while ((rc = db_step(st, e)) == DB_ROW) {
		struct err skip; /* import validated it; a broken one just never matches */
		(void)area_index_add(d->areas, db_col_int(st, 0),
		                     area_kind_rank(db_col_text(st, 1)), db_col_text(st, 2), &skip);
	}
	db_done(st);
	return rc < 0 ? rc : area_index_finish(d->areas, e);
}

/* A new snapshot of generation gen (read before the data: a change made meanwhile bumps the
 * generation again, so the next check reloads). */
static int load(struct db *db, uint64_t gen, struct refdata **out, struct err *e)
{
	struct refdata *d = calloc(1, sizeof *d);
	if (!d)
		return err_set(e, ERR_INTERNAL, "out of memory");
	atomic_init(&d->refs, 1);
	d->generation = gen;
	arena_init(&d->arena);
	int rc = load_categories(db, d, e);
	if (rc == 0)
		rc = load_keys(db, d, e);
	if (rc == 0)
		rc = load_units(db, d, e);
	if (rc == 0)
		rc = load_areas(db, d, e);
	if (rc == 0)
		rc = calendar_load(db, &d->calendar, e);
	if (rc < 0) {
		refdata_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

/* ---- the holder ---- */

int refcache_new(struct refcache **out)
{
	struct refcache *c = calloc(1, sizeof *c);
	if (!c)
		return ERR_INTERNAL;
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->load_mu, NULL);
	*out = c;
	return 0;
}

void refcache_free(struct refcache *c)
{
	if (!c)
		return;
	refdata_release(c->cur);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->load_mu);
	free(c);
}

/* Under load_mu: reads the generation and installs a new snapshot when it moved. */
static int check_locked(struct refcache *c, struct db *db, struct err *e)
{
	int64_t started = mono_ns();
	uint64_t gen = 0;
	int rc = read_generation(db, &gen, e);
	if (rc < 0)
		return rc;
	c->last_check_start_ns = started;
	pthread_mutex_lock(&c->mu);
	struct refdata *cur = c->cur;
	c->next_check_ns = started + (int64_t)REFCACHE_CHECK_MS * 1000000;
	pthread_mutex_unlock(&c->mu);
	if (cur && cur->generation == gen)
		return 0;
	struct refdata *fresh = NULL;
	if ((rc = load(db, gen, &fresh, e)) < 0)
		return rc;
	pthread_mutex_lock(&c->mu);
	struct refdata *old = c->cur;
	c->cur = fresh;
	pthread_mutex_unlock(&c->mu);
	refdata_release(old);
	return 0;
}

/* The current snapshot, held for the caller, or NULL. */
static struct refdata *current(struct refcache *c, int *due)
{
	pthread_mutex_lock(&c->mu);
	struct refdata *d = c->cur ? refdata_hold(c->cur) : NULL;
	*due = !d || mono_ns() >= c->next_check_ns;
	pthread_mutex_unlock(&c->mu);
	return d;
}

int refcache_get(struct refcache *c, struct db *db, struct refdata **out, struct err *e)
{
	int due;
	struct refdata *d = current(c, &due);
	if (!due) {
		*out = d;
		return 0;
	}
	if (d) { /* someone else refreshing: serve the snapshot in hand meanwhile */
		if (pthread_mutex_trylock(&c->load_mu) != 0) {
			*out = d;
			return 0;
		}
	} else {
		pthread_mutex_lock(&c->load_mu);
	}
	int rc = 0;
	struct refdata *again = current(c, &due);
	if (due)
		rc = check_locked(c, db, e);
	pthread_mutex_unlock(&c->load_mu);
	refdata_release(again);
	if (rc < 0 && !d)
		return rc;
	/* A failed refresh keeps serving the snapshot in hand: stale for a second at most
	 * longer, better than failing every request while the database blips. */
	struct refdata *now = current(c, &due);
	refdata_release(d);
	if (!now)
		return rc < 0 ? rc : err_set(e, ERR_INTERNAL, "reference data not loaded");
	*out = now;
	return 0;
}

int refcache_recheck(struct refcache *c, struct db *db, struct refdata **d, int *changed,
                     struct err *e)
{
	int64_t missed_at = mono_ns();
	*changed = 0;
	pthread_mutex_lock(&c->load_mu);
	int rc = 0;
	/* A check that started after the miss already saw what the miss could hope to find:
	 * concurrent misses (a client retrying a bad key) share one query. */
	if (c->last_check_start_ns < missed_at)
		rc = check_locked(c, db, e);
	pthread_mutex_unlock(&c->load_mu);
	if (rc < 0)
		return rc;
	int due;
	struct refdata *now = current(c, &due);
	if (now == *d) {
		refdata_release(now);
		return 0;
	}
	refdata_release(*d);
	*d = now;
	*changed = 1;
	return 0;
}

int refcache_apikey(struct refcache *c, struct db *db, const char *key, int64_t *id, struct err *e)
{
	struct refdata *d;
	int rc = refcache_get(c, db, &d, e);
	if (rc < 0)
		return rc;
	int changed = 0;
	*id = refdata_apikey(d, key);
	if (!*id && (rc = refcache_recheck(c, db, &d, &changed, e)) == 0 && changed)
		*id = refdata_apikey(d, key);
	refdata_release(d);
	return rc;
}

/* ---- lookups ---- */

uint64_t refdata_generation(const struct refdata *d)
{
	return d->generation;
}

const struct category *refdata_category(const struct refdata *d, const char *service_code)
{
	if (!service_code)
		return NULL;
	struct cat_entry key = {0};
	size_t n = strlen(service_code);
	if (n >= sizeof key.cat.service_code)
		return NULL;
	memcpy(key.cat.service_code, service_code, n + 1);
	const struct cat_entry *hit = bsearch(&key, d->cats, d->ncats, sizeof *d->cats, by_code);
	return hit ? &hit->cat : NULL;
}

void refdata_attributes(const struct refdata *d, int64_t category_id, const struct attr_def **defs,
                        size_t *n)
{
	struct cat_entry key = {.cat.id = category_id};
	const struct cat_entry *pk = &key;
	const struct cat_entry *const *hit =
	    bsearch(&pk, d->by_id, d->ncats, sizeof *d->by_id, by_id);
	*defs = hit ? (*hit)->defs : NULL;
	*n = hit ? (*hit)->ndefs : 0;
}

int64_t refdata_area_at(const struct refdata *d, double lat, double lon)
{
	return area_index_locate(d->areas, lat, lon);
}

int64_t refdata_apikey(const struct refdata *d, const char *key)
{
	struct key_entry k = {0};
	if (apikey_hash(key, k.hash) < 0 || d->nkeys == 0)
		return 0;
	const struct key_entry *hit = bsearch(&k, d->keys, d->nkeys, sizeof *d->keys, by_hash);
	return hit ? hit->id : 0;
}

/* Linear: a key's list holds a handful of codes. */
int refdata_apikey_allows(const struct refdata *d, int64_t key_id, const struct category *c)
{
	const char *list = NULL;
	for (size_t i = 0; i < d->nkeys && !list; i++)
		if (d->keys[i].id == key_id)
			list = d->keys[i].services;
	if (!list)
		return 0;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		if ((n == 1 && *p == '*') ||
		    (n == strlen(c->service_code) && strncmp(p, c->service_code, n) == 0) ||
		    (n == strlen(c->group_code) && n && strncmp(p, c->group_code, n) == 0))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

static int unit_by_id(const void *x, const void *y)
{
	int64_t a = ((const struct unit_entry *)x)->id, b = ((const struct unit_entry *)y)->id;
	return (a > b) - (a < b);
}

int refdata_unit(const struct refdata *d, int64_t id, int64_t *parent_id, const char **kind)
{
	struct unit_entry key = {.id = id};
	const struct unit_entry *u =
	    d->nunits ? bsearch(&key, d->units, d->nunits, sizeof *d->units, unit_by_id) : NULL;
	if (!u)
		return -1;
	*parent_id = u->parent_id;
	*kind = u->kind;
	return 0;
}

const struct category *refdata_active_category(const struct refdata *d, const char *service_code)
{
	const struct category *c = refdata_category(d, service_code);
	return c && c->active ? c : NULL;
}

const struct category *refdata_category_by_id(const struct refdata *d, int64_t id)
{
	struct cat_entry key = {.cat.id = id};
	const struct cat_entry *pk = &key;
	const struct cat_entry *const *hit =
	    d->ncats ? bsearch(&pk, d->by_id, d->ncats, sizeof *d->by_id, by_id) : NULL;
	return hit ? &(*hit)->cat : NULL;
}

const struct workcal *refdata_calendar(const struct refdata *d)
{
	return d->calendar;
}
