/* Categories as the Open311 catalogue: services, their attributes and allowed values. */
#ifndef WM_CATALOG_H
#define WM_CATALOG_H

#include <jansson.h>
#include <stdint.h>

#include "lib/err.h"

struct db;
struct arena;

struct category {
	int64_t id;
	char service_code[16];
	char name[128];
	char group_name[64];
	char group_code[16];
	int64_t default_unit_id; /* 0 when none */
	int urgent;
	int register_minutes, handle_minutes, verify_minutes;
	int active; /* 0: switched off; its cases keep their clock, new reports are refused */
};

/* No stage limit is longer than one working year (minutes). */
enum { CATEGORY_MAX_MINUTES = 250 * 480 };
/* A category code: 大类 2 digits + 小类 2 digits. */
int catalog_code_ok(const char *code);

/* Open311 service list: a new JSON array the caller owns. */
int catalog_services_json(struct db *db, json_t **out, struct err *e);
/* Open311 service definition {service_code, attributes:[…]}; ERR_NOT_FOUND if unknown. */
int catalog_definition_json(struct db *db, const char *service_code, json_t **out, struct err *e);

/* An attribute definition, for validating what a client posts. */
struct attr_def {
	const char *code;
	const char *datatype; /* string, number, datetime, text, singlevaluelist, multivaluelist */
	int required;
	const char **keys; /* allowed keys of list types */
	size_t nkeys;
};

/* Definitions of a category's attributes, allocated from a (freed with it). */
int catalog_attributes(struct db *db, int64_t category_id, struct arena *a, struct attr_def **out,
                       size_t *n, struct err *e);

#endif
