/* Cases in the store: filing a report and reading cases back in Open311 shape. */
#ifndef WM_CASE_STORE_H
#define WM_CASE_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/media_type.h"
#include "core/tracking.h"
#include "lib/err.h"

struct db;
struct sla_clock;
struct sla_limits;
struct workcal;

struct case_attr_in {
	const char *code;
	const char *value;
};

/* A photo already stored (media_save) and the part it plays: report, before, after, handled. */
struct case_photo {
	const char *sha256;
	enum media_kind kind;
	size_t bytes;
	const char *role;
};

/* Records photos of a case's event (media rows and case_media links). */
int case_photos_add(struct db *db, int64_t case_id, int64_t event_id,
                    const struct case_photo *p, size_t n, int64_t now, struct err *e);

/* The case's photos, oldest first, as c's "photos": [{url, role, event_id}] (role report,
 * before, after, handled); only_roles (e.g. "'after', 'handled'"; NULL: all) is a fixed SQL
 * list of the program's, never input. */
int case_photos_json(struct db *db, int64_t case_id, const char *only_roles, json_t *c,
                     struct err *e);

/* A validated report, ready to file. Strings are never NULL ("" when absent). */
struct case_report {
	const char *prefix; /* tracking code prefix, e.g. "DL" */
	int64_t now;
	const char *source; /* open311, portal, inspector … */
	const char *actor;  /* for the timeline: "apikey:3", "citizen", "user:7" */
	unsigned roles;     /* the reporter's roles (ROLE_PUBLIC for citizens and apps) */
	int64_t category_id;
	const char *description, *address, *address_id, *zipcode;
	int has_location;
	double lat, lon;
	int64_t area_id;          /* 0: outside every known area */
	const char *media_sha256; /* NULL: no uploaded photo (the file is already on disk) */
	enum media_kind media_kind;
	size_t media_bytes;
	const char *media_url; /* external photo URL from the client */
	const char *email, *phone, *first_name, *last_name, *device_id, *account_id;
	int64_t apikey_id; /* 0: none */
	const struct case_attr_in *attrs;
	size_t nattrs;
	const char *status_notes; /* public note of the report event */
	const char *service_notice;
	const struct sla_clock *clock; /* the first stage's clock (core/sla.h); NULL: none */
	/* "report" (NULL too), or "onsite" (现场解决: filed already handled by an inspector, with
	 * onsite_note saying what was done; it goes straight to verification). */
	const char *first_action;
	const char *onsite_note;
	const struct case_photo *photos; /* more photos (before/after) with their roles */
	size_t nphotos;
	/* Found before filing (store/recurrence.h); 0: none. Flags for the dispatcher only. */
	int64_t likely_duplicate_of, recurrence_of;
};

enum { CASE_TOKEN_LEN = 24 };

struct case_ref {
	int64_t id;
	char code[TRACKING_MAX];
	char token[CASE_TOKEN_LEN];
};

/* Files a report: the case, its attributes, photo and first timeline event. Call inside a
 * transaction (the writer's): on error the caller rolls back. */
int case_report_file(struct db *db, const struct case_report *r, struct case_ref *out,
                     struct err *e);

/* A move of the state machine (core/case_fsm.c) on an existing case. */
struct case_step {
	int64_t case_id;
	const char *action;     /* case_fsm action name */
	unsigned roles;         /* the actor's roles */
	const char *actor;      /* "user:7", "system" … */
	const char *note;       /* reason or what was done; "" when none */
	int64_t unit_id;        /* dispatch/redispatch: the unit now responsible; else 0 */
	int64_t expect_version; /* 0: any; else ERR_CONFLICT when the case moved meanwhile */
	int64_t now;
	/* Deadlines: with a calendar and the category's limits the move also moves the case's
	 * clock (core/sla.h); NULL cal leaves the clock alone. */
	const struct workcal *cal;
	const struct sla_limits *limits;
	int64_t extension_minutes; /* extend_request: how much more time is asked for */
	int supervise_level;       /* supervise: the level asked for (0: one above the current) */
	int public_note;           /* comment: shown to citizens too */
};

/* What a move did, for the caller's answer and audit record. */
struct case_step_result {
	int64_t version; /* after the move */
	char from[16];   /* status names */
	char to[16];
	int64_t event_id; /* the timeline event recorded */
};

/* Checks the move against the transition table and records it: status, version, timeline
 * event (public when the table says so, which also updates status_notes). Call inside a
 * transaction. out (may be NULL) says what happened. */
int case_step_apply(struct db *db, const struct case_step *s, struct case_step_result *out,
                    struct err *e);

/* Open311 GET requests. Unset fields: NULL lists, 0 counts. */
struct case_query {
	const char *const
	    *codes; /* service_request_id list: when set, every other filter is ignored */
	size_t ncodes;
	const char *const *services; /* service_code list */
	size_t nservices;
	int64_t start, end; /* requested_at range, inclusive */
	int open, closed;   /* which Open311 statuses to include (both 0 = both) */
	int has_geo;
	double lat, lon, radius_m;
	int64_t limit, offset;
	/* The public's view (docs/portal.md, "Maps and masking"): description and status notes
	 * through mask_text, address through mask_address, the point through mask_point and
	 * address_id and the report's own stored photo left out. A radius then selects by the
	 * masked point, so no one can find the true one by narrowing circles. */
	int masked;
};

/* Appends matching requests (newest first) to out as Open311 objects. media_base is the
 * absolute URL prefix for stored photos, e.g. "http://host/media/". */
int case_query_json(struct db *db, const struct case_query *q, const char *media_base, json_t *out,
                    struct err *e);
/* The tracking code for an Open311 token; ERR_NOT_FOUND if none. */
int case_code_by_token(struct db *db, const char *token, char code[TRACKING_MAX], struct err *e);
/* Number of cases (for checks and figures). */
int case_count(struct db *db, int64_t *n, struct err *e);

#endif
