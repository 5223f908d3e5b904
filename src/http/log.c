/* The request log: one line per request on stderr, "METHOD PATH STATUS MICROSECONDS", built by
 * hand (no stdio locks, no locale) and written with one write() so lines from different
 * threads never interleave. */
#include "http/respond.h"

#include <string.h>
#include <unistd.h>

enum {
	LOG_PATH_MAX = 300,
	LOG_LINE_MAX = 3 * 16 + 1 + 3 * LOG_PATH_MAX + 1 + 12 + 1 + 21 + 2 * (1 + 3 * 64) + 2
};

static size_t put_uint(char *o, unsigned long long v)
{
	char tmp[24];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (size_t i = 0; i < n; i++)
		o[i] = tmp[n - 1 - i];
	return n;
}

/* Client-controlled bytes: anything not plainly printable is shown %-escaped so a request
 * cannot forge log lines or smuggle terminal escapes. */
static size_t put_safe(char *o, const char *s, size_t n, size_t max)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t k = 0;
	for (size_t i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c > ' ' && c < 0x7f) {
			o[k++] = (char)c;
		} else {
			o[k++] = '%';
			o[k++] = hex[c >> 4];
			o[k++] = hex[c & 15];
		}
	}
	return k;
}

void reqlog_write(const char *method, const char *path, size_t path_len, int status, long long usec,
                  const char *request_id, const char *user)
{
	char line[LOG_LINE_MAX];
	size_t n = 0;
	size_t ml = 0;
	while (method && method[ml] && ml < 16)
		ml++;
	n += put_safe(line + n, method ? method : "-", method ? ml : 1, 16);
	line[n++] = ' ';
	n += put_safe(line + n, path ? path : "-", path ? path_len : 1, LOG_PATH_MAX);
	line[n++] = ' ';
	n += put_uint(line + n, status > 0 ? (unsigned long long)status : 0);
	line[n++] = ' ';
	n += put_uint(line + n, usec > 0 ? (unsigned long long)usec : 0);
	line[n++] = ' ';
	n += put_safe(line + n, request_id && *request_id ? request_id : "-",
	              request_id && *request_id ? strlen(request_id) : 1, 64);
	line[n++] = ' ';
	n += put_safe(line + n, user && *user ? user : "-", user && *user ? strlen(user) : 1, 64);
	line[n++] = '\n';
	/* A short write to stderr is not worth retrying or reporting. */
	ssize_t w = write(STDERR_FILENO, line, n);
	(void)w;
}
