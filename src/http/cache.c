#include "http/cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Sharded so that worker threads rarely wait on each other's lookups. */
enum { SHARDS = 16, BUCKETS = 256 };

struct entry {
	struct entry *next;  /* bucket chain */
	struct entry *older; /* eviction order within the shard (FIFO) */
	struct entry *newer;
	uint64_t hash, generation;
	int64_t expires_ms;
	struct cache_meta meta;
	size_t klen, len;
	char *key, *body; /* one allocation after the struct */
};

struct shard {
	pthread_mutex_t lock;
	struct entry *buckets[BUCKETS];
	struct entry *oldest, *newest;
	size_t bytes;
};

struct http_cache {
	size_t shard_max;
	struct shard shards[SHARDS];
};

uint64_t cache_hash(const void *p, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ull;
	return h;
}

struct http_cache *cache_new(size_t max_bytes)
{
	struct http_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->shard_max = max_bytes / SHARDS;
	for (int i = 0; i < SHARDS; i++)
		pthread_mutex_init(&c->shards[i].lock, NULL);
	return c;
}

void cache_free(struct http_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < SHARDS; i++) {
		struct entry *e = c->shards[i].oldest;
		while (e) {
			struct entry *n = e->newer;
			free(e);
			e = n;
		}
		pthread_mutex_destroy(&c->shards[i].lock);
	}
	free(c);
}

static struct entry **find(struct shard *s, uint64_t h, const char *key, size_t klen)
{
	struct entry **p = &s->buckets[h % BUCKETS];
	while (*p && !((*p)->hash == h && (*p)->klen == klen && memcmp((*p)->key, key, klen) == 0))
		p = &(*p)->next;
	return p;
}

static void unlink_entry(struct shard *s, struct entry **slot)
{
	struct entry *e = *slot;
	*slot = e->next;
	if (e->older)
		e->older->newer = e->newer;
	else
		s->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		s->newest = e->older;
	s->bytes -= sizeof *e + e->klen + e->len;
	free(e);
}

bool cache_get(struct http_cache *c, const char *key, size_t klen, uint64_t generation,
               int64_t now_ms, struct buf *out, struct cache_meta *meta)
{
	uint64_t h = cache_hash(key, klen);
	struct shard *s = &c->shards[h % SHARDS];
	bool hit = false;
	pthread_mutex_lock(&s->lock);
	struct entry **slot = find(s, h, key, klen);
	if (*slot) {
		struct entry *e = *slot;
		if (e->generation == generation && now_ms < e->expires_ms) {
			buf_add(out, e->body, e->len);
			*meta = e->meta;
			hit = true;
		} else {
			unlink_entry(s, slot);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return hit;
}

void cache_put(struct http_cache *c, const char *key, size_t klen, uint64_t generation,
               int64_t expires_ms, const void *body, size_t len, const struct cache_meta *meta)
{
	size_t cost = sizeof(struct entry) + klen + len;
	if (cost > c->shard_max / 4) /* one huge body must not flush everything else */
		return;
	struct entry *e = malloc(cost);
	if (!e)
		return;
	e->hash = cache_hash(key, klen);
	e->generation = generation;
	e->expires_ms = expires_ms;
	e->meta = *meta;
	e->klen = klen;
	e->len = len;
	e->key = (char *)(e + 1);
	e->body = e->key + klen;
	memcpy(e->key, key, klen);
	memcpy(e->body, body, len);
	struct shard *s = &c->shards[e->hash % SHARDS];
	pthread_mutex_lock(&s->lock);
	struct entry **slot = find(s, e->hash, key, klen);
	if (*slot)
		unlink_entry(s, slot);
	while (s->oldest && s->bytes + cost > c->shard_max)
		unlink_entry(s, find(s, s->oldest->hash, s->oldest->key, s->oldest->klen));
	e->next = s->buckets[e->hash % BUCKETS];
	s->buckets[e->hash % BUCKETS] = e;
	e->older = s->newest;
	e->newer = NULL;
	if (s->newest)
		s->newest->newer = e;
	else
		s->oldest = e;
	s->newest = e;
	s->bytes += cost;
	pthread_mutex_unlock(&s->lock);
}
