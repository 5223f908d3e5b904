/* Photo files, content-addressed: <dir>/<first two hex>/<sha256>.<ext>. A file is on disk
 * and fsynced before the case that names it is committed, so an acknowledged photo survives
 * a crash; an orphan file after a failed commit is harmless and reused by the next upload. */
#ifndef WM_MEDIA_STORE_H
#define WM_MEDIA_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/media_type.h"
#include "lib/err.h"

struct db;
struct job_ctx;

/* Writes the bytes (idempotent) and fills sha_hex with their SHA-256. */
int media_save(const char *dir, enum media_kind k, const unsigned char *p, size_t n,
               char sha_hex[65], struct err *e);
/* Records the file in the media table (no-op when already there). */
int media_record(struct db *db, const char *sha_hex, enum media_kind k, size_t n, int64_t now,
                 struct err *e);
/* Opens "<sha256>.<ext>" for reading. Any other name shape is ERR_NOT_FOUND, so no path the
 * client sends ever reaches the file system. *fd is the caller's to close. */
int media_open(const char *dir, const char *name, int *fd, size_t *size, enum media_kind *k,
               struct err *e);

/* The job that removes photo files no case refers to (orphans of failed commits and cut-short
 * writes), older than an hour. Its note counts what it removed and kept. */
int media_sweep_job(const struct job_ctx *ctx, struct err *e);

#endif
