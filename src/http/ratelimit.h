/* An in-process rate limiter: one token bucket per key ("login-ip:1.2.3.4", "post-key:7"),
 * shared by all server threads, in a table of fixed size allocated once.
 * Limits hold across the threads of one process only: each server instance limits on its own,
 * so with N instances behind a proxy a client gets at most N times the rate. Losing the table
 * (a restart) forgives everyone; nothing in it must be shared or kept. */
#ifndef WM_HTTP_RATELIMIT_H
#define WM_HTTP_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct ratelimit;

enum {
	RATELIMIT_MAX_KEYS = 1 << 24, /* a table is at most this big (about 700 MB) */
};

/* A table for at most max_keys buckets (1..RATELIMIT_MAX_KEYS), all allocated now: about
 * 40 bytes a key; take never allocates. NULL on a bad size, out of memory or when libsodium
 * (which keys the table's hash) cannot start. Free with ratelimit_free. */
struct ratelimit *ratelimit_new(size_t max_keys);
void ratelimit_free(struct ratelimit *rl);

/* Takes one token from key's bucket, which holds at most burst tokens (1..1e6) and gains
 * rate_per_s (1e-6..1e6) a second; a key seen for the first time starts full. One key should
 * always be used with the same rate and burst. now_ms: milliseconds on any clock that does not
 * jump (0..2^50); time going backwards adds nothing.
 * Returns 1 when allowed; 0 when denied, with *retry_after_s (if non-NULL) the whole seconds,
 * at least 1, until a token is available (for Retry-After); ERR_BAD_REQUEST for arguments out
 * of range (a caller bug: treat it as denied).
 * When the table is full, a new key replaces a bucket that has refilled completely (it carries
 * no state) among the least recently used few, else the least recently used one: a client
 * that sprays keys cannot grow the table, but can make it forget idle, partly drained buckets
 * sooner; size max_keys well above the keys active within one refill period. */
int ratelimit_take(struct ratelimit *rl, const char *key, double rate_per_s, double burst,
                   int64_t now_ms, int *retry_after_s);

/* Buckets in use (for tests and metrics); never more than max_keys. */
size_t ratelimit_count(struct ratelimit *rl);

#endif
