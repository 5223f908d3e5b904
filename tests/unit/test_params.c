/* Parameters: urlencoded and multipart parsing, then declared validation of every type. */
#include <criterion/criterion.h>
#include <string.h>

#include "http/params.h"

static struct arena arena;
static struct param_list pl;
static struct err err;

static void setup(void)
{
	arena_init(&arena);
	params_init(&pl);
	memset(&err, 0, sizeof err);
}

static void teardown(void)
{
	arena_free(&arena);
}

/* Starts over within a test. */
static void reset(void)
{
	teardown();
	setup();
}

TestSuite(urlencoded, .init = setup, .fini = teardown);
TestSuite(multipart, .init = setup, .fini = teardown);
TestSuite(validate, .init = setup, .fini = teardown);

/* A writable arena copy with one spare byte, as the server hands bodies over. */
static char *dup(const char *s, size_t n)
{
	return arena_strndup(&arena, s, n);
}

static int urlenc(const char *s)
{
	return params_parse_urlencoded(&arena, dup(s, strlen(s)), strlen(s), &pl, &err);
}

static const struct param *nth(int n)
{
	const struct param *p = pl.head;
	while (p && n-- > 0)
		p = p->next;
	return p;
}

Test(urlencoded, escapes_plus_and_order)
{
	cr_assert_eq(urlenc("a=1&b=%E4%BD%A0%E5%A5%BD+x&c%5B1%5D=a%2Bb&d=&e&&=z"), 0);
	cr_assert_eq(pl.count, 5);
	cr_assert_str_eq(nth(0)->name, "a");
	cr_assert_str_eq(nth(0)->value, "1");
	cr_assert_str_eq(nth(1)->value, "你好 x");
	cr_assert_eq(nth(1)->len, strlen("你好 x"));
	cr_assert_str_eq(nth(2)->name, "c[1]");
	cr_assert_str_eq(nth(2)->value, "a+b");
	cr_assert_str_eq(nth(3)->name, "d");
	cr_assert_str_eq(nth(3)->value, "");
	cr_assert_str_eq(nth(4)->name, "e");
	cr_assert_str_eq(nth(4)->value, "");
	cr_assert_null(nth(0)->filename);
}

Test(urlencoded, appends_after_existing)
{
	cr_assert_eq(urlenc("q=1"), 0);
	cr_assert_eq(urlenc("b=2"), 0);
	cr_assert_str_eq(nth(0)->name, "q");
	cr_assert_str_eq(nth(1)->name, "b");
}

Test(urlencoded, nul_in_value_is_kept_with_its_length)
{
	cr_assert_eq(urlenc("a=x%00y"), 0);
	cr_assert_eq(nth(0)->len, 3);
	/* ...and validation refuses it later. */
	cr_assert_eq(params_validate(NULL, pl.head, &err), ERR_BAD_REQUEST);
	cr_assert(strstr(err.msg, "`a`"));
}

Test(urlencoded, bad_input)
{
	cr_assert_eq(urlenc("a=%zz"), ERR_BAD_REQUEST);
	cr_assert(strstr(err.msg, "`a`"), "%s", err.msg);
	reset();
	cr_assert_eq(urlenc("a=%4"), ERR_BAD_REQUEST);
	reset();
	cr_assert_eq(urlenc("a%0=1"), ERR_BAD_REQUEST);
	reset();
	cr_assert_eq(urlenc("a%00b=1"), ERR_BAD_REQUEST);
}

Test(urlencoded, too_many)
{
	size_t n = (PARAMS_MAX + 1) * 4;
	char *s = arena_alloc(&arena, n + 1);
	for (size_t i = 0; i < n; i += 4)
		memcpy(s + i, "a=1&", 4);
	cr_assert_eq(params_parse_urlencoded(&arena, s, n, &pl, &err), ERR_BAD_REQUEST);
}

Test(urlencoded, url_decode_plus_only_when_asked)
{
	char s[] = "a+b%20c";
	cr_assert_eq(url_decode(s, strlen(s), false), 5);
	cr_assert_str_eq(s, "a+b c");
}

/* ---- multipart ---- */

static const char BOUNDARY[] = "----WebKitFormBoundaryX3";

static int mp(const char *body, size_t len, int max_files)
{
	return params_parse_multipart(&arena, dup(body, len), len, BOUNDARY, max_files, &pl, &err);
}

#define CRLF "\r\n"
#define DELIM "------WebKitFormBoundaryX3"

Test(multipart, fields_and_binary_files)
{
	static const char body[] =
	    "preamble to ignore" CRLF DELIM CRLF
	    "Content-Disposition: form-data; name=\"description\"" CRLF CRLF
	    "路灯坏了\r\nsecond line" CRLF DELIM CRLF
	    "content-disposition: form-data; name=\"media\"; filename=\"a.jpg\"" CRLF
	    "Content-Type: image/jpeg" CRLF CRLF
	    "\xff\xd8\x00\x01\r\n--not-the-boundary\x00\xff" CRLF DELIM CRLF
	    "Content-Disposition: form-data; filename=\"b.png\"; name=media" CRLF
	    "Content-Type: image/png" CRLF CRLF "\x89PNG\x00" CRLF DELIM "--" CRLF "epilogue";
	cr_assert_eq(mp(body, sizeof body - 1, 5), 0, "%s", err.msg);
	cr_assert_eq(pl.count, 3);
	cr_assert_str_eq(nth(0)->name, "description");
	cr_assert_str_eq(nth(0)->value, "路灯坏了\r\nsecond line");
	cr_assert_null(nth(0)->filename);

	const struct param *f = nth(1);
	cr_assert_str_eq(f->name, "media");
	cr_assert_str_eq(f->filename, "a.jpg");
	cr_assert_str_eq(f->content_type, "image/jpeg");
	static const char img[] = "\xff\xd8\x00\x01\r\n--not-the-boundary\x00\xff";
	cr_assert_eq(f->len, sizeof img - 1);
	cr_assert_eq(memcmp(f->value, img, f->len), 0);
	cr_assert_eq(f->value[f->len], '\0', "files are NUL-terminated too");

	f = nth(2);
	cr_assert_str_eq(f->filename, "b.png");
	cr_assert_str_eq(f->content_type, "image/png");
	cr_assert_eq(f->len, 5);
	cr_assert_eq(memcmp(f->value, "\x89PNG\x00", 5), 0);
	cr_assert_eq(pl.files, 2);
}

Test(multipart, empty_file_input_is_skipped)
{
	static const char body[] =
	    DELIM CRLF "Content-Disposition: form-data; name=\"media\"; filename=\"\"" CRLF
	               "Content-Type: application/octet-stream" CRLF CRLF CRLF DELIM "--" CRLF;
	cr_assert_eq(mp(body, sizeof body - 1, 5), 0, "%s", err.msg);
	cr_assert_eq(pl.count, 0);
}

Test(multipart, quoted_names_unescaped)
{
	static const char body[] =
	    DELIM CRLF "Content-Disposition: form-data; name=\"attribute[WHERE]\"; "
	               "filename=\"x\\\"y.txt\"" CRLF CRLF "v" CRLF DELIM "--";
	cr_assert_eq(mp(body, sizeof body - 1, 5), 0, "%s", err.msg);
	cr_assert_str_eq(nth(0)->name, "attribute[WHERE]");
	cr_assert_str_eq(nth(0)->filename, "x\"y.txt");
}

Test(multipart, too_many_files)
{
	static const char body[] =
	    DELIM CRLF "Content-Disposition: form-data; name=\"f\"; filename=\"1\"" CRLF CRLF
	               "1" CRLF DELIM CRLF
	               "Content-Disposition: form-data; name=\"f\"; filename=\"2\"" CRLF CRLF
	               "2" CRLF DELIM "--";
	cr_assert_eq(mp(body, sizeof body - 1, 2), 0);
	reset();
	cr_assert_eq(mp(body, sizeof body - 1, 1), ERR_TOO_LARGE);
}

Test(multipart, truncated_and_malformed)
{
	static const char *bad[] = {
	    /* truncated in the data: no closing delimiter */
	    DELIM CRLF "Content-Disposition: form-data; name=\"a\"" CRLF CRLF "value",
	    /* truncated in the headers */
	    DELIM CRLF "Content-Disposition: form-data; name=\"a\"" CRLF,
	    /* truncated right after a delimiter */
	    DELIM CRLF "Content-Disposition: form-data; name=\"a\"" CRLF CRLF "v" CRLF DELIM,
	    /* no delimiter at all */
	    "just some bytes",
	    "",
	    /* a part without a name */
	    DELIM CRLF "Content-Disposition: form-data" CRLF CRLF "v" CRLF DELIM "--",
	    /* not form-data */
	    DELIM CRLF "Content-Disposition: attachment; name=\"a\"" CRLF CRLF "v" CRLF DELIM "--",
	    /* header line without a colon */
	    DELIM CRLF "garbage" CRLF CRLF "v" CRLF DELIM "--",
	    /* unterminated quoted name */
	    DELIM CRLF "Content-Disposition: form-data; name=\"a" CRLF CRLF "v" CRLF DELIM "--",
	    /* junk after a delimiter */
	    DELIM "xx" CRLF "Content-Disposition: form-data; name=\"a\"" CRLF CRLF "v" CRLF DELIM
	          "--",
	    /* no headers */
	    DELIM CRLF CRLF "v" CRLF DELIM "--",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		reset();
		cr_assert_eq(mp(bad[i], strlen(bad[i]), 5), ERR_BAD_REQUEST, "case %zu", i);
	}
}

Test(multipart, bad_boundary)
{
	const char *body =
	    "--a b" CRLF "Content-Disposition: form-data; name=\"a\"" CRLF CRLF "v" CRLF "--a b--";
	cr_assert_eq(
	    params_parse_multipart(&arena, dup(body, strlen(body)), strlen(body), "", 5, &pl, &err),
	    ERR_BAD_REQUEST);
	char longb[80];
	memset(longb, 'b', 71);
	longb[71] = '\0';
	cr_assert_eq(params_parse_multipart(&arena, dup(body, strlen(body)), strlen(body), longb, 5,
	                                    &pl, &err),
	             ERR_BAD_REQUEST);
	cr_assert_eq(params_parse_multipart(&arena, dup(body, strlen(body)), strlen(body), "a\"b",
	                                    5, &pl, &err),
	             ERR_BAD_REQUEST);
}

Test(multipart, boundary_from_header)
{
	cr_assert_str_eq(params_boundary(&arena, "multipart/form-data; boundary=abc"), "abc");
	cr_assert_str_eq(
	    params_boundary(&arena, "multipart/form-data;boundary=\"a b:c\"; charset=utf-8"),
	    "a b:c");
	cr_assert_str_eq(params_boundary(&arena, "Multipart/Form-Data; charset=x; BOUNDARY=zz"),
	                 "zz");
	cr_assert_null(params_boundary(&arena, "multipart/form-data"));
	cr_assert_null(params_boundary(&arena, "multipart/form-data; boundary="));
	cr_assert_null(params_boundary(&arena, "multipart/form-data; boundary=a<b"));
	cr_assert_null(params_boundary(&arena, NULL));
}

/* ---- validation ---- */

static struct param *mk(const char *name, const char *value)
{
	struct param *p = arena_alloc(&arena, sizeof *p);
	p->name = name;
	p->value = value;
	p->len = strlen(value);
	*pl.tail = p;
	pl.tail = &p->next;
	return p;
}

static int check(const struct param_spec *specs)
{
	return params_validate(specs, pl.head, &err);
}

static int one(struct param_spec spec, const char *value)
{
	reset();
	struct param_spec specs[2] = {spec, {.name = NULL}};
	mk(spec.name, value);
	int rc = check(specs);
	teardown();
	reset();
	return rc;
}

Test(validate, required_and_duplicates)
{
	const struct param_spec specs[] = {
	    {.name = "service_code", .type = PT_STRING, .flags = PF_REQUIRED},
	    {.name = "media_url", .type = PT_URL},
	    {.name = "tag", .type = PT_STRING, .flags = PF_MULTI},
	    {.name = NULL},
	};
	cr_assert_eq(check(specs), ERR_BAD_REQUEST);
	cr_assert_str_eq(err.msg, "`service_code` is required");
	mk("service_code", "001");
	mk("tag", "a");
	mk("tag", "b");
	mk("unknown", "ignored");
	cr_assert_eq(check(specs), 0);
	mk("service_code", "002");
	cr_assert_eq(check(specs), ERR_BAD_REQUEST);
	cr_assert(strstr(err.msg, "`service_code`") && strstr(err.msg, "more than once"), "%s",
	          err.msg);
}

Test(validate, utf8_everywhere_but_files)
{
	mk("unknown", "\xc3\x28");
	cr_assert_eq(check(NULL), ERR_BAD_REQUEST);
	cr_assert(strstr(err.msg, "`unknown`") && strstr(err.msg, "UTF-8"), "%s", err.msg);
	reset();
	struct param *f = mk("media", "\xff\xfe\x00");
	f->len = 3;
	f->filename = "x.bin";
	const struct param_spec specs[] = {{.name = "media", .type = PT_FILE, .max_len = 10},
	                                   {.name = NULL}};
	cr_assert_eq(check(specs), 0);
	reset();
	mk("bad\xff", "x");
	cr_assert_eq(check(NULL), ERR_BAD_REQUEST);
}

Test(validate, lengths)
{
	char s[1002];
	memset(s, 'a', 1001);
	s[1001] = '\0';
	cr_assert_eq(one((struct param_spec){.name = "x", .type = PT_STRING}, s), ERR_BAD_REQUEST);
	s[1000] = '\0';
	cr_assert_eq(one((struct param_spec){.name = "x", .type = PT_STRING}, s), 0,
	             "0 means 1000");
	cr_assert_eq(one((struct param_spec){.name = "x", .type = PT_STRING, .max_len = 6}, "你好"),
	             0);
	cr_assert_eq(one((struct param_spec){.name = "x", .type = PT_STRING, .max_len = 5}, "你好"),
	             ERR_BAD_REQUEST, "bytes, not characters");
}

Test(validate, files)
{
	const struct param_spec specs[] = {{.name = "media", .type = PT_FILE, .max_len = 4},
	                                   {.name = NULL}};
	struct param *f = mk("media", "12345");
	f->filename = "a";
	cr_assert_eq(check(specs), ERR_TOO_LARGE);
	f->len = 4;
	cr_assert_eq(check(specs), 0);
	f->filename = NULL;
	cr_assert_eq(check(specs), ERR_BAD_REQUEST, "a plain field is not a file");
	reset();
	const struct param_spec text[] = {{.name = "d", .type = PT_TEXT}, {.name = NULL}};
	mk("d", "x")->filename = "d.txt";
	cr_assert_eq(check(text), ERR_BAD_REQUEST, "a file is not a text field");
}

Test(validate, string_and_text_controls)
{
	struct param_spec str = {.name = "s", .type = PT_STRING};
	struct param_spec txt = {.name = "t", .type = PT_TEXT};
	cr_assert_eq(one(str, "东港区 人民路 1 号"), 0);
	cr_assert_eq(one(str, "a\nb"), ERR_BAD_REQUEST);
	cr_assert_eq(one(str, "a\tb"), ERR_BAD_REQUEST);
	cr_assert_eq(one(str, "a\x7f"), ERR_BAD_REQUEST);
	cr_assert_eq(one(str, "a\xc2\x85"), ERR_BAD_REQUEST, "C1 NEL");
	cr_assert_eq(one(txt, "line 1\r\nline\t2"), 0);
	cr_assert_eq(one(txt, "bell\a"), ERR_BAD_REQUEST);
	cr_assert_eq(one(txt, "esc\x1b[31m"), ERR_BAD_REQUEST);
}

Test(validate, ints)
{
	struct param_spec s = {.name = "n", .type = PT_INT, .min = 1, .max = 100};
	const struct param_spec specs[] = {s, {.name = NULL}};
	struct param *p = mk("n", "42");
	cr_assert_eq(check(specs), 0);
	cr_assert_eq(p->ival, 42);
	const char *bad[] = {"",
	                     "-",
	                     "0",
	                     "101",
	                     "4 2",
	                     " 42",
	                     "42 ",
	                     "0x10",
	                     "1e2",
	                     "+5",
	                     "4.0",
	                     "42abc",
	                     "99999999999999999999"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(one(s, bad[i]), ERR_BAD_REQUEST, "%s", bad[i]);
	struct param_spec any = {.name = "n", .type = PT_INT};
	cr_assert_eq(one(any, "-9223372036854775808"), 0, "no range declared");
	cr_assert_eq(one(any, "9223372036854775808"), ERR_BAD_REQUEST);
	cr_assert_eq(one(any, "007"), 0);
}

Test(validate, doubles)
{
	struct param_spec s = {.name = "lat", .type = PT_DOUBLE, .min = -90, .max = 90};
	const struct param_spec specs[] = {s, {.name = NULL}};
	struct param *p = mk("lat", "38.914");
	cr_assert_eq(check(specs), 0);
	cr_assert_float_eq(p->dval, 38.914, 1e-12);
	const char *good[] = {"0", "-0.5", ".5", "5.", "1e1", "-9E+1"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		cr_assert_eq(one(s, good[i]), 0, "%s", good[i]);
	const char *bad[] = {"",    ".",   "-",    "90.0001", "nan", "inf",   "0x1p3", "1e",
	                     "1e+", "1,5", "1.5 ", " 1",      "+1",  "1e400", "--1",   "1.2.3"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(one(s, bad[i]), ERR_BAD_REQUEST, "%s", bad[i]);
}

Test(validate, datetimes)
{
	struct param_spec s = {.name = "start_date", .type = PT_DATETIME};
	const struct param_spec specs[] = {s, {.name = NULL}};
	struct param *p = mk("start_date", "2026-01-31T09:30:00+08:00");
	cr_assert_eq(check(specs), 0);
	cr_assert_eq(p->ival, 1769823000);
	cr_assert_eq(one(s, "2026-01-31T01:30:00Z"), 0);
	cr_assert_eq(one(s, "2026-02-30T01:30:00Z"), ERR_BAD_REQUEST);
	cr_assert_eq(one(s, "yesterday"), ERR_BAD_REQUEST);
	cr_assert_eq(one(s, "2026-01-31T01:30:00Zjunk"), ERR_BAD_REQUEST);
}

Test(validate, enums)
{
	static const char *const statuses[] = {"open", "closed", NULL};
	struct param_spec s = {.name = "status", .type = PT_ENUM, .values = statuses};
	cr_assert_eq(one(s, "open"), 0);
	cr_assert_eq(one(s, "closed"), 0);
	mk("status", "Open");
	const struct param_spec specs[] = {s, {.name = NULL}};
	cr_assert_eq(check(specs), ERR_BAD_REQUEST);
	cr_assert(strstr(err.msg, "open, closed"), "%s", err.msg);
	cr_assert_eq(one(s, ""), ERR_BAD_REQUEST);
}

Test(validate, lists)
{
	struct param_spec s = {
	    .name = "service_request_id", .type = PT_LIST, .max_len = 5, .max = 3};
	cr_assert_eq(one(s, "1"), 0);
	cr_assert_eq(one(s, "1,22,333"), 0);
	cr_assert_eq(one(s, "1,2,3,4"), ERR_BAD_REQUEST, "too many");
	cr_assert_eq(one(s, "1,,3"), ERR_BAD_REQUEST, "empty token");
	cr_assert_eq(one(s, ",1"), ERR_BAD_REQUEST);
	cr_assert_eq(one(s, "1,"), ERR_BAD_REQUEST);
	cr_assert_eq(one(s, ""), ERR_BAD_REQUEST);
	s.flags = PF_EMPTY;
	cr_assert_eq(one(s, ""), 0, "PF_EMPTY: sent empty, no items");
	cr_assert_eq(one(s, "1,"), ERR_BAD_REQUEST, "PF_EMPTY allows no empty item");
	s.flags = 0;
	cr_assert_eq(one(s, "123456"), ERR_BAD_REQUEST, "token too long");
	cr_assert_eq(one(s, "1,2\n"), ERR_BAD_REQUEST, "control character");
	static const char *const statuses[] = {"open", "closed", NULL};
	struct param_spec st = {
	    .name = "status", .type = PT_LIST, .max_len = 6, .max = 2, .values = statuses};
	cr_assert_eq(one(st, "open"), 0);
	cr_assert_eq(one(st, "closed,open"), 0);
	mk("status", "open,opened");
	const struct param_spec specs[] = {st, {.name = NULL}};
	cr_assert_eq(check(specs), ERR_BAD_REQUEST, "each token is checked against values");
	cr_assert_str_eq(err.msg, "`status` must be a list of: open, closed");
}

Test(validate, urls)
{
	struct param_spec s = {.name = "media_url", .type = PT_URL};
	const char *good[] = {
	    "http://example.com",         "https://img.dalian.gov.cn/a/b.jpg?x=1#f",
	    "HTTPS://EXAMPLE.COM:8443/x", "http://10.0.0.1/",
	    "http://[::1]:8080/p",        "https://example.com/路灯.jpg"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		cr_assert_eq(one(s, good[i]), 0, "%s", good[i]);
	const char *bad[] = {"",
	                     "example.com",
	                     "ftp://example.com/x",
	                     "http://",
	                     "http:///x",
	                     "javascript:alert(1)",
	                     "http://exa mple.com",
	                     "http://example.com/a b",
	                     "http://user@evil.com/",
	                     "http://example.com:0/",
	                     "http://example.com:99999/",
	                     "http://example.com:/",
	                     "http://[zz]/",
	                     "http://[]/",
	                     "http://ex_ample.com/",
	                     "http://例子.cn/",
	                     "http://example.com/\t"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_eq(one(s, bad[i]), ERR_BAD_REQUEST, "%s", bad[i]);
}

Test(validate, prefix_params)
{
	const struct param_spec specs[] = {
	    {.name = "attribute[", .type = PT_STRING, .flags = PF_PREFIX, .max_len = 10},
	    {.name = NULL},
	};
	mk("attribute[WHERE]", "street");
	mk("attribute[KIND][]", "a");
	cr_assert_eq(check(specs), 0);
	mk("attribute[WHERE]", "again");
	cr_assert_eq(check(specs), ERR_BAD_REQUEST, "a repeated full name is a duplicate");
	cr_assert(strstr(err.msg, "`attribute[WHERE]`"), "%s", err.msg);

	reset();
	const struct param_spec multi[] = {
	    {.name = "attribute[", .type = PT_STRING, .flags = PF_PREFIX | PF_MULTI, .max_len = 10},
	    {.name = NULL},
	};
	mk("attribute[KIND][]", "a");
	mk("attribute[KIND][]", "b");
	cr_assert_eq(check(multi), 0);
	mk("attribute[X]", "this is far too long");
	cr_assert_eq(check(multi), ERR_BAD_REQUEST);
	cr_assert(strstr(err.msg, "`attribute[X]`"), "%s", err.msg);
	reset();
	mk("attribute[", "ok");
	mk("attributes", "not matched");
	cr_assert_eq(check(multi), 0);
	reset();
	mk("attribute[X]", "a\nb");
	cr_assert_eq(check(multi), ERR_BAD_REQUEST);
}
