/* A bounded in-memory cache of whole GET responses (the bytes as sent, gzipped or not).
 * An entry serves while the data generation it was built at is still current and it is
 * younger than its route's TTL: the generation makes this instance's own writes visible at
 * once; the TTL bounds how long another instance's writes can go unseen. Safe to lose. */
#ifndef WM_HTTP_CACHE_H
#define WM_HTTP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

struct http_cache;

struct cache_meta {
	const char *content_type; /* a static string (the layer's constants) */
	bool gzip;                /* body is gzip-encoded */
	bool vary;                /* Vary: Accept-Encoding */
	uint64_t etag;            /* the body's validator (0: none) */
};

/* FNV-1a of p[0..n): the cache's key hash, also the responses' ETag (http/respond.c). */
uint64_t cache_hash(const void *p, size_t n);
/* max_bytes bounds the stored bodies and keys; NULL when out of memory. */
struct http_cache *cache_new(size_t max_bytes);
void cache_free(struct http_cache *c);
/* On a fresh hit, appends the body to out, fills meta and returns true. */
bool cache_get(struct http_cache *c, const char *key, size_t klen, uint64_t generation,
               int64_t now_ms, struct buf *out, struct cache_meta *meta);
/* Stores a copy (replacing an older entry for the key); silently skips what does not fit. */
void cache_put(struct http_cache *c, const char *key, size_t klen, uint64_t generation,
               int64_t expires_ms, const void *body, size_t len, const struct cache_meta *meta);

#endif
