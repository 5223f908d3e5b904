/* Token buckets, kept as GCRA ("generic cell rate algorithm"): a bucket is one number, the
 * theoretical arrival time (tat) at which it would be full again. A take at `now` is allowed
 * when tat - now <= tau = (burst - 1) * interval, and then moves tat one interval later. This
 * is exactly a token bucket (burst tokens, one token per interval) but needs neither the rate
 * nor a token count in the table, uses integer microseconds (no rounding drift as a count of
 * fractional tokens would have), and "refilled completely" is simply tat <= now.
 *
 * Keys are not stored: a bucket holds a keyed 128-bit SipHash of its key (random key per
 * table). Keys come from clients, so an unkeyed hash would let one client aim keys at one
 * shard or chain; 128 bits make two keys sharing a bucket practically impossible. Every
 * bucket is allocated by ratelimit_new, so a take never allocates and the table cannot grow
 * past max_keys however keys are sprayed. */
#include "http/ratelimit.h"

#include "lib/err.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum {
	MAX_SHARDS = 64, /* enough that server threads rarely wait on each other */
	EVICT_SCAN = 8,  /* how many of the least recently used a full table looks at */
};

#define NIL UINT32_MAX

struct bucket {
	uint64_t id[2]; /* SipHash-128 of the key: id[0] picks the shard, id[1] the chain */
	int64_t tat_us;
	uint32_t chain;      /* next bucket in the same hash chain, or NIL */
	uint32_t prev, next; /* recency list: prev is more recently used */
};

struct shard {
	pthread_mutex_t lock;
	struct bucket *b; /* cap buckets; [0, used) are in use */
	uint32_t *heads;  /* chain heads, mask + 1 of them */
	uint32_t mask;
	uint32_t cap, used;
	uint32_t newest, oldest; /* ends of the recency list */
};

struct ratelimit {
	unsigned char hash_key[crypto_shorthash_siphashx24_KEYBYTES];
	uint32_t nshards;
	struct shard shards[]; /* nshards */
};

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	for (uint32_t i = 0; i < rl->nshards; i++) {
		free(rl->shards[i].b);
		free(rl->shards[i].heads);
		pthread_mutex_destroy(&rl->shards[i].lock);
	}
	free(rl);
}

struct ratelimit *ratelimit_new(size_t max_keys)
{
	if (max_keys < 1 || max_keys > RATELIMIT_MAX_KEYS || sodium_init() < 0)
		return NULL;
	uint32_t n = 1;
	while (n * 2 <= MAX_SHARDS && n * 2 <= max_keys)
		n *= 2;
	struct ratelimit *rl = calloc(1, sizeof *rl + n * sizeof rl->shards[0]);
	if (!rl)
		return NULL;
	randombytes_buf(rl->hash_key, sizeof rl->hash_key);
	for (uint32_t i = 0; i < n; i++) {
		struct shard *s = &rl->shards[i];
		/* split max_keys exactly, so the shards together hold at most max_keys */
		s->cap = (uint32_t)(max_keys / n + (i < max_keys % n));
		s->mask = pow2_at_least(s->cap) - 1;
		s->newest = s->oldest = NIL;
		s->b = malloc(s->cap * sizeof *s->b);
		s->heads = malloc(((size_t)s->mask + 1) * sizeof *s->heads);
		pthread_mutex_init(&s->lock, NULL);
		rl->nshards = i + 1; /* what ratelimit_free must undo */
		if (!s->b || !s->heads) {
			ratelimit_free(rl);
			return NULL;
		}
		memset(s->heads, 0xFF, ((size_t)s->mask + 1) * sizeof *s->heads); /* all NIL */
	}
	return rl;
}

static void recency_unlink(struct shard *s, uint32_t i)
{
	struct bucket *b = &s->b[i];
	if (b->prev != NIL)
		s->b[b->prev].next = b->next;
	else
		s->newest = b->next;
	if (b->next != NIL)
		s->b[b->next].prev = b->prev;
	else
		s->oldest = b->prev;
}

static void recency_push(struct shard *s, uint32_t i)
{
	struct bucket *b = &s->b[i];
	b->prev = NIL;
	b->next = s->newest;
	if (s->newest != NIL)
		s->b[s->newest].prev = i;
	else
		s->oldest = i;
	s->newest = i;
}

static void chain_unlink(struct shard *s, uint32_t i)
{
	uint32_t *p = &s->heads[s->b[i].id[1] & s->mask];
	while (*p != i)
		p = &s->b[*p].chain;
	*p = s->b[i].chain;
}

/* A slot for a new bucket: a free one, else a refilled one among the EVICT_SCAN least
 * recently used (forgetting it changes nothing), else the least recently used. */
static uint32_t slot_for_new(struct shard *s, int64_t now_us)
{
	if (s->used < s->cap)
		return s->used++;
	uint32_t victim = s->oldest;
	uint32_t i = s->oldest;
	for (int k = 0; k < EVICT_SCAN && i != NIL; k++, i = s->b[i].prev) {
		if (s->b[i].tat_us <= now_us) {
			victim = i;
			break;
		}
	}
	chain_unlink(s, victim);
	recency_unlink(s, victim);
	return victim;
}

int ratelimit_take(struct ratelimit *rl, const char *key, double rate_per_s, double burst,
                   int64_t now_ms, int *retry_after_s)
{
	/* written so that NaN fails every test */
	if (!rl || !key || !(rate_per_s >= 1e-6 && rate_per_s <= 1e6) ||
	    !(burst >= 1 && burst <= 1e6) || now_ms < 0 || now_ms > INT64_C(1) << 50)
		return ERR_BAD_REQUEST;
	/* Bounds above keep tat within now + tau + interval <= 2^50 * 1000 + 1e18 + 1e12 < 2^63. */
	int64_t interval = (int64_t)(1e6 / rate_per_s + 0.5);
	int64_t tau = (int64_t)((burst - 1) * (double)interval + 0.5);
	int64_t now = now_ms * 1000;

	uint64_t id[2];
	crypto_shorthash_siphashx24((unsigned char *)id, (const unsigned char *)key, strlen(key),
	                            rl->hash_key);
	struct shard *s = &rl->shards[id[0] & (rl->nshards - 1)];

	pthread_mutex_lock(&s->lock);
	uint32_t i = s->heads[id[1] & s->mask];
	while (i != NIL && !(s->b[i].id[0] == id[0] && s->b[i].id[1] == id[1]))
		i = s->b[i].chain;
	if (i == NIL) {
		i = slot_for_new(s, now);
		struct bucket *b = &s->b[i];
		b->id[0] = id[0], b->id[1] = id[1];
		b->tat_us = now; /* a new bucket is full */
		uint32_t *head = &s->heads[id[1] & s->mask];
		b->chain = *head;
		*head = i;
	} else {
		recency_unlink(s, i);
	}
	recency_push(s, i);

	struct bucket *b = &s->b[i];
	int64_t tat = b->tat_us > now ? b->tat_us : now;
	int allowed = tat - now <= tau;
	if (allowed)
		b->tat_us = tat + interval;
	pthread_mutex_unlock(&s->lock);

	if (!allowed && retry_after_s) {
		/* the next token comes when tat - tau reaches now; round up to whole seconds */
		int64_t wait_s = (tat - tau - now + 999999) / 1000000;
		*retry_after_s = wait_s < 1 ? 1 : wait_s > INT32_MAX ? INT32_MAX : (int)wait_s;
	}
	return allowed;
}

size_t ratelimit_count(struct ratelimit *rl)
{
	size_t n = 0;
	for (uint32_t i = 0; i < rl->nshards; i++) {
		pthread_mutex_lock(&rl->shards[i].lock);
		n += rl->shards[i].used;
		pthread_mutex_unlock(&rl->shards[i].lock);
	}
	return n;
}
