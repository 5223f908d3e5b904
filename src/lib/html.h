/* Writing HTML safely: every value that is not a literal of the program goes through one of
 * these, so no text from a user, a unit or the database can open a tag or end an attribute. */
#ifndef WM_HTML_H
#define WM_HTML_H

#include <stddef.h>

#include "lib/buf.h"

/* s as element text or a double-quoted attribute value: & < > " ' escaped. NULL writes
 * nothing. */
void html_text(struct buf *b, const char *s);
void html_textn(struct buf *b, const char *s, size_t n);
/* s percent-encoded for a URL's path segment or query value (RFC 3986 unreserved kept). */
void html_urlpart(struct buf *b, const char *s);

#endif
