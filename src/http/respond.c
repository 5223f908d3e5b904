/* From struct http_resp to a queued libmicrohttpd response: pick the body (JSON, XML, raw bytes
 * or a file), gzip it when that pays, add the headers every response carries. */
#include "http/respond.h"

#include "http/cache.h"
#include "lib/html.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>

enum { GZIP_MIN = 1024 };

static const char CT_JSON[] = "application/json; charset=utf-8";
static const char CT_XML[] = "text/xml; charset=utf-8";
/* When even the error cannot be built (out of memory), a fixed body still says something. */
static const char FALLBACK_500[] = "[{\"code\":500,\"description\":\"internal error\"}]";

/* Text, JSON and XML shrink well; images and archives are compressed already. */
static bool compressible(const char *ct)
{
	return strncmp(ct, "text/", 5) == 0 || strstr(ct, "json") || strstr(ct, "xml") ||
	       strncmp(ct, "application/javascript", 22) == 0;
}

/* A handler that says how its answer may be kept (static files) knows it is not personal. */
static bool has_cache_control(const struct http_resp *w)
{
	for (int i = 0; i < w->nheaders; i++)
		if (strcasecmp(w->headers[i].name, "Cache-Control") == 0)
			return true;
	return false;
}

static bool header_add(struct MHD_Response *resp, const char *name, const char *value)
{
	if (MHD_add_response_header(resp, name, value) == MHD_YES)
		return true;
	/* MHD refuses CR/LF in values: a handler bug, never worth a broken response. */
	fprintf(stderr, "http: dropped response header %s\n", name);
	return false;
}

#define CSP_HEAD                                                                                   \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:"
#define CSP_TAIL                                                                                   \
	"; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self';"            \
	" frame-ancestors 'none'"

/* Written once by respond_set_img_origin before the server starts, read by every thread. */
static char csp[512] = CSP_HEAD CSP_TAIL;

int respond_set_img_origin(const char *origin)
{
	if (!origin || !*origin) {
		snprintf(csp, sizeof csp, "%s%s", CSP_HEAD, CSP_TAIL);
		return 0;
	}
	/* A header value: scheme://host[:port] only, nothing that could end the directive. */
	if (strncmp(origin, "https://", 8) != 0 && strncmp(origin, "http://", 7) != 0)
		return -1;
	for (const char *p = strstr(origin, "//") + 2; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == ':' ||
		      *p == '[' || *p == ']'))
			return -1;
	int n = snprintf(csp, sizeof csp, "%s %s%s", CSP_HEAD, origin, CSP_TAIL);
	return n > 0 && (size_t)n < sizeof csp ? 0 : -1;
}

/* On every response: pages can be added later without anyone remembering these. Scripts
 * and styles only from our own origin (no inline script: CSP blocks injected markup from
 * running), images also from the map's tile server when one is set, never framed, and no
 * referrer beyond our origin. */
static void security_headers(struct MHD_Response *resp, const char *request_id)
{
	header_add(resp, "X-Content-Type-Options", "nosniff");
	header_add(resp, "Content-Security-Policy", csp);
	header_add(resp, "X-Frame-Options", "DENY");
	header_add(resp, "Referrer-Policy", "strict-origin-when-cross-origin");
	if (request_id && *request_id)
		header_add(resp, "X-Request-Id", request_id);
}

static int queue(struct MHD_Connection *c, int status, struct MHD_Response *resp)
{
	enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp); /* MHD holds its own reference until sent */
	return ok == MHD_YES ? status : -1;
}

static int queue_fd(struct MHD_Connection *c, const struct http_req *r, struct http_resp *w,
                    int status)
{
	struct MHD_Response *resp = MHD_create_response_from_fd64(w->body_len, w->fd);
	if (!resp) {
		close(w->fd);
		w->fd = 0;
		return -1;
	}
	w->fd = 0; /* closed by MHD when the response is destroyed */
	header_add(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	           w->content_type ? w->content_type : "application/octet-stream");
	security_headers(resp, r->request_id);
	for (int i = 0; i < w->nheaders; i++)
		header_add(resp, w->headers[i].name, w->headers[i].value);
	return queue(c, status, resp);
}

/* PERSISTENT: the body lives in the connection's buffers or the request's arena, both kept
 * until the request-completed callback, which runs after the last byte is sent. */
static struct MHD_Response *buffer_response(const void *body, size_t len, const char *ct, bool gz,
                                            bool vary, const char *request_id)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return NULL;
	header_add(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ct);
	security_headers(resp, request_id);
	if (vary)
		header_add(resp, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
	if (gz)
		header_add(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	return resp;
}

/* The validator of a response's bytes: equal bytes, equal tag, across restarts (0 is "none"). */
static uint64_t etag_of(const void *body, size_t len)
{
	uint64_t h = cache_hash(body, len);
	return h ? h : 1;
}

/* Adds ETag and Cache-Control: no-cache (keep, but ask first) to a revalidated response;
 * true when the client's If-None-Match already names it: the caller answers 304. */
static bool validator(struct MHD_Connection *c, uint64_t etag, char tag[20])
{
	snprintf(tag, 20, "\"%016llx\"", (unsigned long long)etag);
	const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	return inm && (strstr(inm, tag) || strcmp(inm, "*") == 0);
}

static int queue_not_modified(struct MHD_Connection *c, const struct http_req *r, const char *tag)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return -1;
	security_headers(resp, r->request_id);
	header_add(resp, MHD_HTTP_HEADER_ETAG, tag);
	header_add(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	return queue(c, MHD_HTTP_NOT_MODIFIED, resp);
}

int respond_queue(struct MHD_Connection *c, const struct http_req *r, struct http_resp *w,
                  struct resp_bufs *b, struct resp_sent *sent)
{
	int status = w->status ? w->status : 200;
	if (w->fd > 0) {
		json_decref(w->json);
		w->json = NULL;
		return queue_fd(c, r, w, status);
	}
	const char *ct = w->content_type;
	const void *body = w->body;
	size_t len = w->body_len;
	if (w->json) {
		buf_reset(&b->body);
		int rc = r->format == FMT_XML ? body_xml(w->json, w->xml_root, &b->body)
		                              : body_json(w->json, &b->body);
		json_decref(w->json);
		w->json = NULL;
		ct = r->format == FMT_XML ? CT_XML : CT_JSON;
		body = b->body.data;
		len = b->body.len;
		if (rc != 0) {
			status = 500;
			ct = CT_JSON;
			body = FALLBACK_500;
			len = sizeof FALLBACK_500 - 1;
		}
	}
	if (!ct)
		ct = len ? "application/octet-stream" : "text/plain; charset=utf-8";
	if (!body)
		len = 0;

	bool vary = false, gz = false;
	if (len >= GZIP_MIN && compressible(ct)) {
		vary = true; /* the bytes depend on Accept-Encoding from here on */
		const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		                                             MHD_HTTP_HEADER_ACCEPT_ENCODING);
		if (accepts_gzip(ae)) {
			buf_reset(&b->gz);
			if (gzip_compress(body, len, &b->gz) == 0 && b->gz.len < len) {
				body = b->gz.data;
				len = b->gz.len;
				gz = true;
			}
		}
	}
	uint64_t etag = r->revalidate && status == 200 && w->nheaders == 0 ? etag_of(body, len) : 0;
	if (sent)
		*sent = (struct resp_sent){.body = body,
		                           .len = len,
		                           .content_type = ct,
		                           .gzip = gz,
		                           .vary = vary,
		                           .cacheable = w->nheaders == 0,
		                           .etag = etag};
	char tag[20];
	if (etag && validator(c, etag, tag))
		return queue_not_modified(c, r, tag);
	struct MHD_Response *resp = buffer_response(body, len, ct, gz, vary, r->request_id);
	if (!resp)
		return -1;
	if (etag) {
		header_add(resp, MHD_HTTP_HEADER_ETAG, tag);
		header_add(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	}
	for (int i = 0; i < w->nheaders; i++)
		header_add(resp, w->headers[i].name, w->headers[i].value);
	/* Personal answers stay out of caches; a revalidated one (etag) is the same for everyone. */
	if (r->who.session_id && !has_cache_control(w) && !etag)
		header_add(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return queue(c, status, resp);
}

int respond_queue_cached(struct MHD_Connection *c, const struct http_req *r, struct resp_bufs *b,
                         const char *ct, bool gzip, bool vary, uint64_t etag)
{
	char tag[20];
	if (etag && validator(c, etag, tag))
		return queue_not_modified(c, r, tag);
	struct MHD_Response *resp =
	    buffer_response(b->body.data, b->body.len, ct, gzip, vary, r->request_id);
	if (resp && etag) {
		header_add(resp, MHD_HTTP_HEADER_ETAG, tag);
		header_add(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	}
	return resp ? queue(c, 200, resp) : -1;
}

/* The heading a citizen reads for each status. */
static const char *html_error_title(int status)
{
	switch (status) {
	case 400:
	case 422:
		return "请求内容有误";
	case 401:
	case 403:
		return "没有访问权限";
	case 404:
		return "页面不存在";
	case 405:
		return "不支持的操作";
	case 413:
		return "提交的内容过大";
	case 415:
		return "不支持的文件类型";
	case 429:
		return "操作过于频繁，请稍后再试";
	case 503:
		return "系统繁忙，请稍后再试";
	default:
		return status >= 500 ? "系统出错了，请稍后再试" : "无法完成请求";
	}
}

void html_error_page(struct buf *out, int status, const char *detail, const char *html_class)
{
	buf_adds(out, "<!doctype html>\n<html lang=\"zh-CN\"");
	if (html_class && *html_class) {
		buf_adds(out, " class=\"");
		html_text(out, html_class);
		buf_adds(out, "\"");
	}
	buf_adds(out, "><head><meta charset=\"utf-8\">"
	              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	              "<title>");
	html_text(out, html_error_title(status));
	buf_adds(out,
	         " - 文明城市</title><link rel=\"stylesheet\" href=\"/static/portal/portal.css\">"
	         "</head><body><main id=\"main\" class=\"page\"><h1>");
	html_text(out, html_error_title(status));
	buf_printf(out, "</h1><p class=\"muted\">错误代码 %d", status);
	if (*detail) {
		buf_adds(out, "：");
		html_text(out, detail);
	}
	buf_adds(out, "</p><p><a href=\"/\">返回首页</a></p></main></body></html>\n");
}

int respond_error(struct MHD_Connection *c, const struct http_req *r, int code, const char *msg,
                  const char *allow, struct resp_bufs *b)
{
	return respond_error_with(c, r, code, msg, allow, NULL, b);
}

int respond_error_with(struct MHD_Connection *c, const struct http_req *r, int code,
                       const char *msg, const char *allow, const struct http_resp *from,
                       struct resp_bufs *b)
{
	int status = err_http_status(code);
	struct http_resp w = {.status = status, .xml_root = "errors"};
	w.json = error_json(status, msg && msg[0] ? msg : "error");
	if (!w.json) {
		w.status = 500;
		w.content_type = CT_JSON;
		w.body = FALLBACK_500;
		w.body_len = sizeof FALLBACK_500 - 1;
	}
	if (allow && allow[0])
		resp_header(&w, MHD_HTTP_HEADER_ALLOW, allow);
	/* What the handler said about the error (Retry-After on a 429) goes out with it. */
	for (int i = 0; from && i < from->nheaders; i++)
		resp_header(&w, from->headers[i].name, from->headers[i].value);
	/* A page's error is a page: a browser without JavaScript must be able to read it. */
	if (r->format == FMT_HTML && w.json) {
		json_decref(w.json);
		w.json = NULL;
		struct buf *out = &b->body;
		buf_reset(out);
		html_error_page(out, status, msg && msg[0] ? msg : "", r->page_class);
		w.content_type = "text/html; charset=utf-8";
		w.body = out->data;
		w.body_len = out->len;
		resp_header(&w, "Cache-Control", "no-store");
		return respond_queue(c, r, &w, b, NULL);
	}
	/* Error bodies are tiny: XML or JSON per the request, never an error in an error. */
	struct http_req er = *r;
	if (er.format != FMT_XML)
		er.format = FMT_JSON;
	return respond_queue(c, &er, &w, b, NULL);
}
