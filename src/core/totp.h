/* One-time passwords for staff sign-in: TOTP (RFC 6238) over HOTP (RFC 4226), the base32
 * secrets authenticator apps read, and the otpauth:// URI they scan from a QR code.
 * HMAC comes from OpenSSL libcrypto: libsodium has no HMAC-SHA1, which the apps use by default. */
#ifndef WM_TOTP_H
#define WM_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/err.h"

enum totp_alg { TOTP_SHA1, TOTP_SHA256, TOTP_SHA512 };

enum {
	TOTP_SECRET_LEN = 20, /* what totp_new_secret makes: 160 bits, RFC 4226's recommendation */
	TOTP_SECRET_MAX = 128,
	TOTP_STEP = 30,  /* seconds; what totp_verify and totp_uri use */
	TOTP_DIGITS = 6, /* likewise */
	TOTP_WINDOW = 1, /* totp_verify accepts the current step and one either side */
};

/* Appends the RFC 4648 base32 text of in[0..n) to out, without '=' padding (what the apps
 * expect in a URI). Cannot fail: struct buf aborts on out-of-memory. */
void totp_base32_encode(const uint8_t *in, size_t n, struct buf *out);
/* Decodes base32 text: case-insensitive, spaces ignored, trailing '=' padding optional.
 * Writes at most cap bytes to out and sets *out_len. Returns 0, or ERR_BAD_REQUEST for a
 * character outside the alphabet, a length no encoding produces, padding before the end,
 * or output longer than cap. */
int totp_base32_decode(const char *in, uint8_t *out, size_t cap, size_t *out_len, struct err *e);

/* HOTP value for counter (RFC 4226): digits 6..8, secret 1..TOTP_SECRET_MAX bytes.
 * Returns 0 and sets *code, ERR_BAD_REQUEST for bad arguments, ERR_INTERNAL if HMAC fails. */
int hotp_code(const uint8_t *secret, size_t len, uint64_t counter, int digits, enum totp_alg alg,
              uint32_t *code, struct err *e);
/* TOTP value at unix_time (>= 0) for a step of step_s seconds (1..3600): HOTP of
 * floor(unix_time / step_s). Returns as hotp_code. */
int totp_code(const uint8_t *secret, size_t len, int64_t unix_time, int step_s, int digits,
              enum totp_alg alg, uint32_t *code, struct err *e);

/* Checks what a person typed (TOTP_DIGITS digits; spaces ignored, as apps show "123 456")
 * against SHA1 / TOTP_STEP / TOTP_DIGITS codes for the steps within TOTP_WINDOW of now.
 * Every candidate is computed and compared in constant time, whatever matches.
 * Returns 1 and sets *matched_step (the step number, unix_time / TOTP_STEP) on a match,
 * 0 when nothing matches (also for a malformed code), ERR_BAD_REQUEST for a bad secret length
 * or now < 0, ERR_INTERNAL if HMAC fails.
 * A code stays valid for up to three steps, so a match alone does not stop replay: the caller
 * must store the last accepted step per user and refuse a matched_step <= that one (RFC 6238
 * section 5.2), atomically with recording the new step. */
int totp_verify(const uint8_t *secret, size_t len, const char *code, int64_t now,
                int64_t *matched_step, struct err *e);

/* Fills out with TOTP_SECRET_LEN random bytes (libsodium). Returns 0, or ERR_INTERNAL when
 * libsodium cannot start. */
int totp_new_secret(uint8_t out[TOTP_SECRET_LEN], struct err *e);

/* Appends otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
 * to out, issuer and account percent-encoded (UTF-8 kept as bytes). Returns 0, or
 * ERR_BAD_REQUEST when issuer or account is empty, not valid UTF-8, has control characters or
 * a ':' (the label separator, which the key-URI format forbids in both), or len is 0. */
int totp_uri(const char *issuer, const char *account, const uint8_t *secret, size_t len,
             struct buf *out, struct err *e);

#endif
