/* Errors that travel up to the user: a code that maps to one HTTP status and a message. */
#ifndef WM_ERR_H
#define WM_ERR_H

#include <stdarg.h>

enum err_code {
	ERR_OK = 0,
	ERR_BAD_REQUEST = -400,  /* malformed input */
	ERR_UNAUTHORIZED = -401, /* no or expired session: log in */
	ERR_FORBIDDEN = -403,    /* wrong credentials / not allowed */
	ERR_NOT_FOUND = -404,
	ERR_METHOD = -405,
	ERR_CONFLICT = -409, /* state changed under the caller */
	ERR_TOO_LARGE = -413,
	ERR_UNSUPPORTED = -415,   /* content type or media type not accepted */
	ERR_UNPROCESSABLE = -422, /* well-formed but semantically invalid */
	ERR_TOO_MANY = -429,
	ERR_INTERNAL = -500,
	ERR_UNAVAILABLE = -503,
};

struct err {
	int code;      /* one of enum err_code; 0 when no error was set */
	char msg[512]; /* for the user; zh-CN or English technical text */
};

/* Sets e (when non-NULL) and returns code, so callers can `return err_set(e, ...)`. */
int err_set(struct err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int err_vset(struct err *e, int code, const char *fmt, va_list ap);
void err_clear(struct err *e);
/* The HTTP status for an error code (500 for anything unknown). */
int err_http_status(int code);

#endif
