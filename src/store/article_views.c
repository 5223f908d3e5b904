#include "store/article_views.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/articles.h"
#include "store/writer.h"

enum { PENDING_MAX = 256 };

struct batch {
	size_t n;
	int64_t ids[PENDING_MAX], counts[PENDING_MAX];
};

struct article_views {
	pthread_mutex_t mu;
	struct writer *writer;
	int period_s;
	struct batch pending;
	int64_t last_flush;
};

struct article_views *article_views_new(struct writer *w, int period_s)
{
	struct article_views *v = calloc(1, sizeof *v);
	if (!v)
		return NULL;
	pthread_mutex_init(&v->mu, NULL);
	v->writer = w;
	v->period_s = period_s;
	return v;
}

void article_views_free(struct article_views *v)
{
	if (!v)
		return;
	pthread_mutex_destroy(&v->mu);
	free(v);
}

static int add_batch(struct db *db, void *arg, struct err *e)
{
	struct batch *b = arg;
	return articles_add_views(db, b->ids, b->counts, b->n, e);
}

static void batch_done(void *ctx, int rc, const struct err *e)
{
	(void)rc, (void)e;
	free(ctx);
}

/* Under v->mu: the pending counts as a batch of their own (NULL when none or out of memory:
 * the counts stay pending). */
static struct batch *take(struct article_views *v, int64_t now)
{
	if (!v->pending.n)
		return NULL;
	struct batch *b = malloc(sizeof *b);
	if (!b)
		return NULL;
	memcpy(b, &v->pending, sizeof *b);
	v->pending.n = 0;
	v->last_flush = now;
	return b;
}

void article_views_count(struct article_views *v, int64_t id, int64_t now)
{
	if (!v)
		return;
	pthread_mutex_lock(&v->mu);
	struct batch *p = &v->pending;
	size_t i = 0;
	while (i < p->n && p->ids[i] != id)
		i++;
	if (i < PENDING_MAX) {
		if (i == p->n) {
			p->ids[p->n] = id;
			p->counts[p->n++] = 0;
		}
		p->counts[i]++;
	}
	if (!v->last_flush)
		v->last_flush = now;
	struct batch *b =
	    (p->n == PENDING_MAX || now - v->last_flush >= v->period_s) ? take(v, now) : NULL;
	pthread_mutex_unlock(&v->mu);
	struct err e = {0};
	if (b && writer_enqueue(v->writer, add_batch, b, batch_done, b, &e) < 0)
		free(b); /* the writer is stopping: these views are lost, as documented */
}

int article_views_flush(struct article_views *v, struct err *e)
{
	if (!v)
		return 0;
	pthread_mutex_lock(&v->mu);
	struct batch *b = take(v, v->last_flush);
	pthread_mutex_unlock(&v->mu);
	if (!b)
		return 0;
	int rc = writer_submit(v->writer, add_batch, b, e);
	free(b);
	return rc;
}
