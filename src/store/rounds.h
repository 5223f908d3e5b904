/* Inspection rounds (督查 / 模拟测评, migration 014, docs/standards.md): a round is made with its
 * period, scope, inspectors and sampling plan, and its sites are drawn at once (core/sampling.h)
 * from the active sites in scope, stratified by site type × district. */
#ifndef WM_ROUNDS_H
#define WM_ROUNDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct db;

struct round_new {
	const char *name;
	const char *kind; /* supervision, simulation */
	int64_t starts_at, ends_at;
	const char *const *area_codes; /* scope: these areas and below; none: citywide */
	size_t nareas;
	const char *const *site_types; /* none: every type */
	size_t ntypes;
	const char *sample_mode; /* all, per_stratum, share */
	int sample_n;            /* per_stratum */
	double sample_share;     /* share, (0, 1] */
	int64_t seed;            /* 0..2^53 */
	const int64_t *inspectors; /* user ids (inspectors), may be none */
	size_t ninspectors;
	int64_t created_by; /* user id, 0: none */
	int64_t now;
};

/* Makes the round with the active standard version and draws its sites. Call inside a write
 * transaction. ERR_UNPROCESSABLE for an unknown area, type or inspector, no active version, or a
 * scope holding no site. */
int round_create(struct db *db, const struct round_new *n, int64_t *id, size_t *nsites,
                 struct err *e);

/* Closes an open round: no more inspections or questionnaire answers; its scores stay.
 * ERR_NOT_FOUND when unknown, ERR_CONFLICT when already closed. */
int round_close(struct db *db, int64_t id, struct err *e);

/* [{id, name, kind, version, starts_at, ends_at, status, sites, inspected}], newest first. */
int rounds_json(struct db *db, json_t **out, struct err *e);
/* One round with its plan, inspectors and sites ({code, name, type, district, inspections,
 * last: {at, passed, failed, na} or null}). ERR_NOT_FOUND when unknown. */
int round_json(struct db *db, int64_t id, json_t **out, struct err *e);

#endif
