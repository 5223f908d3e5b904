/* Open311 api keys: shown once at creation, stored only as a SHA-256 hash. */
#ifndef WM_APIKEY_H
#define WM_APIKEY_H

#include <stdint.h>

#include "lib/err.h"

struct db;

enum { APIKEY_LEN = 48, APIKEY_HASH_HEX = 65 };

/* The stored form of a key: hex SHA-256. -1 (hex untouched) when key is empty or too long to
 * be one of ours. */
int apikey_hash(const char *key, char hex[APIKEY_HASH_HEX]);

/* Creates a key named name; out receives the key text ("wm_" + 43 base64url chars). */
int apikey_create(struct db *db, const char *name, int64_t now, char out[APIKEY_LEN], int64_t *id,
                  struct err *e);

#endif
