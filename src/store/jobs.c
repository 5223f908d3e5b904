#include "store/jobs.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"
#include "store/db_driver.h"

enum { RECONNECT_S = 5 };

static int is_pg(struct db *db)
{
	return strcmp(db_dialect(db), "postgresql") == 0;
}

int32_t job_lock_key(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (int32_t)h;
}

/* PostgreSQL: a session lock, so it holds across the job's own transactions and is released
 * by the server if this process dies. *got: whether we hold it now. */
static int advisory(struct db *db, const char *name, int lock, int *got, struct err *e)
{
	int64_t v = 1;
	int rc = db_get_int(db,
	                    lock ? "SELECT CASE WHEN pg_try_advisory_lock(?, ?) THEN 1 ELSE 0 END"
	                         : "SELECT CASE WHEN pg_advisory_unlock(?, ?) THEN 1 ELSE 0 END",
	                    DB_ARGS(db_int(JOB_LOCK_SPACE), db_int(job_lock_key(name))), &v, e);
	if (got)
		*got = rc == 0 && v == 1;
	return rc;
}

/* SQLite has no advisory locks: a pass another instance started recently and has not
 * finished keeps this one waiting (a pass left unfinished by a dead process stops counting
 * after three periods). */
static int running_elsewhere(struct db *db, const char *name, int64_t now, int period_s,
                             int *running, struct err *e)
{
	int64_t one;
	int rc = db_get_int(db,
	                    "SELECT 1 FROM job_run WHERE name = ? AND finished_at IS NULL"
	                    " AND started_at > ?",
	                    DB_ARGS(db_text(name), db_int(now - 3 * (int64_t)period_s)), &one, e);
	*running = rc == 0;
	return rc == ERR_NOT_FOUND ? 0 : rc;
}

static int finish(struct db *db, int64_t run_id, int ok, const char *note, struct err *e)
{
	return db_run(
	    db, "UPDATE job_run SET finished_at = ?, ok = ?, note = ? WHERE id = ?",
	    DB_ARGS(db_int((int64_t)time(NULL)), db_int(ok), db_text(note), db_int(run_id)), e);
}

int job_run_pass(const struct job_def *j, const struct job_ctx *ctx, const char *instance,
                 int period_s, struct err *e)
{
	struct db *db = ctx->db;
	int got = 1, running = 0, rc;
	if (is_pg(db))
		rc = advisory(db, j->name, 1, &got, e);
	else
		rc = running_elsewhere(db, j->name, ctx->now, period_s, &running, e);
	if (rc < 0)
		return rc;
	if (!got || running)
		return 0;
	int64_t run_id;
	rc = db_get_int(db,
	                "INSERT INTO job_run (name, pass, instance, started_at) VALUES (?, ?, ?, ?)"
	                " ON CONFLICT DO NOTHING RETURNING id",
	                DB_ARGS(db_text(j->name), db_int(ctx->now / period_s), db_text(instance),
	                        db_int(ctx->now)),
	                &run_id, e);
	if (rc == 0) {
		buf_reset(ctx->note);
		struct err je = {0};
		int jrc = j->fn(ctx, &je);
		if (jrc < 0 && db_in_transaction(db))
			db_rollback(db);
		if (jrc < 0) {
			buf_reset(ctx->note);
			buf_adds(ctx->note, je.msg);
		}
		rc = finish(db, run_id, jrc == 0, ctx->note->data, e);
		if (rc == 0)
			rc = 1;
	} else if (rc == ERR_NOT_FOUND) {
		rc = 0; /* this pass is another instance's */
	}
	if (is_pg(db)) {
		struct err ignored; /* a lost connection released it anyway */
		(void)advisory(db, j->name, 0, NULL, &ignored);
	}
	return rc;
}

/* ---- the job thread ---- */

struct jobs {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	char *db_url, *media_dir;
	const struct job_def *defs;
	int period_override;
	char instance[128];
};

static int period_of(const struct jobs *js, const struct job_def *d)
{
	return js->period_override > 0 ? js->period_override : d->period_s;
}

/* Sleeps until the unix time `until` or until stop; returns whether to stop. */
static int wait_until(struct jobs *js, int64_t until)
{
	struct timespec ts = {.tv_sec = (time_t)until, .tv_nsec = 0};
	pthread_mutex_lock(&js->mu);
	while (!js->stop && time(NULL) < until)
		if (pthread_cond_timedwait(&js->cv, &js->mu, &ts) == ETIMEDOUT)
			break;
	int stop = js->stop;
	pthread_mutex_unlock(&js->mu);
	return stop;
}

static void run_due(struct jobs *js, struct db *db, int64_t *last_pass, struct buf *note,
                    int64_t *next)
{
	int64_t now = (int64_t)time(NULL);
	*next = now + 3600;
	for (size_t i = 0; js->defs[i].name; i++) {
		const struct job_def *d = &js->defs[i];
		int period = period_of(js, d);
		int64_t pass = now / period;
		if (pass != last_pass[i]) {
			struct job_ctx ctx = {
			    .db = db, .media_dir = js->media_dir, .now = now, .note = note};
			struct err e = {0};
			if (job_run_pass(d, &ctx, js->instance, period, &e) < 0)
				fprintf(stderr, "wenming: job %s: %s\n", d->name, e.msg);
			last_pass[i] = pass;
		}
		if ((pass + 1) * period < *next)
			*next = (pass + 1) * period;
	}
}

static void *job_thread(void *arg)
{
	struct jobs *js = arg;
	size_t n = 0;
	while (js->defs[n].name)
		n++;
	int64_t *last_pass = calloc(n + 1, sizeof *last_pass);
	struct buf note = BUF_INIT;
	struct db *db = NULL;
	for (size_t i = 0; i < n; i++)
		last_pass[i] = -1;
	while (last_pass) {
		if (!db) {
			struct err e = {0};
			if (db_open(js->db_url, &db, &e) < 0) {
				fprintf(stderr, "wenming: jobs: %s (retrying)\n", e.msg);
				db = NULL;
				if (wait_until(js, (int64_t)time(NULL) + RECONNECT_S))
					break;
				continue;
			}
		}
		int64_t next;
		run_due(js, db, last_pass, &note, &next);
		if (wait_until(js, next))
			break;
	}
	db_close(db);
	buf_free(&note);
	free(last_pass);
	return NULL;
}

int jobs_start(const char *db_url, const char *media_dir, const struct job_def *defs,
               int period_override, struct jobs **out, struct err *e)
{
	struct jobs *js = calloc(1, sizeof *js);
	if (!js)
		return err_set(e, ERR_INTERNAL, "out of memory");
	js->db_url = strdup(db_url);
	js->media_dir = strdup(media_dir ? media_dir : "");
	js->defs = defs;
	js->period_override = period_override;
	char host[64] = "";
	(void)gethostname(host, sizeof host - 1);
	snprintf(js->instance, sizeof js->instance, "%s:%ld", host, (long)getpid());
	pthread_mutex_init(&js->mu, NULL);
	pthread_cond_init(&js->cv, NULL);
	if (!js->db_url || !js->media_dir || pthread_create(&js->thread, NULL, job_thread, js)) {
		pthread_cond_destroy(&js->cv);
		pthread_mutex_destroy(&js->mu);
		free(js->db_url);
		free(js->media_dir);
		free(js);
		return err_set(e, ERR_INTERNAL, "cannot start the job thread");
	}
	*out = js;
	return 0;
}

void jobs_stop(struct jobs *js)
{
	if (!js)
		return;
	pthread_mutex_lock(&js->mu);
	js->stop = 1;
	pthread_cond_signal(&js->cv);
	pthread_mutex_unlock(&js->mu);
	pthread_join(js->thread, NULL);
	pthread_cond_destroy(&js->cv);
	pthread_mutex_destroy(&js->mu);
	free(js->db_url);
	free(js->media_dir);
	free(js);
}
