/* Staff passwords: argon2id through libsodium's crypto_pwhash_str (the encoded string holds
 * the algorithm, cost and a random per-password salt). The cost follows OWASP's argon2id
 * minimum (19 MiB, 2 passes): about 65 ms a verify on the 2-vCPU build machine (about 30
 * logins a second on both cores, docs/benchmarks.md), and a few dozen logins at once cost
 * under 1 GiB, so a login cannot be made into a memory-exhaustion lever. */
#ifndef WM_PASSWORD_H
#define WM_PASSWORD_H

#include <stddef.h>

#include "lib/err.h"

enum {
	PASSWORD_MIN_CHARS = 10,
	PASSWORD_MAX_BYTES = 256,
	PASSWORD_HASH_MAX = 128, /* crypto_pwhash_STRBYTES */
};

/* ERR_UNPROCESSABLE with a message a user can act on when pw is too short, too long, not
 * UTF-8 or has control characters. */
int password_check_policy(const char *pw, struct err *e);
/* Hashes pw (policy not checked here) into out. ERR_INTERNAL when memory is short. */
int password_hash(const char *pw, char out[PASSWORD_HASH_MAX], struct err *e);
/* 1 when pw matches the stored hash, 0 when not (also for a malformed hash). */
int password_verify(const char *stored, const char *pw);
/* Spends the same time as a verify against a real hash, for unknown accounts, so the reply
 * time does not tell which logins exist. */
void password_verify_dummy(const char *pw);
/* 1 when the stored hash was made with other parameters than today's (rehash at login). */
int password_needs_rehash(const char *stored);

#endif
