/* seed_load: the transaction around the loaders, their shared helpers, and the units loader.
 * Categories and attributes are in seed_catalog.c, areas in seed_areas.c. */
#include "store/seed.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/csv.h"
#include "lib/utf8.h"
#include "store/calendar_store.h"
#include "store/creations.h"
#include "store/routing_store.h"
#include "store/sites.h"
#include "store/standards.h"
#include "store/db.h"
#include "store/org_io.h"
#include "store/seed_internal.h"

char *seed_path(struct seed_ctx *c, const char *rel)
{
	const char *dir = c->o->data_dir && *c->o->data_dir ? c->o->data_dir : ".";
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return arena_printf(&c->a, "%.*s/%s", (int)n, dir, rel);
}

void seed_warn(struct seed_ctx *c, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	c->st->warnings++;
	if (c->o->warn)
		c->o->warn(c->o->warn_ctx, b.data);
	else
		fprintf(stderr, "wenming: warning: %s\n", b.data);
	buf_free(&b);
}

int seed_csv_open(const char *path, const char *const *cols, struct csv **out, struct err *e)
{
	struct csv *csv;
	int rc = csv_open_file(path, &csv, e);
	if (rc)
		return rc;
	if ((rc = csv_read_header(csv, e)) == 0)
		rc = csv_require(csv, cols, e);
	if (rc) {
		csv_free(csv);
		return rc;
	}
	*out = csv;
	return 0;
}

int seed_csv_check_text(struct csv *csv, struct err *e)
{
	for (size_t i = 0; i < csv_nfields(csv); i++) {
		const char *f = csv_field(csv, i);
		size_t n = strlen(f);
		if (!utf8_valid(f, n))
			return csv_error(csv, e, ERR_BAD_REQUEST, "field %zu is not valid UTF-8",
			                 i + 1);
		if (utf8_has_controls(f, n, true))
			return csv_error(csv, e, ERR_BAD_REQUEST,
			                 "field %zu holds control characters", i + 1);
	}
	return 0;
}

int seed_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int neg = *s == '-';
	const char *p = s + neg;
	if (!*p || strlen(p) > 18)
		return -1;
	int64_t v = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int seed_code_ok(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++) {
		char ch = s[n];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		         (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
		if (!ok)
			return 0;
	}
	return n >= 1 && n <= 64;
}

int seed_unit_id(struct seed_ctx *c, const char *code, int64_t *id, struct err *e)
{
	struct err miss;
	int rc = db_get_int(c->db, "SELECT id FROM unit WHERE code = ?", DB_ARGS(db_text(code)), id,
	                    &miss);
	if (rc && rc != ERR_NOT_FOUND)
		*e = miss;
	return rc;
}

static int node_cmp(const void *pa, const void *pb)
{
	const struct seed_node *a = pa, *b = pb;
	int d = strcmp(a->code, b->code);
	if (d)
		return d;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

struct seed_node *seed_tree_find(struct seed_node *nodes, size_t n, const char *code)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(nodes[mid].code, code);
		if (d == 0)
			return &nodes[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int seed_tree_check(struct seed_node *nodes, size_t n, const char *what, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		nodes[i].seq = i;
		nodes[i].state = 0;
	}
	if (n)
		qsort(nodes, n, sizeof *nodes, node_cmp);
	for (size_t i = 1; i < n; i++)
		if (strcmp(nodes[i - 1].code, nodes[i].code) == 0)
			return err_set(e, ERR_BAD_REQUEST, "%s: %s code \"%s\" appears twice",
			               nodes[i].where, what, nodes[i].code);
	/* Walk up from every row: reaching a row of the walk in progress (state 1) is a cycle;
	 * rows whose chain is known to end are state 2. Linear in the number of rows. */
	for (size_t i = 0; i < n; i++) {
		struct seed_node *p = &nodes[i];
		while (p && p->state == 0) {
			p->state = 1;
			p = p->parent ? seed_tree_find(nodes, n, p->parent) : NULL;
		}
		if (p && p->state == 1)
			return err_set(
			    e, ERR_BAD_REQUEST,
			    "%s: %s \"%s\" is its own ancestor (a cycle of parent codes)", p->where,
			    what, p->code);
		for (p = &nodes[i]; p && p->state == 1;
		     p = p->parent ? seed_tree_find(nodes, n, p->parent) : NULL)
			p->state = 2;
	}
	return 0;
}

/* Units ------------------------------------------------------------------------------------ */

/* demo/units.csv goes through `wenming import units` (store/org_io), so the demo data meet
 * exactly the rules of an imported organisation; it runs in a savepoint of our transaction. */
int seed_units(struct seed_ctx *c, struct err *e)
{
	struct org_io_opts o = {.in_transaction = 1};
	struct org_io_report *r = arena_alloc(&c->a, sizeof *r);
	int rc = org_import_units(c->db, seed_path(c, "demo/units.csv"), &o, r, e);
	if (rc == 0)
		c->st->units = r->rows;
	return rc;
}

/* The transaction ----------------------------------------------------------------------------- */

/* The demo city's routing rules (data/demo/routing.csv), through the same import as
 * `wenming import routing`. */
static int seed_routing(struct seed_ctx *c, struct err *e)
{
	const char *path = seed_path(c, "demo/routing.csv");
	if (access(path, F_OK) != 0)
		return 0; /* a data directory without rules: every case goes to its default unit */
	struct org_io_report *r = arena_alloc(&c->a, sizeof *r);
	struct org_io_opts ro = {.in_transaction = 1};
	return routing_import(c->db, path, &ro, r, NULL, e);
}

/* Every database gets the site types and, unless it has a standard already, the shipped
 * edition (data/standards/2026.csv) as its active version. A data directory without them (a
 * trimmed copy) loads none. */
static int seed_standards(struct seed_ctx *c, struct err *e)
{
	const char *path = seed_path(c, "standards/site_types.csv");
	if (access(path, F_OK) != 0)
		return 0;
	int rc = site_types_import(c->db, path, &c->st->site_types, e);
	const char *titles = seed_path(c, "standards/creation_titles.csv");
	if (rc == 0 && access(titles, F_OK) == 0)
		rc = creation_titles_import(c->db, titles, &c->st->creation_titles, e);
	int64_t versions = 0;
	if (rc == 0)
		rc = db_get_int(c->db, "SELECT COUNT(*) FROM standard_version", NULL, 0, &versions,
		                e);
	path = seed_path(c, "standards/2026.csv");
	if (rc == 0 && !versions && access(path, F_OK) == 0) {
		struct standards_import_opts so = {.version = "2026",
		                                   .name = "全国文明典范城市测评体系（演示版）",
		                                   .activate = 1,
		                                   .in_transaction = 1,
		                                   .now = (int64_t)time(NULL)};
		struct org_io_report *r = arena_alloc(&c->a, sizeof *r);
		rc = standards_import(c->db, path, &so, r, e);
	}
	/* the items of the active version, loaded now or before: the same count every time */
	if (rc == 0) {
		int64_t n = 0;
		rc = db_get_int(c->db,
		                "SELECT COUNT(*) FROM standard_node n JOIN standard_version v ON"
		                " v.id = n.version_id WHERE v.active = 1 AND n.kind = 'item'",
		                NULL, 0, &n, e);
		c->st->standard_items = (int)n;
	}
	return rc;
}

/* The demo city's sites (data/demo/sites.csv). */
static int seed_sites(struct seed_ctx *c, struct err *e)
{
	const char *path = seed_path(c, "demo/sites.csv");
	if (access(path, F_OK) != 0)
		return 0;
	struct sites_import_opts so = {.in_transaction = 1, .now = (int64_t)time(NULL)};
	struct org_io_report *r = arena_alloc(&c->a, sizeof *r);
	int rc = sites_import(c->db, path, &so, r, e);
	c->st->sites = r->inserted + r->updated;
	return rc;
}

/* The demo city's creation records (data/demo/creation.csv), through the same import as
 * `wenming import creation`, into a database that has none yet (loading the demo again adds
 * nothing: a recorded creation changes only through its moves). */
static int seed_creation(struct seed_ctx *c, struct err *e)
{
	const char *path = seed_path(c, "demo/creation.csv");
	int64_t n = 0;
	if (access(path, F_OK) != 0)
		return 0;
	int rc = db_get_int(c->db, "SELECT COUNT(*) FROM creation", NULL, 0, &n, e);
	if (rc == 0 && !n) {
		struct creation_import_opts co = {
		    .in_transaction = 1, .now = (int64_t)time(NULL), .actor = "init"};
		struct org_io_report *r = arena_alloc(&c->a, sizeof *r);
		rc = creations_import(c->db, path, &co, r, e);
		n = r->inserted;
	}
	c->st->creations = (int)n; /* the records there are: the same count every time */
	return rc;
}

int seed_run(struct db *db, const struct seed_opts *o, struct seed_stats *stats, struct err *e)
{
	struct seed_stats st = {0};
	struct seed_ctx c = {.db = db, .o = o, .st = &st};
	int rc = o->in_transaction ? db_savepoint(db, "seed", e) : db_begin_write(db, e);
	if (rc)
		return rc;
	arena_init(&c.a);
	if (o->demo)
		rc = seed_units(&c, e);
	if (rc == 0 && o->demo)
		rc = seed_areas(&c, e);
	if (rc == 0)
		rc = seed_categories(&c, e);
	/* Every database gets the working-time calendar (deadlines need it, demo or not);
	 * years already in the database are left as an administrator imported them. */
	if (rc == 0)
		rc = calendar_seed(db, o->data_dir, NULL, e);
	if (rc == 0 && o->demo)
		rc = seed_routing(&c, e);
	if (rc == 0)
		rc = seed_standards(&c, e);
	if (rc == 0 && o->demo)
		rc = seed_sites(&c, e);
	if (rc == 0 && o->demo)
		rc = seed_plan(&c, e);
	if (rc == 0 && o->demo)
		rc = seed_creation(&c, e);
	if (rc == 0 && o->demo)
		rc = seed_articles(&c, e);
	if (rc == 0)
		rc = o->in_transaction ? db_release(db, "seed", e) : db_commit(db, e);
	if (rc) {
		if (o->in_transaction) {
			db_rollback_to(db, "seed");
			struct err ignored;
			(void)db_release(db, "seed", &ignored);
		} else {
			db_rollback(db);
		}
	}
	arena_free(&c.a);
	if (rc == 0 && stats)
		*stats = st;
	return rc;
}

int seed_load(struct db *db, const char *data_dir, int demo, struct err *e)
{
	struct seed_opts o = {.data_dir = data_dir, .demo = demo};
	return seed_run(db, &o, NULL, e);
}
