/* The HTTP server on libmicrohttpd: one context per connection (reused by its keep-alive
 * requests), one arena per request, routing and limits before the body is read, parameters and
 * validation before the handler runs.
 *
 * Request lifecycle, in MHD's callbacks:
 *   on_uri        request line parsed: reset the connection's request state, start the clock
 *   on_request #1 headers in: route, authorize, check Content-Length and Content-Type
 *   on_request #n body chunks: accumulate (capped) in the arena
 *   on_request    end of body: parse and validate parameters, run the handler, queue
 *   on_completed  response sent (or client gone): log, free the arena
 *   on_connection closed: free the context (and the request, if MHD skipped on_completed) */
#include "http/http.h"

#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <microhttpd.h>

#include "app.h"
#include "http/cache.h"
#include "http/params.h"
#include "http/request.h"
#include "http/respond.h"
#include "http/router.h"

enum {
	DEFAULT_MAX_BODY = 10 << 20,
	DEFAULT_MAX_HEADER = 16 << 10,
	DEFAULT_MAX_UPLOADS = 5,
	DEFAULT_TIMEOUT_S = 30,
	DEFAULT_CACHE_BYTES = 16 << 20,
	STOP_WAIT_MS = 10000,
	CONN_LIMIT_MAX = 10000,
	KEEP_BUF_MAX = 256 << 10, /* larger scratch buffers are not kept for the next request */
};

struct http_server {
	struct MHD_Daemon *d;
	struct http_config cfg; /* defaults filled in */
	const struct route *routes;
	struct app *app;
	char fallback_base[96]; /* "http://addr:port" for requests without a usable Host */
	int port;
	atomic_int inflight;  /* requests between on_uri and on_completed */
	atomic_int stopping;  /* set by http_server_stop: requests that start now get a 503 */
	atomic_int suspended; /* parked by req_suspend, not yet resumed */
	struct http_cache *cache;
};

enum req_state {
	RS_IDLE,      /* no request on the connection */
	RS_HEADERS,   /* request line seen, headers being read */
	RS_BODY,      /* routed, reading the body */
	RS_QUEUED,    /* a response is queued */
	RS_SUSPENDED, /* the handler's work goes on elsewhere (req_suspend) until req_resume */
};

enum body_kind {
	BODY_IGNORED, /* a method without a body we read (GET, DELETE…): dropped, but counted */
	BODY_FORM,
	BODY_MULTIPART,
	BODY_JSON,
	BODY_REFUSED, /* any other content type: 415 if any byte arrives */
};

struct conn {
	struct http_server *srv;
	struct resp_bufs bufs;
	/* Per request (reset in on_uri): */
	enum req_state state;
	struct arena arena;
	struct http_req req;
	const struct route *route;
	struct timespec t0;
	char *uri; /* the raw request target, arena copy; the query is parsed in place */
	size_t path_len;
	int status; /* queued, for the log; 0 when none was */
	enum body_kind body_kind;
	const char *boundary;
	char *body;
	size_t body_len, body_cap, body_seen;
	int body_err; /* ERR_TOO_LARGE / ERR_UNSUPPORTED found while reading */
	/* The response cache slot this request may fill (key NULL: not cacheable). */
	const char *cache_key;
	size_t cache_klen;
	uint64_t cache_gen;
	http_complete complete; /* set by req_suspend */
};

static long long usec_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)(t.tv_sec - t0->tv_sec) * 1000000 + (t.tv_nsec - t0->tv_nsec) / 1000;
}

static void request_end(struct conn *c)
{
	if (c->state == RS_IDLE)
		return;
	/* Resumed, but the client had gone: libmicrohttpd completes the request without calling
	 * the handler again, so the parked count comes down here. */
	if (c->complete) {
		c->complete = NULL;
		atomic_fetch_sub(&c->srv->suspended, 1);
	}
	if (!c->srv->cfg.quiet)
		reqlog_write(c->req.method, c->uri, c->path_len, c->status, usec_since(&c->t0),
		             c->req.request_id, c->req.who.login);
	arena_free(&c->arena);
	if (c->bufs.body.cap > KEEP_BUF_MAX)
		buf_free(&c->bufs.body);
	if (c->bufs.gz.cap > KEEP_BUF_MAX)
		buf_free(&c->bufs.gz);
	c->state = RS_IDLE;
	atomic_fetch_sub(&c->srv->inflight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	(void)mc;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		struct conn *c = calloc(1, sizeof *c);
		if (c) { /* without one, on_request refuses and MHD closes the connection */
			c->srv = cls;
			buf_init(&c->bufs.body);
			buf_init(&c->bufs.gz);
			arena_init(&c->arena);
		}
		*socket_context = c;
		return;
	}
	struct conn *c = *socket_context;
	if (!c)
		return;
	request_end(c); /* a request MHD never reported complete */
	buf_free(&c->bufs.body);
	buf_free(&c->bufs.gz);
	free(c);
	*socket_context = NULL;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
	(void)cls;
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *c = ci ? ci->socket_context : NULL;
	if (!c)
		return NULL;
	request_end(c); /* cannot happen: MHD completes a request before the next */
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	c->state = RS_HEADERS;
	atomic_fetch_add(&c->srv->inflight, 1);
	memset(&c->req, 0, sizeof c->req);
	c->route = NULL;
	c->status = 0;
	c->body_kind = BODY_IGNORED;
	c->boundary = NULL;
	c->body = NULL;
	c->body_len = c->body_cap = c->body_seen = 0;
	c->body_err = 0;
	c->req.now = time(NULL);
	c->uri = arena_strdup(&c->arena, uri);
	c->path_len = strcspn(c->uri, "?");
	return c;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)mc, (void)toe;
	struct conn *c = *con_cls;
	if (c)
		request_end(c);
	*con_cls = NULL;
}

/* An error that will be a page gets the application's class for it (the 关怀版). */
static void error_page_class(struct conn *c)
{
	if (c->req.format == FMT_HTML && c->srv->cfg.page_class)
		c->req.page_class = c->srv->cfg.page_class(&c->req);
}

static enum MHD_Result fail(struct conn *c, struct MHD_Connection *mc, int code, const char *msg,
                            const char *allow)
{
	c->state = RS_QUEUED;
	error_page_class(c);
	c->status = respond_error(mc, &c->req, code, msg, allow, &c->bufs);
	return c->status < 0 ? MHD_NO : MHD_YES;
}

/* A browser asking for a page outside the API's paths (no .json/.xml suffix). */
static bool wants_page(const struct http_req *r)
{
	const char *accept = req_header(r, "Accept");
	size_t n = strlen(r->path);
	bool suffix = (n > 5 && strcmp(r->path + n - 5, ".json") == 0) ||
	              (n > 4 && strcmp(r->path + n - 4, ".xml") == 0);
	return !suffix && accept && strstr(accept, "text/html") &&
	       strncmp(r->path, "/api/", 5) != 0 && strncmp(r->path, "/open311/", 9) != 0;
}

static bool body_method(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0;
}

/* Decides, from the headers alone, what happens to the body: 413/415/400 before reading. */
static int body_begin(struct conn *c, struct MHD_Connection *mc, struct err *e)
{
	size_t max = c->srv->cfg.max_body;
	const char *cl =
	    MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long clen = 0;
	if (cl) { /* MHD has rejected malformed values already; parse defensively anyway */
		for (const char *p = cl; *p; p++) {
			if (*p < '0' || *p > '9' || clen > (unsigned long long)max)
				break;
			clen = clen * 10 + (unsigned long long)(*p - '0');
		}
		if (clen > max)
			return err_set(e, ERR_TOO_LARGE,
			               "request body too large (at most %zu bytes)", max);
	}
	if (!body_method(c->req.method))
		return 0;
	const char *ct = c->req.content_type;
	if (strcmp(ct, "application/x-www-form-urlencoded") == 0) {
		c->body_kind = BODY_FORM;
	} else if (strcmp(ct, "application/json") == 0 && c->route->formats == 0) {
		/* The JSON API (routes without a .json/.xml suffix); Open311 takes forms only. */
		c->body_kind = BODY_JSON;
	} else if (strcmp(ct, "multipart/form-data") == 0) {
		c->body_kind = BODY_MULTIPART;
		c->boundary = params_boundary(
		    &c->arena,
		    MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE));
		if (!c->boundary)
			return err_set(e, ERR_BAD_REQUEST,
			               "multipart/form-data without a valid boundary");
	} else {
		c->body_kind = BODY_REFUSED;
		if (clen > 0)
			return err_set(e, ERR_UNSUPPORTED,
			               "unsupported content type `%.60s`: send "
			               "application/x-www-form-urlencoded, multipart/form-data or"
			               " application/json",
			               ct[0] ? ct : "(none)");
		return 0;
	}
	if (clen > 0) { /* the common case: one exact allocation */
		c->body = arena_alloc(&c->arena, (size_t)clen + 1);
		c->body_cap = (size_t)clen;
	}
	return 0;
}

/* Takes one chunk of body. false: drop the connection (a client streaming far past the limit
 * is not worth reading to the end for the sake of a polite 413). */
static bool body_take(struct conn *c, const char *data, size_t n)
{
	size_t max = c->srv->cfg.max_body;
	c->body_seen += n;
	if (c->body_seen > max && !c->body_err)
		c->body_err = ERR_TOO_LARGE;
	if (c->body_err)
		return c->body_seen <= 2 * max + (1 << 20);
	if (c->body_kind == BODY_REFUSED) {
		c->body_err = ERR_UNSUPPORTED;
		return true;
	}
	if (c->body_kind == BODY_IGNORED)
		return true;
	if (c->body_len + n > c->body_cap) { /* chunked, or more than Content-Length said */
		size_t cap = c->body_cap ? c->body_cap * 2 : 4096;
		if (cap < c->body_len + n)
			cap = c->body_len + n;
		if (cap > max)
			cap = max;
		char *nb = arena_alloc(&c->arena, cap + 1);
		if (c->body_len)
			memcpy(nb, c->body, c->body_len);
		c->body = nb;
		c->body_cap = cap;
	}
	memcpy(c->body + c->body_len, data, n);
	c->body_len += n;
	return true;
}

/* Headers are in: fill the request, route, authorize, vet the body's headers. */
static enum MHD_Result begin(struct conn *c, struct MHD_Connection *mc, const char *method)
{
	struct http_server *s = c->srv;
	struct http_req *r = &c->req;
	r->arena = &c->arena;
	r->app = s->app;
	r->method = method;
	r->conn = mc;
	r->content_type = request_media_type(
	    &c->arena,
	    MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE));
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	r->remote_ip =
	    request_client_ip(&c->arena, request_remote_ip(&c->arena, ci ? ci->client_addr : NULL),
	                      MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Forwarded-For"));
	r->base_url =
	    request_base_url(&c->arena, s->app ? s->app->public_url : NULL,
	                     MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
	                     s->fallback_base);

	r->request_id = request_id_of(
	    &c->arena, MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Request-Id"));
	/* Like X-Forwarded-For, the scheme is our proxy's word only (request_client_ip). */
	const char *peer = request_remote_ip(&c->arena, ci ? ci->client_addr : NULL);
	r->secure = request_is_secure(
	    s->app ? s->app->public_url : NULL,
	    request_peer_is_proxy(peer)
	        ? MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Forwarded-Proto")
	        : NULL);
	r->who = (struct principal){.roles = ROLE_PUBLIC, .login = ""};

	struct err e = {0};
	char allow[ROUTER_ALLOW_MAX];
	/* inflight was raised in on_uri before this load; http_server_stop sets stopping before
	 * it reads inflight: so either it waits for this request or this request sees stopping,
	 * and nothing can park a connection after the daemon is gone. */
	if (atomic_load(&s->stopping))
		return fail(c, mc, ERR_UNAVAILABLE, "the server is shutting down; please retry",
		            NULL);
	int rc = router_match(s->routes, r, c->uri, c->path_len, &c->route, allow, &e);
	if (rc == ERR_NOT_FOUND && wants_page(r))
		r->format = FMT_HTML; /* a mistyped or stale link followed in a browser */
	if (rc == 0 && s->cfg.authenticate)
		rc = s->cfg.authenticate(r, &e);
	if (rc == 0)
		rc = router_authorize(c->route, r, &e);
	if (rc == 0)
		rc = body_begin(c, mc, &e);
	if (rc)
		return fail(c, mc, rc, e.msg, rc == ERR_METHOD ? allow : NULL);
	c->state = RS_BODY;
	return MHD_YES;
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The cache key: format, whether gzip is accepted, the application's variant (cache_variant),
 * the base URL (bodies hold absolute links) and the request target as sent. */
static const char *cache_key(struct conn *c, struct MHD_Connection *mc, size_t *klen)
{
	const char *ae =
	    MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	char v = c->srv->cfg.cache_variant ? c->srv->cfg.cache_variant(&c->req) : '-';
	char *k = arena_printf(&c->arena, "%c%c%c%s %s", c->req.format == FMT_XML ? 'x' : 'j',
	                       accepts_gzip(ae) ? 'z' : '-', v, c->req.base_url, c->uri);
	*klen = strlen(k);
	return k;
}

static uint64_t generation(const struct http_server *s)
{
	return s->cfg.generation ? s->cfg.generation(s->cfg.generation_ctx) : 0;
}

/* Queues what a handler (or its completion) produced: the response, or the error in the
 * Open311 shape; fills the response cache when the route allows it. */
static enum MHD_Result deliver(struct conn *c, struct MHD_Connection *mc, int rc,
                               struct http_resp *w, struct err *e)
{
	struct http_req *r = &c->req;
	if (rc < 0 || rc == HTTP_SUSPENDED) {
		json_decref(w->json);
		if (w->fd > 0)
			close(w->fd);
		if (rc == HTTP_SUSPENDED) /* suspended without req_suspend: a handler bug */
			rc = err_set(e, ERR_INTERNAL, "handler suspended without req_suspend");
		const char *msg = e->msg[0] ? e->msg : "error";
		if (err_http_status(rc) == 500) { /* details are for the log, not the client */
			fprintf(stderr, "http: %s %s: %s\n", r->method, r->path, msg);
			msg = "internal server error";
		}
		c->state = RS_QUEUED;
		error_page_class(c);
		c->status = respond_error_with(mc, r, rc, msg, NULL, w, &c->bufs);
		return c->status < 0 ? MHD_NO : MHD_YES;
	}
	c->state = RS_QUEUED;
	struct resp_sent sent;
	c->status = respond_queue(mc, r, w, &c->bufs, &sent);
	if (c->cache_key && (c->status == 200 || (c->status == 304 && sent.etag)) && sent.cacheable) {
		struct cache_meta meta = {sent.content_type, sent.gzip, sent.vary, sent.etag};
		cache_put(c->srv->cache, c->cache_key, c->cache_klen, c->cache_gen,
		          now_ms() + c->route->cache_ms, sent.body, sent.len, &meta);
	}
	return c->status < 0 ? MHD_NO : MHD_YES;
}

/* The whole request is in: parameters, validation, the handler, the response. */
static enum MHD_Result finish(struct conn *c, struct MHD_Connection *mc)
{
	struct http_req *r = &c->req;
	struct err e = {0};
	c->cache_key = NULL;
	/* The generation is read before the handler runs: a write committed meanwhile makes
	 * the entry stale rather than hiding it. */
	if (c->route->cache_ms && c->srv->cache && strcmp(r->method, "GET") == 0) {
		r->revalidate = 1;
		c->cache_key = cache_key(c, mc, &c->cache_klen);
		c->cache_gen = generation(c->srv);
		struct cache_meta meta;
		buf_reset(&c->bufs.body);
		if (cache_get(c->srv->cache, c->cache_key, c->cache_klen, c->cache_gen, now_ms(),
		              &c->bufs.body, &meta)) {
			c->state = RS_QUEUED;
			if (c->srv->cfg.cache_hit)
				c->srv->cfg.cache_hit(r, c->route->handler);
			c->status = respond_queue_cached(mc, r, &c->bufs, meta.content_type,
			                                 meta.gzip, meta.vary, meta.etag);
			return c->status < 0 ? MHD_NO : MHD_YES;
		}
	}
	if (c->body_err == ERR_TOO_LARGE)
		return fail(c, mc, ERR_TOO_LARGE, "request body too large", NULL);
	if (c->body_err)
		return fail(c, mc, c->body_err,
		            "unsupported content type: send application/x-www-form-urlencoded, "
		            "multipart/form-data or application/json",
		            NULL);
	struct param_list pl;
	params_init(&pl);
	int rc = 0;
	char *query = c->uri + c->path_len;
	if (*query == '?')
		rc = params_parse_urlencoded(&c->arena, query + 1, strlen(query + 1), &pl, &e);
	if (rc == 0 && c->body_kind == BODY_FORM && c->body_len)
		rc = params_parse_urlencoded(&c->arena, c->body, c->body_len, &pl, &e);
	if (rc == 0 && c->body_kind == BODY_JSON && c->body_len)
		rc = params_parse_json(&c->arena, c->body, c->body_len, &pl, &e);
	if (rc == 0 && c->body_kind == BODY_MULTIPART) {
		if (!c->body)
			c->body = arena_alloc(&c->arena, 1);
		rc = params_parse_multipart(&c->arena, c->body, c->body_len, c->boundary,
		                            c->srv->cfg.max_uploads, &pl, &e);
	}
	r->params = pl.head;
	if (rc == 0)
		rc = params_validate(c->route->params, pl.head, &e);
	if (rc)
		return fail(c, mc, rc, e.msg, NULL);

	if ((rc = request_check_csrf(r, &e)) < 0)
		return fail(c, mc, rc, e.msg, NULL);

	struct http_resp w = {0};
	c->complete = NULL;
	rc = c->route->handler(r, &w, &e);
	if (rc == HTTP_SUSPENDED && c->complete) {
		c->state = RS_SUSPENDED; /* req_suspend parked the connection already */
		return MHD_YES;
	}
	return deliver(c, mc, rc, &w, &e);
}

/* Resumed after req_resume: the handler's completion fills the response. */
static enum MHD_Result resumed(struct conn *c, struct MHD_Connection *mc)
{
	struct err e = {0};
	struct http_resp w = {0};
	http_complete complete = c->complete;
	c->complete = NULL;
	atomic_fetch_sub(&c->srv->suspended, 1);
	int rc = complete(&c->req, &w, &e);
	return deliver(c, mc, rc, &w, &e);
}

void req_suspend(struct http_req *r, http_complete complete)
{
	struct conn *c = (struct conn *)((char *)r - offsetof(struct conn, req));
	c->complete = complete;
	atomic_fetch_add(&c->srv->suspended, 1);
	MHD_suspend_connection(r->conn);
}

void req_resume(struct http_req *r)
{
	MHD_resume_connection(r->conn);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	(void)cls, (void)url, (void)version;
	struct conn *c = *con_cls;
	if (!c)
		return MHD_NO; /* out of memory at connection start */
	switch (c->state) {
	case RS_HEADERS:
		return begin(c, mc, method);
	case RS_BODY:
		if (*upload_size) {
			bool keep = body_take(c, upload, *upload_size);
			*upload_size = 0;
			return keep ? MHD_YES : MHD_NO;
		}
		return finish(c, mc);
	case RS_QUEUED: /* answered early; whatever body still comes is dropped */
		*upload_size = 0;
		return MHD_YES;
	case RS_SUSPENDED:
		return resumed(c, mc);
	case RS_IDLE:
		break;
	}
	return MHD_NO;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void)
{
	xmlInitParser();
}

static unsigned conn_limit(void)
{
	struct rlimit rl;
	rlim_t n = CONN_LIMIT_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		n = rl.rlim_cur > 128 ? rl.rlim_cur - 64 : 64; /* leave descriptors for the store */
	return n > CONN_LIMIT_MAX ? CONN_LIMIT_MAX : (unsigned)n;
}

static struct MHD_Daemon *daemon_start(struct http_server *s, unsigned flags,
                                       const struct sockaddr *sa)
{
	const struct http_config *cfg = &s->cfg;
	unsigned threads = cfg->threads > 1 ? (unsigned)cfg->threads : 0;
	/* The memory pool holds the request headers and the response header; no other knob
	 * bounds header size in MHD. */
	size_t pool = cfg->max_header + 8192;
	return MHD_start_daemon(
	    flags, (uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, sa,
	    MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)cfg->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool,
	    MHD_OPTION_CONNECTION_LIMIT, conn_limit(), MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
	    on_connection, s, MHD_OPTION_END);
}

int http_server_start(const struct http_config *cfg, const struct route *routes, struct app *app,
                      struct http_server **out, struct err *e)
{
	*out = NULL;
	if (cfg->port < 0 || cfg->port > 65535)
		return err_set(e, ERR_INTERNAL, "invalid port %d", cfg->port);
	const char *addr = cfg->bind_addr && cfg->bind_addr[0] ? cfg->bind_addr : "127.0.0.1";
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = sin.sin_port};
	const struct sockaddr *sa;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
	if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1) {
		sa = (const struct sockaddr *)&sin;
	} else if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1) {
		sa = (const struct sockaddr *)&sin6;
		flags |= MHD_USE_IPv6;
	} else {
		return err_set(e, ERR_INTERNAL, "invalid bind address `%s` (want an IP address)",
		               addr);
	}
	struct http_server *s = calloc(1, sizeof *s);
	if (!s)
		return err_set(e, ERR_INTERNAL, "out of memory");
	s->cfg = *cfg;
	s->cfg.bind_addr = NULL; /* the caller's string need not outlive this call */
	if (s->cfg.threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		s->cfg.threads = n > 0 ? (int)n : 1;
	}
	if (!s->cfg.max_body)
		s->cfg.max_body = DEFAULT_MAX_BODY;
	if (!s->cfg.max_header)
		s->cfg.max_header = DEFAULT_MAX_HEADER;
	if (s->cfg.max_uploads <= 0)
		s->cfg.max_uploads = DEFAULT_MAX_UPLOADS;
	if (s->cfg.timeout_s <= 0)
		s->cfg.timeout_s = DEFAULT_TIMEOUT_S;
	s->routes = routes;
	s->app = app;
	s->cache = cache_new(s->cfg.cache_bytes ? s->cfg.cache_bytes : DEFAULT_CACHE_BYTES);
	if (!s->cache) {
		free(s);
		return err_set(e, ERR_INTERNAL, "out of memory");
	}
	atomic_init(&s->inflight, 0);
	atomic_init(&s->stopping, 0);
	atomic_init(&s->suspended, 0);
	if (!s->cfg.quiet)
		flags |= MHD_USE_ERROR_LOG;
	pthread_once(&xml_once, xml_init); /* libxml2 wants this once before threads use it */

	bool epoll = MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES;
	s->d = daemon_start(s, flags | (epoll ? MHD_USE_EPOLL : MHD_USE_POLL), sa);
	if (!s->d && epoll)
		s->d = daemon_start(s, flags | MHD_USE_POLL, sa);
	if (!s->d) {
		int errnum = errno;
		cache_free(s->cache);
		free(s);
		return err_set(e, ERR_INTERNAL, "cannot listen on %s port %d: %s", addr, cfg->port,
		               strerror(errnum));
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di && di->port ? di->port : cfg->port;
	/* A wildcard address is no address to link to: fall back to loopback then. */
	bool v6 = sa->sa_family == AF_INET6;
	const char *host = strcmp(addr, "0.0.0.0") == 0 ? "127.0.0.1"
	                   : strcmp(addr, "::") == 0    ? "::1"
	                                                : addr;
	snprintf(s->fallback_base, sizeof s->fallback_base, v6 ? "http://[%s]:%d" : "http://%s:%d",
	         host, s->port);
	*out = s;
	return 0;
}

int http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	atomic_store(&s->stopping, 1);
	MHD_socket ls = MHD_quiesce_daemon(s->d);
	/* In-flight requests get to finish; idle keep-alive connections do not hold us up. */
	struct timespec tick = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
	/* A parked request always comes back (its writer commits or fails), and libmicrohttpd
	 * cannot stop with one parked: for those the wait has no limit. */
	for (int waited = 0; (atomic_load(&s->inflight) > 0 && waited < STOP_WAIT_MS) ||
	                     atomic_load(&s->suspended) > 0;
	     waited += 10)
		nanosleep(&tick, NULL);
	MHD_stop_daemon(s->d);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	cache_free(s->cache);
	free(s);
}
