/* gzip for response bodies. deflateInit2 allocates ~256 KiB of state and clears tables, so
 * each thread keeps one stream and resets it per response instead. */
#include "http/respond.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

/* Level 4: most of level 6's ratio on JSON at a good deal less CPU per dynamic response. */
enum { GZIP_LEVEL = 4, GZIP_WINDOW = 15 + 16 /* 16: gzip wrapper, not zlib */, GZIP_MEMLEVEL = 8 };

static pthread_key_t stream_key;
static pthread_once_t stream_once = PTHREAD_ONCE_INIT;
static int stream_key_ok;

static void stream_free(void *p)
{
	z_stream *z = p;
	deflateEnd(z);
	free(z);
}

static void stream_key_init(void)
{
	stream_key_ok = pthread_key_create(&stream_key, stream_free) == 0;
}

static z_stream *stream_get(void)
{
	if (pthread_once(&stream_once, stream_key_init) != 0 || !stream_key_ok)
		return NULL;
	z_stream *z = pthread_getspecific(stream_key);
	if (z) {
		if (deflateReset(z) == Z_OK)
			return z;
		return NULL;
	}
	z = calloc(1, sizeof *z);
	if (!z)
		return NULL;
	if (deflateInit2(z, GZIP_LEVEL, Z_DEFLATED, GZIP_WINDOW, GZIP_MEMLEVEL,
	                 Z_DEFAULT_STRATEGY) != Z_OK) {
		free(z);
		return NULL;
	}
	if (pthread_setspecific(stream_key, z) != 0) {
		stream_free(z);
		return NULL;
	}
	return z;
}

void gzip_thread_release(void)
{
	if (pthread_once(&stream_once, stream_key_init) != 0 || !stream_key_ok)
		return;
	z_stream *z = pthread_getspecific(stream_key);
	if (z) {
		pthread_setspecific(stream_key, NULL);
		stream_free(z);
	}
}

int gzip_compress(const void *in, size_t n, struct buf *out)
{
	if (n > UINT_MAX / 2)
		return -1;
	z_stream *z = stream_get();
	if (!z)
		return -1;
	size_t bound = deflateBound(z, (uLong)n);
	buf_grow(out, bound);
	z->next_in = (Bytef *)(uintptr_t)in; /* zlib's API is not const-correct */
	z->avail_in = (uInt)n;
	z->next_out = (Bytef *)out->data + out->len;
	z->avail_out = (uInt)bound;
	int rc = deflate(z, Z_FINISH); /* bound is enough for one call to finish */
	if (rc != Z_STREAM_END)
		return -1;
	out->len += bound - z->avail_out;
	out->data[out->len] = '\0';
	return 0;
}

/* Accept-Encoding: "gzip, deflate, br", "gzip;q=0", "*;q=0.5", "identity". gzip is acceptable
 * when listed with q>0, or when not listed and "*" is (RFC 9110 §12.5.3). */
bool accepts_gzip(const char *ae)
{
	if (!ae)
		return false;
	int gzip = -1, star = -1; /* -1 unlisted, 0 refused, 1 accepted */
	const char *p = ae;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *tok = p;
		while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		size_t tl = (size_t)(p - tok);
		int q = 1;
		/* Parameters up to the next comma; only q matters. */
		while (*p && *p != ',') {
			while (*p == ' ' || *p == '\t' || *p == ';')
				p++;
			if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
				const char *v = p + 2;
				q = 0; /* "0", "0.", "0.000" are zero; anything else positive */
				for (; *v && *v != ',' && *v != ';' && *v != ' '; v++)
					if (*v >= '1' && *v <= '9')
						q = 1;
				p = v;
			} else {
				while (*p && *p != ',' && *p != ';')
					p++;
			}
		}
		if ((tl == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
		    (tl == 6 && strncasecmp(tok, "x-gzip", 6) == 0))
			gzip = q;
		else if (tl == 1 && tok[0] == '*')
			star = q;
	}
	return gzip == 1 || (gzip == -1 && star == 1);
}
