/* A small keep-alive HTTP/1.1 client for bench/kill9.sh, on plain sockets (loopback only).
 *
 *   post_client post --port P --key KEY --services A,B [--conns C] [--seconds S] --log FILE
 *       C connections POST /open311/v2/requests.json as fast as they can for S seconds (or until
 *       the server is gone for good) and append the service_request_id of every 2xx answer to
 *       FILE, one per line, flushed as soon as the answer has been read: FILE lists exactly
 *       the requests the server acknowledged.
 *   post_client check --port P --ids FILE [--conns C]
 *       GET /open311/v2/requests/{id}.json for every id in FILE; prints the ids that are
 *       missing (404) and exits 0 only when every one was found. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MAX_CONNS = 256, MAX_SERVICES = 32 };

static struct {
	int port, conns;
	double seconds;
	const char *key, *log_path, *ids_path;
	char *services[MAX_SERVICES];
	int nservices;
} cfg = {.conns = 16, .seconds = 5};

static FILE *log_file;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_long n_sent, n_acked, n_refused, n_conn_errors, n_no_id;
static atomic_long n_found, n_missing, n_other;
static char **ids;
static long nids;
static atomic_long next_id;

static _Noreturn void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("post_client: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ---- one connection */

struct conn {
	int fd;
	char *buf;
	size_t cap, len; /* bytes buffered; responses are parsed from the start */
};

static int conn_open(struct conn *c)
{
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct timeval tv = {10, 0}; /* a wedged server fails the request instead of hanging us */
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg.port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	c->len = 0;
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads more bytes into the buffer; -1 on error or EOF. */
static int fill(struct conn *c)
{
	if (c->cap - c->len < 4096) {
		size_t cap = c->cap ? c->cap * 2 : 65536;
		char *b = realloc(c->buf, cap + 1);
		if (!b)
			die("out of memory");
		c->buf = b;
		c->cap = cap;
	}
	ssize_t r;
	do
		r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return -1;
	c->len += (size_t)r;
	c->buf[c->len] = '\0';
	return 0;
}

/* The value of header name in the head [p, end), or NULL. */
static const char *header(const char *p, const char *end, const char *name, size_t *len)
{
	size_t n = strlen(name);
	for (const char *line = strstr(p, "\r\n"); line && line + 2 < end;
	     line = strstr(line + 2, "\r\n")) {
		const char *h = line + 2;
		if ((size_t)(end - h) > n && strncasecmp(h, name, n) == 0 && h[n] == ':') {
			const char *v = h + n + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			const char *e = strstr(v, "\r\n");
			*len = (size_t)((e ? e : end) - v);
			return v;
		}
	}
	return NULL;
}

/* Reads one response: *status, the body copied to a NUL-terminated malloc'd *body.
 * Handles Content-Length and chunked bodies. -1 on a connection error. */
static int read_response(struct conn *c, int *status, char **body, int *must_close)
{
	char *head_end;
	while (!(head_end = c->len ? strstr(c->buf, "\r\n\r\n") : NULL))
		if (fill(c) < 0)
			return -1;
	size_t head_len = (size_t)(head_end - c->buf) + 4;
	if (sscanf(c->buf, "HTTP/1.%*d %d", status) != 1)
		return -1;
	size_t vlen;
	const char *v;
	*must_close = (v = header(c->buf, head_end, "Connection", &vlen)) && vlen >= 5 &&
	              strncasecmp(v, "close", 5) == 0;
	int chunked = (v = header(c->buf, head_end, "Transfer-Encoding", &vlen)) && vlen >= 7 &&
	              strncasecmp(v, "chunked", 7) == 0;
	size_t clen = 0;
	if ((v = header(c->buf, head_end, "Content-Length", &vlen)))
		clen = strtoul(v, NULL, 10);

	size_t body_len = 0, pos = head_len;
	char *out = NULL;
	if (!chunked) {
		while (c->len - head_len < clen)
			if (fill(c) < 0)
				return -1;
		out = malloc(clen + 1);
		if (!out)
			die("out of memory");
		memcpy(out, c->buf + head_len, clen);
		body_len = clen;
		pos = head_len + clen;
	} else {
		for (;;) {
			char *eol;
			while (!(eol = strstr(c->buf + pos, "\r\n")))
				if (fill(c) < 0)
					goto fail;
			size_t n = strtoul(c->buf + pos, NULL, 16);
			size_t data = (size_t)(eol - c->buf) + 2;
			while (c->len < data + n + 2)
				if (fill(c) < 0)
					goto fail;
			char *o = realloc(out, body_len + n + 1);
			if (!o)
				die("out of memory");
			out = o;
			memcpy(out + body_len, c->buf + data, n);
			body_len += n;
			pos = data + n + 2;
			if (n == 0)
				break; /* no trailers expected */
		}
	}
	out[body_len] = '\0';
	/* Keep what follows (pipelining never happens here, but stay correct). */
	memmove(c->buf, c->buf + pos, c->len - pos);
	c->len -= pos;
	c->buf[c->len] = '\0';
	*body = out;
	return 0;
fail:
	free(out);
	return -1;
}

/* The value of "key":"…" in a JSON body, copied to out; 0 if absent. */
static int json_string_field(const char *body, const char *key, char *out, size_t cap)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\"", key);
	const char *p = strstr(body, pat);
	if (!p)
		return 0;
	p += strlen(pat);
	while (*p == ' ' || *p == ':')
		p++;
	if (*p++ != '"')
		return 0;
	size_t n = 0;
	while (p[n] && p[n] != '"' && n + 1 < cap)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
	return n > 0;
}

/* ---- post mode */

static size_t urlencode(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (; *s && n + 4 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
			out[n++] = (char)ch;
		} else {
			out[n++] = '%';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 15];
		}
	}
	out[n] = '\0';
	return n;
}

static void *post_worker(void *arg)
{
	long t = (long)arg;
	struct conn c = {.fd = -1};
	unsigned seed = (unsigned)(t * 7919 + 17);
	char key[256], desc[256], body[1024], req[2048];
	urlencode(key, sizeof key, cfg.key);
	double deadline = now_s() + cfg.seconds, down_since = 0;
	for (long n = 0; now_s() < deadline; n++) {
		if (c.fd < 0 && conn_open(&c) < 0) {
			/* Refused: the server is down (killed). Give up after 3 s without it. */
			atomic_fetch_add(&n_refused, 1);
			if (down_since == 0)
				down_since = now_s();
			else if (now_s() - down_since > 3)
				break;
			nap(20);
			continue;
		}
		down_since = 0;
		char text[160];
		snprintf(text, sizeof text, "kill -9 测试 %ld-%ld：路灯不亮", t, n);
		urlencode(desc, sizeof desc, text);
		int blen = snprintf(body, sizeof body,
		                    "api_key=%s&service_code=%s&lat=%.6f&long=%.6f&description=%s",
		                    key, cfg.services[rand_r(&seed) % cfg.nservices],
		                    38.86 + (rand_r(&seed) % 100000) / 1e6,
		                    121.52 + (rand_r(&seed) % 160000) / 1e6, desc);
		int rlen =
		    snprintf(req, sizeof req,
		             "POST /open311/v2/requests.json HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
		             "Content-Type: application/x-www-form-urlencoded\r\n"
		             "Content-Length: %d\r\n\r\n%s",
		             cfg.port, blen, body);
		atomic_fetch_add(&n_sent, 1);
		int status, must_close;
		char *resp;
		if (send_all(c.fd, req, (size_t)rlen) < 0 ||
		    read_response(&c, &status, &resp, &must_close) < 0) {
			atomic_fetch_add(&n_conn_errors, 1); /* not acknowledged: no claim made */
			conn_close(&c);
			continue;
		}
		char id[128];
		if (status >= 200 && status < 300 &&
		    json_string_field(resp, "service_request_id", id, sizeof id)) {
			pthread_mutex_lock(&log_lock);
			fprintf(log_file, "%s\n", id);
			fflush(log_file);
			pthread_mutex_unlock(&log_lock);
			atomic_fetch_add(&n_acked, 1);
		} else {
			if (atomic_fetch_add(&n_no_id, 1) < 3)
				fprintf(stderr, "post_client: HTTP %d: %.300s\n", status, resp);
		}
		free(resp);
		if (must_close)
			conn_close(&c);
	}
	conn_close(&c);
	free(c.buf);
	return NULL;
}

/* ---- check mode */

static void *check_worker(void *arg)
{
	(void)arg;
	struct conn c = {.fd = -1};
	char req[512];
	long i;
	while ((i = atomic_fetch_add(&next_id, 1)) < nids) {
		int status = 0, must_close = 0, tries;
		char *resp = NULL;
		for (tries = 0; tries < 3; tries++) {
			if (c.fd < 0 && conn_open(&c) < 0) {
				nap(100);
				continue;
			}
			int rlen = snprintf(req, sizeof req,
			                    "GET /open311/v2/requests/%s.json HTTP/1.1\r\nHost: "
			                    "127.0.0.1:%d\r\n\r\n",
			                    ids[i], cfg.port);
			if (send_all(c.fd, req, (size_t)rlen) == 0 &&
			    read_response(&c, &status, &resp, &must_close) == 0)
				break;
			conn_close(&c);
		}
		if (!resp) {
			atomic_fetch_add(&n_other, 1);
			fprintf(stderr, "post_client: %s: no answer\n", ids[i]);
			continue;
		}
		if (status == 200 && strstr(resp, ids[i])) {
			atomic_fetch_add(&n_found, 1);
		} else if (status == 404) {
			atomic_fetch_add(&n_missing, 1);
			printf("missing %s\n", ids[i]);
		} else {
			atomic_fetch_add(&n_other, 1);
			fprintf(stderr, "post_client: %s: HTTP %d: %.200s\n", ids[i], status, resp);
		}
		free(resp);
		if (must_close)
			conn_close(&c);
	}
	conn_close(&c);
	free(c.buf);
	return NULL;
}

static void read_ids(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die("cannot read %s: %s", path, strerror(errno));
	char line[256];
	long cap = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!*line)
			continue;
		if (nids == cap) {
			cap = cap ? cap * 2 : 1024;
			ids = realloc(ids, (size_t)cap * sizeof *ids);
			if (!ids)
				die("out of memory");
		}
		if (!(ids[nids++] = strdup(line)))
			die("out of memory");
	}
	fclose(f);
}

static long num(const char *s, long min, long max, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *s == '\0' || *end || v < min || v > max)
		die("bad %s '%s'", what, s);
	return v;
}

int main(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "post") != 0 && strcmp(argv[1], "check") != 0))
		die("usage: post_client post|check --port P … (see the comment in "
		    "bench/post_client.c)");
	int post = strcmp(argv[1], "post") == 0;
	char *services = NULL;
	for (int i = 2; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			die("%s needs a value", a);
		if (!strcmp(a, "--port"))
			cfg.port = (int)num(v, 1, 65535, "--port");
		else if (!strcmp(a, "--conns"))
			cfg.conns = (int)num(v, 1, MAX_CONNS, "--conns");
		else if (!strcmp(a, "--seconds"))
			cfg.seconds = (double)num(v, 1, 3600, "--seconds");
		else if (!strcmp(a, "--key"))
			cfg.key = v;
		else if (!strcmp(a, "--services"))
			services = strdup(v);
		else if (!strcmp(a, "--log"))
			cfg.log_path = v;
		else if (!strcmp(a, "--ids"))
			cfg.ids_path = v;
		else
			die("unknown option '%s'", a);
	}
	if (!cfg.port)
		die("--port is required");
	signal(SIGPIPE, SIG_IGN);

	pthread_t th[MAX_CONNS];
	if (post) {
		if (!cfg.key || !services || !cfg.log_path)
			die("post needs --key, --services and --log");
		for (char *s = strtok(services, ","); s && cfg.nservices < MAX_SERVICES;
		     s = strtok(NULL, ","))
			cfg.services[cfg.nservices++] = s;
		if (!cfg.nservices)
			die("--services is empty");
		if (!(log_file = fopen(cfg.log_path, "a")))
			die("cannot write %s: %s", cfg.log_path, strerror(errno));
	} else {
		if (!cfg.ids_path)
			die("check needs --ids");
		read_ids(cfg.ids_path);
	}
	for (long t = 0; t < cfg.conns; t++)
		if (pthread_create(&th[t], NULL, post ? post_worker : check_worker, (void *)t) != 0)
			die("cannot start a thread");
	for (int t = 0; t < cfg.conns; t++)
		pthread_join(th[t], NULL);

	if (post) {
		fclose(log_file);
		printf("post_client: sent %ld, acknowledged %ld, other answers %ld, broken "
		       "connections %ld, refused connects %ld\n",
		       atomic_load(&n_sent), atomic_load(&n_acked), atomic_load(&n_no_id),
		       atomic_load(&n_conn_errors), atomic_load(&n_refused));
		free(services);
		return 0;
	}
	printf("post_client: checked %ld: found %ld, missing %ld, errors %ld\n", nids,
	       atomic_load(&n_found), atomic_load(&n_missing), atomic_load(&n_other));
	return atomic_load(&n_missing) == 0 && atomic_load(&n_other) == 0 ? 0 : 1;
}
