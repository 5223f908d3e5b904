/* A JSON text writer for hot list responses: values go straight into a buf, with no tree of
 * allocations. jansson (the json model of http_resp) costs ~50 mallocs per row, which made the
 * dispatcher's inbox spend two thirds of its time building and freeing objects. Output is
 * compact RFC 8259 JSON that jansson reads back unchanged (tests/unit/test_jsonw.c); reals
 * print like the json model's (15 significant digits), non-finite ones as null. Strings must be
 * UTF-8: invalid bytes are written as U+FFFD rather than producing invalid JSON. */
#ifndef WM_JSONW_H
#define WM_JSONW_H

#include <stdint.h>

#include "lib/buf.h"

enum { JSONW_MAX_DEPTH = 16 };

struct jsonw {
	struct buf *out;  /* not owned */
	int depth;        /* open arrays/objects */
	int after_key;    /* a key was written: the next value takes no comma */
	unsigned char n[JSONW_MAX_DEPTH]; /* a value was written at this depth */
	char close[JSONW_MAX_DEPTH];      /* '}' or ']' for each open container */
};

void jw_init(struct jsonw *w, struct buf *out);
/* Containers; nesting deeper than JSONW_MAX_DEPTH aborts (a programming error). */
void jw_object(struct jsonw *w);
void jw_array(struct jsonw *w);
void jw_end(struct jsonw *w);
/* In an object: the key of the next value. */
void jw_key(struct jsonw *w, const char *key);
/* Values (NULL string: null). */
void jw_str(struct jsonw *w, const char *s);
void jw_int(struct jsonw *w, int64_t v);
void jw_real(struct jsonw *w, double v);
void jw_null(struct jsonw *w);
void jw_bool(struct jsonw *w, int v);

/* key + value in one call */
void jw_kstr(struct jsonw *w, const char *key, const char *s);
void jw_kint(struct jsonw *w, const char *key, int64_t v);
void jw_kreal(struct jsonw *w, const char *key, double v);
void jw_knull(struct jsonw *w, const char *key);
/* v, or null when v is 0 (optional ids) */
void jw_kid(struct jsonw *w, const char *key, int64_t v);

#endif
