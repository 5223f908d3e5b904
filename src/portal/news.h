/* 创城动态 on the portal (docs/news.md): the published articles, their pages and feeds. */
#ifndef WM_PORTAL_NEWS_H
#define WM_PORTAL_NEWS_H

#include "http/http.h"

int portal_news_list(struct http_req *r, struct http_resp *w, struct err *e);
int portal_news_article(struct http_req *r, struct http_resp *w, struct err *e);
int portal_news_atom(struct http_req *r, struct http_resp *w, struct err *e);
int portal_news_rss(struct http_req *r, struct http_resp *w, struct err *e);

extern const struct param_spec portal_news_params[];

/* The n latest published articles as a section of page p (the home page's). */
struct page;
struct db;
int news_latest(struct page *p, struct db *db, int n, struct err *e);

/* http_config.cache_hit: an article page served from the response cache is a view too. */
void portal_cache_hit(struct http_req *r, http_handler handler);

#endif
