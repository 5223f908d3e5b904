#include "store/apikey.h"

#include <sodium.h>
#include <string.h>

#include "store/db.h"

int apikey_hash(const char *key, char hex[APIKEY_HASH_HEX])
{
	if (!key || !*key || strlen(key) >= APIKEY_LEN)
		return -1;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)key, strlen(key));
	sodium_bin2hex(hex, APIKEY_HASH_HEX, h, sizeof h);
	return 0;
}

int apikey_create(struct db *db, const char *name, int64_t now, char out[APIKEY_LEN], int64_t *id,
                  struct err *e)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	memcpy(out, "wm_", 3);
	sodium_bin2base64(out + 3, APIKEY_LEN - 3, raw, sizeof raw,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char hex[APIKEY_HASH_HEX];
	(void)apikey_hash(out, hex); /* a fresh key is never empty or long */
	return db_get_int(
	    db, "INSERT INTO apikey (name, key_hash, created_at) VALUES (?, ?, ?) RETURNING id",
	    DB_ARGS(db_text(name), db_text(hex), db_int(now)), id, e);
}
