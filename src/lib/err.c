#include "lib/err.h"

#include <stdio.h>
#include <string.h>

int err_vset(struct err *e, int code, const char *fmt, va_list ap)
{
	if (e) {
		e->code = code;
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	}
	return code;
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	return code;
}

void err_clear(struct err *e)
{
	e->code = 0;
	e->msg[0] = '\0';
}

int err_http_status(int code)
{
	switch (code) {
	case ERR_BAD_REQUEST:
	case ERR_UNAUTHORIZED:
	case ERR_FORBIDDEN:
	case ERR_NOT_FOUND:
	case ERR_METHOD:
	case ERR_CONFLICT:
	case ERR_TOO_LARGE:
	case ERR_UNSUPPORTED:
	case ERR_UNPROCESSABLE:
	case ERR_TOO_MANY:
	case ERR_UNAVAILABLE:
		return -code;
	default:
		return 500;
	}
}
