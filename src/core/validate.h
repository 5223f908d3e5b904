/* Validators named by the route tables' parameter declarations: text limits in code points,
 * email and phone shapes, Open311 codes. Inputs are (pointer, length): an embedded NUL is
 * just an invalid byte, never a silent end of string. */
#ifndef WM_VALIDATE_H
#define WM_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

enum validate_result {
	VALIDATE_OK = 0,
	VALIDATE_ENCODING = -1, /* not strict UTF-8 */
	VALIDATE_CONTROL = -2,  /* control characters (newlines only where allowed) */
	VALIDATE_TOO_SHORT = -3,
	VALIDATE_TOO_LONG = -4,
};

/* Strict UTF-8, no control characters (\n \r \t allowed when multiline), and min_cp..max_cp
 * code points counted as written (callers trim first if blank text must not count). */
int validate_text(const char *s, size_t len, size_t min_cp, size_t max_cp, bool multiline);

/* Blank: NULL, empty, or only ASCII white space and U+3000 (the ideographic space) — a
 * reason the state machines require must say something. */
bool validate_blank(const char *s);
/* A map tile URL template a city's tile server answers (Leaflet's {z}/{x}/{y}, optional {s}
 * and {r}): http(s), a host of letters, digits, dots, hyphens (or [IPv6]) and an optional
 * port, the three placeholders, no white space, quotes, angle brackets or backslashes. Its
 * origin (scheme://host[:port]) goes to origin[0..cap). 0, or -1 when it is not such a URL. */
int validate_tile_url(const char *url, char *origin, size_t cap);
/* zh-CN message for a validate_result, e.g. "内容过长". */
const char *validate_message(int rc);

/* A deliberately simple shape, not RFC 5322: ASCII local@domain of at most 254 bytes. Local
 * part 1..64 of letters, digits and !#$%&'*+/=?^_`{|}~.- without a leading, trailing or double
 * dot; domain of two or more labels of 1..63 letters, digits and inner hyphens, the last not
 * all digits. No quoted local parts, no IP literals, no raw Unicode (use punycode). */
bool validate_email(const char *s, size_t len);

enum { VALIDATE_PHONE_MAX = 16 };
/* A China number as people write it: digits with single spaces or hyphens between them, +86
 * in front allowed. Mobile: 1[3-9] and 9 more digits. Landline: trunk 0 (none after +86),
 * area code 10 or 2X with an 8-digit number, or [3-9]XX with 7 or 8 digits, the number
 * starting 2-9; e.g. 0411-84123456. When national is non-NULL and the number is valid, it
 * receives the digits in national form ("13912345678", "041184123456"). */
bool validate_phone(const char *s, size_t len, char national[VALIDATE_PHONE_MAX]);

/* Open311 service_code: 1..32 ASCII letters, digits, '.', '_' or '-', starting with a letter
 * or digit (ours look like E0101 / P0101). */
bool validate_service_code(const char *s, size_t len);
/* Open311 jurisdiction_id, domain-like: 1..64 bytes of dot-separated non-empty labels of
 * letters, digits, '-' and '_' (e.g. dalian.gov.cn). */
bool validate_jurisdiction_id(const char *s, size_t len);

#endif
