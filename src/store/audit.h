/* The audit trail: an append-only, hash-chained log of who changed what (schema
 * 005_audit.sql). Records are appended inside the transaction of the change they describe,
 * so both commit or neither does; audit_verify proves no record was changed, removed or
 * added outside audit_append since. */
#ifndef WM_AUDIT_H
#define WM_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "lib/err.h"

struct db;

enum { AUDIT_HASH_HEX = 65 }; /* 64 hex digits and a NUL */

/* NULL strings are stored as "". summary is JSON text (before/after of what changed); it is
 * stored as given, so never put secrets in it. */
struct audit_entry {
	int64_t at;          /* unix seconds */
	const char *actor;   /* "user:7", "apikey:3", "system", "cli" */
	const char *ip;      /* the client's address, "" when none */
	const char *action;  /* "case.report", "user.create", "login.ok", "export", … */
	const char *object;  /* "case:DL…", "user:7", "" */
	const char *summary; /* JSON */
};

/* Appends a to the chain. Must run inside the caller's write transaction (ERR_INTERNAL
 * otherwise): the record commits or rolls back with the change, and concurrent appenders
 * wait for it on audit_head. *id (when non-NULL) receives the record's id. */
int audit_append(struct db *db, const struct audit_entry *a, struct err *e);
int audit_append_id(struct db *db, const struct audit_entry *a, int64_t *id, struct err *e);
/* Appends n records in order with a few statements (the group-commit writer appends a whole
 * batch's records at once); *first_id (when non-NULL) receives the first record's id. */
int audit_append_many(struct db *db, const struct audit_entry *const *a, size_t n,
                      int64_t *first_id, struct err *e);

/* The record's hash: hex SHA-256 of a domain tag and the length-prefixed fields id, at,
 * actor, ip, action, object, summary, prev_hash. Exposed for tests and outside checkers. */
void audit_hash(int64_t id, const struct audit_entry *a, const char *prev_hash,
                char out[AUDIT_HASH_HEX]);

/* Points audit_head at the log's last record (or back at the empty chain). Only for import,
 * which copies audit_log rows as they were exported; run it in the import's transaction. */
int audit_head_sync(struct db *db, struct err *e);

struct audit_report {
	int64_t count;     /* records intact: all, or those before broken_id */
	int64_t broken_id; /* 0 when the chain is intact, else the first broken record's id */
	char reason[256];  /* why it is broken, for people */
};

/* Reads the whole log in id order in one snapshot and checks that ids run 1, 2, 3, … , that
 * each prev_hash is the previous record's hash, that each hash matches the record, and that
 * audit_head names the last record. 0 with out filled (intact or broken); < 0 only when the
 * database could not be read. */
int audit_verify(struct db *db, struct audit_report *out, struct err *e);

/* Filters for audit_list_json; zero/NULL fields do not filter. */
struct audit_filter {
	const char *actor;         /* exactly */
	const char *action_prefix; /* "case." matches every case action */
	const char *object;        /* exactly */
	int64_t since, until;      /* at >= since, at < until (unix seconds) */
	int64_t before_id;         /* paging: records with id < before_id */
	int limit;                 /* default 50, at most 1000 */
};

/* Newest first: a new JSON array (caller json_decref's) of {id, at, actor, ip, action,
 * object, summary, prev_hash, hash}; summary is the parsed JSON (or the text when it is not
 * JSON). For the next page pass the last id as before_id. */
int audit_list_json(struct db *db, const struct audit_filter *f, json_t **out, struct err *e);

#endif
