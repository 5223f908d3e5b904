/* The staff console's files (web/static/, docs/architecture.md): GET /console is its page,
 * /static/… its modules, styles and the vendor files deps.sh copies from npm. Only names of
 * plain characters and known types are served, from the web directory alone; each answer has
 * an ETag, so a browser revalidates with a 304 instead of downloading again. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/routes.h"
#include "app.h"
#include "lib/arena.h"

enum { STATIC_MAX = 8 << 20 };

static const struct {
	const char *ext, *type;
} TYPES[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".woff2", "font/woff2"},
};

static const char *type_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof TYPES / sizeof TYPES[0]; i++)
		if (strcmp(dot, TYPES[i].ext) == 0)
			return TYPES[i].type;
	return NULL;
}

/* A path segment of letters, digits, '-', '_' and '.', not starting with '.'. */
static int segment_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");
	return n > 0 && n <= 100 && s[n] == 0 && s[0] != '.';
}

/* Sends web_dir/rel (rel of checked segments). Vendor files change only with deps.sh, the
 * console's own with a deploy: both revalidate cheaply by ETag. */
static int send_file(struct http_req *r, struct http_resp *w, const char *rel, struct err *e)
{
	const char *type = type_of(rel);
	if (!type || !r->app->web_dir)
		return err_set(e, ERR_NOT_FOUND, "no such file");
	char path[1024];
	if (snprintf(path, sizeof path, "%s/%s", r->app->web_dir, rel) >= (int)sizeof path)
		return err_set(e, ERR_NOT_FOUND, "no such file");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return err_set(e, ERR_NOT_FOUND, "no such file");
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX) {
		close(fd);
		return err_set(e, ERR_NOT_FOUND, "no such file");
	}
	const char *etag = arena_printf(r->arena, "\"%llx-%llx\"", (unsigned long long)st.st_size,
	                                (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
	                                    (unsigned long long)st.st_mtim.tv_nsec);
	resp_header(w, "ETag", etag);
	resp_header(w, "Cache-Control", "no-cache");
	/* The console's service worker lives beside its modules but serves the /console page. */
	if (strcmp(rel, "static/console/sw.js") == 0)
		resp_header(w, "Service-Worker-Allowed", "/console");
	w->content_type = type;
	const char *inm = req_header(r, "If-None-Match");
	if (inm && strstr(inm, etag)) {
		close(fd);
		w->status = 304;
		w->body = "";
		w->body_len = 0;
		return 0;
	}
	char *body = arena_alloc(r->arena, (size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, body + got, (size_t)st.st_size - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	if (got != (size_t)st.st_size)
		return err_set(e, ERR_INTERNAL, "could not read %s", rel);
	body[got] = 0;
	w->body = body; /* a body (not an fd): compressed like every text answer */
	w->body_len = got;
	return 0;
}

int console_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	return send_file(r, w, "static/console/index.html", e);
}

int static_get(struct http_req *r, struct http_resp *w, struct err *e)
{
	char rel[512] = "static";
	for (int i = 0; i < r->npath_args; i++) {
		if (!segment_ok(r->path_args[i]))
			return err_set(e, ERR_NOT_FOUND, "no such file");
		size_t n = strlen(rel);
		if (snprintf(rel + n, sizeof rel - n, "/%s", r->path_args[i]) >=
		    (int)(sizeof rel - n))
			return err_set(e, ERR_NOT_FOUND, "no such file");
	}
	return send_file(r, w, rel, e);
}
