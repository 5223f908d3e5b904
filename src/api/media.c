/* GET /media/{sha256}.{ext}: stored photos and documents, immutable by construction; and
 * POST /api/v1/media, where staff store a photo or document before the inspection or progress
 * report that names it (an offline phone sends each file once, the submission stays small). */
#include <string.h>
#include <unistd.h>

#include "api/api_common.h"
#include "api/routes.h"
#include "app.h"
#include "store/db.h"
#include "store/media_store.h"

int media_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	int fd;
	size_t size;
	enum media_kind k;
	int rc = media_open(r->app->media_dir, r->path_args[0], &fd, &size, &k, e);
	if (rc < 0)
		return rc;
	const char *etag = arena_printf(r->arena, "\"%.64s\"", r->path_args[0]);
	resp_header(w, "ETag", etag);
	resp_header(w, "Cache-Control", "public, max-age=31536000, immutable");
	const char *inm = req_header(r, "If-None-Match");
	if (inm && strstr(inm, etag)) {
		close(fd);
		w->status = 304;
		w->content_type = media_mime(k);
		w->body = "";
		w->body_len = 0;
		return 0;
	}
	w->content_type = media_mime(k);
	w->fd = fd;
	w->body_len = size;
	if (!media_is_image(k)) {
		/* a document is downloaded, and whatever script it holds runs nowhere of ours */
		resp_header(
		    w, "Content-Disposition",
		    arena_printf(r->arena, "attachment; filename=\"%.80s\"", r->path_args[0]));
		resp_header(w, "Content-Security-Policy", "sandbox");
	}
	return 0;
}

const struct param_spec media_upload_params[] = {
    {.name = "file",
     .type = PT_FILE,
     .flags = PF_REQUIRED,
     .max_len = 8 << 20,
     .description = "a JPEG, PNG or WebP photo or a PDF document, at most 8 MiB"},
    {.name = NULL},
};

struct upload_job {
	struct api_photo f;
	int64_t now;
};

static int upload_write(struct db *db, void *arg, struct err *e)
{
	struct upload_job *j = arg;
	return media_record(db, j->f.sha256, (enum media_kind)j->f.kind, j->f.bytes, j->now, e);
}

int media_upload(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct upload_job j = {.now = r->now};
	int rc = api_take_file(r, "file", 1, &j.f, e);
	if (rc < 0)
		return rc;
	if (!j.f.sha256)
		return err_set(e, ERR_BAD_REQUEST, "`file` is empty");
	if ((rc = api_write(r, upload_write, &j, e)) < 0)
		return rc;
	const char *name =
	    arena_printf(r->arena, "%s.%s", j.f.sha256, media_ext((enum media_kind)j.f.kind));
	w->status = 201;
	w->json = json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", name, "url",
	                    arena_printf(r->arena, "/media/%s", name), "sha256", j.f.sha256, "mime",
	                    media_mime((enum media_kind)j.f.kind), "bytes", (json_int_t)j.f.bytes);
	return 0;
}

int health_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	struct db *db;
	int64_t one = 0;
	int rc = app_db(r->app, &db, e);
	if (rc == 0)
		rc = db_get_int(db, "SELECT 1", NULL, 0, &one, e);
	if (rc < 0)
		return err_set(e, ERR_UNAVAILABLE, "database unavailable: %s", e->msg);
	w->json = json_pack("{s:s, s:s}", "status", "ok", "db", "ok");
	w->xml_root = "health";
	return 0;
}
