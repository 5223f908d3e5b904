/* Inspections (migration 014, docs/standards.md): a site's checklist in a round (the items of
 * the round's standard version checked at the site's type, with the last result of each and
 * the case a failure opened), and a finished inspection submitted whole — idempotent by the
 * client's id — whose every failure opens a case registered and dispatched to the site's
 * 包保 unit, linked to the item. */
#ifndef WM_INSPECTIONS_H
#define WM_INSPECTIONS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct db;
struct workcal;

struct inspection_item_in {
	const char *code;   /* the standard item's code */
	const char *result; /* pass, fail, na */
	const char *note;   /* "" when none */
	const char *const *photos; /* sha256 (hex) of stored images (POST /api/v1/media) */
	size_t nphotos;
};

struct inspection_in {
	const char *client_id; /* made by the client (e.g. a UUID): 8–64 of [A-Za-z0-9_-] */
	int64_t round_id;
	const char *site_code;
	int64_t inspector_id; /* the submitting user */
	int any_inspector;    /* office/admin: need not be among the round's inspectors */
	const char *actor;    /* "user:7", for the cases' timelines */
	int64_t inspected_at; /* 0: now */
	int has_location;
	double lat, lon;
	const char *note;
	const char *const *photos; /* of the whole visit: sha256 (hex) of stored images */
	size_t nphotos;
	const struct inspection_item_in *items;
	size_t nitems;
	const char *prefix;        /* the cases' tracking code prefix */
	const struct workcal *cal; /* the cases' deadlines */
	int64_t now;
};

struct inspection_out {
	int64_t id;
	int replayed; /* the client_id was already submitted: nothing new was written */
	int passed, failed, na, cases;
};

/* Records the inspection and opens a case per failure (the item's photos become the case's
 * report photos). Call inside a write transaction. ERR_CONFLICT: the client_id was used for
 * another round, site or inspector; ERR_FORBIDDEN: not an inspector of the round;
 * ERR_UNPROCESSABLE: the round is closed, the site not in its sample, the results are not
 * exactly the site's checklist (every item once), or a photo is not a stored image. */
int inspection_submit(struct db *db, const struct inspection_in *in, struct inspection_out *out,
                      struct err *e);

/* {round, site: {...}, items: [{id, code, text, points, veto, project, content, last:
 * {inspection, result, note, at, photos: ["/media/…"], case: {code, status} | null} | null}]}:
 * the checklist of a site in a round. ERR_NOT_FOUND when the round or site is unknown or the
 * site is not in the round. */
int inspection_checklist_json(struct db *db, int64_t round_id, const char *site_code,
                              json_t **out, struct err *e);

/* One inspection with its results and the cases opened. ERR_NOT_FOUND when unknown. */
int inspection_json(struct db *db, int64_t id, json_t **out, struct err *e);

#endif
