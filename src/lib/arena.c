#include "lib/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

enum { ARENA_BLOCK = 16 * 1024 };

static void oom(void)
{
	fputs("out of memory\n", stderr);
	abort();
}

void arena_init(struct arena *a)
{
	memset(a, 0, sizeof *a);
}

void arena_free(struct arena *a)
{
	while (a->ncleanups > 0) {
		a->ncleanups--;
		a->cleanups[a->ncleanups](a->cleanup_args[a->ncleanups]);
	}
	free(a->cleanups);
	free(a->cleanup_args);
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	arena_init(a);
}

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	struct arena_block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK / 2 ? n : ARENA_BLOCK;
		if (cap > SIZE_MAX - sizeof *b)
			oom();
		struct arena_block *nb = malloc(sizeof *nb + cap);
		if (!nb)
			oom();
		nb->used = 0;
		nb->cap = cap;
		/* A big one-off allocation goes behind the current block so its free space stays
		 * usable. */
		if (b && cap != ARENA_BLOCK) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, cp;
	va_start(ap, fmt);
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		va_end(ap);
		return arena_strdup(a, "");
	}
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void arena_defer(struct arena *a, void (*fn)(void *), void *arg)
{
	if (a->ncleanups == a->cap_cleanups) {
		size_t cap = a->cap_cleanups ? a->cap_cleanups * 2 : 8;
		void (**f)(void *) = realloc(a->cleanups, cap * sizeof *f);
		if (!f)
			oom();
		a->cleanups = f;
		void **g = realloc(a->cleanup_args, cap * sizeof *g);
		if (!g)
			oom();
		a->cleanup_args = g;
		a->cap_cleanups = cap;
	}
	a->cleanups[a->ncleanups] = fn;
	a->cleanup_args[a->ncleanups] = arg;
	a->ncleanups++;
}

const char **arena_split(struct arena *a, const char *s, char sep, size_t *n)
{
	size_t cap = 1;
	for (const char *p = s; p && *p; p++)
		cap += *p == sep;
	const char **out = arena_alloc(a, cap * sizeof *out);
	*n = 0;
	for (const char *p = s; p && *p;) {
		const char *end = strchr(p, sep);
		if (!end)
			end = p + strlen(p);
		const char *b = p, *e = end;
		while (b < e && *b == ' ')
			b++;
		while (e > b && e[-1] == ' ')
			e--;
		if (e > b)
			out[(*n)++] = arena_strndup(a, b, (size_t)(e - b));
		p = *end ? end + 1 : end;
	}
	return out;
}
