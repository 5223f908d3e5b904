/* The category catalogue: categories.csv (事件 and 部件 小类 after GB/T 30428.2, one Open311
 * service each) and category_attributes.csv (Open311 attributes and their allowed values). */
#include <stdlib.h>
#include <string.h>

#include "lib/csv.h"
#include "store/catalog.h"
#include "store/db.h"
#include "store/seed_internal.h"

/* A growable array of nodes. */
struct nodes {
	struct seed_node *v;
	size_t n, cap;
};

static struct seed_node *nodes_add(struct nodes *ns)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 128;
		struct seed_node *v = realloc(ns->v, cap * sizeof *v);
		if (!v)
			return NULL;
		ns->v = v;
		ns->cap = cap;
	}
	memset(&ns->v[ns->n], 0, sizeof ns->v[0]);
	return &ns->v[ns->n++];
}

/* A default_unit code missing from the database (without demo: one warning per code). */
struct missing_unit {
	const char *code;
	const char *first; /* "file:line" of the first category naming it */
	int count;
	struct missing_unit *next;
};

static const char *const cat_cols[] = {"code",           "service_code",
                                       "kind",           "group_code",
                                       "group_name",     "name",
                                       "description",    "keywords",
                                       "default_unit",   "register_minutes",
                                       "handle_minutes", "verify_minutes",
                                       "urgent",         NULL};

/* A group (大类) keeps one name across rows. groups: code "kind/group_code", parent the name. */
static int group_check(struct seed_ctx *c, struct csv *csv, struct nodes *groups, struct err *e)
{
	const char *key =
	    arena_printf(&c->a, "%s/%s", csv_get(csv, "kind"), csv_get(csv, "group_code"));
	const char *name = csv_get(csv, "group_name");
	for (size_t i = 0; i < groups->n; i++)
		if (strcmp(groups->v[i].code, key) == 0) {
			if (strcmp(groups->v[i].parent, name) == 0)
				return 0;
			return csv_error(
			    csv, e, ERR_BAD_REQUEST,
			    "group_name \"%s\" differs from \"%s\" given for group %s at "
			    "%s",
			    name, groups->v[i].parent, key, groups->v[i].where);
		}
	struct seed_node *g = nodes_add(groups);
	if (!g)
		return err_set(e, ERR_INTERNAL, "out of memory");
	g->code = key;
	g->parent = arena_strdup(&c->a, name);
	g->where = arena_printf(&c->a, "%s:%ld", csv_name(csv), csv_line(csv));
	return 0;
}

static int minutes(struct csv *csv, const char *col, int64_t *out, struct err *e)
{
	if (seed_parse_int(csv_get(csv, col), 1, CATEGORY_MAX_MINUTES, out))
		return csv_error(csv, e, ERR_BAD_REQUEST,
		                 "%s \"%s\" is not a whole number of "
		                 "minutes from 1 to %d",
		                 col, csv_get(csv, col), CATEGORY_MAX_MINUTES);
	return 0;
}

static int category_row(struct seed_ctx *c, struct csv *csv, struct nodes *groups,
                        struct missing_unit **missing, struct seed_node *node, struct err *e)
{
	int rc = seed_csv_check_text(csv, e);
	if (rc)
		return rc;
	const char *code = csv_get(csv, "code"), *sc = csv_get(csv, "service_code");
	const char *kind = csv_get(csv, "kind"), *unit = csv_get(csv, "default_unit");
	int event = strcmp(kind, "event") == 0;
	if (!event && strcmp(kind, "part") != 0)
		return csv_error(csv, e, ERR_BAD_REQUEST, "kind \"%s\" is not event or part", kind);
	if (!catalog_code_ok(code))
		return csv_error(csv, e, ERR_BAD_REQUEST,
		                 "code \"%s\" is not 4 digits (大类 2 + 小类 2)", code);
	if (strlen(sc) != 5 || sc[0] != (event ? 'E' : 'P') || strcmp(sc + 1, code) != 0)
		return csv_error(csv, e, ERR_BAD_REQUEST, "service_code \"%s\" should be \"%c%s\"",
		                 sc, event ? 'E' : 'P', code);
	if (strncmp(csv_get(csv, "group_code"), code, 2) != 0 ||
	    strlen(csv_get(csv, "group_code")) != 2)
		return csv_error(csv, e, ERR_BAD_REQUEST,
		                 "group_code \"%s\" is not the first two digits of code %s",
		                 csv_get(csv, "group_code"), code);
	const char *empty = !*csv_get(csv, "group_name")    ? "group_name"
	                    : !*csv_get(csv, "name")        ? "name"
	                    : !*csv_get(csv, "description") ? "description"
	                                                    : NULL;
	if (empty)
		return csv_error(csv, e, ERR_BAD_REQUEST, "%s is empty", empty);
	if ((rc = group_check(c, csv, groups, e)) != 0)
		return rc;
	int64_t reg, handle, verify, urgent;
	if ((rc = minutes(csv, "register_minutes", &reg, e)) ||
	    (rc = minutes(csv, "handle_minutes", &handle, e)) ||
	    (rc = minutes(csv, "verify_minutes", &verify, e)))
		return rc;
	if (seed_parse_int(csv_get(csv, "urgent"), 0, 1, &urgent))
		return csv_error(csv, e, ERR_BAD_REQUEST, "urgent \"%s\" is not 0 or 1",
		                 csv_get(csv, "urgent"));
	const char *where = arena_printf(&c->a, "%s:%ld", csv_name(csv), csv_line(csv));
	int64_t unit_id = 0;
	int keep_unit = 0; /* named but unknown: keep whatever the database has */
	if (*unit) {
		rc = seed_code_ok(unit) ? seed_unit_id(c, unit, &unit_id, e) : ERR_NOT_FOUND;
		if (rc == ERR_NOT_FOUND && c->o->demo)
			return csv_error(csv, e, ERR_UNPROCESSABLE,
			                 "default_unit \"%s\" is not a known unit", unit);
		if (rc == ERR_NOT_FOUND) {
			struct missing_unit *m = *missing;
			while (m && strcmp(m->code, unit) != 0)
				m = m->next;
			if (!m) { /* appended, so warnings come in file order */
				struct missing_unit **tail = missing;
				while (*tail)
					tail = &(*tail)->next;
				m = *tail = arena_alloc(&c->a, sizeof *m);
				m->code = arena_strdup(&c->a, unit);
				m->first = where;
			}
			m->count++;
			keep_unit = 1;
			rc = 0;
		}
		if (rc)
			return rc;
	}
	/* Upserted by service_code; events and parts reuse 4-digit codes (unique per kind). */
	rc = db_get_int(
	    c->db,
	    "INSERT INTO category (code, service_code, kind, group_code, group_name, name,"
	    " description, keywords, default_unit_id, register_minutes, handle_minutes,"
	    " verify_minutes, urgent, active, sort)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)"
	    " ON CONFLICT (service_code) DO UPDATE SET code = excluded.code,"
	    " kind = excluded.kind, group_code = excluded.group_code,"
	    " group_name = excluded.group_name, name = excluded.name,"
	    " description = excluded.description, keywords = excluded.keywords,"
	    " default_unit_id = CASE WHEN ? = 1 THEN category.default_unit_id"
	    " ELSE excluded.default_unit_id END,"
	    " register_minutes = excluded.register_minutes,"
	    " handle_minutes = excluded.handle_minutes, verify_minutes = excluded.verify_minutes,"
	    " urgent = excluded.urgent, active = 1, sort = excluded.sort RETURNING id",
	    DB_ARGS(db_text(code), db_text(sc), db_text(kind), db_text(csv_get(csv, "group_code")),
	            db_text(csv_get(csv, "group_name")), db_text(csv_get(csv, "name")),
	            db_text(csv_get(csv, "description")), db_text(csv_get(csv, "keywords")),
	            unit_id ? db_int(unit_id) : db_null(), db_int(reg), db_int(handle),
	            db_int(verify), db_int(urgent), db_int(c->st->categories + 1),
	            db_int(keep_unit)),
	    &node->id, e);
	if (rc)
		return csv_error(csv, e, rc, "%s", e->msg);
	node->code = arena_strdup(&c->a, sc);
	node->where = where;
	return 0;
}

static int load_categories(struct seed_ctx *c, struct nodes *cats, struct err *e)
{
	struct csv *csv;
	int rc = seed_csv_open(seed_path(c, "categories.csv"), cat_cols, &csv, e);
	if (rc)
		return rc;
	struct nodes groups = {0};
	struct missing_unit *missing = NULL;
	while ((rc = csv_next(csv, e)) == 1) {
		struct seed_node *node = nodes_add(cats);
		if (!node) {
			rc = err_set(e, ERR_INTERNAL, "out of memory");
			break;
		}
		if ((rc = category_row(c, csv, &groups, &missing, node, e)) != 0)
			break;
		c->st->categories++;
	}
	if (rc == 0)
		rc = seed_tree_check(cats->v, cats->n, "category", e);
	int64_t units = 0;
	if (rc == 0 && missing)
		rc = db_get_int(c->db, "SELECT COUNT(*) FROM unit", NULL, 0, &units, e);
	if (rc == 0 && missing && units == 0) {
		/* A fresh database without --demo: one warning, not one per unit code. */
		int n = 0;
		for (struct missing_unit *m = missing; m; m = m->next)
			n += m->count;
		seed_warn(c,
		          "%s: the database has no units yet; %d categories were left without a "
		          "default unit (load units, then run this again)",
		          csv_name(csv), n);
	}
	for (struct missing_unit *m = missing; m && rc == 0 && units > 0; m = m->next)
		seed_warn(c,
		          "%s: default_unit \"%s\" is not a known unit; %d categor%s left "
		          "without a default unit",
		          m->first, m->code, m->count, m->count == 1 ? "y" : "ies");
	free(groups.v);
	csv_free(csv);
	return rc;
}

/* Attributes ----------------------------------------------------------------------------------- */

static const char *const attr_cols[] = {"service_code", "code",        "datatype",
                                        "required",     "description", "datatype_description",
                                        "order",        "values",      NULL};
static const char *const datatypes[] = {"string",          "number",         "datetime", "text",
                                        "singlevaluelist", "multivaluelist", NULL};

/* Replaces the attribute's values with the list "key=name|key=name". */
static int attr_values(struct seed_ctx *c, struct csv *csv, int64_t attr_id, struct err *e)
{
	int rc = db_run(c->db, "DELETE FROM category_attribute_value WHERE attribute_id = ?",
	                DB_ARGS(db_int(attr_id)), e);
	if (rc)
		return csv_error(csv, e, rc, "%s", e->msg);
	char *list = arena_strdup(&c->a, csv_get(csv, "values"));
	const char *keys[256];
	int n = 0;
	for (char *item = *list ? list : NULL, *next; item; item = next) {
		next = strchr(item, '|');
		if (next)
			*next++ = '\0';
		char *eq = strchr(item, '=');
		if (!eq || eq == item || !eq[1])
			return csv_error(csv, e, ERR_BAD_REQUEST, "value %d \"%s\" is not key=name",
			                 n + 1, item);
		*eq = '\0';
		if (!seed_code_ok(item))
			return csv_error(csv, e, ERR_BAD_REQUEST, "value key \"%s\" is not a code",
			                 item);
		for (int i = 0; i < n; i++)
			if (strcmp(keys[i], item) == 0)
				return csv_error(csv, e, ERR_BAD_REQUEST,
				                 "value key \"%s\" appears twice", item);
		if (n == (int)(sizeof keys / sizeof keys[0]))
			return csv_error(csv, e, ERR_BAD_REQUEST, "more than %d values",
			                 (int)(sizeof keys / sizeof keys[0]));
		keys[n] = item;
		rc = db_run(c->db,
		            "INSERT INTO category_attribute_value (attribute_id, key, name, sort)"
		            " VALUES (?, ?, ?, ?)",
		            DB_ARGS(db_int(attr_id), db_text(item), db_text(eq + 1), db_int(n + 1)),
		            e);
		if (rc)
			return csv_error(csv, e, rc, "%s", e->msg);
		n++;
		c->st->values++;
	}
	return 0;
}

static int attr_row(struct seed_ctx *c, struct csv *csv, struct nodes *cats, struct seed_node *node,
                    struct err *e)
{
	int rc = seed_csv_check_text(csv, e);
	if (rc)
		return rc;
	const char *sc = csv_get(csv, "service_code"), *code = csv_get(csv, "code");
	const char *dt = csv_get(csv, "datatype"), *values = csv_get(csv, "values");
	int64_t cat_id = 0, required, order;
	struct seed_node *cat = seed_tree_find(cats->v, cats->n, sc);
	if (cat) {
		cat_id = cat->id;
	} else {
		struct err miss;
		rc = db_get_int(c->db, "SELECT id FROM category WHERE service_code = ?",
		                DB_ARGS(db_text(sc)), &cat_id, &miss);
		if (rc == ERR_NOT_FOUND)
			return csv_error(csv, e, ERR_UNPROCESSABLE,
			                 "service_code \"%s\" is not a known category", sc);
		if (rc)
			return csv_error(csv, e, rc, "%s", miss.msg);
	}
	if (!seed_code_ok(code))
		return csv_error(csv, e, ERR_BAD_REQUEST,
		                 "code \"%s\" is not a code (1-64 letters, digits, - or _)", code);
	int list = strcmp(dt, "singlevaluelist") == 0 || strcmp(dt, "multivaluelist") == 0;
	int known = list;
	for (const char *const *d = datatypes; *d && !known; d++)
		known = strcmp(*d, dt) == 0;
	if (!known)
		return csv_error(csv, e, ERR_BAD_REQUEST,
		                 "datatype \"%s\" is not one of string, number, datetime, text, "
		                 "singlevaluelist, multivaluelist",
		                 dt);
	if (seed_parse_int(csv_get(csv, "required"), 0, 1, &required))
		return csv_error(csv, e, ERR_BAD_REQUEST, "required \"%s\" is not 0 or 1",
		                 csv_get(csv, "required"));
	if (seed_parse_int(csv_get(csv, "order"), 0, 1000000, &order))
		return csv_error(csv, e, ERR_BAD_REQUEST, "order \"%s\" is not a whole number",
		                 csv_get(csv, "order"));
	if (!*csv_get(csv, "description"))
		return csv_error(csv, e, ERR_BAD_REQUEST, "description is empty");
	if (list && !*values)
		return csv_error(csv, e, ERR_BAD_REQUEST, "a %s needs values (key=name|…)", dt);
	if (!list && *values)
		return csv_error(csv, e, ERR_BAD_REQUEST, "a %s attribute takes no values", dt);
	rc = db_get_int(c->db,
	                "INSERT INTO category_attribute (category_id, code, variable, datatype,"
	                " required, datatype_description, description, sort)"
	                " VALUES (?, ?, 1, ?, ?, ?, ?, ?)"
	                " ON CONFLICT (category_id, code) DO UPDATE SET variable = 1,"
	                " datatype = excluded.datatype, required = excluded.required,"
	                " datatype_description = excluded.datatype_description,"
	                " description = excluded.description, sort = excluded.sort RETURNING id",
	                DB_ARGS(db_int(cat_id), db_text(code), db_text(dt), db_int(required),
	                        db_text(csv_get(csv, "datatype_description")),
	                        db_text(csv_get(csv, "description")), db_int(order)),
	                &node->id, e);
	if (rc)
		return csv_error(csv, e, rc, "%s", e->msg);
	node->code = arena_printf(&c->a, "%s/%s", sc, code);
	node->where = arena_printf(&c->a, "%s:%ld", csv_name(csv), csv_line(csv));
	return attr_values(c, csv, node->id, e);
}

/* Deletes the attributes of the file's categories that the file no longer lists. */
static int attr_sweep(struct seed_ctx *c, struct nodes *cats, struct nodes *attrs, struct err *e)
{
	int rc = 0;
	struct nodes gone = {0};
	for (size_t i = 0; i < cats->n && !rc; i++) {
		struct db_stmt *st;
		rc =
		    db_query(c->db, "SELECT id, code FROM category_attribute WHERE category_id = ?",
		             DB_ARGS(db_int(cats->v[i].id)), &st, e);
		if (rc)
			break;
		while ((rc = db_step(st, e)) == DB_ROW) {
			const char *key =
			    arena_printf(&c->a, "%s/%s", cats->v[i].code, db_col_text(st, 1));
			if (seed_tree_find(attrs->v, attrs->n, key))
				continue;
			struct seed_node *g = nodes_add(&gone);
			if (!g) {
				rc = err_set(e, ERR_INTERNAL, "out of memory");
				break;
			}
			g->id = db_col_int(st, 0);
		}
		db_done(st);
	}
	for (size_t i = 0; i < gone.n && !rc; i++) {
		rc = db_run(c->db, "DELETE FROM category_attribute_value WHERE attribute_id = ?",
		            DB_ARGS(db_int(gone.v[i].id)), e);
		if (!rc)
			rc = db_run(c->db, "DELETE FROM category_attribute WHERE id = ?",
			            DB_ARGS(db_int(gone.v[i].id)), e);
		if (!rc)
			c->st->attributes_removed++;
	}
	free(gone.v);
	return rc;
}

static int load_attributes(struct seed_ctx *c, struct nodes *cats, struct err *e)
{
	struct csv *csv;
	int rc = seed_csv_open(seed_path(c, "category_attributes.csv"), attr_cols, &csv, e);
	if (rc)
		return rc;
	struct nodes attrs = {0};
	while ((rc = csv_next(csv, e)) == 1) {
		struct seed_node *node = nodes_add(&attrs);
		if (!node) {
			rc = err_set(e, ERR_INTERNAL, "out of memory");
			break;
		}
		if ((rc = attr_row(c, csv, cats, node, e)) != 0)
			break;
		c->st->attributes++;
	}
	if (rc == 0)
		rc = seed_tree_check(attrs.v, attrs.n, "attribute", e);
	if (rc == 0)
		rc = attr_sweep(c, cats, &attrs, e);
	free(attrs.v);
	csv_free(csv);
	return rc;
}

int seed_categories(struct seed_ctx *c, struct err *e)
{
	struct nodes cats = {0};
	int rc = load_categories(c, &cats, e);
	if (rc == 0)
		rc = load_attributes(c, &cats, e);
	free(cats.v);
	return rc;
}
