/* Backup and restore of a PostgreSQL database through Debian's pg_dump / pg_restore (the
 * custom format: compressed, one consistent snapshot, restorable table by table). Private to
 * src/store; callers use db_backup / db_restore. */
#ifndef WM_PG_DUMP_H
#define WM_PG_DUMP_H

#include "lib/err.h"

int pg_dump_backup(const char *url, const char *file, struct err *e);
/* Drops what the dump holds and recreates it in one transaction: all or nothing. */
int pg_dump_restore(const char *url, const char *file, struct err *e);

#endif
