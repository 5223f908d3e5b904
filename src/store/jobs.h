/* Background jobs that must run once per period whichever instances are up: the media sweep
 * today, escalation and reports later. One thread per server process wakes at each job's
 * pass boundary; the pass is claimed in the database (job_run's unique key), and on
 * PostgreSQL a session advisory lock per job keeps a slow pass from overlapping a second
 * instance's run of the same job. Nothing about jobs lives only in one process. */
#ifndef WM_JOBS_H
#define WM_JOBS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/err.h"

struct db;

struct job_ctx {
	struct db *db;         /* the job thread's own connection */
	const char *media_dir; /* photos (content-addressed, store/media_store.h) */
	int64_t now;           /* unix seconds at the start of the pass */
	struct buf *note;      /* what the pass did, kept in job_run.note */
};

/* One pass of a job. It may begin and commit its own transactions on ctx->db. */
typedef int (*job_fn)(const struct job_ctx *ctx, struct err *e);

struct job_def {
	const char *name;
	int period_s;
	job_fn fn;
};

/* The jobs the server runs, ending with {NULL}. */
extern const struct job_def server_jobs[];

/* The PostgreSQL advisory lock of a job: pg_advisory_lock(JOB_LOCK_SPACE, job_lock_key(name)),
 * held while a pass runs (visible in pg_locks as classid/objid). */
enum { JOB_LOCK_SPACE = 0x6a6f6273 /* "jobs" */ };
int32_t job_lock_key(const char *name);

/* Runs job j's pass for ctx->now if no instance has: 1 ran (ok or failed: see job_run), 0
 * skipped (claimed elsewhere, or running elsewhere), < 0 the claim itself failed. */
int job_run_pass(const struct job_def *j, const struct job_ctx *ctx, const char *instance,
                 int period_s, struct err *e);

struct jobs;
/* Starts the job thread with its own connection to db_url. period_override > 0 replaces
 * every job's period (seconds; for tests and for operators who want a sweep now). */
int jobs_start(const char *db_url, const char *media_dir, const struct job_def *defs,
               int period_override, struct jobs **out, struct err *e);
/* Wakes the thread, lets a running pass finish, joins it. NULL is fine. */
void jobs_stop(struct jobs *j);

#endif
