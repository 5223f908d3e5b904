/* Index terms for searching Chinese text without a word segmenter: every pair of adjacent
 * CJK ideographs (a bigram). A text contains a query only if it has all the query's bigrams,
 * so the bigram index narrows a search to a few candidates that a substring test then
 * confirms. Letters, digits and single ideographs are not indexed (such queries scan). */
#ifndef WM_SEARCH_GRAMS_H
#define WM_SEARCH_GRAMS_H

#include <stddef.h>

#include "lib/buf.h"

/* Appends the distinct bigrams of text[0..len) to out, sorted, separated by single spaces;
 * returns how many. Bytes that are not valid UTF-8 separate like punctuation. */
size_t search_grams(const char *text, size_t len, struct buf *out);

#endif
