/* A growable byte buffer for building output (like git's strbuf). Always NUL-terminated. */
#ifndef WM_BUF_H
#define WM_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* owned; "" (static) until the first append */
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                                                   \
	{                                                                                          \
		.data = buf_empty_, .len = 0, .cap = 0                                             \
	}
extern char buf_empty_[1];

void buf_init(struct buf *b);
/* Appending aborts on out-of-memory: a server that cannot allocate a few bytes cannot answer. */
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
/* Hands the bytes to the caller, who frees them with free(); b is left empty. */
char *buf_detach(struct buf *b, size_t *len);
void buf_free(struct buf *b);

#endif
