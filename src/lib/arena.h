/* A region allocator: a request owns one; everything allocated from it dies with arena_free. */
#ifndef WM_ARENA_H
#define WM_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;
struct arena {
	struct arena_block *head;
	void (**cleanups)(void *); /* destructors for foreign objects tied to the arena */
	void **cleanup_args;
	size_t ncleanups, cap_cleanups;
};

void arena_init(struct arena *a);
/* Frees every block and runs registered cleanups (in reverse order). a may be reused after. */
void arena_free(struct arena *a);
/* Allocation aborts on out-of-memory (as buf does). Memory is zeroed and 16-byte aligned. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s split at sep into arena strings, empty parts and spaces around parts dropped; *n parts.
 * s NULL or "": none (the array is still valid to index 0). */
const char **arena_split(struct arena *a, const char *s, char sep, size_t *n);
/* Runs fn(arg) when the arena is freed, e.g. json_decref for a jansson value. */
void arena_defer(struct arena *a, void (*fn)(void *), void *arg);

#endif
