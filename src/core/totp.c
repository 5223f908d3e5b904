/* TOTP (RFC 6238) over HOTP (RFC 4226), base32 (RFC 4648) and the otpauth:// key URI.
 *
 * HMAC is OpenSSL's one-shot HMAC(): thread-safe, no state kept, and the only HMAC-SHA1 on
 * the machine (libsodium deliberately has none). SHA-1's collision weakness does not matter
 * for HMAC, and authenticator apps default to it, so it is what totp_uri advertises. */
#include "core/totp.h"

#include "lib/utf8.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <string.h>

static const char B32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void totp_base32_encode(const uint8_t *in, size_t n, struct buf *out)
{
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8 | in[i]) & 0xFFFu; /* at most 4 + 8 bits are pending */
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			buf_addc(out, B32[acc >> bits & 31]);
		}
	}
	if (bits > 0) /* the last symbol's low bits are zero, as RFC 4648 requires */
		buf_addc(out, B32[acc << (5 - bits) & 31]);
}

static int b32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int totp_base32_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len, struct err *e)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t symbols = 0, n = 0;
	int padded = 0;
	*out_len = 0;
	for (const char *p = in; *p; p++) {
		if (*p == ' ')
			continue;
		if (*p == '=') {
			padded = 1;
			continue;
		}
		int v = b32_value(*p);
		if (v < 0 || padded)
			return err_set(e, ERR_BAD_REQUEST,
			               "base32: invalid character at offset %zu", (size_t)(p - in));
		acc = (acc << 5 | (uint32_t)v) & 0x1FFFu; /* at most 7 + 5 bits are pending */
		bits += 5;
		symbols++;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return err_set(e, ERR_BAD_REQUEST, "base32: longer than %zu bytes",
				               cap);
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* 1, 3 or 6 symbols after the last full group of 8 cannot come from any byte string.
	 * Non-zero leftover bits are tolerated: some generators emit them, and they carry no
	 * key material, so rejecting them would only lock people out. */
	switch (symbols % 8) {
	case 1:
	case 3:
	case 6:
		return err_set(e, ERR_BAD_REQUEST, "base32: truncated (%zu symbols)", symbols);
	}
	*out_len = n;
	return 0;
}

static const EVP_MD *alg_md(enum totp_alg alg)
{
	switch (alg) {
	case TOTP_SHA1:
		return EVP_sha1();
	case TOTP_SHA256:
		return EVP_sha256();
	case TOTP_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

int hotp_code(const uint8_t *secret, size_t len, uint64_t counter, int digits, enum totp_alg alg,
              uint32_t *code, struct err *e)
{
	static const uint32_t POW10[] = {1000000u, 10000000u, 100000000u};
	const EVP_MD *md = alg_md(alg);
	if (!md || digits < 6 || digits > 8 || !secret || len < 1 || len > TOTP_SECRET_MAX)
		return err_set(e, ERR_BAD_REQUEST, "hotp: bad algorithm, digits or secret length");
	uint8_t msg[8];
	for (int i = 7; i >= 0; i--, counter >>= 8) /* big-endian, as RFC 4226 section 5.2 */
		msg[i] = (uint8_t)counter;
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned hlen = 0;
	if (!HMAC(md, secret, (int)len, msg, sizeof msg, h, &hlen) || hlen < 20)
		return err_set(e, ERR_INTERNAL, "hotp: HMAC failed");
	/* dynamic truncation (section 5.3): 31 bits at the offset named by the last nibble */
	unsigned off = h[hlen - 1] & 0xFu;
	uint32_t bin = (uint32_t)(h[off] & 0x7F) << 24 | (uint32_t)h[off + 1] << 16 |
	               (uint32_t)h[off + 2] << 8 | h[off + 3];
	*code = bin % POW10[digits - 6];
	OPENSSL_cleanse(h, sizeof h); /* the MAC is as good as the next code for this counter */
	return 0;
}

int totp_code(const uint8_t *secret, size_t len, int64_t unix_time, int step_s, int digits,
              enum totp_alg alg, uint32_t *code, struct err *e)
{
	if (unix_time < 0 || step_s < 1 || step_s > 3600)
		return err_set(e, ERR_BAD_REQUEST, "totp: bad time or step");
	return hotp_code(secret, len, (uint64_t)(unix_time / step_s), digits, alg, code, e);
}

int totp_verify(const uint8_t *secret, size_t len, const char *code, int64_t now,
                int64_t *matched_step, struct err *e)
{
	char typed[TOTP_DIGITS];
	size_t n = 0;
	for (const char *p = code; p && *p; p++) {
		if (*p == ' ')
			continue;
		if (*p < '0' || *p > '9' || n == sizeof typed)
			return 0; /* the format is public: failing fast here reveals nothing */
		typed[n++] = *p;
	}
	if (n != sizeof typed)
		return 0;
	if (now < 0)
		return err_set(e, ERR_BAD_REQUEST, "totp: bad time");

	/* Compute and compare every step in the window, so timing does not tell which matched. */
	int64_t step = now / TOTP_STEP, found = -1;
	for (int64_t s = step - TOTP_WINDOW; s <= step + TOTP_WINDOW; s++) {
		if (s < 0)
			continue;
		uint32_t v;
		int rc = hotp_code(secret, len, (uint64_t)s, TOTP_DIGITS, TOTP_SHA1, &v, e);
		if (rc < 0)
			return rc;
		char want[TOTP_DIGITS];
		for (int i = TOTP_DIGITS - 1; i >= 0; i--, v /= 10)
			want[i] = (char)('0' + v % 10);
		int same = sodium_memcmp(want, typed, sizeof want) == 0;
		/* the latest matching step: if two steps share a code, recording the later one
		 * is what keeps a replay refused */
		found = same ? s : found;
		sodium_memzero(want, sizeof want);
	}
	if (found < 0)
		return 0;
	*matched_step = found;
	return 1;
}

int totp_new_secret(uint8_t out[TOTP_SECRET_LEN], struct err *e)
{
	if (sodium_init() < 0) /* idempotent and thread-safe; randombytes needs it once */
		return err_set(e, ERR_INTERNAL, "totp: libsodium failed to start");
	randombytes_buf(out, TOTP_SECRET_LEN);
	return 0;
}

/* RFC 3986: everything but unreserved characters is %XX, UTF-8 bytes included. */
static void add_pct(struct buf *out, const char *s)
{
	static const char HEX[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			buf_addc(out, (char)*p);
		} else {
			buf_addc(out, '%');
			buf_addc(out, HEX[*p >> 4]);
			buf_addc(out, HEX[*p & 15]);
		}
	}
}

static int label_part_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && utf8_valid(s, n) && !utf8_has_controls(s, n, false) && !strchr(s, ':');
}

int totp_uri(const char *issuer, const char *account, const uint8_t *secret, size_t len,
             struct buf *out, struct err *e)
{
	if (!label_part_ok(issuer) || !label_part_ok(account))
		return err_set(e, ERR_BAD_REQUEST,
		               "totp: issuer and account must be non-empty UTF-8 without ':'");
	if (!secret || len < 1 || len > TOTP_SECRET_MAX)
		return err_set(e, ERR_BAD_REQUEST, "totp: bad secret length");
	buf_adds(out, "otpauth://totp/");
	add_pct(out, issuer);
	buf_addc(out, ':');
	add_pct(out, account);
	buf_adds(out, "?secret=");
	totp_base32_encode(secret, len, out);
	buf_adds(out, "&issuer=");
	add_pct(out, issuer);
	buf_printf(out, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS, TOTP_STEP);
	return 0;
}
