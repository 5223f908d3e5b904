/* Grassroots creation (基层创建, migration 019, docs/creation.md): the titles (data), each
 * unit's creation of a title moved through core/creation_fsm.c with its history, whole
 * self-assessments against the active standard's items that apply to the title (scored by
 * core/scoring.c), lists, and counts and coverage by district. `wenming init`, `wenming import
 * creation` and the staff API all go through here. */
#ifndef WM_CREATIONS_H
#define WM_CREATIONS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/scoring.h"
#include "lib/err.h"
#include "store/org_io.h"

struct db;

/* The unit kinds that are districts for the figures: 区, 县, 县级市 and 功能区. A unit belongs
 * to the nearest of them above it (or itself); units under none are 市直 (city-level). */
#define CREATION_DISTRICT_KINDS "'district', 'county', 'county_city', 'zone'"

/* Titles from a CSV with header code,name,unit_kinds,site_types,methods,sort (lists
 * separated by ;), upserted by code with their kinds, site types and methods replaced. Runs in
 * the caller's transaction when there is one. Errors name FILE:LINE. */
int creation_titles_import(struct db *db, const char *path, int *rows, struct err *e);
/* [{code, name, sort, unit_kinds: [], site_types: [], methods: [], items}], items: how many
 * items of the active standard a self-assessment of the title has. */
int creation_titles_json(struct db *db, json_t **out, struct err *e);

struct creation_import_opts {
	int dry_run;
	int in_transaction;
	int64_t now;
	const char *actor; /* for the history: "cli", "init" */
};

/* Creation records from a CSV with header unit_code,title,status,level,year,batch,note
 * (unit_code, title and status required; level default city; year default this year; a
 * revoked row's note is its reason and is required). Only new unit × title pairs: a creation
 * already recorded changes through its moves, never by import. All or nothing; every error
 * listed in r. r->inserted counts the rows written. */
int creations_import(struct db *db, const char *path, const struct creation_import_opts *o,
                     struct org_io_report *r, struct err *e);

struct creation_declare {
	int64_t unit_id;
	const char *title;
	const char *level; /* NULL: city */
	int year;
	const char *batch, *note; /* NULL: "" */
	const char *actor;        /* "user:7" */
	unsigned roles;           /* the caller's, for the state machine */
	int64_t now;
};

/* A unit declares a title (申报). Call inside a write transaction. ERR_UNPROCESSABLE for an
 * unknown title or unit, or a unit not of the title's kinds; ERR_CONFLICT when the unit ×
 * title is already recorded (a revoked one is declared again with the `declare` move). */
int creation_declare(struct db *db, const struct creation_declare *d, int64_t *id, struct err *e);

struct creation_step {
	int64_t id;
	int64_t version;    /* the version the caller saw */
	const char *action; /* declare, review, name, revoke */
	const char *note;   /* NULL: ""; revoke: the reason (required) */
	const char *level;  /* name: the level named at (NULL: as declared) */
	const char *batch;  /* name: the naming batch (NULL: unchanged) */
	const char *actor;
	unsigned roles;
	int64_t now;
};

/* Moves a creation through the state machine, records the event. Call inside a write
 * transaction. ERR_NOT_FOUND, ERR_FORBIDDEN (roles), ERR_CONFLICT (not from this state, or the
 * version moved: the message names the current status and version), ERR_UNPROCESSABLE (no
 * reason for a revocation, bad level). *from / *to (may be NULL) get the states' names. */
int creation_move(struct db *db, const struct creation_step *s, const char **from, const char **to,
                  struct err *e);

/* The unit of a creation (for the caller's reach), ERR_NOT_FOUND when unknown. */
int creation_unit(struct db *db, int64_t id, int64_t *unit_id, struct err *e);

struct creation_assess_item {
	const char *code;   /* the standard item's code */
	const char *result; /* pass, fail, na */
	const char *note;   /* "" when none */
};

struct creation_assess_in {
	const char *client_id; /* 8–64 of [A-Za-z0-9_-], made by the client */
	int64_t creation_id;
	int64_t user_id; /* 0: none */
	const char *note;
	const struct creation_assess_item *items;
	size_t nitems;
	int64_t now;
};

struct creation_assess_out {
	int64_t id;
	int replayed; /* the client_id was already submitted for this creation: nothing written */
	struct score_sum sum;
};

/* Records a whole self-assessment: a result for every item of the creation's checklist.
 * Call inside a write transaction. ERR_CONFLICT: a revoked creation, or the client_id used
 * for another creation; ERR_UNPROCESSABLE: an item missing, unknown or given twice, or no
 * active standard; ERR_BAD_REQUEST: a bad client_id or result. */
int creation_assess(struct db *db, const struct creation_assess_in *in,
                    struct creation_assess_out *out, struct err *e);

/* {creation: {id, unit_code, unit_name, title, title_name, status}, version, items: [{id,
 * code, text, method, points, veto, project, content, last: {result, note} | null}]}: the
 * items a self-assessment of this creation answers (the active standard's items that apply to
 * its title), each with its result in the creation's latest self-assessment. */
int creation_checklist_json(struct db *db, int64_t id, json_t **out, struct err *e);

/* One creation: unit, district, title, status, level, dates, history (oldest first) and
 * self-assessments (newest first, with scores). ERR_NOT_FOUND when unknown. */
int creation_json(struct db *db, int64_t id, json_t **out, struct err *e);

struct creation_filter {
	const char *title, *status, *unit_kind; /* NULL: any */
	int64_t district_root;                  /* units of this unit's subtree (0: any) */
	int64_t reach_root;                     /* the caller's reach (0: citywide) */
	int year;                               /* 0: any */
	int64_t limit, offset;
};

/* [{id, unit_id, unit_code, unit_name, unit_kind, district_code, district_name, title,
 * title_name, status, level, year, batch, declared_at, named_at, revoked_at, version,
 * score}] by district, title and unit code; score: the latest self-assessment's (null when
 * none or nothing applicable). */
int creations_list_json(struct db *db, const struct creation_filter *f, json_t **out,
                        struct err *e);

/* Counts and coverage: {rows: [...], total: [...]}, rows one per district (in unit order, then
 * 市直) × title (in title order) that has an eligible unit or a creation; total one per title
 * over all of them. Each {scope (district, city_level, total), district_code, district_name,
 * title, title_name, eligible (active units of the title's kinds), declared, reviewing,
 * named, revoked, coverage (named / eligible, null when none is eligible)}. title NULL: every
 * title; reach_root: only units of that subtree (0: citywide). */
int creation_coverage_json(struct db *db, const char *title, int64_t reach_root, json_t **out,
                           struct err *e);

#endif
