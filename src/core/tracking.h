/* Tracking codes: what a citizen reads out on the phone to follow a case. Also the Open311
 * service_request_id. Form: PREFIX + YYMMDD + 6 random Crockford base-32 symbols + 1 check
 * symbol (Luhn mod 32), e.g. DL2611257K3QXMR. Unguessable (30 random bits per day), readable
 * (no I L O U); the check symbol catches every single typo and every adjacent swap after the
 * prefix except 0<->Z (the one pair Luhn mod 32 cannot see). */
#ifndef WM_TRACKING_H
#define WM_TRACKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { TRACKING_MAX = 24 };

/* prefix: 1..4 upper-case ASCII letters; t: the report time (date in Asia/Shanghai);
 * random: 30 bits of randomness from the caller. Returns 0 or -1 on a bad prefix. */
int tracking_make(const char *prefix, int64_t t, uint32_t random, char out[TRACKING_MAX]);
/* Normalises what a person typed (case, spaces, hyphens, O->0, I/L->1) into out and checks
 * the check symbol. Returns true when out holds a well-formed code. */
bool tracking_normalize(const char *in, char out[TRACKING_MAX]);

#endif
