#include "core/password.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "lib/utf8.h"

#define OPSLIMIT 2ULL
#define MEMLIMIT (19ULL << 20)

int password_check_policy(const char *pw, struct err *e)
{
	size_t n = strlen(pw);
	if (n > PASSWORD_MAX_BYTES)
		return err_set(e, ERR_UNPROCESSABLE, "password is longer than %d bytes",
		               PASSWORD_MAX_BYTES);
	if (!utf8_valid(pw, n) || utf8_has_controls(pw, n, false))
		return err_set(e, ERR_UNPROCESSABLE,
		               "password must be UTF-8 text without control characters");
	if (utf8_length(pw, n) < PASSWORD_MIN_CHARS)
		return err_set(e, ERR_UNPROCESSABLE, "password needs at least %d characters",
		               PASSWORD_MIN_CHARS);
	return 0;
}

int password_hash(const char *pw, char out[PASSWORD_HASH_MAX], struct err *e)
{
	_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES, "hash buffer size");
	if (crypto_pwhash_str_alg(out, pw, strlen(pw), OPSLIMIT, MEMLIMIT,
	                          crypto_pwhash_ALG_ARGON2ID13) != 0)
		return err_set(e, ERR_INTERNAL, "out of memory hashing a password");
	return 0;
}

int password_verify(const char *stored, const char *pw)
{
	if (!stored || strncmp(stored, "$argon2id$", 10) != 0)
		return 0;
	return crypto_pwhash_str_verify(stored, pw, strlen(pw)) == 0;
}

static char dummy_hash[PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	struct err ignored;
	(void)password_hash("wenming dummy password", dummy_hash, &ignored);
}

void password_verify_dummy(const char *pw)
{
	pthread_once(&dummy_once, make_dummy);
	(void)password_verify(dummy_hash, pw);
}

int password_needs_rehash(const char *stored)
{
	return crypto_pwhash_str_needs_rehash(stored, OPSLIMIT, MEMLIMIT) != 0;
}
