/* The router: matching, captures, .json/.xml suffixes, 404/405, traversal, authorization. */
#include <criterion/criterion.h>
#include <string.h>

#include "http/router.h"

static int h_ok(struct http_req *r, struct http_resp *w, struct err *e)
{
	(void)r, (void)w, (void)e;
	return 0;
}

static const struct route routes[] = {
    {.method = "GET", .pattern = "/", .handler = h_ok, .roles = ROLE_PUBLIC},
    {.method = "GET",
     .pattern = "/open311/v2/services",
     .formats = FMT_JSON | FMT_XML,
     .handler = h_ok,
     .roles = ROLE_PUBLIC},
    {.method = "GET",
     .pattern = "/open311/v2/services/{service_code}",
     .formats = FMT_JSON | FMT_XML,
     .handler = h_ok,
     .roles = ROLE_PUBLIC},
    {.method = "GET",
     .pattern = "/open311/v2/requests",
     .formats = FMT_JSON | FMT_XML,
     .handler = h_ok,
     .roles = ROLE_PUBLIC},
    {.method = "POST",
     .pattern = "/open311/v2/requests",
     .formats = FMT_JSON | FMT_XML,
     .handler = h_ok,
     .roles = ROLE_PUBLIC},
    {.method = "GET",
     .pattern = "/jsononly/{id}",
     .formats = FMT_JSON,
     .handler = h_ok,
     .roles = ROLE_PUBLIC},
    {.method = "GET", .pattern = "/cases/{id}/photos/{n}", .handler = h_ok, .roles = ROLE_PUBLIC},
    {.method = "DELETE", .pattern = "/cases/{id}/photos/{n}", .handler = h_ok, .roles = ROLE_ADMIN},
    {.method = "PUT", .pattern = "/cases/{id}/photos/{n}", .handler = h_ok, .roles = 0},
    {.method = "GET", .pattern = "/media/{file}", .handler = h_ok, .roles = ROLE_PUBLIC},
    {.method = NULL},
};

static struct arena arena;
static struct http_req req;
static struct err err;
static char allow[ROUTER_ALLOW_MAX];

static void setup(void)
{
	arena_init(&arena);
	memset(&req, 0, sizeof req);
	req.arena = &arena;
	memset(&err, 0, sizeof err);
}

static void teardown(void)
{
	arena_free(&arena);
}

TestSuite(router, .init = setup, .fini = teardown);

static int match(const char *method, const char *path, const struct route **rt)
{
	req.method = method;
	return router_match(routes, &req, path, strlen(path), rt, allow, &err);
}

Test(router, root)
{
	const struct route *rt;
	cr_assert_eq(match("GET", "/", &rt), 0);
	cr_assert_eq(rt, &routes[0]);
	cr_assert_str_eq(req.path, "/");
	cr_assert_eq(req.format, FMT_JSON);
}

Test(router, suffix_sets_format_and_is_stripped)
{
	const struct route *rt;
	cr_assert_eq(match("GET", "/open311/v2/services.xml", &rt), 0);
	cr_assert_eq(rt, &routes[1]);
	cr_assert_eq(req.format, FMT_XML);
	cr_assert_str_eq(req.path, "/open311/v2/services");
	cr_assert_eq(match("GET", "/open311/v2/services.json", &rt), 0);
	cr_assert_eq(req.format, FMT_JSON);
}

Test(router, suffix_required_on_format_routes)
{
	const struct route *rt;
	cr_assert_eq(match("GET", "/open311/v2/services", &rt), ERR_NOT_FOUND);
	cr_assert_null(rt);
	cr_assert_eq(match("GET", "/open311/v2/services.csv", &rt), ERR_NOT_FOUND);
}

Test(router, capture_decoded_and_suffix_removed)
{
	const struct route *rt;
	cr_assert_eq(match("GET", "/open311/v2/services/%E5%8D%AB%E7%94%9F.x.json", &rt), 0);
	cr_assert_eq(rt, &routes[2]);
	cr_assert_eq(req.npath_args, 1);
	cr_assert_str_eq(req.path_args[0], "卫生.x");
	cr_assert_str_eq(req.path, "/open311/v2/services/卫生.x");
}

Test(router, two_captures_without_formats)
{
	const struct route *rt;
	cr_assert_eq(match("GET", "/cases/DL20260101/photos/2", &rt), 0);
	cr_assert_eq(rt, &routes[6]);
	cr_assert_eq(req.npath_args, 2);
	cr_assert_str_eq(req.path_args[0], "DL20260101");
	cr_assert_str_eq(req.path_args[1], "2");
	/* No formats: a .json ending is part of the segment. */
	cr_assert_eq(match("GET", "/media/a.json", &rt), 0);
	cr_assert_str_eq(req.path_args[0], "a.json");
	cr_assert_eq(req.format, FMT_JSON);
}

Test(router, format_not_supported)
{
	const struct route *rt;
	cr_assert_eq(match("GET", "/jsononly/5.xml", &rt), ERR_NOT_FOUND);
	cr_assert_str_eq(err.msg, "format not supported");
	cr_assert_eq(req.format, FMT_XML, "errors answer in the asked format");
	cr_assert_eq(match("GET", "/jsononly/5.json", &rt), 0);
}

Test(router, method_not_allowed_lists_allow)
{
	const struct route *rt;
	cr_assert_eq(match("PATCH", "/cases/1/photos/2", &rt), ERR_METHOD);
	cr_assert_str_eq(allow, "GET, HEAD, DELETE, PUT");
	cr_assert_eq(match("DELETE", "/open311/v2/requests.json", &rt), ERR_METHOD);
	cr_assert_str_eq(allow, "GET, HEAD, POST");
}

Test(router, head_matches_get)
{
	const struct route *rt;
	cr_assert_eq(match("HEAD", "/open311/v2/requests.json", &rt), 0);
	cr_assert_eq(rt, &routes[3]);
	cr_assert_eq(match("POST", "/open311/v2/requests.xml", &rt), 0);
	cr_assert_eq(rt, &routes[4]);
}

Test(router, not_found)
{
	const struct route *rt;
	cr_assert_eq(match("GET", "/nope", &rt), ERR_NOT_FOUND);
	cr_assert_eq(match("GET", "/cases/1/photos", &rt), ERR_NOT_FOUND);
	cr_assert_eq(match("GET", "/cases/1/photos/2/3", &rt), ERR_NOT_FOUND);
	cr_assert_eq(match("GET", "/cases/1/photos/2/", &rt), ERR_NOT_FOUND);
	cr_assert_eq(match("GET", "/cases//photos/2", &rt), ERR_NOT_FOUND, "empty capture");
}

Test(router, capture_length_limit)
{
	const struct route *rt;
	char path[400] = "/media/";
	memset(path + 7, 'a', 200);
	cr_assert_eq(match("GET", path, &rt), 0);
	path[207] = 'a';
	path[208] = '\0';
	cr_assert_eq(match("GET", path, &rt), ERR_NOT_FOUND);
}

Test(router, traversal_and_bad_paths)
{
	const struct route *rt;
	const char *bad[] = {
	    "/media/..",   "/media/%2e%2E", "/media/./x", "/media/a%2Fb",   "/media/a%00b",
	    "/media/a\\b", "/media/a%5cb",  "/media/%zz", "/media/%4",      "/media/%C0%AF",
	    "/media/%0a",  "media/x",       "",           "/../etc/passwd",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(match("GET", bad[i], &rt), ERR_BAD_REQUEST, "%s", bad[i]);
	/* Dots inside a name are fine. */
	cr_assert_eq(match("GET", "/media/a..b", &rt), 0);
	cr_assert_str_eq(req.path_args[0], "a..b");
}

Test(router, authorize_deny_by_default)
{
	const struct route *rt;
	req.who = (struct principal){.roles = ROLE_PUBLIC, .login = ""};
	cr_assert_eq(match("GET", "/media/x", &rt), 0);
	cr_assert_eq(router_authorize(rt, &req, &err), 0);
	cr_assert_eq(match("DELETE", "/cases/1/photos/2", &rt), 0);
	cr_assert_eq(router_authorize(rt, &req, &err), ERR_UNAUTHORIZED,
	             "staff only: anonymous callers are asked to log in");
	cr_assert_eq(match("PUT", "/cases/1/photos/2", &rt), 0);
	cr_assert_eq(router_authorize(rt, &req, &err), ERR_FORBIDDEN, "roles 0 denies all");
	/* A logged-in user whose roles do not fit is refused, not asked to log in. */
	req.who =
	    (struct principal){.roles = ROLE_PUBLIC | ROLE_LEADER, .user_id = 7, .login = "l"};
	cr_assert_eq(match("DELETE", "/cases/1/photos/2", &rt), 0);
	unsigned allowed = rt->roles;
	cr_assert_eq(router_authorize(rt, &req, &err), (allowed & ROLE_LEADER) ? 0 : ERR_FORBIDDEN);
	/* Password given, TOTP owed: still asked to authenticate. */
	req.who = (struct principal){.roles = ROLE_PUBLIC, .user_id = 7, .mfa_pending = 1};
	cr_assert_eq(router_authorize(rt, &req, &err), ERR_UNAUTHORIZED);
	req.who = (struct principal){.roles = ROLE_PUBLIC, .login = ""};
}
