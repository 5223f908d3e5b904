/* The HTTP layer: requests as the router hands them to handlers, responses as handlers build
 * them, and the declared route table. Handlers never see libmicrohttpd. */
#ifndef WM_HTTP_H
#define WM_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/roles.h"
#include "lib/arena.h"
#include "lib/err.h"

struct app;
struct db;

/* One request parameter: from the query string, an urlencoded or a multipart body. */
struct param {
	const char *name;
	const char *value; /* NUL-terminated (files: the bytes, also NUL-terminated) */
	size_t len;
	const char *filename;     /* multipart file parts only, else NULL */
	const char *content_type; /* multipart part type, else NULL */
	/* Filled by validation for typed specs: */
	int64_t ival;
	double dval;
	struct param *next;
};

enum http_format { FMT_JSON = 1, FMT_XML = 2, FMT_HTML = 4, FMT_RAW = 8 };

/* Who is calling, from the session cookie (set before the route's roles are checked). */
struct principal {
	unsigned roles;           /* ROLE_PUBLIC always; the user's roles with a live session */
	int64_t user_id, unit_id; /* 0 when anonymous */
	int64_t session_id;       /* 0 when anonymous */
	const char *login;        /* "" when anonymous */
	const char *csrf;         /* the session's CSRF token; NULL when anonymous */
	int mfa_pending;          /* password given, TOTP owed: roles stay ROLE_PUBLIC */
};

struct http_req {
	struct arena *arena; /* dies when the response has been sent */
	struct app *app;
	const char *method; /* "GET", "POST", … */
	const char *path;   /* decoded path without the query and without a .json/.xml suffix */
	enum http_format
	    format; /* from the .json/.xml suffix (or FMT_JSON when the route has none) */
	const char *path_args[4]; /* values of {name} segments, in pattern order */
	int npath_args;
	struct param *params; /* query, then body parameters, in arrival order */
	const char
	    *content_type; /* request Content-Type, media type only, lower case; "" if none */
	const char *remote_ip;
	const char
	    *base_url; /* "http://host:port" as the client addressed us (for absolute URLs) */
	int64_t now;   /* unix seconds at arrival */
	const char *request_id; /* X-Request-Id: the proxy's when sane, else 16 random hex */
	int secure; /* came over TLS (X-Forwarded-Proto: https, or an https public URL) */
	struct principal who;
	void *conn; /* struct MHD_Connection *, for the http layer only */
	void *ctx;  /* a handler's own state across req_suspend and its completion */
	/* Set by the layer on GETs of routes with a cache_ms: their 200s carry an ETag with
	 * Cache-Control: no-cache, and a matching If-None-Match is answered 304. */
	int revalidate;
	/* The class of <html> on an error page (http_config.page_class), or NULL. */
	const char *page_class;
};

/* Finds a parameter; NULL if absent. */
const struct param *req_param(const struct http_req *r, const char *name);
const char *req_str(const struct http_req *r, const char *name);    /* NULL if absent */
const char *req_header(const struct http_req *r, const char *name); /* NULL if absent */

struct http_header {
	const char *name, *value;
};

struct http_resp {
	int status;   /* 200 unless set */
	json_t *json; /* body model, serialised to JSON or XML; stolen (decref'd) by the layer */
	const char *xml_root; /* root element for XML; arrays use the singular table in respond.c */
	/* A raw body instead (HTML pages, media files). */
	const char *content_type;
	const void *body; /* arena memory or static */
	size_t body_len;
	int fd; /* >0: serve this open file (closed by the layer), body_len bytes */
	struct http_header headers[8];
	int nheaders;
};

void resp_header(struct http_resp *w, const char *name, const char *value);

/* A handler returns 0 and fills the response, or a negative err code with e set: the layer then
 * answers in the Open311 error shape ([{code, description}]) in the request's format. */
typedef int (*http_handler)(struct http_req *r, struct http_resp *w, struct err *e);

/* Work that finishes on another thread (the group-commit writer) must not hold a server
 * thread while it waits. The handler calls req_suspend(r, complete) *before* handing the work
 * off, then returns HTTP_SUSPENDED; the connection is parked. Whoever finishes the work calls
 * req_resume(r) (any thread, exactly once); `complete` then runs on a server thread and fills
 * the response as a handler would. The request and its arena stay valid throughout. */
enum { HTTP_SUSPENDED = 1 };
typedef http_handler http_complete;
void req_suspend(struct http_req *r, http_complete complete);
void req_resume(struct http_req *r);

/* Declared parameters: the router validates them all before the handler runs. */
enum param_type {
	PT_STRING,   /* one line: no control characters */
	PT_TEXT,     /* may hold newlines and tabs */
	PT_INT,      /* decimal integer in [min, max] -> ival */
	PT_DOUBLE,   /* finite decimal number in [min, max] -> dval */
	PT_DATETIME, /* W3C/ISO 8601 date-time with offset (or a bare date) -> ival (unix seconds)
	              */
	PT_ENUM,     /* one of values[] */
	PT_LIST,     /* comma-separated tokens, each at most max_len, at most (int)max tokens */
	PT_FILE,     /* multipart file part; max_len = size limit */
	PT_URL,      /* absolute http(s) URL */
};

enum {
	PF_REQUIRED = 1,
	PF_MULTI = 2,  /* may repeat (otherwise a duplicate is a 400) */
	PF_PREFIX = 4, /* name is a prefix, e.g. "attribute[" matches attribute[CODE] and
	                  attribute[CODE][] */
	PF_EMPTY = 8,  /* PT_LIST: sent empty (`co_units=`, [] in JSON) means no items, to clear */
};

struct param_spec {
	const char *name;
	enum param_type type;
	unsigned flags;
	size_t max_len;            /* bytes (UTF-8); 0 = 1000 */
	double min, max;           /* numbers (both 0: unbounded); PT_LIST: max tokens (0: 100) */
	const char *const *values; /* PT_ENUM; PT_LIST tokens when set; NULL-terminated */
	const char *description;   /* for docs */
};

struct route {
	const char *method;
	const char
	    *pattern; /* "/open311/v2/services/{service_code}" — segments in braces capture */
	unsigned
	    formats; /* FMT_JSON|FMT_XML: the path must end in .json/.xml; 0 = no suffix, JSON;
	                FMT_HTML: no suffix, a page (its errors are pages too) */
	http_handler handler;
	unsigned roles;                  /* who may call it; 0 denies everyone */
	const struct param_spec *params; /* terminated by { .name = NULL } ; NULL = takes none */
	const char *summary;
	unsigned cache_ms; /* GET only: serve a stored copy of a 200 for this long (0: never) */
};

/* The server. routes: terminated by { .method = NULL }; must outlive the server. */
struct http_config {
	const char *bind_addr; /* "127.0.0.1" */
	int port;              /* 0 picks a free port (see http_server_port) */
	int threads;
	size_t max_body;    /* bytes; default 10 MiB */
	size_t max_header;  /* bytes; default 16 KiB */
	int max_uploads;    /* file parts per request; default 5 */
	int timeout_s;      /* idle/slow client timeout; default 30 */
	int quiet;          /* no request log lines */
	size_t cache_bytes; /* response cache size; default 16 MiB */
	/* The data generation: changes whenever this instance commits a write, so cached
	 * responses built before it are not served. NULL: cached responses live their TTL. */
	uint64_t (*generation)(void *ctx);
	/* Fills r->who from the request's credentials before authorisation; NULL: everyone is
	 * anonymous. An error (the database is down) answers the request with it. */
	int (*authenticate)(struct http_req *r, struct err *e);
	void *generation_ctx;
	/* A character telling apart responses of one URL that differ by something the request
	 * carries besides it (the portal's 关怀版 cookie); part of the response cache's key.
	 * NULL: none. */
	char (*cache_variant)(const struct http_req *r);
	/* Called for each GET answered from the response cache (its handler did not run), with
	 * the route's handler: for counters that must see every request (article views). NULL:
	 * none. */
	void (*cache_hit)(struct http_req *r, http_handler handler);
	/* The class of <html> for the error pages this layer writes (the portal's "care" for
	 * its elder-friendly mode: the same large type as the page that failed); NULL: none. */
	const char *(*page_class)(const struct http_req *r);
};

struct http_server;
int http_server_start(const struct http_config *cfg, const struct route *routes, struct app *app,
                      struct http_server **out, struct err *e);
int http_server_port(const struct http_server *s);
/* Stops accepting, lets in-flight requests finish, then frees everything. */
void http_server_stop(struct http_server *s);

#endif
