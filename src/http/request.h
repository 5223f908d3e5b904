/* Filling a struct http_req from what the client sent: media type, base URL, remote address. */
#ifndef WM_HTTP_REQUEST_H
#define WM_HTTP_REQUEST_H

#include <stdbool.h>

#include "http/http.h"

struct sockaddr;

/* "Multipart/Form-Data; boundary=x" -> "multipart/form-data" (arena); "" for NULL or empty. */
const char *request_media_type(struct arena *a, const char *content_type_header);
/* Whether a Host header value is safe to echo into absolute URLs: 1-255 of [A-Za-z0-9.:[]-]. */
bool request_host_valid(const char *host);
/* public_url when set; else "http://" + host when valid; else fallback ("http://addr:port"). */
const char *request_base_url(struct arena *a, const char *public_url, const char *host,
                             const char *fallback);
/* The numeric address of sa (arena), "" when unknown. */
const char *request_remote_ip(struct arena *a, const struct sockaddr *sa);

/* The proxy's X-Request-Id when it is 8 to 64 of [A-Za-z0-9._-], else 16 random hex digits. */
const char *request_id_of(struct arena *a, const char *header);
/* TLS as the client saw it: X-Forwarded-Proto "https" from the proxy, or an https public URL. */
int request_is_secure(const char *public_url, const char *forwarded_proto);
/* The peer is this host: our reverse proxy, whose forwarding headers are believed. */
bool request_peer_is_proxy(const char *peer);
/* The client's address: the peer, or, when the peer is this host (the reverse proxy), the
 * last address of X-Forwarded-For (the one the proxy appended; earlier ones are the client's
 * word and could be forged). */
const char *request_client_ip(struct arena *a, const char *peer, const char *forwarded_for);
/* State-changing calls on a session must carry its CSRF token (header X-CSRF-Token, or the
 * csrf_token parameter of a form): a page of another site cannot read it, so it cannot make
 * the browser act for the user. ERR_FORBIDDEN when missing or wrong. */
int request_check_csrf(const struct http_req *r, struct err *e);

#endif
