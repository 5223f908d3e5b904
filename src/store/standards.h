/* The evaluation standard (测评体系) as data (migration 013, docs/standards.md): site types,
 * versions of the standard imported from CSV and never rewritten, the tree of a version, and
 * the checklist of a site type. `wenming import standards`, `wenming init` (the shipped
 * edition, data/standards/2026.csv) and the API all go through here. */
#ifndef WM_STANDARDS_H
#define WM_STANDARDS_H

#include <jansson.h>
#include <stdint.h>

#include "lib/err.h"
#include "store/org_io.h"

struct db;

/* Site types from a CSV with header code,name,sort, upserted by code (a type in use is never
 * deleted). Runs in the caller's transaction when there is one. */
int site_types_import(struct db *db, const char *path, int *rows, struct err *e);

struct standards_import_opts {
	const char *version; /* code of the new version: 1..32 of [A-Za-z0-9._-] */
	const char *name;    /* NULL or "": "测评体系 <version>" */
	int activate;        /* make it the active version */
	int dry_run;
	int in_transaction; /* the caller has a transaction open */
	int64_t now;
};

/* Imports a standards CSV (columns code,parent_code,kind,text,method,site_types,points,veto,
 * service_codes,sort; docs/standards.md) as a new version. All or nothing: every row is
 * checked and every error listed in r (ERR_BAD_REQUEST with e the first one). A version
 * code already imported is ERR_CONFLICT: a version is never rewritten, past inspections
 * point at its items. r->rows counts the nodes, r->inserted the items. */
int standards_import(struct db *db, const char *path, const struct standards_import_opts *o,
                     struct org_io_report *r, struct err *e);

/* The id of the active version's item with this code: 0 (and *id 0) when there is none. */
int standards_active_item(struct db *db, const char *code, int64_t *id, struct err *e);

/* Makes version code the active one (the others inactive). ERR_NOT_FOUND when unknown. */
int standards_activate(struct db *db, const char *code, struct err *e);

/* [{code, name, active, imported_at, projects, contents, items, points}], newest first. */
int standards_versions_json(struct db *db, json_t **out, struct err *e);

/* The tree of a version ("active": the active one): {code, name, active, projects: [{code,
 * text, contents: [{code, text, items: [{id, code, text, method, points, veto, site_types:
 * [...], service_codes: [...]}]}]}]}. site_type / method (NULL: all) keep the items checked at
 * that type / by that method, and drop contents and projects left empty: a site's checklist.
 * ERR_NOT_FOUND for an unknown version. */
int standards_tree_json(struct db *db, const char *version, const char *site_type,
                        const char *method, json_t **out, struct err *e);

/* [{code, name, sort}] */
int site_types_json(struct db *db, json_t **out, struct err *e);

#endif
