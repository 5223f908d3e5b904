#include "store/catalog.h"

#include <string.h>

#include "lib/arena.h"
#include "store/db.h"

int catalog_services_json(struct db *db, json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT c.service_code, c.name, c.description, c.keywords, c.group_name,"
	                  " EXISTS (SELECT 1 FROM category_attribute a WHERE a.category_id = c.id)"
	                  " FROM category c WHERE c.active = 1 ORDER BY c.sort, c.kind, c.code",
	                  NULL, 0, &st, e);
	if (rc < 0)
		return rc;
	json_t *arr = json_array();
	while ((rc = db_step(st, e)) == DB_ROW) {
		json_array_append_new(
		    arr, json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "service_code",
		                   db_col_text(st, 0), "service_name", db_col_text(st, 1),
		                   "description", db_col_text(st, 2), "metadata",
		                   (int)db_col_int(st, 5), "type", "realtime", "keywords",
		                   db_col_text(st, 3), "group", db_col_text(st, 4)));
	}
	db_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

static int attribute_values(struct db *db, int64_t attr_id, json_t *values, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT key, name FROM category_attribute_value WHERE attribute_id = ?"
	                  " ORDER BY sort, key",
	                  DB_ARGS(db_int(attr_id)), &st, e);
	if (rc < 0)
		return rc;
	while ((rc = db_step(st, e)) == DB_ROW)
		json_array_append_new(values, json_pack("{s:s, s:s}", "key", db_col_text(st, 0),
		                                        "name", db_col_text(st, 1)));
	db_done(st);
	return rc < 0 ? rc : 0;
}

int catalog_definition_json(struct db *db, const char *service_code, json_t **out, struct err *e)
{
	int64_t category_id;
	int rc = db_get_int(db, "SELECT id FROM category WHERE service_code = ? AND active = 1",
	                    DB_ARGS(db_text(service_code)), &category_id, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_NOT_FOUND, "service_code '%s' not found", service_code);
	if (rc < 0)
		return rc;
	struct db_stmt *st;
	rc = db_query(
	    db,
	    "SELECT id, variable, code, datatype, required, datatype_description, sort,"
	    " description FROM category_attribute WHERE category_id = ? ORDER BY sort, code",
	    DB_ARGS(db_int(category_id)), &st, e);
	if (rc < 0)
		return rc;
	json_t *attrs = json_array();
	/* Ids first: a nested query would reset this statement when both share the cache. */
	int64_t ids[256];
	size_t n = 0;
	while ((rc = db_step(st, e)) == DB_ROW) {
		const char *type = db_col_text(st, 3);
		json_t *a = json_pack(
		    "{s:b, s:s, s:s, s:b, s:s, s:I, s:s}", "variable", (int)db_col_int(st, 1),
		    "code", db_col_text(st, 2), "datatype", type, "required",
		    (int)db_col_int(st, 4), "datatype_description", db_col_text(st, 5), "order",
		    (json_int_t)db_col_int(st, 6), "description", db_col_text(st, 7));
		if (n < sizeof ids / sizeof ids[0])
			ids[n++] = db_col_int(st, 0);
		json_array_append_new(attrs, a);
	}
	db_done(st);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		json_t *a = json_array_get(attrs, i);
		const char *type = json_string_value(json_object_get(a, "datatype"));
		if (strcmp(type, "singlevaluelist") && strcmp(type, "multivaluelist"))
			continue;
		json_t *values = json_array();
		json_object_set_new(a, "values", values);
		rc = attribute_values(db, ids[i], values, e);
	}
	if (rc < 0) {
		json_decref(attrs);
		return rc;
	}
	*out = json_pack("{s:s, s:o}", "service_code", service_code, "attributes", attrs);
	return 0;
}

int catalog_attributes(struct db *db, int64_t category_id, struct arena *a, struct attr_def **out,
                       size_t *n, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db,
	                  "SELECT a.code, a.datatype, a.required, v.key FROM category_attribute a"
	                  " LEFT JOIN category_attribute_value v ON v.attribute_id = a.id"
	                  " WHERE a.category_id = ? ORDER BY a.sort, a.code, v.sort, v.key",
	                  DB_ARGS(db_int(category_id)), &st, e);
	if (rc < 0)
		return rc;
	size_t cap = 0, count = 0;
	struct attr_def *defs = NULL;
	while ((rc = db_step(st, e)) == DB_ROW) {
		const char *code = db_col_text(st, 0);
		struct attr_def *d = count ? &defs[count - 1] : NULL;
		if (!d || strcmp(d->code, code) != 0) {
			if (count == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				struct attr_def *nd = arena_alloc(a, ncap * sizeof *nd);
				if (count)
					memcpy(nd, defs, count * sizeof *nd);
				defs = nd;
				cap = ncap;
			}
			d = &defs[count++];
			d->code = arena_strdup(a, code);
			d->datatype = arena_strdup(a, db_col_text(st, 1));
			d->required = (int)db_col_int(st, 2);
		}
		if (!db_col_is_null(st, 3)) {
			const char **keys = arena_alloc(a, (d->nkeys + 1) * sizeof *keys);
			if (d->nkeys)
				memcpy(keys, d->keys, d->nkeys * sizeof *keys);
			keys[d->nkeys++] = arena_strdup(a, db_col_text(st, 3));
			d->keys = keys;
		}
	}
	db_done(st);
	if (rc < 0)
		return rc;
	*out = defs;
	*n = count;
	return 0;
}

int catalog_code_ok(const char *code)
{
	if (strlen(code) != 4)
		return 0;
	for (int i = 0; i < 4; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return 1;
}
