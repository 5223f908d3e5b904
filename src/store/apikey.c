#include "store/apikey.h"

#include <sodium.h>
#include <string.h>

#include "store/db.h"

static void key_hash(const char *key, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
	sodium_bin2hex(hex, 65, h, sizeof h);
}

int apikey_create(struct db *db, const char *name, int64_t now, char out[APIKEY_LEN], int64_t *id,
                  struct err *e)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	memcpy(out, "wm_", 3);
	sodium_bin2base64(out + 3, APIKEY_LEN - 3, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char hex[65];
	key_hash(out, hex);
	return db_get_int(
	    db, "INSERT INTO apikey (name, key_hash, created_at) VALUES (?, ?, ?) RETURNING id",
	    DB_ARGS(db_text(name), db_text(hex), db_int(now)), id, e);
}

int apikey_check(struct db *db, const char *key, int64_t *id, struct err *e)
{
	if (!key || !*key || strlen(key) >= APIKEY_LEN)
		return err_set(e, ERR_FORBIDDEN, "api_key is missing or invalid");
	char hex[65];
	key_hash(key, hex);
	int rc = db_get_int(db, "SELECT id FROM apikey WHERE key_hash = ? AND revoked_at IS NULL",
	                    DB_ARGS(db_text(hex)), id, e);
	if (rc == ERR_NOT_FOUND)
		return err_set(e, ERR_FORBIDDEN, "api_key is missing or invalid");
	return rc;
}
