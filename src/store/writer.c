/* Group commit (see writer.h). Request threads queue jobs and sleep; the writer thread takes
 * everything queued (up to WRITER_BATCH jobs) into one BEGIN IMMEDIATE … COMMIT, so while one
 * batch waits for its fsync the next one gathers: many requests share one sync, and nobody
 * waits on a timer. */
#include "store/writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "store/audit.h"
#include "store/db.h"
#include "store/db_driver.h"

/* Bounds a batch, so one commit (and the latency of its first job) stays short. */
enum { WRITER_BATCH = 256 };

/* A waiting submitter's job lives on its stack until it is woken; a queued (writer_enqueue)
 * job is malloc'd and freed by the writer after its done callback. */
struct job {
	write_fn fn;
	write_audit_fn audit_of; /* NULL: the job keeps no audit record */
	write_done_fn done_fn;   /* NULL for writer_submit */
	void *done_ctx;
	void *arg;
	int rc;
	struct err err;
	int done;
	pthread_cond_t cond; /* signalled once done is set; one per job, so no thundering herd */
	struct job *next;
};

struct writer {
	pthread_mutex_t mu;  /* guards the queue, stopping and every job's done/rc/err */
	pthread_cond_t work; /* queue non-empty or stopping */
	pthread_cond_t idle; /* the last submitter left (while stopping) */
	struct job *head, *tail;
	/* Submitters inside writer_submit. A woken one still re-takes mu on its way out, so
	 * writer_stop waits for this to reach 0 before it destroys mu and frees the writer. */
	int inflight;
	int stopping;
	pthread_t thread;
	struct db *db;               /* used by the writer thread only */
	_Atomic uint64_t generation; /* bumped after every commit, before submitters wake */
};

static const char SAVEPOINT[] = "wj";

static void run_batch_isolated(struct db *db, struct job *batch);

static void job_fail(struct job *j, const struct err *cause)
{
	j->rc = cause->code ? cause->code : ERR_INTERNAL;
	j->err = *cause;
}

/* Runs one job in its own savepoint: a failure undoes that job's writes alone. */
static void run_job(struct db *db, struct job *j)
{
	err_clear(&j->err);
	j->rc = db_savepoint(db, SAVEPOINT, &j->err);
	if (j->rc)
		return;
	int rc = j->fn(db, j->arg, &j->err);
	if (rc == 0) {
		j->rc = db_release(db, SAVEPOINT, &j->err);
		if (j->rc == 0)
			return;
	} else if (rc > 0 || j->err.code == 0) {
		/* Contract breach (writer.h wants 0 or a negative code with e set): still a
		 * failure. */
		j->rc = err_set(&j->err, ERR_INTERNAL, "write failed (code %d)", rc);
	} else {
		j->rc = rc;
	}
	db_rollback_to(db, SAVEPOINT);
}

/* The audit records of the batch's jobs that succeeded (ok: rc == 0 when set, else all),
 * appended together. */
static int append_audit(struct db *db, struct job *batch, bool only_ok, struct err *e)
{
	const struct audit_entry *recs[WRITER_BATCH];
	size_t n = 0;
	for (struct job *j = batch; j; j = j->next)
		if (j->audit_of && (!only_ok || j->rc == 0))
			recs[n++] = j->audit_of(j->arg);
	return n ? audit_append_many(db, recs, n, NULL, e) : 0;
}

/* The common case first: the whole batch with no savepoints (on PostgreSQL each savepoint and
 * release is a round trip). Returns false, with everything rolled back and no job's result
 * set, when some job failed: the caller then replays the batch with a savepoint per job, so
 * the failing one is undone alone. Otherwise every job's rc and err are set. */
static bool run_batch_optimistic(struct db *db, struct job *batch)
{
	struct err e;
	err_clear(&e);
	if (db_begin_write(db, &e)) {
		for (struct job *j = batch; j; j = j->next)
			job_fail(j, &e);
		return true;
	}
	for (struct job *j = batch; j; j = j->next) {
		err_clear(&j->err);
		if (j->fn(db, j->arg, &j->err) != 0) {
			db_rollback(db);
			return false;
		}
	}
	if (append_audit(db, batch, false, &e)) {
		db_rollback(db);
		return false; /* the replay appends again, and fails each job if it fails again */
	}
	if (db_commit(db, &e)) {
		db_rollback(db);
		for (struct job *j = batch; j; j = j->next)
			job_fail(j, &e);
		return true;
	}
	for (struct job *j = batch; j; j = j->next)
		j->rc = 0;
	return true;
}

/* Runs a batch (a list of jobs) as one transaction; sets every job's rc and err. */
static void run_batch(struct db *db, struct job *batch)
{
	if (run_batch_optimistic(db, batch))
		return;
	run_batch_isolated(db, batch);
}

/* The replay after a failure: each job in its own savepoint. */
static void run_batch_isolated(struct db *db, struct job *batch)
{
	struct err e;
	err_clear(&e);
	if (db_begin_write(db, &e)) {
		for (struct job *j = batch; j; j = j->next)
			job_fail(j, &e);
		return;
	}
	for (struct job *j = batch; j; j = j->next) {
		run_job(db, j);
		if (j->rc && !db_in_transaction(db)) {
			/* The server rolled the whole transaction back (SQLite does on disk full or
			 * an I/O error): the jobs before this one are gone too, so the batch fails.
			 */
			err_set(&e, ERR_UNAVAILABLE, "write transaction aborted: %s", j->err.msg);
			for (struct job *k = batch; k; k = k->next)
				job_fail(k, &e);
			return;
		}
	}
	if (append_audit(db, batch, true, &e) || db_commit(db, &e)) {
		db_rollback(db);
		/* Nothing of this batch is durable. A job that failed alone keeps its own error:
		 * it explains that job better, and it is a failure either way. */
		for (struct job *j = batch; j; j = j->next)
			if (j->rc == 0)
				job_fail(j, &e);
	}
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->work, &w->mu);
		if (!w->head)
			break; /* stopping and drained */
		struct job *batch = w->head, *last = batch;
		for (int n = 1; n < WRITER_BATCH && last->next; n++)
			last = last->next;
		w->head = last->next;
		if (!w->head)
			w->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&w->mu);

		run_batch(w->db, batch);
		atomic_fetch_add(&w->generation, 1);

		pthread_mutex_lock(&w->mu);
		for (struct job *j = batch, *next; j; j = next) {
			next = j->next; /* j may be gone once woken */
			if (j->done_fn) {
				j->done_fn(j->done_ctx, j->rc, &j->err);
				free(j);
				continue;
			}
			j->done = 1;
			pthread_cond_signal(&j->cond);
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int writer_start(const char *db_url, struct writer **out, struct err *e)
{
	*out = NULL;
	struct writer *w = calloc(1, sizeof *w);
	if (!w)
		return err_set(e, ERR_INTERNAL, "out of memory");
	int rc = db_open(db_url, &w->db, e);
	if (rc) {
		free(w);
		return rc;
	}
	int perr = pthread_mutex_init(&w->mu, NULL);
	if (perr == 0) {
		perr = pthread_cond_init(&w->work, NULL);
		if (perr == 0) {
			perr = pthread_cond_init(&w->idle, NULL);
			if (perr == 0) {
				perr = pthread_create(&w->thread, NULL, writer_main, w);
				if (perr == 0) {
					*out = w;
					return 0;
				}
				pthread_cond_destroy(&w->idle);
			}
			pthread_cond_destroy(&w->work);
		}
		pthread_mutex_destroy(&w->mu);
	}
	db_close(w->db);
	free(w);
	return err_set(e, ERR_INTERNAL, "cannot start the writer thread (error %d)", perr);
}

int writer_submit(struct writer *w, write_fn fn, void *arg, struct err *e)
{
	/* From inside a job this would wait for its own batch forever. */
	if (pthread_equal(pthread_self(), w->thread))
		return err_set(e, ERR_INTERNAL, "writer_submit called from a write job");
	struct job j = {.fn = fn, .arg = arg};
	if (pthread_cond_init(&j.cond, NULL) != 0)
		return err_set(e, ERR_INTERNAL, "cannot create a condition variable");

	pthread_mutex_lock(&w->mu);
	if (w->stopping) {
		pthread_mutex_unlock(&w->mu);
		pthread_cond_destroy(&j.cond);
		return err_set(e, ERR_UNAVAILABLE, "the writer is shutting down");
	}
	/* j lives on this stack while queued: we return only after the writer set j.done. */
	struct job **link = w->tail ? &w->tail->next : &w->head;
	*link = &j;
	/* cppcheck-suppress autoVariables */
	w->tail = &j;
	w->inflight++;
	pthread_cond_signal(&w->work);
	while (!j.done)
		pthread_cond_wait(&j.cond, &w->mu);
	if (--w->inflight == 0 && w->stopping)
		pthread_cond_signal(&w->idle);
	pthread_mutex_unlock(&w->mu); /* the last touch of w */

	pthread_cond_destroy(&j.cond);
	if (j.rc) {
		if (e)
			*e = j.err;
		return j.rc;
	}
	return 0;
}

int writer_enqueue(struct writer *w, write_fn fn, void *arg, write_done_fn done, void *ctx,
                   struct err *e)
{
	return writer_enqueue_audited(w, fn, arg, NULL, done, ctx, e);
}

int writer_enqueue_audited(struct writer *w, write_fn fn, void *arg, write_audit_fn audit_of,
                           write_done_fn done, void *ctx, struct err *e)
{
	struct job *j = calloc(1, sizeof *j);
	if (!j)
		return err_set(e, ERR_INTERNAL, "out of memory");
	j->fn = fn;
	j->audit_of = audit_of;
	j->arg = arg;
	j->done_fn = done;
	j->done_ctx = ctx;
	pthread_mutex_lock(&w->mu);
	if (w->stopping) {
		pthread_mutex_unlock(&w->mu);
		free(j);
		return err_set(e, ERR_UNAVAILABLE, "the writer is shutting down");
	}
	struct job **link = w->tail ? &w->tail->next : &w->head;
	*link = j;
	w->tail = j;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

void writer_stop(struct writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	/* The queue is empty now, but woken submitters may still be leaving writer_submit. */
	pthread_mutex_lock(&w->mu);
	while (w->inflight > 0)
		pthread_cond_wait(&w->idle, &w->mu);
	pthread_mutex_unlock(&w->mu);
	pthread_cond_destroy(&w->idle);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->mu);
	db_close(w->db);
	free(w);
}

uint64_t writer_generation(void *w)
{
	return atomic_load(&((struct writer *)w)->generation);
}
