/* What handlers read from a request and add to a response, and how the server fills in the
 * request's derived fields. */
#include "http/request.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <microhttpd.h>

const struct param *req_param(const struct http_req *r, const char *name)
{
	for (const struct param *p = r->params; p; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

const char *req_str(const struct http_req *r, const char *name)
{
	const struct param *p = req_param(r, name);
	return p ? p->value : NULL;
}

const char *req_header(const struct http_req *r, const char *name)
{
	if (!r->conn)
		return NULL;
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void resp_header(struct http_resp *w, const char *name, const char *value)
{
	int max = (int)(sizeof w->headers / sizeof w->headers[0]);
	if (w->nheaders >= max) {
		fprintf(stderr, "http: more than %d response headers, dropped %s\n", max, name);
		return;
	}
	w->headers[w->nheaders].name = name;
	w->headers[w->nheaders].value = value;
	w->nheaders++;
}

const char *request_media_type(struct arena *a, const char *ct)
{
	if (!ct)
		return "";
	while (*ct == ' ' || *ct == '\t')
		ct++;
	size_t n = strcspn(ct, "; \t");
	if (n == 0)
		return "";
	char *m = arena_strndup(a, ct, n);
	for (char *p = m; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + ('a' - 'A'));
	return m;
}

bool request_host_valid(const char *host)
{
	if (!host || !host[0])
		return false;
	size_t n = 0;
	for (const char *p = host; *p; p++, n++) {
		char c = *p;
		if (n >= 255 ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
			return false;
	}
	return true;
}

const char *request_base_url(struct arena *a, const char *public_url, const char *host,
                             const char *fallback)
{
	if (public_url && public_url[0])
		return public_url;
	if (!request_host_valid(host))
		return fallback;
	size_t n = strlen(host);
	char *u = arena_alloc(a, n + 8);
	memcpy(u, "http://", 7);
	memcpy(u + 7, host, n + 1);
	return u;
}

const char *request_remote_ip(struct arena *a, const struct sockaddr *sa)
{
	if (!sa)
		return "";
	char *out = arena_alloc(a, INET6_ADDRSTRLEN);
	const void *addr;
	if (sa->sa_family == AF_INET)
		addr = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	else
		return "";
	if (!inet_ntop(sa->sa_family, addr, out, INET6_ADDRSTRLEN))
		return "";
	return out;
}

const char *request_id_of(struct arena *a, const char *header)
{
	size_t n = header ? strlen(header) : 0;
	if (n >= 8 && n <= 64 &&
	    strspn(header, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
	        n)
		return arena_strndup(a, header, n);
	unsigned char raw[8];
	randombytes_buf(raw, sizeof raw);
	char *hex = arena_alloc(a, 2 * sizeof raw + 1);
	sodium_bin2hex(hex, 2 * sizeof raw + 1, raw, sizeof raw);
	return hex;
}

int request_is_secure(const char *public_url, const char *forwarded_proto)
{
	if (forwarded_proto && strcasecmp(forwarded_proto, "https") == 0)
		return 1;
	return public_url && strncasecmp(public_url, "https://", 8) == 0;
}

bool request_peer_is_proxy(const char *peer)
{
	return strcmp(peer, "127.0.0.1") == 0 || strcmp(peer, "::1") == 0 ||
	       strcmp(peer, "::ffff:127.0.0.1") == 0;
}

const char *request_client_ip(struct arena *a, const char *peer, const char *forwarded_for)
{
	if (!request_peer_is_proxy(peer) || !forwarded_for || !*forwarded_for)
		return peer;
	const char *last = strrchr(forwarded_for, ',');
	last = last ? last + 1 : forwarded_for;
	while (*last == ' ')
		last++;
	size_t n = strlen(last);
	while (n && last[n - 1] == ' ')
		n--;
	if (n == 0 || n > 45 || strspn(last, "0123456789abcdefABCDEF.:") < n)
		return peer; /* not an address: keep what we know */
	return arena_strndup(a, last, n);
}

int request_check_csrf(const struct http_req *r, struct err *e)
{
	if (!r->who.session_id || !r->who.csrf || strcmp(r->method, "GET") == 0 ||
	    strcmp(r->method, "HEAD") == 0)
		return 0;
	/* Logging in needs no session, so it needs no token either (a stale cookie must not
	 * stop a login); SameSite=Lax keeps other sites from posting it with ours. */
	if (strcmp(r->method, "POST") == 0 && strcmp(r->path, "/api/v1/session") == 0)
		return 0;
	/* Public pages' forms carry their own token (a double-submit cookie, checked by the
	 * handler): a clerk who is also logged in may still report as a citizen. */
	if (r->format == FMT_HTML)
		return 0;
	const char *sent = req_header(r, "X-CSRF-Token");
	if (!sent)
		sent = req_str(r, "csrf_token");
	size_t n = strlen(r->who.csrf);
	if (!sent || strlen(sent) != n || sodium_memcmp(sent, r->who.csrf, n) != 0)
		return err_set(e, ERR_FORBIDDEN,
		               "CSRF token missing or wrong: send the session's csrf_token in the"
		               " X-CSRF-Token header");
	return 0;
}
