/* Small helpers the staff handlers share. */
#ifndef WM_API_COMMON_H
#define WM_API_COMMON_H

#include "http/http.h"
#include "store/writer.h"

struct db;
struct db_val;
struct refdata;

/* This thread's connection. */
int api_db(struct http_req *r, struct db **db, struct err *e);
/* The reference-data snapshot, held until the request ends. */
int api_refdata(struct http_req *r, struct db *db, struct refdata **d, struct err *e);
/* Runs fn on the group-commit writer and waits until it is durable (staff writes are few;
 * they also must not race the writer's own transactions). */
int api_write(struct http_req *r, write_fn fn, void *arg, struct err *e);
/* The {id} path argument as a positive integer, else ERR_NOT_FOUND. */
int api_path_id(const struct http_req *r, int i, int64_t *id, struct err *e);
/* "user:7" (or "anon") for audit records, in the request's arena. */
const char *api_actor(const struct http_req *r);
/* Appends an audit record in the caller's write transaction (write_fn). */
struct audit_entry;
int api_audit(struct db *db, const struct http_req *r, const char *action, const char *object,
              const char *summary, struct err *e);
/* j as compact JSON text with sorted keys, in the request's arena; j is released. */
const char *api_json_text(struct http_req *r, json_t *j);
/* The parameters of specs the request sent, as text, for an audit summary (arena). */
const char *api_sent_summary(struct http_req *r, const struct param_spec *specs);
/* The same with another actor (a login acts for the user it is about to become). */
int api_audit_as(struct db *db, const struct http_req *r, const char *actor, const char *action,
                 const char *object, const char *summary, struct err *e);
/* Runs sql and makes a JSON array of row(st) for each row (a new array in *out). */
struct db_stmt;
int api_query_array(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
                    json_t *(*row)(struct db_stmt *st), json_t **out, struct err *e);
/* Runs sql and makes row(st) of its first row (a new value in *out); ERR_NOT_FOUND when there
 * is none (the caller words the message). */
int api_query_one(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
                  json_t *(*row)(struct db_stmt *st), json_t **out, struct err *e);
/* Answers w with a copy of b's bytes (in the request's arena) as content_type. */
struct buf;
void api_body(struct http_req *r, struct http_resp *w, const struct buf *b,
              const char *content_type);
/* Answers w with rows (a JSON array of objects; stolen) as CSV: a header of cols, one line per
 * row, null an empty cell, cells a spreadsheet would run as a formula guarded
 * (org_csv_cell); sent as an attachment named filename. */
void api_csv_rows(struct http_req *r, struct http_resp *w, json_t *rows, const char *const *cols,
                  size_t ncols, const char *filename);
/* Runs sql and answers w with a JSON array written as text, row() writing one element per
 * row (lib/jsonw.h): for long lists, where building jansson objects costs more than the query. */
struct jsonw;
int api_query_text(struct http_req *r, struct http_resp *w, struct db *db, const char *sql,
                   const struct db_val *args, size_t nargs,
                   void (*row)(struct jsonw *jw, struct db_stmt *st), struct err *e);
/* A stored photo or document: content address, type, size. */
struct api_photo {
	const char *sha256; /* NULL: no photo was sent */
	int kind;           /* enum media_kind */
	size_t bytes;
};
/* The photo in parameter name, if any: type by magic bytes (ERR_UNSUPPORTED otherwise),
 * metadata stripped, written to the media directory before its case commits. */
int api_take_photo(struct http_req *r, const char *name, struct api_photo *out, struct err *e);
/* The same for one given file part p (a parameter that may repeat). */
int api_take_upload(struct http_req *r, const struct param *p, int documents,
                    struct api_photo *out, struct err *e);
/* The same for staff attachments: documents != 0 also takes PDF documents (kept as sent). */
int api_take_file(struct http_req *r, const char *name, int documents, struct api_photo *out,
                  struct err *e);
/* The stored files named in the comma-list parameter `param`, as clients send them back
 * ("<sha256>.<ext>" from POST /api/v1/media, "/media/<sha256>.<ext>" or the bare sha256), as
 * sha256 strings in the request's arena (*n of them; none when absent). ERR_BAD_REQUEST
 * naming the parameter for any other shape. */
int api_media_list(struct http_req *r, const char *param, const char *const **out, size_t *n,
                   struct err *e);
/* One token from the rate-limit bucket `key` (rate per second, burst `burst`); rate 0 or no
 * limiter: always 0. Otherwise ERR_TOO_MANY with Retry-After set on w and a message naming
 * `who` ("address", "api key"). */
int api_rate_take(struct http_req *r, struct http_resp *w, const char *key, double rate,
                  double burst, const char *who, struct err *e);
/* The public posting allowance of the client address (Open311 reports, follow-ups, ratings
 * share it): WENMING_POST_RATE_IP a second, bursts of ten seconds' worth. */
int api_public_limit(struct http_req *r, struct http_resp *w, struct err *e);
/* q as a LIKE pattern matching it anywhere (arena): %, _ and \ taken literally; the SQL says
 * ESCAPE '\'. */
const char *api_like_anywhere(struct http_req *r, const char *q);
/* The named cookie's value (arena), or NULL. */
const char *api_cookie(const struct http_req *r, const char *name);

#endif
