/* Rich text from the console's editor made safe to publish (creation news on the portal).
 *
 * The allow-list (docs/portal.md, "Rich text: the allow-list sanitiser"):
 * - kept: p br h2 h3 h4 strong b em i u s sub sup blockquote ul ol li a img figure figcaption
 *   table caption thead tbody tfoot tr th td hr pre code; h1 becomes h2 (the page has its h1),
 *   menu and dir become ul;
 * - dropped with everything inside: script style iframe frame frameset object embed applet
 *   noscript noembed noframes template svg math textarea select option form input button title
 *   head meta link base audio video canvas xmp plaintext listing, and other elements whose
 *   content is not prose (param source track area col colgroup optgroup datalist …);
 * - div-like blocks (div section article header footer h5 h6 dl dt dd …): the tag goes, its
 *   runs of inline content become paragraphs; any other element: the tag goes, its content
 *   stays; comments, processing instructions, CDATA and doctypes go;
 * - attributes: a[href] (http:, https:, mailto: or a path of this site: "/" not followed by
 *   "/" or "\"; checked after entities are decoded and controls and blanks removed, so a
 *   refused scheme cannot hide; a refused href leaves the text), absolute links get
 *   rel="noopener noreferrer nofollow"; img[src] must be /media/<64 hex>[.jpg|.png|.webp]
 *   (else the img goes), img[alt], img[width|height] 1..4000; th/td[colspan|rowspan] 1..100;
 *   ol[start] digits. Nothing else: no style, class, id, on*, srcset, data-*.
 * - structure: elements out of place are unwrapped (a block in a paragraph, a link in a link,
 *   a row outside a table); inline content at the top becomes a paragraph, anything but an item
 *   in a list goes into an item (a ul directly in a ul stays), a cell outside a row gets one;
 *   text in a table outside any cell is dropped (browsers would move it above the table).
 *   Nesting stops at 64 levels: deeper elements are unwrapped, their text kept (libxml2 itself
 *   stops reading at 256).
 * Output is well-formed (void elements as <br>, every other tag closed in order, text and
 * double-quoted attribute values through html_text) and sanitising it again changes nothing. */
#ifndef WM_SANITIZE_H
#define WM_SANITIZE_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/err.h"

enum { SANITIZE_MAX_INPUT = 1 << 20 };

/* Cleans untrusted rich text (an article body from the console's editor) down to an allow-list
 * of elements and attributes; appends well-formed clean HTML to out. 0, or a negative err code
 * with e set (ERR_BAD_REQUEST for input that is not UTF-8 or too large (> 1 MiB), ERR_INTERNAL
 * when out of memory). */
int html_sanitize(const char *in, size_t len, struct buf *out, struct err *e);
/* The visible text of HTML (for summaries, search and feeds): tags dropped, entities decoded,
 * block ends as one space, runs of whitespace collapsed, trimmed. Same errors. */
int html_plain_text(const char *in, size_t len, struct buf *out, struct err *e);

#endif
