/* Open311 api keys: shown once at creation, stored only as a SHA-256 hash. */
#ifndef WM_APIKEY_H
#define WM_APIKEY_H

#include <stdint.h>

#include "lib/err.h"

struct db;

enum { APIKEY_LEN = 48 };

/* Creates a key named name; out receives the key text ("wm_" + 43 base64url chars). */
int apikey_create(struct db *db, const char *name, int64_t now, char out[APIKEY_LEN], int64_t *id,
                  struct err *e);
/* ERR_FORBIDDEN when the key is unknown or revoked; *id is the key's row. */
int apikey_check(struct db *db, const char *key, int64_t *id, struct err *e);

#endif
