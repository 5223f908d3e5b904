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

#endif
