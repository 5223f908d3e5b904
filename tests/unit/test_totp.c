#include <criterion/criterion.h>

#include "core/totp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 6238 Appendix B: each algorithm has its own seed, the ASCII digits repeated to the
 * hash's length (the RFC's text says 20 bytes for all; its reference code uses these). */
static const char SEED1[] = "12345678901234567890";
static const char SEED256[] = "12345678901234567890123456789012";
static const char SEED512[] = "1234567890123456789012345678901234567890123456789012345678901234";

#define U8(s) ((const uint8_t *)(s))

static uint32_t totp8(enum totp_alg alg, int64_t t)
{
	const char *seed = alg == TOTP_SHA1 ? SEED1 : alg == TOTP_SHA256 ? SEED256 : SEED512;
	uint32_t code = 0;
	struct err e = {0};
	cr_assert_eq(totp_code(U8(seed), strlen(seed), t, 30, 8, alg, &code, &e), 0, "%s", e.msg);
	return code;
}

Test(totp, rfc6238_appendix_b)
{
	static const struct {
		int64_t t;
		uint32_t sha1, sha256, sha512;
	} v[] = {
	    {59, 94287082, 46119246, 90693936},
	    {1111111109, 7081804, 68084774, 25091201},
	    {1111111111, 14050471, 67062674, 99943326},
	    {1234567890, 89005924, 91819424, 93441116},
	    {2000000000, 69279037, 90698825, 38618901},
	    {INT64_C(20000000000), 65353130, 77737706, 47863826},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		cr_expect_eq(totp8(TOTP_SHA1, v[i].t), v[i].sha1, "SHA1 at %lld",
		             (long long)v[i].t);
		cr_expect_eq(totp8(TOTP_SHA256, v[i].t), v[i].sha256, "SHA256 at %lld",
		             (long long)v[i].t);
		cr_expect_eq(totp8(TOTP_SHA512, v[i].t), v[i].sha512, "SHA512 at %lld",
		             (long long)v[i].t);
	}
}

Test(totp, rfc4226_appendix_d)
{
	static const uint32_t want[] = {755224, 287082, 359152, 969429, 338314,
	                                254676, 287922, 162583, 399871, 520489};
	for (uint64_t c = 0; c < 10; c++) {
		uint32_t code = 0;
		cr_assert_eq(hotp_code(U8(SEED1), 20, c, 6, TOTP_SHA1, &code, NULL), 0);
		cr_expect_eq(code, want[c], "counter %llu: %u", (unsigned long long)c, code);
	}
}

Test(totp, code_is_hotp_of_the_step)
{
	uint32_t a = 0, b = 0;
	cr_assert_eq(totp_code(U8(SEED1), 20, 59, 30, 6, TOTP_SHA1, &a, NULL), 0);
	cr_expect_eq(a, 287082); /* step 1 = HOTP counter 1 */
	cr_assert_eq(totp_code(U8(SEED1), 20, 60, 60, 6, TOTP_SHA1, &b, NULL), 0);
	cr_expect_eq(b, 287082); /* a 60 s step: 60 / 60 = 1 */
	cr_assert_eq(totp_code(U8(SEED1), 20, 0, 30, 6, TOTP_SHA1, &a, NULL), 0);
	cr_expect_eq(a, 755224);
}

Test(totp, bad_arguments)
{
	uint32_t c = 0;
	struct err e = {0};
	cr_expect_eq(totp_code(U8(SEED1), 20, -1, 30, 6, TOTP_SHA1, &c, &e), ERR_BAD_REQUEST);
	cr_expect_eq(totp_code(U8(SEED1), 20, 0, 0, 6, TOTP_SHA1, &c, &e), ERR_BAD_REQUEST);
	cr_expect_eq(totp_code(U8(SEED1), 20, 0, 30, 5, TOTP_SHA1, &c, &e), ERR_BAD_REQUEST);
	cr_expect_eq(totp_code(U8(SEED1), 20, 0, 30, 9, TOTP_SHA1, &c, &e), ERR_BAD_REQUEST);
	cr_expect_eq(totp_code(U8(SEED1), 0, 0, 30, 6, TOTP_SHA1, &c, &e), ERR_BAD_REQUEST);
	cr_expect_eq(totp_code(NULL, 20, 0, 30, 6, TOTP_SHA1, &c, &e), ERR_BAD_REQUEST);
	cr_expect_eq(totp_code(U8(SEED1), 20, 0, 30, 6, (enum totp_alg)7, &c, &e), ERR_BAD_REQUEST);
	cr_expect_eq(hotp_code(U8(SEED512), TOTP_SECRET_MAX + 1, 0, 6, TOTP_SHA1, &c, &e),
	             ERR_BAD_REQUEST);
	cr_expect_neq(e.msg[0], '\0');
}

/* ---- base32 ---- */

static char *enc(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	totp_base32_encode(U8(s), n, &b);
	return buf_detach(&b, NULL);
}

static int dec(const char *in, uint8_t *out, size_t cap, size_t *n)
{
	struct err e = {0};
	int rc = totp_base32_decode(in, out, cap, n, &e);
	cr_expect((rc == 0) == (e.msg[0] == '\0'), "rc %d, msg '%s'", rc, e.msg);
	return rc;
}

Test(base32, rfc4648_vectors)
{
	static const struct {
		const char *plain, *padded, *bare;
	} v[] = {
	    {"", "", ""},
	    {"f", "MY======", "MY"},
	    {"fo", "MZXQ====", "MZXQ"},
	    {"foo", "MZXW6===", "MZXW6"},
	    {"foob", "MZXW6YQ=", "MZXW6YQ"},
	    {"fooba", "MZXW6YTB", "MZXW6YTB"},
	    {"foobar", "MZXW6YTBOI======", "MZXW6YTBOI"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t n = strlen(v[i].plain);
		char *s = enc(v[i].plain, n);
		cr_expect_str_eq(s, v[i].bare);
		free(s);
		uint8_t out[16];
		size_t got = 99;
		cr_expect_eq(dec(v[i].padded, out, sizeof out, &got), 0, "%s", v[i].padded);
		cr_expect(got == n && memcmp(out, v[i].plain, n) == 0, "%s", v[i].padded);
		got = 99;
		cr_expect_eq(dec(v[i].bare, out, sizeof out, &got), 0, "%s", v[i].bare);
		cr_expect(got == n && memcmp(out, v[i].plain, n) == 0, "%s", v[i].bare);
	}
}

Test(base32, rfc6238_seed)
{
	char *s = enc(SEED1, 20);
	cr_expect_str_eq(s, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	free(s);
}

Test(base32, lenient_input)
{
	uint8_t out[16];
	size_t n = 0;
	/* as people copy them: lower case, groups of four with spaces */
	cr_assert_eq(dec("mzxw 6ytb oi", out, sizeof out, &n), 0);
	cr_expect(n == 6 && memcmp(out, "foobar", 6) == 0);
	cr_assert_eq(dec("  MzXw6YtBoI== ==  ", out, sizeof out, &n), 0);
	cr_expect(n == 6 && memcmp(out, "foobar", 6) == 0);
	/* non-zero leftover bits are tolerated (MZ and M3 both end "f" + 2 spare bits) */
	cr_assert_eq(dec("M3", out, sizeof out, &n), 0);
	cr_expect(n == 1 && out[0] == 'f');
}

Test(base32, rejects)
{
	uint8_t out[16];
	size_t n = 99;
	cr_expect_eq(dec("MZXW1", out, sizeof out, &n), ERR_BAD_REQUEST); /* 1 not in alphabet */
	cr_expect_eq(n, 0);
	cr_expect_eq(dec("MZXW8", out, sizeof out, &n), ERR_BAD_REQUEST);
	cr_expect_eq(dec("MZXW0", out, sizeof out, &n), ERR_BAD_REQUEST);
	cr_expect_eq(dec("MZ-XW", out, sizeof out, &n), ERR_BAD_REQUEST);
	cr_expect_eq(dec("MZ\tXW", out, sizeof out, &n), ERR_BAD_REQUEST);
	cr_expect_eq(dec("MZXW\xC3\xA9", out, sizeof out, &n), ERR_BAD_REQUEST);
	cr_expect_eq(dec("MY=A", out, sizeof out, &n), ERR_BAD_REQUEST); /* data after padding */
	/* lengths no byte string encodes to */
	cr_expect_eq(dec("M", out, sizeof out, &n), ERR_BAD_REQUEST);
	cr_expect_eq(dec("MZX", out, sizeof out, &n), ERR_BAD_REQUEST);
	cr_expect_eq(dec("MZXW6Y", out, sizeof out, &n), ERR_BAD_REQUEST);
	cr_expect_eq(dec("MZXW6YTBM", out, sizeof out, &n), ERR_BAD_REQUEST);
	/* too long for the buffer: never written past cap */
	uint8_t small[5] = {0};
	cr_expect_eq(dec("MZXW6YTBOI", small, 5, &n), ERR_BAD_REQUEST);
	cr_expect_eq(dec("MZXW6YTB", small, 5, &n), 0);
	cr_expect(n == 5 && memcmp(small, "fooba", 5) == 0);
}

Test(base32, round_trips)
{
	srand(3);
	uint8_t in[70], out[70];
	for (int i = 0; i < 5000; i++) {
		size_t n = (size_t)rand() % sizeof in;
		for (size_t j = 0; j < n; j++)
			in[j] = (uint8_t)rand();
		struct buf b = BUF_INIT;
		totp_base32_encode(in, n, &b);
		cr_assert_eq(b.len, (n * 8 + 4) / 5);
		size_t got = 0;
		cr_assert_eq(dec(b.data, out, sizeof out, &got), 0, "%s", b.data);
		cr_assert(got == n && memcmp(in, out, n) == 0, "%s", b.data);
		buf_free(&b);
	}
}

/* ---- verify ---- */

static void code_at(int64_t t, char out[7])
{
	uint32_t v = 0;
	cr_assert_eq(totp_code(U8(SEED1), 20, t, TOTP_STEP, TOTP_DIGITS, TOTP_SHA1, &v, NULL), 0);
	snprintf(out, 7, "%06u", v);
}

static int verify(const char *code, int64_t now, int64_t *step)
{
	struct err e = {0};
	return totp_verify(U8(SEED1), 20, code, now, step, &e);
}

Test(totp_verify, window_edges)
{
	/* now at the first and at the last second of step k: the window is k-1..k+1 either way */
	const int64_t k = 1111111111 / 30;
	const int64_t nows[] = {k * 30, k * 30 + 29};
	for (size_t i = 0; i < 2; i++) {
		for (int64_t d = -3; d <= 3; d++) {
			char c[7];
			code_at((k + d) * 30 + 7, c);
			int64_t step = -7;
			int rc = verify(c, nows[i], &step);
			if (d >= -1 && d <= 1) {
				cr_expect_eq(rc, 1, "now %lld, step %+lld", (long long)nows[i],
				             (long long)d);
				cr_expect_eq(step, k + d);
			} else {
				cr_expect_eq(rc, 0, "now %lld, step %+lld", (long long)nows[i],
				             (long long)d);
				cr_expect_eq(step, -7, "matched_step must not change on failure");
			}
		}
	}
	/* one second past the window's end: step k+2's first second drops step k's code */
	char c[7];
	int64_t step;
	code_at(k * 30, c);
	cr_expect_eq(verify(c, (k + 1) * 30 + 29, &step), 1);
	cr_expect_eq(verify(c, (k + 2) * 30, &step), 0);
	cr_expect_eq(verify(c, (k - 1) * 30, &step), 1);
	cr_expect_eq(verify(c, (k - 1) * 30 - 1, &step), 0);
}

Test(totp_verify, near_epoch)
{
	/* step 0 has no step -1 to look at */
	char c[7];
	int64_t step = -7;
	code_at(0, c);
	cr_expect_eq(verify(c, 0, &step), 1);
	cr_expect_eq(step, 0);
	code_at(30, c);
	cr_expect_eq(verify(c, 5, &step), 1);
	cr_expect_eq(step, 1);
	cr_expect_eq(verify(c, -1, &step), ERR_BAD_REQUEST);
}

Test(totp_verify, malformed_codes)
{
	const int64_t now = 1111111111;
	char c[7], buf[32];
	int64_t step = -7;
	code_at(now, c);
	cr_assert_eq(verify(c, now, &step), 1);

	snprintf(buf, sizeof buf, "%.3s %.3s", c, c + 3); /* as the apps show it */
	cr_expect_eq(verify(buf, now, &step), 1);
	snprintf(buf, sizeof buf, " %s ", c);
	cr_expect_eq(verify(buf, now, &step), 1);

	step = -7;
	snprintf(buf, sizeof buf, "%.5s", c); /* too short */
	cr_expect_eq(verify(buf, now, &step), 0);
	snprintf(buf, sizeof buf, "%s0", c); /* too long, even if it starts right */
	cr_expect_eq(verify(buf, now, &step), 0);
	snprintf(buf, sizeof buf, "0%s", c);
	cr_expect_eq(verify(buf, now, &step), 0);
	snprintf(buf, sizeof buf, "%s\n", c);
	cr_expect_eq(verify(buf, now, &step), 0);
	snprintf(buf, sizeof buf, "-%.5s", c);
	cr_expect_eq(verify(buf, now, &step), 0);
	snprintf(buf, sizeof buf, "%.5sa", c);
	cr_expect_eq(verify(buf, now, &step), 0);
	cr_expect_eq(verify("１２３４５６", now, &step), 0); /* full-width digits */
	cr_expect_eq(verify("", now, &step), 0);
	cr_expect_eq(verify("      ", now, &step), 0);
	cr_expect_eq(verify(NULL, now, &step), 0);
	cr_expect_eq(step, -7);

	/* a wrong code: flip the last digit */
	strcpy(buf, c);
	buf[5] = (char)('0' + (buf[5] - '0' + 1) % 10);
	char prev[7], next[7];
	code_at(now - 30, prev);
	code_at(now + 30, next);
	if (strcmp(buf, prev) != 0 && strcmp(buf, next) != 0)
		cr_expect_eq(verify(buf, now, &step), 0);
}

Test(totp_verify, other_secret_fails)
{
	char c[7];
	int64_t step;
	code_at(1234567890, c);
	/* SEED256 starts with SEED1, so take a secret that differs in its first 20 bytes */
	cr_expect_eq(totp_verify(U8(SEED256 + 1), 20, c, 1234567890, &step, NULL), 0);
	cr_expect_eq(totp_verify(U8(SEED1), 0, c, 1234567890, &step, NULL), ERR_BAD_REQUEST);
}

/* ---- secrets and URIs ---- */

Test(totp, new_secret)
{
	uint8_t a[TOTP_SECRET_LEN], b[TOTP_SECRET_LEN];
	cr_assert_eq(totp_new_secret(a, NULL), 0);
	cr_assert_eq(totp_new_secret(b, NULL), 0);
	cr_expect(memcmp(a, b, sizeof a) != 0);
	struct buf s = BUF_INIT;
	totp_base32_encode(a, sizeof a, &s);
	cr_expect_eq(s.len, 32); /* 160 bits: 32 symbols, no padding */
	buf_free(&s);
}

static char *uri(const char *issuer, const char *account, int *rc)
{
	struct buf b = BUF_INIT;
	struct err e = {0};
	*rc = totp_uri(issuer, account, U8(SEED1), 20, &b, &e);
	return buf_detach(&b, NULL);
}

Test(totp, uri)
{
	int rc;
	char *u = uri("Wenming", "li.lei@example.cn", &rc);
	cr_expect_eq(rc, 0);
	cr_expect_str_eq(u, "otpauth://totp/Wenming:li.lei%40example.cn"
	                    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Wenming"
	                    "&algorithm=SHA1&digits=6&period=30");
	free(u);
	u = uri("大连 文明办", "张三&co?x=1/2#f+", &rc);
	cr_expect_eq(rc, 0);
	cr_expect_str_eq(u, "otpauth://totp/%E5%A4%A7%E8%BF%9E%20%E6%96%87%E6%98%8E%E5%8A%9E:"
	                    "%E5%BC%A0%E4%B8%89%26co%3Fx%3D1%2F2%23f%2B"
	                    "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	                    "&issuer=%E5%A4%A7%E8%BF%9E%20%E6%96%87%E6%98%8E%E5%8A%9E"
	                    "&algorithm=SHA1&digits=6&period=30");
	free(u);
}

Test(totp, uri_rejects)
{
	static const char *bad[][2] = {
	    {"", "a"},         {"a", ""},
	    {NULL, "a"},       {"a", NULL},
	    {"Wen:ming", "a"}, {"a", "li:lei"},
	    {"a\nb", "a"},     {"a", "b\x7f"},
	    {"\xC3\x28", "a"}, {"a", "\xED\xA0\x80"}, /* invalid UTF-8, a surrogate */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc;
		char *u = uri(bad[i][0], bad[i][1], &rc);
		cr_expect_eq(rc, ERR_BAD_REQUEST, "case %zu", i);
		cr_expect_str_eq(u, "", "nothing appended on error (case %zu)", i);
		free(u);
	}
	struct buf b = BUF_INIT;
	cr_expect_eq(totp_uri("a", "b", U8(SEED1), 0, &b, NULL), ERR_BAD_REQUEST);
	buf_free(&b);
}
