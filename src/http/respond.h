/* Turning a struct http_resp into bytes: JSON or XML bodies from the json model, the Open311
 * error shape, gzip, and the libmicrohttpd response with its headers. */
#ifndef WM_HTTP_RESPOND_H
#define WM_HTTP_RESPOND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "lib/buf.h"

struct MHD_Connection;

/* Scratch output owned by a connection and reused by each of its requests: a response body
 * points into it until the response has been sent. */
struct resp_bufs {
	struct buf body;
	struct buf gz;
};

/* Lets pages load images from origin ("https://tiles.example.cn[:port]") too: the CSP of every
 * response names it in img-src. Call before the server starts; NULL or "" for none. -1 (and
 * nothing changed) when origin is not a bare http(s) origin. */
int respond_set_img_origin(const char *origin);

/* A plain error page (status's heading in Chinese, the detail escaped) appended to out: the
 * error body of FMT_HTML routes. html_class (may be NULL): the class of <html>. */
void html_error_page(struct buf *out, int status, const char *detail, const char *html_class);

/* Serialises j into out (appending). 0 or -1. */
int body_json(const json_t *j, struct buf *out);
/* XML with root element root (NULL: "response"); arrays repeat the singular of their name. */
int body_xml(const json_t *j, const char *root, struct buf *out);
/* The element name for one item of an array called plural: services -> service, … -> item. */
const char *xml_singular(const char *plural);
/* The Open311 error body [{"code": status, "description": msg}] (new reference). */
json_t *error_json(int status, const char *msg);

/* True when an Accept-Encoding header value allows gzip (q=0 refuses it). */
bool accepts_gzip(const char *accept_encoding);
/* Appends the gzip (RFC 1952) form of in[0..n) to out. 0 or -1. One deflate stream per thread
 * is kept and reset, so the hot path does not allocate zlib state per response. */
int gzip_compress(const void *in, size_t n, struct buf *out);
/* Frees this thread's deflate stream now (threads free it on exit by themselves). */
void gzip_thread_release(void);

/* What respond_queue sent, for the response cache: the body bytes and how they were sent. */
struct resp_sent {
	const void *body;
	size_t len;
	const char *content_type;
	bool gzip, vary, cacheable; /* cacheable: a buffer body with no handler headers */
	uint64_t etag;              /* its validator when the request revalidates, else 0 */
};

/* Builds and queues the response for w on c (w->json is consumed, w->fd is closed). Returns
 * the HTTP status queued, or -1 if libmicrohttpd refused (the connection will be closed).
 * sent (may be NULL) describes what went out. */
int respond_queue(struct MHD_Connection *c, const struct http_req *r, struct http_resp *w,
                  struct resp_bufs *b, struct resp_sent *sent);
/* Queues bytes exactly as a cached response stored them (body in b->body); etag != 0: with
 * that validator, or 304 when the client holds it already. */
int respond_queue_cached(struct MHD_Connection *c, const struct http_req *r, struct resp_bufs *b,
                         const char *ct, bool gzip, bool vary, uint64_t etag);
/* Queues an error in the Open311 shape, in r->format. code: an enum err_code; allow: the Allow
 * header of a 405, else NULL. Returns the status queued or -1. */
int respond_error(struct MHD_Connection *c, const struct http_req *r, int code, const char *msg,
                  const char *allow, struct resp_bufs *b);
/* The same, also sending the headers the handler set on from (e.g. Retry-After). */
int respond_error_with(struct MHD_Connection *c, const struct http_req *r, int code,
                       const char *msg, const char *allow, const struct http_resp *from,
                       struct resp_bufs *b);

/* The request log line "METHOD PATH STATUS MICROSECONDS REQUEST-ID USER\n" on stderr, one
 * write(); USER is the login or "-". Never a query string, header or body: no secrets. */
void reqlog_write(const char *method, const char *path, size_t path_len, int status, long long usec,
                  const char *request_id, const char *user);

#endif
