/* UTF-8 checks for untrusted input. */
#ifndef WM_UTF8_H
#define WM_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Strict validation: no overlongs, no surrogates, nothing above U+10FFFF, no NUL bytes. */
bool utf8_valid(const char *s, size_t len);
/* Number of code points in valid UTF-8. */
size_t utf8_length(const char *s, size_t len);
/* True when s has control characters (C0, DEL, C1) other than those allowed (allow_newlines:
 * \n \r \t), or the noncharacters U+FFFE/U+FFFF, which XML cannot carry. */
bool utf8_has_controls(const char *s, size_t len, bool allow_newlines);

#endif
