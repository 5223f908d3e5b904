/* The running server's shared context: configuration and per-thread store connections. */
#ifndef WM_APP_H
#define WM_APP_H

#include "lib/err.h"

struct db;
struct writer;
struct article_views;

struct app {
	const char *db_url;           /* file path or postgresql://… */
	const char *media_dir;        /* content-addressed photos, e.g. var/media */
	const char *data_dir;         /* data/ with categories.csv and demo/ */
	const char *web_dir;          /* web/ with static/ (the console); NULL: not served */
	const char *jurisdiction_id;  /* Open311 jurisdiction accepted, e.g. "dalian.gov.cn" */
	const char *city_prefix;      /* two letters leading every tracking code, e.g. "DL" */
	const char *public_url;       /* absolute base for links; NULL: from the request's Host */
	const char *tile_url;         /* the city's map tiles ({z}/{x}/{y}); NULL: areas only */
	const char *tile_attribution; /* the tile server's credit line, shown on the map */
	int tile_public;              /* the portal's maps show the tiles too (else staff only) */
	struct writer *writer;        /* group-commit queue for acknowledged writes */
	struct refcache *refcache;    /* categories, areas, api keys (store/refcache.h) */
	struct ratelimit *limits;     /* login and posting token buckets (http/ratelimit.h) */
	struct article_views *views;  /* article page views not yet written (NULL: not counted) */
	double post_rate_ip;  /* Open311 reports per second per client address; 0: no limit */
	double post_rate_key; /* … per api key; 0: no limit. Bursts are 10 s worth */
	double login_per_min; /* login attempts a minute per client address; 0: no limit */
};

/* This thread's connection (opened on first use, closed at thread exit). */
int app_db(struct app *a, struct db **out, struct err *e);
/* Closes this thread's connection now (threads that end do it themselves; main and tests). */
void app_db_close_thread(void);

#endif
