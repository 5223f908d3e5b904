/* A citizen's report from the request's parameters to a durable case, shared by Open311
 * (POST /open311/v2/requests) and the portal's form (POST /report): the same checks of the
 * location, contact, description, attributes and photo, the first stage's clock, the
 * duplicate and recurrence flags, and the filing on the group-commit writer with its audit
 * record. */
#ifndef WM_API_CITIZEN_REPORT_H
#define WM_API_CITIZEN_REPORT_H

#include "http/http.h"
#include "store/audit.h"
#include "store/case_store.h"

enum {
	DESCRIPTION_MAX_CHARS = 4000,
	PHOTO_MAX_BYTES = 8 * 1024 * 1024,
	ATTRIBUTES_MAX = 50,
};

/* The category's own questions, as every citizen's report takes them. */
#define CITIZEN_REPORT_ATTRIBUTES                                                                  \
	{                                                                                          \
		.name = "attribute[", .type = PT_TEXT, .flags = PF_PREFIX | PF_MULTI,              \
		.max_len = 4000,                                                                   \
		.description = "attribute[CODE]=value; attribute[CODE][]=key for multivaluelist"   \
	}
/* The photo (Open311 takes one; the portal's form up to PORTAL_PHOTOS_MAX with PF_MULTI). */
#define CITIZEN_REPORT_PHOTO(pflags)                                                               \
	{                                                                                          \
		.name = "media", .type = PT_FILE, .flags = (pflags), .max_len = PHOTO_MAX_BYTES,   \
		.description = "A photo: JPEG, PNG or WebP"                                        \
	}
#define CITIZEN_REPORT_PHOTO_AND_ATTRIBUTES CITIZEN_REPORT_PHOTO(0), CITIZEN_REPORT_ATTRIBUTES

struct db;
struct refdata;
struct category;

/* Lives in the request's arena: the writer fills ref/rc/err, then resumes the request. */
struct citizen_report {
	struct case_report
	    report;          /* the caller sets prefix, now, source, actor, roles, apikey_id */
	struct case_ref ref; /* the case, once filed */
	int rc;
	struct err err;
	struct http_req *req;
	struct audit_entry audit; /* filled by the writer's job, appended with the batch */
	char object[64], summary[96];
};

/* Fills job->report from r's parameters for category cat (ref: the request's reference
 * snapshot): lat/long or address_string/address_id, email and phone, the description,
 * attribute[CODE] values, the photo `media` (stored now, by content). ERR_BAD_REQUEST or
 * ERR_UNSUPPORTED (the photo) name what is wrong. */
int citizen_report_prepare(struct http_req *r, struct db *db, struct refdata *ref,
                           const struct category *cat, struct citizen_report *job, struct err *e);
/* Parks r and files the report on the writer; complete runs once it is durable (or failed:
 * job->rc, job->err). Returns HTTP_SUSPENDED, which the handler returns. */
int citizen_report_file(struct http_req *r, struct citizen_report *job, http_complete complete,
                        struct err *e);

#endif
