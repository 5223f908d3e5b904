/* Who is calling: the session cookie, looked up in the database (any instance may have
 * issued it). A missing, stale or forged cookie just means anonymous: the route's roles
 * decide what an anonymous caller may do. */
#include <stdio.h>
#include <string.h>

#include "api/api_common.h"
#include "api/staff.h"
#include "app.h"
#include "core/roles.h"
#include "lib/arena.h"
#include "store/session.h"

const char *api_cookie(const struct http_req *r, const char *name)
{
	const char *h = req_header(r, "Cookie");
	size_t n = strlen(name);
	for (const char *p = h; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		size_t len = strcspn(p, ";");
		if (len > n && strncmp(p, name, n) == 0 && p[n] == '=')
			return arena_strndup(r->arena, p + n + 1, len - n - 1);
		p += len;
	}
	return NULL;
}

int api_authenticate(struct http_req *r, struct err *e)
{
	const char *token = api_cookie(r, "wm_session");
	if (!token)
		return 0;
	struct db *db;
	int rc = api_db(r, &db, e);
	if (rc < 0)
		return rc;
	struct session s;
	rc = session_lookup(db, token, r->now, &s, e);
	if (rc == ERR_FORBIDDEN) {
		err_clear(e);
		return 0;
	}
	if (rc < 0)
		return rc;
	r->who.session_id = s.id;
	r->who.user_id = s.user_id;
	r->who.unit_id = s.unit_id;
	r->who.login = arena_strdup(r->arena, s.login);
	r->who.csrf = arena_strdup(r->arena, s.csrf);
	r->who.mfa_pending = s.mfa_pending;
	if (!s.mfa_pending)
		r->who.roles |= s.roles & ROLE_USERS;
	/* The idle clock restarts; written at most once a minute per session. */
	if (r->now - s.last_seen_at >= SESSION_TOUCH_S) {
		struct err ignored; /* a missed touch costs at most a minute of idle time */
		(void)session_touch(db, s.id, r->now, &ignored);
	}
	return 0;
}
