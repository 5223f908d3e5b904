/* Schema migrations: the numbered src/store/schema/NNN_name.sql files compiled into the binary,
 * applied in order, each in its own transaction, and recorded with a checksum in
 * schema_version so an edited, already-applied file is caught instead of silently skipped. */
#ifndef WM_MIGRATE_H
#define WM_MIGRATE_H

#include "lib/embedded.h"
#include "lib/err.h"

struct db;

/* Applies every pending migration of embedded_schema. Errors name the offending file. */
int migrate_apply(struct db *db, struct err *e);
/* How many migrations of embedded_schema are not applied yet (for `wenming migrate --check`);
 * fails like migrate_apply on a changed checksum, a bad file name or an unknown version.
 * Both create the (empty) schema_version table when it is missing. */
int migrate_pending(struct db *db, int *count, struct err *e);

/* The same for any list of files ending with a NULL name (tests use their own). */
int migrate_apply_files(struct db *db, const struct embedded_file *files, struct err *e);
int migrate_pending_files(struct db *db, const struct embedded_file *files, int *count,
                          struct err *e);

#endif
