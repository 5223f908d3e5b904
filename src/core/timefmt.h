/* W3C / ISO 8601 date-times: parsing client input and formatting output in Asia/Shanghai. */
#ifndef WM_TIMEFMT_H
#define WM_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Accepts YYYY-MM-DDTHH:MM[:SS[.frac]](Z|±HH:MM|±HHMM|±HH) and a bare YYYY-MM-DD (midnight
 * at tz_offset_s). A space may stand for the T. Fields are range-checked (Feb 30 is an error).
 * Returns 0 and *out (unix seconds), or -1. */
int time_parse_iso8601(const char *s, int tz_offset_s, int64_t *out);
/* Writes "2026-11-25T22:44:50+08:00" (25 chars + NUL) for t at offset tz_offset_s. */
void time_format_iso8601(int64_t t, int tz_offset_s, char out[32]);
/* Civil date <-> days since 1970-01-01 (proleptic Gregorian). */
int64_t time_days_from_civil(int y, unsigned m, unsigned d);
void time_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);

#define TZ_SHANGHAI (8 * 3600)

#endif
