/* Group commit: writes from many request threads share one transaction and one fsync.
 * A failing job is rolled back alone (see write_fn); writer_submit returns only after the
 * transaction holding the job has committed durably (acknowledged = committed). */
#ifndef WM_WRITER_H
#define WM_WRITER_H

#include <stdint.h>

#include "lib/err.h"

struct db;
struct writer;

/* Does the job's writes on db; returns 0 or a negative err code with e set. Must not begin,
 * commit or roll back itself. Runs on the writer thread, possibly twice: a batch runs first
 * without savepoints, and when one of its jobs fails it is rolled back and replayed with a
 * savepoint per job. So a job's effects outside the database must bear repeating. */
typedef int (*write_fn)(struct db *db, void *arg, struct err *e);

int writer_start(const char *db_url, struct writer **out, struct err *e);
/* Blocks until the job is committed (0) or failed (the job's or the commit's error). */
int writer_submit(struct writer *w, write_fn fn, void *arg, struct err *e);
/* Called on the writer thread once the job's batch has committed (rc 0: durable) or failed
 * (rc < 0, e says why). Keep it short; it must not submit or enqueue. */
typedef void (*write_done_fn)(void *ctx, int rc, const struct err *e);
/* Queues a job without waiting for it: for servers that park the request meanwhile instead
 * of holding a thread. 0 when queued (done will be called exactly once), else an error and
 * done is never called. */
int writer_enqueue(struct writer *w, write_fn fn, void *arg, write_done_fn done, void *ctx,
                   struct err *e);
/* The same, for a job whose change must be on the audit trail: after fn succeeds, audit_of(arg)
 * gives its record (valid until done is called), and the writer appends the records of the
 * whole batch together just before the commit (a few statements per batch instead of per
 * job; store/audit.h). The job and its record commit together or not at all. */
struct audit_entry;
typedef const struct audit_entry *(*write_audit_fn)(void *arg);
int writer_enqueue_audited(struct writer *w, write_fn fn, void *arg, write_audit_fn audit_of,
                           write_done_fn done, void *ctx, struct err *e);
/* A counter that changes after every batch commits (w is a struct writer *; void so it fits
 * http_config.generation). Cached reads built before a change are stale. */
uint64_t writer_generation(void *w);
/* Finishes queued jobs, then stops the thread and closes its connection. */
void writer_stop(struct writer *w);

#endif
