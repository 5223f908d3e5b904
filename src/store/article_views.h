/* Page views of published articles, counted in memory and added to article.views in
 * batches: a write per view would cost a transaction per page and drop the response cache
 * each time. Counts not yet written when the process dies are lost (a few seconds' worth:
 * views are a popularity signal, not a record). */
#ifndef WM_ARTICLE_VIEWS_H
#define WM_ARTICLE_VIEWS_H

#include <stdint.h>

#include "lib/err.h"

struct article_views;
struct writer;

/* A counter that hands its batches to w every period_s seconds (0: each view at once; `serve
 * --views-flush`). NULL when out of memory. */
struct article_views *article_views_new(struct writer *w, int period_s);
/* Counts one view of article id at time now; once the period has passed since the last batch
 * (or when many articles are pending) queues the batch on the writer without waiting. */
void article_views_count(struct article_views *v, int64_t id, int64_t now);
/* Writes what is pending and waits for it (at shutdown, and in tests). */
int article_views_flush(struct article_views *v, struct err *e);
/* Frees v (after article_views_flush, if the counts matter). NULL is fine. */
void article_views_free(struct article_views *v);

#endif
