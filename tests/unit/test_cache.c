#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "http/cache.h"

static const struct cache_meta JSON = {"application/json; charset=utf-8", false, true, 0};

static bool get(struct http_cache *c, const char *key, uint64_t gen, int64_t now, struct buf *out)
{
	struct cache_meta m;
	buf_reset(out);
	return cache_get(c, key, strlen(key), gen, now, out, &m);
}

Test(cache, hit_until_expiry_or_new_generation)
{
	struct http_cache *c = cache_new(1 << 20);
	struct buf b = BUF_INIT;
	cache_put(c, "k", 1, 7, 1000, "body", 4, &JSON);
	cr_assert(get(c, "k", 7, 999, &b));
	cr_assert_str_eq(b.data, "body");
	cr_assert_not(get(c, "k", 8, 999, &b), "a newer generation makes it stale");
	cr_assert_not(get(c, "k", 7, 999, &b), "and the stale entry is gone");
	cache_put(c, "k", 1, 7, 1000, "body", 4, &JSON);
	cr_assert_not(get(c, "k", 7, 1000, &b), "expired at its deadline");
	cr_assert_not(get(c, "other", 7, 0, &b));
	buf_free(&b);
	cache_free(c);
}

Test(cache, replace_keeps_one_entry_and_meta)
{
	struct http_cache *c = cache_new(1 << 20);
	struct buf b = BUF_INIT;
	struct cache_meta gz = {"text/xml; charset=utf-8", true, true, 7}, m;
	cache_put(c, "k", 1, 1, 100, "old", 3, &JSON);
	cache_put(c, "k", 1, 1, 100, "newer", 5, &gz);
	cr_assert(cache_get(c, "k", 1, 1, 0, &b, &m));
	cr_assert_str_eq(b.data, "newer");
	cr_assert(m.gzip);
	cr_assert_str_eq(m.content_type, "text/xml; charset=utf-8");
	cr_assert_eq(m.etag, 7, "the validator is kept with the body");
	buf_free(&b);
	cache_free(c);
}

Test(cache, bounded_evicts_oldest_and_refuses_huge)
{
	/* 16 shards of 16 KiB: about 15 bodies of 1 KiB fit in each, older ones go first. */
	struct http_cache *c = cache_new(16 * 16384);
	struct buf b = BUF_INIT;
	char body[1024];
	memset(body, 'x', sizeof body);
	char key[32];
	for (int i = 0; i < 400; i++) {
		snprintf(key, sizeof key, "key-%d", i);
		cache_put(c, key, strlen(key), 1, 100, body, sizeof body, &JSON);
	}
	int kept = 0;
	for (int i = 0; i < 400; i++) {
		snprintf(key, sizeof key, "key-%d", i);
		kept += get(c, key, 1, 0, &b);
	}
	cr_assert_leq(kept, 16 * 16, "at most what fits: %d kept", kept);
	cr_assert_gt(kept, 0);
	cr_assert(get(c, "key-399", 1, 0, &b), "the newest survives");
	static char huge[8192];
	cache_put(c, "huge", 4, 1, 100, huge, sizeof huge, &JSON);
	cr_assert_not(get(c, "huge", 1, 0, &b), "one body may not take a whole shard");
	buf_free(&b);
	cache_free(c);
}
