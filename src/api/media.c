/* GET /media/{sha256}.{ext}: stored photos, immutable by construction. */
#include <string.h>
#include <unistd.h>

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
