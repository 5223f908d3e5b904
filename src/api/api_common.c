#include "api/api_common.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "lib/arena.h"
#include "core/media_type.h"
#include "http/ratelimit.h"
#include "lib/buf.h"
#include "lib/jsonw.h"
#include "store/audit.h"
#include "store/media_store.h"
#include "store/db.h"
#include "store/org_io.h"
#include "store/refcache.h"

int api_db(struct http_req *r, struct db **db, struct err *e)
{
	return app_db(r->app, db, e);
}

static void release_refdata(void *d)
{
	refdata_release(d);
}

int api_refdata(struct http_req *r, struct db *db, struct refdata **d, struct err *e)
{
	int rc = refcache_get(r->app->refcache, db, d, e);
	if (rc == 0)
		arena_defer(r->arena, release_refdata, *d);
	return rc;
}

int api_write(struct http_req *r, write_fn fn, void *arg, struct err *e)
{
	return writer_submit(r->app->writer, fn, arg, e);
}

int api_path_id(const struct http_req *r, int i, int64_t *id, struct err *e)
{
	const char *s = i < r->npath_args ? r->path_args[i] : NULL;
	char *end;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (!s || !*s || *end || v <= 0 || strspn(s, "0123456789") != strlen(s))
		return err_set(e, ERR_NOT_FOUND, "not found");
	*id = v;
	return 0;
}

const char *api_actor(const struct http_req *r)
{
	if (r->who.user_id)
		return arena_printf(r->arena, "user:%lld", (long long)r->who.user_id);
	return "anon";
}

int api_audit(struct db *db, const struct http_req *r, const char *action, const char *object,
              const char *summary, struct err *e)
{
	return api_audit_as(db, r, api_actor(r), action, object, summary, e);
}

int api_audit_as(struct db *db, const struct http_req *r, const char *actor, const char *action,
                 const char *object, const char *summary, struct err *e)
{
	struct audit_entry a = {.at = r->now,
	                        .actor = actor,
	                        .ip = r->remote_ip ? r->remote_ip : "",
	                        .action = action,
	                        .object = object ? object : "",
	                        .summary = summary ? summary : ""};
	return audit_append(db, &a, e);
}

const char *api_json_text(struct http_req *r, json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	const char *out = arena_strdup(r->arena, s ? s : "{}");
	free(s);
	return out;
}

const char *api_sent_summary(struct http_req *r, const struct param_spec *specs)
{
	json_t *o = json_object();
	for (const struct param_spec *s = specs; s->name; s++) {
		const char *v = req_str(r, s->name);
		if (v)
			json_object_set_new(o, s->name, json_string(v));
	}
	return api_json_text(r, o);
}

int api_query_one(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
                  json_t *(*row)(struct db_stmt *st), json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, sql, args, nargs, &st, e);
	if (rc < 0)
		return rc;
	rc = db_step(st, e);
	if (rc == DB_ROW) {
		*out = row(st);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = err_set(e, ERR_NOT_FOUND, "not found");
	}
	db_done(st);
	return rc;
}

int api_query_array(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
                    json_t *(*row)(struct db_stmt *st), json_t **out, struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, sql, args, nargs, &st, e);
	if (rc < 0)
		return rc;
	json_t *arr = json_array();
	while ((rc = db_step(st, e)) == DB_ROW)
		json_array_append_new(arr, row(st));
	db_done(st);
	if (rc < 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int api_query_text(struct http_req *r, struct http_resp *w, struct db *db, const char *sql,
                   const struct db_val *args, size_t nargs,
                   void (*row)(struct jsonw *jw, struct db_stmt *st), struct err *e)
{
	struct db_stmt *st;
	int rc = db_query(db, sql, args, nargs, &st, e);
	if (rc < 0)
		return rc;
	struct buf b = BUF_INIT;
	struct jsonw jw;
	jw_init(&jw, &b);
	jw_array(&jw);
	while ((rc = db_step(st, e)) == DB_ROW)
		row(&jw, st);
	db_done(st);
	if (rc < 0) {
		buf_free(&b);
		return rc;
	}
	jw_end(&jw);
	api_body(r, w, &b, "application/json; charset=utf-8");
	buf_free(&b);
	return 0;
}

/* The shortest %g text that reads back as the same double (0.2, not 0.20000000000000001). */
static void csv_real(struct buf *b, double d)
{
	char s[40];
	for (int p = 15; p <= 17; p++) {
		snprintf(s, sizeof s, "%.*g", p, d);
		if (strtod(s, NULL) == d)
			break;
	}
	buf_adds(b, s);
}

void api_csv_rows(struct http_req *r, struct http_resp *w, json_t *rows, const char *const *cols,
                  size_t ncols, const char *filename)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < ncols; i++) {
		if (i)
			buf_addc(&b, ',');
		org_csv_cell(&b, cols[i]);
	}
	buf_adds(&b, "\r\n");
	size_t k;
	json_t *row;
	json_array_foreach(rows, k, row)
	{
		for (size_t i = 0; i < ncols; i++) {
			if (i)
				buf_addc(&b, ',');
			json_t *v = json_object_get(row, cols[i]);
			if (json_is_string(v))
				org_csv_cell(&b, json_string_value(v));
			else if (json_is_integer(v))
				buf_printf(&b, "%lld", (long long)json_integer_value(v));
			else if (json_is_real(v))
				csv_real(&b, json_real_value(v));
		}
		buf_adds(&b, "\r\n");
	}
	json_decref(rows);
	api_body(r, w, &b, "text/csv; charset=utf-8");
	resp_header(w, "Content-Disposition",
	            arena_printf(r->arena, "attachment; filename=\"%s\"", filename));
	buf_free(&b);
}

void api_body(struct http_req *r, struct http_resp *w, const struct buf *b,
              const char *content_type)
{
	char *body = arena_alloc(r->arena, b->len + 1);
	memcpy(body, b->data ? b->data : "", b->len);
	body[b->len] = 0;
	w->body = body;
	w->body_len = b->len;
	w->content_type = content_type;
}

int api_take_photo(struct http_req *r, const char *name, struct api_photo *out, struct err *e)
{
	return api_take_file(r, name, 0, out, e);
}

int api_take_file(struct http_req *r, const char *name, int documents, struct api_photo *out,
                  struct err *e)
{
	return api_take_upload(r, req_param(r, name), documents, out, e);
}

int api_take_upload(struct http_req *r, const struct param *p, int documents,
                    struct api_photo *out, struct err *e)
{
	*out = (struct api_photo){0};
	if (!p || (!p->filename && p->len == 0))
		return 0;
	const char *name = p->name;
	enum media_kind k = media_sniff((const unsigned char *)p->value, p->len);
	if (k == MEDIA_UNKNOWN || (!documents && !media_is_image(k)))
		return err_set(e, ERR_UNSUPPORTED, "%s must be a JPEG, PNG or WebP image%s", name,
		               documents ? " or a PDF document" : "");
	unsigned char *copy = arena_alloc(r->arena, p->len);
	memcpy(copy, p->value, p->len);
	size_t n = media_strip(k, copy, p->len);
	if (n == 0)
		return err_set(e, ERR_UNSUPPORTED, "%s is not a well-formed %s image", name,
		               media_ext(k));
	char *sha = arena_alloc(r->arena, 65);
	int rc = media_save(r->app->media_dir, k, copy, n, sha, e);
	if (rc < 0)
		return rc;
	*out = (struct api_photo){.sha256 = sha, .kind = (int)k, .bytes = n};
	return 0;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int api_rate_take(struct http_req *r, struct http_resp *w, const char *key, double rate,
                  double burst, const char *who, struct err *e)
{
	int retry = 0;
	if (rate <= 0 || !r->app->limits ||
	    ratelimit_take(r->app->limits, key, rate, burst < 1 ? 1 : burst, mono_ms(), &retry) ==
	        1)
		return 0;
	if (retry < 1)
		retry = 1;
	resp_header(w, "Retry-After", arena_printf(r->arena, "%d", retry));
	return err_set(e, ERR_TOO_MANY, "too many requests from this %s; retry in %d s", who,
	               retry);
}

int api_public_limit(struct http_req *r, struct http_resp *w, struct err *e)
{
	char key[96];
	snprintf(key, sizeof key, "post-ip:%s", r->remote_ip ? r->remote_ip : "");
	return api_rate_take(r, w, key, r->app->post_rate_ip, r->app->post_rate_ip * 10, "address",
	                     e);
}

static int media_sha(const char *name, const char *param, char *out, struct err *e)
{
	if (strncmp(name, "/media/", 7) == 0)
		name += 7;
	size_t n = strspn(name, "0123456789abcdef");
	if (n != 64 || (name[n] && (name[n] != '.' || !media_from_ext(name + n + 1))))
		return err_set(e, ERR_BAD_REQUEST,
		               "%s: '%.80s' is not a stored file's name (<sha256>.<ext>)", param,
		               name);
	memcpy(out, name, 64);
	out[64] = 0;
	return 0;
}

int api_media_list(struct http_req *r, const char *param, const char *const **out, size_t *n,
                   struct err *e)
{
	const char **v = arena_split(r->arena, req_str(r, param), ',', n);
	for (size_t i = 0; i < *n; i++) {
		char *sha = arena_alloc(r->arena, 65);
		int rc = media_sha(v[i], param, sha, e);
		if (rc < 0)
			return rc;
		v[i] = sha;
	}
	*out = v;
	return 0;
}

const char *api_like_anywhere(struct http_req *r, const char *q)
{
	size_t n = strlen(q);
	char *p = arena_alloc(r->arena, 2 * n + 3), *o = p;
	*o++ = '%';
	for (const char *s = q; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	*o++ = '%';
	*o = 0;
	return p;
}
