/* wenming serve: migrate, start the group-commit writer and the HTTP server, run until
 * SIGTERM/SIGINT, then finish in-flight requests and stop. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/routes.h"
#include "app.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "store/db.h"
#include "store/migrate.h"
#include "api/staff.h"
#include "core/validate.h"
#include "http/ratelimit.h"
#include "http/respond.h"
#include "portal/news.h"
#include "portal/page.h"
#include "store/article_views.h"
#include "store/calendar_store.h"
#include "store/case_search.h"
#include "store/jobs.h"
#include "store/refcache.h"
#include "store/writer.h"

#ifndef WM_WEB_DIR
#define WM_WEB_DIR "web"
#endif

static int migrate_once(const char *url, struct err *e)
{
	struct db *db;
	int rc = db_open(url, &db, e);
	if (rc < 0)
		return rc;
	rc = migrate_apply(db, e);
	/* Cases from before the search index (migration 020) are indexed once, here. */
	int64_t indexed = 0;
	if (rc == 0 && (rc = case_search_catch_up(db, &indexed, e)) == 0 && indexed)
		fprintf(stderr, "wenming: %lld cases added to the search index\n",
		        (long long)indexed);
	/* A database upgraded by serve alone gets the shipped calendar too (only years it has
	 * no days for: an administrator's import is never undone). */
	if (rc == 0 && (rc = db_begin_write(db, e)) == 0) {
		rc = calendar_seed(db, WM_DATA_DIR, NULL, e);
		if (rc == 0)
			rc = db_commit(db, e);
		else
			db_rollback(db);
	}
	db_close(db);
	return rc;
}

int cmd_serve(int argc, char **argv)
{
	struct opt opts[] = {
	    {.name = "db", .kind = OPT_STRING, .env = "WENMING_DB", .help = "database path"},
	    {.name = "port",
	     .kind = OPT_INT,
	     .env = "WENMING_PORT",
	     .min = 0,
	     .max = 65535,
	     .help = "TCP port (0 picks a free one; default 8080)"},
	    {.name = "bind",
	     .kind = OPT_STRING,
	     .env = "WENMING_BIND",
	     .help = "address to listen on (default 127.0.0.1)"},
	    {.name = "threads",
	     .kind = OPT_INT,
	     .env = "WENMING_THREADS",
	     .min = 1,
	     .max = 256,
	     .help = "worker threads (default: number of CPUs)"},
	    {.name = "media",
	     .kind = OPT_STRING,
	     .env = "WENMING_MEDIA",
	     .help = "photo directory (default: media/ beside the database)"},
	    {.name = "web",
	     .kind = OPT_STRING,
	     .env = "WENMING_WEB",
	     .help =
	         "the console's files: a directory holding static/ (default: the build's web/)"},
	    {.name = "jurisdiction",
	     .kind = OPT_STRING,
	     .env = "WENMING_JURISDICTION",
	     .help = "Open311 jurisdiction_id accepted (default dalian)"},
	    {.name = "prefix",
	     .kind = OPT_STRING,
	     .env = "WENMING_PREFIX",
	     .help = "tracking code prefix, 1-4 letters (default DL)"},
	    {.name = "public-url",
	     .kind = OPT_STRING,
	     .env = "WENMING_PUBLIC_URL",
	     .help = "absolute base URL for links when behind a proxy"},
	    {.name = "max-body",
	     .kind = OPT_INT,
	     .env = "WENMING_MAX_BODY",
	     .min = 1024,
	     .max = 1L << 30,
	     .help = "largest request body in bytes (default 10485760)"},
	    {.name = "job-period",
	     .kind = OPT_INT,
	     .env = "WENMING_JOB_PERIOD",
	     .min = 1,
	     .max = 86400,
	     .help = "run every background job each N seconds (default: each job's own period)"},
	    {.name = "no-jobs",
	     .kind = OPT_FLAG,
	     .help = "run no background jobs here (other instances still do)"},
	    {.name = "post-rate-ip",
	     .kind = OPT_INT,
	     .env = "WENMING_POST_RATE_IP",
	     .min = 0,
	     .max = 1000000,
	     .help = "Open311 reports per second per client address (default 5; 0: no limit)"},
	    {.name = "post-rate-key",
	     .kind = OPT_INT,
	     .env = "WENMING_POST_RATE_KEY",
	     .min = 0,
	     .max = 1000000,
	     .help = "Open311 reports per second per api key (default 100; 0: no limit)"},
	    {.name = "login-rate",
	     .kind = OPT_INT,
	     .env = "WENMING_LOGIN_RATE",
	     .min = 0,
	     .max = 100000,
	     .help = "login attempts per minute per client address (default 10; 0: no limit)"},
	    {.name = "tile-url",
	     .kind = OPT_STRING,
	     .env = "WENMING_TILE_URL",
	     .help = "the city's map tiles, e.g. https://tiles.example.cn/{z}/{x}/{y}.png (default:"
	             " none, the map shows the areas only)"},
	    {.name = "tile-public",
	     .kind = OPT_FLAG,
	     .help = "show the tiles on the public portal's maps too (the report form's picker and"
	             " 问题地图); without it only staff see them, as for a tile server on the"
	             " city's intranet"},
	    {.name = "tile-attribution",
	     .kind = OPT_STRING,
	     .env = "WENMING_TILE_ATTRIBUTION",
	     .help = "the tile server's credit line shown on the map"},
	    {.name = "views-flush",
	     .kind = OPT_INT,
	     .env = "WENMING_VIEWS_FLUSH",
	     .min = 0,
	     .max = 3600,
	     .help = "write counted article views every N seconds (default 30; 0: at once)"},
	    {.name = "quiet", .kind = OPT_FLAG, .help = "no request log lines"},
	    {.name = "help", .kind = OPT_FLAG, .help = "show this help"},
	    {.name = NULL},
	};
	const char *pos[1];
	int npos;
	if (opts_parse("serve", opts, argc, argv, pos, 0, &npos) < 0)
		return 2;
	if (opts_get(opts, "help")->set) {
		opts_usage("serve", "[options]", "Serves the API and pages over HTTP.", opts);
		return 0;
	}
	struct opt *o;
	const char *db = (o = opts_get(opts, "db"))->set ? o->str : cli_default_db();
	const char *prefix = (o = opts_get(opts, "prefix"))->set ? o->str : "DL";
	size_t plen = strlen(prefix);
	if (plen < 1 || plen > 4 || strspn(prefix, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != plen) {
		fputs("wenming serve: --prefix must be 1 to 4 upper-case letters\n", stderr);
		return 2;
	}
	const char *tile_url = (o = opts_get(opts, "tile-url"))->set && *o->str ? o->str : NULL;
	char tile_origin[256];
	if (tile_url && (validate_tile_url(tile_url, tile_origin, sizeof tile_origin) < 0 ||
	                 respond_set_img_origin(tile_origin) < 0)) {
		fputs("wenming serve: --tile-url must be an http(s) URL with {z}, {x} and {y}, e.g."
		      " https://tiles.example.cn/{z}/{x}/{y}.png\n",
		      stderr);
		return 2;
	}
	int tile_public = opts_get(opts, "tile-public")->set;
	if (tile_public && !tile_url) {
		fputs("wenming serve: --tile-public needs --tile-url\n", stderr);
		return 2;
	}
	char *media = (o = opts_get(opts, "media"))->set ? strdup(o->str) : cli_media_dir_for(db);
	if (!media)
		return 1;
	struct app app = {
	    .db_url = db,
	    .media_dir = media,
	    .web_dir = (o = opts_get(opts, "web"))->set ? o->str : WM_WEB_DIR,
	    .jurisdiction_id = (o = opts_get(opts, "jurisdiction"))->set ? o->str : "dalian",
	    .city_prefix = prefix,
	    .public_url = (o = opts_get(opts, "public-url"))->set ? o->str : NULL,
	    .tile_url = tile_url,
	    .tile_attribution = (o = opts_get(opts, "tile-attribution"))->set ? o->str : NULL,
	    .tile_public = tile_public,
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct http_config cfg = {
	    .bind_addr = (o = opts_get(opts, "bind"))->set ? o->str : "127.0.0.1",
	    .port = (o = opts_get(opts, "port"))->set ? (int)o->num : 8080,
	    .threads =
	        (o = opts_get(opts, "threads"))->set ? (int)o->num : (ncpu > 0 ? (int)ncpu : 2),
	    .max_body = (o = opts_get(opts, "max-body"))->set ? (size_t)o->num : 10u << 20,
	    .quiet = opts_get(opts, "quiet")->set,
	};

	/* Signals are taken by sigwait below, so every thread started from here blocks them. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct err e = {0};
	struct http_server *srv = NULL;
	int status = 1;
	/* Login and posting limits: 64k client addresses and keys at about 40 bytes each. */
	app.limits = ratelimit_new(1 << 16);
	app.post_rate_ip = (o = opts_get(opts, "post-rate-ip"))->set ? (double)o->num : 5;
	app.post_rate_key = (o = opts_get(opts, "post-rate-key"))->set ? (double)o->num : 100;
	app.login_per_min = (o = opts_get(opts, "login-rate"))->set ? (double)o->num : 10;
	if (!app.limits || refcache_new(&app.refcache) < 0) {
		err_set(&e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (migrate_once(db, &e) < 0 || writer_start(db, &app.writer, &e) < 0)
		goto out;
	cfg.generation = writer_generation;
	cfg.generation_ctx = app.writer;
	cfg.authenticate = api_authenticate;
	cfg.cache_variant = page_cache_variant;
	cfg.cache_hit = portal_cache_hit;
	cfg.page_class = page_error_class;
	if (!(app.views = article_views_new(
	          app.writer, (o = opts_get(opts, "views-flush"))->set ? (int)o->num : 30))) {
		err_set(&e, ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (http_server_start(&cfg, routes, &app, &srv, &e) < 0)
		goto out;
	struct jobs *jobs = NULL;
	if (!opts_get(opts, "no-jobs")->set &&
	    jobs_start(db, media, server_jobs,
	               (o = opts_get(opts, "job-period"))->set ? (int)o->num : 0, &jobs, &e) < 0)
		fprintf(stderr, "wenming serve: %s (serving without background jobs)\n", e.msg);
	fprintf(stderr, "wenming: listening on http://%s:%d\n", cfg.bind_addr,
	        http_server_port(srv));
	int sig = 0;
	sigwait(&sigs, &sig);
	fprintf(stderr, "wenming: %s, finishing requests in flight\n",
	        sig == SIGINT ? "SIGINT" : "SIGTERM");
	jobs_stop(jobs);
	http_server_stop(srv);
	status = 0;
out:
	if (status)
		fprintf(stderr, "wenming serve: %s\n", e.msg);
	if (app.views && article_views_flush(app.views, &e) < 0)
		fprintf(stderr, "wenming serve: article views not written: %s\n", e.msg);
	article_views_free(app.views);
	writer_stop(app.writer);
	refcache_free(app.refcache);
	ratelimit_free(app.limits);
	free(media);
	if (status == 0)
		fputs("wenming: stopped\n", stderr);
	return status;
}
