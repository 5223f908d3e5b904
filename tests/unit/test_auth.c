/* Passwords, role names, sessions, lockout, reach (unit scope) and the request checks that
 * guard sessions (CSRF, client address, request ids). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/reach.h"
#include "core/password.h"
#include "core/roles.h"
#include "http/request.h"
#include "lib/arena.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/refcache.h"
#include "store/seed.h"
#include "store/session.h"
#include "store/users.h"

#ifndef WM_DATA_DIR
#define WM_DATA_DIR "data"
#endif

static struct err e;

/* ---- passwords ---- */

Test(password, hash_verifies_and_salts)
{
	char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];
	cr_assert_eq(password_hash("correct horse battery", a, &e), 0);
	cr_assert_eq(password_hash("correct horse battery", b, &e), 0);
	cr_expect_str_neq(a, b, "a fresh salt each time");
	cr_expect_eq(strncmp(a, "$argon2id$", 10), 0, "%s", a);
	cr_expect(strstr(a, "m=19456") && strstr(a, "t=2"), "OWASP cost: %s", a);
	cr_expect(password_verify(a, "correct horse battery"));
	cr_expect_not(password_verify(a, "correct horse batterY"));
	cr_expect_not(password_verify("", "x"));
	cr_expect_not(password_verify("$2b$10$notargon", "x"), "only argon2id hashes");
	cr_expect_not(password_needs_rehash(a));
	password_verify_dummy("anything"); /* just must not crash or leak */
}

Test(password, policy)
{
	cr_expect_eq(password_check_policy("short", &e), ERR_UNPROCESSABLE);
	cr_expect_eq(password_check_policy("abcdefghij", &e), 0);
	cr_expect_eq(password_check_policy("文明城市建设人人参与好", &e), 0, "counts characters");
	cr_expect_eq(password_check_policy("abcdefghi\x01", &e), ERR_UNPROCESSABLE);
	cr_expect_eq(password_check_policy("abcdefghi\xff", &e), ERR_UNPROCESSABLE);
	char longpw[400];
	memset(longpw, 'a', sizeof longpw - 1);
	longpw[sizeof longpw - 1] = '\0';
	cr_expect_eq(password_check_policy(longpw, &e), ERR_UNPROCESSABLE);
}

Test(roles, parse_and_format)
{
	unsigned r;
	cr_assert_eq(roles_parse("office,dispatcher", &r), 0);
	cr_expect_eq(r, ROLE_OFFICE | ROLE_DISPATCHER);
	char s[128];
	roles_format(r | ROLE_PUBLIC, s, sizeof s);
	cr_expect_str_eq(s, "office,dispatcher");
	cr_expect_eq(roles_parse("public", &r), -1, "not a staff role");
	cr_expect_eq(roles_parse("system", &r), -1);
	cr_expect_eq(roles_parse("", &r), -1);
	cr_expect_eq(roles_parse("admin,,", &r), -1, "an empty name is an error");
	cr_expect_eq(roles_parse("Admin", &r), -1);
	cr_expect_str_eq(role_name(ROLE_INSPECTOR), "inspector");
}

/* ---- users and sessions in a demo database ---- */

static struct db *db;
static char dbfile[64];

static void setup(void)
{
	snprintf(dbfile, sizeof dbfile, "/tmp/wm-auth-%d.db", (int)getpid());
	unlink(dbfile);
	cr_assert_eq(db_open(dbfile, &db, &e), 0, "%s", e.msg);
	cr_assert_eq(migrate_apply(db, &e), 0, "%s", e.msg);
	cr_assert_eq(seed_load(db, WM_DATA_DIR, 1, &e), 0, "%s", e.msg);
}

static void teardown(void)
{
	db_close(db);
	char p[96];
	unlink(dbfile);
	snprintf(p, sizeof p, "%s-wal", dbfile);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", dbfile);
	unlink(p);
}

static int64_t unit_id(const char *code)
{
	int64_t id = 0;
	cr_assert_eq(
	    db_get_int(db, "SELECT id FROM unit WHERE code = ?", DB_ARGS(db_text(code)), &id, &e),
	    0, "%s", code);
	return id;
}

static int64_t add_user(const char *login, const char *unit, unsigned roles)
{
	int64_t id;
	cr_assert_eq(
	    user_create(db, login, "某人", unit_id(unit), roles, "$argon2id$x", 100, &id, &e), 0,
	    "%s", e.msg);
	return id;
}

TestSuite(users, .init = setup, .fini = teardown);

Test(users, create_validates)
{
	int64_t id;
	add_user("zhang.san", "210202", ROLE_HANDLER);
	cr_expect_eq(
	    user_create(db, "zhang.san", "x", unit_id("210202"), ROLE_HANDLER, "h", 1, &id, &e),
	    ERR_CONFLICT);
	cr_expect_eq(
	    user_create(db, "Bad Login", "x", unit_id("210202"), ROLE_HANDLER, "h", 1, &id, &e),
	    ERR_UNPROCESSABLE);
	cr_expect_eq(user_create(db, "ok", "x", 999999, ROLE_HANDLER, "h", 1, &id, &e),
	             ERR_UNPROCESSABLE, "unknown unit");
	cr_expect_eq(user_create(db, "ok", "x", unit_id("210202"), ROLE_PUBLIC, "h", 1, &id, &e),
	             ERR_UNPROCESSABLE, "needs a staff role");
	cr_expect_not(user_login_valid(".dot"));
	cr_expect(user_login_valid("a1"));
}

Test(users, lockout_doubles_and_resets)
{
	int64_t id = add_user("li", "210202", ROLE_HANDLER), until;
	for (int i = 1; i <= 4; i++) {
		cr_assert_eq(user_login_failed(db, id, 1000, &until, &e), 0);
		cr_expect_eq(until, 0, "attempt %d: not locked yet", i);
	}
	cr_assert_eq(user_login_failed(db, id, 1000, &until, &e), 0);
	cr_expect_eq(until, 1060, "fifth: a minute");
	cr_assert_eq(user_login_failed(db, id, 2000, &until, &e), 0);
	cr_expect_eq(until, 2120, "sixth: two minutes");
	for (int i = 0; i < 10; i++)
		cr_assert_eq(user_login_failed(db, id, 3000, &until, &e), 0);
	cr_expect_eq(until, 3000 + 3600, "at most an hour");
	struct user u;
	cr_assert_eq(user_get(db, id, &u, &e), 0);
	cr_expect_eq(u.locked_until, 6600);
	cr_assert_eq(user_login_ok(db, id, &e), 0);
	cr_assert_eq(user_get(db, id, &u, &e), 0);
	cr_expect_eq(u.locked_until, 0);
	cr_expect_eq(u.failed_logins, 0);
}

Test(users, sessions_expire_revoke_and_follow_the_account)
{
	int64_t uid = add_user("wang", "210202", ROLE_HANDLER | ROLE_INSPECTOR);
	char token[SESSION_TOKEN_LEN], csrf[SESSION_TOKEN_LEN];
	int64_t sid;
	cr_assert_eq(session_create(db, uid, "1.2.3.4", "ua", 10000, 0, token, csrf, &sid, &e), 0);
	cr_expect_eq(strlen(token), 43);
	cr_expect_str_neq(token, csrf);
	struct session s;
	cr_assert_eq(session_lookup(db, token, 10001, &s, &e), 0, "%s", e.msg);
	cr_expect_eq(s.user_id, uid);
	cr_expect_eq(s.roles, ROLE_HANDLER | ROLE_INSPECTOR);
	cr_expect_str_eq(s.csrf, csrf);
	cr_expect_str_eq(s.login, "wang");
	/* The stored form is a hash: the token itself is nowhere in the database. */
	int64_t n = -1;
	cr_assert_eq(db_get_int(db, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?",
	                        DB_ARGS(db_text(token)), &n, &e),
	             0);
	cr_expect_eq(n, 0);
	/* Idle: two hours without a touch. */
	cr_expect_eq(session_lookup(db, token, 10000 + SESSION_IDLE_S, &s, &e), ERR_FORBIDDEN);
	cr_assert_eq(session_touch(db, sid, 10000 + SESSION_IDLE_S - 10, &e), 0);
	cr_expect_eq(session_lookup(db, token, 10000 + SESSION_IDLE_S + 100, &s, &e), 0);
	/* Absolute: twelve hours, however busy. */
	cr_assert_eq(session_touch(db, sid, 10000 + SESSION_ABSOLUTE_S - 5, &e), 0);
	cr_expect_eq(session_lookup(db, token, 10000 + SESSION_ABSOLUTE_S, &s, &e), ERR_FORBIDDEN);
	/* Forged, malformed and revoked tokens. */
	char forged[SESSION_TOKEN_LEN];
	memcpy(forged, token, sizeof forged);
	forged[0] = forged[0] == 'A' ? 'B' : 'A';
	cr_expect_eq(session_lookup(db, forged, 10002, &s, &e), ERR_FORBIDDEN);
	cr_expect_eq(session_lookup(db, "short", 10002, &s, &e), ERR_FORBIDDEN);
	cr_expect_eq(session_lookup(db, NULL, 10002, &s, &e), ERR_FORBIDDEN);
	cr_expect_eq(session_revoke(db, sid, uid + 1, 10003, &e), ERR_NOT_FOUND,
	             "not another user's session");
	cr_assert_eq(session_revoke(db, sid, uid, 10003, &e), 0);
	cr_expect_eq(session_lookup(db, token, 10004, &s, &e), ERR_FORBIDDEN);
	/* Disabling the account ends its sessions. */
	cr_assert_eq(session_create(db, uid, "", "", 20000, 0, token, csrf, &sid, &e), 0);
	cr_assert_eq(user_update(db, uid, NULL, 0, 0, 0, 20001, &e), 0);
	cr_expect_eq(session_lookup(db, token, 20002, &s, &e), ERR_FORBIDDEN);
}

/* ---- reach ---- */

Test(users, reach_follows_the_unit_tree)
{
	struct refcache *c;
	struct refdata *d;
	cr_assert_eq(refcache_new(&c), 0);
	cr_assert_eq(refcache_get(c, db, &d, &e), 0, "%s", e.msg);
	struct principal district = {.roles = ROLE_HANDLER, .unit_id = unit_id("210202")};
	struct principal office_unit = {.roles = ROLE_DISPATCHER, .unit_id = unit_id("O-WMB")};
	struct principal office_role = {.roles = ROLE_OFFICE, .unit_id = unit_id("210203")};
	struct principal nobody = {.roles = ROLE_HANDLER, .unit_id = 0};
	int64_t root = reach_root(&district, d);
	cr_expect_eq(root, unit_id("210202"));
	cr_expect(reach_contains(d, root, unit_id("210202")));
	cr_expect(reach_contains(d, root, unit_id("210202001")), "its street");
	cr_expect(reach_contains(d, root, unit_id("210202001001")), "its community");
	cr_expect_not(reach_contains(d, root, unit_id("210203")), "another district");
	cr_expect_not(reach_contains(d, root, unit_id("210203001")));
	cr_expect_not(reach_contains(d, root, unit_id("C-WMW")), "not upwards");
	cr_expect_not(reach_contains(d, root, 0), "an unassigned case is not a district's");
	cr_expect_eq(reach_root(&office_unit, d), 0, "the office's people act citywide");
	cr_expect_eq(reach_root(&office_role, d), 0, "as does the office role anywhere");
	cr_expect(reach_contains(d, 0, unit_id("210203001")));
	int64_t none = reach_root(&nobody, d);
	cr_expect_not(reach_contains(d, none, unit_id("210202")));
	refdata_release(d);
	refcache_free(c);
}

/* ---- request checks ---- */

static struct http_req request(struct arena *a, const char *method, const char *path)
{
	return (struct http_req){.arena = a, .method = method, .path = path};
}

Test(request, csrf_only_for_sessions_changing_state)
{
	struct arena a;
	arena_init(&a);
	struct http_req r = request(&a, "POST", "/api/v1/units");
	cr_expect_eq(request_check_csrf(&r, &e), 0, "no session: nothing to forge");
	r.who = (struct principal){.session_id = 1, .csrf = "tok-123"};
	cr_expect_eq(request_check_csrf(&r, &e), ERR_FORBIDDEN, "session without token");
	struct param p = {.name = "csrf_token", .value = "tok-123"};
	r.params = &p;
	cr_expect_eq(request_check_csrf(&r, &e), 0, "the form field");
	p.value = "tok-124";
	cr_expect_eq(request_check_csrf(&r, &e), ERR_FORBIDDEN, "a wrong token");
	p.value = "tok-12";
	cr_expect_eq(request_check_csrf(&r, &e), ERR_FORBIDDEN, "a prefix");
	r.method = "GET";
	cr_expect_eq(request_check_csrf(&r, &e), 0, "reads need none");
	r.method = "POST";
	r.path = "/api/v1/session";
	cr_expect_eq(request_check_csrf(&r, &e), 0, "logging in needs none");
	arena_free(&a);
}

Test(request, client_address_and_request_id)
{
	struct arena a;
	arena_init(&a);
	cr_expect_str_eq(request_client_ip(&a, "10.0.0.5", "1.2.3.4"), "10.0.0.5",
	                 "only our proxy may say who the client is");
	cr_expect_str_eq(request_client_ip(&a, "127.0.0.1", "6.6.6.6, 1.2.3.4"), "1.2.3.4",
	                 "the address the proxy added, not the client's claim");
	cr_expect_str_eq(request_client_ip(&a, "::1", " 2001:db8::1 "), "2001:db8::1");
	cr_expect_str_eq(request_client_ip(&a, "127.0.0.1", "evil<script>"), "127.0.0.1");
	cr_expect_str_eq(request_client_ip(&a, "127.0.0.1", NULL), "127.0.0.1");
	cr_expect_str_eq(request_id_of(&a, "abcd-1234_x.y"), "abcd-1234_x.y");
	const char *gen = request_id_of(&a, "bad id\r\n");
	cr_expect_eq(strlen(gen), 16);
	cr_expect_eq(strspn(gen, "0123456789abcdef"), 16);
	cr_expect_eq(strlen(request_id_of(&a, "short")), 16, "too short: replaced");
	cr_expect(request_is_secure(NULL, "https"));
	cr_expect(request_is_secure("https://wenming.example.cn", NULL));
	cr_expect_not(request_is_secure("http://x", "http"));
	arena_free(&a);
}
